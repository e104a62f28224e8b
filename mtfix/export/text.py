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


# A space is never added after these (the English continues inside them) ...
OPENERS = set("([{“‘\"'「『（《</#*_~-\n\t ")
# ... nor before these.
CLOSERS = set(")]}”’」』）》>.,;:!?。，；：！？、*_~\n\t ")


def english_document(document: Document) -> str:
    """The cleaned text with each translated segment replaced by its English.

    CJK text needs no spaces between sentences or around links; English does, so a space is
    added where a translation would otherwise touch a neighbouring word or markup.
    """
    pieces: list[str] = []
    position = 0
    previous_translated = False
    for segment in document.segments:
        gap = document.clean[position : segment.clean_start]
        translated = segment.id in document.translations
        english = document.target_text(segment)
        if segment.kind == "front-matter":
            english = _yaml_value(document, segment, english)
        elif "\n" in english and segment.kind not in ("sentence", "quote"):
            english = " ".join(english.split())  # a heading or list item stays on its line
        if previous_translated and (gap or english)[:1] not in CLOSERS:
            gap = " " + gap
        if translated and english and segment.kind != "front-matter":
            last = gap[-1:] if gap else (pieces[-1][-1:] if pieces and pieces[-1] else "")
            if last and last not in OPENERS:
                gap += " "
        pieces.append(gap)
        pieces.append(english)
        previous_translated = translated and segment.kind != "front-matter"
        position = segment.clean_end
    tail = document.clean[position:]
    if previous_translated and tail[:1] not in CLOSERS and tail:
        tail = " " + tail
    pieces.append(tail)
    return "".join(pieces)
