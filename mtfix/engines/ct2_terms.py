"""Glossary terms the CTranslate2 decoding left out, put in afterwards: pure functions over
token lists and attention rows (see :mod:`mtfix.engines.ct2` for the two ways, ``splice``
and ``resume``).
"""

from __future__ import annotations

import logging

from mtfix import align
from mtfix.engines.constraints import missing_terms

log = logging.getLogger(__name__)



def occurrences(text: str, form: str) -> list[tuple[int, int]]:
    spans = []
    start = text.find(form) if form else -1
    while start >= 0:
        spans.append((start, start + len(form)))
        start = text.find(form, start + 1)
    return spans


def source_positions(text: str, pieces: list[str], forms: list[str]) -> list[int]:
    """Source piece positions covering any occurrence of ``forms`` in ``text``."""
    spans = align.piece_spans(text, pieces)
    wanted = [span for form in forms for span in occurrences(text, form)]
    return [j for j, span in enumerate(spans)
            if span is not None and any(span[0] < end and start < span[1] for start, end in wanted)]


def insertion_point(generated: list[int], term: tuple[int, ...], locked: int, attention_rows, source_positions: list[int]) -> int:
    """Where ``term`` goes in ``generated`` (a position ≥ ``locked``): where the output had
    started it, else the output position that attended most to the term's source pieces,
    else the end.

    >>> insertion_point([5, 6, 7, 8], (7, 9), 0, None, [])
    2
    >>> insertion_point([5, 6, 7, 8], (1, 2), 0, [[0, 1], [0, 1], [1, 0], [0, 1]], [0])
    2
    >>> insertion_point([5, 6, 7, 8], (1, 2), 3, None, [])
    4
    """
    for length in range(len(term) - 1, 0, -1):
        for position in range(locked, len(generated) - length + 1):
            if tuple(generated[position : position + length]) == term[:length]:
                return position
    if attention_rows is not None and source_positions and len(generated) > locked:
        best, best_weight = None, -1.0
        for position in range(locked, len(generated)):
            row = attention_rows[position]
            weight = sum(row[j] for j in source_positions if j < len(row))
            if weight > best_weight:
                best, best_weight = position, weight
        if best is not None:
            return best
    return len(generated)


def _joins_previous(token: str) -> bool:
    """Whether a sentencepiece token continues the word before it (no ``▁``, a letter or digit)."""
    return not token.startswith("▁") and token[:1].isalnum()


