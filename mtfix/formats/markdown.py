"""Markdown (CommonMark with GitHub's tables, footnotes, strikethrough and task lists),
read with pulldown-cmark through ``pyromark``: it reports the source range of every event,
inline ones included, which is what putting markup back around translated words needs
(markdown-it-py maps block tokens to lines only).

- Blocks: paragraphs, headings, list items, table cells, footnote definitions, quotes.
- Inline markup stays in its sentence: emphasis, strong, strikethrough, links (the text is
  translated, ``](target)`` kept), images (the alt text is translated), inline HTML tags.
- Kept byte for byte: code blocks (fenced and indented), inline code, autolinks, math, HTML
  blocks' tags and code (their text is read as HTML: :mod:`mtfix.formats.html`), link
  reference definitions, footnote references, task-list markers, kramdown lines
  (``{:toc}``), and YAML front matter, of which only the values of the keys in
  ``PROSE_KEYS`` are translated (found with PyYAML, so quoting is respected).
"""

from __future__ import annotations

import json
import re

from mtfix.formats import html
from mtfix.formats.layout import Block, Layout, Run, prose_block_runs, text_runs, whitespace_run

NAME = "markdown"
SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")

PROSE_KEYS = frozenset({"title", "subtitle", "description", "excerpt", "summary", "caption", "alt", "abstract",
                        "tagline"})
_INLINE_TAGS = frozenset({"Emphasis", "Strong", "Strikethrough", "Superscript", "Subscript", "Link", "Image"})
_REPAIRABLE = frozenset({"Emphasis", "Strong", "Strikethrough"})
_KRAMDOWN = re.compile(r"^\s*(?:(?:[*+-]\s+)?content\s*\n)?\s*\{:[^}\n]*\}\s*$")
_HTML_TAG = re.compile(r"^<(/?)([A-Za-z][A-Za-z0-9-]*)")
_CONTAINER_PREFIX = re.compile(r"[ \t>]*")


def _options():
    import pyromark

    flags = pyromark.Options
    return (flags.ENABLE_TABLES | flags.ENABLE_FOOTNOTES | flags.ENABLE_STRIKETHROUGH | flags.ENABLE_TASKLISTS
            | flags.ENABLE_YAML_STYLE_METADATA_BLOCKS | flags.ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS)


class _Offsets:
    """Character offsets for pulldown-cmark's UTF-8 byte offsets."""

    def __init__(self, text: str):
        self.data = text.encode("utf-8")
        self.ascii = text.isascii()
        # Where each run of non-ASCII characters begins (in bytes and in characters).
        self.runs: list[tuple[int, int, int]] = []  # (byte start, byte end, chars before)
        if not self.ascii:
            extra = 0
            for match in re.finditer(rb"[\x80-\xff]+", self.data):
                chars = len(match.group().decode("utf-8", "surrogatepass"))
                self.runs.append((match.start(), match.end(), match.start() - extra))
                extra += match.end() - match.start() - chars
            self.starts = [run[0] for run in self.runs]

    def char(self, offset: int) -> int:
        if self.ascii:
            return offset
        from bisect import bisect_right

        index = bisect_right(self.starts, offset) - 1
        if index < 0:
            return offset
        byte_start, byte_end, chars_before = self.runs[index]
        if offset >= byte_end:
            extra_so_far = byte_start - chars_before + (byte_end - byte_start
                                                       - len(self.data[byte_start:byte_end].decode("utf-8", "surrogatepass")))
            return offset - extra_so_far
        return chars_before + len(self.data[byte_start:offset].decode("utf-8", "surrogatepass"))


