"""Word documents (``.docx``): the WordprocessingML parts through a reader of their own, and
the package packed back around their English.

:func:`extract` takes the parts that hold prose (the body, headers, footers, footnotes,
endnotes, comments) out of the ZIP and makes one text of them, each part opened by a kept
marker (``<!-- mtfix-part word/document.xml -->``). :func:`parse` reads that text with the
HTML tokenizer (which reports every tag's offset; the tags are ``w:p``, ``w:r``, ``w:t``...):
each ``w:p`` is a block, the contents of its ``w:t`` elements are its prose, and everything
between them (run properties, ``w:rPr`` bold or italic, hyperlinks, bookmarks, fields and
their ``w:instrText``, tracked deletions) is markup the English is written around, so a
run's formatting lands on the English words aligned to the words it had. A tab or a break
between words is a space to the model. A paragraph inside another (a text box) is a block
of its own, written first. :func:`pack` writes every entry of the original package in its
order, the prose parts replaced, each ``w:t`` of a translated paragraph told to keep its
spaces. Each segment's location is its part and paragraph (``word/document.xml paragraph
12``). The package's title, subject, description and keywords (``docProps/core.xml``) are
blocks too (:func:`mtfix.formats.package.read_fields`), its language said ``en``.
"""

from __future__ import annotations

import html as html_entities
import re

from mtfix.formats import package
from mtfix.formats.html import tokens
from mtfix.formats.layout import Block, Layout, Run, text_runs

NAME = "docx"
SUFFIXES = (".docx",)
ENCODING = "docx (WordprocessingML parts, utf-8)"

_PROSE_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
_SPACE_TO_MODEL = re.compile(r"<w:(tab|br|cr)\b")
_PLAIN_T = re.compile(r"<w:t>|<w:t (?![^>]*xml:space)")
# The Office core properties (shared with PowerPoint): those that are prose.
CORE_PROPERTIES = "docProps/core.xml"
CORE_FIELDS = {"dc:title", "dc:subject", "dc:description", "cp:keywords", "cp:category"}


def is_file(data: bytes) -> bool:
    return package.has_entry(data, "word/document.xml")


def sniff(head: str) -> bool:
    return head.startswith("<!-- mtfix-part word/")


def extract(data: bytes, path: str) -> tuple[str, list[tuple[int, str]]]:
    return package.extract_parts(data, path, _PROSE_PARTS, "Word document", metadata=(CORE_PROPERTIES,))


def parse(text: str) -> Layout:
    layout = parse_paragraphs(text, NAME, "w:p", "w:t", _SPACE_TO_MODEL, "xml-text")
    package.read_fields(layout, text, CORE_PROPERTIES, CORE_FIELDS, "xml-text", language="dc:language")
    return layout


def parse_paragraphs(text: str, format_name: str, paragraph_tag: str, text_tag: str, spaces: re.Pattern,
                     escape: str) -> Layout:
    """The blocks of Office XML parts: each ``paragraph_tag`` element a block, the contents
    of its ``text_tag`` elements the prose, everything between them markup (a tag matching
    ``spaces`` a space to the model)."""
    layout = Layout(format_name)
    # Each open paragraph: [runs so far, start of the markup since
    # its last text, its number in the part, the part].
    open_paragraphs: list[list] = []
    part, numbers = "", {}
    inside_text = False
    for start, end, kind, name in tokens(text):
        if kind == "other" and text.startswith("<!-- mtfix-part ", start):
            part = text[start:end].split()[2]
            continue
        if kind == "start" and name == paragraph_tag:
            numbers[part] = numbers.get(part, 0) + 1
            open_paragraphs.append([[], None, numbers[part], part])
        elif kind == "end" and name == paragraph_tag and open_paragraphs:
            _close(layout, open_paragraphs.pop(), text, escape)
        elif kind == "start" and name == text_tag:
            inside_text = True
        elif kind == "end" and name == text_tag:
            inside_text = False
        elif kind in ("data", "entity") and inside_text and open_paragraphs:
            paragraph = open_paragraphs[-1]
            runs = paragraph[0]
            if paragraph[1] is not None and runs:
                markup = text[paragraph[1] : start]
                runs.append(Run(paragraph[1], start, "void", text=" " if spaces.search(markup) else None))
            if kind == "entity":
                runs.append(Run(start, end, text=html_entities.unescape(text[start:end])))
            else:
                runs.extend(text_runs(text, start, end))
            paragraph[1] = end
    # (A paragraph closes after those inside it: both lists in document order once.)
    layout.blocks.sort(key=lambda block: block.start)
    layout.locations.sort()
    return layout


def _close(layout: Layout, paragraph: list, text: str, escape: str) -> None:
    """The block of a paragraph just closed, if it has a letter."""
    runs, _, number, part = paragraph
    if not any(run.role == "text" and any(ch.isalpha() for ch in (run.text or text[run.start : run.end]))
               for run in runs):
        return
    layout.blocks.append(Block(runs, kind="paragraph", escape=escape))
    layout.locations.append((runs[0].start, f"{part} paragraph {number}"))


def xml_text(english: str, starts_block: bool) -> str:
    return english.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _keep_spaces(written: str) -> str:
    """Every ``w:t`` of a translated paragraph keeps the spaces at its edges."""
    return _PLAIN_T.sub(lambda m: '<w:t xml:space="preserve">' if m.group() == "<w:t>"
                        else '<w:t xml:space="preserve" ', written)


pack = package.pack


ESCAPES = {"xml-text": xml_text}
FINISH = {"xml-text": _keep_spaces}
