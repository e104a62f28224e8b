"""The English document: the (cleaned) text with every translated block rewritten in place,
and everything else (markup, code, layout, blank lines) as it was.

A block whose sentences all came back as they were sent (English text, the identity engine,
sentences left untranslated) is written as it stands in the source, byte for byte: that is
what makes the identity round trip exact. A translated block is written as its sentences'
English, joined as English needs (a space between sentences that Chinese wrote without
one), with its inline markup put back (:mod:`mtfix.formats.inline`) and the English escaped
for the format (``escape`` of the block: HTML text or attribute, Markdown, YAML, plain).
Blocks inside others (an ``<img alt>`` in a paragraph) are written first, so the markup of
the outer block carries their English.
"""

from __future__ import annotations

from bisect import bisect_right

from mtfix.formats import block_check, block_finish, escaper
from mtfix.formats.inline import Piece, place
from mtfix.formats.layout import PLACEHOLDER, Block, model_text

# A space is never added after these (the English continues inside them) ...
OPENERS = set("([{“‘\"'「『（《/#*_~-\n\t ")
# ... nor before these.
CLOSERS = set(")]}”’」』）》.,;:!?。，；：！？、*_~\n\t ")


class _Patched:
    """The text with replacements made inside it (non-overlapping, sorted by start)."""

    def __init__(self, text: str, replacements: list[tuple[int, int, str]] = ()):
        self.text = text
        self.replacements = sorted(replacements)

    def source(self, start: int, end: int) -> str:
        parts, position = [], start
        for a, b, new in self.replacements:
            if a >= start and b <= end:
                parts.append(self.text[position:a])
                parts.append(new)
                position = b
        parts.append(self.text[position:end])
        return "".join(parts)


def english_document(document) -> str:
    layout = document.layout
    if layout is None:
        return document.clean
    text = document.clean
    by_block: dict[int, list] = {}
    for segment in document.segments:
        if segment.block >= 0:
            by_block.setdefault(segment.block, []).append(segment)
    # Blocks inside others (an <img alt> inside a paragraph) are written first: the outer
    # block's markup then carries their English. Most documents have none.
    order = sorted(range(len(layout.blocks)), key=lambda i: (layout.blocks[i].start, -layout.blocks[i].end))
    inner: dict[int, list[int]] = {}  # outer block → the blocks inside it
    outer: list[int] = []
    for index in order:
        block = layout.blocks[index]
        if outer and block.end <= layout.blocks[outer[-1]].end:
            inner.setdefault(outer[-1], []).append(index)
        else:
            outer.append(index)
    replacements: list[tuple[int, int, str]] = []
    changed = False
    for index in outer:
        block = layout.blocks[index]
        inside = []
        for inner_index in inner.get(index, []):
            inner_block = layout.blocks[inner_index]
            english = render_block(inner_block, _segments(by_block, inner_index), document.translations, text,
                                   _Patched(text))
            if english is not None:
                inside.append((inner_block.start, inner_block.end, english))
        english = render_block(block, _segments(by_block, index), document.translations, text, _Patched(text, inside))
        if english is not None:
            replacements.append((block.start, block.end, english))
        else:
            replacements.extend(inside)
        changed = changed or english is not None or bool(inside)
    replacements.extend(layout.always + (layout.rewrites if changed else []))
    replacements.sort()
    parts, position = [], 0
    for start, end, new in replacements:
        if start < position:  # (a rewrite inside a rewritten block: the block has it)
            continue
        parts.append(text[position:start])
        parts.append(new)
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _segments(by_block: dict, index: int) -> list:
    return sorted(by_block.get(index, []), key=lambda segment: segment.model_start)


def _english_of(segment, translations) -> str:
    translation = translations.get(segment.id)
    return translation.text if translation is not None else segment.text


