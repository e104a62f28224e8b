"""The translation memory on a PostgreSQL server, for many machines sharing one memory.

SQLite is right for one machine and wrong for many: network file systems break its locking.
``--memory postgresql://user@host/db`` keeps the same rows, under the same key
(:meth:`mtfix.memory.TranslationMemory.key`), in tables of a database server every machine
of a cluster reaches. Each ``get_many`` and ``put_many`` is one statement, so one round trip
per batch of keys whatever its size (``= ANY(array)``, ``unnest`` of arrays); a key written
twice (two machines translating the same sentence) keeps the first row (``ON CONFLICT DO
NOTHING``): the same key is the same source, model and options, so the same English.

The tables are mtfix's own (``mtfix_tm``, ``mtfix_schema``), made on first use under an
advisory lock (two machines starting at once do not race); a database whose ``mtfix_schema``
says a newer schema is refused. A password in the URL is never printed. As with SQLite, a
memory that fails mid-run says so once and the run goes on without it; the ``mtfix memory``
commands (``strict``) fail instead.
"""

from __future__ import annotations

import json
import logging
import re
import time

from mtfix.memory import SCHEMA_VERSION, MemoryFileError, TranslationMemory, review_of

log = logging.getLogger(__name__)

URL = re.compile(r"\A(postgres|postgresql)://", re.IGNORECASE)

SCHEMA = """
CREATE TABLE IF NOT EXISTS mtfix_tm (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    lang TEXT NOT NULL,
    context TEXT NOT NULL,
    target TEXT NOT NULL,
    score DOUBLE PRECISION,
    flags TEXT NOT NULL,
    links TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    review TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS mtfix_schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS mtfix_human (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    lang TEXT NOT NULL,
    target TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL
);
"""
# pg_advisory_xact_lock's key: "mtfx" as a number, as SQLite's application_id.
_LOCK = 0x6D746678


def shown(url: str) -> str:
    """The URL without its password.

    >>> shown("postgresql://mtfix:s3cret@db.example:5432/tm")
    'postgresql://mtfix:***@db.example:5432/tm'
    """
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


