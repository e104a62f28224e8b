"""The translation memory on a real PostgreSQL server (a throw-away cluster, tests/postgres.py):
the same rows under the same keys as SQLite's, one statement per batch, the first row of a
key kept, a run that reuses what another wrote, a server that cannot be reached one line."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from postgres import start_server  # noqa: E402

from mtfix.memory import TranslationMemory, open_memory  # noqa: E402


@pytest.fixture(scope="module")
def server():
    url, stop = start_server()
    yield url
    stop()


@pytest.fixture
def memory(server):
    store = open_memory(server, strict=True)
    store.clear()
    yield store
    store.close()


ROW = ("研究员加入了。", "zh", "marian|m|beam:4")


def test_a_postgresql_url_opens_a_postgresql_memory_and_a_path_a_sqlite_one(server, tmp_path):
    from mtfix.memory_postgres import PostgresMemory

    assert isinstance(open_memory(server), PostgresMemory)
    assert isinstance(open_memory(tmp_path / "tm.sqlite3"), TranslationMemory)
    assert isinstance(open_memory(str(tmp_path / "postgresql.sqlite3")), TranslationMemory)


def test_rows_go_in_and_come_back_as_sqlite_s_do(memory, tmp_path):
    key = memory.key(*ROW)
    assert key == TranslationMemory.key(*ROW)
    row = (key, *ROW, "The researcher joined.", -0.5, ["retried"], [[0, 3, 0, 2]],
           {"checks": [{"flag": "output-loop"}], "attempts": []})
    memory.put_many([row])
    sqlite = TranslationMemory(tmp_path / "tm.sqlite3")
    sqlite.put_many([row])
    assert memory.get_many([key, "missing"]) == sqlite.get_many([key, "missing"])
    assert memory.get_many([key])[key]["target"] == "The researcher joined."
    assert list(memory.entries()) == list(sqlite.entries())
    assert memory.stats()["entries"] == 1 and memory.stats()["languages"] == {"zh": 1}


def test_a_key_written_twice_keeps_its_first_row(memory):
    key = memory.key(*ROW)
    memory.put_many([(key, *ROW, "first", None, [], [])])
    memory.put_many([(key, *ROW, "second", None, [], [])])
    assert memory.get_many([key])[key]["target"] == "first"


def test_a_batch_is_one_statement_whatever_its_size(memory, monkeypatch):
    statements = []
    execute = memory.connection.execute
    monkeypatch.setattr(memory.connection, "execute", lambda *a, **k: statements.append(a[0]) or execute(*a, **k))
    rows = [(memory.key(f"kalimat {n}", "id", "c"), f"kalimat {n}", "id", "c", f"sentence {n}", None, [], [])
            for n in range(2000)]
    memory.put_many(rows)
    found = memory.get_many([row[0] for row in rows])
    assert len(statements) == 2 and len(found) == 2000


def test_machines_writing_at_once_lose_nothing(server):
    def write(worker: int) -> None:
        store = open_memory(server, strict=True)
        store.put_many([(store.key(f"s{n}", "id", "c"), f"s{n}", "id", "c", f"t{n}", None, [], [])
                        for n in range(worker * 50, worker * 50 + 100)])  # half overlaps the next worker's
        store.close()

    open_memory(server, strict=True).clear()
    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert open_memory(server, strict=True).stats()["entries"] == 250


def test_a_run_reuses_translations_another_run_put_in_the_server(server, tmp_path, tiny_marian):
    from typer.testing import CliRunner

    from mtfix.cli import app

    open_memory(server, strict=True).clear()
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("Perusahaan itu mengumumkan hasil penelitian baru.\n\nTim riset bekerja sama.\n",
                                  encoding="utf-8")
    arguments = ["--model", str(tiny_marian), "--beam-size", "1", "--max-new-tokens", "8", "--guard", "off", "--quiet"]
    first = CliRunner().invoke(app, ["translate", str(source), "--out", str(tmp_path / "one"), "--memory", server,
                                     *arguments])
    assert first.exit_code == 0, first.output
    stored = open_memory(server, strict=True).stats()["entries"]
    assert stored == 2
    # The same folder elsewhere, with the same memory and no model: every sentence from the server.
    second = CliRunner().invoke(app, ["translate", str(source), "--out", str(tmp_path / "two"), "--memory", server,
                                      *arguments[:-1], "--json"])
    assert second.exit_code == 0, second.output
    assert (tmp_path / "two" / "a.en.txt").read_bytes() == (tmp_path / "one" / "a.en.txt").read_bytes()
    assert open_memory(server, strict=True).stats()["entries"] == stored
    # The same run on a SQLite memory stores the same rows under the same keys.
    sqlite = tmp_path / "tm.sqlite3"
    third = CliRunner().invoke(app, ["translate", str(source), "--out", str(tmp_path / "three"), "--memory", str(sqlite),
                                     *arguments])
    assert third.exit_code == 0, third.output
    assert sorted(open_memory(server).entries()) == sorted(TranslationMemory(sqlite).entries())


def test_a_server_that_cannot_be_reached_is_one_line_and_the_run_goes_on(tmp_path):
    from typer.testing import CliRunner

    from mtfix.cli import app

    source = tmp_path / "a.txt"
    source.write_text("Perusahaan itu mengumumkan hasil penelitian baru.\n", encoding="utf-8")
    url = f"postgresql://mtfix:s3cret@/postgres?host={tmp_path}/nowhere&port=1"
    result = CliRunner().invoke(app, ["translate", str(source), "--engine", "identity", "--out", str(tmp_path / "out"),
                                      "--memory", url])
    assert result.exit_code == 0, result.output
    assert "cannot open the translation memory" in result.output and "translating without a memory" in result.output
    assert "s3cret" not in result.output
    stats = CliRunner().invoke(app, ["memory", "stats", "--memory", url])
    assert stats.exit_code == 1 and "cannot open the translation memory" in stats.output and "s3cret" not in stats.output


def test_a_memory_of_a_newer_schema_is_refused(server):
    import psycopg

    from mtfix.memory import MemoryFileError

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute("INSERT INTO mtfix_schema VALUES (99)")
    try:
        with pytest.raises(MemoryFileError, match="newer mtfix"):
            open_memory(server)
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute("DELETE FROM mtfix_schema WHERE version = 99")
