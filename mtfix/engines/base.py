"""The engine interface and the registry of engines.

An engine turns a batch of source sentences in one language into English. Everything else
(splitting overlong segments, caching, glossary checks) wraps around this one method, so a
new engine implements ``translate``, ``model_for`` and ``check`` (argos-translate's habit),
and, where it can, ``count_tokens`` (else words are counted) and ``align`` (else its
sentences have no word links): one module, and one row in :data:`ENGINES`. An engine whose
``translate`` takes ``decoding`` (a :class:`Decoding`) is one the output guard can retry
with other settings (:mod:`mtfix.guard`); without it, the guard retries by splitting only. Options of its
own are a frozen dataclass, its class's ``Options``, whose ``signature_fields(config)`` say
which of them change the output (:class:`mtfix.engines.ct2.Ct2Options`).
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from typing import Protocol

from mtfix.errors import UsageError


@dataclass(frozen=True)
class TranslateConfig:
    """Options that change what the engines produce (and so go into the signature).

    - ``engine``: ``marian`` (one Helsinki-NLP opus-mt model per language) or ``nllb``.
    - ``model``: a hub id or a local folder; for Marian it replaces the per-language routing.
    - ``models``: (language, hub id or folder) pairs: the model of those languages, before
      ``model`` and the routing (``--model zh=PATH``).
    - ``beam_size``: 1 is greedy search.
    - ``max_new_tokens``: the most tokens generated for one segment.
    - ``max_source_tokens``: segments longer than this are split at clause boundaries and
      translated piece by piece (never truncated).
    - ``batch_size``: the most sentences per model call; batches are sorted by length.
    - ``max_batch_tokens``: the most padded source tokens per model call, so a batch of
      long sentences is smaller than a batch of short ones (memory stays bounded); 0 is the
      engine's default (:data:`DEFAULT_BATCH_TOKENS`).
    - ``device``: ``auto`` (GPU when present), ``cpu``, ``cuda``, ``cuda:1``...
    - ``allow_pickle``: load PyTorch pickle weights when a model has no safetensors.
    - ``links``: word links (target word → source words) for every piece, read from the
      decoding's cross-attention (``align()`` where an engine could not); off: none asked for
      (links an engine got anyway are kept).
    - ``no_repeat_ngram_size``, ``repetition_penalty``: the decoders' cures for loops
      (transformers and CTranslate2 both have them; 0 and 1.0 are off). The output guard
      retries with them (:data:`mtfix.guard.RETRIES`); a user may set them for every segment.
    - ``guard``: what :mod:`mtfix.guard` does with an output that fails its checks:
      ``off`` (no checks), ``flag``, or ``retry`` (decode again, then flag what remains);
      ``max_retries``: the most retries (one segment decoded once more) per document.
    - ``options``: the engine's own options, an instance of its class's ``Options``
      (:class:`mtfix.engines.ct2.Ct2Options`); None is that class's defaults. They add their
      own fields to the signature.
    """

    engine: str = "marian"
    model: str | None = None
    models: tuple[tuple[str, str], ...] = ()
    beam_size: int = 4
    max_new_tokens: int = 256
    max_source_tokens: int = 200
    batch_size: int = 16
    max_batch_tokens: int = 0
    device: str = "auto"
    allow_pickle: bool = False
    links: bool = True
    no_repeat_ngram_size: int = 0
    repetition_penalty: float = 1.0
    guard: str = "retry"
    max_retries: int = 50
    options: object | None = None
    # Outputs at least this long (the end token is forbidden before): benchmarks use
    # min = max so that every engine writes the same number of tokens.
    min_new_tokens: int = 0

    def signature_fields(self) -> dict[str, str]:
        fields = {
            "engine": self.engine,
            "model": self.model or "auto",
            **({"models": ",".join(f"{lang}={ref}" for lang, ref in sorted(self.models))} if self.models else {}),
            "beam": str(self.beam_size),
            "maxnew": str(self.max_new_tokens),
            "maxsrc": str(self.max_source_tokens),
        }
        if self.min_new_tokens:
            fields["minnew"] = str(self.min_new_tokens)
        if not self.links:  # (named only when off: signatures made before it stay the same)
            fields["links"] = "off"
        if self.no_repeat_ngram_size:
            fields["norepeat"] = str(self.no_repeat_ngram_size)
        if self.repetition_penalty != 1.0:
            fields["reppen"] = f"{self.repetition_penalty:g}"
        fields["guard"] = self.guard + (f"{self.max_retries}" if self.guard == "retry" else "")
        fields.update(self.engine_options().signature_fields(self))
        return fields

    def __post_init__(self):
        if self.guard not in GUARD_MODES:
            raise UsageError(f"--guard {self.guard}: unknown; use {', '.join(GUARD_MODES)}")
        if self.max_retries < 0:
            raise UsageError(f"--max-retries {self.max_retries}: must be 0 or more")
        if self.no_repeat_ngram_size < 0 or self.repetition_penalty <= 0:
            raise UsageError("--no-repeat-ngram-size must be 0 or more and --repetition-penalty above 0")

    def engine_options(self):
        """``options``, or the engine's defaults; a UsageError for another engine's."""
        kind = getattr(engine_class(self.engine), "Options", NoOptions)
        if self.options is None:
            return kind()
        if not isinstance(self.options, kind):
            raise UsageError(f"{type(self.options).__name__} are not options of --engine {self.engine}")
        return self.options


GUARD_MODES = ("off", "flag", "retry")


@dataclass(frozen=True)
class Decoding:
    """Settings one retry decodes with instead of the run's (None: the run's own)."""

    no_repeat_ngram_size: int | None = None
    repetition_penalty: float | None = None
    beam_size: int | None = None
    # Not a decoder setting: the guard cuts the sentence at its clauses and translates the
    # parts (with the settings above).
    split: bool = False

    def applied(self, config: TranslateConfig) -> TranslateConfig:
        """``config`` with these settings in place of its own."""
        from dataclasses import replace

        changes = {name: getattr(self, name) for name in ("no_repeat_ngram_size", "repetition_penalty", "beam_size")
                   if getattr(self, name) is not None}
        return replace(config, **changes)

    def described(self, config: TranslateConfig) -> dict:
        """The settings the attempt had in full, for the alignment file."""
        used = self.applied(config)
        return {"beam": used.beam_size, "no_repeat_ngram_size": used.no_repeat_ngram_size,
                "repetition_penalty": used.repetition_penalty, "split": self.split}


@dataclass(frozen=True)
class NoOptions:
    """The options of an engine that has none of its own."""

    def signature_fields(self, config: TranslateConfig) -> dict[str, str]:
        return {}


_LANG_MODEL = re.compile(r"([a-z]{2,3})=(.+)")


def parse_model_options(values: list[str], engine: str) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """``--model`` values: one REF for every language, and LANG=REF pairs (a folder named
    like ``zh=x`` is a REF); UsageError for two defaults, a language named twice, or pairs
    with an engine of one model (nllb)."""
    import os

    default, pairs = None, {}
    for value in values:
        found = _LANG_MODEL.fullmatch(value)
        if found and not os.path.exists(value):
            lang, reference = found.groups()
            if lang in pairs:
                raise UsageError(f"--model {value}: {lang} is given a model twice")
            pairs[lang] = reference
        elif default is not None:
            raise UsageError(f"--model {value}: a model for every language is given twice ({default}); "
                             "use LANG=REF for one language")
        else:
            default = value
    if pairs and engine == "nllb":
        raise UsageError("--model LANG=REF: nllb is one model for every language; give --model REF")
    return default, tuple(sorted(pairs.items()))


def chosen_model(config: "TranslateConfig", lang: str) -> str | None:
    """The model the user named for ``lang`` (``--model LANG=REF``, else ``--model REF``),
    or None to route."""
    return dict(config.models).get(lang, config.model)


_OPUS_SOURCE = re.compile(r"opus-mt-(?:tc-[a-z]+-)?([a-z]{2,3}(?:_[a-z]+)?)-en(?![a-z])")


def model_source_language(reference: str) -> str | None:
    """The source language a model's name says it reads (``opus-mt-zh-en`` → ``zh``), None
    where the name does not say (a folder of one's own) or it reads many (``mul``, NLLB).

    >>> model_source_language("Helsinki-NLP/opus-mt-zh-en"), model_source_language("./my-model")
    ('zh', None)
    """
    found = _OPUS_SOURCE.search(reference.rstrip("/").split("/")[-1].lower())
    if not found or found.group(1) in ("mul", "mul_en"):
        return None
    return found.group(1)


def parse_device(device: str) -> tuple[str, int | None]:
    """``cuda:1`` → (``cuda``, 1); ``cpu`` → (``cpu``, None); ``auto`` → (``auto``, None).

    >>> parse_device("cuda:1"), parse_device("cpu")
    (('cuda', 1), ('cpu', None))
    """
    kind, _, index = device.partition(":")
    if kind not in ("auto", "cpu", "cuda") or (index and not index.isdigit()) or (index and kind != "cuda"):
        raise UsageError(f"--device {device}: unknown device; use auto, cpu, cuda or cuda:N")
    return kind, int(index) if index else None


def load_failure(reference: str, error: BaseException):
    """The one line for a model that is there but cannot be loaded (truncated weights,
    missing tokenizer files, a config no model can be built from)."""
    from mtfix.errors import ModelNotAvailableError

    text = str(error).strip()
    first_line = text.splitlines()[0][:300] if text else type(error).__name__
    if "ignore_mismatched_sizes" in text or "size mismatch" in text:
        first_line = "its weights do not fit the sizes in its config.json"
    return ModelNotAvailableError(f"model {reference} could not be loaded ({first_line})")


def check_cuda(device: str, gpus: int) -> None:
    """A usage error, before any document, when ``device`` names a GPU that is not here."""
    kind, index = parse_device(device)
    if kind != "cuda":
        return
    if gpus == 0:
        raise UsageError(f"--device {device}: no CUDA GPU is available here; use --device cpu (or auto)")
    if index is not None and index >= gpus:
        raise UsageError(f"--device {device}: there is no GPU {index} ({gpus} available: cuda:0 to cuda:{gpus - 1})")


# Tokens per batch when the user names none; each CPU worker decodes a batch at a time. For
# ct2, the size a user's own script passes to CTranslate2 (max_batch_size=768, by tokens):
# the same speed for the same memory (benchmarks/speed.py; the figures, and what 512 saves,
# are in docs/performance.md).
DEFAULT_BATCH_TOKENS = {"marian": 4096, "nllb": 4096, "ct2": 768}


def batch_tokens(config: "TranslateConfig") -> int:
    return config.max_batch_tokens or DEFAULT_BATCH_TOKENS.get(config.engine, 4096)


@dataclass
class EngineOutput:
    text: str
    score: float | None
    model: str
    flags: list[str] = field(default_factory=list)
    # Word links ([target_start, target_end, source_start, source_end]) when the engine got
    # them while translating (ct2: the attention of the decoding itself); None: ask align().
    links: list[list[int]] | None = None
    # What the output guard found ({"flag", "reason"}) and, when it retried, every attempt
    # ({"settings", "text", "flags", "score", "chosen"}): see mtfix.retry.
    checks: list[dict] = field(default_factory=list)
    attempts: list[dict] = field(default_factory=list)


class Engine(Protocol):
    name: str

    def check(self) -> None:
        """Raise, before any document, the error that would fail every one of them: a
        device that is not here, an option the device cannot do, a model given by
        ``--model`` that is missing or broken (it is loaded now, once)."""

    def model_for(self, lang: str) -> str:
        """The model that translates ``lang`` (raises ModelNotAvailableError if missing)."""

    def count_tokens(self, texts: list[str], lang: str) -> list[int]:
        """Source length in the model's tokens, to decide splitting and batching (optional:
        without it, :func:`count_tokens` counts words)."""

    def translate(self, texts: list[str], lang: str, terms=None, decoding: Decoding | None = None) -> list[EngineOutput]:
        """English for each text, in order. ``terms``, when given, is one list of
        :class:`~mtfix.engines.constraints.TermRequest` per text: glossary targets the output
        must contain (an engine that cannot enforce them must still check and flag).
        ``decoding`` (optional for an engine): settings in place of the run's, for a retry."""

    # Optional: ``checked = False`` for an engine whose output is not a model's (identity):
    # the output guard leaves it alone.
    # Optional: ``align(texts, outputs, lang)``, the word links of each (source, English)
    # pair (see :mod:`mtfix.align`); without it, and without links in its outputs, an
    # engine's sentences have none.


