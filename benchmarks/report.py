"""Review page size and speed: a 5,000-segment document must render to under 3 MB in under 2 s.

The document is built from the repo's sample seeds, cleaned and segmented for real, with
made-up translations (no model: the page's cost is what is measured), glossary hits and
protected spans, repeated until it has the wanted number of segments.

    python benchmarks/report.py [--segments 5000]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtfix.document import Document, Translation  # noqa: E402
from mtfix.export.html import render_report  # noqa: E402
from mtfix.export.jsonl import alignment_jsonl  # noqa: E402
from mtfix.pipeline import prepare_document  # noqa: E402


def big_document(segments: int) -> Document:
    parts = [prepare_document(ROOT / "seeds" / name) for name in ("broken-engine-en.md", "mixed-id-en.txt", "clean-zh.md")]
    raw, edits, rows = "", [], []
    while len(rows) < segments:
        for part in parts:
            shift = len(raw)
            raw += part.raw + "\n"
            for edit in part.edits:
                edits.append(type(edit)(edit.raw_start + shift, edit.raw_end + shift, edit.replacement, edit.kind,
                                        edit.reason, edit.original, len(edits), edit.flags))
            for segment in part.segments:
                rows.append((segment, shift))
    document = Document(path="big.md", raw=raw, encoding="utf-8", sha256="-", edits=edits, signature="benchmark")
    from dataclasses import replace

    for number, (segment, shift) in enumerate(rows[:segments]):
        copy = replace(segment, id=number, raw_start=segment.raw_start + shift, raw_end=segment.raw_end + shift,
                       edits=[], flags=list(segment.flags) + (["truncated"] if number % 7 == 0 else []))
        document.segments.append(copy)
        if copy.translate:
            english = f"English for segment {number}: Zhai Xiaohua met MSL in 2024."
            document.translations[number] = Translation(
                number, english, "marian", "demo", -0.5, [],
                terms=[{"id": 1, "target": "Zhai Xiaohua", "source_span": [0, 2], "target_span": [english.index("Zhai"), english.index("Zhai") + 12]}],
                protected=[{"kind": "number", "target": "2024", "source_span": [0, 1], "target_span": [len(english) - 5, len(english) - 1]}],
                # A link for every English word, as the cross-attention pass gives.
                links=[[m.start(), m.end(), 0, 1] for m in re.finditer(r"\S+", english)],
            )
    return document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, default=5000)
    args = parser.parse_args()
    document = big_document(args.segments)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        page = render_report(document)
        best = min(best, time.perf_counter() - start)
    start = time.perf_counter()
    alignment = alignment_jsonl(document)
    jsonl_seconds = time.perf_counter() - start
    size = len(page.encode("utf-8"))
    print(f"review page for {len(document.segments)} segments, {len(document.edits)} edits")
    print(f"  render  {best:.2f} s (best of 3)   target < 2 s   {'ok' if best < 2 else 'MISSED'}")
    print(f"  size    {size / 1e6:.2f} MB              target < 3 MB  {'ok' if size < 3e6 else 'MISSED'}")
    print(f"  align.jsonl {len(alignment.encode('utf-8')) / 1e6:.2f} MB written in {jsonl_seconds:.2f} s")


if __name__ == "__main__":
    main()
