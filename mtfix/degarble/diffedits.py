"""Turning a whole-line repair (text in, text out) into minimal edits on that line."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from mtfix.document import Edit

# Changes separated by fewer unchanged characters than this become one edit: a reviewer
# reads "â€œAt" → "“At" more easily than two one-character edits.
MERGE_GAP = 2
# Runs of ASCII and runs of everything else: repairs change the non-ASCII runs (mojibake)
# and leave the ASCII ones, so the first level has few, long, distinct tokens.
_TOKENS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")


def _char_spans(before: str, after: str, i0: int, j0: int) -> list[list[int]]:
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    spans: list[list[int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            spans.append([i0 + i1, i0 + i2, j0 + j1, j0 + j2])
    return spans


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix of ``a`` and ``b``, by halving (each step
    one comparison of slices, in C)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def diff_edits(before: str, after: str, offset: int, kind: str, reason: str) -> list[Edit]:
    """Edits that turn ``before`` into ``after``, placed at ``offset`` in the larger text.

    Two levels, so that long lines stay fast (a character diff of a whole paragraph is
    quadratic): ASCII and non-ASCII runs first, then characters inside the changed runs.

    >>> [(e.original, e.replacement) for e in diff_edits("a â€œbâ€ c", "a “b” c", 0, "k", "r")]
    [('â€œbâ€', '“b”')]
    """
    if before == after:
        return []
    # What the two share at either end is no edit: only the middle is diffed (a line with
    # one damaged stretch in a long sentence of CJK, one non-ASCII run, would otherwise be
    # diffed character by character whole).
    head = _common_prefix(before, after)
    tail = _common_prefix(before[head:][::-1], after[head:][::-1])
    if head or tail:
        return diff_edits(before[head : len(before) - tail], after[head : len(after) - tail], offset + head, kind, reason)
    tokens_before, tokens_after = _TOKENS.findall(before), _TOKENS.findall(after)
    starts_before = [0]
    for token in tokens_before:
        starts_before.append(starts_before[-1] + len(token))
    starts_after = [0]
    for token in tokens_after:
        starts_after.append(starts_after[-1] + len(token))
    spans: list[list[int]] = []
    matcher = SequenceMatcher(None, tokens_before, tokens_after, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        i1, i2 = starts_before[a1], starts_before[a2]
        j1, j2 = starts_after[b1], starts_after[b2]
        spans.extend(_char_spans(before[i1:i2], after[j1:j2], i1, j1))
    merged: list[list[int]] = []
    for span in spans:
        if merged and span[0] - merged[-1][1] < MERGE_GAP and span[2] - merged[-1][3] < MERGE_GAP:
            merged[-1][1], merged[-1][3] = span[1], span[3]
        else:
            merged.append(span)
    return [
        Edit(offset + i1, offset + i2, after[j1:j2], kind, reason, before[i1:i2])
        for i1, i2, j1, j2 in merged
    ]
