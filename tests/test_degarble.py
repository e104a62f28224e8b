"""De-garbling: golden cases as data (ftfy's habit), replay of edits, do-no-harm, the seeds."""

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, needs_shared, shared_seed
from mtfix.degarble import STAGES, CleanConfig, clean
from mtfix.degarble.filler import fillers
from mtfix.degarble.loops import fix_loops
from mtfix.document import OffsetMap, apply_edits

GOLDEN = Path(__file__).parent / "data" / "degarble"
KINDS = ["mojibake", "markup", "filler", "doublet", "glue", "loop", "spacing", "garbage"]


# Golden cases as data, grouped by where they come from (ftfy's habit):
# - synthetic: one kind of damage written into clean text: the repair itself, run with the
#   evidence gate open (a sentence alone seldom shows the signs a document does);
# - in-the-wild: damage as broken engines wrote it (the seeds' phenomena), gate on;
# - negative: clean text that must never change, most of it in the shapes real documents
#   have (i18n, branch.autoSetupMerge, {pre,post}, ”Install“): gate on, and gate open;
# - known-failures: damage no repair handles yet, run as strict xfail.
UNGATED = CleanConfig(gate=False)


def cases(group: str):
    path = GOLDEN / f"{group}.jsonl"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        case = json.loads(line)
        yield pytest.param(case, id=f"{group}:{number}:{case['kind']}:{case['note'][:30]}")


def _check(case, config):
    cleaned, edits = clean(case["garbled"], config)
    assert cleaned == case["expected"], case["note"]
    assert apply_edits(case["garbled"], edits) == cleaned
    flags = {flag for edit in edits for flag in edit.flags}
    if case.get("flags"):
        assert flags == set(case["flags"]), case["note"]
    elif case["garbled"] == case["expected"]:
        assert edits == [], case["note"]
    else:
        kinds = {part for edit in edits for part in edit.kind.split("+")}
        assert kinds & set(case["kind"].split("+")), f"no {case['kind']} edit: {case['note']}"
    for edit in edits:
        assert edit.original == case["garbled"][edit.raw_start : edit.raw_end]
        assert edit.kind and edit.reason


def test_every_kind_has_its_cases_and_clean_text_is_the_largest_group():
    assert set(KINDS) | {"glossary"} == set(STAGES)  # the glossary repair needs a glossary
    synthetic = [p.values[0] for p in cases("synthetic")]
    negative = [p.values[0] for p in cases("negative")]
    for kind in KINDS:
        assert sum(case["kind"] == kind for case in synthetic) >= 5, kind
    assert len(negative) >= len(synthetic)


@pytest.mark.parametrize("case", list(cases("synthetic")))
def test_synthetic_case(case):
    _check(case, UNGATED)


@pytest.mark.parametrize("case", list(cases("in-the-wild")))
def test_in_the_wild_case(case):
    _check(case, CleanConfig())


@pytest.mark.parametrize("case", list(cases("negative")))
def test_negative_case_never_changes(case):
    _check(case, CleanConfig())
    _check(case, UNGATED)  # what is code or a name is never touched, whatever the evidence


@pytest.mark.parametrize("case", [pytest.param(*p.values, id=p.id, marks=pytest.mark.xfail(strict=True))
                                  for p in cases("known-failures")])
def test_known_failure(case):
    _check(case, CleanConfig())


@pytest.mark.parametrize("kind", KINDS)
def test_each_repair_alone_leaves_clean_text_alone(kind):
    """Every module, run on its own and ungated, makes no edit on the clean cases."""
    config = CleanConfig.only(kind, gate=False)
    for param in cases("negative"):
        case = param.values[0]
        assert clean(case["garbled"], config) == (case["garbled"], []), (kind, case["note"])


def test_a_clean_document_shows_no_evidence_and_gets_no_edit():
    from mtfix.degarble import clean_explained

    text = "Use git am --3way; set branch.autoSetupMerge. CoreNLP and DeepWiki are tools.\n"
    cleaned, edits, evidence = clean_explained(text)
    assert (cleaned, edits) == (text, []) and not evidence.damaged
    damaged = text + "\nThe lab hired fromOpenAITake three researchers.\n"
    _, edits, evidence = clean_explained(damaged)
    assert evidence.damaged and evidence.summary()["signs"] == {"glue": 1}
    assert edits and all(edit.raw_start >= len(text) for edit in edits)


@needs_shared
@pytest.mark.parametrize("kind", KINDS)
def test_clean_chinese_seed_comes_back_identical_from_every_repair(kind):
    raw = shared_seed("003").read_text(encoding="utf-8")
    assert clean(raw, CleanConfig.only(kind)) == (raw, [])


@needs_shared
def test_clean_chinese_seed_comes_back_identical():
    raw = shared_seed("003").read_text(encoding="utf-8")
    cleaned, edits = clean(raw)
    assert cleaned == raw and edits == []


@pytest.mark.parametrize("sample", ["clean-zh.md", "legacy-gb18030.txt"])
def test_repo_clean_samples_are_untouched(sample):
    path = REPO / "seeds" / sample
    raw = path.read_bytes().decode("gb18030" if "gb18030" in sample else "utf-8")
    assert clean(raw) == (raw, [])


# What seed 000 showed before repair; none may survive it.
GLUED = ["MetaSuccess", "fromOpenAITake", "beOpenAIA", "DeepMindSenior", "andMetaRecruiting",
         "OpenAII'm", "AIThe", "by143Billions", "ImageNetTop", "SigLIPPaliGemma", "AIandAnthropic"]


