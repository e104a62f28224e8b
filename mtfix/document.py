"""The one data model: a Document holds the raw text, the edits made on it, the segments
found in the cleaned text, and their translations.

Offsets everywhere are **character offsets into the decoded original** (``raw``), counted in
Python ``str`` indices (code points). Segments also keep their span in the cleaned text, which
is what writers need to rebuild the English document; the raw span is what a reviewer needs
to find the sentence in the file they received.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from dataclasses import dataclass, field, replace


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

    def copy_with(self, **changes) -> Edit:
        """This edit with ``changes`` (field name: value)."""
        return replace(self, **changes)


@dataclass
class Segment:
    """A unit of the document: a sentence to translate, or a piece kept as it is.

    ``kind`` is the kind of its block (``paragraph``, ``heading``, ``list-item``, ``quote``,
    ``table-cell``, ``front-matter``, ``title``, ``attribute-alt``...: see the format
    readers), or ``nonword`` (punctuation, numbers, emoji: never sent to a model).
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
    # Why ``lang`` (mtfix.langid): script, detector, majority, code-like, names, none.
    lang_reason: str = ""
    translate: bool = True
    flags: list[str] = field(default_factory=list)
    edits: list[int] = field(default_factory=list)
    # Where the sentence stands in its block of the document's layout (its text is the
    # block's model text from ``model_start`` to ``model_end``); -1 when it has none.
    block: int = -1
    model_start: int = 0
    model_end: int = 0
    # The inline code the placeholders of ``text`` stand for (placeholder → code).
    codes: dict[str, str] = field(default_factory=dict)
    # Where a reviewer finds it in the file: its format's own words (``cue 17 at
    # 00:01:02,500``), else the line of the original it starts on (``line 12``).
    location: str = ""


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
    # The output guard (mtfix.guard): what it found in the English ({"flag", "reason"}), and
    # when it decoded again, every attempt ({"settings", "text", "flags", "score", "chosen"}; "piece"
    # for a segment translated in pieces).
    checks: list[dict] = field(default_factory=list)
    attempts: list[dict] = field(default_factory=list)


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
    # The format the document was read as (``mtfix.formats``), and what its reader found in
    # the cleaned text: the blocks of prose the writer puts the English back into.
    format: str = "plain"
    layout: object = None
    # The signs of machine-translation damage the de-garbler found (Evidence.summary()), or
    # None when its gate was off: why the repairs that need evidence ran or did not.
    evidence: dict | None = None
    # (raw offset, label), sorted, for a text made from a file that is not text: a PDF's
    # "page 3 block 5" (Segment.location).
    locations: list = field(default_factory=list)

    def target_text(self, segment: Segment) -> str:
        """English for ``segment``: its translation, or its own text when it passed through."""
        translation = self.translations.get(segment.id)
        return translation.text if translation is not None else segment.text


class OverlappingEditsError(ValueError):
    pass


# An edit's (raw_start, raw_end): the order edits are kept in, read in C.
edit_span = operator.attrgetter("raw_start", "raw_end")
_RAW_START = operator.attrgetter("raw_start")
_RAW_END = operator.attrgetter("raw_end")
_REPLACEMENT = operator.attrgetter("replacement")  # (in C: this runs for every edit of every stage)


def sort_and_check(edits: list[Edit]) -> list[Edit]:
    """Edits sorted by start; raises if two overlap (insertions at one point are allowed once)."""
    ordered = sorted(edits, key=edit_span)
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

    def __init__(self, raw: str, edits: list[Edit], *, checked: bool = False):
        """``checked``: the edits are sorted and checked already (composing repairs builds a
        map for every stage of every round, so it does not pay for that twice)."""
        self.raw_length = len(raw)
        self._edits = edits if checked else sort_and_check(edits)
        # Where each edit's replacement lies in the clean text: its raw start moved by what
        # the edits before it added or removed (in C-level passes over the list).
        self._raw_starts = list(map(_RAW_START, self._edits))
        self._raw_ends = list(map(_RAW_END, self._edits))
        lengths = list(map(len, map(_REPLACEMENT, self._edits)))
        shifts = itertools.accumulate(map(operator.sub, lengths, map(operator.sub, self._raw_ends, self._raw_starts)),
                                      initial=0)
        self.clean_starts = list(map(operator.add, self._raw_starts, shifts))
        self.clean_ends = list(map(operator.add, self.clean_starts, lengths))

    def start(self, clean_offset: int) -> int:
        """Raw offset for a span that starts at ``clean_offset``."""
        index = bisect.bisect_right(self.clean_starts, clean_offset) - 1
        if index < 0:
            return clean_offset
        if clean_offset < self.clean_ends[index]:
            return self._raw_starts[index]
        # After the edit, or at a deletion (which then falls in the gap before the span).
        return self._raw_ends[index] + (clean_offset - self.clean_ends[index])

    def end(self, clean_offset: int) -> int:
        """Raw offset for a span that ends at ``clean_offset``."""
        index = bisect.bisect_left(self.clean_starts, clean_offset) - 1
        # An end that falls exactly on an edit's clean start is before that edit.
        if index < 0:
            return clean_offset
        if self.clean_starts[index] < clean_offset <= self.clean_ends[index]:
            return self._raw_ends[index]
        return self._raw_ends[index] + (clean_offset - self.clean_ends[index])
