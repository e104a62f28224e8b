"""Files that are ZIP packages of XML or XHTML parts (Word, PowerPoint, OpenDocument, EPUB):
their prose parts as one text, and the package packed back around that text's English.

:func:`extract_parts` joins the parts a format names, each opened by a marker line its reader
keeps and never sends (``<!-- mtfix-part word/document.xml -->``): that text is the
document's original (offsets, review page, alignment) and each part's start is a location.
:func:`pack` writes every entry of the original package in its order, with its own entry
settings (so a ``mimetype`` stays first and stored, as EPUB and OpenDocument require), the
prose parts replaced by their English and everything else byte for byte.

A package's metadata part (Office's ``docProps/core.xml``, OpenDocument's ``meta.xml``, an
EPUB's package document) comes last in the text, and :func:`read_fields` makes a block of
each of its prose fields (title, subject, description, keywords) and says the language is
English once translated.
"""

from __future__ import annotations

import html as html_entities
import io
import re
import zipfile
import zlib

from mtfix.errors import InputError
from mtfix.formats.html import tokens
from mtfix.formats.layout import Block, Layout, Run, prose_block_runs, text_runs

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


def extract_parts(data: bytes, path: str, names, kind: str, metadata=()) -> tuple[str, list[tuple[int, str]]]:
    """The parts ``names`` (a list, or a pattern their names match in full, in the package's
    order), then those of ``metadata`` the package has, of the package ``data`` as one text
    with part markers, and where each starts; InputError, naming ``kind``, for a package
    that cannot be read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            present = archive.namelist()
            if isinstance(names, re.Pattern):
                names = [name for name in present if names.fullmatch(name)]
            names = list(names) + [name for name in metadata if name in present and name not in names]
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


def read_fields(layout: Layout, text: str, part: str, fields: set[str], escape: str, language: str | None = None,
                within: set[str] | None = None) -> None:
    """Add to ``layout`` a block for each element of ``fields`` (tag names as the HTML
    tokenizer gives them: lower case, prefix kept) in the part ``part`` of ``text``, if it is
    there: its character data is the prose, any element inside it markup. ``within``: the
    element counts only inside one of these (an NCX's ``text`` in a ``navlabel``, not in a
    ``docauthor``). The ``language`` element's value is said ``en`` once translated. Each
    block's location is the part and the element (``docProps/core.xml dc:title``)."""
    span = _part_span(text, part)
    if span is None:
        return
    open_elements: list[str] = []
    field, runs, counts = None, [], {}
    for start, end, kind, name in tokens(text, *span):
        if kind == "start":
            open_elements.append(name)
        elif kind == "end" and name in open_elements:
            del open_elements[len(open_elements) - 1 - open_elements[::-1].index(name):]
        if field is None:
            if kind == "start" and name in fields and (within is None or within & set(open_elements[:-1])):
                field, runs = name, []
            elif kind == "data" and language and open_elements[-1:] == [language]:
                value = text[start:end].strip()
                if value and value.lower() not in ("en", "en-us", "en-gb"):
                    offset = start + text[start:end].index(value)
                    layout.rewrites.append((offset, offset + len(value), "en"))
            continue
        if kind == "end" and name == field:
            kept = prose_block_runs(runs, {}, text)  # (None: not a letter in it)
            if kept is not None:
                counts[field] = counts.get(field, 0) + 1
                label = f"{part} {field}" + (f" {counts[field]}" if counts[field] > 1 else "")
                layout.blocks.append(Block(kept, kind="heading" if field.endswith("title") else "paragraph",
                                           escape=escape))
                layout.locations.append((kept[0].start, label))
            field = None
        elif kind == "data":
            runs.extend(text_runs(text, start, end))
        elif kind == "entity":
            runs.append(Run(start, end, text=html_entities.unescape(text[start:end])))
        else:
            runs.append(Run(start, end, "void"))
    layout.rewrites.sort()


def _part_span(text: str, part: str) -> tuple[int, int] | None:
    """Where the text of ``part`` is in an extracted package's ``text``, or None."""
    for marker in MARKERS.finditer(text):
        if marker.group(1) == part:
            following = MARKERS.search(text, marker.end())
            return marker.end(), following.start() if following else len(text)
    return None
