"""How implausible a stretch of text is: the evidence the CJK mojibake repair decides on.

A character costs nothing when it is what real text is made of (ASCII, the frequent half of
the GB2312, Big5 and Shift-JIS character sets, kana, CJK and general punctuation, Latin-1
letters) and more the rarer it is: the second level of those sets, CJK outside all three,
half-width katakana, Latin-1 symbols, private-use and unassigned code points, control
characters and U+FFFD. Neighbours count too: a CJK character glued inside a Latin word
(``caf茅``) or a Latin-1 letter glued to CJK (``é中``) is suspicious in a way neither
character is alone, and runs of accented Latin-1 letters (``ÖÐÎÄ``) are rare in any language.

The frequency levels come from the charsets themselves: GB2312, Big5 and Shift-JIS each put
their commonest characters in a first block (GB2312 rows 16-55, Big5 A440-C67E, JIS level 1),
so no frequency table has to ship with mtfix.

>>> cost("中文") < cost("涓枃")
True
>>> cost("café") < cost("caf茅")
True
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

LOST = "\ufffd"


def _is_cjk_ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


@lru_cache(maxsize=65536)
def _ideograph_cost(ch: str) -> float:
    """0 for a character in the frequent block of any of GB2312, Big5, Shift-JIS; 2 for the
    second blocks; 3 for ideographs none of them has."""
    best = 3.0
    try:
        lead = ch.encode("gb2312")[0]
        best = min(best, 0.0 if lead <= 0xD7 else 2.0)
    except UnicodeEncodeError:
        pass
    if best:
        try:
            code = int.from_bytes(ch.encode("big5"), "big")
            best = min(best, 0.0 if 0xA440 <= code <= 0xC67E else 2.0)
        except UnicodeEncodeError:
            pass
    if best:
        try:
            lead = ch.encode("shift_jis")[0]
            best = min(best, 0.0 if 0x88 <= lead <= 0x98 else 2.0)
        except UnicodeEncodeError:
            pass
    return best


@lru_cache(maxsize=65536)
def char_cost(ch: str) -> float:
    """The cost of one character on its own."""
    code = ord(ch)
    if code < 0x80:
        return 0.0 if ch.isprintable() or ch in "\t\r\n" else 5.0
    if ch == LOST:
        return 6.0
    if _is_cjk_ideograph(ch):
        return _ideograph_cost(ch)
    if "\u3040" <= ch <= "\u30ff" or "\u3000" <= ch <= "\u303f" or "\uff01" <= ch <= "\uff60":
        return 0.0  # kana, CJK punctuation, full-width forms
    if "\uff61" <= ch <= "\uff9f":
        return 2.0  # half-width katakana: Shift-JIS mojibake is full of them
    if "\uac00" <= ch <= "\ud7a3":
        return 0.5  # Hangul syllables
    if 0xA0 <= code <= 0xFF:
        if ch.isalpha() and ch not in "ªºµÐðÞþ":
            return 0.0
        return 2.0  # Latin-1 symbols (¤ ¦ ¨ ¯ ´ ¸ × ÷ ...) and rare letters
    if "\u2000" <= ch <= "\u206f" or "\u20a0" <= ch <= "\u20bf":
        return 0.0  # general punctuation, currency
    category = unicodedata.category(ch)
    if category in ("Co", "Cn", "Cs"):
        return 6.0
    if category[0] == "C":
        return 5.0
    if category == "Mn":
        return 3.0  # a combining mark: real in some scripts, a sign of broken bytes in CJK
    if category[0] == "L":
        return 0.5
    return 1.5


@lru_cache(maxsize=65536)
def _kind(ch: str) -> str:
    if not ch:
        return ""
    if ch.isascii():
        return "ascii-letter" if ch.isalpha() else "ascii"
    if _is_cjk_ideograph(ch) or "\u3040" <= ch <= "\u30ff":
        return "cjk"
    if "\u00c0" <= ch <= "\u00ff" and ch.isalpha():
        return "latin1-letter"
    return "other"


def char_costs(text: str, left: str = "", right: str = "") -> list[float]:
    """The cost of each character of ``text``, neighbours counted (``left`` and ``right``
    are the characters around it)."""
    chars = [left, *text, right]
    kinds = [_kind(ch) for ch in chars]
    costs = []
    for index in range(1, len(chars) - 1):
        total = char_cost(chars[index])
        kind = kinds[index]
        if kind in ("cjk", "latin1-letter"):
            for neighbour in (kinds[index - 1], kinds[index + 1]):
                if kind == "cjk" and neighbour in ("ascii-letter", "latin1-letter"):
                    total += 1.5
                elif kind == "latin1-letter" and neighbour in ("cjk", "latin1-letter"):
                    total += 1.5 if neighbour == "cjk" else 0.5
        costs.append(total)
    return costs


@lru_cache(maxsize=65536)
def pair_cost(a: str, b: str) -> float:
    """What ``a`` and ``b`` cost for standing next to each other (both directions)."""
    if not a or not b:
        return 0.0
    total = 0.0
    for this, other in ((_kind(a), _kind(b)), (_kind(b), _kind(a))):
        if this == "cjk" and other in ("ascii-letter", "latin1-letter"):
            total += 1.5
        elif this == "latin1-letter" and other == "cjk":
            total += 1.5
        elif this == "latin1-letter" and other == "latin1-letter":
            total += 0.5
    return total


class _Letters(dict):
    """A ``str.translate`` table that works out each character's letter the first time."""

    def __init__(self, letter_of):
        super().__init__()
        self._letter_of = letter_of

    def __missing__(self, code: int) -> str:
        if len(self) >= 65536:
            self.clear()  # (bounded like the caches above: a text may hold all of Unicode)
        letter = self[code] = self._letter_of(chr(code))
        return letter


