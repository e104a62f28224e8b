"""HTML and XHTML, read with the standard library's tokenizer (``html.parser``, the one
BeautifulSoup builds on), which reports where every tag, comment, declaration and piece of
text starts: the reader needs source offsets, and a tree builder (lxml, html5lib) would
normalise the page instead of keeping it.

- Blocks: the text inside block-level elements (``p``, ``li``, ``td``, ``h1``...; any
  element not in ``INLINE``), cut at their tags; inline elements (``a``, ``b``, ``em``,
  ``span``...) stay inside their sentence as markup. ``<title>`` is a block too.
- Kept byte for byte: the DOCTYPE, an XML declaration, processing instructions, comments,
  CDATA, ``<script>``, ``<style>``, ``<pre>``, ``<textarea>``, ``<svg>``, ``<math>``, and
  every element marked ``translate="no"`` or ``class="notranslate"``. Inline ``<code>``,
  ``<kbd>``, ``<samp>`` and ``<var>`` are kept inside their sentence (the model sees a
  placeholder).
- Attributes translated: ``title``, ``alt``, ``placeholder``, ``aria-label``, and the
  ``content`` of ``<meta name="description">``. An ``<img>`` inside a paragraph ends a
  sentence there (its ``alt`` is a block of its own); a ``title`` on an inline element
  inside a sentence is kept.
- Entities are decoded for the model and the English is escaped on the way out.
- Once anything is translated, ``<html lang>`` says ``en``; a charset declared other than
  UTF-8 (the English is written in UTF-8) says ``utf-8``.
"""

from __future__ import annotations

import re
from html import escape, unescape
from html.parser import HTMLParser

from mtfix.formats.layout import Block, Layout, Run, prose_block_runs, text_runs

NAME = "html"
SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")

INLINE = frozenset("""a abbr acronym b bdi bdo big br cite code data del dfn em font i img ins kbd label mark nobr q
    rp rt ruby s samp small span strike strong sub sup time tt u var wbr""".split())
CODE_INLINE = frozenset({"code", "kbd", "samp", "var"})
KEPT = frozenset({"script", "style", "pre", "textarea", "svg", "math", "template", "noscript", "object", "iframe"})
VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
TRANSLATED_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")
# Attributes translated wherever the element stands (not only outside sentences).
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


def _attributes(tag_text: str, tag_start: int) -> list[tuple[str, int, int, str]]:
    """(name, value start, value end, value) of each attribute of a start tag, offsets in
    the document."""
    found = []
    name_end = re.match(r"<[^\s/>]+", tag_text)
    position = name_end.end() if name_end else 1
    for match in _ATTRIBUTE.finditer(tag_text, position):
        name = match.group(1).lower()
        for group in (2, 3, 4):
            if match.group(group) is not None:
                start, end = match.span(group)
                found.append((name, tag_start + start, tag_start + end, match.group(group)))
                break
    return found


def _marked_no(attributes: list[tuple[str, int, int, str]]) -> bool:
    for name, _, _, value in attributes:
        if name == "translate" and value.strip().lower() == "no":
            return True
        if name == "class" and "notranslate" in value.split():
            return True
    return False


class _Tokens(HTMLParser):
    """The document as (start, kind, name, raw) events; each ends where the next starts."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.events: list[tuple[tuple[int, int], str, str]] = []

    def _add(self, kind: str, name: str = "") -> None:
        self.events.append((self.getpos(), kind, name))

    def handle_starttag(self, tag, attrs):
        self._add("start", tag)

    def handle_startendtag(self, tag, attrs):
        self._add("startend", tag)

    def handle_endtag(self, tag):
        self._add("end", tag)

    def handle_data(self, data):
        self._add("data")

    def handle_entityref(self, name):
        self._add("entity")

    def handle_charref(self, name):
        self._add("entity")

    def handle_comment(self, data):
        self._add("other")

    def handle_decl(self, decl):
        self._add("other")

    def handle_pi(self, data):
        self._add("other")

    def unknown_decl(self, data):
        self._add("other")


def tokens(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, tag name) of every token of ``text[start:end]``, tiling it."""
    end = len(text) if end is None else end
    fragment = text[start:end]
    parser = _Tokens()
    parser.feed(fragment)
    parser.close()
    line_starts = [0]
    position = fragment.find("\n")
    while position >= 0:
        line_starts.append(position + 1)
        position = fragment.find("\n", position + 1)
    found = []
    for (line, column), kind, name in parser.events:
        found.append([start + line_starts[line - 1] + column, kind, name])
    result = []
    for index, (offset, kind, name) in enumerate(found):
        following = found[index + 1][0] if index + 1 < len(found) else end
        if following > offset:
            result.append((offset, following, kind, name))
    # What the tokenizer left unreported at the end (an unclosed "<" at the very end).
    if result and result[-1][1] < end:
        last = result[-1]
        result[-1] = (last[0], end, last[2], last[3])
    if not result and end > start:
        result.append((start, end, "data", ""))
    return result