@needs_shared
def test_broken_engine_seed_loses_mojibake_fillers_glue_and_doublets():
    raw = shared_seed("000").read_text(encoding="utf-8")
    cleaned, edits = clean(raw)
    assert apply_edits(raw, edits) == cleaned
    for marker in ("â€", "Â·", "â™ª", "ðŸ", "Ã¢", "♪"):
        assert marker not in cleaned, marker
    for filler in fillers():
        assert filler.phrase not in cleaned.replace("’", "'"), filler.phrase
    for glued in GLUED:
        assert glued in raw and glued not in cleaned, glued
    assert ".·" not in cleaned  # transliterated doublets
    assert not re.search(r"\*\*([^*\n]+)\*\*\1", cleaned)  # bold headings written twice
    assert "Xiaohua.Xiaohua" not in cleaned
    # Front matter, the {:toc} line and the image link come through intact.
    assert cleaned.startswith("---\nlayout: post\n")
    assert "{:toc}" in cleaned and "![](https://assets-v2.circle.so/s68ux2lrjzip97vf3bvp8j3rc0c3)" in cleaned


@needs_shared
def test_indonesian_seed_loses_loops_and_debris_and_flags_garbage():
    raw = shared_seed("002").read_text(encoding="utf-8")
    cleaned, edits = clean(raw)
    assert fix_loops(cleaned) == []
    for debris in ("blank”>", "a-nexeates", "target”", "_ _", "P> "):
        assert debris in raw and debris not in cleaned, debris
    assert "sebagai “prinsip penelitian” untuk" in cleaned
    garbage = [edit for edit in edits if "garbage" in edit.flags]
    assert len(garbage) == 1 and garbage[0].original.startswith("PRANTS CLOBLE")
    assert {"loop"} <= {flag for edit in edits for flag in edit.flags}


def test_skipping_a_repair():
    text = "MetaSuccess fromOpenAITake itI don't know.Then"
    assert clean(text, CleanConfig(glue=False))[0] == "MetaSuccess fromOpenAITake it. Then"
    assert clean(text, CleanConfig.only())[0] == text
    with pytest.raises(ValueError, match="unknown repair"):
        CleanConfig.only("nonsense")


# Text built from pieces of damage and clean text, so hypothesis explores their mixtures.
PIECES = st.sampled_from([
    "MetaSuccess", " fromOpenAITake", "I don't know.", "Their", " sebuah sebuah sebuah sebuah", " odus.",
    "â€œ", "quoteâ€", "”", "“", "sebagai”prinsip”untuk", " target”_ blank”> ", "Lucas.·Bayer.Lucas Beyer",
    "**X**X", " PRANTS CLOBLE CLINTASI KONSTRAGE.", "涓枃", "中文", "，", " ", "\n", ".", ",", "..", "I'm",
    "♪ Out ♪", "caf茅", "ÄãºÃ", "Zhai", "AI", "2024", "Hi.", "`code`", "https://x.org/AbCd",
    "\n\n", "NovaCorp", "NovaCorpSuccess", "```\n", "Otman", "Sam",
])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=25).map("".join)))
def test_clean_is_idempotent_replayable_and_maps_back(text):
    cleaned, edits = clean(text)
    assert apply_edits(text, edits) == cleaned
    again, more = clean(cleaned)
    assert again == cleaned
    assert all(edit.replacement == edit.original for edit in more)  # only garbage flags remain
    # Edits are sorted, never overlap, and offsets in the clean text map back into raw.
    for a, b in zip(edits, edits[1:]):
        assert a.raw_end <= b.raw_start
    offsets = OffsetMap(text, edits)
    for position in range(0, len(cleaned) + 1, max(1, len(cleaned) // 10)):
        start, end = offsets.start(position), offsets.end(position)
        assert 0 <= start <= len(text) and 0 <= end <= len(text)


def test_the_edit_log_says_what_evidence_the_repairs_ran_on(tmp_path):
    from typer.testing import CliRunner

    from mtfix.cli import app

    published = REPO / "tests" / "data" / "realdocs" / "man-tar.de.txt"
    damaged = tmp_path / "damaged.txt"
    damaged.write_text("The lab hired researchers fromOpenAI last year.I don't know.Their work goes on.\n", encoding="utf-8")
    runner = CliRunner()

    def header(path, *options):
        out = tmp_path / f"out-{path.stem}-{len(options)}"
        result = runner.invoke(app, ["clean", str(path), "--out", str(out), *options])
        assert result.exit_code == 0, result.output
        log = next(out.glob("*.edits.jsonl"))
        return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]

    clean_lines = header(published)
    assert clean_lines[0]["evidence"] == {"damaged": False, "signs": {}, "examples": []}
    assert clean_lines[0]["edits"] == 0 and len(clean_lines) == 1
    assert (tmp_path / f"out-{published.stem}-0" / "man-tar.de.clean.txt").read_bytes() == published.read_bytes()

    damaged_lines = header(damaged)
    evidence = damaged_lines[0]["evidence"]
    assert evidence["damaged"] and "glue" in evidence["signs"]
    assert any(line.get("kind") == "glue" for line in damaged_lines[1:])

    # --always-repair turns the gate off: the log says no evidence was asked for.
    forced = header(published, "--always-repair")
    assert forced[0]["evidence"] is None
