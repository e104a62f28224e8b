"""The English document: the cleaned text with every translated segment replaced in place,
so markup, list markers, code and blank lines stay where they were."""

from __future__ import annotations

import json

from mtfix.document import Document, Segment

# A plain YAML scalar may not contain these; a translation that does is double-quoted.
YAML_UNSAFE = (": ", " #", "\t")
YAML_UNSAFE_START = tuple("!&*?|>'\"%@`{}[],#-:")


def _yaml_value(document: Document, segment: Segment, english: str) -> str:
    before = document.clean[segment.clean_start - 1] if segment.clean_start else ""
    if before == '"':
        # json.dumps escapes exactly as YAML double-quoted scalars need; drop its quotes.
        return json.dumps(english, ensure_ascii=False)[1:-1]
    if before == "'":
        return english.replace("'", "''")
    whole_value = document.clean[segment.clean_end : segment.clean_end + 1] in ("", "\n", "\r")
    if whole_value and before in (" ", ":") and (
        any(mark in english for mark in YAML_UNSAFE) or english.startswith(YAML_UNSAFE_START) or english.endswith(":")
    ):
        return json.dumps(english, ensure_ascii=False)
    return english


def english_document(document: Document) -> str:
    pieces = []
    position = 0
    for segment in document.segments:
        pieces.append(document.clean[position : segment.clean_start])
        english = document.target_text(segment)
        if segment.kind == "front-matter":
            english = _yaml_value(document, segment, english)
        elif "\n" in english and segment.kind not in ("sentence", "quote"):
            english = " ".join(english.split())  # a heading or list item stays on its line
        pieces.append(english)
        position = segment.clean_end
    pieces.append(document.clean[position:])
    return "".join(pieces)
