"""Stretches of text no repair may touch: code, URLs, e-mail addresses, link targets.

>>> text = "see `fooBar()` at https://x.org/OpenAITake now"
>>> [text[a:b] for a, b in untouchable(text)]
['`fooBar()`', 'https://x.org/OpenAITake']
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

# (trigger, pattern): a pattern is only run on text that contains its trigger, so prose with
# no code, URL or address costs a few substring searches.
_PARTS = [
    ("```", r"^```[^\n]*\n.*?^```[^\n]*$"),  # fenced code blocks
    ("~~~", r"^~~~[^\n]*\n.*?^~~~[^\n]*$"),
    ("`", r"`[^`\n]+`"),  # inline code
    ("<", r"<(?:script|style)\b.*?</(?:script|style)>"),
    ("<", r"</?[a-zA-Z][\w-]*(?:\s[^<>\n]*)?>"),  # complete HTML tags
    ("://", r"\b(?:https?|ftp)://[^\s<>()\"“”]+"),
    ("www.", r"\bwww\.[^\s<>()\"“”]+"),
    ("@", r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    ("](", r"\]\([^)\s]*\)"),  # Markdown link and image targets
    ("{:", r"^ {0,3}\{:[^}\n]*\}\s*$"),  # kramdown attributes ({:toc})
]
_FLAGS = re.MULTILINE | re.DOTALL | re.IGNORECASE


def _pattern(patterns: tuple[str, ...]) -> re.Pattern:
    return _compiled.setdefault(patterns, re.compile("|".join(patterns), _FLAGS))


_compiled: dict[tuple[str, ...], re.Pattern] = {}


# A character each trigger holds that prose seldom does: searching for one character runs
# at memory speed, for a string of several at a tenth of it, and every repair guards its
# text (a trigger absent from the text rules its pattern out at once).
_RARE_CHARACTER = {"```": "`", "~~~": "~", "`": "`", "<": "<", "://": "/", "www.": "www.", "@": "@",
                   "](": "]", "{:": "{"}


def untouchable(text: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping (start, end) spans of ``text`` that repairs leave alone.

    The patterns are tried only where one can begin (:func:`anchored`): their alternation,
    case-blind, is tried at every position of a text otherwise, and every repair guards
    its text in every round (a Markdown page with links spent a tenth of its cleaning
    here)."""
    triggers = [trigger for trigger, _ in _PARTS if _RARE_CHARACTER[trigger] in text and trigger in text]
    if not triggers:
        return []
    present = tuple(dict.fromkeys(pattern for trigger, pattern in _PARTS if trigger in triggers))
    starts: set[int] = set()
    for trigger in dict.fromkeys(triggers):
        starts.update(_starts_for(trigger, text))
    return [m.span() for m in anchored(_pattern(present), text, sorted(starts))]


_WWW = re.compile(r"[wW][wW][wW]\.")  # (the pattern is case-blind)


def _starts_for(trigger: str, text: str) -> list[int]:
    """Every position where a pattern of ``trigger`` can begin a match in ``text``."""
    if trigger in ("```", "~~~", "`", "<"):
        return find_all(text, trigger[0])  # fenced blocks, code, tags begin at the mark
    if trigger == "://":  # a URL begins with its scheme: ftp, http or https
        return [at - back for at in find_all(text, "://") for back in (3, 4, 5) if at >= back]
    if trigger == "www.":
        return [m.start() for m in _WWW.finditer(text)]
    if trigger == "@":  # an address begins anywhere in the run of its name's characters
        return [start for at in find_all(text, "@") for start in range(run_start(text, at, _in_address), at)]
    if trigger == "](":
        return find_all(text, "](")
    if trigger == "{:":  # kramdown attributes begin at the line start
        return [text.rfind("\n", 0, at) + 1 for at in find_all(text, "{:")]
    raise ValueError(f"no starts known for {trigger!r}")


def _in_address(ch: str) -> bool:
    return ch.isalnum() or ch in "_.+-"


class Guard:
    """Answers "does [start, end) touch an untouchable span?" by bisection."""

    def __init__(self, text: str):
        self.spans = untouchable(text)
        self.starts = [a for a, _ in self.spans]

    def touches(self, start: int, end: int) -> bool:
        index = bisect.bisect_right(self.starts, end) - 1
        while index >= 0:
            a, b = self.spans[index]
            if b <= start and a < start:
                return False
            if a < end and start < b or (start == end and a < start < b):
                return True
            index -= 1
        return False


def lines_with_breaks(text: str) -> list[tuple[int, str]]:
    """(offset, line) for each line of ``text``, each with its "\n" (the last may have
    none). Split at "\n" only: ``str.splitlines`` also splits at \x1c-\x1e, \x85 and
    U+2028, which ftfy may remove or repair as part of a sequence, joining what was split."""
    lines, offset = [], 0
    pieces = text.split("\n")
    last = len(pieces) - 1
    for number, piece in enumerate(pieces):
        line = piece if number == last else piece + "\n"
        if line:
            lines.append((offset, line))
        offset += len(line)
    return lines


def lines_containing(text: str, needles: tuple[str, ...]) -> list[tuple[int, str]]:
    """(offset, line) for each line of ``text`` (split at "\n", without it) holding one of
    ``needles``, in order. Found by substring search, so a long text where few lines hold
    one costs a few scans at memory speed, not a Python step per line."""
    starts: set[int] = set()
    for needle in needles:
        found = text.find(needle)
        while found >= 0:
            start = text.rfind("\n", 0, found) + 1
            starts.add(start)
            end = text.find("\n", found)
            if end < 0:
                break
            found = text.find(needle, end)
    lines = []
    for start in sorted(starts):
        end = text.find("\n", start)
        lines.append((start, text[start:] if end < 0 else text[start:end]))
    return lines


def find_all(text: str, needle: str) -> list[int]:
    """Every position where ``needle`` starts in ``text`` (overlapping ones too)."""
    positions, found = [], text.find(needle)
    while found >= 0:
        positions.append(found)
        found = text.find(needle, found + 1)
    return positions


def is_blank(ch: str) -> bool:
    return ch in " \t"


def run_start(text: str, position: int, belongs: Callable[[str], bool]) -> int:
    """Where the run of characters ``belongs`` accepts that ends at ``position`` begins:
    the way back from an anchor to where a match before it can start."""
    while position > 0 and belongs(text[position - 1]):
        position -= 1
    return position


def anchored(pattern: re.Pattern, text: str, starts: list[int]) -> list[re.Match]:
    """The matches ``pattern.finditer(text)`` gives, found by trying ``pattern.match`` only at
    ``starts`` (sorted), which must include the start of every match. An expression tried at
    every position of a text costs it per position; where the places a match can begin are
    found by a cheaper scan (a literal, a rare character), this is many times faster. The
    expression's lookbehinds still see the text before each start."""
    matches: list[re.Match] = []
    last_end = 0
    for start in starts:
        if start < last_end:
            continue
        m = pattern.match(text, start)
        if m is not None:
            matches.append(m)
            last_end = max(m.end(), start + 1)
    return matches
