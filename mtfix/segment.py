"""Segmentation: find the translatable sentences of a document and keep everything else.

``split_document(text, markdown) -> list[Piece]`` returns spans of the (cleaned) text. What
lies between pieces (markup, list markers, URLs, code, blank lines) is kept verbatim by the
writers, so an English Markdown post is still a valid Markdown post.

Structure understood (Markdown mode): YAML front matter (only the values of human-readable
keys are translated), ATX headings, list items, block quotes, tables, fenced code (kept),
kramdown attribute lines such as ``{:toc}`` (kept, with the ``* content`` line before it),
HTML tags, comments, script and style blocks (kept), inline code, links (the link text is
translated, the target kept), images and bare URLs (kept). In plain-text mode only lines and
sentences matter.

Sentences are split with CJK rules (``。！？；…`` end a sentence, with or without a space
after) and Latin rules (``.!?`` followed by a space and a capital, except after known
abbreviations and initials; decimals, URLs and e-mails contain no space and never split).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Front-matter keys whose values are prose.
TRANSLATABLE_FRONT_MATTER_KEYS = frozenset(
    {"title", "subtitle", "description", "excerpt", "summary", "caption", "alt", "abstract", "tagline"}
)

# Lower-cased abbreviations that end with a period but rarely end a sentence.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt vs etc e.g i.e cf al inc ltd co corp dept est fig figs no nos
    vol vols pp approx jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n a.m p.m ph.d
    gen gov sen rep rev lt col capt sgt jl dll dkk tsb hlm""".split()
)


@dataclass(frozen=True)
class Piece:
    """A span of the cleaned text that is a unit of translation (or a word-less unit)."""

    start: int
    end: int
    kind: str  # sentence, heading, list-item, quote, table-cell, front-matter, link-text, nonword


