"""MarianMT (Helsinki-NLP opus-mt): one small model per source language.

Routing (:mod:`mtfix.engines.routing`): ``Helsinki-NLP/opus-mt-{lang}-en``, or the entry in
``data/marian_models.tsv``, or the multilingual ``opus-mt-mul-en`` when the language's own
model is not in the cache. ``--model`` replaces the routing for every language; ``--model
LANG=REF`` for one. Each model loads once and is reused.
"""

from __future__ import annotations

from mtfix.engines import hf, routing
from mtfix.engines.base import Decoding, EngineOutput, TranslateConfig, chosen_model


class MarianEngine:
    name = "marian"

    def __init__(self, config: TranslateConfig):
        self.config = config
        self._loaded: dict[str, hf.LoadedModel] = {}
        self._failed: dict[str, Exception] = {}

    def check(self) -> None:
        hf.check_device(self.config.device)
        if self.config.model:
            self._load("*")
        for lang, _ in self.config.models:
            self._load(lang)

    def model_for(self, lang: str) -> str:
        return routing.marian_model_for(self.config, lang)

    def _load(self, lang: str) -> hf.LoadedModel:
        reference = self.model_for(lang)
        # A model the user named is pulled by its name; a routed one by its language.
        named = chosen_model(self.config, lang)
        hint = f"mtfix models pull --model {reference}" if named else f"mtfix models pull {lang}"
        return hf.load_once(self._loaded, self._failed, reference, self.config, hint)

    def count_tokens(self, texts: list[str], lang: str) -> list[int]:
        return hf.count_tokens(self._load(lang), texts)

    def align(self, texts: list[str], outputs: list[str], lang: str) -> list[list[list[int]]]:
        """Word links (target span → source span) from the model's cross-attention."""
        if not texts:
            return []
        return hf.align_words(self._load(lang), texts, outputs)

    def translate(self, texts: list[str], lang: str, terms=None, decoding: Decoding | None = None) -> list[EngineOutput]:
        if not texts:
            return []
        config = decoding.applied(self.config) if decoding else self.config
        return hf.generate(self._load(lang), texts, config, terms=terms)
