"""Output guard: what models get wrong, caught in their English before anything is written.

Machine translation damaged the documents our users receive (loops, filler hallucinated for
punctuation, copies of the source), and the engines mtfix runs do the same things on noisy
input. Every output piece is checked here, each check a small function that returns a
:class:`Check` (a flag and a reason in words) or None:

- ``output-loop``: the de-garbler's loop rules (:func:`mtfix.degarble.loops.fix_loops`)
  find a loop in the English that the source does not have, or one character is written
  :data:`CHARACTER_RUN` times in a row where the source has no such run;
- ``length-ratio``: the English is far longer (or, for a source of some length, far shorter)
  than the source's length predicts, the prediction being the median ratio of the pieces of
  the same window and language that passed the other checks (the last
  :data:`MEASURED_PIECES`), drawn towards a prior (:data:`PRIOR_RATIO`) while they are few;
- ``untranslated``: the English is the source again, or mostly in the source's script;
- ``wrong-script``: letters of another script than Latin in the English, outside the
  glossary terms, protected spans and placeholders it must carry;
- ``hallucinated-filler``: a phrase of ``data/fillers.tsv`` (the stock phrases broken engines
  write for punctuation) that the source does not have, in an English with more sentences
  than its source.

``glossary-missing`` and ``glossary-wrong-form`` come from the engines' own check
(:mod:`mtfix.engines.constraints`); ``truncated`` from the length limit. With ``--guard
retry`` (the default) a piece with any of these is decoded again (:mod:`mtfix.retry`),
bounded per document, with the settings of :func:`retry_ladder` in turn until one passes; :func:`best` picks the
candidate with the fewest problems, then the best score, the first on a tie. A piece that
passes the checks is never decoded again: its output is the same with the guard on or off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from statistics import median

from mtfix.engines.base import Decoding, TranslateConfig

# Flags the guard retries; a candidate's problems are counted over these (and ``truncated``).
GUARD_FLAGS = ("output-loop", "length-ratio", "untranslated", "wrong-script", "hallucinated-filler")
ENGINE_FLAGS = ("glossary-missing", "glossary-wrong-form")
RETRIED_FOR = GUARD_FLAGS + ENGINE_FLAGS
RANKED = RETRIED_FOR + ("truncated",)
# What ``mtfix export --skip-flagged`` leaves out: an English with one of these is not one to
# put in a translation memory as it is.
PROBLEM_FLAGS = RANKED + ("low-score",)

# One character this many times in a row ("!!!!!!!!", "ssssssss") is a loop the word rules
# do not see; a source with such a run of its own ("========") may keep it.
CHARACTER_RUN = 8

# English characters per source character, by the source's script, before the run has
# pieces of its own to measure: the median ratio of human translations, the line pairs of
# Debian's gettext catalogues (tests/data/gettext; benchmarks/guard.py prints it per
# language: zh 2.2, ja 1.5, ko 1.5, de fr es ru id 0.8-0.9). The run's own ratio replaces
# it as pieces come in: PRIOR_WEIGHT pieces' worth.
PRIOR_RATIO = {"HAN": 2.2, "KANA": 1.5, "HANGUL": 1.5, "ARABIC": 1.25}
DEFAULT_PRIOR_RATIO = 0.87
PRIOR_WEIGHT = 10
MEASURED_PIECES = 1000  # the run's ratio is the median of its last this many pieces
# How far from the prediction an English may be: this many times longer, plus a margin for
# short pieces (a one-word title may well become a phrase) ...
TOO_LONG_TIMES, TOO_LONG_MARGIN = 4.0, 40
# ... or this many times shorter, for a source of at least this many characters.
TOO_SHORT_TIMES, TOO_SHORT_FROM = 4.0, 24

# Letters of the source's script that make an English "mostly untranslated"; a Latin-script
# source copied word for word (this share of its words) is untranslated too, once it has
# this many words besides names and numbers.
UNTRANSLATED_SHARE = 0.5
COPIED_WORDS_SHARE = 0.9
COPIED_MIN_WORDS = 4

_SENTENCE_END = re.compile(r"[.!?。！？]+(?=[\s\"'”’」』)]|$)")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


@dataclass(frozen=True)
class Check:
    flag: str
    reason: str

    def record(self) -> dict:
        return {"flag": self.flag, "reason": self.reason}


def script_of(char: str) -> str:
    """The script of a letter (:func:`mtfix.langid.script_of`)."""
    from mtfix.langid import script_of as named_script

    return named_script(char)


def _outside(text: str, allowed: list[str]) -> str:
    """``text`` without the forms it must carry (glossary targets, protected spans,
    placeholders), longest first."""
    for form in sorted(set(filter(None, allowed)), key=len, reverse=True):
        text = text.replace(form, " ")
    return text


def _letters_by_script(text: str):
    from mtfix.langid import script_counts

    return script_counts(text)


def output_loop(source: str, target: str) -> Check | None:
    from mtfix.degarble.loops import fix_loops

    found = fix_loops(target)
    if found and not fix_loops(source):
        return Check("output-loop", f"the English repeats itself: {found[0].reason}")
    run = re.search(r"(\S)\1{%d,}" % (CHARACTER_RUN - 1), target)
    if run and run.group(1) * CHARACTER_RUN not in source:
        return Check("output-loop", f"'{run.group(1)}' written {len(run.group())} times in a row")
    return None


def prior_ratio(source: str) -> float:
    """The prior English-to-source length ratio for ``source``'s script."""
    from mtfix.langid import dominant_script

    return PRIOR_RATIO.get(dominant_script(_letters_by_script(source)), DEFAULT_PRIOR_RATIO)


