"""Rewrite the golden outputs from fixture.align.jsonl; review the diff before committing.

    .venv/bin/python tests/data/report/regenerate.py
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[2]))

from mtfix.export.html import render_report  # noqa: E402
from mtfix.export.interchange import to_tmx, to_xliff  # noqa: E402
from mtfix.export.jsonl import document_from_alignment  # noqa: E402

FIXED_DATE = "20260101T000000Z"


def outputs() -> dict[str, str]:
    records = [json.loads(line) for line in (HERE / "fixture.align.jsonl").read_text(encoding="utf-8").splitlines()]
    document = document_from_alignment(records)
    return {
        "golden.html": render_report(document),
        "golden.tmx": to_tmx(document, created=FIXED_DATE),
        "golden.xlf": to_xliff(document),
    }


if __name__ == "__main__":
    for name, text in outputs().items():
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"wrote {name}")
