"""Glued tokens: words an engine wrote without the space between them.

``MetaSuccess fromOpenAITake`` is ``Meta Success from OpenAI Take``: the engine copied Latin
terms out of Chinese text and glued them to the words around them. A token is cut at its case
changes (and at letter/digit joins) into chunks, chunks that form a known name stay together,
and a join is split only where **both sides are words**: known to wordfreq (English), an
acronym, ``I``/``A``, or a name. Names and brands are never split: wordfreq knows most as one
word (``DeepMind``, ``iPhone``, ``McDonald``, ``WhatsApp``), ``mtfix/data/camel_names.tsv``
lists the rest, and glossary names can be passed in.

>>> from mtfix.document import apply_edits
>>> text = "MetaSuccess fromOpenAITake three; DeepMindSenior staff use the iPhone"
>>> apply_edits(text, fix_glue(text))
'Meta Success from OpenAI Take three; DeepMind Senior staff use the iPhone'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from mtfix.data import read_table
from mtfix.degarble.spans import Guard
from mtfix.document import Edit

# A word is known to wordfreq at this Zipf frequency (3 = once per million words).
WORD = 3.0
# A multi-chunk token is one known name at this frequency (deepmind 2.2, openai 1.6).
NAME = 1.5
# Lowercase words this short glued to digits ("as4.9") are split only when very common.
SHORT_WORD_BEFORE_DIGITS = 5.5
UNITS = {"km", "kg", "mg", "mm", "cm", "ml", "mb", "gb", "tb", "kb", "mhz", "ghz", "hz", "px",
         "pt", "am", "pm", "th", "st", "nd", "rd", "min", "sec", "ms", "mph", "kw", "kwh", "mw",
         "bps", "kbps", "mbps", "gbps", "fps", "dpi", "ppi", "x", "k", "m", "b", "bn", "mn", "yo"}

# Tokens: letters, digits and apostrophes; a dot only inside a number. "money.OpenAITake"
# is two tokens (the spacing stage puts the space after the dot).
_CANDIDATE = re.compile(r"[A-Za-z0-9](?:[\w'’]|(?<=\d)\.(?=\d))*[A-Za-z0-9']|[A-Za-z0-9]")
_NEEDS_LOOK = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]|[A-Za-z]\d|\d[A-Za-z]|[A-Z]I['’]")
_CHUNK = re.compile(
    r"I['’](?:m|ve|ll|d)(?![a-z])"
    r"|[A-Z]+(?=[A-Z][a-z]|I['’](?:m|ve|ll|d)(?![a-z]))"
    r"|[A-Z]?[a-z]+(?:['’][a-z]+)?"
    r"|[A-Z]+"
    r"|\d+(?:[.,]\d+)*"
)


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


@lru_cache(maxsize=1)
def _camel_names() -> frozenset[str]:
    return frozenset(row[0] for row in read_table("camel_names.tsv"))


def _is_name(text: str, names: frozenset[str]) -> bool:
    return text in names or text in _camel_names()


def _is_word(text: str, names: frozenset[str]) -> bool:
    if _is_name(text, names) or text in ("A", "I") or re.fullmatch(r"I['’](?:m|ve|ll|d)", text):
        return True
    if text.isupper() and 2 <= len(text) <= 5:
        return True  # an acronym: AI, NBA, AGI, SOTA
    if text.isdigit() or re.fullmatch(r"\d+(?:[.,]\d+)*", text):
        return True
    return zipf(text.lower().replace("’", "'")) >= WORD


def _chunks(token: str) -> list[str]:
    chunks = _CHUNK.findall(token)
    if "".join(chunks) != token:
        return []  # something the chunker does not understand (dots, underscores): leave it
    # "AIand": the chunker reads A|Iand; where "iand" is no word and "and" is, it is AI|and.
    for i in range(1, len(chunks)):
        prev, cur = chunks[i - 1], chunks[i]
        if prev.isupper() and re.fullmatch(r"[A-Z][a-z]+", cur):
            if zipf(cur.lower()) < 2 and zipf(cur[1:]) >= WORD + 1:
                chunks[i - 1], chunks[i] = prev + cur[0], cur[1:]
    # "OpenAIA": a trailing capital glued to a known name is the word "A" or "I".
    if len(chunks) >= 2 and chunks[-1].isupper() and chunks[-1][-1] in "AI" and len(chunks[-1]) >= 2:
        for k in range(len(chunks) - 1):
            head = "".join(chunks[k:-1]) + chunks[-1][:-1]
            if zipf(head.lower()) >= NAME or head in _camel_names():
                chunks = chunks[:-1] + [chunks[-1][:-1], chunks[-1][-1]]
                break
    return chunks


def _group(chunks: list[str], names: frozenset[str]) -> list[str]:
    """Join chunks that make one known name: the longest first."""
    groups, i = [], 0
    while i < len(chunks):
        for j in range(len(chunks), i + 1, -1):
            joined = "".join(chunks[i:j])
            if any(c.isdigit() for c in joined):
                continue
            if _is_name(joined, names) or zipf(joined.lower()) >= NAME:
                groups.append(joined)
                i = j
                break
        else:
            groups.append(chunks[i])
            i += 1
    return groups


def _titlecase(word: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][a-z]+(?:['’][a-z]+)?", word))


def _split_here(left: str, right: str, after: str, names: frozenset[str]) -> bool:
    """Whether to split between the groups ``left`` and ``right`` (``after`` follows them)."""
    if left[-1].isdigit() or right[0].isdigit():
        if left[-1].isdigit() and right[0].isdigit():
            return False
        if right[0].isdigit():  # "by143", "from2024", "Including2019"
            word = left
            if not word.isalpha() or word.lower() in UNITS:
                return False
            if _titlecase(word):
                return len(word) >= 4 and zipf(word.lower()) >= WORD + 1
            if not word.islower():
                return False
            return zipf(word) >= (SHORT_WORD_BEFORE_DIGITS if len(word) <= 2 else WORD + 1)
        word = right  # "2024He's", "4Reverse", "2020and"
        if word.lower() in UNITS or len(word) < 2:
            return False
        if word.islower():
            return zipf(word) >= WORD + 1.5
        return word[0].isupper() and (word[1:].islower() or "'" in word or "’" in word) and _is_word(word, names)
    if left.islower() and right.isupper() and not _is_name(right, names):
        # "scalableAIModel" is glue, "innerHTML" is a name: an acronym after a lowercase
        # word counts only with a capitalised word after it.
        return len(left) >= 3 and _titlecase(after)
    if _is_word(left, names) and _is_word(right, names):
        return True
    if _is_name(left, names) and _titlecase(right) and len(right) >= 3:
        return True  # "OpenAIIlya": a name, then a capitalised word it does not know
    if _titlecase(left) and len(left) >= 3 and _titlecase(right) and zipf(right.lower()) >= 5.5:
        return True  # "AnthropicThe": an unknown name, then a very common word
    if left.islower() and len(left) >= 2 and zipf(left) >= WORD + 1 and _titlecase(right) and len(right) >= 3:
        return True  # "andAnthropic": a common word, then a capitalised name it does not know
    return False


def fix_glue(text: str, names: Iterable[str] = ()) -> list[Edit]:
    """Edits that put back the spaces between glued words; ``names`` are never split."""
    protected = frozenset(names)
    guard = Guard(text)
    edits: list[Edit] = []
    for match in _CANDIDATE.finditer(text):
        token = match.group()
        if not _NEEDS_LOOK.search(token) or _is_name(token, protected):
            continue
        if "_" in token:
            continue  # snake_case identifiers
        if guard.touches(*match.span()):
            continue
        groups = _group(_chunks(token), protected)
        if len(groups) < 2:
            continue
        position = match.start()
        for index, (left, right) in enumerate(zip(groups, groups[1:])):
            position += len(left)
            after = groups[index + 2] if index + 2 < len(groups) else ""
            if _split_here(left, right, after, protected):
                edits.append(Edit(position, position, " ", "glue",
                                  f"glued words: '{left}' and '{right}' are words on their own", ""))
    return edits
