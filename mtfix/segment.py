"""Sentences: the units of translation, found inside the blocks a format reader returns.

``segment_layout(layout, text) -> list[Sentence]``: each block's text as the model sees it
(:func:`mtfix.formats.layout.model_text`) is cut at the runs that end a sentence (a hard
line break, an image with its own alt text), then into sentences by :func:`split_sentences`:
pySBD's rules for the block's language where pySBD has them, else mtfix's own
(:func:`rule_sentences`): CJK rules (``。！？；…`` end a sentence, with or without a space
after) and Latin rules (``.!?`` followed by a space and a capital, except after known
abbreviations and initials; decimals, URLs and e-mails contain no space and never split).
Each sentence knows its span in the model text and in the document: the markup at its edges
(an opening ``**`` before its first word, a closing ``</a>`` after its last) belongs to it,
so a sentence's span covers what a reviewer sees of it. A sentence too long for the model is
cut at its clauses (:func:`split_for_model`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from mtfix.formats.layout import Block, Layout, ModelText, model_text

# Lower-cased abbreviations that end with a period but rarely end a sentence.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt vs etc e.g i.e cf al inc ltd co corp dept est fig figs no nos
    vol vols pp approx jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n a.m p.m ph.d
    gen gov sen rep rev lt col capt sgt jl dll dkk tsb hlm""".split()
)



@dataclass(frozen=True)
class Sentence:
    block: int  # index of its block in the layout
    model_start: int  # span in the block's model text
    model_end: int
    start: int  # span in the document text
    end: int
    kind: str  # the block's kind, or "nonword" for a piece without a letter


CJK_TERMINAL = "。！？；…"
CLOSERS = "”’」』）)》〉】\"'"
SENTENCE_END = re.compile(
    r"""
    (?P<cjk>[。！？；]+|…+|\.{3,})[%s]*                  # CJK terminal: no space needed
  | (?P<ascii_cjk>[!?]+)[%s]*(?=[\u3000-\u9fff\uac00-\ud7af])   # ASCII !? before CJK text
  | (?<![`'"‘“(\[\s])(?P<latin>[.!?]+)[%s]*(?=\s+[\"'“‘(\[]?[A-Z0-9\u00c0-\u024f\u0370-\u04ff\u3000-\u9fff\uac00-\ud7af])
    """
    % (re.escape(CLOSERS), re.escape(CLOSERS), re.escape(CLOSERS)),
    re.VERBOSE,
)
WORD_BEFORE = re.compile(r"([\w.]+)$")


def has_words(text: str) -> bool:
    """True when ``text`` has at least one letter: only such text is sent to a model."""
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def _is_abbreviation(text: str, dot: int) -> bool:
    """Is the period at ``text[dot]`` part of an abbreviation or an initial?"""
    match = WORD_BEFORE.search(text, 0, dot)
    if not match:
        return False
    word = match.group(1).rstrip(".")
    if not word:
        return False
    if len(word) == 1 and word.isupper():  # an initial: "J. R. R. Tolkien"
        return True
    return word.lower() in ABBREVIATIONS or word.lower().split(".")[-1] in ABBREVIATIONS and "." in word


# The languages pySBD has rules for. On its golden rules (benchmarks/sentences.py) it splits
# 282 of 284 paragraphs exactly where mtfix's own rules split 158. It costs about 0.4 ms a
# call (reading the 54 published documents takes 2.4 s instead of 1.0 s), so English, which
# is never translated, keeps mtfix's own rules: a 50 MB English file would take minutes.
PYSBD_LANGUAGES = frozenset("am ar bg da de el es fa fr hi hy it ja kk mr my nl pl ru sk ur zh".split())


