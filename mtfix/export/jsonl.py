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
                "translated": translation is not None,
                "target": document.target_text(segment),
                "engine": translation.engine if translation else None,
                "model": translation.model if translation else None,
                "score": translation.score if translation else None,
                "edits": segment.edits,
                "terms": translation.terms if translation else [],
                "protected": translation.protected if translation else [],
                "flags": sorted(set(segment.flags + (translation.flags if translation else []))),
            }
        )
        position = segment.raw_end
    records.append({"type": "end", "gap_before": document.raw[position:]})
    return records


def alignment_jsonl(document: Document) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in alignment_records(document))


def read_alignment(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def rebuild_raw(records: list[dict]) -> str:
    """The decoded original, from the alignment records alone."""
    parts = []
    for record in records:
        if record["type"] == "segment":
            parts.append(record["gap_before"] + record["raw_text"])
        elif record["type"] == "end":
            parts.append(record["gap_before"])
    return "".join(parts)
