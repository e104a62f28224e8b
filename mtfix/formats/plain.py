"""Plain text, manual pages as ``man`` prints them included.

Paragraphs are runs of lines; a hard-wrapped paragraph is one block, its line breaks joined
for the model (a space between words, nothing between two Chinese or Japanese characters).
A line continues the paragraph above it when it has the same indentation and the line
above runs on: it does not end a sentence, and either the next line starts in lower case
or the line above is *full* (hard wrapping fills lines to the wrap column; a list of short
lines, one name or title each, stays apart).

Layout is kept byte for byte, as ``man`` pages and technical notes are full of it:

- command lines (a ``$`` prompt, or a ``#`` prompt under indentation) and lines that are
  mostly options and placeholders (``bzip2 [ -cdfkqstvzVL123456789 ] [ filenames ... ]``);
- option heads (``  -c, --stdout``): kept, while the description beside or under them is
  translated;
- the header and footer lines of a manual page (``BZIP2(1)  General Commands Manual
  BZIP2(1)``) and lines without a letter (rules, ASCII art);
- columns: a line with gaps of three spaces or more is cut there, and each cell with
  prose is a block of its own.
"""

from __future__ import annotations

import re
import unicodedata

from mtfix.formats.layout import Block, Layout, text_runs, whitespace_run

NAME = "plain"
SUFFIXES = (".txt", ".text")

# A line that ends with one of these ends its paragraph (a semicolon does not).
_TERMINAL = tuple(".!?。！？…:：")
_OPTION = re.compile(r"^-{1,2}[\w?#@][\w.#@?-]*(?:[=\[][^\s]*)?,?$")
# An option and its argument are ASCII (``--sparse=WHEN``, ``-b SIZE``), whatever the
# language of the page around them.
_ARGUMENT = r"(?:[=\[ ]?[<\[{]?[A-Za-z0-9_.|=-]+[>\]}]?(?: (?:;|\{\} ?[+;]))?)?"  # "=WHEN", " FILE", " command ;"
_OPTION_HEAD = re.compile(
    rf"(?P<head>-{{1,2}}[A-Za-z0-9?#@][A-Za-z0-9_.#@?-]*{_ARGUMENT}"
    rf"(?:,?[ \t]+-{{1,2}}[A-Za-z0-9?#@][A-Za-z0-9_.#@?-]*{_ARGUMENT})*,?)"
    r"(?P<gap>[ \t]{2,}|$)"
)
_PROMPT = re.compile(r"^(?:\s*\$\s|\s+#\s|\s*%\s)")
_MAN_EDGE = re.compile(r"\S+\([0-9][A-Za-z0-9]*\)\s*$")
_GAP = re.compile(r"\S( {3,}|\t+)(?=\S)")
_LOWER_START = re.compile(r"^[a-zà-ÿ(\"'“‘]")


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: two for a wide (East Asian) character."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _commandish(body: str) -> bool:
    """Mostly options, brackets and placeholders: a synopsis or a command, not prose."""
    if "-" not in body and "[" not in body:  # no option, no bracket: prose
        return False
    tokens = body.split()
    if not tokens:
        return False

    def technical(token: str) -> bool:
        return bool(_OPTION.match(token) or token in ("[", "]", "|", "...", "…", "{", "}")
                    or token.startswith(("[", "<", "{", "/", "./", "~/")) or token.endswith(("]", ">", "}"))
                    or "=" in token or "/" in token)

    # The words beside the options are placeholders (FILE, SOURCE, 檔案), never a phrase in
    # another script: "-n 選項同時被使用時無效" is prose about an option.
    if any(not technical(token) and not token.isascii() and len(token) > 4 for token in tokens):
        return False
    count = sum(1 for token in tokens if technical(token))
    return count * 2 >= len(tokens) and any(_OPTION.match(token) or token.startswith("[") for token in tokens)


