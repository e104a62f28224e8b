"""Translation memory: translations already made are reused, never recomputed.

One SQLite file (WAL mode, so readers never wait on the writer and two mtfix processes can
share it), default ``~/.cache/mtfix/memory.sqlite3`` (``$MTFIX_MEMORY`` or ``--memory``
elsewhere, ``--no-memory`` off). The key is everything that decides a translation: the
source text as the model sees it, its language, the engine, the model and its revision, the
options that change output, the glossary, and the mtfix version (a new version may decode
differently). The value is the English, its score, flags and word links.

>>> import tempfile, os
>>> memory = TranslationMemory(os.path.join(tempfile.mkdtemp(), "tm.sqlite3"))
>>> key = memory.key("研究员加入了。", "zh", "marian|m|beam:4")
>>> memory.get_many([key])
{}
>>> memory.put_many([(key, "研究员加入了。", "zh", "marian|m|beam:4", "The researcher joined.", -0.5, [], [])])
>>> memory.get_many([key])[key]["target"]
'The researcher joined.'
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import unicodedata
from pathlib import Path

from mtfix import __version__
from mtfix.errors import OutputError

SCHEMA = """
CREATE TABLE IF NOT EXISTS tm (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    lang TEXT NOT NULL,
    context TEXT NOT NULL,
    target TEXT NOT NULL,
    score REAL,
    flags TEXT NOT NULL,
    links TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def default_path() -> Path:
    if os.environ.get("MTFIX_MEMORY"):
        return Path(os.environ["MTFIX_MEMORY"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "mtfix" / "memory.sqlite3"


def normalise(text: str) -> str:
    """The form a source segment is looked up by: NFC, whitespace runs folded."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class TranslationMemory:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # A long busy timeout: two processes writing at once wait for each other.
            self.connection = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=NORMAL")
            self.connection.execute(SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise OutputError(f"cannot open the translation memory ({error})", str(self.path)) from None

    @staticmethod
    def key(source: str, lang: str, context: str) -> str:
        """``context`` names engine, model, options and glossary (see ``memory_context``)."""
        material = "\x1f".join([normalise(source), lang, context, __version__])
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for first in range(0, len(keys), 500):
            chunk = keys[first : first + 500]
            rows = self.connection.execute(
                f"SELECT key, target, score, flags, links FROM tm WHERE key IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall()
            for key, target, score, flags, links in rows:
                found[key] = {"target": target, "score": score, "flags": json.loads(flags), "links": json.loads(links)}
        return found

    def put_many(self, rows: list[tuple]) -> None:
        """Rows of (key, source, lang, context, target, score, flags, links), in one
        transaction: a batch is in the memory whole or not at all."""
        now = time.time()
        with self.connection:
            self.connection.execute("BEGIN IMMEDIATE")
            self.connection.executemany(
                "INSERT OR REPLACE INTO tm VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(key, source, lang, context, target, score, json.dumps(flags), json.dumps(links), now)
                 for key, source, lang, context, target, score, flags, links in rows],
            )

    def stats(self) -> dict:
        count, languages = self.connection.execute("SELECT COUNT(*), COUNT(DISTINCT lang) FROM tm").fetchone()
        by_lang = dict(self.connection.execute("SELECT lang, COUNT(*) FROM tm GROUP BY lang ORDER BY 2 DESC").fetchall())
        size = self.path.stat().st_size if self.path.exists() else 0
        return {"path": str(self.path), "entries": count, "languages": by_lang, "bytes": size}

    def entries(self):
        yield from self.connection.execute("SELECT source, lang, target, context FROM tm ORDER BY created")

    def clear(self) -> int:
        with self.connection:
            removed = self.connection.execute("DELETE FROM tm").rowcount
        self.connection.execute("VACUUM")
        return removed

    def close(self) -> None:
        self.connection.close()


def memory_context(engine_name: str, model: str, options: dict[str, str], glossary_digest: str | None) -> str:
    """What besides the source decides the output: engine, model (with its revision when the
    folder is a hub snapshot or a local model: its config and weights' size and time),
    options, glossary."""
    revision = ""
    folder = Path(model)
    if folder.is_dir():
        parts = []
        for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
            path = folder / name
            if path.is_file():
                stat = path.stat()
                parts.append(f"{name}:{stat.st_size}:{int(stat.st_mtime)}")
        revision = ",".join(parts)
    fields = [engine_name, model, revision] + [f"{k}:{v}" for k, v in sorted(options.items())] + [glossary_digest or "-"]
    return "|".join(fields)
