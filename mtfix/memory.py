"""Translation memory: translations already made are reused, never recomputed.

:func:`open_memory` opens a memory by where it is: a PostgreSQL URL
(:mod:`mtfix.memory_postgres`, for many machines sharing one memory), else one SQLite file (WAL mode, so readers never wait on the writer and two mtfix processes can
share it), default ``~/.cache/mtfix/memory.sqlite3`` (``$MTFIX_MEMORY`` or ``--memory``
elsewhere, ``--no-memory`` off). The key is everything that decides a translation: the
source text as the model sees it, its language, the engine, the model and its revision, the
options that change output, the glossary, and the mtfix version (a new version may decode
differently). The value is the English, its score, flags and word links, and what the output
guard found and tried (``review``: its checks and attempts, :mod:`mtfix.guard`).

Human translations (a translator's, read back from a CAT tool by ``mtfix import``) are kept
apart from the machine's, keyed by the source and its language alone (:meth:`human_key`:
whatever engine, model or options a later run has), and win over machine output.

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
import logging
import os
import re
import sqlite3
import time
import unicodedata
from pathlib import Path

from mtfix import __version__
from mtfix.errors import MtfixError, OutputError, printable_path

# Marks an mtfix memory, so that ``--memory`` never adds tables to (or clears rows of) another
# program's database: ``PRAGMA application_id`` ("mtfx") and a schema version.
APPLICATION_ID = 0x6D746678
SCHEMA_VERSION = 3  # 2: the review column (the output guard's checks and attempts); 3: human

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
    created REAL NOT NULL,
    review TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS mtfix_schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS human (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    lang TEXT NOT NULL,
    target TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    created REAL NOT NULL
);
"""

log = logging.getLogger(__name__)


