"""Putting a block's inline markup back into its English.

The model saw the block's prose without markup (:func:`mtfix.formats.layout.model_text`).
Each markup run goes back where the English corresponds to its place in the source:

- an ``open``/``close`` pair wraps the English words aligned to the source words it wrapped;
- a ``void`` stands after the English aligned to the source just before it;
- a ``code`` run replaces its placeholder in the English (the decoding is made to write it);
  where it is missing, it stands where a void would.

Correspondence, strongest first: exact, where a sentence came back as it was sent (an English
sentence, the identity engine); the word links of the translation (cross-attention: the
same links the review page shows); else in proportion to the position in the sentence.
Pairs stay well nested, whatever the links say: a pair that was inside another in the source
is kept inside it, siblings are kept apart, and a pair never ends inside a word. So the
structure of the page survives any model, a random one included; where the words landed
is the model's say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mtfix.formats.layout import Block, ModelText


@dataclass(frozen=True)
class Piece:
    """Where one sentence of the block stands in the source (model text) and the English."""

    model_start: int
    model_end: int
    english_start: int
    english_end: int
    exact: bool  # the English is the model text itself


@dataclass(frozen=True)
class Event:
    position: int  # in the English
    run: int  # index of the run in the block
    order: tuple  # sorts events that share a position


def _piece_at(pieces: list[Piece], position: int, after: bool) -> tuple[Piece | None, int | None]:
    """The piece that holds model ``position``; or, in the gap between two pieces, the
    English position at the same distance into the gap (gaps are a space or nothing)."""
    gap_model, gap_english = 0, 0  # where the gap before the next piece starts
    for piece in pieces:
        if piece.model_start <= position <= piece.model_end:
            return piece, None
        if position < piece.model_start:
            return None, min(gap_english + position - gap_model, piece.english_start)
        gap_model, gap_english = piece.model_end, piece.english_end
    return None, gap_english


def _word_edge(english: str, position: int, forward: bool) -> int:
    """``position`` moved out of the middle of a word (to its end when ``forward``)."""
    if forward:
        while 0 < position < len(english) and english[position - 1].isalnum() and english[position].isalnum():
            position += 1
    else:
        while 0 < position < len(english) and english[position - 1].isalnum() and english[position].isalnum():
            position -= 1
    return position


def map_point(pieces, links, english: str, position: int, after: bool) -> int:
    piece, edge = _piece_at(pieces, position, after)
    if piece is None:
        return edge
    if piece.exact:
        return piece.english_start + (position - piece.model_start)
    if position <= piece.model_start:
        return piece.english_start
    if position >= piece.model_end:
        return piece.english_end
    inside = [link for link in links if piece.model_start <= link[2] and link[3] <= piece.model_end]
    before = [link for link in inside if link[3] <= position]
    if before:
        # After the English of the last source word before the point.
        anchor = max(before, key=lambda link: (link[3], link[1]))
        return _word_edge(english, anchor[1], forward=True)
    if inside:
        return piece.english_start
    span = max(1, piece.model_end - piece.model_start)
    share = (position - piece.model_start) / span
    return _word_edge(english, piece.english_start + round(share * (piece.english_end - piece.english_start)),
                      forward=after)


def map_range(pieces, links, english: str, start: int, end: int, anchors=()) -> tuple[int, int]:
    """The English span for the model span ``start``–``end`` that a pair wrapped.
    ``anchors``: spans whose English is known for certain (glossary terms, protected names,
    as links): a pair that wraps one of them wraps its English."""
    exact = [a for a in anchors if start <= a[2] and a[3] <= end and (a[2] - start) + (end - a[3]) <= 2]
    if exact:
        return min(a[0] for a in exact), max(a[1] for a in exact)
    # Inside a span copied verbatim (a Latin name in a Chinese sentence), character by character.
    for a in anchors:
        if a[4] and a[2] <= start and end <= a[3]:
            return a[0] + start - a[2], a[0] + end - a[2]
    links = [a[:4] for a in anchors] + list(links)
    # What the span covers in the English: exactly, in sentences that came back as they were
    # sent; through the word links, in the others.
    covered = [(p.english_start + max(start, p.model_start) - p.model_start,
                p.english_start + min(end, p.model_end) - p.model_start)
               for p in pieces if p.exact and p.model_start < end and start < p.model_end]
    if start == end:
        covered += [(p.english_start + start - p.model_start,) * 2 for p in pieces
                    if p.exact and p.model_start <= start <= p.model_end]
    covered += [(link[0], link[1]) for link in links if link[2] < end and start < link[3]]
    if covered:
        first, last = min(a for a, _ in covered), max(b for _, b in covered)
    else:
        first, last = map_point(pieces, links, english, start, False), map_point(pieces, links, english, end, True)
    if last < first:
        first, last = last, first
    while first < last and english[first].isspace():
        first += 1
    while last > first and english[last - 1].isspace():
        last -= 1
    return _word_edge(english, first, forward=False), _word_edge(english, last, forward=True)


def place(block: Block, model: ModelText, english: str, pieces: list[Piece], links: list,
          anchors: list = ()) -> tuple[list[Event], dict]:
    """Where each markup run of ``block`` goes in ``english``; and, for each code run whose
    placeholder the English holds, the span of the placeholder (replaced by the code)."""
    runs = block.runs
    code_spans: dict[int, tuple[int, int]] = {}
    taken: set[int] = set()
    for placeholder, index in model.codes.items():
        for found in re.finditer(re.escape(placeholder), english):
            if found.start() not in taken:
                code_spans[index] = found.span()
                taken.add(found.start())
                break
    events: list[Event] = []
    ranges: dict[int, tuple[int, int]] = {}  # open run index → its English span
    # Pairs, outermost first (an outer pair opens before and closes after its inner ones).
    stack: list[tuple[int, int, int, int]] = []  # (open index, close index, english start, english end)
    previous_sibling_end: dict[int, int] = {}
    for index, run in enumerate(runs):
        if run.role != "open" or run.pair < 0:
            continue
        close = run.pair
        first, last = map_range(pieces, links, english, model.ends[index], model.starts[close], anchors)
        while stack and not (stack[-1][0] < index and close < stack[-1][1]):
            stack.pop()
        level = len(stack)
        if stack:  # kept inside its parent
            parent = stack[-1]
            first, last = min(max(first, parent[2]), parent[3]), min(max(last, parent[2]), parent[3])
        sibling_end = previous_sibling_end.get(level)
        if sibling_end is not None:  # after the sibling before it
            first = max(first, sibling_end)
            last = max(last, first)
        for code, span in code_spans.items():
            inside = index < code < close  # in the source, the code was inside the pair
            if inside:  # never cut through its placeholder
                first, last = min(first, span[0]) if span[0] < first < span[1] else first, \
                    max(last, span[1]) if span[0] < last < span[1] else last
            elif first < span[1] and span[0] < last:  # a code from outside stays outside
                if span[0] - first >= last - span[1]:
                    last = max(first, span[0])
                else:
                    first = min(last, span[1])
        stack.append((index, close, first, last))
        previous_sibling_end[level] = last
        for deeper in [key for key in previous_sibling_end if key > level]:
            del previous_sibling_end[deeper]
        ranges[index] = (first, last)
        # Events that share a position go in the runs' own order: the source's nesting,
        # which the ranges above respect (a close of a pair before the opens after it, an
        # empty pair's children inside it).
        events.append(Event(first, index, (index,)))
        events.append(Event(last, close, (close,)))
    for index, run in enumerate(runs):
        if run.role == "void" or (run.role == "code" and index not in code_spans) or (
                run.role in ("open", "close") and run.pair < 0):
            position = map_point(pieces, links, english, model.starts[index], after=True)
            for span in code_spans.values():
                if span[0] < position < span[1]:
                    position = span[1]
            # Inside the pairs it was inside (a badge <img> inside its <a>).
            enclosing = [ranges[o] for o in ranges if o < index < runs[o].pair]
            if enclosing:
                first, last = max(enclosing, key=lambda r: r[0])  # the innermost starts last
                position = min(max(position, first), last)
            events.append(Event(position, index, (index,)))
    events.sort(key=lambda event: (event.position, event.order))
    return events, code_spans