# Each character as a letter for its cost, and as a letter for its kind: cost() then counts
# letters, in C, instead of looking up every character and every pair in Python.
_COST_LETTER = {0.0: "a", 0.5: "b", 1.5: "c", 2.0: "d", 3.0: "e", 5.0: "f", 6.0: "g"}
_LETTER_COST = {"b": 0.5, "c": 1.5, "d": 2.0, "e": 3.0, "f": 5.0, "g": 6.0}
_BY_COST = _Letters(lambda ch: _COST_LETTER[char_cost(ch)])
_BY_KIND = _Letters(lambda ch: {"cjk": "C", "ascii-letter": "A", "latin1-letter": "L"}.get(_kind(ch), "."))
_LATIN1_LETTER_RUNS = re.compile("LL*")  # (a literal first: re skips to it at memory speed)


def cost(text: str, left: str = "", right: str = "") -> float:
    """Cost of ``text`` standing between the characters ``left`` and ``right``.

    The sum of :func:`char_cost` over the characters and :func:`pair_cost` over the
    neighbours (``left`` and ``right`` included), counted by letters: every cost is a
    multiple of 0.5, so the sum is exact in any order."""
    if not text:
        return 0.0
    total = pair_cost(left, text[0]) + pair_cost(text[-1], right)
    if text.isascii() and text.isprintable():
        return total  # (every such character and pair costs nothing)
    letters = text.translate(_BY_COST)
    for letter, value in _LETTER_COST.items():
        if letter in letters:
            total += value * letters.count(letter)
    if not text.isascii():
        kinds = text.translate(_BY_KIND)
        if "C" in kinds:
            total += 1.5 * (kinds.count("CA") + kinds.count("AC")) + 3.0 * (kinds.count("CL") + kinds.count("LC"))
        if "LL" in kinds:
            total += kinds.count("L") - len(_LATIN1_LETTER_RUNS.findall(kinds))  # 1.0 a pair
    return total
