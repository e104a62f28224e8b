"""The repairs of ``mtfix clean --diff`` as a unified diff of the original and the cleaned
text (difflib's), each hunk followed by the repairs inside it: their kind and reason.

Lines longer than :data:`WORD_LEVEL_FROM` characters (a paragraph on one line, as Markdown
and machine translations write them) are shown by the words that changed, ``[-old-]{+new+}``
as ``git diff --word-diff`` does, instead of the whole line twice.
"""

from __future__ import annotations

import difflib
import re

from mtfix.document import Edit

WORD_LEVEL_FROM = 120
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def unified_diff(raw: str, clean: str, edits: list[Edit], name: str, context: int = 1) -> list[tuple[str, str]]:
    """(kind of line, text) pairs: ``header``, ``hunk``, ``removed``, ``added``, ``context``,
    ``words`` (a changed long line, by words) and ``repair`` (a repair inside the hunk)."""
    before, after = raw.splitlines(keepends=True), clean.splitlines(keepends=True)
    starts = [0]
    for line in before:
        starts.append(starts[-1] + len(line))
    out: list[tuple[str, str]] = [("header", f"--- {name}"), ("header", f"+++ {name} (cleaned)")]
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        out.append(("hunk", f"@@ -{first[1] + 1},{last[2] - first[1]} +{first[3] + 1},{last[4] - first[3]} @@"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(("context", " " + line.rstrip("\n")) for line in before[i1:i2])
                continue
            old, new = before[i1:i2], after[j1:j2]
            if tag == "replace" and len(old) == len(new) and all(len(a) >= WORD_LEVEL_FROM for a in old):
                out.extend(("words", "~" + _word_diff(a.rstrip("\n"), b.rstrip("\n"))) for a, b in zip(old, new))
            else:
                out.extend(("removed", "-" + line.rstrip("\n")) for line in old)
                out.extend(("added", "+" + line.rstrip("\n")) for line in new)
        hunk_start, hunk_end = starts[first[1]], starts[last[2]]
        for edit in edits:
            if hunk_start <= edit.raw_start <= hunk_end and edit.raw_end <= hunk_end:
                line = raw.count("\n", 0, edit.raw_start) + 1
                column = edit.raw_start - (raw.rfind("\n", 0, edit.raw_start) + 1) + 1
                shown = f"{edit.original!r} → {edit.replacement!r}"
                out.append(("repair", f"# {line}:{column} {edit.kind}: {edit.reason} ({shown})"))
    return out


def _word_diff(old: str, new: str) -> str:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append("".join(a[i1:i2]))
            continue
        if i2 > i1:
            parts.append("[-" + "".join(a[i1:i2]) + "-]")
        if j2 > j1:
            parts.append("{+" + "".join(b[j1:j2]) + "+}")
    return "".join(parts)


__all__ = ["unified_diff"]
