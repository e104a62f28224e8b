"""Document formats: one module per format, each a reader (``parse(text) -> Layout``: the
blocks of prose, :mod:`mtfix.formats.layout`) and the escaping its English needs
(``ESCAPES``); the writer that puts the English back is one for all
(:mod:`mtfix.formats.writer`).

A format is chosen by the file's suffix where the suffix says it (``.md``, ``.html``), else by
its content (``<!DOCTYPE html``, ``<html``, an XHTML ``<?xml``; front matter, headings or
fences for Markdown; plain text otherwise), or named with ``--format``. Adding a format is
one module with ``NAME``, ``SUFFIXES``, ``sniff``, ``parse`` and ``ESCAPES`` (and, where its
syntax can be upset by the English, ``CHECKS`` and ``FALLBACKS``; where a written block needs a
last pass, ``FINISH``; where its file is not text, ``extract`` and ``pack`` in its module, called
by :mod:`mtfix.sources` and the writers of outputs), and one row in ``FORMATS``.
"""

from __future__ import annotations

import importlib
import zipfile
import zlib
from functools import lru_cache

from mtfix.errors import UsageError

# Name → module, in the order their ``sniff`` is tried on text whose suffix says nothing.
FORMATS = {
    "epub": "mtfix.formats.epub",
    "docx": "mtfix.formats.docx",
    "pptx": "mtfix.formats.pptx",
    "odf": "mtfix.formats.odf",
    "html": "mtfix.formats.html",
    "markdown": "mtfix.formats.markdown",
    "subtitles": "mtfix.formats.subtitles",
    "pdf": "mtfix.formats.pdf",
    "plain": "mtfix.formats.plain",
}


@lru_cache(maxsize=None)
def module(name: str):
    if name not in FORMATS:
        raise UsageError(f"--format {name}: unknown format; known: {', '.join(FORMATS)}")
    return importlib.import_module(FORMATS[name])


def suffixes() -> dict[str, str]:
    """Suffix → the format it names."""
    return {suffix: name for name in FORMATS for suffix in module(name).SUFFIXES}


def choose(file_name: str, text: str, override: str | None = None) -> str:
    """The format of a document called ``file_name`` holding ``text``."""
    if override:
        module(override)
        return override
    suffix = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    named = suffixes().get(suffix)
    if named is not None and named != "plain":
        return named
    head = text[:4096]
    for name in FORMATS:
        if module(name).sniff(head):
            return name
    return "plain"


def parse(text: str, format_name: str):
    return module(format_name).parse(text)


@lru_cache(maxsize=None)
def escaper(name: str):
    """The function that writes English into a block whose ``escape`` is ``name``:
    ``escape(english, starts_block) -> text``."""
    for format_name in FORMATS:
        found = getattr(module(format_name), "ESCAPES", {}).get(name)
        if found is not None:
            return found
    raise KeyError(f"no format writes English escaped as {name!r}")


def block_check(name: str):
    """``check(source, english) -> bool`` for blocks escaped as ``name``, and the markup to
    write instead where it fails (``fallback(markup, role) -> str | None``); (None, None)
    where the format has none."""
    for format_name in FORMATS:
        found = getattr(module(format_name), "CHECKS", {}).get(name)
        if found is not None:
            return found, module(format_name).FALLBACKS.get(name)
    return None, None


def packaged(data: bytes):
    """The module of the format whose file ``data`` is, among those whose file is not text
    (``is_file(data)``: a PDF, a Word document, an EPUB), or None."""
    for name in FORMATS:
        found = module(name)
        if getattr(found, "is_file", None) is not None and found.is_file(data):
            return found
    return None


def packed(format_name: str, source, text: str, encoding: str | None = None) -> str | bytes:
    """What is written for ``text`` in ``format_name``: the text (with a byte-order mark where
    the original, of ``encoding``, was UTF-8 with one: subtitle players and some editors read
    the encoding from it), or, for a format whose file is not text (an EPUB), the file packed
    around it from the ``source`` file."""
    from pathlib import Path

    from mtfix.errors import OutputError

    pack = getattr(module(format_name), "pack", None)
    if pack is None:
        return "\ufeff" + text if encoding == "utf-8-sig" and not text.startswith("\ufeff") else text
    if source is None or not Path(source).is_file():
        raise OutputError(f"an {format_name} is written around its original file, which is not here")
    try:
        return pack(Path(source).read_bytes(), text)
    except (OSError, zipfile.BadZipFile, zlib.error) as error:  # (it changed since it was read)
        raise OutputError(f"the {format_name} could not be written around its original ({error})", str(source)) from None


def block_finish(name: str):
    """``finish(written) -> text``, the last pass over a written block escaped as ``name``
    (a subtitle's cues re-wrapped), or None."""
    for format_name in FORMATS:
        found = getattr(module(format_name), "FINISH", {}).get(name)
        if found is not None:
            return found
    return None
