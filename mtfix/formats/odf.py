"""OpenDocument text and presentations (``.odt``, ``.odp``): the ODF XML parts through a reader
of their own, and the package packed back around their English.

The prose parts are ``content.xml`` and ``styles.xml`` (where the page headers and footers
are). Each ``text:p`` and ``text:h`` is a block; its character data is its prose, but inside
``text:note-citation`` (a footnote's number) and the like, which are markup. ``text:span``
and ``text:a`` are markup pairs that go back around the English words aligned to the words
they wrapped (kept well nested); ``text:s``, ``text:tab`` and ``text:line-break`` are a space
to the model; a footnote's body, a comment's text (``office:annotation``, not its author
and date), a text box's paragraphs (``draw:text-box``) and a slide's frames are paragraphs
of their own. The title, subject, description and keywords of
``meta.xml`` are blocks too, its language said ``en``. Everything else of the package is
kept byte for byte.
Each segment's location is its part and paragraph (``content.xml paragraph 12``).
"""

from __future__ import annotations

import html as html_entities
import re

from mtfix.formats import docx, package
from mtfix.formats.html import tokens
from mtfix.formats.layout import Block, Layout, Run, prose_block_runs, text_runs

NAME = "odf"
SUFFIXES = (".odt", ".odp")
ENCODING = "odf (OpenDocument XML parts, utf-8)"

_PROSE_PARTS = re.compile(r"content\.xml|styles\.xml")
_MIMETYPES = (b"application/vnd.oasis.opendocument.text", b"application/vnd.oasis.opendocument.presentation")
PARAGRAPHS = {"text:p", "text:h"}
PAIRS = {"text:span", "text:a"}
SPACES = {"text:s", "text:tab", "text:line-break"}
META = "meta.xml"
META_FIELDS = {"dc:title", "dc:subject", "dc:description", "meta:keyword"}
# (A comment's, office:annotation's, paragraphs are paragraphs of their own; its author and
# date are not prose.)
NOT_PROSE = {"text:note-citation", "text:bookmark-ref", "text:sequence-ref", "dc:creator", "dc:date",
             "meta:date-string"}


def is_file(data: bytes) -> bool:
    # (An OpenDocument's first entry is its stored mimetype.)
    return data.startswith(b"PK\x03\x04") and data[30:38] == b"mimetype" and data[38:].startswith(_MIMETYPES)


def sniff(head: str) -> bool:
    return head.startswith("<!-- mtfix-part content.xml")


def extract(data: bytes, path: str) -> tuple[str, list[tuple[int, str]]]:
    return package.extract_parts(data, path, _PROSE_PARTS, "OpenDocument", metadata=(META,))


def parse(text: str) -> Layout:
    layout = Layout(NAME)
    # Each open paragraph: [runs, {open run index: close run index}, open pairs' stack, number, part]
    open_paragraphs: list[list] = []
    part, numbers = "", {}
    not_prose = 0  # depth inside elements whose text is markup
    for start, end, kind, name in tokens(text):
        if kind == "other" and text.startswith("<!-- mtfix-part ", start):
            part = text[start:end].split()[2]
            continue
        if name in PARAGRAPHS and kind == "start" and not not_prose:
            numbers[part] = numbers.get(part, 0) + 1
            open_paragraphs.append([[], {}, [], numbers[part], part])
            continue
        if name in PARAGRAPHS and kind == "end" and open_paragraphs and not not_prose:
            _close(layout, open_paragraphs.pop(), text)
            continue
        if not open_paragraphs:
            continue
        runs, opens, stack, _, _ = open_paragraphs[-1]
        if runs and runs[-1].end < start:
            # What a paragraph inside this one took (a footnote's body) is markup to this one.
            runs.append(Run(runs[-1].end, start, "void"))
        if name in NOT_PROSE and kind in ("start", "end"):
            not_prose += 1 if kind == "start" else -1
            runs.append(Run(start, end, "void"))
        elif kind in ("data", "entity") and not not_prose:
            if kind == "entity":
                runs.append(Run(start, end, text=html_entities.unescape(text[start:end])))
            else:
                runs.extend(text_runs(text, start, end))
        elif name in PAIRS and kind == "start" and not not_prose:
            stack.append(len(runs))
            runs.append(Run(start, end, "open"))
        elif name in PAIRS and kind == "end" and stack and not not_prose:
            opens[stack.pop()] = len(runs)
            runs.append(Run(start, end, "close"))
        else:
            runs.append(Run(start, end, "void", text=" " if name in SPACES and kind != "end" else None))
    layout.blocks.sort(key=lambda block: block.start)
    layout.locations.sort()
    package.read_fields(layout, text, META, META_FIELDS, "odf-text", language="dc:language")
    return layout


def _close(layout: Layout, paragraph: list, text: str) -> None:
    runs, opens, _, number, part = paragraph
    kept = prose_block_runs(runs, opens, text)
    if kept is None:
        return
    layout.blocks.append(Block(kept, kind="paragraph", escape="odf-text"))
    layout.locations.append((kept[0].start, f"{part} paragraph {number}"))


pack = package.pack


ESCAPES = {"odf-text": docx.xml_text}