def takes_decoding(engine: Engine) -> bool:
    """Whether ``engine.translate`` takes ``decoding`` (settings for a retry)."""
    import inspect

    declared = getattr(engine, "takes_decoding", None)
    if isinstance(declared, bool):
        return declared
    try:
        return "decoding" in inspect.signature(engine.translate).parameters
    except (TypeError, ValueError):
        return False


def translate_with(engine: Engine, texts: list[str], lang: str, terms=None, decoding: Decoding | None = None):
    """``engine.translate``, with ``decoding`` where there is one (an engine that takes
    none is called as the interface's first version was)."""
    if decoding is None:
        return engine.translate(texts, lang, terms)
    return engine.translate(texts, lang, terms, decoding=decoding)


def count_tokens(engine: Engine, texts: list[str], lang: str) -> list[int]:
    """The engine's count of source tokens, or the words of an engine that has no tokenizer."""
    counter = getattr(engine, "count_tokens", None)
    return counter(texts, lang) if counter is not None else [len(text.split()) for text in texts]


# Name → "module:class" of every engine shipped with mtfix (sacrebleu's habit: a table, so
# that choosing one imports that module alone). Outside packages add theirs as entry points
# of the group ``mtfix.engines`` (``name = "package.module:Class"``).
ENGINES = {
    "marian": "mtfix.engines.marian:MarianEngine",
    "nllb": "mtfix.engines.nllb:NllbEngine",
    "ct2": "mtfix.engines.ct2:Ct2Engine",
    "identity": "mtfix.engines.identity:IdentityEngine",
}


def _outside_engines() -> dict[str, str]:
    from importlib.metadata import entry_points

    try:
        return {entry.name: entry.value for entry in entry_points(group="mtfix.engines")}
    except Exception:  # noqa: BLE001  (broken package metadata must not stop the shipped engines)
        return {}


def engine_names() -> list[str]:
    return sorted({**_outside_engines(), **ENGINES})


def engine_class(name: str) -> type:
    """The class of the engine ``name``; only its module is imported (and that module
    imports torch or CTranslate2 only when a model loads)."""
    import importlib

    where = ENGINES.get(name) or _outside_engines().get(name)
    if where is None:
        raise UsageError(f"--engine {name}: unknown engine; known: {', '.join(engine_names())}")
    module_name, _, class_name = where.partition(":")
    return getattr(importlib.import_module(module_name), class_name)


def create_engine(config: TranslateConfig) -> Engine:
    """The engine ``config.engine`` names, built from ``config``."""
    config.engine_options()  # options of another engine: said now
    return engine_class(config.engine)(config)
