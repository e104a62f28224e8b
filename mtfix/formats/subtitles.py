"""Subtitles: SubRip (``.srt``) and WebVTT (``.vtt``).

The cues come from the maintained parsers (``srt``; ``webvtt-py``), which say what is a cue
and refuse a file that is not one; each cue's text is then found in the file after its
timing line, so that every offset is the file's own. Consecutive cues are one block until a
cue's text ends a sentence (at most :data:`MAX_CUES_PER_BLOCK`): a sentence that runs across
cues is translated as one, and the English is split back across the same cues in proportion
to where each cue break stood in the source (``Block.proportional``). Every cue's index,
timing line and settings, a WebVTT header, ``NOTE``, ``STYLE`` and ``REGION`` blocks are
kept byte for byte, so the timings are exactly the input's. A translated cue's English is
re-wrapped at :data:`LINE_WIDTH` characters a line (a line a dialogue dash opens stays a
line of its own). Inline tags (``<i>``, ``<b>``, ``<font>``, WebVTT's ``<v Name>``, ``<c>``,
timestamps, an ASS ``{\\an8}``) are markup around the words.
"""

from __future__ import annotations

import re
import textwrap

from mtfix.errors import InputError
from mtfix.formats.layout import Block, Layout, Run, joins_without_space, prose_block_runs, text_runs

NAME = "subtitles"
SUFFIXES = (".srt", ".vtt")

LINE_WIDTH = 42  # characters a subtitle line holds (the common broadcast limit)
MAX_CUES_PER_BLOCK = 8

_TIME = r"(?:\d+:)?\d{1,2}:\d{2}[,.]\d{3}"
_TIMING = re.compile(rf"^[ \t]*{_TIME}[ \t]+-->[ \t]+{_TIME}[^\n]*\n", re.M)
_SRT_START = re.compile(rf"\s*\d+[ \t]*\r?\n{_TIME}[ \t]+-->")
_TAG = re.compile(r"<[^<>\n]*>|\{\\[^{}\n]*\}")
_SENTENCE_END = re.compile(r"[.!?。！？…♪][\"'”’」』)\]]*\s*$")
_DIALOGUE = re.compile(r"(?<=\S) (?=- )")


def sniff(head: str) -> bool:
    return head.lstrip("\ufeff").startswith("WEBVTT") or bool(_SRT_START.match(head.lstrip("\ufeff")))


def _library_cues(text: str) -> int:
    """How many cues the format's parser finds in ``text``; InputError when it is not one."""
    first = _TIMING.search(text)
    if text.lstrip("\ufeff").startswith("WEBVTT") or (first and "," not in first.group().split("-->")[0]):
        import webvtt

        try:
            return len(webvtt.from_string(text).captions)
        except Exception as error:  # noqa: BLE001  (webvtt-py raises several kinds)
            raise InputError(f"is not a valid WebVTT file ({error})") from None
    import srt

    try:
        return len(list(srt.parse(text)))
    except srt.SRTParseError as error:
        raise InputError(f"is not a valid SubRip file ({str(error).splitlines()[0]})") from None


def cue_spans(text: str) -> list[tuple[int, int, str]]:
    """The span of each cue's text (the lines after its timing line, up to a blank line),
    and where a reviewer finds the cue (``cue 17 at 00:01:02,500``: its index or
    identifier, else its number, and its start)."""
    spans = []
    for number, timing in enumerate(_TIMING.finditer(text), 1):
        start = timing.end()
        blank = re.compile(r"\n[ \t]*\r?\n|\Z").search(text, start)
        end = blank.start() if blank else len(text)
        end = len(text[start:end].rstrip("\r\n \t")) + start
        before = text[: timing.start()].rstrip("\r\n").rsplit("\n", 1)[-1].strip()
        name = before if before and "-->" not in before and before != "WEBVTT" and len(before) < 40 else str(number)
        spans.append((start, max(start, end), f"cue {name} at {timing.group().split('-->')[0].strip()}"))
    return spans