def split_sentences(text: str, lang: str = "") -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (whitespace at the edges excluded), by pySBD's rules for
    ``lang`` where it has them (:data:`PYSBD_LANGUAGES`), else by mtfix's own
    (:func:`rule_sentences`)."""
    if lang in PYSBD_LANGUAGES and text.strip():
        spans = _pysbd_sentences(text, lang)
        if spans is not None:
            return spans
    return rule_sentences(text)


@functools.lru_cache(maxsize=None)
def _pysbd(lang: str):
    import pysbd

    return pysbd.Segmenter(language=lang, clean=False)


def _pysbd_sentences(text: str, lang: str) -> list[tuple[int, int]] | None:
    """pySBD's sentences of ``text`` as spans, found in it in order; None where one is not
    there verbatim (its rules rewrite text internally and put it back: never trusted to)."""
    spans, cursor = [], 0
    # (Its processor alone: Segmenter.segment also finds each sentence's offsets by searching
    # the whole text for it, which is quadratic in the sentences of a long block.)
    for sentence in _pysbd(lang).processor(text).process():
        sentence = sentence.strip()
        if not sentence:
            continue
        at = text.find(sentence, cursor)
        if at < 0 or text[cursor:at].strip():
            return None
        spans.append((at, at + len(sentence)))
        cursor = at + len(sentence)
    if text[cursor:].strip():
        return None
    return spans


def rule_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` by mtfix's own rules (whitespace at the edges excluded).

    >>> s = "成立仅两个月，MSL已痛失三位大脑。最新爆料称，两位员工回流到OpenAI。"
    >>> [s[a:b] for a, b in rule_sentences(s)]
    ['成立仅两个月，MSL已痛失三位大脑。', '最新爆料称，两位员工回流到OpenAI。']
    >>> s = "Dr. Smith paid $1.25 billion. See https://x.org/a.b for more."
    >>> [s[a:b] for a, b in rule_sentences(s)]
    ['Dr. Smith paid $1.25 billion.', 'See https://x.org/a.b for more.']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        if match.group("latin") and match.group("latin").endswith(".") and len(match.group("latin")) == 1:
            if _is_abbreviation(text, match.start("latin")):
                continue
        end = match.end()
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    result = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            result.append((a, b))
    return result



def _cuts(block: Block, model: ModelText) -> list[int]:
    """Model positions where a sentence must end: boundary runs."""
    return sorted({model.starts[index] for index, run in enumerate(block.runs) if run.boundary})


def _source_span(block: Block, model: ModelText, start: int, end: int, taken: int) -> tuple[int, int, int]:
    """The document span of the model span ``start``–``end``, with the markup at its edges
    (opening markup before it from index ``taken`` on, closing markup after it), and the
    index of its last run."""
    runs = block.runs
    first = model.run_at_start(start)
    while first > taken and model.ends[first - 1] == start and runs[first - 1].role in ("open", "void") \
            and model.starts[first - 1] == model.ends[first - 1] and not runs[first - 1].boundary:
        first -= 1
    last = model.run_at_end(end)
    while last + 1 < len(runs) and model.starts[last + 1] == end and model.ends[last + 1] == end \
            and runs[last + 1].role == "close":
        last += 1
    # Inside a run that shows its source as it is, to the character.
    source_start = runs[first].start
    if model.verbatim[first] and model.starts[first] < start:
        source_start += start - model.starts[first]
    source_end = runs[last].end
    if model.verbatim[last] and end < model.ends[last]:
        source_end = runs[last].start + end - model.starts[last]
    return source_start, source_end, last


def model_position(block: Block, model: ModelText, offset: int) -> int:
    """Where document ``offset`` (inside the block) stands in the block's model text."""
    for index, run in enumerate(block.runs):
        if run.start <= offset < run.end:
            if model.verbatim[index]:
                return model.starts[index] + offset - run.start
            return model.starts[index]
    return model.ends[-1] if offset >= block.end else 0


def segment_block(block: Block, text: str, number: int, cuts: list[int] = (),
                  lang_of: Callable[[str], str] | None = None) -> list[Sentence]:
    """The sentences of ``block``; ``cuts``: document offsets inside it where a sentence
    must end (where a stretch of garbage begins or ends: it is a segment of its own);
    ``lang_of``: the language of a text, to split the block by that language's rules."""
    model = model_text(block, text)
    shown = model.text
    lang = lang_of(shown) if lang_of is not None else ""
    inner = [model_position(block, model, cut) for cut in cuts if block.start < cut < block.end]
    bounds = sorted({0, *_cuts(block, model), *inner, len(shown)})
    sentences: list[Sentence] = []
    taken = -1  # the last run a sentence took
    for piece_start, piece_end in zip(bounds, bounds[1:]):
        for a, b in split_sentences(shown[piece_start:piece_end], lang):
            a, b = piece_start + a, piece_start + b
            start, end, taken = _source_span(block, model, a, b, taken + 1 if taken >= 0 else 0)
            kind = block.kind if has_words(shown[a:b]) else "nonword"
            sentences.append(Sentence(number, a, b, start, end, kind))
    return sentences


def segment_layout(layout: Layout, text: str, cuts: list[int] = (),
                   lang_of: Callable[[str], str] | None = None) -> list[Sentence]:
    """Every sentence of every block, in document order (``cuts``, ``lang_of``: see
    :func:`segment_block`)."""
    cuts = sorted(cuts)
    found = []
    for number, block in enumerate(layout.blocks):
        from bisect import bisect_left, bisect_right

        inside = cuts[bisect_right(cuts, block.start) : bisect_left(cuts, block.end)]
        found.extend(segment_block(block, text, number, inside, lang_of))
    found.sort(key=lambda sentence: (sentence.start, sentence.end))
    return found


# Where a long sentence may be cut, strongest boundary first.
CLAUSE_BOUNDARIES = [
    re.compile(r"(?<=[。！？；!?;])"),
    re.compile(r"(?<=[，,、：:）)——])"),
    re.compile(r"(?<=\s)"),
]


def split_for_model(text: str, count: Callable[[str], int], limit: int) -> list[str]:
    """Pieces of ``text`` each within ``limit`` tokens, cut at the strongest boundary that
    works; ``"".join(pieces) == text``."""
    if count(text) <= limit:
        return [text]
    for boundary in CLAUSE_BOUNDARIES:
        units = [unit for unit in boundary.split(text) if unit]
        if len(units) < 2:
            continue
        pieces: list[str] = []
        current = ""
        for unit in units:
            if current and count(current + unit) > limit:
                pieces.append(current)
                current = unit
            else:
                current += unit
        if current:
            pieces.append(current)
        if len(pieces) > 1:
            # A piece can still be too long (one huge clause): split it further.
            return [part for piece in pieces for part in split_for_model(piece, count, limit)]
    # No boundary at all (a 200,000-character line of CJK, say): cut by characters.
    middle = len(text) // 2
    return split_for_model(text[:middle], count, limit) + split_for_model(text[middle:], count, limit)
