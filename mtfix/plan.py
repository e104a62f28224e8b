"""What a translation run would do, without loading a model: ``mtfix plan FILE|FOLDER``.

Every document is read, repaired, split and labelled as ``translate`` would (the same
:func:`mtfix.pipeline.prepare_document`); then, per language: how many segments would go
to a model, which model the routing picks and whether it is in the cache, the glossary
terms found, and an estimate of the tokens and the time.

The estimates are rough on purpose and say so. Tokens: one per CJK character, 1.3 per word
elsewhere (the subword rate of opus-mt's sentencepiece models on our seeds), the English
about as long. Time: those tokens at the decoding speed ``benchmarks/speed.py`` measured for
the opus-mt architecture on a 2-core CPU (:data:`TOKENS_PER_SECOND`; speed does not depend on
the weights), scaled by nothing else: another machine, NLLB's larger model or a GPU differ.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from mtfix.degarble import CleanConfig
from mtfix.engines.base import TranslateConfig
from mtfix.errors import MtfixError, ModelNotAvailableError

# Generated tokens per second on a 2-core CPU, opus-mt architecture (docs/performance.md):
# (engine, greedy) → rate. Engines not measured there have no estimate.
TOKENS_PER_SECOND = {("marian", True): 227, ("marian", False): 88, ("ct2", True): 1071, ("ct2", False): 584}
SUBWORDS_PER_WORD = 1.3


@dataclass
class LanguagePlan:
    lang: str
    segments: int = 0
    tokens: int = 0
    model: str | None = None
    missing: str | None = None  # why no model: the line `translate` would print


@dataclass
class Plan:
    documents: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (document, reason)
    languages: dict[str, LanguagePlan] = field(default_factory=dict)
    passed_through: Counter = field(default_factory=Counter)  # why (English, code, no words...) → segments
    terms: Counter = field(default_factory=Counter)  # glossary target → occurrences

    def as_json(self, config: TranslateConfig) -> dict:
        seconds = self.seconds(config)
        return {"documents": self.documents, "failed": [{"path": p, "reason": r} for p, r in self.failed],
                "languages": [vars(language) for language in self.languages.values()],
                "passed_through": dict(self.passed_through), "glossary_terms": dict(self.terms),
                "estimated_seconds": None if seconds is None else round(seconds, 1)}

    def describe(self, config: TranslateConfig) -> list[str]:
        """The plan as lines for a terminal."""
        from mtfix.errors import printable_path

        lines = [f"{self.documents} documents" + (f", {len(self.failed)} unreadable" if self.failed else "")]
        lines += [f"  {printable_path(document)}: {reason}" for document, reason in self.failed]
        for language in sorted(self.languages.values(), key=lambda p: -p.segments):
            where = language.model if language.model else f"NO MODEL: {language.missing}"
            lines.append(f"  {language.lang:5} {language.segments:6d} segments  ~{language.tokens:,} tokens  → {where}")
        if self.passed_through:
            lines.append("  passed through: " + ", ".join(f"{n} {why}" for why, n in self.passed_through.most_common()))
        if self.terms:
            lines.append("  glossary terms: " + ", ".join(f"{term} ×{n}" for term, n in self.terms.most_common(10)))
        seconds = self.seconds(config)
        if seconds is None:
            lines.append(f"  time: no estimate for {config.engine} (benchmarks/speed.py measured marian and ct2)")
        else:
            lines.append(f"  time: ~{seconds / 60:.1f} min to decode on a 2-core CPU at the speed measured for "
                         f"{config.engine}, beam {config.beam_size} (an estimate; models missing above included)")
        return lines

    def seconds(self, config: TranslateConfig) -> float | None:
        rate = TOKENS_PER_SECOND.get((config.engine, config.beam_size == 1))
        if rate is None:
            return None
        return sum(p.tokens for p in self.languages.values()) / rate


def _why_passed(segment) -> str:
    if segment.lang_reason in ("code-like", "names"):
        return "code" if segment.lang_reason == "code-like" else "lists of names"
    if segment.kind == "nonword":
        return "no words"
    if segment.lang == "en":
        return "English"
    return "garbage" if "garbage" in segment.flags else segment.lang or "other"


def estimated_tokens(text: str) -> int:
    cjk = sum(1 for ch in text if "\u2e80" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af")
    words = len(text.split()) if not cjk else sum(1 for word in text.split() if word.isascii())
    return cjk + round(SUBWORDS_PER_WORD * words)


def plan_run(paths: list[os.PathLike], translate_config: TranslateConfig, clean_config: CleanConfig = CleanConfig(),
             max_bytes: int | None = None, glossary=None) -> Plan:
    """The plan of translating ``paths`` with these options and ``glossary`` (no model is
    loaded)."""
    from mtfix.engines import routing
    from mtfix.engines.base import create_engine
    from mtfix.pipeline import prepare_document
    from mtfix.sources import DEFAULT_MAX_BYTES
    from mtfix.translate import PASS_THROUGH_LANGUAGES

    engine = create_engine(translate_config)
    result = Plan()
    for path in paths:
        try:
            document = prepare_document(path, clean_config, max_bytes or DEFAULT_MAX_BYTES, glossary=glossary)
        except MtfixError as error:
            result.failed.append((os.fspath(path), error.message))
            continue
        result.documents += 1
        for segment in document.segments:
            if not segment.translate or segment.lang in PASS_THROUGH_LANGUAGES:
                result.passed_through[_why_passed(segment)] += 1
                continue
            language = result.languages.setdefault(segment.lang, LanguagePlan(segment.lang))
            language.segments += 1
            language.tokens += estimated_tokens(segment.text)
            if glossary is not None:
                for match in glossary.find(segment.text, segment.lang):
                    result.terms[match.term.target] += 1
    for language in result.languages.values():
        try:
            model = engine.model_for(language.lang)
        except ModelNotAvailableError as error:
            language.missing = error.message
            continue
        if translate_config.engine != "identity" and not routing.model_available(model):  # (one --model names it)
            language.missing = routing.missing_model_message(model, f"mtfix models pull {language.lang}")
        else:
            language.model = model
    return result