def _joined(before: str, after: str) -> str:
    """What goes between two sentences' English when the source had nothing between them."""
    if not before or not after or before[-1] in OPENERS or after[0] in CLOSERS:
        return ""
    return " "


def render_block(block: Block, segments: list, translations: dict, text: str, patched: _Patched) -> str | None:
    """The block written in English, or None when it stays as it is."""
    if not segments:
        return None
    english_of = [_english_of(segment, translations) for segment in segments]
    if all(english == segment.text for english, segment in zip(english_of, segments)):
        return None
    model = model_text(block, text)
    breaks = {model.starts[index] for index, run in enumerate(block.runs) if run.boundary}
    parts: list[str] = []
    pieces: list[Piece] = []
    links: list[tuple[int, int, int, int]] = []
    # Glossary terms and protected spans: where they are in the English is certain.
    anchors: list[tuple[int, int, int, int, bool]] = []
    position, length = 0, 0
    for segment, english in zip(segments, english_of):
        gap = model.text[position : segment.model_start]
        if gap:
            gap = " " if gap.isspace() else gap
        elif parts and position not in breaks:  # (a line break between them is markup of its own)
            gap = _joined(parts[-1], english)
        parts.append(gap)
        length += len(gap)
        exact = english == segment.text
        pieces.append(Piece(segment.model_start, segment.model_end, length, length + len(english), exact))
        translation = translations.get(segment.id)
        if translation is not None and not exact:
            links.extend((t0 + length, t1 + length, s0 + segment.model_start, s1 + segment.model_start)
                         for t0, t1, s0, s1 in translation.links)
            for hit in translation.terms + translation.protected:
                if hit.get("target_span"):
                    (t0, t1), (s0, s1) = hit["target_span"], hit["source_span"]
                    verbatim = english[t0:t1] == segment.text[s0:s1]
                    anchors.append((t0 + length, t1 + length, s0 + segment.model_start, s1 + segment.model_start, verbatim))
        parts.append(english)
        length += len(english)
        position = segment.model_end
    english = "".join(parts)
    events, code_spans = place(block, model, english, pieces, [] if block.proportional else links, anchors)
    written = _assemble(block, english, events, code_spans, patched)
    check, fallback = block_check(block.escape)
    if check is not None and not check(patched.source(block.start, block.end), written):
        written = _assemble(block, english, events, code_spans, patched, fallback)
    finish = block_finish(block.escape)
    return finish(written) if finish is not None else written


def _assemble(block: Block, english: str, events, code_spans: dict, patched: _Patched, fallback=None) -> str:
    """The English with markup inserted at its events and each placeholder replaced by its
    code; the English escaped for the block's format."""
    escape = escaper(block.escape)
    stops = sorted({event.position for event in events} | {a for a, _ in code_spans.values()}
                   | {b for _, b in code_spans.values()} | {len(english)})
    code_at = {span[0]: (index, span[1]) for index, span in code_spans.items()}
    by_position: dict[int, list] = {}
    for event in events:
        by_position.setdefault(event.position, []).append(event)
    out: list[str] = []
    position, first = 0, True
    while True:
        for event in by_position.pop(position, []):
            run = block.runs[event.run]
            markup = patched.source(run.start, run.end)
            out.append((fallback(markup, run.role) if fallback else None) or markup)
        if position in code_at:
            index, end = code_at.pop(position)
            run = block.runs[index]
            out.append(patched.source(run.start, run.end))
            position = end
            continue
        if position >= len(english):
            break
        following = stops[bisect_right(stops, position)]
        # A placeholder the model wrote twice, or one of a code it dropped, is not English.
        chunk = PLACEHOLDER.sub("", english[position:following])
        if chunk:
            out.append(escape(chunk, first))
            first = False
        position = following
    for remaining in sorted(by_position):  # (none: every event lies within the English)
        for event in by_position[remaining]:
            run = block.runs[event.run]
            out.append(patched.source(run.start, run.end))
    return "".join(out)
