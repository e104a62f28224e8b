"""Sentence splitting, side by side with pySBD on pySBD's own golden rules.

Data: ``tests/data/peer/pysbd/golden_rules.json`` (pySBD's ``tests/lang`` cases, MIT, see
``tests/data/peer/README.md``), one paragraph per rule. A rule passes when the sentences
come out exactly (whitespace at their edges aside). mtfix's splitter is
:func:`mtfix.segment.split_sentences`; pySBD runs with ``clean=False, char_span=True``, as
mtfix would call it (spans into the text as given). Throughput on all the rules' text.

    python benchmarks/sentences.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RULES = ROOT / "tests" / "data" / "peer" / "pysbd" / "golden_rules.json"


def mtfix_split(text: str, lang: str) -> list[str]:
    from mtfix.segment import split_sentences

    return [text[a:b].strip() for a, b in split_sentences(text)]  # (one set of rules for every language)


def pysbd_split(text: str, lang: str) -> list[str]:
    return [span.sent.strip() for span in _pysbd(lang).segment(text)]


_SEGMENTERS: dict = {}


def _pysbd(lang: str):
    import pysbd

    if lang not in _SEGMENTERS:
        _SEGMENTERS[lang] = pysbd.Segmenter(language=lang, clean=False, char_span=True)
    return _SEGMENTERS[lang]


def main() -> None:
    rules = json.loads(RULES.read_text(encoding="utf-8"))
    print(f"pySBD's golden rules: {sum(map(len, rules.values()))} in {len(rules)} languages (exact sentences)\n")
    print(f"{'lang':5} {'rules':>5} {'mtfix':>7} {'pySBD':>7}")
    totals = [0, 0, 0]
    for lang, cases in sorted(rules.items()):
        right = [0, 0]
        for case in cases:
            want = [s.strip() for s in case["sentences"]]
            right[0] += mtfix_split(case["text"], lang) == want
            right[1] += pysbd_split(case["text"], lang) == want
        totals = [totals[0] + len(cases), totals[1] + right[0], totals[2] + right[1]]
        print(f"{lang:5} {len(cases):5d} {right[0]:7d} {right[1]:7d}")
    print(f"{'all':5} {totals[0]:5d} {totals[1]:7d} {totals[2]:7d}  "
          f"({100 * totals[1] / totals[0]:.1f} % / {100 * totals[2] / totals[0]:.1f} %)")
    texts = [(case["text"], lang) for lang, cases in rules.items() for case in cases] * 5
    size = sum(len(t.encode("utf-8")) for t, _ in texts) / 1e6
    for name, split in (("mtfix", mtfix_split), ("pySBD", pysbd_split)):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for text, lang in texts:
                split(text, lang)
            best = min(best, time.perf_counter() - start)
        print(f"throughput {name}: {size / best:.3f} MB/s")


if __name__ == "__main__":
    main()
