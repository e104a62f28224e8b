"""Does the work grow linearly with the input? Reading, de-garbling, segmentation and
language detection (everything but the model) on 1 to 50 MB of three kinds of input, in one
run:

- prose: English paragraphs (what most large inputs are);
- loops: a broken engine's repetition loops, the input most likely to make repair quadratic;
- one line: a single line with no sentence punctuation (segmentation's worst case).

For each size: seconds, MB/s, and seconds per MB relative to the smallest size (1.0 means
linear; quadratic work would double with every doubling of size). Target (issue 10): time
grows linearly from 1 MB to 50 MB.

    python benchmarks/scaling.py [--sizes 1,5,10,25,50] [--kinds prose,loops,line]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from hostile_corpus import big_english  # noqa: E402
from mtfix.pipeline import prepare_document  # noqa: E402


def loops(size: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    words = "banyak perusahaan meskipun ada model raksasa yang dilatih oleh tim".split()
    parts, total = [], 0
    while total < size:
        head = " ".join(rng.choice(words) for _ in range(rng.randint(4, 10)))
        loop = " ".join(rng.choice(words) for _ in range(rng.randint(1, 3)))
        paragraph = f"{head} {' '.join([loop] * rng.randint(3, 30))}.\n\n"
        parts.append(paragraph)
        total += len(paragraph)
    return "".join(parts)[:size]


def one_line(size: int) -> str:
    words = "perusahaan itu merekrut peneliti top lain dari saingannya".split()
    rng = random.Random(1)
    text = " ".join(rng.choice(words) for _ in range(size // 6 + 1))
    return text[:size]


KINDS = {"prose": big_english, "loops": loops, "line": one_line}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,5,10,25,50")
    parser.add_argument("--kinds", default="prose,loops,line")
    args = parser.parse_args()
    sizes = [float(size) for size in args.sizes.split(",")]
    print("Everything but the model (read, de-garble, segment, detect languages), this machine:\n")
    print("| input | MB | seconds | MB/s | s/MB vs smallest | segments |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        # Warm up: the language models load once, outside the timings.
        warm = Path(folder) / "warm.txt"
        warm.write_text("Perusahaan itu merekrut peneliti. The lab hired a team. 公司宣布。\n", encoding="utf-8")
        prepare_document(warm)
        for kind in args.kinds.split(","):
            first = None
            for megabytes in sizes:
                path = Path(folder) / f"{kind}-{megabytes}.txt"
                path.write_text(KINDS[kind](int(megabytes * 1_000_000)), encoding="utf-8")
                started = time.perf_counter()
                document = prepare_document(path)
                seconds = time.perf_counter() - started
                per_mb = seconds / megabytes
                first = first or per_mb
                print(f"| {kind} | {megabytes:g} | {seconds:.1f} | {megabytes / seconds:.2f} | {per_mb / first:.2f} "
                      f"| {len(document.segments):,} |", flush=True)
                path.unlink()


if __name__ == "__main__":
    main()
