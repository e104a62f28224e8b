"""What a format reader finds in a document: the blocks of prose to translate.

A reader turns the text of a document into a :class:`Layout`. Each :class:`Block` is one
unit of prose (a paragraph, a heading, a table cell, an attribute value) as a list of
:class:`Run` s in document order, each a span of the text with a role:

- ``text``: prose. What the model sees of it is ``text`` (the span itself when None): an
  entity decoded (``&lt;`` is ``<``), a line break inside a paragraph joined (a space
  between words, nothing between two Chinese or Japanese characters);
- ``open`` / ``close``: inline markup that wraps words (``**``, ``<a href="...">`` and
  ``</a>``, a link's ``[`` and ``](url)``); ``pair`` is the index of its partner;
- ``void``: inline markup that stands alone (``<br>``, a footnote reference); a
  ``boundary`` one also ends a sentence (a hard line break, an image whose ``alt`` is a block
  of its own); its ``text``, when set, is what the model sees in its place (a space for a
  subtitle's cue break inside a sentence);
- ``code``: inline code, kept byte for byte. The model sees a placeholder in its place
  (:func:`placeholder`), which the decoding is made to write, so the code lands where the
  sentence needs it and never reaches a model.

Markup runs never reach a model; they go back around the words they belong to
(:mod:`mtfix.formats.inline`). Everything of the text outside every block (block markup,
code blocks, scripts, comments, a DOCTYPE) is kept verbatim.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

ROLES = ("text", "open", "close", "void", "code")


@dataclass(frozen=True)
class Run:
    start: int
    end: int
    role: str = "text"
    text: str | None = None
    pair: int = -1
    boundary: bool = False
    # Markup that the de-garbler may read and repair (Markdown emphasis markers, which
    # earlier machine translation mangles: ``**X**X``); other markup is hidden from it.
    repairable: bool = False


@dataclass
class Block:
    runs: list[Run]
    kind: str = "paragraph"
    # How English is written back into this block (:mod:`mtfix.formats.writer`): plain,
    # markdown, html, html-attribute, yaml-plain, yaml-single, yaml-double.
    escape: str = "plain"
    # Markup goes back in proportion to where it stood in the sentence, not by word links:
    # a subtitle's cue breaks, so that each cue's English takes the share its source had.
    proportional: bool = False

    @property
    def start(self) -> int:
        return self.runs[0].start

    @property
    def end(self) -> int:
        return self.runs[-1].end


@dataclass
class Layout:
    format: str
    blocks: list[Block] = field(default_factory=list)
    # (start, end, replacement) made once the document is translated (``<html lang="zh">``
    # says ``en``), and made always (a declared charset other than UTF-8 says ``utf-8``:
    # the English document is written in UTF-8 whatever the input was).
    rewrites: list[tuple[int, int, str]] = field(default_factory=list)
    always: list[tuple[int, int, str]] = field(default_factory=list)
    # (start, label), sorted: where a segment starting at or after ``start`` is, in the
    # format's own words (a subtitle cue); none: its line.
    locations: list[tuple[int, str]] = field(default_factory=list)

    def shown_spans(self) -> list[tuple[int, int]]:
        """The spans of the text the de-garbler may repair: prose, and the markup marked
        ``repairable``; sorted and merged."""
        spans: list[tuple[int, int]] = []
        for block in self.blocks:
            for run in block.runs:
                if run.role == "text" or run.repairable:
                    if spans and spans[-1][1] == run.start:
                        spans[-1] = (spans[-1][0], run.end)
                    elif run.end > run.start:
                        spans.append((run.start, run.end))
        spans.sort()
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged


def placeholder(number: int) -> str:
    """The word a model sees for the ``number``-th inline code of a sentence: letters every
    vocabulary has, unlike anything in a text.

    >>> placeholder(0), placeholder(12)
    ('MTFIXCODEAX', 'MTFIXCODEBCX')
    """
    return "MTFIXCODE" + "".join("ABCDEFGHIJ"[int(digit)] for digit in str(number)) + "X"


PLACEHOLDER = re.compile(r"MTFIXCODE[A-J]+X")


@dataclass(frozen=True)
class ModelText:
    """A block as the model sees it: ``text``, and for each run where it stands there
    (``starts[i]`` to ``ends[i]``; markup runs take no room)."""

    text: str
    starts: list[int]
    ends: list[int]
    codes: dict[str, int]  # placeholder → index of its code run
    verbatim: list[bool]  # the run shows the model its source as it is

    def run_at_start(self, position: int) -> int:
        """The first run that ends after ``position`` (where a span beginning there starts)."""
        index = bisect_right(self.ends, position)
        return min(index, len(self.ends) - 1)

    def run_at_end(self, position: int) -> int:
        """The last run that starts before ``position`` (where a span ending there ends)."""
        index = bisect_right(self.starts, position - 1) - 1
        return max(index, 0)


_OTHER_WHITESPACE = re.compile(r"[^\S ]+| {2,}")


def model_text(block: Block, source: str) -> ModelText:
    """The block as the model sees it. Whitespace other than single spaces (a line break an
    entity or an attribute holds) is one space: a model sees one line."""
    parts, starts, ends, codes, verbatim = [], [], [], {}, []
    position = 0
    for index, run in enumerate(block.runs):
        starts.append(position)
        if run.role == "text":
            own = source[run.start : run.end]
            shown = own if run.text is None else run.text
            if _OTHER_WHITESPACE.search(shown):
                shown = _OTHER_WHITESPACE.sub(" ", shown)
            verbatim.append(shown == own)
        elif run.role == "code":
            shown = placeholder(len(codes))
            codes[shown] = index
            verbatim.append(False)
        else:
            shown = run.text or ""
            verbatim.append(False)
        parts.append(shown)
        position += len(shown)
        ends.append(position)
    return ModelText("".join(parts), starts, ends, codes, verbatim)


# Where a line break inside a paragraph is joined without a space: between two characters
# of scripts written without spaces (Han, kana). Korean is written with spaces.
_NO_SPACE = re.compile(r"[\u2e80-\u2fff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def joins_without_space(before: str, after: str) -> bool:
    """Is a line break between ``before`` and ``after`` (the characters on either side)
    nothing at all when the lines are joined?

    >>> joins_without_space("ま", "す"), joins_without_space("d", "w"), joins_without_space("다", "한")
    (True, False, False)
    """
    return bool(before and after and _NO_SPACE.match(before) and _NO_SPACE.match(after))


def whitespace_run(source: str, start: int, end: int) -> Run:
    """A run of whitespace inside prose, as the model sees it: one space, or nothing
    where a line break joins two characters written without spaces."""
    span = source[start:end]
    if span == " ":
        return Run(start, end)
    before = source[start - 1] if start > 0 else ""
    after = source[end] if end < len(source) else ""
    shown = "" if "\n" in span and joins_without_space(before, after) else " "
    return Run(start, end, text=shown)


# Whitespace the model does not see as it is: anything but a single space.
_UNUSUAL_WHITESPACE = re.compile(r"\s{2,}|[^\S ]")


def text_runs(source: str, start: int, end: int) -> list[Run]:
    """``source[start:end]`` as text runs: words and single spaces as they are, other
    whitespace as the model sees it (:func:`whitespace_run`)."""
    runs: list[Run] = []
    position = start
    for match in _UNUSUAL_WHITESPACE.finditer(source, start, end):
        if match.start() > position:
            runs.append(Run(position, match.start()))
        runs.append(whitespace_run(source, match.start(), match.end()))
        position = match.end()
    if position < end:
        runs.append(Run(position, end))
    return runs


def pair_up(runs: list[Run], opens: dict[int, int]) -> list[Run]:
    """``runs`` with ``pair`` set: ``opens`` maps each open run's index to its close's."""
    paired = list(runs)
    for open_index, close_index in opens.items():
        paired[open_index] = _with(paired[open_index], pair=close_index)
        paired[close_index] = _with(paired[close_index], pair=open_index)
    return paired


def prose_block_runs(runs: list[Run], opens: dict[int, int], source: str) -> list[Run] | None:
    """The runs of a block as a reader gathered them, ready for a Block: whitespace at the
    edges left outside, each tag paired with its partner (``opens`` maps an open run's index
    to its close's), a tag whose partner fell outside standing alone (``void``). None when
    no text run holds a letter: nothing there to translate."""
    def shown(run: Run) -> str:
        return source[run.start : run.end] if run.text is None else run.text

    first, last = 0, len(runs) - 1
    while first <= last and runs[first].role == "text" and not shown(runs[first]).strip():
        first += 1
    while last >= first and runs[last].role == "text" and not shown(runs[last]).strip():
        last -= 1
    kept = runs[first : last + 1]
    if not any(run.role == "text" and any(ch.isalpha() for ch in shown(run)) for run in kept):
        return None
    inside = {o - first: c - first for o, c in opens.items() if first <= o and c <= last}
    for index, run in enumerate(kept):
        if run.role in ("open", "close") and index not in inside and index not in inside.values():
            kept[index] = Run(run.start, run.end, "void", repairable=run.repairable)
    return pair_up(kept, inside)


def _with(run: Run, **changes) -> Run:
    fields = {name: getattr(run, name) for name in ("start", "end", "role", "text", "pair", "boundary", "repairable")}
    fields.update(changes)
    return Run(**fields)


def has_prose(block: Block, source: str) -> bool:
    """Does the block hold a letter anywhere in its text runs?"""
    return any(run.role == "text" and any(ch.isalpha() for ch in (source[run.start:run.end] if run.text is None else run.text))
               for run in block.runs)
