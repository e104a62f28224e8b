"""Markup debris: the wreckage of HTML that went through a translation engine.

An engine that translated a web page as text translated its tags too: ``<a href=...
target="_blank">`` comes out as ``a-nexeates”_ _ blank”>``, ``target”_ blank”>``, ``<p>``
as ``P>``. Debris goes; valid Markdown and HTML stay (complete tags are not debris).

What counts, from certain to circumstantial:

- attribute wreckage: ``target”_ blank”>``, ``”_ _ _ _ blank-nya``, ``blank”>``, ``”>``;
- half tags: a tag name with only its closing bracket (``P> ``, ``div>``, ``a-nexte>``);
- on a line that has attribute wreckage, anchor stubs: ``a-n…`` tokens (``a-nexeates``,
  ``a-nya``) and runs of underscores.

>>> from mtfix.document import apply_edits
>>> text = "Menurut WSJ a-nya, target”_ blank”> The Journal <b>tidak</b> ada."
>>> apply_edits(text, fix_markup(text))
'Menurut WSJ The Journal <b>tidak</b> ada.'
"""

from __future__ import annotations

import re

from mtfix.degarble.spans import Guard, lines_containing
from mtfix.document import Edit

_Q = "[”\"“'’]"
TAGS = "a|p|q|div|span|br|li|ul|ol|em|strong|b|i|h[1-6]|td|tr|table|img|blockquote|section|article"

# Wreckage that is debris wherever it stands.
_STRONG = (
    rf"(?:\b(?:target|rel|href|class|style)\s*=?\s*)?{_Q}?(?:_\s*)+blank(?:-\w+)?{_Q}?\s*>?"
    rf"|\b(?:target|rel|href)\s*=?\s*{_Q}[^”\"“<>\n]{{0,80}}{_Q}\s*>"
    rf"|\bblank{_Q}>"
    rf"|(?<=\w){_Q}>"
)
# Debris only next to strong wreckage on the same line.
_WEAK = r"\ba-n[a-z]*(?:-[a-z]+)*>?|(?<!\w)_(?:\s+_)*(?!\w)|\b(?:a|p|div|span)-\w+>"
_HALF_TAG = re.compile(rf"(?:(?<=\s)|^)/?(?:{TAGS})>(?=\s)", re.IGNORECASE | re.MULTILINE)
_UNIT = rf"(?:{_STRONG}|{_WEAK})"
_ZONE = re.compile(rf"[ \t]*{_UNIT}(?:[ \t,]*{_UNIT})*[ \t]*")
_STRONG_RE = re.compile(_STRONG)
_STUB_OR_TAG_END = re.compile(r"a-n|[a-z]>")


def fix_markup(text: str) -> list[Edit]:
    """Edits that remove HTML debris from ``text``."""
    # Every piece of wreckage has a ">" or the word "blank": a substring test spares the
    # regular expressions most text.
    if ">" not in text and "blank" not in text:
        return []
    guard: Guard | None = None  # (made when the first piece of debris is found)
    edits: list[Edit] = []
    for offset, line in lines_containing(text, (">", "blank")):
        found: list[Edit] = []
        if _STRONG_RE.search(line):
            for m in _ZONE.finditer(line):
                strong = _STRONG_RE.search(line, m.start(), m.end())  # (lookbehinds see the line)
                if not strong and not _STUB_OR_TAG_END.search(m.group()):
                    continue  # underscores alone are not debris
                start, end = m.span()
                # Keep one space between the words the zone separated.
                before, after = line[start - 1 : start], line[end : end + 1]
                replacement = " " if before.strip() and after.strip() and not after in ".,;:" else ""
                if start > 0 and line[start].isspace() and after and after.isspace():
                    replacement = ""
                guard = guard or Guard(text)
                if guard.touches(offset + start, offset + end):
                    continue
                found.append(Edit(offset + start, offset + end, replacement, "markup",
                                  "HTML debris from a translated web page", m.group()))
        for m in _HALF_TAG.finditer(line):
            start, end = m.start(), m.end()
            if line[end : end + 1] == " ":
                end += 1
            if any(e.raw_start < offset + end and offset + start < e.raw_end for e in found):
                continue
            guard = guard or Guard(text)
            if guard.touches(offset + start, offset + end):
                continue
            found.append(Edit(offset + start, offset + end, "", "markup", "half of an HTML tag", line[start:end]))
        edits.extend(sorted(found, key=lambda e: e.raw_start))
    return edits