def _cue_runs(text: str, start: int, end: int) -> tuple[list[Run], dict[int, int]]:
    """One cue's text as runs: tags as markup (a closing tag paired with its opening), the
    rest as prose."""
    runs: list[Run] = []
    opened: dict[str, list[int]] = {}
    opens: dict[int, int] = {}
    position = start
    for tag in _TAG.finditer(text, start, end):
        if tag.start() > position:
            runs.extend(text_runs(text, position, tag.start()))
        body = tag.group()
        name = re.match(r"</?\s*([A-Za-z]+)", body)
        if body.startswith("</") and name and opened.get(name.group(1).lower()):
            opens[opened[name.group(1).lower()].pop()] = len(runs)
            runs.append(Run(tag.start(), tag.end(), "close"))
        elif name and not body.startswith("</") and not body.endswith("/>"):
            opened.setdefault(name.group(1).lower(), []).append(len(runs))
            runs.append(Run(tag.start(), tag.end(), "open"))
        else:
            runs.append(Run(tag.start(), tag.end(), "void"))
        position = tag.end()
    if position < end:
        runs.extend(text_runs(text, position, end))
    return runs, opens


def parse(text: str) -> Layout:
    spans = cue_spans(text)
    expected = _library_cues(text)
    if expected != len(spans):
        raise InputError(f"has {expected} cues but {len(spans)} timing lines were found; its cues cannot be placed")
    layout = Layout(NAME, locations=[(start, label) for start, _, label in spans])
    group: list[tuple[int, int]] = []

    def close_group() -> None:
        if not group:
            return
        runs: list[Run] = []
        opens: dict[int, int] = {}
        for number, (start, end) in enumerate(group):
            if number:
                # The next cue's index and timing line: kept, and a space to the model
                # (nothing between two characters written without spaces).
                previous_end = group[number - 1][1]
                shown = "" if joins_without_space(text[previous_end - 1 : previous_end], text[start : start + 1]) else " "
                runs.append(Run(previous_end, start, "void", text=shown))
            cue, cue_opens = _cue_runs(text, start, end)
            opens.update({len(runs) + o: len(runs) + c for o, c in cue_opens.items()})
            runs.extend(cue)
        kept = prose_block_runs(runs, opens, text)
        if kept is not None:
            layout.blocks.append(Block(kept, kind="subtitle", escape="subtitle", proportional=True))
        group.clear()

    for start, end, _ in spans:
        if start == end:
            close_group()
            continue
        group.append((start, end))
        plain = _TAG.sub("", text[start:end])
        if _SENTENCE_END.search(plain) or len(group) >= MAX_CUES_PER_BLOCK:
            close_group()
    close_group()
    return layout


def _one_line(english: str, starts_block: bool) -> str:
    """A cue's English as the writer puts it together: on one line (re-wrapped after)."""
    return " ".join(english.split("\n")) if "\n" in english else english


def rewrap(english: str) -> str:
    """One cue's English in lines of at most :data:`LINE_WIDTH` characters; a dialogue
    dash (`` - ``) starts a line of its own. A tag pair the proportional split left empty
    goes; a cue it left without a word says ``…``: a cue is never without text.

    >>> print(rewrap("- Where are you going this late at night? - Home, to see my family."))
    - Where are you going this late at night?
    - Home, to see my family.
    """
    english = _EMPTY_PAIR.sub("", " ".join(english.split()))
    lines = []
    for turn in _DIALOGUE.split(english):
        lines += textwrap.wrap(turn, LINE_WIDTH, break_long_words=False, break_on_hyphens=False)
    wrapped = "\n".join(lines)
    return wrapped if _TAG.sub("", wrapped).strip() else wrapped + "…"


_EMPTY_PAIR = re.compile(r"<([A-Za-z]+)(?:[ .][^<>\n]*)?>\s*</\1>")
_BLANK = re.compile(r"\r?\n[ \t]*\r?\n")


def finish_block(written: str) -> str:
    """A written block of cues with each cue's English re-wrapped; the separators (blank
    line, index, timing line; a NOTE between) as they were."""
    out, position = [], 0
    while True:
        blank = _BLANK.search(written, position)
        timing = _TIMING.search(written, blank.end()) if blank else None
        if timing is None:
            out.append(rewrap(written[position:]))
            return "".join(out)
        out.append(rewrap(written[position : blank.start()]))
        out.append(written[blank.start() : timing.end()])
        position = timing.end()


ESCAPES = {"subtitle": _one_line}
FINISH = {"subtitle": finish_block}
