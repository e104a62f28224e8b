"""Shared fixtures: the shared seeds and random-weight models built at test time.

Nothing here downloads: the real opus-mt-zh-en tokenizer and config come from
``../shared/models``; tiny Marian and NLLB models are trained on ``tests/data/tiny_corpus.txt``.
Weights are random, so tests assert mechanics, never quality.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# CI explores the same examples on every run (a red CI names a change, not a draw);
# elsewhere each run draws new ones, and a failure it finds goes into a test of its own.
settings.register_profile("ci", derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SHARED_SEEDS = sorted((SHARED / "seeds").glob("*.txt")) if (SHARED / "seeds").is_dir() else []
SHARED_ZH_EN = SHARED / "models" / "opus-mt-zh-en"
REPO_SEEDS = sorted(p for p in (REPO / "seeds").iterdir() if p.name != "README.md")
TINY_CORPUS = REPO / "tests" / "data" / "tiny_corpus.txt"

needs_shared = pytest.mark.skipif(not SHARED_SEEDS, reason="../shared/seeds is absent (run from a checkout beside shared/)")
needs_shared_model = pytest.mark.skipif(
    not (SHARED_ZH_EN / "config.json").is_file(), reason="../shared/models/opus-mt-zh-en is absent"
)


@pytest.fixture(autouse=True)
def private_memory(tmp_path, monkeypatch):
    """Each test gets its own translation memory: the CLI's default one (in the user's
    cache) is never touched, and no test sees another's translations."""
    monkeypatch.setenv("MTFIX_MEMORY", str(tmp_path / "memory.sqlite3"))


@pytest.fixture(autouse=True, scope="session")
def private_ct2_cache(tmp_path_factory):
    """Converted CTranslate2 models go to one folder for the whole session (each tiny model
    is converted once), never to the user's cache."""
    folder = tmp_path_factory.mktemp("ct2-cache")
    previous = os.environ.get("MTFIX_CT2_CACHE")
    os.environ["MTFIX_CT2_CACHE"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("MTFIX_CT2_CACHE", None)
    else:
        os.environ["MTFIX_CT2_CACHE"] = previous


def shared_seed(prefix: str) -> Path:
    for path in SHARED_SEEDS:
        if path.name.startswith(prefix):
            return path
    pytest.skip(f"shared seed {prefix}* is absent")


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory) -> Path:
    from mtfix.testing import build_tiny_marian

    return build_tiny_marian(TINY_CORPUS, tmp_path_factory.mktemp("tiny-marian"))


@pytest.fixture(scope="session")
def tiny_nllb(tmp_path_factory) -> Path:
    from mtfix.testing import build_tiny_nllb

    return build_tiny_nllb(TINY_CORPUS, tmp_path_factory.mktemp("tiny-nllb"))


@pytest.fixture(scope="session")
def zh_random_model(tmp_path_factory) -> Path:
    """The real opus-mt-zh-en architecture and tokenizer, random weights."""
    if not (SHARED_ZH_EN / "config.json").is_file():
        pytest.skip("../shared/models/opus-mt-zh-en is absent")
    from mtfix.testing import build_random_model

    return build_random_model(SHARED_ZH_EN, tmp_path_factory.mktemp("zh-random"))


def install_in_hf_cache(cache: Path, repo_id: str, folder: Path) -> None:
    """Lay ``folder`` out as ``repo_id`` in a Hugging Face cache (refs/main → snapshot)."""
    base = cache / ("models--" + repo_id.replace("/", "--"))
    snapshot = base / "snapshots" / "0123456789abcdef0123456789abcdef01234567"
    snapshot.mkdir(parents=True, exist_ok=True)
    for item in folder.iterdir():
        if item.is_file():
            target = snapshot / item.name
            if not target.exists():
                os.symlink(item, target)
    (base / "refs").mkdir(exist_ok=True)
    (base / "refs" / "main").write_text(snapshot.name)


@pytest.fixture
def hf_cache(tmp_path, monkeypatch) -> Path:
    """An empty Hugging Face cache that mtfix (in-process and in subprocesses) looks at."""
    import huggingface_hub.constants as constants

    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    return cache


@pytest.fixture
def copy_to(tmp_path):
    def copy(source: Path, name: str | None = None) -> Path:
        target = tmp_path / "in" / (name or source.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
        return target

    return copy


@pytest.fixture(scope="session")
def commonmark_examples() -> list[dict]:
    """CommonMark's spec examples, as markdown-it-py publishes them (see ``peer.py``)."""
    import json

    from peer import peer_file

    found = peer_file("commonmark")
    if found is None:
        pytest.skip("CommonMark's spec examples could not be had (markdown-it-py's source distribution from PyPI)")
    return json.loads(found.read_text(encoding="utf-8"))
