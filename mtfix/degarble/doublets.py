"""Doublets: a heading or a name the engine wrote twice.

Chinese articles give a foreign name as a transliteration with the original in brackets
(``卢卡斯·拜尔（Lucas Beyer）``); a broken engine renders both, glued: ``Lucas.·Bayer.Lucas Beyer``.
The copy in the original spelling is the right one and stays; the re-transliteration goes.
Bold headings come out as ``**X**X``: the bold copy stays.

>>> from mtfix.document import apply_edits
>>> text = "CEO Mark.·Zuckerberg.Mark Zuckerberg said; ### **Background**Background"
>>> apply_edits(text, fix_doublets(text))
'CEO Mark Zuckerberg said; ### **Background**'
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from mtfix.degarble.compose import compose
from mtfix.degarble.spans import anchored, find_all, run_start
from mtfix.document import Edit, apply_edits

SIMILAR = 0.5  # Bayer/Beyer 0.8, Otterman/Altman 0.57, Sutskwi/Sutskever 0.63

_NAME = r"[A-Z][\w'’-]*"
# "First.·Last.First Last": transliterated first and last name, then the name as written.
_TRANSLITERATED = re.compile(rf"(?P<a>[\w'’-]+)\.·(?P<b>{_NAME})\.(?=(?P<c>{_NAME}) (?P<d>{_NAME}))")
# "Xiaohua.Xiaohua Zhai": one name, then the full name starting with it.
_REPEATED_FIRST = re.compile(rf"\b(?P<a>{_NAME})\.(?=(?P=a) {_NAME})")
# Cheap test for a capitalised word glued by a full stop to a capitalised word.
_MAYBE_REPEATED = re.compile(r"[a-z]\.[A-Z]")
# "**X**X": a bold text followed by itself.
_BOLD_TWICE = re.compile(r"\*\*(?P<x>[^*\n]{2,200}?)\*\*(?P=x)")


def _similar(a: str, b: str) -> bool:
    return SequenceMatcher(None, a.lower(), b.lower()).ratio() >= SIMILAR


def _anchored(pattern: re.Pattern, text: str, anchors: list[int]) -> list[re.Match]:
    """The matches ``pattern.finditer(text)`` gives, for a pattern that begins with a word
    and goes on with the character at one of ``anchors``: tried only from the positions of
    the word before each anchor (see spans.anchored)."""
    starts = {begin for at in anchors for begin in range(run_start(text, at, _in_word), at)}
    return anchored(pattern, text, sorted(starts))


def _in_word(ch: str) -> bool:
    return ch.isalnum() or ch in "_'’-"


_DOT_BEFORE_CAPITAL = re.compile(r"\.(?=[A-Z])")


def _names(text: str) -> list[Edit]:
    edits = []
    for m in _anchored(_TRANSLITERATED, text, find_all(text, ".·")):
        full = f"{m['c']} {m['d']}"
        if _similar(m["a"], m["c"]):
            start = m.start()
        elif _similar(m["b"], m["d"]) or m["a"][:1].islower() or m["a"].isupper():
            # "union.·Sutskwi.Ilya Sutskever": keep the word before the interpunct.
            start = m.start("b") - 2
        else:
            continue
        replacement = " " if start > m.start() else ""
        edits.append(Edit(start, m.end(), replacement, "doublet",
                          f"transliteration written before the name itself ({full})", text[start : m.end()]))
    taken = [(e.raw_start, e.raw_end) for e in edits]
    for m in _anchored(_REPEATED_FIRST, text, [m.start() for m in _DOT_BEFORE_CAPITAL.finditer(text)]):
        if any(a <= m.start() < b for a, b in taken):
            continue
        edits.append(Edit(m.start(), m.end(), "", "doublet", "name written twice", m.group()))
    return sorted(edits, key=lambda e: e.raw_start)


def _bold(text: str) -> list[Edit]:
    return [
        Edit(m.end("x") + 2, m.end(), "", "doublet", "bold text written again after itself", m["x"])
        for m in _BOLD_TWICE.finditer(text)
    ]


def fix_doublets(text: str) -> list[Edit]:
    """Edits that keep one copy of each doubled name or bold heading in ``text``."""
    names = _names(text) if ".·" in text or _MAYBE_REPEATED.search(text) else []
    after_names = apply_edits(text, names) if names else text
    bold = _bold(after_names) if "**" in after_names else []
    return compose(text, names, bold)