def expected_ratio(prior: float, measured) -> float:
    """The ratio to expect: the median of the run's ``measured`` ratios, drawn towards
    ``prior`` by :data:`PRIOR_WEIGHT` pieces' worth.

    >>> expected_ratio(3.0, []), expected_ratio(3.0, [1.0] * 10)
    (3.0, 2.0)
    """
    if not measured:
        return prior
    n = len(measured)
    return (median(measured) * n + prior * PRIOR_WEIGHT) / (n + PRIOR_WEIGHT)


def length_ratio(source: str, target: str, ratio: float) -> Check | None:
    expected = ratio * len(source)
    if len(target) > expected * TOO_LONG_TIMES + TOO_LONG_MARGIN:
        return Check("length-ratio", f"{len(target)} characters of English for {len(source)} of source "
                                     f"(about {expected:.0f} expected)")
    if len(source) >= TOO_SHORT_FROM and len(target) < expected / TOO_SHORT_TIMES:
        return Check("length-ratio", f"only {len(target)} characters of English for {len(source)} of source "
                                     f"(about {expected:.0f} expected)")
    return None


def untranslated(source: str, target: str, allowed: list[str]) -> Check | None:
    from mtfix.langid import dominant_script

    source_left, target_left = _outside(source, allowed), _outside(target, allowed)
    # Words of two letters or more: "s" of a "%s" is none.
    source_words = [word for word in _WORD.findall(source_left.casefold()) if len(word) > 1]
    if not source_words:
        return None  # names, numbers and marks only: a copy is the translation
    source_scripts = _letters_by_script(source_left)
    script = dominant_script(source_scripts)
    # (Japanese is written in kana and Han together.)
    own = {"KANA", "HAN"} if script == "KANA" else {script}
    if " ".join(target.split()).casefold() == " ".join(source.split()).casefold():
        # (A short Latin phrase copied is most often a name: "Llama 4", "Meta AI".)
        if (script != "LATIN" and sum(source_scripts[s] for s in own) >= 2) or len(source_words) >= COPIED_MIN_WORDS:
            return Check("untranslated", "the English is the source again")
        return None
    if script != "LATIN":
        target_scripts = _letters_by_script(target_left)
        letters = sum(target_scripts.values())
        share = sum(target_scripts[s] for s in own) / letters if letters else 0.0
        if share >= UNTRANSLATED_SHARE:
            return Check("untranslated", f"{share:.0%} of the English's letters are {script.title()}, as in the source")
        return None
    if len(source_words) < COPIED_MIN_WORDS:
        return None
    target_words = set(_WORD.findall(target_left.casefold()))
    copied = sum(word in target_words for word in source_words) / len(source_words)
    if copied >= COPIED_WORDS_SHARE:
        return Check("untranslated", f"{copied:.0%} of the source's words are in the English as they were")
    return None


