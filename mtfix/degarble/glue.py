"""Glued tokens: words an engine wrote without the space between them.

``MetaSuccess fromOpenAITake`` is ``Meta Success from OpenAI Take``: the engine copied Latin
terms out of Chinese text and glued them to the words around them. A token is cut at its case
changes (and at letter/digit joins) into chunks, chunks that form a known name stay together,
and a join is split only where **both sides are words**: known to wordfreq (English), an
acronym, ``I``/``A``, or a name. Names and brands are never split: wordfreq knows most as one
word (``DeepMind``, ``iPhone``, ``McDonald``, ``WhatsApp``), ``mtfix/data/camel_names.tsv``
lists the rest, glossary names can be passed in, and a capitalised pair the document itself
uses more than once (``NovaCorpSuccess``, ``andNovaCorpHiring``) is taken for a name.

>>> from mtfix.document import apply_edits
>>> text = "MetaSuccess fromOpenAITake three; DeepMindSenior staff use the iPhone"
>>> apply_edits(text, fix_glue(text))
'Meta Success from OpenAI Take three; DeepMind Senior staff use the iPhone'
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from functools import lru_cache
from typing import NamedTuple

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

# The words an engine glues to a name or a number ("fromOpenAI", "by143", "2020and"). A
# token whose first word is another lowercase word is an identifier (autoSetupMerge,
# getElementById, toString is "to" + a common word alone), and letters glued to digits are
# a name (i18n, file1, H100, GPLv3, fail2ban) unless one of these is glued to a number.
FUNCTION_WORDS = frozenset("""from and to be by of in on at for with the is was as or like than into since until
    about after before between during over under while""".split())
_DIGIT_GLUE = re.compile(r"(?:^|(?<=[a-z]))(?:" + "|".join(sorted(FUNCTION_WORDS)) + r")\d\d|\d\d(?:"
                         + "|".join(sorted(FUNCTION_WORDS)) + r"|[A-Z][a-z])"
                         # "by4.9": a function word, then a decimal number, as a whole token
                         + r"|^(?:" + "|".join(sorted(FUNCTION_WORDS)) + r")\d+[.,]\d+$")
# Words of prose that begin no identifier: "thatMeta" is glue where "getElement" is code.
# (Not "when", "where", "even": whenReady, whereClause, evenRows are identifiers.)
PROSE_WORDS = frozenset("""that which who whom whose said says because although though whereas
    but also both either neither their our his her they we""".split())
# Code and names around a token: a word holding these, or starting with an option's dash, is
# never split (branch.autoSetupMerge, --files0-from, ../*.deb, $LANG, a@b, x=Yes).
# (A dot before a capital ends a sentence an engine glued to the next: "money.OpenAI".)
_CODE_MARKS = re.compile(r"[/\\_=@$%{}<>|#~^*]|::|\(\)|[a-z0-9]\.[a-z]")

# Tokens: letters, digits and apostrophes; a dot only inside a number. "money.OpenAITake"
# is two tokens (the spacing stage puts the space after the dot).
_CANDIDATE = re.compile(r"[A-Za-z0-9](?:[\w'’]|(?<=\d)\.(?=\d))*[A-Za-z0-9']|[A-Za-z0-9]")
# A join: lower then upper case, an acronym then a word, letters and digits, "AII'm". It
# starts with the capital or digit (the letter before is a lookbehind), so the expression
# skips the lowercase text between them at C speed: three times faster. One class begins
# every branch: Python's re skips ahead only to a pattern's first literal or class, and
# alternatives that each begin with a class of their own get no skipping at all.
_NEEDS_LOOK = re.compile(r"[A-Z\d](?:(?<=[a-z][A-Z])|(?<=[A-Z])[A-Z][a-z]|(?<=[A-Z])I['’]|(?<=[A-Za-z]\d)|(?<=\d)[A-Za-z])")
_CHUNK = re.compile(
    r"I['’](?:m|ve|ll|d)(?![a-z])"
    r"|[A-Z]+(?=[A-Z][a-z]|I['’](?:m|ve|ll|d)(?![a-z]))"
    r"|[A-Z]?[a-z]+(?:['’][a-z]+)?"
    r"|[A-Z]+"
    r"|\d+(?:[.,]\d+)*"
)


# (Compiled once: these run for every chunk of every glued token.)
_I_CONTRACTION = re.compile(r"I['’](?:m|ve|ll|d)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CAPITALISED = re.compile(r"[A-Z][a-z]+")
_TITLECASE = re.compile(r"[A-Z][a-z]+(?:['’][a-z]+)?")


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


@lru_cache(maxsize=1)
def _camel_names() -> frozenset[str]:
    return frozenset(row[0] for row in read_table("camel_names.tsv"))


def _is_name(text: str, names: Container[str]) -> bool:
    return text in names or text in _camel_names()


def _is_word(text: str, names: Container[str]) -> bool:
    if _is_name(text, names) or text in ("A", "I") or _I_CONTRACTION.fullmatch(text):
        return True
    if text.isupper() and 2 <= len(text) <= 5:
        return True  # an acronym: AI, NBA, AGI, SOTA
    if text.isdigit() or _NUMBER.fullmatch(text):
        return True
    return zipf(text.lower().replace("’", "'")) >= WORD


def _chunks(token: str) -> list[str]:
    chunks = _CHUNK.findall(token)
    if "".join(chunks) != token:
        return []  # something the chunker does not understand (dots, underscores): leave it
    # "AIand": the chunker reads A|Iand; where "iand" is no word and "and" is, it is AI|and.
    for i in range(1, len(chunks)):
        prev, cur = chunks[i - 1], chunks[i]
        if prev.isupper() and _CAPITALISED.fullmatch(cur):
            if zipf(cur[1:]) >= WORD and zipf(cur[1:]) >= zipf(cur.lower()) + 2:
                chunks[i - 1], chunks[i] = prev + cur[0], cur[1:]
    # "OpenAIA": a trailing capital glued to a known name is the word "A" or "I".
    if len(chunks) >= 2 and chunks[-1].isupper() and chunks[-1][-1] in "AI" and len(chunks[-1]) >= 2:
        for k in range(len(chunks) - 1):
            head = "".join(chunks[k:-1]) + chunks[-1][:-1]
            if zipf(head.lower()) >= NAME or head in _camel_names():
                chunks = chunks[:-1] + [chunks[-1][:-1], chunks[-1][-1]]
                break
    return chunks


def _name_then_word(chunks: list[str], names: Container[str]) -> list[str]:
    """"DeepMindpublished" chunks as Deep|Mindpublished; where a name ends inside a chunk and
    a word follows it, cut the chunk there: Deep|Mind|published."""
    for i in range(len(chunks)):
        for j in range(i + 1, len(chunks)):
            head = "".join(chunks[i:j])
            last = chunks[j]
            for cut in range(2, len(last) - 1):
                if _is_name(head + last[:cut], names) and last[cut:].islower() and zipf(last[cut:]) >= WORD:
                    return chunks[:j] + [last[:cut], last[cut:]] + chunks[j + 1 :]
    return chunks


def _group(chunks: list[str], names: Container[str]) -> list[str]:
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
    return bool(_TITLECASE.fullmatch(word))


def _split_here(left: str, right: str, after: str, names: Container[str]) -> bool:
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


def _units_of(token: str) -> tuple[str, ...]:
    """The capitalised chunk pairs and triples of ``token`` that may make a name
    (``NovaCorp`` of ``NovaCorpSuccess``)."""
    chunks = _chunks(token)
    units = []
    for i in range(len(chunks)):
        for j in range(i + 2, min(len(chunks), i + 3) + 1):
            unit = chunks[i:j]
            if all(_titlecase(chunk) and len(chunk) >= 3 and zipf(chunk.lower()) < 5.5 for chunk in unit):
                units.append("".join(unit))
    return tuple(units)


Cut = tuple[int, str, str, bool]  # (where in the token, the group before, the group after, weak)


class TokenFacts(NamedTuple):
    """What the glue repair works out for one token before it knows the document's names."""

    cuts: tuple[Cut, ...]  # where it is split when no names are given (see _cuts)
    asked: frozenset[str]  # every text that cutting looked up among the names
    units: tuple[str, ...]  # its chunk pairs and triples that may make a name


