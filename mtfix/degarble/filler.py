"""Filler hallucinations: stock phrases an engine produced for punctuation marks.

An engine that translated ``。`` or ``》`` on its own wrote phrases such as ``I don't know.``
or ``♪ I'll be right back ♪`` where the mark was. The phrases and what each stood for live in
``mtfix/data/fillers.tsv``; this stage puts the punctuation back.

The same words can be a real sentence, so a phrase is filler only in a filler's position: glued
to its neighbours with no space (``fieldI don't know.Their``), as a sentence never is. A
quoted speaker's ``"I don't know."`` stays.

Engines also wrapped words in music notes (``Meta♪ Past ♪OpenAI``); the notes go, the words
stay.

>>> from mtfix.document import apply_edits
>>> text = "Lab staff left the fieldI don't know.Their pay rose."
>>> apply_edits(text, fix_filler(text))
'Lab staff left the field. Their pay rose.'
>>> fix_filler('She said: "I don\\'t know." Then she left.')
[]
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from mtfix.charclass import is_east_asian_wide
from mtfix.data import read_table
from mtfix.document import Edit

OPENING_QUOTES = "“‘「『《\"'«„"
SENTENCE_END = ".!?。！？"
CLOSING_QUOTES = "”’」』》\"'»"


@dataclass(frozen=True)
class Filler:
    phrase: str
    stands_for: str
    restore_latin: str
    restore_cjk: str
    context: str
    note: str


def _unquote(value: str) -> str:
    return "" if value == '""' else value


@lru_cache(maxsize=1)
def fillers() -> tuple[Filler, ...]:
    rows = read_table("fillers.tsv")
    return tuple(Filler(r[0], r[1], _unquote(r[2]), _unquote(r[3]), r[4], r[5]) for r in rows)


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    phrases = sorted((f.phrase for f in fillers()), key=len, reverse=True)
    # Straight and curly apostrophes both occur in engine output.
    alternatives = [re.escape(p).replace("'", "['’]") for p in phrases]
    return re.compile("|".join(alternatives))


def _lookup(found: str) -> Filler:
    key = found.replace("’", "'")
    return next(f for f in fillers() if f.phrase == key)


def _wordlike(ch: str) -> bool:
    return bool(ch) and (ch.isalnum() or unicodedata.category(ch) in ("Pe", "Pf") or ch in ".,;:!?)]”’")


def _restore(filler: Filler, before: str, after: str) -> str:
    cjk = is_east_asian_wide(before) or is_east_asian_wide(after)
    mark = filler.restore_cjk if cjk else filler.restore_latin
    if mark and mark in SENTENCE_END + "," and before and before in SENTENCE_END + ",，":
        mark = ""  # "team.I don't know." had its full stop already
        return " " if not cjk and after.isalnum() else ""
    if not cjk and after and (after.isalnum() or after in OPENING_QUOTES):
        if mark and mark not in OPENING_QUOTES:
            mark += " "  # "field." + "Their" needs the space the engine dropped
        elif not mark and before and before.isalnum() and after.isalnum():
            mark = " "
    return mark


def _glued(text: str, start: int, end: int) -> bool:
    before = text[start - 1 : start]
    after = text[end : end + 1]
    return _wordlike(before) or bool(after) and after.isalnum()


# ♪ words ♪ glued to the text on either side.
_MUSIC = re.compile(r"♪ ?([^♪\n]{1,60}?) ?♪")


def fix_filler(text: str) -> list[Edit]:
    """Edits that take filler phrases out of ``text`` and put back what they stood for."""
    found = []
    for match in _pattern().finditer(text):
        start, end = match.span()
        filler = _lookup(match.group())
        before, after = text[start - 1 : start], text[end : end + 1]
        if filler.context == "after-open-quote":
            if not (before and before in OPENING_QUOTES and after and not after.isspace()):
                continue
        elif filler.context == "before-close-quote":
            if not (before and before in SENTENCE_END and after and after in CLOSING_QUOTES):
                continue
        elif not _glued(text, start, end):
            continue
        found.append((start, end, filler, match.group()))
    edits: list[Edit] = []
    for index, (start, end, filler, original) in enumerate(found):
        # Fillers back to back ("...idea.I don't know.") are restored as one run: each sees
        # what the one before it put back, and what follows the whole run.
        if edits and edits[-1].raw_end == start:
            before = edits[-1].replacement.rstrip(" ")[-1:] or text[edits[-1].raw_start - 1 : edits[-1].raw_start]
            if edits[-1].replacement.endswith(" "):
                edits[-1] = replace(edits[-1], replacement=edits[-1].replacement.rstrip(" "))
        else:
            before = text[start - 1 : start]
        run_end = end
        for later_start, later_end, _, _ in found[index + 1 :]:
            if later_start != run_end:
                break
            run_end = later_end
        after = text[run_end : run_end + 1]
        replacement = _restore(filler, before, after)
        reason = f"filler phrase an engine wrote for {filler.stands_for}"
        edits.append(Edit(start, end, replacement, "filler", reason, original))
    taken = [(e.raw_start, e.raw_end) for e in edits]
    for match in _MUSIC.finditer(text):
        start, end = match.span()
        if any(a < end and start < b for a, b in taken):
            continue
        before, after = text[start - 1 : start], text[end : end + 1]
        if not (_wordlike(before) or (after and after.isalnum())):
            continue  # lyrics set off by spaces are real
        words = match.group(1).strip()
        replacement = (" " if before and not before.isspace() else "") + words
        replacement += " " if after and not after.isspace() else ""
        edits.append(Edit(start, end, replacement, "filler", "music notes an engine wrapped around words",
                          match.group()))
    return sorted(edits, key=lambda e: e.raw_start)
