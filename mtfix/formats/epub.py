"""EPUB: each XHTML document of the book (its chapters, and its navigation) through the HTML
format, and the book packed back around their English.

:func:`extract` reads the package with ebooklib (which parts are XHTML documents, in spine
order, the navigation after them) and makes one text of them, each part opened by a marker
the HTML reader keeps and never sends (``<!-- mtfix-part OEBPS/ch1.xhtml -->``): that text
is the document's original (offsets, review page, alignment), and each segment's location is
its part. :func:`pack` writes the English book: every entry of the original ZIP in its order,
``mimetype`` first and stored as EPUB requires, each XHTML part replaced by its English and
everything else (package document, styles, images, fonts) byte for byte. A damaged or
DRM-encrypted book is one line and nothing is written. The package document (``.opf``) and
an EPUB 2 table of contents (``.ncx``) come after them: their title, description, subjects
and navigation labels are blocks (:func:`mtfix.formats.package.read_fields`), the book's
language said ``en``.
"""

from __future__ import annotations

import html as html_entities
import io
import posixpath
import re
import zipfile

from mtfix.errors import InputError
from mtfix.formats import html, package

NAME = "epub"
SUFFIXES = (".epub",)
ENCODING = "epub (XHTML parts, utf-8)"

PACKAGE_FIELDS = {"dc:title", "dc:description", "dc:subject"}
_ROOTFILE = re.compile(r"""<rootfile\b[^>]*?\bfull-path\s*=\s*["']([^"']+)["']""")


def is_file(data: bytes) -> bool:
    # (An EPUB's first entry is its stored mimetype.)
    return data.startswith(b"PK\x03\x04") and data[30:58] == b"mimetypeapplication/epub+zip"


def sniff(head: str) -> bool:
    # (The Office formats mark their parts alike: theirs are named as the packages name them.)
    part = package.first_part(head)
    return part is not None and not part.startswith(("word/", "ppt/")) and part not in ("content.xml", "styles.xml")


def parse(text: str):
    xml_parts = [marker for marker in package.MARKERS.finditer(text) if marker.group(1).endswith((".opf", ".ncx"))]
    layout = html.parse(text[: xml_parts[0].start()] if xml_parts else text)
    layout.format = NAME
    for marker in xml_parts:
        if marker.group(1).endswith(".opf"):
            package.read_fields(layout, text, marker.group(1), PACKAGE_FIELDS, "xml-text", language="dc:language")
        else:
            package.read_fields(layout, text, marker.group(1), {"text"}, "xml-text", within={"doctitle", "navlabel"})
    return layout


def _documents(data: bytes, path: str) -> tuple[list[str], list[str]]:
    """The names (in the ZIP) of the book's XHTML documents (the spine's, then the rest),
    and of its package document and NCX table of contents."""
    import ebooklib
    from ebooklib import epub

    try:
        book = epub.read_epub(io.BytesIO(data), options={"ignore_ncx": True})
    except Exception as error:  # noqa: BLE001  (ebooklib and zipfile raise many kinds)
        raise InputError(f"is a damaged EPUB ({str(error).splitlines()[0] if str(error) else type(error).__name__})",
                         path) from None
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        if "META-INF/encryption.xml" in names:
            raise InputError("is an encrypted EPUB (DRM); only a book without DRM can be read", path)
        container = archive.read("META-INF/container.xml").decode("utf-8", "replace") \
            if "META-INF/container.xml" in names else ""
    # The package document is where the container says (a book may hold decoys elsewhere);
    # ebooklib names each item by its href, relative to it.
    rootfile = _ROOTFILE.search(container)
    package_document = html_entities.unescape(rootfile.group(1)) if rootfile else ""
    folder = posixpath.dirname(package_document)

    def zip_name(item) -> str:
        return posixpath.normpath(posixpath.join(folder, item.get_name()))

    by_id = {item.get_id(): item for item in book.get_items()}
    ordered = [by_id[item_id] for item_id, _ in book.spine if item_id in by_id]
    ordered += [item for item in book.get_items() if item not in ordered]
    found = []
    for item in ordered:
        if item.get_type() in (ebooklib.ITEM_DOCUMENT, ebooklib.ITEM_NAVIGATION) and item.media_type in (
                "application/xhtml+xml", "text/html"):
            if zip_name(item) in names and zip_name(item) not in found:
                found.append(zip_name(item))
    metadata = [package_document] + [zip_name(item) for item in book.get_items()
                                     if item.media_type == "application/x-dtbncx+xml"]
    return found, [name for name in metadata if name in names]


def extract(data: bytes, path: str) -> tuple[str, list[tuple[int, str]]]:
    """The book's XHTML documents as one text with part markers, and where each part starts
    (offset, its name in the book); InputError for a book that cannot be read."""
    names, metadata = _documents(data, path)
    if not names:
        raise InputError("is an EPUB without any XHTML document", path)
    return package.extract_parts(data, path, names, "EPUB", metadata=metadata)


pack = package.pack
