"""The one data model: a Document holds the raw text, the edits made on it, the segments
found in the cleaned text, and their translations.

Offsets everywhere are **character offsets into the decoded original** (``raw``), counted in
Python ``str`` indices (code points). Segments also keep their span in the cleaned text, which
is what writers need to rebuild the English document; the raw span is what a reviewer needs
to find the sentence in the file they received.
"""

from __future__ import annotations

import bisect
import operator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Edit:
    """A repair on ``raw``: replace ``raw[raw_start:raw_end]`` with ``replacement``.

    ``kind`` names the damage (``mojibake``, ``filler``, ...), ``reason`` says why in words a
    reviewer understands; ``original`` is the raw text the edit replaced (kept so a report can
    show "before" without the raw text at hand).
    """

    raw_start: int
    raw_end: int
    replacement: str
    kind: str
    reason: str
    original: str = ""
    id: int = -1
    flags: tuple[str, ...] = ()


@dataclass
class Segment:
    """A unit of the document: a sentence to translate, or a piece kept as it is.

    ``kind`` is one of ``sentence``, ``heading``, ``list-item``, ``quote``, ``table-cell``,
    ``front-matter`` (a translatable value in YAML front matter), ``link-text``,
    or ``nonword`` (punctuation, numbers, URLs, emoji: never sent to a model).
    ``translate`` is False for segments that pass through (English, word-less).
    """

    id: int
    raw_start: int
    raw_end: int
    clean_start: int
    clean_end: int
    text: str
    kind: str = "sentence"
    lang: str = "und"
    lang_score: float = 0.0
    translate: bool = True
    flags: list[str] = field(default_factory=list)
    edits: list[int] = field(default_factory=list)


@dataclass
class Translation:
    segment_id: int
    text: str
    engine: str
    model: str
    score: float | None = None
    flags: list[str] = field(default_factory=list)
    # Glossary hits: {"id", "target", "source_span": [start, end] in the segment text,
    # "target_span": [start, end] in ``text`` or None when missing}.
    terms: list[dict] = field(default_factory=list)
    # Protected spans: {"kind", "target", "source_span", "target_span"} (see mtfix.protect).
    protected: list[dict] = field(default_factory=list)
    # Word links from cross-attention: [target_start, target_end, source_start, source_end]
    # in ``text`` and in the segment's source text (folded as the model saw it).
    links: list[list[int]] = field(default_factory=list)


@dataclass
class Document:
    path: str
    raw: str
    encoding: str
    sha256: str
    clean: str = ""
    edits: list[Edit] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    translations: dict[int, Translation] = field(default_factory=dict)
    signature: str = ""
    # How the document's text is structured: "markdown" or "text"; decides segmentation.
    format: str = "text"

    def target_text(self, segment: Segment) -> str:
        """English for ``segment``: its translation, or its own text when it passed through."""
        translation = self.translations.get(segment.id)
        return translation.text if translation is not None else segment.text


class OverlappingEditsError(ValueError):
    pass


_SPAN = operator.attrgetter("raw_start", "raw_end")  # (in C: this runs for every edit of every stage)


def sort_and_check(edits: list[Edit]) -> list[Edit]:
    """Edits sorted by start; raises if two overlap (insertions at one point are allowed once)."""
    ordered = sorted(edits, key=_SPAN)
    for before, after in zip(ordered, ordered[1:]):
        if after.raw_start < before.raw_end or (
            after.raw_start == before.raw_start == before.raw_end == after.raw_end
        ):
            raise OverlappingEditsError(f"edits overlap: {before} and {after}")
    return ordered


def apply_edits(raw: str, edits: list[Edit]) -> str:
    """``clean = apply_edits(raw, edits)``: replay repairs on the original text."""
    pieces: list[str] = []
    position = 0
    for edit in sort_and_check(edits):
        pieces.append(raw[position : edit.raw_start])
        pieces.append(edit.replacement)
        position = edit.raw_end
    pieces.append(raw[position:])
    return "".join(pieces)


class OffsetMap:
    """Maps offsets in the cleaned text back to offsets in raw.

    Outside edits the two texts move in lockstep; an offset inside an edit's replacement maps
    to the edit's raw start (for a span start) or raw end (for a span end), so a segment that
    contains a repair covers the whole repaired raw span.
    """

    def __init__(self, raw: str, edits: list[Edit]):
        self.raw_length = len(raw)
        # For each edit: (clean_start, clean_end, raw_start, raw_end)
        self._spans: list[tuple[int, int, int, int]] = []
        shift = 0  # clean offset minus raw offset, before the current edit
        for edit in sort_and_check(edits):
            clean_start = edit.raw_start + shift
            clean_end = clean_start + len(edit.replacement)
            self._spans.append((clean_start, clean_end, edit.raw_start, edit.raw_end))
            shift += len(edit.replacement) - (edit.raw_end - edit.raw_start)
        self._clean_starts = [span[0] for span in self._spans]

    def _locate(self, clean_offset: int) -> int:
        return bisect.bisect_right(self._clean_starts, clean_offset) - 1

    def start(self, clean_offset: int) -> int:
        """Raw offset for a span that starts at ``clean_offset``."""
        index = self._locate(clean_offset)
        if index < 0:
            return clean_offset
        clean_start, clean_end, raw_start, raw_end = self._spans[index]
        if clean_offset < clean_end:
            return raw_start
        # After the edit, or at a deletion (which then falls in the gap before the span).
        return raw_end + (clean_offset - clean_end)

    def end(self, clean_offset: int) -> int:
        """Raw offset for a span that ends at ``clean_offset``."""
        index = bisect.bisect_left(self._clean_starts, clean_offset) - 1
        # An end that falls exactly on an edit's clean start is before that edit.
        if index < 0:
            return clean_offset
        clean_start, clean_end, raw_start, raw_end = self._spans[index]
        if clean_offset <= clean_end and clean_offset > clean_start:
            return raw_end
        return raw_end + (clean_offset - clean_end)
