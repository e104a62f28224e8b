"""Data files (language tables, model routes) read as data, never as code."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def read_table(name: str) -> list[list[str]]:
    """Rows of a tab-separated data file shipped in ``mtfix/data``; ``#`` lines are comments."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