# Facts per token, kept for one reading of a document: a document repeats its tokens
# (OpenAI, WhatsApp, H100).
TokenMemo = dict[str, TokenFacts]


def _facts(token: str, memo: TokenMemo) -> TokenFacts:
    facts = memo.get(token)
    if facts is None:
        asked = _NoNamesAsked()
        facts = memo[token] = TokenFacts(_cuts(token, asked), frozenset(asked.asked), _units_of(token))
    return facts


def _name_units(tokens: Iterable[str], memo: TokenMemo) -> dict[str, int]:
    """How often each capitalised chunk pair or triple (``NovaCorp``) occurs in ``tokens``."""
    counts: dict[str, int] = {}
    for token in tokens:
        for key in _facts(token, memo).units:
            counts[key] = counts.get(key, 0) + 1
    return counts


def recurring_names(tokens: Iterable[str], memo: TokenMemo | None = None) -> set[str]:
    """Capitalised chunk pairs and triples (``NovaCorp``) the document uses more than once,
    glued or not (``NovaCorpSuccess``, ``andNovaCorpHiring``, ``NovaCorp``): a name, which the
    engine glued to whatever came next. A pair glued by accident does not recur, except with
    a very common word in it (``MetaThe``), which no name has."""
    return {unit for unit, count in _name_units(tokens, {} if memo is None else memo).items() if count >= 2}


