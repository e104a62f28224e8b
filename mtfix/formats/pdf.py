"""PDF (the text layer): read with PyMuPDF, translated as a Markdown document.

A PDF's text is not a text file: :func:`extract` turns its text layer into Markdown, page by
page, each page opened by a marker the reader keeps and never sends (``<!-- page 3 -->``),
each text block in reading order (PyMuPDF's ``sort=True``: top to bottom, left to right) a
paragraph, its characters that Markdown would read as markup escaped. That Markdown is the
document's "original" (offsets, the review page, the alignment all refer to it), and its
English is written as ``NAME.en.md``. Each segment's location is its page and block
(``page 3 block 5``). A PDF without a text layer (scanned), encrypted or damaged is one line
and nothing is written. The English is not set back into the PDF's pages (issue 26's
``--pdf-layout``, not built yet).
"""

from __future__ import annotations

import re

from mtfix.errors import InputError
from mtfix.formats import markdown

NAME = "pdf"
SUFFIXES = (".pdf",)
# What a PDF's English is written as (mtfix.outputs).
OUTPUT_SUFFIX = ".md"
# What the document's encoding says: where its text came from.
ENCODING = "pdf text layer"

_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>|~&])")
_LINE_START_MARKUP = re.compile(r"^(\s*)([#+=>-]+|\d+[.)])(?=\s|$)")


def is_file(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def sniff(head: str) -> bool:
    return False  # the extracted text is Markdown; only a .pdf (its bytes) is a PDF


def parse(text: str):
    layout = markdown.parse(text)
    layout.format = NAME
    return layout


def _escaped(line: str) -> str:
    """A line of a PDF's text as Markdown text: nothing in it read as markup."""
    line = _INLINE_MARKUP.sub(r"\\\1", line)
    return _LINE_START_MARKUP.sub(lambda m: m.group(1) + "\\" + m.group(2) if not m.group(2)[0].isdigit()
                                  else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], line)


def extract(data: bytes, path: str) -> tuple[str, list[tuple[int, str]]]:
    """The text layer of the PDF ``data`` as Markdown, and where each block starts in it
    (offset, ``page 3 block 5``); InputError for a PDF that cannot be read or has no text."""
    try:
        import pymupdf
    except ImportError:
        raise InputError("is a PDF, and reading PDFs needs PyMuPDF (pip install pymupdf)", path) from None
    try:
        document = pymupdf.open(stream=data, filetype="pdf")
    except Exception as error:  # noqa: BLE001  (PyMuPDF raises its own kinds for damaged files)
        raise InputError(f"is a damaged PDF ({str(error).splitlines()[0] if str(error) else type(error).__name__})",
                         path) from None
    with document:
        if document.needs_pass:
            raise InputError("is an encrypted PDF (a password is needed); decrypt it first", path)
        if document.page_count == 0:
            raise InputError("is a damaged PDF (no page could be read)", path)
        parts: list[str] = []
        locations: list[tuple[int, str]] = []
        length = 0
        letters = False
        for number, page in enumerate(document, 1):
            try:
                blocks = page.get_text("blocks", sort=True)
            except Exception as error:  # noqa: BLE001
                raise InputError(f"is a damaged PDF (page {number}: {error})", path) from None
            marker = f"<!-- page {number} -->\n\n"
            parts.append(marker)
            length += len(marker)
            kept = 0
            for block in blocks:
                if block[6] != 0:  # an image block
                    continue
                lines = [" ".join(line.split()) for line in block[4].splitlines()]
                lines = [line for line in lines if line]
                if not lines:
                    continue
                kept += 1
                letters = letters or any(ch.isalpha() for line in lines for ch in line)
                paragraph = "\n".join(_escaped(line) for line in lines) + "\n\n"
                locations.append((length, f"page {number} block {kept}"))
                parts.append(paragraph)
                length += len(paragraph)
    if not letters:
        raise InputError("has no text layer (scanned?); OCR it first", path)
    return "".join(parts), locations
