"""``<stem>.align.jsonl``: the machine-readable alignment.

Line 1 is a header (``type: header``): input path, encoding, sha256, format, mtfix version,
signature. Then one ``type: edit`` line per repair, one ``type: segment`` line per segment in
document order, and a last ``type: end`` line. Each segment line carries ``gap_before`` (the
raw text between the previous segment and this one) and ``raw_text``, so that the
concatenation of all ``gap_before + raw_text`` plus the end line's ``gap_before`` is the
decoded original, character for character: the file alone is enough to rebuild a report.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import lru_cache

from mtfix import __version__
from mtfix.document import Document

FORMAT_VERSION = 1


def edit_record(edit) -> dict:
    """One repair as a JSON object (shared by ``align.jsonl`` and ``edits.jsonl``)."""
    return {"type": "edit", **asdict(edit), "flags": list(edit.flags)}


def alignment_records(document: Document) -> list[dict]:
    records: list[dict] = [
        {
            "type": "header",
            "format_version": FORMAT_VERSION,
            "path": document.path,
            "encoding": document.encoding,
            "sha256": document.sha256,
            "format": document.format,
            "mtfix_version": __version__,
            "signature": document.signature,
            "segments": len(document.segments),
            "edits": len(document.edits),
            "evidence": document.evidence,
        }
    ]
    records.extend(edit_record(edit) for edit in document.edits)
    position = 0
    for segment in document.segments:
        translation = document.translations.get(segment.id)
        records.append(
            {
                "type": "segment",
                "id": segment.id,
                "raw_start": segment.raw_start,
                "raw_end": segment.raw_end,
                "gap_before": document.raw[position : segment.raw_start],
                "raw_text": document.raw[segment.raw_start : segment.raw_end],
                "source": segment.text,
                "kind": segment.kind,
                "lang": segment.lang,
                "lang_score": segment.lang_score,
                "lang_reason": segment.lang_reason,
                "location": segment.location,
                "translatable": segment.translate,
                "translated": translation is not None,
                "target": document.target_text(segment),
                "engine": translation.engine if translation else None,
                "model": translation.model if translation else None,
                "score": translation.score if translation else None,
                "edits": segment.edits,
                "terms": translation.terms if translation else [],
                "protected": translation.protected if translation else [],
                "links": translation.links if translation else [],
                "flags": sorted(set(segment.flags + (translation.flags if translation else []))),
                "checks": translation.checks if translation else [],
                "attempts": translation.attempts if translation else [],
            }
        )
        position = segment.raw_end
    records.append({"type": "end", "gap_before": document.raw[position:]})
    return records


# Characters that some line readers (Python's str.splitlines, JavaScript, editors) take for
# a line break: JSON may hold them raw inside strings, JSONL must not.
_LINE_BREAKERS = {ord(c): f"\\u{ord(c):04x}" for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}


def json_line(record: dict) -> str:
    """One JSONL line: UTF-8 kept readable, but every character that could split a line
    escaped, so any reader sees one record per line.

    >>> json_line({"text": "a\u2028b\x85c"})
    '{"text": "a\\\\u2028b\\\\u0085c"}\\n'
    """
    return json.dumps(record, ensure_ascii=False).translate(_LINE_BREAKERS) + "\n"


def alignment_jsonl(document: Document) -> str:
    return "".join(json_line(record) for record in alignment_records(document))


def read_jsonl(text: str) -> list[dict]:
    """Records of a JSONL text; lines end at \\n only (a raw U+2028 inside a string written
    by another tool stays inside its record)."""
    return [json.loads(line) for line in text.split("\n") if line.strip()]


RECORD_TYPES = ("header", "edit", "segment", "end")


@lru_cache(maxsize=1)
def _validators() -> dict:
    import jsonschema
    from importlib import resources

    schema = json.loads(resources.files("mtfix.data").joinpath("alignment.schema.json").read_text(encoding="utf-8"))
    return {kind: jsonschema.Draft202012Validator({**schema, "$ref": f"#/$defs/{kind}"}) for kind in RECORD_TYPES}


def read_alignment_file(path, max_bytes: int | None = None) -> list[dict]:
    """The records of an alignment file, read as untrusted input: every record is checked
    against ``mtfix/data/alignment.schema.json`` and against the text it describes (spans
    inside their texts, segments in order), so a report or an export built from it cannot
    hang or fail half-way. InputError naming the file and the line of the first bad record."""
    from mtfix.errors import InputError
    from mtfix.sources import DEFAULT_MAX_BYTES, read_bytes

    name = str(path)
    data = read_bytes(path, max_bytes or DEFAULT_MAX_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"is not an mtfix alignment file (not UTF-8 at byte {error.start})", name) from None
    records = []
    checker = _Consistency()
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            raise InputError(f"line {number}: not JSON ({error})", name) from None
        problem = _problem(record, len(records)) or checker.problem(record)
        if problem:
            raise InputError(f"line {number}: {problem}", name)
        records.append(record)
    if not records:
        raise InputError("is empty (not an mtfix alignment file)", name)
    if records[-1]["type"] != "end":
        raise InputError("ends before its end record (cut short?)", name)
    return records


def _problem(record, position: int) -> str | None:
    if not isinstance(record, dict) or record.get("type") not in RECORD_TYPES:
        return "not an mtfix alignment record (type must be one of " + ", ".join(RECORD_TYPES) + ")"
    if (position == 0) != (record["type"] == "header"):
        return "the header must be the first record, and only the first"
    error = next(iter(sorted(_validators()[record["type"]].iter_errors(record), key=lambda e: list(e.path))), None)
    if error is not None:
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
        return f"{record['type']}{where}: {error.message}"
    return None


class _Consistency:
    """What a schema cannot say: spans inside the texts they index, segments in order."""

    def __init__(self):
        self.position = 0  # raw offset the next segment's gap starts at
        self.edits = 0
        self.ended = False

    def problem(self, record: dict) -> str | None:
        kind = record["type"]
        if self.ended:
            return "a record after the end record"
        if kind == "edit":
            self.edits += 1
            if record["raw_start"] > record["raw_end"]:
                return "edit: raw_start is after raw_end"
        elif kind == "segment":
            if record["raw_end"] - record["raw_start"] != len(record["raw_text"]):
                return "segment: raw_text is not as long as raw_end - raw_start"
            if record["raw_start"] != self.position + len(record["gap_before"]):
                return "segment: raw_start does not follow the previous segment and its gap"
            self.position = record["raw_end"]
            if any(edit >= self.edits for edit in record.get("edits", [])):
                return "segment: names an edit the file does not have"
            for field in ("terms", "protected"):
                for hit in record.get(field, []):
                    if not _within(hit["source_span"], len(record["source"])):
                        return f"segment.{field}: a source_span outside the source"
                    if hit.get("target_span") is not None and not _within(hit["target_span"], len(record["target"])):
                        return f"segment.{field}: a target_span outside the target"
            for link in record.get("links", []):
                if not (_within(link[:2], len(record["target"])) and _within(link[2:], len(record["source"]))):
                    return "segment.links: a link outside the source or the target"
        elif kind == "end":
            self.ended = True
        return None


def _within(span, length: int) -> bool:
    return span[0] <= span[1] <= length


def rebuild_raw(records: list[dict]) -> str:
    """The decoded original, from the alignment records alone."""
    parts = []
    for record in records:
        if record["type"] == "segment":
            parts.append(record["gap_before"] + record["raw_text"])
        elif record["type"] == "end":
            parts.append(record["gap_before"])
    return "".join(parts)


def document_from_alignment(records: list[dict]) -> Document:
    """The Document an alignment file describes: enough for the review page and the
    interchange formats, without the model or the original file."""
    from mtfix.document import Edit, Segment, Translation

    if not records or records[0].get("type") != "header":
        raise ValueError("the first line is not an mtfix alignment header")
    header = records[0]
    document = Document(path=header.get("path", ""), raw=rebuild_raw(records), encoding=header.get("encoding", ""),
                        sha256=header.get("sha256", ""), signature=header.get("signature", ""))
    document.format = header.get("format", "text")
    for record in records:
        if record["type"] == "edit":
            fields = {k: record[k] for k in ("raw_start", "raw_end", "replacement", "kind", "reason", "original", "id")}
            document.edits.append(Edit(**fields, flags=tuple(record.get("flags", ()))))
        elif record["type"] == "segment":
            segment = Segment(
                id=record["id"], raw_start=record["raw_start"], raw_end=record["raw_end"], clean_start=0, clean_end=0,
                text=record["source"], kind=record["kind"], lang=record["lang"], lang_score=record.get("lang_score", 0.0),
                lang_reason=record.get("lang_reason", ""), location=record.get("location", ""),
                translate=record.get("translatable", record["translated"]), flags=list(record.get("flags", [])),
                edits=list(record.get("edits", [])),
            )
            document.segments.append(segment)
            if record["translated"]:
                document.translations[segment.id] = Translation(
                    segment_id=segment.id, text=record["target"], engine=record.get("engine") or "",
                    model=record.get("model") or "", score=record.get("score"),
                    terms=list(record.get("terms", [])), protected=list(record.get("protected", [])),
                    links=list(record.get("links", [])), checks=list(record.get("checks", [])),
                    attempts=list(record.get("attempts", [])),
                )
    return document