def wrong_script(source: str, target: str, allowed: list[str]) -> Check | None:
    """Letters of scripts other than Latin in the English; Greek letters the source has too
    (a formula's α) are allowed."""
    source_letters = set(source)
    foreign: dict[str, int] = {}
    example = ""
    for char in _outside(target, allowed):
        if not char.isalpha() or char.isascii():
            continue
        script = script_of(char)
        if script == "LATIN" or (script == "GREEK" and char in source_letters):
            continue
        foreign[script] = foreign.get(script, 0) + 1
        example = example or char
    if not foreign:
        return None
    scripts = ", ".join(f"{count} {script.title()}" for script, count in sorted(foreign.items()))
    return Check("wrong-script", f"letters of another script in the English ({scripts}, e.g. '{example}')")


@lru_cache(maxsize=1)
def _filler_pattern() -> re.Pattern:
    from mtfix.degarble.filler import fillers

    phrases = sorted({f.phrase.strip("♪ ").strip() for f in fillers()} - {""}, key=len, reverse=True)
    return re.compile("|".join(re.escape(p).replace("'", "['’]") for p in phrases), re.IGNORECASE)


def _sentences(text: str) -> int:
    return max(1, len(_SENTENCE_END.findall(text.strip())))


def hallucinated_filler(source: str, target: str) -> Check | None:
    found = _filler_pattern().search(target)
    if found is None or found.group().casefold().replace("’", "'") in source.casefold().replace("’", "'"):
        return None
    if _sentences(target) <= _sentences(source):
        return None  # as many sentences as the source: the phrase may be its translation
    return Check("hallucinated-filler", f"'{found.group()}' is a stock phrase broken engines write for "
                                        "punctuation, and the source has no sentence for it")


def content_checks(source: str, target: str, allowed: list[str]) -> list[Check]:
    """Every check of one piece's English but its length; ``allowed``: the forms it must
    carry (glossary targets, protected spans, placeholders)."""
    if not target.strip():
        return []
    found = [output_loop(source, target), untranslated(source, target, allowed), wrong_script(source, target, allowed),
             hallucinated_filler(source, target)]
    checks = [check for check in found if check is not None]
    # Mostly the source's script is untranslated; wrong-script would say it twice.
    if any(c.flag == "untranslated" for c in checks):
        checks = [c for c in checks if c.flag != "wrong-script"]
    return checks


def check_output(source: str, target: str, allowed: list[str], ratio: float | None = None) -> list[Check]:
    """Every check of one piece's English; ``ratio``: the English-to-source length ratio
    to expect (default: the prior for the source's script).

    >>> [c.flag for c in check_output("他们加入了实验室。", "ITEM ITEM ITEM ITEM ITEM", [])]
    ['output-loop']
    >>> check_output("他们加入了实验室。", "They joined the lab.", [])
    []
    """
    checks = content_checks(source, target, allowed)
    if target.strip():
        length = length_ratio(source, target, prior_ratio(source) if ratio is None else ratio)
        checks += [length] if length is not None else []
    return checks


def measured_ratio(source: str, target: str) -> float | None:
    """A piece's English-to-source length ratio, for the run's expectation (None: too short
    to say anything)."""
    if len(source) < 4 or not target.strip():
        return None
    return len(target) / len(source)


def retry_ladder(config: TranslateConfig) -> list[Decoding]:
    """The settings a flagged piece is decoded again with, in turn: the decoders' cures for
    repetition (no 3-gram twice, a penalty on tokens already written), then the same with a
    larger beam, then the sentence cut at its clauses, each part decoded with the cures."""
    cures = dict(no_repeat_ngram_size=config.no_repeat_ngram_size or 3,
                 repetition_penalty=max(config.repetition_penalty, 1.2))
    return [Decoding(**cures), Decoding(**cures, beam_size=max(4, 2 * config.beam_size)), Decoding(**cures, split=True)]


def problems(flags: list[str]) -> int:
    return sum(flag in RANKED for flag in flags)


def best(candidates: list[tuple[list[str], float | None]]) -> int:
    """The position of the best of ``candidates`` (flags, score): the fewest problems,
    then the highest score, the first on a tie.

    >>> best([(["output-loop"], -0.5), ([], -3.0), ([], -1.0)])
    2
    """
    def rank(position: int):
        flags, score = candidates[position]
        return problems(flags), -(score if score is not None else float("-inf")), position

    return min(range(len(candidates)), key=rank)


def needs_retry(flags: list[str]) -> bool:
    return any(flag in RETRIED_FOR for flag in flags)