class _Reader:
    def __init__(self, text: str, start: int, end: int | None, kind_of_text: str = "paragraph"):
        self.text = text
        self.tokens = tokens(text, start, end)
        self.blocks: list[Block] = []
        self.runs: list[Run] = []
        self.opens: dict[int, int] = {}
        self.stack: list[tuple[str, int]] = []  # inline elements open in the current block: (name, run index)
        self.kind = kind_of_text
        self.elements: list[str] = []  # block-level elements open, innermost last
        self.rewrites: list[tuple[int, int, str]] = []
        self.always: list[tuple[int, int, str]] = []

    # -- blocks -----------------------------------------------------------------------------
    def flush(self) -> None:
        runs = prose_block_runs(self.runs, self.opens, self.text)
        if runs is not None:
            self.blocks.append(Block(runs, kind=self.kind, escape="html"))
        self.runs, self.opens, self.stack = [], {}, []

    def attribute_blocks(self, name: str, attributes, inside_sentence: bool) -> None:
        wanted = TRANSLATED_ATTRIBUTES
        if name == "meta":
            meta_name = next((value.lower() for key, _, _, value in attributes if key in ("name", "property")), "")
            wanted = ("content",) if meta_name in ("description", "og:description", "og:title", "twitter:description",
                                                   "twitter:title") else ()
        for key, start, end, value in attributes:
            if key in wanted and end > start and any(ch.isalpha() for ch in value):
                if inside_sentence and not (name == "img" and key == "alt"):
                    continue
                shown = unescape(value)
                run = Run(start, end, text=None if shown == value else shown)
                self.blocks.append(Block([run], kind=f"attribute-{key}", escape="html-attribute"))

    # -- the walk ---------------------------------------------------------------------------
    def read(self) -> list[Block]:
        text, index = self.text, 0
        tokens_ = self.tokens
        while index < len(tokens_):
            start, end, kind, name = tokens_[index]
            index += 1
            if kind in ("data", "entity"):
                if kind == "entity":
                    shown = unescape(text[start:end])
                    self.runs.append(Run(start, end, text=shown if shown != text[start:end] else None))
                else:
                    self.runs.extend(text_runs(text, start, end))
                continue
            if kind == "other" and text.startswith("<!-- mtfix-part ", start):
                # A package's next part (mtfix.formats.package): a document of its own, even
                # after a part that is a fragment ending inside a sentence.
                self.flush()
                self.elements = []
                self.kind = self._kind("")
                continue
            if kind == "other":
                self.runs.append(Run(start, end, "void"))
                continue
            raw = text[start:end]
            attributes = _attributes(raw, start) if kind in ("start", "startend") else []
            if kind in ("start", "startend"):
                self._declarations(name, attributes)
            if kind in ("start", "startend") and (name in KEPT or _marked_no(attributes)) and name not in VOID:
                # Kept whole, to its end tag: inline, it is code inside the sentence.
                close = self._matching_end(index, name) if kind == "start" else index - 1
                kept_end = tokens_[close][1] if close < len(tokens_) else end
                if name in INLINE:
                    self.runs.append(Run(start, kept_end, "code"))
                else:
                    self.flush()
                index = close + 1
                continue
            if name in CODE_INLINE and kind == "start":
                close = self._matching_end(index, name)
                kept_end = tokens_[close][1] if close < len(tokens_) else end
                self.runs.append(Run(start, kept_end, "code"))
                index = close + 1
                continue
            if name not in INLINE:
                self.flush()
                if kind == "start" and name not in VOID:
                    self.elements.append(name)
                elif kind == "end" and name in self.elements:
                    del self.elements[len(self.elements) - 1 - self.elements[::-1].index(name):]
                self.kind = self._kind(self.elements[-1] if self.elements else "")
                self.attribute_blocks(name, attributes, inside_sentence=False)
                continue
            inside = any(run.role == "text" for run in self.runs)
            if name in VOID or kind == "startend":
                self.runs.append(Run(start, end, "void", boundary=bool(name == "br" or (
                    name == "img" and any(key == "alt" and value.strip() for key, _, _, value in attributes)))))
                self.attribute_blocks(name, attributes, inside_sentence=inside)
            elif kind == "start":
                self.stack.append((name, len(self.runs)))
                self.runs.append(Run(start, end, "open"))
                self.attribute_blocks(name, attributes, inside_sentence=True)
            else:
                opener = next((i for i in range(len(self.stack) - 1, -1, -1) if self.stack[i][0] == name), None)
                if opener is None:
                    self.runs.append(Run(start, end, "void"))
                else:
                    self.opens[self.stack[opener][1]] = len(self.runs)
                    del self.stack[opener:]
                    self.runs.append(Run(start, end, "close"))
        self.flush()
        return self.blocks

    def _matching_end(self, index: int, name: str) -> int:
        """The index of the end tag that closes the element opened just before ``index``."""
        depth = 1
        for position in range(index, len(self.tokens)):
            _, _, kind, other = self.tokens[position]
            if other != name:
                continue
            if kind == "start":
                depth += 1
            elif kind == "end":
                depth -= 1
                if depth == 0:
                    return position
        return len(self.tokens) - 1

    @staticmethod
    def _kind(name: str) -> str:
        if re.fullmatch(r"h[1-6]", name):
            return "heading"
        return {"title": "title", "li": "list-item", "td": "table-cell", "th": "table-cell", "blockquote": "quote",
                "caption": "caption", "figcaption": "caption", "dt": "term", "dd": "definition",
                "option": "option", "button": "label"}.get(name, "paragraph")

    def _declarations(self, name: str, attributes) -> None:
        """``<html lang>`` to say English once translated; a charset other than UTF-8 to
        say UTF-8, which the English is written in."""
        for key, start, end, value in attributes:
            if name == "html" and key in ("lang", "xml:lang") and value.strip().lower() not in ("en", "en-us", "en-gb"):
                self.rewrites.append((start, end, "en"))
            if name == "meta" and key == "charset" and value.strip().lower() not in ("utf-8", "utf8"):
                self.always.append((start, end, "utf-8"))
            if name == "meta" and key == "content":
                charset = _CHARSET.search(value)
                if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
                    self.always.append((start + charset.start(1), start + charset.end(1), "utf-8"))


