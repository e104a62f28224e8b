"""Protected spans: what must come out of translation exactly as it went in.

A glossary covers the names someone listed; most names in a Chinese article are not listed.
Engines mangle exactly these, along with URLs and figures, so mtfix finds them and enforces
them with the glossary's mechanism (:mod:`mtfix.engines.constraints`):

- ``latin``: a run of Latin script inside a CJK sentence (``Rishabh Agarwal``, ``GPT-4o``,
  ``Llama 4``), delivered verbatim;
- ``url``, ``email``, ``handle`` (``@name``), ``hashtag``, ``code`` (inline code), in any
  sentence, verbatim;
- ``number``: a digit sequence, verbatim (``1.436`` stays ``1.436``), with its currency sign;
- ``magnitude``: a number with a CJK magnitude (``14.3亿``, ``1万``), converted by rule
  (``1.43 billion``, ``10,000``) and marked so review can check the conversion;
- ``percent`` (``49%``, ``60％`` → ``60%``, ``5‰``, ``3个百分点`` → ``3 percentage points``),
  ``range`` (``3-5``, ``3～5`` → ``3-5``), ``datetime`` (``2025-08-01 09:30``, ``09:30``),
  ``date`` (``2025年8月1日`` → ``August 1, 2025``), ``version`` (``v2.1.0``, ``4.3.11``):
  whole, never a number cut out of them.

A glossary term overlapping a span wins (its canonical form is used).

>>> [(s.kind, s.target) for s in find_protected("MSL研究员Rishabh Agarwal拿到1亿薪酬，见https://x.ai", "zh")]
[('latin', 'MSL'), ('latin', 'Rishabh Agarwal'), ('magnitude', '100 million'), ('url', 'https://x.ai')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from mtfix.charclass import is_cjk_or_hangul

CJK_LANGUAGES = {"zh", "ja", "ko", "yue", "wuu"}


@dataclass(frozen=True)
class ProtectedSpan:
    start: int
    end: int
    kind: str
    target: str  # what the English must contain


_URL = r"(?<![A-Za-z0-9])(?:https?|ftp)://[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]*[A-Za-z0-9\-_~/#=%&+]"
_EMAIL = r"[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_HANDLE = r"(?<![A-Za-z0-9_@.])@[A-Za-z0-9_]{2,30}(?![A-Za-z0-9_])"
_HASHTAG = r"(?<![A-Za-z0-9_#&])#[A-Za-z][A-Za-z0-9_]{1,40}(?![A-Za-z0-9_])"
_CODE = r"`[^`\n]+`"
_ALWAYS = re.compile(
    rf"(?P<url>{_URL})|(?P<email>{_EMAIL})|(?P<code>{_CODE})|(?P<handle>{_HANDLE})|(?P<hashtag>{_HASHTAG})"
)

# A Latin-script run: words of letters and digits joined by spaces, hyphens, dots, & or +.
_LATIN_RUN = re.compile(
    r"[A-Za-z\u00c0-\u024f](?:[A-Za-z0-9\u00c0-\u024f]|[-.&+'’](?=[A-Za-z0-9])|(?<=[A-Za-z0-9.]) (?=[A-Za-z0-9]))*"
)
# A number with an optional currency sign; magnitudes after it in CJK text.
_NUMBER = re.compile(r"(?:(?P<currency>[$€£¥￥])\s?)?(?P<number>\d+(?:[.,]\d+)*)(?P<magnitude>万亿|万|亿|兆(?!瓦|字节|赫|比特|位|帕))?")
_MAGNITUDES = {"万": 10**4, "亿": 10**8, "万亿": 10**12, "兆": 10**12}
_SCALES = [(10**12, "trillion"), (10**9, "billion"), (10**6, "million")]


def magnitude_in_english(number: str, magnitude: str) -> str:
    """``14.3``, ``亿`` → ``1.43 billion``; ``1``, ``万`` → ``10,000``; ``800``, ``万`` →
    ``8 million``. Commas in the number are thousands separators (``1,200万``).

    >>> [magnitude_in_english(n, m) for n, m in [("14.3", "亿"), ("1", "万"), ("800", "万"), ("2.5", "万亿")]]
    ['1.43 billion', '10,000', '8 million', '2.5 trillion']
    """
    value = Decimal(number.replace(",", "")) * _MAGNITUDES[magnitude]
    for scale, word in _SCALES:
        if value >= scale:
            return f"{_plain(value / scale)} {word}"
    return f"{int(value):,}" if value == value.to_integral_value() else f"{_plain(value)}"


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# Figures that are more than a number, each taken whole (before the numbers are).
_FIGURES = re.compile(
    r"(?P<datetime>(?<![\d.])\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?(?![\d.])"
    r"|(?<![\d:.])\d{1,2}:\d{2}(?::\d{2})?(?![\d:]))"
    r"|(?P<version>(?<![\w.])v\d+(?:\.\d+)+(?:-[A-Za-z0-9.]+)?(?![\w.])|(?<![\w.])\d+(?:\.\d+){2,}(?![\w.]))"
    r"|(?P<points>(?<![\d.])\d+(?:\.\d+)?)个百分点"
    r"|(?P<percent>(?<![\d.])\d+(?:[.,]\d+)*)\s?(?P<sign>[%％‰])"
    r"|(?P<range>(?<![\d.])(?P<low>\d+(?:\.\d+)?)\s?[-–～~]\s?(?P<high>\d+(?:\.\d+)?)(?![\d.]))"
)
_CJK_DATE = re.compile(r"(?:(?P<year>\d{4})年)?(?P<month>1[0-2]|0?[1-9])月(?:(?P<day>3[01]|[12]\d|0?[1-9])[日号])?")
_MONTHS = "January February March April May June July August September October November December".split()


def _figure(m: re.Match) -> tuple[str, str]:
    """(kind, English) for a match of ``_FIGURES``."""
    if m.group("datetime"):
        return "datetime", m.group("datetime")
    if m.group("version"):
        return "version", m.group("version")
    if m.group("points"):
        return "percent", f"{m.group('points')} percentage points"
    if m.group("percent"):
        return "percent", m.group("percent") + ("‰" if m.group("sign") == "‰" else "%")
    return "range", f"{m.group('low')}-{m.group('high')}"


def _date_in_english(m: re.Match) -> str:
    month = _MONTHS[int(m.group("month")) - 1]
    day, year = m.group("day"), m.group("year")
    if day and year:
        return f"{month} {int(day)}, {year}"
    if day:
        return f"{month} {int(day)}"
    return f"{month} {year}" if year else month


def find_protected(text: str, lang: str | None = None) -> list[ProtectedSpan]:
    """The protected spans of one source sentence, sorted, never overlapping."""
    spans: list[ProtectedSpan] = []
    for m in _ALWAYS.finditer(text):
        spans.append(ProtectedSpan(m.start(), m.end(), m.lastgroup, m.group()))

    def free(start: int, end: int) -> bool:
        return not any(s.start < end and start < s.end for s in spans)

    cjk_sentence = lang in CJK_LANGUAGES or any(is_cjk_or_hangul(ch) for ch in text)
    if cjk_sentence:
        for m in _LATIN_RUN.finditer(text):
            run = m.group().rstrip(" .-")
            if run and free(m.start(), m.start() + len(run)):
                spans.append(ProtectedSpan(m.start(), m.start() + len(run), "latin", run))
    for m in _FIGURES.finditer(text):
        if free(m.start(), m.end()) and not (m.start() > 0 and text[m.start() - 1].isalpha() and not is_cjk_or_hangul(text[m.start() - 1])):
            kind, english = _figure(m)
            spans.append(ProtectedSpan(m.start(), m.end(), kind, english))
    if cjk_sentence:
        for m in _CJK_DATE.finditer(text):
            if free(m.start(), m.end()) and (m.group("day") or m.group("year")):
                spans.append(ProtectedSpan(m.start(), m.end(), "date", _date_in_english(m)))
    for m in _NUMBER.finditer(text):
        start, end = m.start(), m.end()
        if not free(start, end):
            continue
        if start > 0 and (text[start - 1].isalpha() and not is_cjk_or_hangul(text[start - 1])):
            continue  # part of a word ("GPT4", "H100" outside CJK runs)
        number, currency, magnitude = m.group("number"), m.group("currency") or "", m.group("magnitude")
        if magnitude and cjk_sentence:
            try:
                english = magnitude_in_english(number, magnitude)
            except (InvalidOperation, ValueError):
                english = None
            if english:
                spans.append(ProtectedSpan(start, end, "magnitude", currency + english))
                continue
        number_end = m.end("number")
        spans.append(ProtectedSpan(start, number_end, "number", (currency + number) if currency and text[m.start("number") - 1] == currency else number))
    return sorted(spans, key=lambda s: s.start)