def fix_glue(text: str, names: Iterable[str] = ()) -> list[Edit]:
    """Edits that put back the spaces between glued words; ``names`` are never split."""
    memo: TokenMemo = {}
    guard = Guard(text)
    candidates = _candidates(text)
    protected = frozenset(names) | recurring_names((m.group() for m in candidates), memo)
    edits: list[Edit] = []
    weak: list[Edit] = []
    for match in candidates:
        token = match.group()
        if _code_like(text, match.start(), match.end(), token, protected):
            continue
        cuts, asked, _ = _facts(token, memo)
        # Where the document's names hold none of the texts the cutting looked up, they
        # change none of its answers, so its cuts stand: a token costs a set test instead
        # of its whole analysis.
        if not asked.isdisjoint(protected):
            cuts = _cuts(token, protected)
        if not cuts or guard.touches(*match.span()):
            continue
        for at, left, right, is_weak in cuts:
            position = match.start() + at
            edit = Edit(position, position, " ", "glue", f"glued words: '{left}' and '{right}' are words on their own", "")
            (weak if is_weak else edits).append(edit)
    # Two capitalised words glued (VisionLab, MetaSuccess) are a brand or glue; only a
    # document that shows glue elsewhere (fromOpenAI, by143, AIThe) has them split.
    return sorted(edits + weak, key=lambda e: e.raw_start) if edits else []


_WORD_AROUND = re.compile(r"\S*")


def _runs(chunks: list[str]):
    """Every run of consecutive chunks (a name may be several: Sig|LIP)."""
    for i in range(len(chunks)):
        for j in range(i + 1, len(chunks) + 1):
            yield chunks[i:j]