def splice_terms(generated: list[int], tokens: list[str], rows, missing: list[tuple[int, ...]],
                 present: list[tuple[int, ...]], sources: dict[tuple[int, ...], list[int]],
                 term_tokens: dict[tuple[int, ...], list[str]]):
    """``generated`` with every ``missing`` term put in, and attention rows to match.

    ``tokens`` are the pieces of ``generated``; ``rows`` its attention rows (target position ×
    source piece, or None); ``present`` the term sequences whose occurrences in the output must
    stay whole; ``sources`` the source piece positions of each term. Each missing term takes,
    in this order of preference, (1) the place where the output had begun it, completed;
    (2) the run of output words whose attention peaks on the term's source pieces, replaced;
    (3) the word boundary that attended most to those pieces (or the end), inserted. A spliced
    term's rows point at its source pieces. Returns (ids, tokens, rows).

    >>> splice_terms([5, 6, 7], ["▁a", "▁b", "▁c"], None, [(9,)], [], {}, {(9,): ["▁T"]})[1]
    ['▁a', '▁b', '▁c', '▁T']
    >>> rows = [[1, 0, 0], [0, 1, 0], [0, 0.4, 0.6], [0.9, 0.1, 0]]
    >>> splice_terms([5, 6, 7, 8], ["▁a", "▁b", "ee", "▁d"], rows, [(9, 3)], [], {(9, 3): [1]},
    ...              {(9, 3): ["▁T", "x"]})[1]
    ['▁a', '▁T', 'x', '▁d']
    >>> splice_terms([5, 9, 8], ["▁a", "▁T", "▁d"], None, [(9, 3)], [], {}, {(9, 3): ["▁T", "x"]})[1]
    ['▁a', '▁T', 'x', '▁d']
    """
    length = len(generated)
    taken = [False] * length  # tokens of a present term or of an earlier splice
    for sequence in set(present):
        size = len(sequence)
        for start in range(length - size + 1):
            if tuple(generated[start : start + size]) == sequence:
                taken[start : start + size] = [True] * size
    edits: list[tuple[int, int, tuple[int, ...]]] = []  # (start, end, term): replace [start, end)

    def free(start: int, end: int) -> bool:
        return not any(taken[start:end])

    def boundary(position: int) -> bool:
        return position >= length or not _joins_previous(tokens[position])

    def weight(position: int, columns: list[int]) -> float:
        row = rows[position]
        return float(sum(row[j] for j in columns if j < len(row)))

    for term in missing:
        columns = sources.get(term, [])
        edit = None
        for size in range(len(term) - 1, 0, -1):  # (1) begun: the longest begun part wins
            edit = next(((start, start + size, term) for start in range(length - size + 1)
                         if tuple(generated[start : start + size]) == term[:size] and boundary(start)
                         and free(start, start + size)), None)
            if edit:
                break
        if edit is None and rows is not None and columns:  # (2) the words that translated it
            peaks = [not taken[t] and t < len(rows) and len(rows[t]) > 0
                     and max(range(len(rows[t])), key=rows[t].__getitem__) in columns for t in range(length)]
            best, best_weight, t = None, -1.0, 0
            while t < length:
                if not peaks[t]:
                    t += 1
                    continue
                start = t
                while t < length and peaks[t]:
                    t += 1
                run_weight = sum(weight(k, columns) for k in range(start, t))
                if run_weight > best_weight:
                    best, best_weight = (start, t), run_weight
            if best is not None:
                start, end = best
                while start > 0 and not boundary(start) and not taken[start - 1]:
                    start -= 1
                while end < length and not boundary(end) and not taken[end]:
                    end += 1
                if boundary(start) and boundary(end):
                    edit = (start, end, term)
        if edit is None:  # (3) inserted where it was attended to most, or at the end
            # Never inside a kept term or an earlier splice.
            places = [t for t in range(length + 1)
                      if boundary(t) and (t == 0 or t == length or not (taken[t - 1] and taken[t]))]
            point = length
            if rows is not None and columns and length:
                scored = [t for t in places if t < length and t < len(rows)]
                if scored:
                    point = max(scored, key=lambda t: weight(t, columns))
            edit = (point, point, term)
        edits.append(edit)
        taken[edit[0] : edit[1]] = [True] * (edit[1] - edit[0])
    new_ids: list[int] = []
    new_tokens: list[str] = []
    new_rows: list | None = [] if rows is not None else None
    width = max((len(row) for row in rows), default=0) if rows is not None else 0
    cursor = 0
    for start, end, term in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        new_ids += generated[cursor:start]
        new_tokens += tokens[cursor:start]
        if new_rows is not None:
            new_rows += [list(row) for row in rows[cursor:start]]
            columns = [j for j in sources.get(term, []) if j < width]
            pointed = [1.0 / len(columns) if j in columns else 0.0 for j in range(width)] if columns else None
            for _ in term:
                new_rows.append(pointed or (list(rows[start]) if start < len(rows) else [0.0] * width))
        new_ids += list(term)
        new_tokens += term_tokens[term]
        cursor = max(cursor, end)
    new_ids += generated[cursor:]
    new_tokens += tokens[cursor:]
    if new_rows is not None:
        new_rows += [list(row) for row in rows[cursor:]]
    return new_ids, new_tokens, new_rows


def hypothesis_ids(result, lead: list[str]) -> tuple[list[str], list | None]:
    """The best hypothesis of ``result`` without the ``lead`` tokens, and its attention rows."""
    tokens = result.hypotheses[0][len(lead):]
    rows = result.attention[0][len(lead) : len(lead) + len(tokens)] if result.attention else None
    return tokens, rows


def missing_from(model, result, lead: list[str], terms) -> tuple | None:
    """(tokens, attention rows, token ids, missing terms) of the best hypothesis of
    ``result`` (see :func:`hypothesis_ids`), or None when it lacks no required term: what
    both term repairs start from."""
    tokens, rows = hypothesis_ids(result, lead)
    generated = model.tokenizer.convert_tokens_to_ids(tokens)
    missing = missing_terms(generated, terms)
    return (tokens, rows, generated, missing) if missing else None

