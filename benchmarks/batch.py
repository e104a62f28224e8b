"""Batch benchmark: a folder translated twice, the second time from the translation memory.

Generated documents (every sentence different) are translated once with an empty memory
and once more with the memory the first run filled, in one run, by a random-weight model of
the real opus-mt-zh-en architecture (tiny Marian when ../shared is absent). Target
(issue 8): the second run ≥20× faster.

    python benchmarks/batch.py [--documents 12] [--segments 10]
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

from mtfix.engines.base import TranslateConfig, create_engine  # noqa: E402
from mtfix.memory import TranslationMemory  # noqa: E402
from mtfix.pipeline import translate_file  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=12)
    parser.add_argument("--segments", type=int, default=10)
    args = parser.parse_args()

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
        # Every sentence different: the memory only helps the second run.
        sentences = [joiner.join(rng.choice(words) for _ in range(rng.randint(8, 16))) + ("。" if lang == "zh" else ".")
                     for _ in range(args.segments)]
        (folder / f"doc{number:03d}.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    files = sorted(folder.glob("*.txt"))

    config = TranslateConfig(model=str(model), beam_size=4, max_new_tokens=24)
    engine = create_engine(config)
    engine.translate(["warm up"], lang)
    memory = TranslationMemory(work / "memory.sqlite3")
    timings = []
    for run in ("first run (empty memory)", "second run (from memory)"):
        start = time.perf_counter()
        for file in files:
            translate_file(file, out_dir=work / "out", translate_config=config, engine=engine, memory=memory)
        timings.append((run, time.perf_counter() - start))
    segments = args.documents * args.segments
    print(f"Batch benchmark: {args.documents} documents × {args.segments} sentences, {label}, beam 4, CPU\n")
    for run, seconds in timings:
        print(f"  {run:28} {seconds:7.2f} s   {segments / seconds:8.1f} lines/s")
    print(f"\n  speed-up from the memory: {timings[0][1] / timings[1][1]:.1f}× (target ≥ 20×)")
    print(f"  memory: {memory.stats()['entries']} entries")


if __name__ == "__main__":
    main()
