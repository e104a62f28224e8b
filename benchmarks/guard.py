"""The output guard: how often it raises a false alarm on human translations, and its
mechanism (what it flags before and after its retries, and what the retries cost).

1. False alarms: every check run on real human translations into English, the line pairs
   of Debian's gettext catalogues in nine languages (``tests/data/gettext/pairs.tsv``, those
   mtfix would send to a model), with the protected spans mtfix would pin: a flag there is a
   false alarm. Also each language's median English-to-source length ratio, the length
   check's prior (:data:`mtfix.guard.PRIOR_RATIO`).
2. Random weights built from ``../shared/models/opus-mt-zh-en`` (the real architecture and
tokenizer) loop on almost every sentence, which makes them a test bed for the mechanism: the
same documents are translated with ``--guard flag`` (the checks only: "before") and with
``--guard retry`` ("after"), with one loaded model, side by side in one run, and the share
of translated segments carrying each flag is printed for both, with the time each took. The
English stays nonsense either way: these are figures of the mechanism (loops gone, lengths
in range), never of quality.

Corpora: the shared seeds, and the real-document corpus (``tests/data/realdocs``: Debian
manuals, manual pages, READMEs in nine languages), every document cut to its first
``--segments`` segments to keep the run short. Every language goes to the one Chinese
model (``--model``), as a user's ``--model`` would send it.

    python benchmarks/guard.py [--engine ct2|marian] [--tokens 40] [--segments 40] [--max-retries 1000]
                               [--false-alarms-only]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from mtfix import guard  # noqa: E402
from mtfix.degarble import CleanConfig  # noqa: E402
from mtfix.engines.base import TranslateConfig, create_engine  # noqa: E402
from mtfix.glossary import shipped_glossary  # noqa: E402
from mtfix.pipeline import prepare_document, translate_documents  # noqa: E402

SHOWN = guard.RANKED + ("retried",)


def false_alarms() -> None:
    from statistics import median

    sys.path.insert(0, str(ROOT / "tests" / "data" / "gettext"))
    from extract import read_pairs, sent_to_a_model

    from mtfix.translate import term_requests

    rows = [row for row in read_pairs() if sent_to_a_model(row)]
    print(f"## False alarms on human translations: {len(rows)} line pairs of Debian's gettext catalogues\n")
    print("| language | pairs | median English / source length | " + " | ".join(guard.GUARD_FLAGS) + " |")
    print("|---|---:|---:|" + "---:|" * len(guard.GUARD_FLAGS))
    total = Counter()
    for lang in dict.fromkeys(row["lang"] for row in rows):
        mine = [row for row in rows if row["lang"] == lang]
        found = Counter()
        for row in mine:
            allowed = [r.target for r in term_requests(None, row["translation"], lang.split("_")[0], True)]
            found.update(check.flag for check in guard.check_output(row["translation"], row["english"], allowed))
        total.update(found)
        ratio = median(len(row["english"]) / len(row["translation"]) for row in mine)
        print(f"| {lang} | {len(mine)} | {ratio:.2f} | " + " | ".join(str(found[f]) for f in guard.GUARD_FLAGS) + " |")
    alarms = sum(total.values())
    print(f"\nfalse alarms: {alarms} of {len(rows)} ({alarms / len(rows):.2%})\n", flush=True)


def corpora(segments: int) -> dict[str, list]:
    found = {"shared seeds": sorted((SHARED / "seeds").glob("*.txt")),
             "real documents": sorted(p for p in (ROOT / "tests" / "data" / "realdocs").iterdir()
                                      if p.suffix in (".md", ".txt", ".html", ".xhtml"))}
    prepared = {}
    for name, paths in found.items():
        documents = []
        for path in paths:
            document = prepare_document(path, CleanConfig(), glossary=shipped_glossary())
            document.segments = document.segments[:segments]
            documents.append(document)
        prepared[name] = documents
    return prepared


def fresh_copies(documents: list) -> list:
    import copy

    copies = copy.deepcopy(documents)
    for document in copies:
        document.translations = {}
    return copies


def flag_shares(documents: list) -> tuple[int, Counter, int]:
    """Translated segments, how many carry each flag, how many have a problem (guard.RANKED)."""
    translations = [t for d in documents for t in d.translations.values()]
    problems = sum(1 for t in translations if guard.problems(t.flags))
    return len(translations), Counter(flag for t in translations for flag in set(t.flags)), problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="ct2", choices=("ct2", "marian"))
    parser.add_argument("--tokens", type=int, default=40, help="--max-new-tokens")
    parser.add_argument("--segments", type=int, default=40, help="segments kept of each document")
    parser.add_argument("--max-retries", type=int, default=1000, help="per document, for the retry run")
    parser.add_argument("--beam", type=int, default=1)
    parser.add_argument("--false-alarms-only", action="store_true")
    args = parser.parse_args()
    false_alarms()
    if args.false_alarms_only:
        return

    from mtfix.testing import build_random_model

    with tempfile.TemporaryDirectory() as work:
        model = build_random_model(SHARED / "models" / "opus-mt-zh-en", Path(work) / "zh-random")
        config = TranslateConfig(engine=args.engine, model=str(model), beam_size=args.beam,
                                 max_new_tokens=args.tokens, device="cpu", max_retries=args.max_retries)
        engine = create_engine(config)
        prepared = corpora(args.segments)
        # Loaded and warm before anything is timed.
        translate_documents(fresh_copies(prepared["shared seeds"][:1]), engine, replace(config, guard="off"))
        print(f"# Output guard: random-weight opus-mt-zh-en, {args.engine}, beam {args.beam}, "
              f"{args.tokens} tokens at most, {len(os.sched_getaffinity(0))} CPU threads\n")
        for name, documents in prepared.items():
            runs = {}
            for mode in ("flag", "retry"):
                copies = fresh_copies(documents)
                started = time.perf_counter()
                translate_documents(copies, engine, replace(config, guard=mode), glossary=shipped_glossary())
                runs[mode] = (time.perf_counter() - started, *flag_shares(copies))
            segments = runs["flag"][1]
            attempts = sum(len(t.attempts) - 1 for d in copies for t in d.translations.values() if t.attempts)
            print(f"## {name}: {len(documents)} documents, {segments} translated segments\n")
            print("| flag | before retry (--guard flag) | after retry (--guard retry) |")
            print("|---|---:|---:|")
            for flag in SHOWN:
                before, after = runs["flag"][2][flag], runs["retry"][2][flag]
                if before or after:
                    print(f"| {flag} | {before / segments:.1%} ({before}) | {after / segments:.1%} ({after}) |")
            before, after = runs["flag"][3], runs["retry"][3]
            print(f"| any problem | {before / segments:.1%} ({before}) | {after / segments:.1%} ({after}) |")
            print(f"\ntime: {runs['flag'][0]:.1f} s with the checks only, {runs['retry'][0]:.1f} s with retries "
                  f"({runs['retry'][0] / runs['flag'][0]:.2f}×; {attempts} retries, "
                  f"{(runs['retry'][0] - runs['flag'][0]) / max(attempts, 1) * 1000:.0f} ms each)\n", flush=True)


if __name__ == "__main__":
    main()
