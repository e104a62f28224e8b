"""Which model translates a language, where a model is, and which revision of it: one
answer for every part of mtfix.

Marian's routing (the transformers and CTranslate2 engines share it): the model the user
named (``--model LANG=REF``, else ``--model REF``); else ``Helsinki-NLP/opus-mt-{lang}-en``
or its entry in ``data/marian_models.tsv``, then the multilingual ``opus-mt-mul-en``,
whichever is in the cache first.

A model is named by a Hugging Face hub id (looked up in the local hub cache, never
downloaded by ``translate``) or by a local folder. Its **revision** is what the signature,
the manifest (resume), the translation memory and the CTranslate2 cache all key on, so that
new weights in the same place are never mistaken for the old ones:

- a hub snapshot: the commit the cache's snapshot folder is named by;
- a local folder: a fingerprint of its files' names and contents. Files up to
  ``FULL_HASH_BYTES`` are hashed whole; larger ones (the weights) by their size and sampled
  blocks at fixed places, so a 2 GB model costs a few milliseconds, not seconds, and two
  copies of one model on two machines have one revision.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from mtfix.errors import ModelNotAvailableError

def candidate_models(lang: str) -> list[str]:
    """Marian models that could translate ``lang``, preferred first."""
    from mtfix.data import read_table

    routes = {row[0]: row[1] for row in read_table("marian_models.tsv")}
    fallback = routes.pop("*")
    return list(dict.fromkeys([routes.get(lang, f"Helsinki-NLP/opus-mt-{lang}-en"), fallback]))


def marian_model_for(config, lang: str) -> str:
    """The Marian model that translates ``lang`` under ``config`` (a TranslateConfig);
    ModelNotAvailableError when the routing finds none in the cache."""
    from mtfix.engines.base import chosen_model

    named = chosen_model(config, lang)
    if named:
        return named
    candidates = candidate_models(lang)
    for reference in candidates:
        if model_available(reference):
            return reference
    raise ModelNotAvailableError(missing_model_message(candidates[0], f"mtfix models pull {lang}"))


FULL_HASH_BYTES = 64 * 1024 * 1024
SAMPLE_BLOCK = 1 << 20  # bytes read at each sampled place of a large file
SAMPLES = 16


def is_local_model(reference: str) -> bool:
    return Path(reference).expanduser().is_dir()


def cached_snapshot(repo_id: str) -> str | None:
    """Folder of ``repo_id`` in the Hugging Face cache, or None when it is not there."""
    from huggingface_hub import try_to_load_from_cache

    try:
        found = try_to_load_from_cache(repo_id, "config.json")
    except ValueError:  # not a valid repo id (a path that does not exist, say)
        return None
    if isinstance(found, str) and os.path.exists(found):
        return str(Path(found).parent)
    return None


def model_available(reference: str) -> bool:
    return is_local_model(reference) or cached_snapshot(reference) is not None


def missing_model_message(reference: str, pull_hint: str) -> str:
    if looks_like_path(reference):
        return f"--model {reference}: no such folder"
    return (
        f"model {reference} is not in the local Hugging Face cache; run `{pull_hint}` on a "
        "machine with internet (or copy the cache), or pass --model PATH"
    )


def looks_like_path(reference: str) -> bool:
    """A reference the user meant as a folder: a hub id is ``name`` or ``owner/name``."""
    return reference.startswith((".", "/", "~")) or reference.count("/") > 1 or os.sep != "/" and os.sep in reference


def locate(reference: str, pull_hint: str = "mtfix models pull") -> Path:
    """The folder that holds the model's files; ModelNotAvailableError when there is none."""
    if is_local_model(reference):
        return Path(reference).expanduser().resolve()
    snapshot = cached_snapshot(reference)
    if snapshot is None:
        raise ModelNotAvailableError(missing_model_message(reference, pull_hint))
    return Path(snapshot)


# The files each tokenizer class reads, so that a model missing one is said in those words
# (transformers itself fails on a missing file with "expected str, ... not NoneType").
TOKENIZER_FILES = {
    "MarianTokenizer": ("source.spm", "target.spm", "vocab.json"),
}


def refuse_pickle(folder: Path, reference: str, allow_pickle: bool, use: str = "load") -> None:
    """Weights load from safetensors: a PyTorch pickle can run code, so a model with no
    safetensors weights is refused unless the user says they trust it."""
    if not any(Path(folder).glob("*.safetensors")) and not allow_pickle:
        raise ModelNotAvailableError(
            f"model {reference} has no safetensors weights; pass --allow-pickle to {use} its "
            "PyTorch pickle (only for a model you trust)"
        )


def check_files(folder: Path, reference: str) -> None:
    """ModelNotAvailableError naming the files a model folder lacks."""
    import json

    missing = [] if (folder / "config.json").is_file() else ["config.json"]
    try:
        named = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8")).get("tokenizer_class")
    except (OSError, ValueError, AttributeError):
        named = None
    if named in TOKENIZER_FILES:
        missing += [name for name in TOKENIZER_FILES[named] if not (folder / name).is_file()]
    elif not any((folder / name).is_file() for name in ("tokenizer.json", "sentencepiece.bpe.model", "spiece.model",
                                                        "source.spm", "vocab.json")):
        missing.append("tokenizer files (tokenizer.json or a sentencepiece model)")
    if missing:
        where = "" if Path(reference).expanduser().resolve() == folder.resolve() else f" (in {folder})"
        raise ModelNotAvailableError(f"model {reference} lacks {', '.join(missing)}{where}")


def model_revision(reference: str) -> str:
    """The revision of ``reference`` (see the module's docstring); ModelNotAvailableError when
    the model is not here."""
    if is_local_model(reference):
        folder = Path(reference).expanduser().resolve()
        files = []
        for item in sorted(folder.iterdir()):
            if item.is_file():
                info = item.stat()
                files.append((item.name, str(item), info.st_size, info.st_mtime_ns, info.st_ino))
        return "local-" + _folder_fingerprint(tuple(files))
    return "hub-" + locate(reference).name[:12]


@lru_cache(maxsize=64)
def _folder_fingerprint(files: tuple) -> str:
    """Cached on the files' sizes, times and inodes: a run asks once per document."""
    digest = hashlib.sha256()
    for name, path, size, _, _ in files:
        digest.update(f"{name}\0{size}\0".encode())
        digest.update(file_fingerprint(Path(path), size))
    return digest.hexdigest()[:16]


def file_fingerprint(path: Path, size: int) -> bytes:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        if size <= FULL_HASH_BYTES:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        else:
            step = (size - SAMPLE_BLOCK) // (SAMPLES - 1)
            for number in range(SAMPLES):
                stream.seek(number * step)
                digest.update(stream.read(SAMPLE_BLOCK))
    return digest.digest()
