"""PDF (the text layer): read with PyMuPDF, translated as a Markdown document.

A PDF's text is not a text file: :func:`extract` turns its text layer into Markdown, page by
page, each page opened by a marker the reader keeps and never sends (``<!-- page 3 -->``),
each text block in reading order (PyMuPDF's ``sort=True``: top to bottom, left to right) a
paragraph, its characters that Markdown would read as markup escaped. That Markdown is the
document's "original" (offsets, the review page, the alignment all refer to it), and its
English is written as ``NAME.en.md``. Each segment's location is its page and block
(``page 3 block 5``). A PDF without a text layer (scanned), encrypted or damaged is one line
and nothing is written.

With ``--pdf-layout`` the English is also set into the PDF's own pages (:func:`set_in_pages`,
``NAME.en.pdf``): each translated block's text is removed from its box (a redaction that
leaves images and drawings alone) and its English laid out in the same box by MuPDF's HTML
layout (``insert_htmlbox``), in the block's type size or smaller until it fits, with
MuPDF's fallback fonts for what the base font lacks. Everything else of the page (images,
drawings, untranslated blocks, links) is kept.
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


def _open(data: bytes, path: str):
    try:
        import pymupdf
    except ImportError:
        raise InputError("is a PDF, and reading PDFs needs PyMuPDF (pip install pymupdf)", path) from None
    try:
        document = pymupdf.open(stream=data, filetype="pdf")
    except Exception as error:  # noqa: BLE001  (PyMuPDF raises its own kinds for damaged files)
        raise InputError(f"is a damaged PDF ({str(error).splitlines()[0] if str(error) else type(error).__name__})",
                         path) from None
    if document.needs_pass:
        document.close()
        raise InputError("is an encrypted PDF (a password is needed); decrypt it first", path)
    if document.page_count == 0:
        document.close()
        raise InputError("is a damaged PDF (no page could be read)", path)
    return document


def _text_blocks(page) -> list[tuple[tuple[float, float, float, float], list[str]]]:
    """The page's text blocks in reading order, each (its box, its lines, each line's words
    joined by single spaces), those without a character left out."""
    found = []
    for block in page.get_text("blocks", sort=True):
        if block[6] != 0:  # an image block
            continue
        lines = [" ".join(line.split()) for line in block[4].splitlines()]
        lines = [line for line in lines if line]
        if lines:
            found.append((tuple(block[:4]), lines))
    return found


def extract(data: bytes, path: str) -> tuple[str, list[tuple[int, str]]]:
    """The text layer of the PDF ``data`` as Markdown, and where each block starts in it
    (offset, ``page 3 block 5``); InputError for a PDF that cannot be read or has no text."""
    parts: list[str] = []
    locations: list[tuple[int, str]] = []
    length = 0
    letters = False
    with _open(data, path) as document:
        for number, page in enumerate(document, 1):
            try:
                blocks = _text_blocks(page)
            except Exception as error:  # noqa: BLE001
                raise InputError(f"is a damaged PDF (page {number}: {error})", path) from None
            marker = f"<!-- page {number} -->\n\n"
            parts.append(marker)
            length += len(marker)
            for kept, (_, lines) in enumerate(blocks, 1):
                letters = letters or any(ch.isalpha() for line in lines for ch in line)
                paragraph = "\n".join(_escaped(line) for line in lines) + "\n\n"
                locations.append((length, f"page {number} block {kept}"))
                parts.append(paragraph)
                length += len(paragraph)
    if not letters:
        raise InputError("has no text layer (scanned?); OCR it first", path)
    return "".join(parts), locations


_PAGE_MARKER = re.compile(r"^<!-- page (\d+) -->\n", re.MULTILINE)
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _page_paragraphs(markdown_text: str) -> dict[int, list[str]]:
    """The paragraphs of each page of a PDF's Markdown (its text, or its English)."""
    found = list(_PAGE_MARKER.finditer(markdown_text))
    pages = {}
    for marker, following in zip(found, found[1:] + [None]):
        body = markdown_text[marker.end() : following.start() if following else len(markdown_text)]
        pages[int(marker.group(1))] = [part.strip("\n") for part in re.split(r"\n{2,}", body) if part.strip()]
    return pages


def set_in_pages(original: bytes, text: str, english: str, path: str = "") -> tuple[bytes, int]:
    """The PDF ``original`` with the English of each translated text block set into the
    block's box (``text``: what :func:`extract` made of it, the document's original;
    ``english``: its English Markdown), and the number of pages whose English could not be
    matched block for block to their text (left as they were)."""
    import html as html_entities

    import pymupdf

    before, after = _page_paragraphs(text), _page_paragraphs(english)
    unmatched = 0
    with _open(original, path) as document:
        for number, page in enumerate(document, 1):
            blocks = _text_blocks(page)
            olds, news = before.get(number, []), after.get(number, [])
            if len(olds) != len(blocks) or len(news) != len(blocks):
                unmatched += 1
                continue
            changed = [(box, new) for (box, _), old, new in zip(blocks, olds, news) if new != old]
            if not changed:
                continue
            sizes = _type_sizes(page)
            for box, _ in changed:
                page.add_redact_annot(pymupdf.Rect(box))
            page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE)
            for box, new in changed:
                words = " ".join(_MARKDOWN_ESCAPE.sub(r"\1", line) for line in new.splitlines())
                size = sizes.get(box, 11.0)
                page.insert_htmlbox(pymupdf.Rect(box), html_entities.escape(words),
                                    css=f"* {{font-family: sans-serif; font-size: {size:.1f}pt; line-height: 1.15;}}")
        return document.tobytes(garbage=3, deflate=True), unmatched


def _type_sizes(page) -> dict[tuple, float]:
    """Each text block's box and the size of its most common type."""
    sizes = {}
    for block in page.get_text("dict", sort=True)["blocks"]:
        if block.get("type") != 0:
            continue
        counted: dict[float, int] = {}
        for line in block["lines"]:
            for span in line["spans"]:
                counted[round(span["size"], 1)] = counted.get(round(span["size"], 1), 0) + len(span["text"])
        if counted:
            sizes[tuple(block["bbox"])] = max(counted, key=counted.get)
    return sizes
