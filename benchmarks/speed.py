"""Where the time goes: engines side by side, the whole pipeline stage by stage, start-up.

Everything runs on one set of random weights built from ``../shared/models/opus-mt-zh-en``
(the real architecture and tokenizer), in one run, so the ratios compare like with like on a
noisy machine. Random weights translate nonsense: these are speed figures, never quality.

0. Against raw: mtfix's translate stage (glossary, protected spans, scores and word links on;
   and with the glossary off) on the shared Chinese seed, against what a user's own script
   gets on the same model and the same sentences: ``Translator.translate_batch`` with
   ``max_batch_size=768, batch_type="tokens"`` (scores and attention returned), and
   ``model.generate`` in length-sorted batches of 16; greedy and beam 4, 40 tokens each.
   Then whole processes: ``mtfix translate FILE --engine ct2`` against a script that
   imports, loads, translates the same pieces and writes them, on the seed and on its first
   paragraph. Targets (issue 24): within 1.10× (ct2) and 1.15× (transformers) with
   everything on; whole process within 1.15×.
1. Decoding speed: 16 Chinese sentences × 40 tokens (min = max new tokens, so every
   configuration writes exactly the same number of tokens), through mtfix's engines:
   transformers fp32 and CTranslate2 int8, greedy and beam 4, with the glossary off and on
   (2 terms per sentence; for ct2 both ``--term-repair`` ways). Median of 3 runs after a
   warm-up; ratios against transformers
   greedy without the glossary, and each configuration against transformers with the same
   search and glossary setting.
2. End to end: ``mtfix translate`` on 2,000 generated sentences of mixed Chinese,
   Indonesian and English (20 documents), CTranslate2 int8 greedy, 32 tokens at most, in a
   subprocess: wall time by stage (from ``--json``), peak RSS against the model's size.
3. ``mtfix --help`` start-up time (median of 5).

    python benchmarks/speed.py [--sentences 16] [--tokens 40] [--documents 20] [--skip-e2e] [--raw-only]

mtfix runs with the output guard checking every output (``--guard flag``) but not retrying:
random weights loop on every sentence, so retries here would time a broken model's retries,
which ``benchmarks/guard.py`` measures.

Targets (issue 9): ct2 ≥3× transformers greedy and ≥4× beam 4 with the glossary on; all
non-model stages ≤10 % of wall time; peak RSS ≤ 1.5 × model size on disk + 300 MB;
``--help`` under 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_MODEL = ROOT.parent / "shared" / "models" / "opus-mt-zh-en"
sys.path.insert(0, str(ROOT))

from mtfix.engines.base import TranslateConfig, create_engine  # noqa: E402
from mtfix.engines.ct2 import Ct2Options  # noqa: E402
from mtfix.engines.constraints import TermRequest  # noqa: E402

ZH_TERMS = [("翟晓华", "Zhai Xiaohua"), ("小扎", "Zuckerberg"), ("赵晟佳", "Shengjia Zhao"),
            ("超级智能实验室", "Meta Superintelligence Labs"), ("谷歌", "Google"), ("毕书超", "Shuchao Bi")]
ZH_WORDS = ["公司", "宣布", "三位", "新", "研究员", "将于", "下个月", "加入", "团队", "的", "工作", "模型",
            "训练", "数据", "发布", "开源", "薪酬", "负责人", "实验室", "项目"]
ID_WORDS = "perusahaan itu telah merekrut peneliti top lain dari saingannya dan tim baru di zurich".split()
EN_WORDS = "the lab hired three researchers from its rivals to build a new model team".split()


def chinese_sentences(n: int, terms_each: int, seed: int = 7) -> tuple[list[str], list[list[TermRequest]]]:
    rng = random.Random(seed)
    texts, requests = [], []
    for _ in range(n):
        words = [rng.choice(ZH_WORDS) for _ in range(rng.randint(8, 14))]
        wanted = []
        for source, target in rng.sample(ZH_TERMS, terms_each):
            words.insert(rng.randint(0, len(words)), source)
            wanted.append(TermRequest(target, source=source))
        texts.append("".join(words) + "。")
        requests.append(wanted)
    return texts, requests


def time_engine(engine, texts, requests, repeats: int = 3) -> float:
    engine.translate(texts[:2], "zh", requests[:2] if requests else None)  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        engine.translate(texts, "zh", requests)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def decoding_table(model: Path, sentences: int, tokens: int) -> None:
    texts, requests = chinese_sentences(sentences, 2)
    threads = len(os.sched_getaffinity(0))
    print(f"\n## Decoding: {sentences} sentences × {tokens} tokens, {threads} CPU threads\n")
    print("| engine | search | glossary | seconds | tokens/s | × transformers greedy | × transformers, same setting |")
    print("|---|---|---|---:|---:|---:|---:|")
    rates: dict[tuple, float] = {}
    for engine_name, label in (("marian", "transformers fp32"), ("ct2", "ct2 int8")):
        for beam in (1, 4):
            # ct2 puts a missing term in by splicing (the default) or by resuming decoding.
            for repair in (("splice", "resume") if engine_name == "ct2" else ("splice",)):
                options = Ct2Options(compute_type="int8", threads=threads, term_repair=repair) \
                    if engine_name == "ct2" else None
                config = TranslateConfig(engine=engine_name, model=str(model), beam_size=beam, max_new_tokens=tokens,
                                         min_new_tokens=tokens, options=options)
                engine = create_engine(config)
                for glossary in ((False, True) if repair == "splice" else (True,)):
                    seconds = time_engine(engine, texts, requests if glossary else None)
                    rate = sentences * tokens / seconds
                    rates[(engine_name, beam, glossary, repair)] = rate
                    base = rates[("marian", 1, False, "splice")]
                    same = rates.get(("marian", beam, glossary, "splice"), rate)
                    shown = ("on" + (" (resume)" if repair == "resume" else "")) if glossary else "off"
                    print(f"| {label} | {'greedy' if beam == 1 else f'beam {beam}'} | {shown} "
                          f"| {seconds:.2f} | {rate:,.0f} | {rate / base:.2f} | {rate / same:.2f} |", flush=True)


def mixed_documents(folder: Path, documents: int, sentences: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    each = sentences // documents
    for number in range(documents):
        paragraphs = []
        for _ in range(each):
            kind = rng.random()
            if kind < 0.5:
                text, _ = chinese_sentences(1, rng.randint(0, 2), seed=rng.randint(0, 10**9))
                paragraphs.append(text[0])
            elif kind < 0.8:
                paragraphs.append(" ".join(rng.choice(ID_WORDS) for _ in range(rng.randint(8, 16))).capitalize() + ".")
            else:
                paragraphs.append(" ".join(rng.choice(EN_WORDS) for _ in range(rng.randint(8, 16))).capitalize() + ".")
        (folder / f"doc{number:03d}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def end_to_end(model: Path, work: Path, documents: int, sentences: int) -> None:
    from mtfix.engines import ct2_convert

    corpus = work / "corpus"
    corpus.mkdir()
    mixed_documents(corpus, documents, sentences)
    converted = ct2_convert.convert(str(model), "int8")
    model_bytes = sum(f.stat().st_size for f in converted.iterdir() if f.is_file())
    arguments = ["translate", str(corpus), "--out", str(work / "out"), "--engine", "ct2", "--model", str(model),
                 "--beam", "1", "--max-new-tokens", "32", "--no-memory", "--quiet", "--json", "--guard", "flag"]
    # The child reports its own peak (VmHWM) as it exits: the rusage of children counts the
    # pages of this process copied at fork time (this process holds torch and two models).
    code = ("import atexit, sys\n"
            "def peak():\n"
            "    for line in open('/proc/self/status'):\n"
            "        if line.startswith('VmHWM'):\n"
            "            sys.stderr.write('PEAK_KB ' + line.split()[1] + '\\n')\n"
            "atexit.register(peak)\n"
            f"sys.argv = ['mtfix'] + {arguments!r}\n"
            "from mtfix.cli import run\n"
            "run()\n")
    started = time.perf_counter()
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=dict(os.environ, HF_HUB_OFFLINE="1"))
    wall = time.perf_counter() - started
    peaks = [int(line.split()[1]) for line in finished.stderr.splitlines() if line.startswith("PEAK_KB ")]
    peak = peaks[-1] * 1024 if peaks else float("nan")
    if finished.returncode != 0:
        print(finished.stdout[-2000:], finished.stderr[-2000:])
        raise SystemExit("end-to-end run failed")
    summary = json.loads(finished.stdout)
    stages = summary["timings"]
    model_stages = {"translate", "align", "load"}
    print(f"\n## End to end: {summary['segments']:,} segments in {documents} documents "
          f"({summary['translated_segments']:,} translated), ct2 int8 greedy\n")
    print("| stage | seconds | share |")
    print("|---|---:|---:|")
    for stage, seconds in stages.items():
        print(f"| {stage} | {seconds:.2f} | {100 * seconds / wall:.1f} % |")
    other = wall - sum(stages.values())
    print(f"| (start-up, imports, rest) | {other:.2f} | {100 * other / wall:.1f} % |")
    print(f"| **wall** | {wall:.2f} | |")
    outside = sum(s for name, s in stages.items() if name not in model_stages) + max(other, 0)
    print(f"\nNon-model stages: {100 * outside / wall:.1f} % of wall time (target ≤10 %)")
    limit = 1.5 * model_bytes + 300 * 2**20
    print(f"Peak RSS: {peak / 2**20:,.0f} MB; model on disk {model_bytes / 2**20:,.0f} MB; "
          f"limit 1.5 × model + 300 MB = {limit / 2**20:,.0f} MB ({'within' if peak <= limit else 'OVER'})")


class _Recorder:
    """An engine wrapper that keeps what mtfix sends to the model, call by call."""

    def __init__(self, engine):
        self.engine, self.calls = engine, []

    def translate(self, texts, lang, terms=None):
        self.calls.append(list(texts))
        return self.engine.translate(texts, lang, terms)

    def __getattr__(self, name):
        return getattr(self.engine, name)


def seed_document():
    """The shared Chinese seed, prepared as ``mtfix translate`` prepares it (shipped glossary)."""
    from mtfix.glossary import shipped_glossary
    from mtfix.pipeline import prepare_document

    seed = ROOT.parent / "shared" / "seeds" / "003_50acc072ef37d5e9.txt"
    return prepare_document(seed, glossary=shipped_glossary())


def mtfix_translate_stage(config, document, glossary: bool, repeats: int = 3) -> tuple[float, list[str]]:
    """Seconds of the translate stage (``translate_documents``: pieces, term requests,
    decoding, term repair, word links) with a loaded engine; and the texts the model got."""
    import copy

    from mtfix.glossary import shipped_glossary
    from mtfix.pipeline import translate_documents

    engine = _Recorder(create_engine(config))
    terms = shipped_glossary() if glossary else None
    translate_documents([copy.deepcopy(document)], engine, config, glossary=terms)  # loads, warms up
    times = []
    for _ in range(repeats):
        engine.calls.clear()
        started = time.perf_counter()
        translate_documents([copy.deepcopy(document)], engine, config, glossary=terms)
        times.append(time.perf_counter() - started)
    return statistics.median(times), [text for call in engine.calls for text in call]


def raw_ct2(model: Path, texts: list[str], beam: int, tokens: int) -> float:
    """What a user's own script gets: the Marian tokenizer, one ``translate_batch`` over
    every sentence (CTranslate2 sorts and batches by tokens itself), detokenized."""
    import ctranslate2
    from transformers import AutoTokenizer

    from mtfix.engines import ct2_convert

    tokenizer = AutoTokenizer.from_pretrained(str(model))
    workers, per_worker = ct2_convert.cpu_workers(ct2_convert.default_threads())
    translator = ctranslate2.Translator(str(ct2_convert.convert(str(model), "int8")), device="cpu",
                                        compute_type="int8", inter_threads=workers, intra_threads=per_worker)

    def run(batch: list[str]) -> list[str]:
        sources = [tokenizer.convert_ids_to_tokens(ids) for ids in tokenizer(batch)["input_ids"]]
        results = translator.translate_batch(sources, beam_size=beam, max_batch_size=768, batch_type="tokens",
                                             max_decoding_length=tokens, min_decoding_length=tokens,
                                             return_scores=True, return_attention=True)
        return [tokenizer.decode(tokenizer.convert_tokens_to_ids(r.hypotheses[0]), skip_special_tokens=True)
                for r in results]

    run(texts[:2])
    times = []
    for _ in range(3):
        started = time.perf_counter()
        run(texts)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def raw_generate(model: Path, texts: list[str], beam: int, tokens: int, batch_size: int = 16, repeats: int = 3) -> float:
    """The transformers side of a user's script: sorted by length, batches of 16, generate."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model))
    network = AutoModelForSeq2SeqLM.from_pretrained(str(model)).eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))

    def run(batch_texts: list[str]) -> None:
        for start in range(0, len(batch_texts), batch_size):
            batch = tokenizer(batch_texts[start : start + batch_size], return_tensors="pt", padding=True)
            with torch.inference_mode():
                ids = network.generate(**batch, num_beams=beam, max_new_tokens=tokens, min_new_tokens=tokens)
            tokenizer.batch_decode(ids, skip_special_tokens=True)

    run(texts[:2])
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run([texts[i] for i in order])
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def raw_table(model: Path, tokens: int, beams: tuple[int, ...], engines: tuple[str, ...]) -> None:
    """mtfix's translate stage against a user's own script on the same model and sentences."""
    document = seed_document()
    print(f"\n## Against raw: the shared Chinese seed ({len(document.segments)} segments), {tokens} tokens each\n")
    print("| engine | search | mtfix, glossary on (s) | mtfix, glossary off (s) | raw (s) | on × raw | off × raw |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for engine_name in engines:
        for beam in beams:
            options = Ct2Options(compute_type="int8") if engine_name == "ct2" else None
            config = TranslateConfig(engine=engine_name, model=str(model), beam_size=beam, max_new_tokens=tokens,
                                     min_new_tokens=tokens, options=options, guard="flag")
            # (transformers on a CPU: one timed run each, after a warm-up; ct2: the median of 3)
            repeats = 3 if engine_name == "ct2" else 1
            with_terms, texts = mtfix_translate_stage(config, document, glossary=True, repeats=repeats)
            without, _ = mtfix_translate_stage(config, document, glossary=False, repeats=repeats)
            raw = raw_ct2(model, texts, beam, tokens) if engine_name == "ct2" else \
                raw_generate(model, texts, beam, tokens, repeats=repeats)
            label = "ct2 int8" if engine_name == "ct2" else "transformers fp32"
            print(f"| {label} ({len(texts)} sentences) | {'greedy' if beam == 1 else f'beam {beam}'} "
                  f"| {with_terms:.2f} | {without:.2f} | {raw:.2f} | {with_terms / raw:.2f} | {without / raw:.2f} |",
                  flush=True)


RAW_SCRIPT = """
import json, sys
import ctranslate2
from transformers import AutoTokenizer
model, converted, texts_file, out, beam, tokens = sys.argv[1:7]
tokenizer = AutoTokenizer.from_pretrained(model)
translator = ctranslate2.Translator(converted, device="cpu", compute_type="int8", inter_threads=2, intra_threads=1)
texts = json.load(open(texts_file, encoding="utf-8"))
sources = [tokenizer.convert_ids_to_tokens(ids) for ids in tokenizer(texts)["input_ids"]]
results = translator.translate_batch(sources, beam_size=int(beam), max_batch_size=768, batch_type="tokens",
                                     max_decoding_length=int(tokens), return_scores=True, return_attention=True)
english = [tokenizer.decode(tokenizer.convert_tokens_to_ids(r.hypotheses[0]), skip_special_tokens=True) for r in results]
open(out, "w", encoding="utf-8").write("\\n".join(english) + "\\n")
"""


def whole_process_table(model: Path, work: Path, tokens: int, repeats: int = 3) -> None:
    """``mtfix translate FILE --engine ct2`` against a script of one's own (:data:`RAW_SCRIPT`:
    import, load, translate the same sentences, write), each a fresh process, best of
    ``repeats``; on the shared Chinese seed and on its first paragraph alone."""
    from mtfix.engines import ct2_convert
    from mtfix.glossary import shipped_glossary
    from mtfix.pipeline import prepare_document

    converted = ct2_convert.convert(str(model), "int8")
    seed = ROOT.parent / "shared" / "seeds" / "003_50acc072ef37d5e9.txt"
    paragraph = work / "paragraph.txt"
    paragraph.write_text(seed.read_text(encoding="utf-8").split("\n")[0] + "\n", encoding="utf-8")
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    print(f"\n## Whole process against a script of one's own: ct2 int8 greedy, {tokens} tokens at most\n")
    print("| input | mtfix translate (s) | raw script (s) | × raw | mtfix beyond raw (s) |")
    print("|---|---:|---:|---:|---:|")
    for name, source in (("the shared Chinese seed", seed), ("its first paragraph", paragraph)):
        # The raw script gets exactly what mtfix sends to the model (English passes through).
        config = TranslateConfig(engine="ct2", model=str(model), beam_size=1, max_new_tokens=1)
        _, texts = mtfix_translate_stage(config, prepare_document(source, glossary=shipped_glossary()), False, 1)
        texts_file = work / "texts.json"
        texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        mtfix_times, raw_times = [], []
        for attempt in range(repeats):
            command = [sys.executable, "-m", "mtfix.cli", "translate", str(source), "--out", str(work / f"w{attempt}"),
                       "--engine", "ct2", "--model", str(model), "--beam", "1", "--max-new-tokens", str(tokens),
                       "--no-memory", "--quiet", "--guard", "flag"]
            started = time.perf_counter()
            subprocess.run(command, check=True, env=env, capture_output=True)
            mtfix_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", RAW_SCRIPT, str(model), str(converted), str(texts_file),
                            str(work / "raw.txt"), "1", str(tokens)], check=True, env=env, capture_output=True)
            raw_times.append(time.perf_counter() - started)
        ours, raw = min(mtfix_times), min(raw_times)
        print(f"| {name} ({len(texts)} pieces) | {ours:.2f} | {raw:.2f} | {ours / raw:.2f} | {ours - raw:.2f} |",
              flush=True)