def kept_line(line: str) -> bool:
    """A line of layout, kept as it is (see the module's docstring)."""
    body = line.strip()
    if not body or not any(ch.isalpha() for ch in body):
        return True
    if _PROMPT.match(line):
        return True
    if _MAN_EDGE.search(body) and (body.count("(") >= 2 or re.search(r"\s{3,}", body)):
        return True
    return _commandish(body)


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.blocks: list[Block] = []
        self.open: dict | None = None  # the paragraph being read: runs, indentation, last line
        self.head_indent: int | None = None  # indentation of the option head above, if any

    def close(self) -> None:
        if self.open is not None and self.open["runs"]:
            self.blocks.append(Block(self.open["runs"], kind=self.open["kind"]))
        self.open = None

    def start(self, start: int, end: int, indent: int, kind: str = "paragraph") -> None:
        self.close()
        self.open = {"runs": text_runs(self.text, start, end), "indent": indent, "continuation": None,
                     "last": self.text[start:end], "kind": kind, "width": display_width(self.text[start:end])}

    def continues(self, body_start: int, end: int, indent: int, group_width: int) -> bool:
        """Does the line (its prose from ``body_start`` to ``end``) continue the paragraph?"""
        paragraph = self.open
        if paragraph is None or paragraph["kind"] in ("heading", "table-cell"):
            return False
        wanted = paragraph["continuation"] if paragraph["continuation"] is not None else paragraph["indent"]
        # An option's description may go on a little further in (``--help`` output does), or
        # back at the page's indentation when its head was long (``man`` does).
        if indent != wanted and not (paragraph["kind"] == "option" and paragraph["head"] < indent <= wanted + 4):
            return False
        last = paragraph["last"].rstrip()
        if not last or last.endswith(_TERMINAL):
            return False
        following = self.text[body_start:end]
        full = display_width(paragraph["last"]) + paragraph["indent"] >= max(40, int(0.75 * group_width))
        return bool(_LOWER_START.match(following)) or full

    def extend(self, body_start: int, end: int, indent: int) -> None:
        """Join the line to the open paragraph: its line break (and indentation) is a
        whitespace run, its words text runs."""
        paragraph = self.open
        runs = paragraph["runs"]
        runs.append(whitespace_run(self.text, runs[-1].end, body_start))
        runs.extend(text_runs(self.text, body_start, end))
        paragraph["continuation"] = indent
        paragraph["last"] = self.text[body_start:end]

    def read(self) -> Layout:
        text = self.text
        lines = text.splitlines(keepends=True)
        offsets, position = [], 0
        for line in lines:
            offsets.append(position)
            position += len(line)
        group_width = 0
        for number, line in enumerate(lines):
            start = offsets[number]
            body = line.rstrip("\r\n")
            if not body.strip():
                self.close()
                group_width = 0
                continue
            if group_width == 0:  # the widest line of this group of lines, for "full"
                for following_number in range(number, len(lines)):
                    following = lines[following_number]
                    if not following.strip():
                        break
                    group_width = max(group_width, display_width(following.rstrip("\r\n")))
            indent = _indent(body)
            stripped_end = start + len(body.rstrip())
            # A paragraph that runs on goes on, even onto a line that begins with an option
            # ("--sparse=auto  ..." in a justified paragraph) or looks like a command.
            if self.continues(start + indent, stripped_end, indent, group_width):
                self.extend(start + indent, stripped_end, indent)
                continue
            if kept_line(body):
                self.close()
                if _OPTION_HEAD.match(body, indent):  # a head alone: its description follows, further in
                    self.head_indent = indent
                continue
            head = _OPTION_HEAD.match(body, indent)
            # "-H,  -L, -P and ..." is a justified sentence about options, not a head; so is a
            # line further in than the option above it: its description ("-lname  と同様...").
            if head and (head.group("head").endswith(",")
                         or (self.head_indent is not None and indent > self.head_indent)
                         or self._runs_on_at(lines, number, indent)):
                head = None
            if head:
                self.head_indent = indent
            elif self.head_indent is not None and indent <= self.head_indent:
                self.head_indent = None
            if head:
                self.close()
                description = head.end()
                if description < len(body.rstrip()):
                    self.start(start + description, start + len(body.rstrip()), description, kind="option")
                    self.open["continuation"] = description
                    self.open["head"] = indent
                continue
            # Gaps in a full line are a justified paragraph's, not columns.
            full = display_width(body) >= max(40, int(0.75 * group_width))
            cells = [(0, len(body))] if full else self._cells(body)
            if len(cells) > 1:
                self.close()
                for cell_start, cell_end in cells:
                    cell = body[cell_start:cell_end]
                    if not kept_line(cell) and not _OPTION_HEAD.fullmatch(cell):
                        self.start(start + cell_start, start + cell_end, cell_start, kind="table-cell")
                        self.close()
                continue
            self.start(start + indent, stripped_end, indent, kind=self._kind(body, indent))
        self.close()
        return Layout(NAME, self.blocks)

    def _runs_on_at(self, lines: list[str], number: int, indent: int) -> bool:
        """Does the line run on into the next one at its own indentation, as a paragraph
        does (a description that wraps goes on further in, under itself)?"""
        if number + 1 >= len(lines):
            return False
        following = lines[number + 1].rstrip("\r\n")
        body = lines[number].rstrip("\r\n").rstrip()
        return bool(following.strip()) and _indent(following) == indent and not body.endswith(_TERMINAL)

    @staticmethod
    def _cells(body: str) -> list[tuple[int, int]]:
        """The cells of a line with column gaps (three spaces or more, or tabs)."""
        if not _GAP.search(body):
            return [(0, len(body))]
        cells, position = [], _indent(body)
        for gap in _GAP.finditer(body):
            cells.append((position, gap.start(1)))
            position = gap.end(1)
        cells.append((position, len(body.rstrip())))
        return [(a, b) for a, b in cells if b > a]

    @staticmethod
    def _kind(body: str, indent: int) -> str:
        """A section title of a manual page (``DESCRIPTION``, ``OPTIONS``) is a heading."""
        stripped = body.strip()
        if indent or len(stripped) >= 40:
            return "paragraph"
        cased = [ch for ch in stripped if ch.isupper() or ch.islower()]
        if cased and all(ch.isupper() for ch in cased):
            return "heading"
        return "paragraph"


def parse(text: str) -> Layout:
    return _Reader(text).read()


def sniff(head: str) -> bool:
    return True


def _as_is(english: str, starts_block: bool) -> str:
    return english


ESCAPES = {"plain": _as_is}
