"""De-garbling: golden cases as data (ftfy's habit), replay of edits, do-no-harm on seeds."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, needs_shared, shared_seed
from mtfix.degarble import clean
from mtfix.document import apply_edits

GOLDEN = Path(__file__).parent / "data" / "degarble"


def golden_cases():
    for path in sorted(GOLDEN.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            case = json.loads(line)
            yield pytest.param(case, id=f"{path.stem}:{number}:{case['note'][:30]}")


@pytest.mark.parametrize("case", list(golden_cases()))
def test_golden_case(case):
    cleaned, edits = clean(case["garbled"])
    assert cleaned == case["expected"], case["note"]
    assert apply_edits(case["garbled"], edits) == cleaned
    if case["garbled"] == case["expected"]:
        assert edits == []
    for edit in edits:
        assert edit.original == case["garbled"][edit.raw_start : edit.raw_end]
        assert edit.kind and edit.reason


@needs_shared
def test_clean_chinese_seed_comes_back_identical():
    raw = shared_seed("003").read_text(encoding="utf-8")
    cleaned, edits = clean(raw)
    assert cleaned == raw and edits == []


@needs_shared
def test_broken_engine_seed_loses_its_latin_mojibake():
    raw = shared_seed("000").read_text(encoding="utf-8")
    cleaned, edits = clean(raw)
    for marker in ("â€", "Â·", "â™ª", "ðŸ"):
        assert marker in raw and marker not in cleaned
    assert apply_edits(raw, edits) == cleaned
    assert all(edit.kind == "mojibake" for edit in edits)


def test_repo_clean_sample_is_untouched():
    raw = (REPO / "seeds" / "clean-zh.md").read_text(encoding="utf-8")
    assert clean(raw) == (raw, [])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_clean_is_idempotent_and_replayable(text):
    cleaned, edits = clean(text)
    assert apply_edits(text, edits) == cleaned
    again, more = clean(cleaned)
    assert again == cleaned and more == []
