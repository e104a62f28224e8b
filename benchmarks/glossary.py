"""Glossary and protected-span benchmark: the guarantee, and what enforcing it costs.

Random-weight models (a tiny Marian model trained here, and the real opus-mt-zh-en
architecture and tokenizer when ``../shared/models/opus-mt-zh-en`` is present) translate
generated sentences with 0, 1 and 4 glossary terms each, greedy and beam 4, with and without
the glossary, in one run. Reported: the share of term occurrences whose canonical form is in
the output (random weights never write a term by chance, so this measures the mechanism,
not translation quality), and throughput in generated tokens per second against plain
decoding of the same sentences.

    python benchmarks/glossary.py [--sentences 48] [--max-new-tokens 32]

Target (issue 5): constraints cost at most 15 % of throughput. Protected spans (issue 6) run
the same way with 0, 2 and 5 spans per Chinese sentence.
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
from mtfix.engines.constraints import TermRequest  # noqa: E402

TERMS = [("Zhai Xiaohua", ("Xiaohua Zhai",)), ("Lucas Beyer", ("Lucas Bayer",)), ("MSL", ()),
         ("TBD Lab", ()), ("Thinking Machines Lab", ()), ("Shengjia Zhao", ())]
ZH_TERMS = [("翟晓华", "Zhai Xiaohua"), ("小扎", "Zuckerberg"), ("MSL", "MSL"), ("赵晟佳", "Shengjia Zhao"),
            ("超级智能实验室", "Meta Superintelligence Labs"), ("谷歌", "Google")]
ID_WORDS = "perusahaan itu telah merekrut peneliti top lain dari saingannya dan tim baru di zurich".split()
ZH_WORDS = list("公司宣布三位新研究员将于下个月加入团队的工作")


def sentences(n: int, terms_each: int, chinese: bool, seed: int) -> tuple[list[str], list[list[TermRequest]]]:
    rng = random.Random(seed)
    texts, requests = [], []
    for _ in range(n):
        words = [rng.choice(ZH_WORDS if chinese else ID_WORDS) for _ in range(rng.randint(6, 14))]
        wanted = []
        for _ in range(terms_each):
            at = rng.randint(0, len(words))
            if chinese:
                source, target = rng.choice(ZH_TERMS)
                words.insert(at, source)
                wanted.append(TermRequest(target))
            else:
                target, wrong = rng.choice(TERMS)
                words.insert(at, target)
                wanted.append(TermRequest(target, wrong))
        texts.append(("" if chinese else " ").join(words))
        requests.append(wanted)
    return texts, requests


SPANS = ["Rishabh Agarwal", "GPT-4o", "Llama 4", "NeurIPS", "https://x.ai/blog", "a.b@c.org", "2019", "1.436",
         "14.3亿", "1万", "$1.25"]


def span_sentences(n: int, spans_each: int, seed: int) -> tuple[list[str], list[list[TermRequest]]]:
    """Chinese sentences with ``spans_each`` protected spans each (names, URLs, numbers)."""
    from mtfix.translate import term_requests

    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        words = [rng.choice(ZH_WORDS) for _ in range(rng.randint(6, 14))]
        for _ in range(spans_each):
            words.insert(rng.randint(0, len(words)), rng.choice(SPANS) + rng.choice(ZH_WORDS))
        texts.append("".join(words))
    return texts, [term_requests(None, text, "zh", True) for text in texts]


def run(engine, texts, requests, lang, use_terms: bool) -> tuple[float, int, int, int]:
    tokenizer = engine._load(lang).tokenizer
    start = time.perf_counter()
    outputs = engine.translate(texts, lang, requests if use_terms else None)
    seconds = time.perf_counter() - start
    generated = sum(len(tokenizer(text_target=o.text, add_special_tokens=False)["input_ids"]) for o in outputs)
    wanted = sum(len(r) for r in requests)
    present = sum(min(o.text.count(t.target), 1) for o, r in zip(outputs, requests) for t in r)
    return seconds, generated, wanted, present if wanted else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=48)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    args = parser.parse_args()

    from mtfix.testing import build_random_model, build_tiny_marian

    work = Path(tempfile.mkdtemp(prefix="mtfix-glossary-bench-"))
    models = [("tiny Marian (id)", build_tiny_marian(ROOT / "tests" / "data" / "tiny_corpus.txt", work / "tiny"), "id", False)]
    shared = ROOT.parent / "shared" / "models" / "opus-mt-zh-en"
    if (shared / "config.json").is_file():
        models.append(("opus-mt-zh-en random (zh)", build_random_model(shared, work / "zh"), "zh", True))

    print(f"Glossary benchmark: {args.sentences} sentences per row, max {args.max_new_tokens} new tokens, CPU\n")
    print(f"{'model':28} {'search':7} {'terms':>5} {'plain tok/s':>12} {'glossary tok/s':>15} {'cost':>7} "
          f"{'terms out, plain':>17} {'with glossary':>14}")
    for label, model, lang, chinese in models:
        for beam in (1, 4):
            config = TranslateConfig(model=str(model), beam_size=beam, max_new_tokens=args.max_new_tokens, batch_size=16)
            engine = create_engine(config)
            engine.translate(["warm up"], lang)
            for terms_each in (0, 1, 4):
                texts, requests = sentences(args.sentences, terms_each, chinese, seed=terms_each)
                # Side by side, best of two, so that noise does not pick the winner.
                plain = min((run(engine, texts, requests, lang, False) for _ in range(2)), key=lambda r: r[0])
                forced = min((run(engine, texts, requests, lang, True) for _ in range(2)), key=lambda r: r[0])
                plain_rate = plain[1] / plain[0]
                forced_rate = forced[1] / forced[0]
                cost = 1 - forced_rate / plain_rate
                wanted = plain[2]
                share = (lambda present: f"{100 * present / wanted:.1f} %" if wanted else "—")
                print(f"{label:28} {'greedy' if beam == 1 else f'beam {beam}':7} {terms_each:5d} {plain_rate:12.0f} "
                      f"{forced_rate:15.0f} {100 * cost:6.1f}% {share(plain[3]):>17} {share(forced[3]):>14}")

    print("\nProtected spans (names in Latin script, URLs, e-mails, numbers, magnitudes) in Chinese sentences:")
    print(f"{'model':28} {'search':7} {'spans':>5} {'plain tok/s':>12} {'protected tok/s':>16} {'cost':>7} "
          f"{'spans out, plain':>17} {'protected':>10}")
    for label, model, lang, chinese in models:
        for beam in (1, 4):
            config = TranslateConfig(model=str(model), beam_size=beam, max_new_tokens=args.max_new_tokens, batch_size=16)
            engine = create_engine(config)
            for spans_each in (0, 2, 5):
                texts, requests = span_sentences(args.sentences, spans_each, seed=spans_each)
                plain = min((run(engine, texts, requests, "zh", False) for _ in range(2)), key=lambda r: r[0])
                forced = min((run(engine, texts, requests, "zh", True) for _ in range(2)), key=lambda r: r[0])
                plain_rate, forced_rate = plain[1] / plain[0], forced[1] / forced[0]
                wanted = plain[2]
                share = (lambda present: f"{100 * present / wanted:.1f} %" if wanted else "—")
                print(f"{label:28} {'greedy' if beam == 1 else f'beam {beam}':7} {spans_each:5d} {plain_rate:12.0f} "
                      f"{forced_rate:16.0f} {100 * (1 - forced_rate / plain_rate):6.1f}% {share(plain[3]):>17} "
                      f"{share(forced[3]):>10}")


if __name__ == "__main__":
    main()