HEADING = re.compile(r"^ {0,3}(#{1,6})(?=\s|$)[ \t]*")
LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
QUOTE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+")
FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
RULE = re.compile(r"^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
SETEXT = re.compile(r"^[ \t]{0,3}=+[ \t]*$")
KRAMDOWN_LINE = re.compile(r"^[ \t]*\{:[^}]*\}[ \t]*$")
TABLE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
TABLE_DELIMITER = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
RAW_HTML_OPEN = re.compile(r"<(script|style|pre|code)\b[^>]*>", re.IGNORECASE)

# Inline spans that are kept verbatim, in priority order (first alternative wins at a point).
INLINE_KEPT = re.compile(
    r"""
    (?P<code>(?P<ticks>`+).+?(?P=ticks))                     # inline code
  | (?P<image>!\[[^\]\n]*\]\([^)\n]*\))                      # image, alt text included
  | (?P<link_open>\[)(?=[^\]\n]+\]\([^)\n]*\))               # link text follows, target kept below
  | (?P<link_target>\]\([^)\n]*\))                           # ](target "title")
  | (?P<ref_target>\]\[[^\]\n]*\])                           # ][ref]
  | (?P<comment><!--.*?-->)
  | (?P<tag></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)        # HTML tag
  | (?P<autolink><(?:https?|ftp|mailto):[^>\s]+>)
  | (?P<url>(?:https?|ftp)://[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'"”’）。，])
  | (?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
  | (?P<kramdown>\{:[^}\n]*\})
    """,
    re.VERBOSE,
)

# Markers of emphasis at the edges of a run stay outside the segment.
EDGE_MARKUP = re.compile(r"^[\s*_~]+|[\s*_~]+$")

CJK_TERMINAL = "。！？；…"
CLOSERS = "”’」』）)》〉】\"'"
SENTENCE_END = re.compile(
    r"""
    (?P<cjk>[。！？；]+|…+|\.{3,})[%s]*                  # CJK terminal: no space needed
  | (?P<ascii_cjk>[!?]+)[%s]*(?=[\u3000-\u9fff\uac00-\ud7af])   # ASCII !? before CJK text
  | (?P<latin>[.!?]+)[%s]*(?=\s+[\"'“‘(\[]?[A-Z0-9\u00c0-\u024f\u0370-\u04ff\u3000-\u9fff\uac00-\ud7af])
    """
    % (re.escape(CLOSERS), re.escape(CLOSERS), re.escape(CLOSERS)),
    re.VERBOSE,
)
WORD_BEFORE = re.compile(r"([\w.]+)$")


def has_words(text: str) -> bool:
    """True when ``text`` has at least one letter: only such text is sent to a model."""
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def _is_abbreviation(text: str, dot: int) -> bool:
    """Is the period at ``text[dot]`` part of an abbreviation or an initial?"""
    match = WORD_BEFORE.search(text, 0, dot)
    if not match:
        return False
    word = match.group(1).rstrip(".")
    if not word:
        return False
    if len(word) == 1 and word.isupper():  # an initial: "J. R. R. Tolkien"
        return True
    return word.lower() in ABBREVIATIONS or word.lower().split(".")[-1] in ABBREVIATIONS and "." in word


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (whitespace at the edges excluded).

    >>> s = "成立仅两个月，MSL已痛失三位大脑。最新爆料称，两位员工回流到OpenAI。"
    >>> [s[a:b] for a, b in split_sentences(s)]
    ['成立仅两个月，MSL已痛失三位大脑。', '最新爆料称，两位员工回流到OpenAI。']
    >>> s = "Dr. Smith paid $1.25 billion. See https://x.org/a.b for more."
    >>> [s[a:b] for a, b in split_sentences(s)]
    ['Dr. Smith paid $1.25 billion.', 'See https://x.org/a.b for more.']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        if match.group("latin") and match.group("latin").endswith(".") and len(match.group("latin")) == 1:
            if _is_abbreviation(text, match.start("latin")):
                continue
        end = match.end()
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    result = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            result.append((a, b))
    return result


class _Splitter:
    def __init__(self, text: str, markdown: bool):
        self.text = text
        self.markdown = markdown
        self.pieces: list[Piece] = []

    # -- runs of prose -------------------------------------------------------------------
    def add_run(self, start: int, end: int, kind: str) -> None:
        """Split ``text[start:end]`` (prose with no kept markup) into sentences."""
        run = self.text[start:end]
        edge = EDGE_MARKUP.match(run)
        lead = edge.end() if edge else 0
        tail_match = EDGE_MARKUP.search(run, lead)
        tail = tail_match.start() if tail_match else len(run)
        if tail <= lead:
            return
        for a, b in split_sentences(run[lead:tail]):
            a, b = start + lead + a, start + lead + b
            piece_kind = kind if has_words(self.text[a:b]) else "nonword"
            self.pieces.append(Piece(a, b, piece_kind))

    def add_inline(self, start: int, end: int, kind: str) -> None:
        """Prose that may hold inline markup: kept spans split it into runs."""
        if not self.markdown:
            # Plain text: URLs and e-mails are still kept out of sentences' edges but stay
            # inside them; nothing else is markup.
            self.add_run(start, end, kind)
            return
        position = start
        link_depth_kind = kind
        for match in INLINE_KEPT.finditer(self.text, start, end):
            if match.start() > position:
                self.add_run(position, match.start(), link_depth_kind)
            if match.group("link_open"):
                link_depth_kind = "link-text"
            elif match.group("link_target") or match.group("ref_target"):
                link_depth_kind = kind
            position = match.end()
        if position < end:
            self.add_run(position, end, link_depth_kind)

    # -- block structure -----------------------------------------------------------------
    def split(self) -> list[Piece]:
        text = self.text
        lines = text.splitlines(keepends=True)
        offsets = []
        position = 0
        for line in lines:
            offsets.append(position)
            position += len(line)

        index = 0
        if self.markdown:
            index = self.front_matter(lines, offsets)
        fence: str | None = None
        raw_html_close: re.Pattern | None = None
        in_comment = False
        paragraph: list[int] | None = None  # [start, end] of the open paragraph run

        def close_paragraph():
            nonlocal paragraph
            if paragraph is not None:
                self.add_inline(paragraph[0], paragraph[1], "sentence")
                paragraph = None

        while index < len(lines):
            line = lines[index]
            start = offsets[index]
            body = line.rstrip("\r\n")
            end = start + len(body)
            index += 1
            if self.markdown:
                if fence is not None:
                    if FENCE.match(body) and body.strip().startswith(fence):
                        fence = None
                    continue
                if raw_html_close is not None:
                    if raw_html_close.search(body):
                        raw_html_close = None
                    continue
                if in_comment:
                    if "-->" in body:
                        in_comment = False
                    continue
                fence_match = FENCE.match(body)
                if fence_match:
                    close_paragraph()
                    fence = fence_match.group(1)[0] * 3
                    continue
                opened = RAW_HTML_OPEN.search(body)
                if opened and body.lstrip().startswith("<"):
                    close_tag = re.compile(rf"</{opened.group(1)}\s*>", re.IGNORECASE)
                    if not close_tag.search(body, opened.end()):
                        close_paragraph()
                        raw_html_close = close_tag
                        continue
                if body.lstrip().startswith("<!--") and "-->" not in body:
                    close_paragraph()
                    in_comment = True
                    continue
            if not body.strip():
                close_paragraph()
                continue
            if self.markdown:
                if KRAMDOWN_LINE.match(body) or RULE.match(body) or SETEXT.match(body):
                    close_paragraph()
                    continue
                next_line = lines[index].strip() if index < len(lines) else ""
                if KRAMDOWN_LINE.match(next_line) and "toc" in next_line and LIST_ITEM.match(body):
                    # Jekyll's "* content\n{:toc}" is a placeholder for the table of contents.
                    close_paragraph()
                    continue
                if TABLE_ROW.match(body):
                    close_paragraph()
                    if not TABLE_DELIMITER.match(body):
                        self.table_row(start, body)
                    continue
                block = self.block_prefix(body)
                if block is not None:
                    close_paragraph()
                    prefix_length, kind = block
                    self.add_inline(start + prefix_length, end, kind)
                    continue
            # A plain line: continues the open paragraph when the text was hard-wrapped
            # (the previous line stops mid-sentence and this one starts in lower case).
            if paragraph is not None and self._continues(paragraph, body):
                paragraph[1] = end
                continue
            close_paragraph()
            paragraph = [start, end]
        close_paragraph()
        return self.pieces

    def _continues(self, paragraph: list[int], body: str) -> bool:
        previous = self.text[paragraph[0] : paragraph[1]].rstrip()
        first = body.lstrip()[:1]
        return bool(previous) and previous[-1] not in ".!?。！？…:：”\"')）" and first.islower()

    def block_prefix(self, body: str) -> tuple[int, str] | None:
        quote = QUOTE.match(body)
        offset = quote.end() if quote else 0
        rest = body[offset:]
        heading = HEADING.match(rest)
        if heading:
            # Closing hashes of an ATX heading are markup.
            return offset + heading.end(), "heading"
        item = LIST_ITEM.match(rest)
        if item:
            return offset + item.end(), "list-item"
        if quote:
            return offset, "quote"
        return None

    def table_row(self, start: int, body: str) -> None:
        cell_start = None
        for position, char in enumerate(body):
            if char == "|" and (position == 0 or body[position - 1] != "\\"):
                if cell_start is not None and position > cell_start:
                    self.add_inline(start + cell_start, start + position, "table-cell")
                cell_start = position + 1

    def front_matter(self, lines: list[str], offsets: list[int]) -> int:
        """Segments for prose values of YAML front matter; returns the first body line."""
        if not lines or lines[0].rstrip("\r\n") != "---":
            return 0
        for closing in range(1, len(lines)):
            if lines[closing].rstrip("\r\n") in ("---", "..."):
                break
        else:
            return 0
        for index in range(1, closing):
            body = lines[index].rstrip("\r\n")
            match = FRONT_MATTER_LINE.match(body)
            if not match or match.group(1).lower() not in TRANSLATABLE_FRONT_MATTER_KEYS:
                continue
            value_start, value_end = match.span(2)
            value = match.group(2)
            if not value or value[0] in "[{|>&*!%@`#":
                continue
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value_start, value_end = value_start + 1, value_end - 1
            base = offsets[index]
            for a, b in split_sentences(body[value_start:value_end]):
                a, b = base + value_start + a, base + value_start + b
                self.pieces.append(Piece(a, b, "front-matter" if has_words(self.text[a:b]) else "nonword"))
        return closing + 1


def looks_like_markdown(text: str, suffix: str = "") -> bool:
    """Markdown by extension, or by content: front matter, ATX headings or code fences."""
    if suffix.lower() in {".md", ".markdown", ".mdown", ".mkd"}:
        return True
    if suffix.lower() in {".html", ".htm"}:
        return True
    if text.startswith("---\n") or text.startswith("---\r\n"):
        return True
    return bool(re.search(r"^(#{1,6} \S|```|~~~)", text, re.MULTILINE))


def split_document(text: str, markdown: bool = True) -> list[Piece]:
    """Pieces of ``text`` in document order; they never overlap."""
    return _Splitter(text, markdown).split()
