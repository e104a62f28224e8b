"""ftfy's own test cases (tests/data/peer/ftfy, Apache-2.0): mtfix repairs every case that
ftfy itself repairs, and leaves every one of ftfy's negative cases as ftfy leaves it.

A case names what ftfy's full fix gives (``fixed``) and, where it differs, what its encoding
fix alone gives (``fixed-encoding``). mtfix runs ftfy's encoding fix and the fixes that cannot
touch clean text (control characters, terminal escapes), but not the ones that normalise
(curly quotes, HTML entities, full-width forms): its output must be one of the two. "ftfy passes" is ftfy's own test: ``ftfy.fix_text(original) == fixed``, with
the ftfy installed here; the cases it fails (its known failures, and any the installed
version gets wrong) are not asked of mtfix.
"""

from __future__ import annotations

import json
from pathlib import Path

import ftfy
import pytest

from mtfix.degarble import CleanConfig, clean

FTFY_CASES = Path(__file__).parent / "data" / "peer" / "ftfy"


def _cases(negative: bool) -> list:
    found = []
    for path in sorted(FTFY_CASES.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            if case["expect"] != "pass" or (path.stem == "negative") != negative:
                continue
            if ftfy.fix_text(case["original"]) != case["fixed"]:
                continue  # ftfy does not pass it itself
            found.append(pytest.param(case, id=f"{path.stem}: {case['label']}"))
    return found


def _expected(case: dict) -> set[str]:
    return {case["fixed"], case.get("fixed-encoding", case["fixed"])}


def test_the_peer_suite_is_here_whole():
    # ftfy 6.3.1's files: 120 repairs (in the wild, synthetic, language names) and 31 negative
    # cases, all of which ftfy passes; 10 known failures, not asked.
    assert len(_cases(negative=False)) == 120 and len(_cases(negative=True)) == 31


@pytest.mark.parametrize("case", _cases(negative=False))
def test_mtfix_repairs_what_ftfy_repairs(case):
    # The mojibake repair alone: the repairs that undo a machine translation would also
    # mend these texts' own typos ("vous.Pardonnez"), which is not what ftfy's case is about.
    assert clean(case["original"], CleanConfig.only("mojibake"))[0] in _expected(case)


@pytest.mark.parametrize("case", _cases(negative=True))
def test_mtfix_leaves_ftfy_negative_cases_alone(case):
    # Every repair, as `mtfix clean` runs them: nothing here may change but what ftfy changes.
    assert clean(case["original"])[0] in _expected(case)
