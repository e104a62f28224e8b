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

import unicodedata
from functools import lru_cache

from mtfix.charclass import is_cjk_ideograph

LOST = "\ufffd"


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
    if is_cjk_ideograph(ch):
        return _ideograph_cost(ch)
    if "\u3040" <= ch <= "\u30ff" or "\u3000" <= ch <= "\u303f" or "\uff01" <= ch <= "\uff60":
        return 0.0  # kana, CJK punctuation, full-width forms
    if "\uff61" <= ch <= "\uff9f":
        # Half-width katakana: ordinary in a run of their own (ﾃｨﾛ･ﾌｨﾅｰﾚ), suspicious next
        # to an ideograph, as UTF-8 read as Shift-JIS leaves them (繧ｭ繝ｼ): see pair_cost.
        return 0.5
    if "\uac00" <= ch <= "\ud7a3":
        return 0.5  # Hangul syllables
    if 0xA0 <= code <= 0xFF:
        if ch.isalpha() and ch not in "ªºµÐðÞþ":
            return 0.0
        if ch in "«»¿¡§°":
            return 0.5  # punctuation of French, German, Russian, Spanish; ordinary in clean text
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
    if is_cjk_ideograph(ch) or "\u3040" <= ch <= "\u30ff":
        return "cjk"
    if "\u00c0" <= ch <= "\u00ff" and ch.isalpha():
        return "latin1-letter"
    if "\uff61" <= ch <= "\uff9f":
        return "half-width"
    if "\u0590" <= ch <= "\u08ff":
        return "rtl"  # Hebrew and Arabic: never glued to Latin or CJK letters in real text
    return "other"


# What two kinds of character cost for standing side by side (in either order).
_PAIR_COSTS = {
    frozenset({"cjk", "ascii-letter"}): 1.5, frozenset({"cjk", "latin1-letter"}): 3.0,
    frozenset({"latin1-letter"}): 1.0, frozenset({"half-width", "cjk"}): 3.0,
    frozenset({"rtl", "ascii-letter"}): 4.0, frozenset({"rtl", "latin1-letter"}): 4.0, frozenset({"rtl", "cjk"}): 4.0,
}


def char_costs(text: str, left: str = "", right: str = "") -> list[float]:
    """The cost of each character of ``text``, neighbours counted (``left`` and ``right``
    are the characters around it): each character carries half of each pair it is in."""
    chars = [left, *text, right]
    costs = []
    for index in range(1, len(chars) - 1):
        total = char_cost(chars[index])
        total += (pair_cost(chars[index - 1], chars[index]) + pair_cost(chars[index], chars[index + 1])) / 2
        costs.append(total)
    return costs


@lru_cache(maxsize=65536)
def pair_cost(a: str, b: str) -> float:
    """What ``a`` and ``b`` cost for standing next to each other."""
    if not a or not b:
        return 0.0
    return _PAIR_COSTS.get(frozenset({_kind(a), _kind(b)}), 0.0)


def cost(text: str, left: str = "", right: str = "") -> float:
    """Cost of ``text`` standing between the characters ``left`` and ``right``: the sum of
    :func:`char_cost` over the characters and :func:`pair_cost` over the neighbours
    (``left`` and ``right`` included)."""
    if not text:
        return 0.0
    total = pair_cost(left, text[0]) + pair_cost(text[-1], right)
    if text.isascii() and text.isprintable():
        return total  # (every such character and pair costs nothing)
    return total + sum(map(char_cost, text)) + sum(map(pair_cost, text, text[1:]))