class PostgresMemory:
    """A memory in a PostgreSQL database: the interface of
    :class:`mtfix.memory.TranslationMemory` (``get_many``, ``put_many``, ``stats``,
    ``entries``, ``clear``)."""

    key = staticmethod(TranslationMemory.key)
    human_key = staticmethod(TranslationMemory.human_key)
    # The files the memory is kept in (none here: an export may be written anywhere).
    files: list = []

    def __init__(self, url: str, strict: bool = False, warn=None):
        self.url = url
        self.path = shown(url)
        self.strict = strict
        self.broken: str | None = None
        self._warn = warn or (lambda line: log.warning("%s", line))
        try:
            import psycopg
        except ImportError:
            raise MemoryFileError("is a PostgreSQL memory, which needs psycopg (pip install 'mtfix[postgresql]')",
                                  self.path) from None
        self._errors = (psycopg.Error,)
        try:
            self.connection = psycopg.connect(url, autocommit=True, connect_timeout=15)
            with self.connection.transaction():
                self.connection.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
                self.connection.execute(SCHEMA)
                version = self.connection.execute("SELECT MAX(version) FROM mtfix_schema").fetchone()[0]
                if version is None or version < SCHEMA_VERSION:  # (older ones gain the human table above)
                    self.connection.execute("INSERT INTO mtfix_schema VALUES (%s)", (SCHEMA_VERSION,))
        except psycopg.Error as error:
            raise MemoryFileError(f"cannot open the translation memory ({_first_line(error)})", self.path) from None
        if version is not None and version > SCHEMA_VERSION:
            self.connection.close()
            raise MemoryFileError(f"is a memory of a newer mtfix (schema {version}); use that version or another "
                                  "--memory", self.path)

    def _failed(self, error: Exception) -> None:
        if self.strict:
            raise MemoryFileError(f"the translation memory failed ({_first_line(error)})", self.path) from None
        if self.broken is None:
            self.broken = _first_line(error)
            self._warn(f"mtfix: {self.path}: the translation memory failed ({self.broken}); going on without it")

    def get_many(self, keys: list[str]) -> dict[str, dict]:
        if self.broken or not keys:
            return {}
        try:
            rows = self.connection.execute(
                "SELECT key, target, score, flags, links, review FROM mtfix_tm WHERE key = ANY(%s)", (list(keys),)
            ).fetchall()
            return {key: {"target": target, "score": score, "flags": json.loads(flags), "links": json.loads(links),
                          **review_of(json.loads(review))}
                    for key, target, score, flags, links, review in rows}
        except (*self._errors, ValueError) as error:
            self._failed(error)
            return {}

    def put_many(self, rows: list[tuple]) -> None:
        """Rows of (key, source, lang, context, target, score, flags, links[, review]), in
        one statement (so in the memory whole or not at all)."""
        if self.broken or not rows:
            return
        now = time.time()
        columns: list[list] = [[] for _ in range(10)]
        for key, source, lang, context, target, score, flags, links, *review in rows:
            values = (key, source, lang, context, target, score, json.dumps(flags), json.dumps(links), now,
                      json.dumps(review_of(review[0] if review else {})))
            for column, value in zip(columns, values):
                column.append(value)
        try:
            self.connection.execute(
                "INSERT INTO mtfix_tm (key, source, lang, context, target, score, flags, links, created, review) "
                "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
                "%s::double precision[], %s::text[], %s::text[], %s::double precision[], %s::text[]) "
                "ON CONFLICT (key) DO NOTHING", columns)
        except self._errors as error:
            self._failed(error)

    def get_human(self, pairs: list[tuple[str, str]]) -> dict[str, dict]:
        """Human translations (see :meth:`mtfix.memory.TranslationMemory.get_human`), one statement."""
        if self.broken or not pairs:
            return {}
        keys = list({self.human_key(source, lang) for source, lang in pairs})
        try:
            rows = self.connection.execute("SELECT key, target, reviewer FROM mtfix_human WHERE key = ANY(%s)",
                                           (keys,)).fetchall()
        except self._errors as error:
            self._failed(error)
            return {}
        return {key: {"target": target, "reviewer": reviewer} for key, target, reviewer in rows}

    def put_human(self, rows: list[tuple[str, str, str, str]]) -> None:
        """Rows of (source, lang, target, reviewer), one statement; a later correction wins."""
        if self.broken or not rows:
            return
        columns = [[self.human_key(source, lang) for source, lang, _, _ in rows]] + [list(c) for c in zip(*rows)]
        try:
            self.connection.execute(
                "INSERT INTO mtfix_human (key, source, lang, target, reviewer, created) "
                "SELECT *, %s FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) "
                "ON CONFLICT (key) DO UPDATE SET target = EXCLUDED.target, reviewer = EXCLUDED.reviewer, "
                "created = EXCLUDED.created", [time.time(), *columns])
        except self._errors as error:
            self._failed(error)

    def stats(self) -> dict:
        try:
            count = self.connection.execute("SELECT COUNT(*) FROM mtfix_tm").fetchone()[0]
            humans = self.connection.execute("SELECT COUNT(*) FROM mtfix_human").fetchone()[0]
            by_lang = dict(self.connection.execute(
                "SELECT lang, COUNT(*) FROM mtfix_tm GROUP BY lang ORDER BY 2 DESC, 1").fetchall())
            size = self.connection.execute("SELECT pg_total_relation_size('mtfix_tm')").fetchone()[0]
        except self._errors as error:
            raise MemoryFileError(f"cannot read the translation memory ({_first_line(error)})", self.path) from None
        return {"path": self.path, "entries": count, "human": humans, "languages": by_lang, "bytes": size}

    def entries(self):
        try:
            yield from self.connection.execute("SELECT source, lang, target, context FROM mtfix_tm ORDER BY created, key")
        except self._errors as error:
            raise MemoryFileError(f"cannot read the translation memory ({_first_line(error)})", self.path) from None

    def clear(self) -> int:
        try:
            return self.connection.execute("DELETE FROM mtfix_tm").rowcount
        except self._errors as error:
            raise MemoryFileError(f"cannot clear the translation memory ({_first_line(error)})", self.path) from None

    def close(self) -> None:
        self.connection.close()


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