def default_path() -> Path:
    if os.environ.get("MTFIX_MEMORY"):
        return Path(os.environ["MTFIX_MEMORY"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "mtfix" / "memory.sqlite3"


def normalise(text: str) -> str:
    """The form a source segment is looked up by: NFC, whitespace runs folded."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class MemoryFileError(OutputError):
    """The memory file cannot be used (damaged, not writable, locked)."""


class NotAMemoryError(MemoryFileError):
    """The file exists and is some other program's: never touched, and a usage error."""

    exit_code = 2


# The table of mtfix memories made before they were marked: adopted as they are.
LEGACY_COLUMNS = ["key", "source", "lang", "context", "target", "score", "flags", "links", "created"]


def open_memory(where: str | os.PathLike | None = None, strict: bool = False, warn=None):
    """The memory at ``where``: a ``postgresql://`` URL, else a SQLite file (None: the
    default file). ``strict`` and ``warn``: as :class:`TranslationMemory`'s."""
    if where is not None and re.match(r"(?i)postgres(ql)?://", str(where)):
        from mtfix.memory_postgres import PostgresMemory

        return PostgresMemory(str(where), strict=strict, warn=warn)
    return TranslationMemory(where if where is not None else default_path(), strict=strict, warn=warn)


class TranslationMemory:
    """``strict``: every failure raises (the ``mtfix memory`` commands). Otherwise (a
    translation run) a memory that breaks mid-run (a damaged page, a read-only file, a
    lock held too long) says so once and the run goes on without it: a memory is a cache,
    never a reason to fail a document."""

    def __init__(self, path: str | os.PathLike, strict: bool = False, warn=None):
        self.path = Path(path)
        self.strict = strict
        self.broken: str | None = None
        self._warn = warn or (lambda line: log.warning("%s", line))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = not self.path.exists() or self.path.stat().st_size == 0
            if new:
                # The memory holds the text of every document translated: readable by its
                # owner only (SQLite gives its -wal and -shm files the same permissions).
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600))
            # A long busy timeout: two processes writing at once wait for each other.
            self.connection = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self._check_owner(new)
            if new:  # marked before WAL is on, so that the mark is in the file itself at once
                self.connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
                self.connection.executescript(SCHEMA)
                self.connection.execute("INSERT INTO mtfix_schema VALUES (?)", (SCHEMA_VERSION,))
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=NORMAL")
        except MemoryFileError:
            raise
        except (OSError, sqlite3.Error) as error:
            raise MemoryFileError(f"cannot open the translation memory ({error})", str(self.path)) from None

    @property
    def files(self) -> list[Path]:
        """The files the memory is kept in (an export must not replace them)."""
        return [self.path, *(self.path.with_name(self.path.name + end) for end in ("-wal", "-shm"))]

    def _check_owner(self, new: bool) -> None:
        """Refuse any existing database that is not an mtfix memory."""
        if new:
            return
        application_id = self.connection.execute("PRAGMA application_id").fetchone()[0]
        tables = {row[0] for row in self.connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if application_id == APPLICATION_ID and "mtfix_schema" in tables:
            version = self.connection.execute("SELECT MAX(version) FROM mtfix_schema").fetchone()[0]
            if version is not None and version > SCHEMA_VERSION:
                raise MemoryFileError(f"is a memory of a newer mtfix (schema {version}); use that version or "
                                   "another --memory", str(self.path))
            self._upgrade()
            return
        if application_id == 0 and tables == {"tm"}:
            columns = [row[1] for row in self.connection.execute("PRAGMA table_info(tm)")]
            if columns == LEGACY_COLUMNS:
                self.connection.execute(f"PRAGMA application_id={APPLICATION_ID}")
                self.connection.executescript("CREATE TABLE IF NOT EXISTS mtfix_schema (version INTEGER NOT NULL);")
                self.connection.execute("INSERT INTO mtfix_schema VALUES (1)")
                self._upgrade()
                return
        self.connection.close()
        raise NotAMemoryError("is not an mtfix translation memory (another program's database?); it was left "
                           "as it is: choose another --memory", str(self.path))

    def _upgrade(self) -> None:
        """A memory of schema 1 gains the review column (its rows: none); of schema 2, the
        table of human translations."""
        columns = [row[1] for row in self.connection.execute("PRAGMA table_info(tm)")]
        tables = {row[0] for row in self.connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "review" not in columns or "human" not in tables:
            with self.connection:
                self.connection.execute("BEGIN IMMEDIATE")
                if "review" not in columns:
                    self.connection.execute("ALTER TABLE tm ADD COLUMN review TEXT NOT NULL DEFAULT '{}'")
                for statement in SCHEMA.split(";"):
                    if "CREATE TABLE IF NOT EXISTS human" in statement:
                        self.connection.execute(statement)
                self.connection.execute("INSERT INTO mtfix_schema VALUES (?)", (SCHEMA_VERSION,))

    def _failed(self, error: Exception) -> None:
        if self.strict:
            raise MemoryFileError(f"the translation memory failed ({error})", str(self.path)) from None
        if self.broken is None:
            self.broken = str(error)
            self._warn(f"mtfix: {printable_path(self.path)}: the translation memory failed ({error}); "
                       "going on without it")

    @staticmethod
    def key(source: str, lang: str, context: str) -> str:
        """``context`` names engine, model, options and glossary (see ``memory_context``)."""
        material = "\x1f".join([normalise(source), lang, context, __version__])
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, dict]:
        if self.broken:
            return {}
        try:
            rows = self._rows_by_key("SELECT key, target, score, flags, links, review FROM tm WHERE key IN ({})", keys)
            return {key: {"target": target, "score": score, "flags": json.loads(flags), "links": json.loads(links),
                          **review_of(json.loads(review))}
                    for key, target, score, flags, links, review in rows}
        except (sqlite3.Error, ValueError) as error:  # a damaged page, or a row another tool wrote
            self._failed(error)
            return {}

    def _rows_by_key(self, query: str, keys: list[str]) -> list[tuple]:
        """``query`` (``... WHERE key IN ({})``) for ``keys``, 500 at a time (SQLite bounds
        the parameters of one statement)."""
        rows: list[tuple] = []
        for first in range(0, len(keys), 500):
            chunk = keys[first : first + 500]
            rows += self.connection.execute(query.format(",".join("?" * len(chunk))), chunk).fetchall()
        return rows

    def put_many(self, rows: list[tuple]) -> None:
        """Rows of (key, source, lang, context, target, score, flags, links[, review]), in
        one transaction: a batch is in the memory whole or not at all. ``review``: the
        output guard's ``{"checks", "attempts"}``."""
        now = time.time()
        self._write(
            "INSERT OR REPLACE INTO tm (key, source, lang, context, target, score, flags, links, created, review)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(key, source, lang, context, target, score, json.dumps(flags), json.dumps(links), now,
              json.dumps(review_of(review[0] if review else {})))
             for key, source, lang, context, target, score, flags, links, *review in rows])

    def _write(self, statement: str, rows: list[tuple]) -> None:
        """``statement`` for each of ``rows``, in one transaction."""
        if self.broken:
            return
        try:
            with self.connection:
                self.connection.execute("BEGIN IMMEDIATE")
                self.connection.executemany(statement, rows)
        except (sqlite3.Error, OSError) as error:
            self._failed(error)

    @staticmethod
    def human_key(source: str, lang: str) -> str:
        """A human translation's key: the source as normalised and its language, nothing else."""
        return hashlib.sha256("\x1f".join([normalise(source), lang]).encode("utf-8")).hexdigest()

    def get_human(self, pairs: list[tuple[str, str]]) -> dict[str, dict]:
        """The human translations of ``(source, lang)`` pairs: {human_key: {"target", "reviewer"}}."""
        if self.broken or not pairs:
            return {}
        keys = list({self.human_key(source, lang) for source, lang in pairs})
        try:
            rows = self._rows_by_key("SELECT key, target, reviewer FROM human WHERE key IN ({})", keys)
        except sqlite3.Error as error:
            self._failed(error)
            return {}
        return {key: {"target": target, "reviewer": reviewer} for key, target, reviewer in rows}

    def put_human(self, rows: list[tuple[str, str, str, str]]) -> None:
        """Rows of (source, lang, target, reviewer), in one transaction; a later correction of
        the same source replaces an earlier one."""
        now = time.time()
        self._write("INSERT OR REPLACE INTO human (key, source, lang, target, reviewer, created) VALUES (?, ?, ?, ?, ?, ?)",
                    [(self.human_key(source, lang), source, lang, target, reviewer, now)
                     for source, lang, target, reviewer in rows])

    def stats(self) -> dict:
        try:
            count = self.connection.execute("SELECT COUNT(*) FROM tm").fetchone()[0]
            humans = self.connection.execute("SELECT COUNT(*) FROM human").fetchone()[0]
            by_lang = dict(self.connection.execute("SELECT lang, COUNT(*) FROM tm GROUP BY lang ORDER BY 2 DESC").fetchall())
        except sqlite3.Error as error:
            raise MemoryFileError(f"cannot read the translation memory ({error})", str(self.path)) from None
        size = self.path.stat().st_size if self.path.exists() else 0
        return {"path": str(self.path), "entries": count, "human": humans, "languages": by_lang, "bytes": size}

    def entries(self):
        try:
            yield from self.connection.execute("SELECT source, lang, target, context FROM tm ORDER BY created")
        except sqlite3.Error as error:
            raise MemoryFileError(f"cannot read the translation memory ({error})", str(self.path)) from None

    def clear(self) -> int:
        try:
            with self.connection:
                removed = self.connection.execute("DELETE FROM tm").rowcount
            self.connection.execute("VACUUM")
        except sqlite3.Error as error:
            raise MemoryFileError(f"cannot clear the translation memory ({error})", str(self.path)) from None
        return removed

    def close(self) -> None:
        self.connection.close()


