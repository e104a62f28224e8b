"""Does the work grow linearly with the input? Reading, de-garbling, segmentation and
language detection (everything but the model) on 1 to 50 MB of three kinds of input, in one
run:

- prose: English paragraphs (what most large inputs are);
- loops: a broken engine's repetition loops, the input most likely to make repair quadratic;
- one line: a single line with no sentence punctuation (segmentation's worst case).

For each size: seconds, MB/s, and seconds per MB relative to the smallest size (1.0 means
linear; quadratic work would double with every doubling of size). Target (issue 10): time
grows linearly from 1 MB to 50 MB.

``--executors``: instead, ``mtfix translate`` on one folder of 200 documents with each
executor (``local``, ``ray`` on a Ray runtime started on this machine), side by side:
documents/s, segments/s, and peak memory of the driver and of its worker processes (the sum
of each one's peak, read from /proc). The model is a tiny random Marian (2 layers, d_model
32), so the figures are each executor's own cost around a model, never a model's speed.

    python benchmarks/scaling.py [--sizes 1,5,10,25,50] [--kinds prose,loops,line]
    python benchmarks/scaling.py --executors [--documents 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
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


def _tree_peaks(root: int, peaks: dict[int, int]) -> None:
    """Each live process under ``root`` (and itself): its peak resident memory (VmHWM, kB)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = dict(line.split(":", 1) for line in Path(f"/proc/{entry}/status").read_text().splitlines()
                              if ":" in line)
            except OSError:
                continue
            children.setdefault(int(fields["PPid"]), []).append(int(entry))
            if "VmHWM" in fields:
                peaks.setdefault(-int(entry), int(fields["VmHWM"].split()[0]))
                peaks[-int(entry)] = max(peaks[-int(entry)], int(fields["VmHWM"].split()[0]))
    todo, seen = [root], set()
    while todo:
        pid = todo.pop()
        seen.add(pid)
        todo += [child for child in children.get(pid, []) if child not in seen]
    for pid in seen:
        if -pid in peaks:
            peaks[pid] = max(peaks.get(pid, 0), peaks[-pid])


def executors(documents: int) -> None:
    from mtfix.testing import build_tiny_marian

    print(f"`mtfix translate` on {documents} documents (5 paragraphs each, Indonesian), tiny random Marian model, "
          "greedy, 8 tokens, --no-memory, this machine:\n")
    print("| executor | seconds | documents/s | segments/s | driver peak MB | workers' peaks MB (sum) |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        model = build_tiny_marian(ROOT / "tests" / "data" / "tiny_corpus.txt", Path(folder) / "model")
        inputs = Path(folder) / "in"
        inputs.mkdir()
        rng = random.Random(7)
        words = "perusahaan itu merekrut peneliti baru dari laboratorium riset di kota besar tahun ini".split()
        for number in range(documents):
            paragraphs = [" ".join(rng.choice(words) for _ in range(rng.randint(6, 14))).capitalize() + "."
                          for _ in range(5)]
            (inputs / f"doc{number:03}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        for executor in ("local", "ray"):
            out = Path(folder) / f"out-{executor}"
            command = [sys.executable, "-m", "mtfix.cli", "translate", str(inputs), "--out", str(out), "--model",
                       str(model), "--beam-size", "1", "--max-new-tokens", "8", "--no-memory", "--json",
                       "--executor", executor]
            started = time.perf_counter()
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                       env={**os.environ, "RAY_DISABLE_USAGE_STATS": "1"})
            peaks: dict[int, int] = {}
            while process.poll() is None:
                _tree_peaks(process.pid, peaks)
                time.sleep(0.2)
            seconds = time.perf_counter() - started
            summary = json.loads(process.stdout.read())
            segments, done = summary["segments"], summary["done"]
            driver = peaks.get(process.pid, 0) / 1024
            workers = sum(peak for pid, peak in peaks.items() if pid > 0 and pid != process.pid) / 1024
            print(f"| {executor} | {seconds:.1f} | {done / seconds:.1f} | {segments / seconds:.0f} | {driver:.0f} "
                  f"| {workers:.0f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,5,10,25,50")
    parser.add_argument("--kinds", default="prose,loops,line")
    parser.add_argument("--executors", action="store_true", help="One row per executor on one folder instead.")
    parser.add_argument("--documents", type=int, default=200)
    args = parser.parse_args()
    if args.executors:
        executors(args.documents)
        return
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