# After a lowercase word, what only glue has: a capitalised chunk after an acronym
# ("multimodelsAIThey're", "scalableAIModel"); "innerHTML" ends with its acronym.
_ACRONYM_THEN_WORD = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z]|I['’])")


def _code_like(text: str, start: int, end: int, token: str, names: Container[str] = ()) -> bool:
    """Is the token part of code or of a name an author wrote so: an option, a path, a key,
    an identifier, letters and digits (see FUNCTION_WORDS and _CODE_MARKS)? A lowercase
    word with capitals after it is an identifier (autoSetupMerge, getElementById, macOS),
    unless what follows it is a known name or an acronym glued to a word: glue."""
    if any(ch.isdigit() for ch in token) and not _DIGIT_GLUE.search(token):
        return True
    head = _CHUNK.match(token)
    if (head and head.group().islower() and head.group() not in FUNCTION_WORDS and head.group() not in PROSE_WORDS
            and not head.group().isdigit()):
        rest = token[head.end():]
        if not (_ACRONYM_THEN_WORD.search(rest)
                or any(_is_name("".join(chunks), names) for chunks in _runs(_CHUNK.findall(rest)))):
            return True
    word_start = start
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    # (A per cent sign ends a number in prose: "by4.9%".)
    word = text[word_start : _WORD_AROUND.match(text, end).end()].rstrip(".,;:!?)]}\"'”’%")
    return word.startswith("-") or bool(_CODE_MARKS.search(word))


def _cuts(token: str, names: Container[str]) -> tuple[Cut, ...]:
    """Where ``token`` is split, with ``names`` never split: each cut with the groups on
    either side and whether it is weak (two plain capitalised words: see fix_glue)."""
    if _is_name(token, names):
        return ()
    if "_" in token:
        return ()  # snake_case identifiers
    groups = _group(_name_then_word(_chunks(token), names), names)
    cuts = []
    position = 0
    for index, (left, right) in enumerate(zip(groups, groups[1:])):
        position += len(left)
        after = groups[index + 2] if index + 2 < len(groups) else ""
        if _only_two_words(left, right, names) and right in BRAND_ENDINGS:
            continue
        if _split_here(left, right, after, names):
            cuts.append((position, left, right, _only_two_words(left, right, names)))
    return tuple(cuts)


class _NoNamesAsked:
    """No names, remembering which texts were looked up in them."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __contains__(self, text: object) -> bool:
        self.asked.add(text)  # type: ignore[arg-type]
        return False


def _candidates(text: str) -> list[re.Match]:
    """The tokens of ``text`` that hold a join: from each join back to where its run of
    word characters begins (joins are rare; words are not), then the token that spans it."""
    candidates, last_end = [], -1
    for hit in _NEEDS_LOOK.finditer(text):
        at = hit.start()
        if at < last_end:
            continue
        start = at
        while start > max(0, at - 64) and (text[start - 1].isalnum() or text[start - 1] in "_'’."):
            start -= 1
        for token in _CANDIDATE.finditer(text, start):
            if token.start() > at:
                break
            if token.end() > at:
                candidates.append(token)
                last_end = token.end()
                break
    return candidates


# Words that end company and lab names (VisionLab, NovaCorp, SoftBank): a capitalised word
# glued before one of them is taken for a name, not split.
BRAND_ENDINGS = {"Lab", "Labs", "Corp", "Inc", "Mind", "Bank", "Soft", "Tech", "Net", "Hub", "Point",
                 "Box", "Base", "Works", "Ware", "Force", "Flow", "Cloud", "Pay", "Time", "Book", "Space"}


def _only_two_words(left: str, right: str, names: Container[str]) -> bool:
    """A join a brand name also has: two plain capitalised words (VisionLab), a word and an
    acronym (CoreNLP, GnuPG, RapidOCR), an acronym and a word that is no very common one
    (RAGFlow), a word and one capital (MinerU); no known name on either side."""
    if _is_name(left, names) or _is_name(right, names) or _I_CONTRACTION.fullmatch(left) or _I_CONTRACTION.fullmatch(right):
        return False
    if _titlecase(left) and (_titlecase(right) or (right.isupper() and right.isalpha())):
        return True
    return left.isupper() and left.isalpha() and _titlecase(right) and zipf(right.lower()) < 5.5