def help_startup(repeats: int = 5) -> None:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mtfix.cli", "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    print(f"\n`mtfix --help`: {statistics.median(times):.3f} s (median of {repeats}; target < 0.5 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=40)
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--e2e-sentences", type=int, default=2000)
    parser.add_argument("--skip-e2e", action="store_true")
    parser.add_argument("--skip-decoding", action="store_true")
    parser.add_argument("--raw-only", action="store_true", help="Only the table against raw CTranslate2 / generate.")
    parser.add_argument("--raw-engines", default="ct2,marian")
    parser.add_argument("--skip-raw", action="store_true")
    args = parser.parse_args()
    if not (SHARED_MODEL / "config.json").is_file():
        raise SystemExit(f"{SHARED_MODEL} is absent: this benchmark needs the real opus-mt-zh-en tokenizer and config")
    import platform

    print(f"# mtfix speed benchmark: {platform.processor() or platform.machine()}, "
          f"{len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}")
    print("Random weights on the opus-mt-zh-en architecture: speed only, never quality.")
    from mtfix.testing import build_random_model

    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        os.environ.setdefault("MTFIX_CT2_CACHE", str(work / "ct2"))
        model = build_random_model(SHARED_MODEL, work / "zh-random")
        if not args.skip_raw:
            raw_table(model, args.tokens, (1, 4), tuple(args.raw_engines.split(",")))
        if not args.skip_raw:
            whole_process_table(model, work, args.tokens)
        if args.raw_only:
            return
        if not args.skip_decoding:
            decoding_table(model, args.sentences, args.tokens)
        if not args.skip_e2e:
            end_to_end(model, work, args.documents, args.e2e_sentences)
        help_startup()


if __name__ == "__main__":
    main()
