"""Batch benchmark: cross-document batching, and a second run from the translation memory.

A folder of generated documents (every sentence different) is translated, in one run of
this script, by a random-weight model of the real opus-mt-zh-en architecture (tiny Marian
when ../shared is absent), three times:

1. one document at a time (``--window 1``: each document's segments are their own batches);
2. documents batched together (``--window 256``, the default), each language's pieces
   sent to the engine in one call per window;
3. the same, sent in chunks of ``CHUNK_BATCHES`` batches in document order (the default:
   progress moves, and an interrupt loses one chunk), with an empty memory;
4. the same again into a new folder, with the memory the third run filled.

Targets (issue 8): batching together fills batches better than one document at a time;
the memory run ≥20× faster than the first. Chunks cost under 10 % against one call.

    python benchmarks/batch.py [--documents 200] [--segments 20] [--engine ct2] [--max-new-tokens 16]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtfix import translate  # noqa: E402
from mtfix.batch import Reporter, run_batch  # noqa: E402
from mtfix.degarble import CleanConfig  # noqa: E402
from mtfix.engines.base import TranslateConfig, create_engine  # noqa: E402
from mtfix.memory import TranslationMemory  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--segments", type=int, default=20)
    parser.add_argument("--engine", default="ct2", help="ct2 (default: the fastest on CPU) or marian")
    parser.add_argument("--beam", type=int, default=1)
    parser.add_argument("--max-new-tokens", type=int, default=16)
    args = parser.parse_args()
    if args.engine == "ct2":
        try:
            import ctranslate2  # noqa: F401
        except ImportError:
            args.engine = "marian"

    from mtfix.testing import build_random_model, build_tiny_marian

    work = Path(tempfile.mkdtemp(prefix="mtfix-batch-bench-"))
    shared = ROOT.parent / "shared" / "models" / "opus-mt-zh-en"
    if (shared / "config.json").is_file():
        # The real opus-mt architecture: a model whose time is a real model's time.
        model, lang, label = build_random_model(shared, work / "model"), "zh", "opus-mt-zh-en architecture (random weights)"
        words = list("公司宣布三位新研究员将于下个月加入团队的工作实验室模型训练数据发布")
        joiner = ""
    else:
        model, lang, label = build_tiny_marian(ROOT / "tests" / "data" / "tiny_corpus.txt", work / "model"), "id", "tiny Marian"
        words = "perusahaan itu telah merekrut peneliti top lain dari saingannya dan tim baru di zurich".split()
        joiner = " "
    rng = random.Random(0)
    folder = work / "corpus"
    folder.mkdir()
    for number in range(args.documents):
        # Every sentence different (and of varied length): the memory only helps the last run.
        sentences = [joiner.join(rng.choice(words) for _ in range(rng.randint(4, 24))) + ("。" if lang == "zh" else ".")
                     for _ in range(args.segments)]
        (folder / f"doc{number:03d}.txt").write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    files = sorted(folder.glob("*.txt"))

    import os

    os.environ.setdefault("MTFIX_CT2_CACHE", str(work / "ct2"))
    config = TranslateConfig(engine=args.engine, model=str(model), beam_size=args.beam, max_new_tokens=args.max_new_tokens)
    engine = create_engine(config)
    engine.translate(["warm up"], lang)
    clean = CleanConfig()
    quiet = Reporter(echo=lambda line: None)
    chunked = translate.CHUNK_BATCHES
    whole = 10**9
    runs = [("one document at a time", 1, whole, work / "memory-1.sqlite3", "out-1"),
            ("batched together, one call per window", 256, whole, work / "memory-2.sqlite3", "out-2"),
            (f"batched together, chunks of {chunked} batches", 256, chunked, work / "memory-3.sqlite3", "out-3"),
            ("again, from the memory", 256, chunked, work / "memory-3.sqlite3", "out-4")]
    timings = []
    for label_run, window, chunk, memory_path, out in runs:
        memory = TranslationMemory(memory_path)
        translate.CHUNK_BATCHES = chunk
        summary = run_batch(files, folder, work / out, engine, config, clean, memory, window=window, reporter=quiet)
        assert summary.count("done") == len(files), summary.to_json()
        timings.append((label_run, summary.seconds, summary.timings.get("translate", 0.0)))
    segments = args.documents * args.segments
    print(f"Batch benchmark: {args.documents} documents × {args.segments} sentences, {label}, "
          f"{args.engine} {'greedy' if args.beam == 1 else f'beam {args.beam}'}, ≤{args.max_new_tokens} tokens, CPU\n")
    print("| run | wall s | segments/s | model s | × one at a time |")
    print("|---|---:|---:|---:|---:|")
    for label_run, seconds, model_seconds in timings:
        print(f"| {label_run} | {seconds:.2f} | {segments / seconds:,.1f} | {model_seconds:.2f} | {timings[0][1] / seconds:.2f} |")
    print(f"\nChunks against one call: {timings[2][1] / timings[1][1]:.3f}× the time (target < 1.10)")
    print(f"Speed-up from the memory: {timings[2][1] / timings[3][1]:.1f}× (target ≥ 20×)")
    print(f"Memory: {TranslationMemory(runs[2][3]).stats()['entries']} entries")


if __name__ == "__main__":
    main()