class _Reader:
    def __init__(self, text: str):
        self.text = text
        self.blocks: list[Block] = []
        self.runs: list[Run] = []
        self.opens: dict[int, int] = {}
        self.inline: list[tuple[str, int]] = []  # inline tags open: (tag, run index of the open run)
        self.containers: list[str] = []
        self.skip_depth = 0  # inside a code block, an HTML block or metadata: events not read
        self.skipping: str | None = None
        self.html_stack: list[tuple[str, int]] = []
        self.code_until: str | None = None  # an inline HTML <code>: kept to its end tag
        self.code_start = 0

    # -- blocks -----------------------------------------------------------------------------
    def kind(self) -> str:
        for container in reversed(self.containers):
            if container in ("Heading", "TableCell", "Item", "BlockQuote", "FootnoteDefinition",
                             "DefinitionListTitle", "DefinitionListDefinition"):
                return {"Heading": "heading", "TableCell": "table-cell", "Item": "list-item", "BlockQuote": "quote",
                        "FootnoteDefinition": "footnote", "DefinitionListTitle": "term",
                        "DefinitionListDefinition": "definition"}[container]
        return "paragraph"

    def flush(self) -> None:
        runs = prose_block_runs(self.runs, self.opens, self.text)
        if runs is not None and not _KRAMDOWN.match(self.text[runs[0].start : runs[-1].end]):
            self.blocks.append(Block(runs, kind=self.kind(), escape="markdown"))
        self.runs, self.opens, self.inline, self.html_stack = [], {}, [], []

    def _shown(self, run: Run) -> str:
        return self.text[run.start : run.end] if run.text is None else run.text

    def add(self, run: Run) -> None:
        """Add a run; what the events left uncovered before it (a backslash of an escape,
        the ``>`` of a quote's next line) is markup kept with it, or the rest of an inline
        element's opening markup (``[``, ``**``) when one was just opened."""
        shown = self._shown(run)
        if (run.role == "text" and run.start > (self.runs[-1].end if self.runs else 0)
                and self.text[run.start - 1] == "\\" and len(shown) == 1 and shown.isascii() and not shown.isalnum()):
            # A backslash escape (``\*``): the character it escapes, as one run.
            run = Run(run.start - 1, run.end, text=shown)
        if self.runs and run.start > self.runs[-1].end:
            last = self.runs[-1]
            gap_start = last.end
            if last.role == "open" and last.start == last.end:
                self.runs[-1] = Run(last.start, run.start, "open", repairable=last.repairable)
            elif run.start == gap_start:
                pass
            elif self.text[gap_start : run.start].isspace():
                self.runs.append(whitespace_run(self.text, gap_start, run.start))
            else:
                self.runs.append(Run(gap_start, run.start, "void"))
        self.runs.append(run)

    # -- events -----------------------------------------------------------------------------
    def read(self) -> Layout:
        import pyromark

        offsets = _Offsets(self.text)
        for event, span in pyromark.events_with_range(self.text, options=_options()):
            start, end = offsets.char(span["start"]), offsets.char(span["end"])
            self.event(event, start, end)
        self.flush()
        self.blocks.sort(key=lambda block: (block.start, -block.end))
        return Layout(NAME, self.blocks)

    def event(self, event, start: int, end: int) -> None:
        if isinstance(event, dict):
            (kind, value), = event.items()
        else:
            kind, value = event, None
        if self.skipping is not None:
            if kind == "End" and _tag(value) == self.skipping:
                self.skip_depth -= 1
                if self.skip_depth == 0:
                    self.skipping = None
            elif kind == "Start" and _tag(value) == self.skipping:
                self.skip_depth += 1
            return
        if self.code_until is not None:
            if kind == "InlineHtml" and _HTML_TAG.match(value or "") and _HTML_TAG.match(value).group(2).lower() == self.code_until \
                    and _HTML_TAG.match(value).group(1):
                self.code_until = None
                self.add(Run(self.code_start, end, "code"))
            return
        if kind == "Start":
            tag = _tag(value)
            if tag in _INLINE_TAGS:
                self.start_inline(tag, value, start, end)
            else:
                self.start_block(tag, value, start, end)
        elif kind == "End":
            tag = _tag(value)
            if tag in _INLINE_TAGS:
                self.end_inline(tag, start, end)
            else:
                self.flush()
                if self.containers and self.containers[-1] == tag:
                    self.containers.pop()
        elif kind == "Text":
            if self.text[start:end] == value:
                for run in text_runs(self.text, start, end):
                    self.add(run)
            else:  # an entity or an escape: shown decoded
                self.add(Run(start, end, text=value))
        elif kind in ("Code", "InlineMath", "DisplayMath"):
            self.add(Run(start, end, "code"))
        elif kind == "SoftBreak":
            # The line break and the next line's container marks (">", indentation) are one
            # break: joined for the model, gone when the block is rewritten on one line.
            prefix = _CONTAINER_PREFIX.match(self.text, end)
            self.add(whitespace_run(self.text, start, prefix.end() if prefix else end))
        elif kind == "HardBreak":
            self.add(Run(start, end, "void", boundary=True))
        elif kind in ("FootnoteReference", "TaskListMarker"):
            self.add(Run(start, end, "void"))
        elif kind == "InlineHtml":
            self.inline_html(value, start, end)
        elif kind == "Html":
            pass  # inside an HTML block: read there
        elif kind == "Rule":
            self.flush()

    def start_block(self, tag: str, value, start: int, end: int) -> None:
        self.flush()
        if tag in ("CodeBlock", "MetadataBlock", "HtmlBlock"):
            if tag == "MetadataBlock" and value.get("MetadataBlock") == "YamlStyle":
                self.front_matter(start, end)
            elif tag == "HtmlBlock":
                blocks, _, _ = html.read_blocks(self.text, start, end)
                self.blocks.extend(blocks)
            self.skipping, self.skip_depth = tag, 1
            return
        self.containers.append(tag)

    def start_inline(self, tag: str, value, start: int, end: int) -> None:
        # An autolink is a URL; the text of a shortcut or collapsed reference (``[foo]``,
        # ``[foo][]``) is the label that finds its target: both are kept as they are.
        if tag in ("Link", "Image") and value[tag]["link_type"] in ("Autolink", "Email", "Shortcut", "Collapsed",
                                                                    "ShortcutUnknown", "CollapsedUnknown"):
            self.add(Run(start, end, "code"))
            self.skipping, self.skip_depth = tag, 1
            return
        self.add(Run(start, start, "open", repairable=tag in _REPAIRABLE))
        self.inline.append((tag, len(self.runs) - 1))

    def end_inline(self, tag: str, start: int, end: int) -> None:
        """The open run ends where its first child began; the close run begins where the
        last child ended."""
        if not self.inline:
            return
        _, open_index = self.inline.pop()
        opened = self.runs[open_index]
        if open_index == len(self.runs) - 1:
            # Nothing inside (``[](x)``): the whole element is one piece of markup.
            self.runs[open_index] = Run(opened.start, end, "void", repairable=opened.repairable)
            return
        self.opens[open_index] = len(self.runs)
        self.runs.append(Run(self.runs[-1].end, end, "close", repairable=opened.repairable))

    def inline_html(self, value: str, start: int, end: int) -> None:
        match = _HTML_TAG.match(value or "")
        if not match:
            self.add(Run(start, end, "void"))
            return
        closing, name = match.group(1), match.group(2).lower()
        if not closing and (name in html.CODE_INLINE or 'translate="no"' in value or "notranslate" in value):
            self.code_until, self.code_start = name, start
            return
        if closing:
            opener = next((i for i in range(len(self.html_stack) - 1, -1, -1) if self.html_stack[i][0] == name), None)
            if opener is not None:
                self.opens[self.html_stack[opener][1]] = len(self.runs)
                del self.html_stack[opener:]
                self.add(Run(start, end, "close"))
                return
            self.add(Run(start, end, "void"))
            return
        if name in html.VOID or value.rstrip().endswith("/>"):
            self.add(Run(start, end, "void", boundary=name == "br"))
            return
        self.add(Run(start, end, "open"))
        self.html_stack.append((name, len(self.runs) - 1))

    def front_matter(self, start: int, end: int) -> None:
        """Blocks for the prose values of YAML front matter (``---`` ... ``---``)."""
        import yaml

        body_start = self.text.find("\n", start) + 1
        body_end = self.text.rfind("\n", start, end)
        if body_start <= 0 or body_end < body_start:
            return
        try:
            root = yaml.compose(self.text[body_start:body_end], Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            return  # not YAML after all: kept as it is
        if not isinstance(root, yaml.MappingNode):
            return
        for key, node in root.value:
            if not (isinstance(key, yaml.ScalarNode) and isinstance(node, yaml.ScalarNode)):
                continue
            if str(key.value).lower() not in PROSE_KEYS or node.style in ("|", ">") or node.tag != "tag:yaml.org,2002:str":
                continue
            value_start, value_end = body_start + node.start_mark.index, body_start + node.end_mark.index
            escape = {None: "yaml-plain", "'": "yaml-single", '"': "yaml-double"}.get(node.style)
            if escape is None or not any(ch.isalpha() for ch in node.value):
                continue
            if node.style in ("'", '"'):
                value_start, value_end = value_start + 1, value_end - 1
            shown = node.value
            run = Run(value_start, value_end, text=None if self.text[value_start:value_end] == shown else shown)
            self.blocks.append(Block([run], kind="front-matter", escape=escape))


def _tag(value) -> str:
    if isinstance(value, dict):
        return next(iter(value))
    return value


def parse(text: str) -> Layout:
    return _Reader(text).read()


_SNIFF = re.compile(r"\A\ufeff?---\r?\n|^#{1,6} \S|^(?:```|~~~)", re.MULTILINE)


def sniff(head: str) -> bool:
    """Front matter, ATX headings or code fences."""
    return bool(_SNIFF.search(head))


_SPECIAL = re.compile(r"[\\`*\[\]|]|(?<!\w)_|_(?!\w)|<(?=[A-Za-z/!?])")
_BLOCK_START = re.compile(r"\A(?:#|>|[-+] |\d+[.)] )")


def escape_markdown(english: str, starts_block: bool) -> str:
    """English as Markdown text: characters that would start markup escaped with a
    backslash (an emphasis star, a bracket, a backtick, a tag's ``<``, a table pipe, and
    what would start a heading, a quote or a list at the start of the block)."""
    escaped = _SPECIAL.sub(lambda match: "\\" + match.group(), english)
    start = _BLOCK_START.match(escaped) if starts_block else None
    if start:
        marker = start.group()
        # "1. " is escaped as "1\. ", the other markers by a backslash before them.
        escaped = (marker[:-2] + "\\" + marker[-2:] + escaped[len(marker):] if marker[0].isdigit()
                   else "\\" + escaped)
    return escaped


# A plain YAML scalar may not contain these; a translation that does is double-quoted.
_YAML_UNSAFE = (": ", " #", "\t")
_YAML_UNSAFE_START = tuple("!&*?|>'\"%@`{}[],#-:")


def _yaml_plain(english: str, starts_block: bool) -> str:
    if (any(mark in english for mark in _YAML_UNSAFE) or english.startswith(_YAML_UNSAFE_START)
            or english.endswith(":") or english != english.strip()):
        return json.dumps(english, ensure_ascii=False)
    return english


ESCAPES = {
    "markdown": escape_markdown,
    # json.dumps escapes exactly as YAML double-quoted scalars need; without its quotes.
    "yaml-double": lambda english, starts_block: json.dumps(english, ensure_ascii=False)[1:-1],
    "yaml-single": lambda english, starts_block: english.replace("'", "''"),
    "yaml-plain": _yaml_plain,
}


def _inline_shape(text: str) -> list[str]:
    """The inline elements of ``text`` read as Markdown, in order."""
    import pyromark

    shape = []
    for event in pyromark.events(text, options=_options()):
        if isinstance(event, dict):
            (kind, value), = event.items()
            if kind == "Start" and _tag(value) in _INLINE_TAGS:
                shape.append(_tag(value))
            elif kind in ("Code", "InlineHtml", "FootnoteReference"):
                shape.append(kind)
    return shape


def same_inline_markup(source: str, english: str) -> bool:
    """Does the English block hold the inline markup its source held? Emphasis delimiters
    next to the English's punctuation can stop being delimiters (CommonMark's flanking
    rules); the writer then writes them as HTML tags (``FALLBACKS``)."""
    return _inline_shape(source) == _inline_shape(english)


_AS_HTML = {"**": "strong", "__": "strong", "*": "em", "_": "em", "~~": "del", "~": "del"}


def as_html(markup: str, role: str) -> str | None:
    """An emphasis delimiter as the HTML tag it renders to (None for other markup)."""
    tag = _AS_HTML.get(markup)
    if tag is None:
        return None
    return f"<{tag}>" if role == "open" else f"</{tag}>"


CHECKS = {"markdown": same_inline_markup}
FALLBACKS = {"markdown": as_html}
