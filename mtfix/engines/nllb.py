"""NLLB-200 (and any M2M100-architecture checkpoint): one model for every language.

The source language is set per batch (``tokenizer.src_lang = "zho_Hans"``) and English is
forced as the first generated token (``eng_Latn``). Language codes come from
``data/nllb_codes.tsv``; a code the checkpoint's tokenizer does not know is an error, not a
silent ``<unk>``.
"""

from __future__ import annotations

from functools import lru_cache

from mtfix.data import read_table
from mtfix.engines import hf, routing
from mtfix.engines.base import Decoding, EngineOutput, TranslateConfig
from mtfix.errors import ModelNotAvailableError, UnsupportedLanguageError

DEFAULT_MODEL = "facebook/nllb-200-distilled-600M"
TARGET_CODE = "eng_Latn"


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    return {row[0]: row[1] for row in read_table("nllb_codes.tsv")}


def nllb_code(lang: str) -> str | None:
    return _codes().get(lang)


class NllbEngine:
    name = "nllb"

    def __init__(self, config: TranslateConfig):
        self.config = config
        self._models: dict[str, hf.LoadedModel] = {}
        self._failed: dict[str, Exception] = {}

    def check(self) -> None:
        hf.check_device(self.config.device)
        if self.config.model:
            self._load()

    def model_for(self, lang: str) -> str:
        reference = self.config.model or DEFAULT_MODEL
        if not routing.model_available(reference):
            raise ModelNotAvailableError(routing.missing_model_message(reference, "mtfix models pull --engine nllb"))
        return reference

    def _load(self) -> hf.LoadedModel:
        return hf.load_once(self._models, self._failed, self.model_for("*"), self.config,
                            "mtfix models pull --engine nllb")

    def _code_id(self, code: str) -> int:
        tokenizer = self._load().tokenizer
        token_id = tokenizer.convert_tokens_to_ids(code)
        if token_id is None or token_id == tokenizer.unk_token_id:
            raise UnsupportedLanguageError(f"the NLLB tokenizer of {self._load().name} has no language code {code}")
        return token_id

    def _set_source(self, lang: str) -> None:
        code = nllb_code(lang)
        if code is None:
            raise UnsupportedLanguageError(f"NLLB has no code for language {lang!r}")
        self._code_id(code)
        self._load().tokenizer.src_lang = code

    def count_tokens(self, texts: list[str], lang: str) -> list[int]:
        self._set_source(lang)
        return hf.count_tokens(self._load(), texts)

    def align(self, texts: list[str], outputs: list[str], lang: str) -> list[list[list[int]]]:
        """Word links (target span → source span) from the model's cross-attention."""
        if not texts:
            return []
        self._set_source(lang)
        return hf.align_words(self._load(), texts, outputs)

    def translate(self, texts: list[str], lang: str, terms=None, decoding: Decoding | None = None) -> list[EngineOutput]:
        if not texts:
            return []
        self._set_source(lang)
        config = decoding.applied(self.config) if decoding else self.config
        return hf.generate(self._load(), texts, config, forced_bos_token_id=self._code_id(TARGET_CODE), terms=terms)
