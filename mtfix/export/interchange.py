"""TMX 1.4b and XLIFF 2.1: translated segments for CAT tools (OmegaT, Trados, memoQ...).

Written from a Document (or an alignment file, through ``document_from_alignment``). Only
translated segments become units; flags, repairs and glossary hits travel as notes and
properties so a translator sees what the review page shows. ElementTree does the escaping.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections import Counter

from mtfix import __version__
from mtfix.document import Document

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
# What marks a file as mtfix's own, so that a command replaces it without asking.
TMX_MARK = 'creationtool="mtfix"'
XLIFF_MARK = 'category="mtfix-signature"'
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# Characters XML 1.0 cannot carry at all (C0 controls but tab and line breaks, U+FFFE/FFFF,
# lone surrogates): replaced, so that every file parses.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _bcp47(lang: str) -> str:
    return lang.replace("_", "-") if lang and lang != "und" else "und"


def _translated(document: Document, skip: frozenset[str] = frozenset()):
    """(segment, translation) of every translated segment, but those with a flag in ``skip``."""
    for segment in document.segments:
        translation = document.translations.get(segment.id)
        if translation is not None and not skip.intersection(segment.flags + translation.flags):
            yield segment, translation


def units(document: Document, skip: frozenset[str] = frozenset()) -> int:
    """How many units a TMX or XLIFF of ``document`` has (see :func:`to_tmx`)."""
    return sum(1 for _ in _translated(document, skip))


def _edit_notes(document: Document, segment) -> list[str]:
    by_id = {edit.id: edit for edit in document.edits}
    notes = []
    for edit_id in segment.edits:
        edit = by_id.get(edit_id)
        if edit is not None:
            notes.append(f"{edit.kind}: {edit.original!r} → {edit.replacement!r} ({edit.reason})")
    return notes


def to_tmx(document: Document, created: str | None = None, skip: frozenset[str] = frozenset()) -> str:
    """A TMX 1.4b document, one ``tu`` per translated segment but those flagged with one of
    ``skip``; ``created`` is the header's creation date (``YYYYMMDDThhmmssZ``, now when not
    given)."""
    pairs = list(_translated(document, skip))
    languages = Counter(segment.lang for segment, _ in pairs)
    srclang = _bcp47(languages.most_common(1)[0][0]) if len(languages) == 1 else "*all*"
    root, body = _tmx("mtfix-align", srclang, created)
    for segment, translation in pairs:
        tu = ET.SubElement(body, "tu", tuid=str(segment.id), srclang=_bcp47(segment.lang))
        for name, value in (("x-mtfix-file", document.path), ("x-mtfix-engine", f"{translation.engine} {translation.model}"),
                            ("x-mtfix-flags", " ".join(sorted(set(segment.flags + translation.flags))))):
            if value.strip():
                ET.SubElement(tu, "prop", type=name).text = _xml_text(value)
        for note in _edit_notes(document, segment):
            ET.SubElement(tu, "note").text = _xml_text(note)
        source = ET.SubElement(tu, "tuv", {XML_LANG: _bcp47(segment.lang)})
        ET.SubElement(source, "seg").text = _xml_text(segment.text)
        target = ET.SubElement(tu, "tuv", {XML_LANG: "en"})
        ET.SubElement(target, "seg").text = _xml_text(translation.text)
    return _tmx_text(root)


def _tmx(o_tmf: str, srclang: str, created: str | None):
    """A TMX 1.4b root with its header, and its body."""
    root = ET.Element("tmx", version="1.4")
    ET.SubElement(root, "header", {
        "creationtool": "mtfix", "creationtoolversion": __version__, "segtype": "sentence",
        "o-tmf": o_tmf, "adminlang": "en", "srclang": srclang, "datatype": "plaintext",
        "creationdate": created or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
    })
    return root, ET.SubElement(root, "body")


def _tmx_text(root) -> str:
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'
            + ET.tostring(root, encoding="unicode") + "\n")


def to_xliff(document: Document, skip: frozenset[str] = frozenset()) -> str:
    """An XLIFF 2.1 document: one ``unit`` per translated segment but those flagged with one
    of ``skip``. XLIFF has one source language per document, so the commonest one is
    declared and a unit in another language says so in a note."""
    ET.register_namespace("", XLIFF_NS)
    pairs = list(_translated(document, skip))
    languages = Counter(segment.lang for segment, _ in pairs)
    main = _bcp47(languages.most_common(1)[0][0]) if languages else "und"
    q = lambda tag: f"{{{XLIFF_NS}}}{tag}"  # noqa: E731
    root = ET.Element(q("xliff"), {"version": "2.1", "srcLang": main, "trgLang": "en"})
    file = ET.SubElement(root, q("file"), {"id": "f1", "original": _xml_text(document.path)})
    notes = ET.SubElement(file, q("notes"))
    ET.SubElement(notes, q("note"), {"category": "mtfix-signature"}).text = _xml_text(document.signature or "—")
    for segment, translation in pairs:
        unit = ET.SubElement(file, q("unit"), {"id": f"u{segment.id}"})
        unit_notes = []
        if _bcp47(segment.lang) != main:
            unit_notes.append(("mtfix-lang", _bcp47(segment.lang)))
        flags = " ".join(sorted(set(segment.flags + translation.flags)))
        if flags:
            unit_notes.append(("mtfix-flags", flags))
        unit_notes += [("mtfix-edit", note) for note in _edit_notes(document, segment)]
        unit_notes += [("mtfix-term", f"{hit['target']} (glossary term #{hit['id']})") for hit in translation.terms]
        if unit_notes:
            container = ET.SubElement(unit, q("notes"))
            for category, text in unit_notes:
                ET.SubElement(container, q("note"), {"category": category}).text = _xml_text(text)
        seg = ET.SubElement(unit, q("segment"), {"id": f"s{segment.id}"})
        ET.SubElement(seg, q("source")).text = _xml_text(segment.text)
        ET.SubElement(seg, q("target")).text = _xml_text(translation.text)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def memory_tmx(entries, created: str | None = None) -> tuple[str, int]:
    """The translation memory's ``(source, lang, target, context)`` entries as TMX 1.4b, one
    ``tu`` each, and how many there were."""
    root, body = _tmx("mtfix-memory", "*all*", created)
    count = 0
    for source, lang, target, context in entries:
        tu = ET.SubElement(body, "tu", srclang=lang)
        ET.SubElement(tu, "prop", type="x-mtfix-context").text = _xml_text(context)
        ET.SubElement(ET.SubElement(tu, "tuv", {XML_LANG: lang}), "seg").text = _xml_text(source)
        ET.SubElement(ET.SubElement(tu, "tuv", {XML_LANG: "en"}), "seg").text = _xml_text(target)
        count += 1
    return _tmx_text(root), count


def read_units(path) -> list[tuple[str, str, str]]:
    """The (source, language, English) of every unit of a TMX or XLIFF 2 file (a CAT tool's,
    or mtfix's own export edited there): TMX by each ``tu``'s variants (the English one is
    the target), XLIFF by each segment's ``source`` and ``target`` (the unit's own
    ``mtfix-lang`` note, else the file's ``srcLang``); each language as :func:`_language`
    names it. Inline markup a tool added is read as its text. A unit without an English
    target, or an empty one, is left out; InputError for a file that is neither."""
    from mtfix.errors import InputError

    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as error:
        raise InputError(f"cannot be read as TMX or XLIFF ({error})", str(path)) from None
    text = lambda element: "".join(element.itertext()).strip() if element is not None else ""  # noqa: E731
    found = []
    if root.tag == "tmx":
        default = (root.find("header").get("srclang") if root.find("header") is not None else "") or ""
        for tu in root.iter("tu"):
            variants = {(tuv.get(XML_LANG) or tuv.get("lang") or "").lower(): text(tuv.find("seg"))
                        for tuv in tu.findall("tuv")}
            english = next((variants[lang] for lang in variants if lang == "en" or lang.startswith("en-")), "")
            sources = [(lang, seg) for lang, seg in variants.items() if not (lang == "en" or lang.startswith("en-"))]
            if english and sources:
                lang, source = sources[0]
                found.append((source, _language(lang or tu.get("srclang") or default), english))
        return found
    if root.tag.endswith("}xliff") and root.tag.startswith("{urn:oasis:names:tc:xliff:document:2"):
        namespace = root.tag[: root.tag.index("}") + 1]
        default = root.get("srcLang", "")
        for unit in root.iter(f"{namespace}unit"):
            lang = next((note.text for note in unit.iter(f"{namespace}note") if note.get("category") == "mtfix-lang"),
                        default)
            for segment in unit.iter(f"{namespace}segment"):
                source, english = text(segment.find(f"{namespace}source")), text(segment.find(f"{namespace}target"))
                if source and english:
                    found.append((source, _language(lang or ""), english))
        return found
    raise InputError("is neither TMX nor XLIFF 2 (an XLIFF 1.2 file: convert it, e.g. with translate-toolkit)",
                     str(path))


def _language(tag: str) -> str:
    """A CAT tool's language tag as mtfix names languages: its primary subtag (``zh-CN`` and
    ``zh-TW`` are ``zh``, ``id-ID`` is ``id``), as the language detector's are.

    >>> _language("zh-CN"), _language("id_ID"), _language("")
    ('zh', 'id', 'und')
    """
    return tag.replace("_", "-").split("-")[0].lower() or "und"
