"""De-garbling: golden cases as data (ftfy's habit), replay of edits, do-no-harm, the seeds."""

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, needs_shared, shared_seed
from mtfix.degarble import IDEMPOTENT, SETTLED, STAGES, CleanConfig, clean
from mtfix.degarble.filler import fillers
from mtfix.degarble.loops import fix_loops
from mtfix.document import OffsetMap, apply_edits
from mtfix.glossary import DEFAULT_GLOSSARY, Glossary

GOLDEN = Path(__file__).parent / "data" / "degarble"
KINDS = ["mojibake", "markup", "filler", "doublet", "glue", "loop", "spacing", "garbage"]


def golden_cases():
    for path in sorted(GOLDEN.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            case = json.loads(line)
            yield pytest.param(path.stem, case, id=f"{path.stem}:{number}:{case['note'][:30]}")


def test_every_kind_has_its_golden_file_with_enough_cases():
    assert set(KINDS) | {"glossary"} == set(STAGES)  # the glossary repair needs a glossary
    for kind in KINDS:
        cases = [json.loads(line) for line in (GOLDEN / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()]
        unchanged = [c for c in cases if c["garbled"] == c["expected"] and not c.get("flags")]
        assert len(cases) >= 15, kind
        assert len(unchanged) * 3 >= len(cases), f"{kind}: a third of the cases must be clean text"


@pytest.mark.parametrize("kind, case", list(golden_cases()))
def test_golden_case(kind, case):
    cleaned, edits = clean(case["garbled"])
    assert cleaned == case["expected"], case["note"]
    assert apply_edits(case["garbled"], edits) == cleaned
    flags = {flag for edit in edits for flag in edit.flags}
    if case.get("flags"):
        assert flags == set(case["flags"]), case["note"]
    elif case["garbled"] == case["expected"]:
        assert edits == [], case["note"]
    else:
        assert any(kind in edit.kind.split("+") for edit in edits), f"no {kind} edit: {case['note']}"
    for edit in edits:
        assert edit.original == case["garbled"][edit.raw_start : edit.raw_end]
        assert edit.kind and edit.reason


@pytest.mark.parametrize("kind", KINDS)
def test_each_repair_alone_leaves_clean_text_alone(kind):
    """Every module, run on its own, makes no edit on the clean samples of every kind."""
    config = CleanConfig.only(kind)
    for path in sorted(GOLDEN.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            if case["garbled"] == case["expected"] and not case.get("flags"):
                assert clean(case["garbled"], config) == (case["garbled"], []), (kind, case["note"])


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


@settings(max_examples=int(os.environ.get("MTFIX_HYPOTHESIS_EXAMPLES", "300")), deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join), st.booleans())
def test_later_rounds_over_changed_paragraphs_give_what_whole_rounds_give(text, with_glossary):
    """After the first round a repair reads only the paragraphs changed since it last read them:
    the text and every edit must be what rounds over the whole text give."""
    import mtfix.degarble as degarble

    config = CleanConfig(terms=Glossary.load([DEFAULT_GLOSSARY])) if with_glossary else CleanConfig()
    fast = clean(text, config)
    real = degarble._on_changed_paragraphs
    degarble._on_changed_paragraphs = lambda *args: None  # every repair over the whole text
    try:
        whole = clean(text, config)
    finally:
        degarble._on_changed_paragraphs = real
    assert fast == whole


@settings(max_examples=int(os.environ.get("MTFIX_HYPOTHESIS_EXAMPLES", "300")), deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join), st.sampled_from(sorted(IDEMPOTENT)))
def test_repairs_called_idempotent_leave_their_own_output_alone(text, name):
    """Later rounds do not read again what these repairs changed: that holds only if a
    repair run on its own output finds nothing more to do."""
    from mtfix.degarble import _run

    config = CleanConfig()
    once = apply_edits(text, _run(name, text, config))
    assert _run(name, once, config) == []


@settings(max_examples=int(os.environ.get("MTFIX_HYPOTHESIS_EXAMPLES", "300")), deadline=None)
@given(st.one_of(st.lists(PIECES, max_size=40).map("".join),
                 st.sampled_from([" sebuah sebuah sebuah sebuah  sebuah sebuah sebuah sebuah",
                                  "扎克伯格mog-mog-mog-扎克伯格mog-mog-mog-", "The,,Ââ€œ", "Ã ,,â€œ", "Out .."])),
       st.sampled_from(sorted(SETTLED)))
def test_a_repair_that_says_its_changed_lines_are_settled_finds_nothing_more(text, name):
    """Later rounds do not read again what a repair changed when its test on the changed
    lines says they hold nothing more for it: run again on its output, it must find nothing
    (where the test says otherwise, the later round reads them)."""
    from mtfix.degarble import _changed_lines, _run

    config = CleanConfig()
    found = _run(name, text, config)
    if found:
        after = apply_edits(text, found)
        if SETTLED[name](_changed_lines(text, found, after)):
            assert _run(name, after, config) == []


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
