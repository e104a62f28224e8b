"""Turning a whole-line repair (text in, text out) into minimal edits on that line."""

from __future__ import annotations

from difflib import SequenceMatcher

from mtfix.document import Edit

# Changes separated by fewer unchanged characters than this become one edit: a reviewer
# reads "â€œAt" → "“At" more easily than two one-character edits.
MERGE_GAP = 2


def diff_edits(before: str, after: str, offset: int, kind: str, reason: str) -> list[Edit]:
    """Edits that turn ``before`` into ``after``, placed at ``offset`` in the larger text."""
    if before == after:
        return []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    spans: list[list[int]] = []  # [before_start, before_end, after_start, after_end]
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if spans and i1 - spans[-1][1] < MERGE_GAP and j1 - spans[-1][3] < MERGE_GAP:
            spans[-1][1], spans[-1][3] = i2, j2
        else:
            spans.append([i1, i2, j1, j2])
    return [
        Edit(offset + i1, offset + i2, after[j1:j2], kind, reason, before[i1:i2])
        for i1, i2, j1, j2 in spans
    ]