_XML_ENCODING = re.compile(r"""\A\ufeff?<\?xml[^>]*?\bencoding\s*=\s*["']([\w.:-]+)["']""")


def read_blocks(text: str, start: int = 0, end: int | None = None) -> tuple[list[Block], list, list]:
    """Blocks of ``text[start:end]`` (an HTML document or fragment), and the rewrites it
    asks for (see the module's docstring): (blocks, when translated, always)."""
    reader = _Reader(text, start, end)
    blocks = reader.read()
    return blocks, reader.rewrites, reader.always


def parse(text: str) -> Layout:
    blocks, rewrites, always = read_blocks(text)
    declared = _XML_ENCODING.match(text)
    if declared and declared.group(1).lower() not in ("utf-8", "utf8"):
        always.append((declared.start(1), declared.end(1), "UTF-8"))
    blocks.sort(key=lambda block: (block.start, -block.end))
    return Layout(NAME, blocks, rewrites=sorted(rewrites), always=sorted(always))


_SNIFF = re.compile(r"\A\ufeff?\s*(?:<!--.*?-->\s*)*(?:<!DOCTYPE\s+html|<html[\s>]|<\?xml[^>]*>\s*(?:<!DOCTYPE\s+html|<html))",
                    re.IGNORECASE | re.DOTALL)


def sniff(head: str) -> bool:
    return bool(_SNIFF.match(head))


ESCAPES = {
    "html": lambda english, starts_block: escape(english, quote=False),
    "html-attribute": lambda english, starts_block: escape(english, quote=True),
}
