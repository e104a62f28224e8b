"""PowerPoint decks (``.pptx``): the DrawingML text of every slide and its speaker notes,
read and packed back as a Word document is (:mod:`mtfix.formats.docx`).

The prose parts are the slides, the notes slides and SmartArt's data
(``ppt/slides/slideN.xml``, ``ppt/notesSlides/notesSlideN.xml``, ``ppt/diagrams/dataN.xml``):
each ``a:p`` a block, the contents of its ``a:t`` its prose, run properties (``a:rPr``: bold,
size, colour, links) and fields markup around the English words aligned to theirs; shapes
in groups and table cells are paragraphs like any other. Layouts, masters, media and the
rest are kept byte for byte; the title, subject and keywords of ``docProps/core.xml`` are
translated as a Word document's are. Each segment's location is its part and paragraph
(``ppt/slides/slide4.xml paragraph 2``).
"""

from __future__ import annotations

import re

from mtfix.formats import docx, package

NAME = "pptx"
SUFFIXES = (".pptx",)
ENCODING = "pptx (DrawingML parts, utf-8)"

_PROSE_PARTS = re.compile(r"ppt/(slides/slide|notesSlides/notesSlide|diagrams/data)\d+\.xml")
_SPACE_TO_MODEL = re.compile(r"<a:(br|tab)\b")


def is_file(data: bytes) -> bool:
    return package.has_entry(data, "ppt/presentation.xml")


def sniff(head: str) -> bool:
    return head.startswith("<!-- mtfix-part ppt/")


def extract(data: bytes, path: str) -> tuple[str, list[tuple[int, str]]]:
    return package.extract_parts(data, path, _PROSE_PARTS, "PowerPoint deck", metadata=(docx.CORE_PROPERTIES,))


def parse(text: str):
    layout = docx.parse_paragraphs(text, NAME, "a:p", "a:t", _SPACE_TO_MODEL, "drawingml-text")
    package.read_fields(layout, text, docx.CORE_PROPERTIES, docx.CORE_FIELDS, "drawingml-text",
                        language="dc:language")
    return layout


pack = package.pack


# (DrawingML keeps the spaces of a:t as they are: no last pass.)
ESCAPES = {"drawingml-text": docx.xml_text}
