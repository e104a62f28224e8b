"""Files that are ZIP packages of XML or XHTML parts (Word, PowerPoint, OpenDocument, EPUB):
their prose parts as one text, and the package packed back around that text's English.

:func:`extract_parts` joins the parts a format names, each opened by a marker line its reader
keeps and never sends (``<!-- mtfix-part word/document.xml -->``): that text is the
document's original (offsets, review page, alignment) and each part's start is a location.
:func:`pack` writes every entry of the original package in its order, with its own entry
settings (so a ``mimetype`` stays first and stored, as EPUB and OpenDocument require), the
prose parts replaced by their English and everything else byte for byte.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from mtfix.errors import InputError

MARKER = "<!-- mtfix-part {} -->\n"
MARKERS = re.compile(r"<!-- mtfix-part (\S+) -->\n")


def has_entry(data: bytes, entry: str) -> bool:
    """Whether ``data`` is a ZIP with ``entry`` in it (an Office package's main part)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return entry in archive.namelist()
    except zipfile.BadZipFile:
        return False


def first_part(head: str) -> str | None:
    """The name of the first part of an extracted text, or None."""
    found = MARKERS.match(head)
    return found.group(1) if found else None


def extract_parts(data: bytes, path: str, names, kind: str) -> tuple[str, list[tuple[int, str]]]:
    """The parts ``names`` (a list, or a pattern their names match in full, in the package's
    order) of the package ``data`` as one text with part markers, and where each starts;
    InputError, naming ``kind``, for a package that cannot be read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if isinstance(names, re.Pattern):
                names = [name for name in archive.namelist() if names.fullmatch(name)]
            parts, locations, length = [], [], 0
            for name in names:
                text = archive.read(name).decode("utf-8").lstrip("\ufeff")
                part = MARKER.format(name) + text + ("" if text.endswith("\n") else "\n")
                locations.append((length, name))
                parts.append(part)
                length += len(part)
    except (zipfile.BadZipFile, KeyError, EOFError, zlib.error) as error:
        raise InputError(f"is a damaged {kind} ({error})", path) from None
    except UnicodeDecodeError:
        raise InputError(f"is a {kind} whose XML is not UTF-8", path) from None
    return "".join(parts), locations


def split_parts(text: str) -> dict[str, str]:
    """The text of each part of an extracted (or translated) package, by its name."""
    found = list(MARKERS.finditer(text))
    return {marker.group(1): text[marker.end() : following.start() if following else len(text)]
            for marker, following in zip(found, found[1:] + [None])}


def pack(original: bytes, english: str) -> bytes:
    """The English package: ``original``'s entries in order, its prose parts replaced by their
    English (the newline added after a part taken off again where it had none, its
    byte-order mark put back)."""
    replaced = split_parts(english)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(out, "w") as package:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename in replaced:
                text = replaced[info.filename]
                had = content.decode("utf-8")
                if not had.endswith("\n") and text.endswith("\n"):
                    text = text[:-1]
                content = (("\ufeff" if had.startswith("\ufeff") else "") + text).encode("utf-8")
            package.writestr(info, content, compress_type=info.compress_type)
    return out.getvalue()
