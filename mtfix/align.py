"""Word links: which source words each English word came from, in the offsets of the texts
the reviewer and the writers see.

- :func:`word_links` turns a cross-attention matrix (target pieces × source pieces, from
  any engine: a forced pass through a transformers model, or CTranslate2's own) into
  ``[target_start, target_end, source_start, source_end]`` character spans;
- :func:`links_for` asks an engine for the links of a batch, and costs a piece it cannot
  align only that piece's links (flag ``no-links``);
- :func:`join_piece_links` moves the links of a long segment's pieces into the segment;
- :func:`model_input` is the text a model sees for a segment: links point into it, and
  where it differs from the segment's text the page shows no links.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)


def model_input(text: str) -> str:
    """What the model sees: line breaks of hard-wrapped text folded into spaces."""
    return re.sub(r"\s*\n\s*", " ", text).strip()


def piece_spans(text: str, pieces: list[str]) -> list[tuple[int, int] | None]:
    """Character spans of sentencepiece ``pieces`` in ``text``, found in order (best effort:
    a piece the tokenizer normalised and that cannot be found gets None)."""
    spans: list[tuple[int, int] | None] = []
    cursor = 0
    for piece in pieces:
        core = piece.replace("▁", " ").strip()
        if not core:
            spans.append(None)
            continue
        found = text.find(core, cursor, cursor + len(core) + 16)
        if found < 0:
            spans.append(None)
            continue
        spans.append((found, found + len(core)))
        cursor = found + len(core)
    return spans


def word_links(source: str, source_pieces: list[str], source_special: list[bool],
               target: str, target_pieces: list[str], target_special: list[bool], attention) -> list[list[int]]:
    """``[target_start, target_end, source_start, source_end]`` for each English word: the
    source piece its pieces attended to most. ``attention`` is target positions × source
    positions (a numpy array or nested lists), one row per target piece."""
    import numpy

    attention = numpy.asarray(attention, dtype=float)
    source_spans = piece_spans(source, source_pieces)
    target_spans = piece_spans(target, target_pieces)
    usable_source = [j for j, (special, span) in enumerate(zip(source_special, source_spans))
                     if not special and span is not None and j < attention.shape[1]]
    if not usable_source:
        return []
    # English words: pieces grouped at "▁" (a new word starts there).
    words: list[tuple[int, int, list[int]]] = []
    for i, (special, piece, span) in enumerate(zip(target_special, target_pieces, target_spans)):
        if special or span is None or i >= attention.shape[0]:
            continue
        if words and not piece.startswith("▁") and span[0] == words[-1][1]:
            words[-1] = (words[-1][0], span[1], words[-1][2] + [i])
        else:
            words.append((span[0], span[1], [i]))
    links = []
    for start, end, positions in words:
        weights = attention[positions][:, usable_source].sum(axis=0)
        best = usable_source[int(weights.argmax())]
        links.append([start, end, *source_spans[best]])
    return links


def widen_term_links(output: str, links: list[list[int]], terms: list[tuple[str, list[tuple[int, int]]]]) -> list[list[int]]:
    """``links`` with each word of a term's target (in ``output``) that links inside one of
    the term's source spans linked to that whole span instead.

    >>> widen_term_links("met Zhai Xiaohua", [[0, 3, 0, 1], [4, 8, 3, 4], [9, 16, 3, 4]], [("Zhai Xiaohua", [(3, 6)])])
    [[0, 3, 0, 1], [4, 8, 3, 6], [9, 16, 3, 6]]
    """
    widened = []
    for link in links:
        target_start, target_end, source_start, source_end = link
        for target, spans in terms:
            found = output.find(target)
            inside_target = False
            while found >= 0 and not inside_target:
                inside_target = found <= target_start and target_end <= found + len(target)
                found = output.find(target, found + 1)
            span = next(((a, b) for a, b in spans if a <= source_start and source_end <= b), None)
            if inside_target and span:
                link = [target_start, target_end, span[0], span[1]]
                break
        widened.append(link)
    return widened


def links_for(engine, texts: list[str], outputs, lang: str) -> list[list[list[int]]]:
    """Word links for each piece, when the engine can give them; never fails a translation."""
    found = [output.links for output in outputs]  # got while translating, or None
    todo = [i for i, links in enumerate(found) if links is None]
    if not todo:
        return found
    align = getattr(engine, "align", None)
    if align is None:
        return [links if links is not None else [] for links in found]
    try:
        aligned = align([texts[i] for i in todo], [outputs[i].text for i in todo], lang)
    except Exception:  # noqa: BLE001  (one piece the model cannot take: found below, alone)
        aligned = None
    if aligned is None or len(aligned) != len(todo):
        # One at a time: an English output longer than the model's positions, or an odd
        # tokenizer, costs only its own piece its links (flagged no-links), not the batch's.
        aligned, failures = [], []
        for i in todo:
            try:
                aligned.extend(align([texts[i]], [outputs[i].text], lang) or [[]])
            except Exception as error:  # noqa: BLE001
                aligned.append(None)
                failures.append(error)
        if failures:
            log.warning("no word links for %d %s piece(s) (flag no-links): %s", len(failures), lang, failures[0])
    for i, links in zip(todo, aligned):
        if links is None:
            outputs[i].flags.append("no-links")
        found[i] = links or []
    return found


def join_piece_links(source: str, pieces: list[str], parts, links_of_parts) -> list[list[int]]:
    """Links of a segment's pieces, moved into the segment's source and joined English."""
    joined, source_cursor, target_offset = [], 0, 0
    for piece, part, links in zip(pieces, parts, links_of_parts):
        source_offset = source.find(piece, source_cursor)
        if source_offset < 0:
            return []
        source_cursor = source_offset + len(piece)
        for t_start, t_end, s_start, s_end in links:
            joined.append([t_start + target_offset, t_end + target_offset, s_start + source_offset, s_end + source_offset])
        if part.text:
            target_offset += len(part.text) + 1
    return joined
