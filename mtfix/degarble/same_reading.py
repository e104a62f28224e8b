"""Short runs of a legacy charset read as Latin, repaired by the reading the rest of the text
shows: one character's two bytes are no evidence alone (``¡ª`` decodes to a GBK dash by
chance as often as not), but in a line :mod:`mtfix.degarble.cjk` has shown to be GBK read as
latin-1, ``¡ª`` is the dash, ``£º`` the colon and Big5's ``¡G`` (its trail byte in ASCII)
the full-width colon.
"""

from __future__ import annotations

import re

from mtfix.charclass import is_cjk_ideograph
from mtfix.degarble.cjk import HIGH_LATIN, LATIN1_RUN, count_non_ascii
from mtfix.degarble.plausibility import cost
from mtfix.document import Edit

_READING = re.compile(r"(?P<charset>GBK|BIG5|SHIFT_JIS) read as (?P<wrong>cp1252|latin-1)")


def legacy_readings(edits: list[Edit]) -> set[tuple[str, str]]:
    """The (wrong, charset) pairs of the legacy-read-as-Latin repairs among ``edits``."""
    found = set()
    for edit in edits:
        m = _READING.match(edit.reason)
        if m:
            found.add((m["wrong"], m["charset"].lower()))
    return found


def _uncovered(start: int, end: int, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of [start, end) outside the sorted ``spans``."""
    parts, position = [], start
    for a, b in spans:
        if b <= position or a >= end:
            continue
        if a > position:
            parts.append((position, a))
        position = max(position, b)
    if position < end:
        parts.append((position, end))
    return parts


def _written_in_cjk(ch: str) -> bool:
    return (ch.isascii() or is_cjk_ideograph(ch) or "\u3000" <= ch <= "\u30ff" or "\uff01" <= ch <= "\uff60"
            or "\u2010" <= ch <= "\u206f")


def same_reading_repairs(line: str, offset: int, readings: set[tuple[str, str]], taken: list[Edit]) -> list[Edit]:
    """Edits for the short Latin-1 runs of ``line`` (``¡ª``, ``£º``, ``¥Î``) that the legacy
    readings already found in the text read as CJK: one character is no evidence alone
    (two Latin-1 characters often decode to one by chance), but in a text that was shown to
    be GBK read as latin-1, ``¡ª`` is the GBK dash. A run is repaired when its bytes decode
    strictly, to CJK characters and punctuation only, and cost less than they did."""
    if not readings:
        return []
    spans = sorted((e.raw_start - offset, e.raw_end - offset) for e in taken)
    edits = []
    for m in LATIN1_RUN.finditer(line):
        for start, end in _uncovered(m.start(), m.end(), spans):
            if not HIGH_LATIN.search(line, start, end):
                continue
            # Big5 and GBK trail bytes may be ASCII (：is A1 47 in Big5, "¡G"): the letter
            # after a run is tried as part of it too.
            trail = "\x40" <= line[end : end + 1] <= "\x7e" and not any(a == end for a, _ in spans)
            ends = [end, end + 1] if trail else [end]
            best = None
            for stop in ends:
                # (Judged without neighbours: those are often mojibake just repaired.)
                run = line[start:stop]
                before = cost(run)
                for wrong, charset in sorted(readings):
                    try:
                        text = run.encode(wrong).decode(charset)
                    except UnicodeError:
                        continue
                    if text == run or count_non_ascii(text) == 0 or not all(map(_written_in_cjk, text)):
                        continue
                    after = cost(text)
                    if after < before and (best is None or after < best[0]):
                        best = (after, stop, text, f"{charset.upper()} read as {wrong}, as elsewhere in the text")
            if best is not None:
                _, stop, text, reason = best
                edits.append(Edit(offset + start, offset + stop, text, "mojibake", reason, line[start:stop]))
    return edits