class RunMemory:
    """What a run with ``--no-memory`` keeps of its own translations, in this process only:
    enough to finish an interrupted window's documents, nothing stored."""

    def __init__(self):
        self.rows: dict[str, dict] = {}

    key = staticmethod(TranslationMemory.key)

    def get_many(self, keys: list[str]) -> dict[str, dict]:
        return {key: self.rows[key] for key in keys if key in self.rows}

    def get_human(self, pairs: list[tuple[str, str]]) -> dict[str, dict]:
        return {}

    def put_many(self, rows: list[tuple]) -> None:
        for key, _source, _lang, _context, target, score, flags, links, *review in rows:
            self.rows[key] = {"target": target, "score": score, "flags": list(flags), "links": links,
                              **review_of(review[0] if review else {})}


def review_of(value) -> dict:
    """The output guard's record of a row, {"checks": [...], "attempts": [...]}, whatever
    was stored (an older row has none)."""
    value = value if isinstance(value, dict) else {}
    return {name: list(value.get(name) or []) for name in ("checks", "attempts")}


def memory_context(engine_name: str, model: str, options: dict[str, str], glossary_digest: str | None) -> str:
    """What besides the source decides the output: engine, model and its revision
    (:func:`mtfix.engines.routing.model_revision`), options, glossary."""
    from mtfix.engines.routing import model_revision

    try:
        revision = model_revision(model)
    except (MtfixError, OSError):  # a model that is not here now: its name alone
        revision = ""
    fields = [engine_name, model, revision] + [f"{k}:{v}" for k, v in sorted(options.items())] + [glossary_digest or "-"]
    return "|".join(fields)
