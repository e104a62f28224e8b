"""Sentence splitting, side by side with pySBD on pySBD's own golden rules.

Data: ``tests/data/peer/pysbd/golden_rules.json`` (pySBD's ``tests/lang`` cases, MIT, see
``tests/data/peer/README.md``), one paragraph per rule. A rule passes when the sentences
come out exactly (whitespace at their edges aside). mtfix's splitter is
:func:`mtfix.segment.split_sentences` (pySBD's rules where pySBD has the language, else
mtfix's own, shown apart as "own rules"); pySBD runs with ``clean=False, char_span=True``, as
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

    return [text[a:b].strip() for a, b in split_sentences(text, lang)]


def mtfix_rules(text: str, lang: str) -> list[str]:
    from mtfix.segment import rule_sentences

    return [text[a:b].strip() for a, b in rule_sentences(text)]


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
    print(f"{'lang':5} {'rules':>5} {'mtfix':>7} {'own rules':>10} {'pySBD':>7}")
    totals = [0, 0, 0, 0]
    for lang, cases in sorted(rules.items()):
        right = [0, 0, 0]
        for case in cases:
            want = [s.strip() for s in case["sentences"]]
            right[0] += mtfix_split(case["text"], lang) == want
            right[1] += mtfix_rules(case["text"], lang) == want
            right[2] += pysbd_split(case["text"], lang) == want
        totals = [totals[0] + len(cases)] + [t + r for t, r in zip(totals[1:], right)]
        print(f"{lang:5} {len(cases):5d} {right[0]:7d} {right[1]:10d} {right[2]:7d}")
    print(f"{'all':5} {totals[0]:5d} {totals[1]:7d} {totals[2]:10d} {totals[3]:7d}  "
          f"({', '.join(f'{100 * t / totals[0]:.1f} %' for t in totals[1:])})")
    english = rules.get("en", [])
    foreign = totals[0] - len(english)
    right_foreign = totals[1] - sum(mtfix_split(c["text"], "en") == [x.strip() for x in c["sentences"]] for c in english)
    pysbd_foreign = totals[3] - sum(pysbd_split(c["text"], "en") == [x.strip() for x in c["sentences"]] for c in english)
    print(f"without English (never translated, so split by the own rules): mtfix {right_foreign}/{foreign}, "
          f"pySBD {pysbd_foreign}/{foreign}")
    texts = [(case["text"], lang) for lang, cases in rules.items() for case in cases] * 5
    size = sum(len(t.encode("utf-8")) for t, _ in texts) / 1e6
    for name, split in (("mtfix", mtfix_split), ("own rules", mtfix_rules), ("pySBD", pysbd_split)):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for text, lang in texts:
                split(text, lang)
            best = min(best, time.perf_counter() - start)
        print(f"throughput {name}: {size / best:.3f} MB/s")


if __name__ == "__main__":
    main()
