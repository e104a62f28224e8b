"""Classes of characters several stages ask about, each defined once.

>>> is_cjk_ideograph("中"), is_cjk_ideograph("の"), is_east_asian_wide("の"), is_east_asian_wide("é")
(True, False, True, False)
>>> is_cjk_or_hangul("한"), is_cjk_or_hangul("A")
(True, False)
"""

from __future__ import annotations


def is_cjk_ideograph(ch: str) -> bool:
    """A Han character (the unified ideographs, extension A, the compatibility block)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def is_east_asian_wide(ch: str) -> bool:
    """CJK punctuation, kana, Han or a full-width form: text written without spaces between
    words, where a removed phrase or a repaired run needs no space put back."""
    return bool(ch) and ("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")


def is_cjk_or_hangul(ch: str) -> bool:
    """A character of a script whose words need no boundary to be found in text (CJK
    radicals to Han, kana included, Hangul syllables, compatibility ideographs)."""
    return "\u2e80" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" or "\uf900" <= ch <= "\ufaff"
