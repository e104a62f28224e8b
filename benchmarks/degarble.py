"""De-garbling benchmark: exact repair per damage kind, false changes, throughput.

The corpus is generated: clean paragraphs written for mtfix (``benchmarks/data/
clean_paragraphs.txt``) get one kind of damage injected at a time, the way the shared seeds
show it, so the answer is known. Each damaged text is repaired by ``mtfix.degarble.clean``
and by ``ftfy.fix_text`` with its default options; a repair is exact when it gives back the
clean paragraph character for character. Clean texts (the paragraphs themselves, the clean
shared Chinese seed when present, the repo's clean samples) measure false changes: any edit
at all counts. Throughput is measured on one core, ftfy and mtfix side by side in one run,
on the damaged cases (every paragraph damaged), the same damage diluted among clean
paragraphs (one in ten), clean text, and the shared seeds.

    python benchmarks/degarble.py [--cases-per-kind 200] [--seed 1]

Targets (issue 4): exact repair >= 90 % per kind, false changes 0, >= 2 MB/s.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

import ftfy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtfix.degarble import CleanConfig, clean  # noqa: E402

# The generated cases are single damaged phrases without the rest of a broken document, so
# the repairs run ungated (as `--always-repair`): this measures what each repair does.
UNGATED = CleanConfig(gate=False)

DATA = Path(__file__).parent / "data" / "clean_paragraphs.txt"
SHARED_CLEAN = ROOT.parent / "shared" / "seeds"

NAMES = ["Lucas Beyer", "Alexander Kolesnikov", "Xiaohua Zhai", "Sam Altman", "Mark Zuckerberg",
         "Dana Price", "Ilya Sutskever", "John Schulman", "Chen Wei", "Maria Okafor", "Rishabh Agarwal"]
DEBRIS = [" a-nexeates”_ _ blank”> ", " target”_ blank”> ", ' target="_blank"> ',
          " a-nya, a-nice-nya, target”_ blank”> ", "”_ _ _ _ blank-nya a-nexte> "]


def paragraphs() -> list[tuple[str, str]]:
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lang, text = line.split("\t", 1)
            rows.append((lang, text))
    return rows


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"[^.。!?]+[.。!?]”?", text)]


# --- injectors: (lang, clean text, rng) -> damaged text, or None where the kind does not apply


def mojibake(lang, text, rng):
    spans = [s for s in _sentence_spans(text) if not text[s[0]:s[1]].isascii()]
    if not spans:
        return None
    start, end = rng.choice(spans)
    piece = text[start:end].strip()
    start = text.index(piece, start)
    schemes = [("utf-8", "cp1252")]
    if lang in ("zh", "ja", "ko", "de", "fr", "id", "en"):
        schemes.append(("utf-8", "gb18030"))
    if lang == "zh":
        schemes += [("gbk", "latin-1"), ("big5", "latin-1")]
    if lang == "ja":
        schemes += [("shift_jis", "latin-1")]
    rng.shuffle(schemes)
    for right, wrong in schemes:
        try:
            garbled = piece.encode(right).decode(wrong)
        except (UnicodeError, LookupError):
            continue
        return text[:start] + garbled + text[start + len(piece):]
    return None


def filler(lang, text, rng):
    if lang == "zh":
        stops = [m.start() for m in re.finditer("。(?=.)", text)]
        if not stops:
            return None
        at = rng.choice(stops)
        return text[:at] + "I don't know." + text[at + 1:]
    if lang not in ("en", "id"):
        return None
    options = []
    for m in re.finditer(r"(?<=[a-z])\. (?=[A-Z])", text):
        options.append((m.start(), m.end(), rng.choice(["I don't know.", "I don’t know."])))
    for m in re.finditer(r" “([^”]+)” (?=[a-z])", text):
        options.append((m.start(), m.end(), rng.choice([
            f"“At the end of the day,{m.group(1)}It's not a good idea, it's not a good idea.",
            f"♪ I'll be right back ♪{m.group(1)}I'm not sure what I'm going to do.",
        ])))
    if not options:
        return None
    start, end, phrase = rng.choice(options)
    return text[:start] + phrase + text[end:]


def loop(lang, text, rng):
    if lang in ("zh", "ja"):
        return None
    words = [m for m in re.finditer(r"[A-Za-z\u00c0-\u024f]+", text) if m.start() == 0 or text[m.start() - 1] == " "]
    n = rng.choice([1, 2, 3, 4])
    starts = [i for i in range(len(words) - n + 1)
              if all(text[words[j].end():words[j + 1].start()] == " " for j in range(i, i + n - 1))
              and (n > 1 or len(words[i].group()) >= 3)]
    if not starts:
        return None
    i = rng.choice(starts)
    start, end = words[i].start(), words[i + n - 1].end()
    unit = text[start:end]
    copies = {1: rng.randint(4, 6), 2: rng.randint(3, 4)}.get(n, rng.randint(2, 3))
    if n >= 3 and len(unit) < 15:
        copies = 3
    return text[:start] + " ".join([unit] * copies) + text[end:]


def markup(lang, text, rng):
    if lang in ("zh", "ja", "ko"):
        return None
    if rng.random() < 0.2:
        return "P> " + text
    spaces = [m.start() for m in re.finditer(r"(?<=[a-z]) (?=[A-Za-z])", text)]
    at = rng.choice(spaces)
    return text[:at] + rng.choice(DEBRIS) + text[at + 1:]


def glue(lang, text, rng):
    """Glue where the seeds show it: at the edges of Latin names, brands, acronyms and
    numbers, where Chinese stood next to them: a lowercase word before a capitalised one,
    an acronym or brand before a word, a word before digits, digits before a word."""
    if lang not in ("en",):
        return None
    joins = [m.end(1) for m in re.finditer(r"(?:^|(?<=\s))([a-z]+) (?=[A-Z])", text)]
    joins += [m.end(1) for m in re.finditer(r"\b([A-Z]{2,}|OpenAI|DeepMind|WhatsApp) (?=[A-Za-z])", text)]
    joins += [m.end(1) for m in re.finditer(r"\b([a-z]+) (?=\d)", text)]
    joins += [m.end(1) for m in re.finditer(r"\b(\d+) (?=[A-Z][a-z]+)", text)]
    if not joins:
        return None
    at = rng.choice(joins)
    return text[:at] + text[at + 1:]


def doublet(lang, text, rng):
    names = [n for n in NAMES if n in text]
    if names and rng.random() < 0.7:
        name = rng.choice(names)
        first, last = name.split()
        vowels = [i for i, ch in enumerate(last) if ch in "aeiou"]
        i = rng.choice(vowels)
        mangled = last[:i] + rng.choice([v for v in "aeiou" if v != last[i]]) + last[i + 1:]
        return text.replace(name, f"{first}.·{mangled}.{name}", 1)
    if lang in ("zh", "ja", "ko"):
        return None
    # A bold heading the engine wrote twice: the answer is the heading once.
    first = _sentence_spans(text)[0]
    heading = text[first[0]:first[1]].strip()
    return None if not heading else ("### **" + heading + "**" + heading + "\n" + text, "### **" + heading + "**\n" + text)


def spacing(lang, text, rng):
    if lang not in ("en", "id", "de"):
        return None
    options = [(m.start(), m.end(), ".") for m in re.finditer(r"(?<=[a-z])\. (?=[A-Z][a-z])", text)]
    options += [(m.start(), m.end(), ",") for m in re.finditer(r"(?<=[a-z]), (?=[a-z]{2})", text)]
    options += [(m.start(), m.end(), " ,") for m in re.finditer(r"(?<=[a-z]), (?=[a-z]{2})", text)]
    for m in re.finditer(r"(?<=[a-z]) “([^”]+)” (?=[a-z])", text):
        options.append((m.start(), m.end(), f"”{m.group(1)}”"))
        options.append((m.start(), m.end(), f"“{m.group(1)}”"))
    if text.endswith("."):
        options.append((len(text) - 1, len(text), ".."))
    if not options:
        return None
    start, end, replacement = rng.choice(options)
    if replacement == " ,":
        return text[:start] + " ," + text[end:]
    return text[:start] + replacement + text[end:]


def garbage(lang, text, rng):
    if lang not in ("en", "id", "de"):
        return None
    consonants, vowels = "BCDFGKLMNPRSTVZ", "AEIOU"

    def word():
        return "".join(rng.choice(consonants) + rng.choice(vowels) + rng.choice(consonants) for _ in range(rng.randint(2, 3)))

    run = " ".join(word() for _ in range(rng.randint(4, 6))) + "."
    stops = [m.end() for m in re.finditer(r"(?<=[a-z])\. (?=[A-Z])", text)]
    if not stops:
        return None
    at = rng.choice(stops)
    return (text[:at] + run + " " + text[at:], text[:at] + run + " " + text[at:], run)


INJECTORS = {"mojibake": mojibake, "markup": markup, "filler": filler, "doublet": doublet,
             "glue": glue, "loop": loop, "spacing": spacing, "garbage": garbage}


def make_cases(per_kind: int, seed: int):
    rng = random.Random(seed)
    corpus = paragraphs()
    cases = {kind: [] for kind in INJECTORS}
    for kind, inject in INJECTORS.items():
        attempts = 0
        while len(cases[kind]) < per_kind and attempts < per_kind * 50:
            attempts += 1
            lang, text = rng.choice(corpus)
            made = inject(lang, text, rng)
            if made is None:
                continue
            if isinstance(made, tuple):
                garbled, expected, *flagged = made
            else:
                garbled, expected, flagged = made, text, []
            if garbled != expected or flagged:
                cases[kind].append((garbled, expected, flagged[0] if flagged else None))
    return cases


def clean_texts() -> list[tuple[str, str]]:
    texts = [(f"paragraph {i} ({lang})", text) for i, (lang, text) in enumerate(paragraphs())]
    for path in sorted(SHARED_CLEAN.glob("003_*.txt")):
        texts.append((f"shared {path.name}", path.read_text(encoding="utf-8")))
    for name in ("clean-zh.md",):
        texts.append((f"repo seeds/{name}", (ROOT / "seeds" / name).read_text(encoding="utf-8")))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases-per-kind", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    clean("warm up: MetaSuccess KRANTS BLOMBE KONSTRAGE CLINTASI. ok")  # loads wordfreq's lists
    cases = make_cases(args.cases_per_kind, args.seed)

    print(f"De-garbling benchmark: {args.cases_per_kind} generated cases per kind (seed {args.seed})\n")
    print(f"{'kind':10} {'cases':>6} {'mtfix exact':>12} {'ftfy exact':>11}")
    misses: dict[str, list[tuple[str, str, str]]] = {}
    for kind, items in cases.items():
        mtfix_ok = ftfy_ok = 0
        for garbled, expected, flagged in items:
            repaired, edits = clean(garbled, UNGATED)
            if flagged:
                hits = [e for e in edits if "garbage" in e.flags]
                good = repaired == expected and len(hits) == 1 and hits[0].original == flagged
                ftfy_good = False  # ftfy has no notion of garbage
            else:
                good = repaired == expected
                ftfy_good = ftfy.fix_text(garbled) == expected
            mtfix_ok += good
            ftfy_ok += ftfy_good
            if not good:
                misses.setdefault(kind, []).append((garbled, expected, repaired))
        ftfy_cell = "—" if kind == "garbage" else f"{100 * ftfy_ok / len(items):.1f} %"
        print(f"{kind:10} {len(items):6d} {100 * mtfix_ok / len(items):10.1f} % {ftfy_cell:>11}")

    texts = clean_texts()
    mtfix_false = [name for name, text in texts if clean(text, UNGATED)[1]]
    ftfy_false = [name for name, text in texts if ftfy.fix_text(text) != text]
    print(f"\nfalse changes on {len(texts)} clean texts: mtfix {len(mtfix_false)}, ftfy {len(ftfy_false)}")
    for name in mtfix_false:
        print(f"  mtfix changed: {name}")

    # Throughput on one core, ftfy and mtfix side by side, on documents of realistic size:
    # the damaged cases and the clean texts, each joined into documents of about 20 KB.
    damaged = [g for items in cases.values() for g, _, _ in items]
    random.Random(args.seed).shuffle(damaged)
    clean_only = [t for _, t in texts]
    print("\nthroughput, best of 5 runs, one core (MB of UTF-8 per second):")
    print(f"{'documents':36} {'MB':>6} {'mtfix clean':>12} {'ftfy fix_text':>14}")
    # The same damage, diluted: one damaged paragraph in ten, the others the benchmark's clean
    # paragraphs (how throughput falls with the density of damage).
    dilute = random.Random(args.seed + 1)
    pool = [text for _, text in paragraphs()]
    sparse = [piece for g in damaged[: len(damaged) // 4] for piece in [g] + dilute.sample(pool, 9)]
    rows = [("damaged (one kind per paragraph)", damaged), ("one paragraph in ten damaged", sparse),
            ("clean", clean_only * 20)]
    dense = [p.read_text(encoding="utf-8") for p in sorted(SHARED_CLEAN.glob("00[02]_*.txt"))]
    if dense:
        rows.append(("shared seeds 000+002 (dense damage)", dense * 10))
    for label, pieces in rows:
        documents, current = [], []
        for piece in pieces:
            current.append(piece)
            if sum(len(p) for p in current) > 20_000:
                documents.append("\n\n".join(current))
                current = []
        if current:
            documents.append("\n\n".join(current))
        size = sum(len(d.encode("utf-8")) for d in documents)
        speeds = []
        for fn in (clean, ftfy.fix_text):
            best = float("inf")
            for _ in range(5):  # (best of five: this kind of machine is noisy)
                start = time.perf_counter()
                for document in documents:
                    fn(document)
                best = min(best, time.perf_counter() - start)
            speeds.append(size / best / 1e6)
        print(f"{label:36} {size / 1e6:6.2f} {speeds[0]:12.2f} {speeds[1]:14.2f}")

    published_documents()
    cjk_directions()

    if misses:
        print("\nfirst misses per kind:")
        for kind, items in misses.items():
            for garbled, expected, repaired in items[:2]:
                print(f"  [{kind}] {garbled[:110]!r}\n      got      {repaired[:110]!r}\n      expected {expected[:110]!r}")


REALDOCS = ROOT / "tests" / "data" / "realdocs"


def _realdocs():
    """(name, language, text, prose spans) of each published document, as `mtfix clean`
    reads it."""
    from mtfix import formats
    from mtfix.sources import read_text

    rows = [line.split("\t") for line in (REALDOCS / "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    documents = []
    for name, _, language, *_ in rows:
        path = REALDOCS / name
        if path.is_file():
            text = read_text(path).text
            documents.append((name, language, text, formats.parse(text, formats.choose(name, text, None)).shown_spans()))
    return documents


def published_documents() -> None:
    """Edits and throughput on documents nobody here wrote, side by side with ftfy."""
    from mtfix.degarble import clean_explained

    documents = _realdocs()
    size = sum(len(text.encode("utf-8")) for _, _, text, _ in documents)
    changed = [name for name, _, text, shown in documents if clean_explained(text, CleanConfig(), shown)[1]]
    ftfy_changed = [name for name, _, text, _ in documents if ftfy.fix_text(text) != text]
    speeds = []
    for fn in (lambda d: clean_explained(d[2], CleanConfig(), d[3]), lambda d: ftfy.fix_text(d[2])):
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for document in documents:
                fn(document)
            best = min(best, time.perf_counter() - start)
        speeds.append(size / best / 1e6)
    print(f"\npublished documents (tests/data/realdocs, {len(documents)} documents, {size / 1e6:.2f} MB, "
          "as `mtfix clean` reads them; ftfy.fix_text on the whole text):")
    print(f"  documents changed: mtfix {len(changed)}, ftfy {len(ftfy_changed)}")
    print(f"  throughput: mtfix {speeds[0]:.2f} MB/s, ftfy {speeds[1]:.2f} MB/s (ratio {speeds[0] / speeds[1]:.2f})")


# The legacy charset of each language's lines: the double encodings a reader meets.
_LEGACY = {"zh": "gbk", "zh-tw": "big5", "ja": "shift_jis"}


def cjk_directions() -> None:
    """Each double encoding applied to lines of published Chinese and Japanese documents
    (lines with six ideographs or more): exact repairs, by direction; for lossy copies, the
    share of characters recovered and how many came back wrong."""
    import difflib

    from mtfix.degarble import CleanConfig as Config

    only = Config.only("mojibake")
    lines: dict[str, list[str]] = {lang: [] for lang in _LEGACY}
    for _, lang, text, _ in _realdocs():
        if lang not in lines:
            continue
        for line in text.splitlines():
            line = re.sub(r"<[^>]+>", "", line).strip()
            if len(re.findall(r"[\u4e00-\u9fff]", line)) >= 6 and len(line) < 200 and "`" not in line:
                lines[lang].append(line)
    print("\nCJK double encodings on lines of published documents (exact repairs; lossy: characters recovered, wrong):")
    print(f"  {'lines':>20} {'direction':36} {'cases':>5} {'result':>16}")
    for lang, legacy in _LEGACY.items():
        sample = random.Random(1).sample(lines[lang], min(60, len(lines[lang])))
        directions = [(f"UTF-8 read as {legacy}, lossy", "utf-8", legacy), (f"{legacy} read as latin-1", legacy, "latin-1"),
                      (f"{legacy} read as cp1252, lossy", legacy, "cp1252"), ("UTF-8 read as cp1252, lossy", "utf-8", "cp1252"),
                      ("UTF-8 read as latin-1", "utf-8", "latin-1")]
        for label, written, read in directions:
            exact = cases = recovered = total = wrong = 0
            for line in sample:
                garbled = line.encode(written, "replace").decode(read, "replace")
                if garbled == line:
                    continue
                cases += 1
                repaired = clean(garbled, only)[0]
                exact += repaired == line
                matcher = difflib.SequenceMatcher(None, repaired, line, autojunk=False)
                recovered += sum(block.size for block in matcher.get_matching_blocks())
                total += len(line)
                # A character the repair wrote that the line does not have there (not U+FFFD,
                # and not mojibake left as it was).
                wrong += sum(1 for op, a, b, _, _ in matcher.get_opcodes() if op != "equal"
                             for ch in repaired[a:b] if ch != "\ufffd" and ch not in garbled)
            result = (f"{100 * recovered / total:.1f} %, {wrong} wrong" if "lossy" in label else f"{exact}/{cases} exact")
            print(f"  {lang + ' (' + str(len(sample)) + ')':>20} {label:36} {cases:5d} {result:>16}")


if __name__ == "__main__":
    main()
