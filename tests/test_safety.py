"""A user's files are never lost, overwritten or exposed; nothing hangs; bad state is one line.

Each test is a reproduction from a red-team pass, run through the command line as a user
would, asserting the safe outcome: input bytes unchanged, no file outside ``--out`` created
or removed, a foreign database byte-identical, no hang (a time limit), and one line on
stderr with no traceback.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtfix.cli import app

REPO = Path(__file__).resolve().parents[1]
ZH = "研究员说很好。\n"
ID = "Tim baru bekerja di Zurich.\n"


def run(*args) -> "CliRunner.Result":
    return CliRunner().invoke(app, [str(arg) for arg in args])


def run_process(*args, timeout: float = 60) -> subprocess.CompletedProcess:
    """A real process with a time limit: what hangs is caught here, not in the suite."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "mtfix.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env)


def fast(model) -> list[str]:
    return ["--model", str(model), "--beam", "1", "--max-new-tokens", "4", "--no-memory"]


def one_line(stderr: str, *pieces: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, lines
    assert lines[0].startswith("mtfix: "), lines
    for piece in pieces:
        assert piece in lines[0], (piece, lines[0])
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- 1-3: outputs never replace an input or a file of the user's ----------------------------

def test_an_html_input_is_not_overwritten_by_its_review_page(tmp_path, tiny_marian):
    folder = tmp_path / "a"
    folder.mkdir()
    page = folder / "p.html"
    page.write_text("<p>研究员说很好。</p>\n", encoding="utf-8")
    before = page.read_bytes()
    result = run("translate", page, "--out", folder, *fast(tiny_marian))
    assert result.exit_code == 0, result.output
    assert page.read_bytes() == before
    assert {"p.en.html", "p.html.align.jsonl", "p.html.review.html", "manifest.json"} <= set(snapshot(folder))


def test_an_output_that_would_replace_an_input_stops_that_document(tmp_path, tiny_marian):
    folder = tmp_path / "a"
    folder.mkdir()
    source = folder / "p.txt"
    source.write_text(ID, encoding="utf-8")
    (folder / "p.en.txt").symlink_to(source)  # the English output's name leads to the input itself
    result = run("translate", source, "--out", folder, *fast(tiny_marian))
    assert result.exit_code == 1
    one_line(result.stderr, "would replace an input file")
    assert source.read_text(encoding="utf-8") == ID and (folder / "p.en.txt").is_symlink()


def test_a_file_of_the_user_s_at_an_output_name_is_left_alone(tmp_path, tiny_marian):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text(ID, encoding="utf-8")
    (folder / "a.en.txt").write_text("my own English, by hand\n", encoding="utf-8")
    result = run("translate", folder / "a.txt", "--out", folder, *fast(tiny_marian))
    assert result.exit_code == 1
    one_line(result.stderr, "a.en.txt", "not written by mtfix")
    assert (folder / "a.en.txt").read_text(encoding="utf-8") == "my own English, by hand\n"
    assert not (folder / "a.txt.review.html").exists()  # nothing of that document is written


def test_an_output_corrected_by_hand_is_not_replaced_by_a_new_run(tmp_path, tiny_marian):
    source = tmp_path / "a.txt"
    source.write_text(ID, encoding="utf-8")
    out = tmp_path / "out"
    assert run("translate", source, "--out", out, *fast(tiny_marian)).exit_code == 0
    (out / "a.en.txt").write_text("The new team works in Zurich.\n", encoding="utf-8")
    result = run("translate", source, "--out", out, *fast(tiny_marian)[:-1], "--max-new-tokens", "5")
    assert result.exit_code == 1
    one_line(result.stderr, "was changed since mtfix wrote it")
    assert (out / "a.en.txt").read_text(encoding="utf-8") == "The new team works in Zurich.\n"


def test_outputs_of_one_folder_never_collide(tmp_path, tiny_marian):
    folder = tmp_path / "site"
    folder.mkdir()
    for name in ("a.md", "a.txt", "index.md", "index.html"):
        (folder / name).write_text(f"Tim {name} bekerja di Zurich.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("translate", folder, "--out", out, "--json", *fast(tiny_marian))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    outputs = [output for entry in summary["results"] for output in entry["outputs"]]
    assert len(outputs) == len(set(outputs)) == 12
    assert "index.html" not in outputs and "manifest.json" not in outputs
    # Each English output holds its own document's text.
    for name in ("a.md", "a.txt", "index.md"):
        stem, suffix = name.rsplit(".", 1)
        assert name in (out / f"{name}.align.jsonl").read_text(encoding="utf-8")
    again = run("translate", folder, "--out", out, "--json", *fast(tiny_marian))
    assert json.loads(again.stdout)["skipped"] == 4


def test_only_this_run_s_temporary_files_are_ever_removed(tmp_path, tiny_marian):
    source = tmp_path / "a.txt"
    source.write_text(ID, encoding="utf-8")
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    mine = {"sub/.draft.md.tmp": b"mine", ".notes.tmp": b"mine too", ".a.en.txt.mtfix-0123456789ab.tmp": b"and this"}
    for name, data in mine.items():
        (out / name).write_bytes(data)
    assert run("translate", source, "--out", out, *fast(tiny_marian)).exit_code == 0
    assert all((out / name).read_bytes() == data for name, data in mine.items())
    assert run("translate", tmp_path, "--out", tmp_path / "whole", *fast(tiny_marian)).exit_code == 0
    assert all((out / name).read_bytes() == data for name, data in mine.items())


def test_a_killed_run_s_temporary_files_are_removed_by_the_next(tmp_path, tiny_marian):
    source = tmp_path / "a.txt"
    source.write_text(ID, encoding="utf-8")
    out = tmp_path / "out"
    assert run("translate", source, "--out", out, *fast(tiny_marian)).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process id that is no longer running
    manifest["runs"]["mtfix-deadbeef0000"] = {"pid": dead.pid, "host": os.uname().nodename, "started": 0}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    leftover = out / ".a.en.txt.mtfix-deadbeef0000.tmp"
    leftover.write_bytes(b"half")
    assert run("translate", source, "--out", out, *fast(tiny_marian)).exit_code == 0
    assert not leftover.exists()
    assert "mtfix-deadbeef0000" not in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"]


def test_a_manifest_json_of_another_program_is_left_alone(tmp_path, tiny_marian):
    source = tmp_path / "a.txt"
    source.write_text(ID, encoding="utf-8")
    out = tmp_path / "site"
    out.mkdir()
    theirs = b'{"name": "My App", "icons": []}\n'
    (out / "manifest.json").write_bytes(theirs)
    result = run("translate", source, "--out", out, *fast(tiny_marian))
    assert result.exit_code == 1
    one_line(result.stderr, "manifest.json", "not an mtfix manifest")
    assert snapshot(out) == {"manifest.json": theirs}


# --- 4: the memory file must be mtfix's ----------------------------------------------------

def _foreign_database(path: Path) -> bytes:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE tm (id INTEGER PRIMARY KEY, note TEXT)")
        connection.execute("CREATE TABLE users (name TEXT)")
        connection.execute("INSERT INTO tm (note) VALUES ('keep me')")
    connection.close()
    return path.read_bytes()


def test_another_program_s_database_is_never_used_as_a_memory(tmp_path, tiny_marian):
    database = tmp_path / "app.db"
    before = _foreign_database(database)
    source = tmp_path / "a.txt"
    source.write_text(ID, encoding="utf-8")
    common = fast(tiny_marian)[:-1]  # with a memory
    result = run("translate", source, "--out", tmp_path / "out", *common, "--memory", database)
    assert result.exit_code == 2
    one_line(result.stderr, "app.db", "is not an mtfix translation memory")
    for command in (["memory", "clear"], ["memory", "stats"], ["memory", "export", tmp_path / "x.tmx"]):
        result = run(*command, "--memory", database)
        assert result.exit_code == 2, command
        one_line(result.stderr, "is not an mtfix translation memory")
    assert database.read_bytes() == before
    assert not Path(f"{database}-wal").exists() and not (tmp_path / "out").exists()


def test_a_new_memory_is_marked_and_private(tmp_path):
    from mtfix.memory import APPLICATION_ID, SCHEMA_VERSION, TranslationMemory

    path = tmp_path / "tm.sqlite3"
    TranslationMemory(path).close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
        assert connection.execute("SELECT version FROM mtfix_schema").fetchall() == [(SCHEMA_VERSION,)]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_damaged_memory_is_one_warning_and_every_document_is_translated(tmp_path, tiny_marian):
    memory = tmp_path / "tm.sqlite3"
    source = tmp_path / "a.txt"
    source.write_text(ID, encoding="utf-8")
    common = [*fast(tiny_marian)[:-1], "--memory", memory]
    assert run("translate", source, "--out", tmp_path / "one", *common).exit_code == 0
    data = bytearray(memory.read_bytes())
    page = 4096
    noise = random.Random(0).randbytes(max(len(data) - page, page))
    data[page:] = noise  # every page after the first (which holds the schema and mtfix's mark)
    memory.write_bytes(bytes(data))
    for leftover in (Path(f"{memory}-wal"), Path(f"{memory}-shm")):
        leftover.unlink(missing_ok=True)
    second = tmp_path / "b.txt"
    second.write_text("Peneliti lain juga bergabung.\n", encoding="utf-8")
    result = run("translate", second, "--out", tmp_path / "two", *common)
    assert result.exit_code == 0, result.output
    one_line(result.stderr, "tm.sqlite3", "without")
    assert (tmp_path / "two" / "b.en.txt").is_file()
    stats = run("memory", "stats", "--memory", memory)
    assert stats.exit_code == 1
    one_line(stats.stderr, "tm.sqlite3")


def test_a_memory_that_cannot_be_written_is_one_warning(tmp_path, tiny_marian, monkeypatch):
    import mtfix.memory

    source = tmp_path / "a.txt"
    source.write_text(ID, encoding="utf-8")
    connect = sqlite3.connect

    class ReadOnly:
        """A connection whose writes fail as a read-only file's do."""

        def __init__(self, *args, **kwargs):
            self.inner = connect(*args, **kwargs)

        def executemany(self, *args):
            raise sqlite3.OperationalError("attempt to write a readonly database")

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def __enter__(self):
            return self.inner.__enter__()

        def __exit__(self, *exc):
            return self.inner.__exit__(*exc)

    monkeypatch.setattr(mtfix.memory.sqlite3, "connect", ReadOnly)
    result = run("translate", source, "--out", tmp_path / "out", *fast(tiny_marian)[:-1], "--memory", tmp_path / "m.db")
    assert result.exit_code == 0, result.output
    one_line(result.stderr, "readonly database", "going on without it")
    assert (tmp_path / "out" / "a.en.txt").is_file()


@pytest.mark.skipif(shutil.which("chattr") is None, reason="chattr is not installed")
def test_an_immutable_memory_is_one_warning(tmp_path, tiny_marian):
    memory = tmp_path / "tm.sqlite3"
    source = tmp_path / "a.txt"
    source.write_text(ID, encoding="utf-8")
    common = [*fast(tiny_marian)[:-1], "--memory", memory]
    assert run("translate", source, "--out", tmp_path / "one", *common).exit_code == 0
    if subprocess.run(["chattr", "+i", str(memory)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not allowed here (needs CAP_LINUX_IMMUTABLE)")
    try:
        second = tmp_path / "b.txt"
        second.write_text("Peneliti lain juga bergabung.\n", encoding="utf-8")
        result = run("translate", second, "--out", tmp_path / "two", *common)
        assert result.exit_code == 0, result.output
        one_line(result.stderr, "tm.sqlite3")
        assert (tmp_path / "two" / "b.en.txt").is_file()
    finally:
        subprocess.run(["chattr", "-i", str(memory)])


# --- 5: links out of the folder, and permissions --------------------------------------------

def test_a_link_to_a_private_file_is_not_published(tmp_path, tiny_marian):
    secret = tmp_path / "home" / ".ssh" / "id_rsa"
    secret.parent.mkdir(parents=True)
    secret.write_text("Kunci rahasia saya ada di sini.\n", encoding="utf-8")
    os.chmod(secret, 0o600)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "readme.md").write_text(ID, encoding="utf-8")
    (repo / "notes.md").symlink_to(secret)
    out = tmp_path / "out"
    result = run("translate", repo, "--out", out, *fast(tiny_marian))
    assert result.exit_code == 0, result.output
    one_line(result.stderr, "notes.md", "outside the input folder", "--follow-links")
    assert not any("notes" in name for name in snapshot(out))
    assert not any(b"rahasia" in data for data in snapshot(out).values())
    # Asked for: read, and its outputs are as private as the file.
    result = run("translate", repo, "--out", tmp_path / "followed", "--follow-links", *fast(tiny_marian))
    assert result.exit_code == 0, result.output
    for name in ("notes.en.md", "notes.md.align.jsonl", "notes.md.review.html"):
        assert stat.S_IMODE((tmp_path / "followed" / name).stat().st_mode) == 0o600, name
    for shared in ("index.html", "manifest.json"):  # they name every document: the narrowest
        assert stat.S_IMODE((tmp_path / "followed" / shared).stat().st_mode) & 0o077 == 0


def test_outputs_are_never_more_readable_than_their_input(tmp_path, tiny_marian):
    source = tmp_path / "private.txt"
    source.write_text(ID, encoding="utf-8")
    os.chmod(source, 0o640)
    out = tmp_path / "out"
    assert run("translate", source, "--out", out, *fast(tiny_marian)).exit_code == 0
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) & ~0o640 == 0, path.name


# --- 6-7: resume never keeps stale or damaged outputs ---------------------------------------

def test_new_weights_in_the_same_model_folder_are_translated_again(tmp_path, tiny_marian):
    from conftest import TINY_CORPUS
    from mtfix.testing import build_tiny_marian

    model = tmp_path / "model"
    shutil.copytree(tiny_marian, model)
    source = tmp_path / "a.txt"
    source.write_text(ID, encoding="utf-8")
    out = tmp_path / "out"
    args = ["translate", source, "--out", out, "--json", *fast(model)]
    assert json.loads(run(*args).stdout)["done"] == 1
    assert json.loads(run(*args).stdout)["skipped"] == 1
    other = build_tiny_marian(TINY_CORPUS, tmp_path / "other", seed=7)
    shutil.copy(other / "model.safetensors", model / "model.safetensors")
    summary = json.loads(run(*args).stdout)
    assert summary["done"] == 1 and summary["skipped"] == 0


def test_a_truncated_output_is_not_taken_as_done(tmp_path, tiny_marian):
    source = tmp_path / "a.txt"
    source.write_text(ID, encoding="utf-8")
    out = tmp_path / "out"
    args = ["translate", source, "--out", out, "--json", *fast(tiny_marian)]
    assert json.loads(run(*args).stdout)["done"] == 1
    whole = (out / "a.txt.align.jsonl").read_bytes()
    # Cut short behind mtfix's back (a full disk, a copy that failed): not done, and written
    # again, since the manifest knows what mtfix wrote there.
    (out / "a.txt.align.jsonl").write_bytes(b"")
    summary = json.loads(run(*args).stdout)
    assert summary["done"] == 1 and summary["skipped"] == 0
    assert (out / "a.txt.align.jsonl").read_bytes() == whole


# --- 8-9: nothing hangs ----------------------------------------------------------------------

def test_devices_pipes_and_huge_files_are_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    big = tmp_path / "big.txt"
    big.write_bytes(b"Tim baru bekerja. " * 1000)
    cases = [
        (["translate", "/dev/zero"], "is a character device"),
        (["translate", fifo], "is a named pipe"),
        (["translate", link], "is a character device"),
        (["clean", "/dev/zero"], "is a character device"),
        (["clean", fifo], "is a named pipe"),
        (["translate", big, "--max-bytes", "1K"], "over the limit of 1024 bytes (--max-bytes)"),
        (["clean", big, "--max-bytes", "1K"], "over the limit"),
        (["report", fifo], "is a named pipe"),
        (["glossary", "check", "/dev/zero"], "is a character device"),
        (["translate", tmp_path / "a.txt", "--glossary", fifo], "is a named pipe"),
    ]
    (tmp_path / "a.txt").write_text(ID, encoding="utf-8")
    for arguments, reason in cases:
        extra = ["--out", tmp_path / "out"] if arguments[0] in ("translate", "clean") else []
        result = run_process(*arguments, *extra)
        assert result.returncode != 0, arguments
        one_line(result.stderr, reason)
    assert not (tmp_path / "out").exists()


def test_a_fifo_in_a_folder_is_one_line_and_the_batch_goes_on(tmp_path, tiny_marian):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(ID, encoding="utf-8")
    os.mkfifo(folder / "b.txt")
    result = run_process("translate", folder, "--out", tmp_path / "out", *fast(tiny_marian), timeout=120)
    assert result.returncode == 1
    one_line(result.stderr, "b.txt", "is a named pipe")
    assert (tmp_path / "out" / "a.en.txt").is_file()


def _alignment(tmp_path: Path, tiny_marian) -> Path:
    source = tmp_path / "zh.txt"
    source.write_text("研究员Rishabh Agarwal说很好。\n", encoding="utf-8")
    assert run("translate", source, "--out", tmp_path, *fast(tiny_marian)).exit_code == 0
    return tmp_path / "zh.txt.align.jsonl"


def _edited(alignment: Path, change) -> Path:
    records = [json.loads(line) for line in alignment.read_text(encoding="utf-8").splitlines()]
    segment = next(r for r in records if r["type"] == "segment" and r["translated"])
    change(segment)
    edited = alignment.with_name("edited.align.jsonl")
    edited.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return edited


@pytest.mark.parametrize("change, problem", [
    (lambda s: s.update(links=[[-1, 2, 0, 1]]), "is less than the minimum of 0"),
    (lambda s: s.update(links=[[0.5, 2, 0, 1]]), "is not of type 'integer'"),
    (lambda s: s.update(score="high"), "'high' is not of type"),
    (lambda s: s.update(protected=[{"kind": "latin", "target": "x", "source_span": [0, 1, 2]}]), "is too long"),
    (lambda s: s.update(terms=[{"id": 0, "target": "x", "source_span": ["0", "1"]}]), "is not of type 'integer'"),
    (lambda s: s.update(links=[[0, 999, 0, 1]]), "a link outside the source or the target"),
    (lambda s: s.update(raw_start=s["raw_start"] + 1), "raw_text is not as long"),
])
def test_a_bad_alignment_record_is_one_line_naming_file_and_line(tmp_path, tiny_marian, change, problem):
    edited = _edited(_alignment(tmp_path, tiny_marian), change)
    for command in (["report", edited], ["export", edited], ["glossary", "check", edited]):
        result = run_process(*command, timeout=60)
        assert result.returncode == 2, command
        one_line(result.stderr, str(edited), "line ", problem)


# --- 10: nothing injected into a page --------------------------------------------------------

REFRESH = '"><meta http-equiv="refresh" content="0;url=https://example.invalid/"><base href="https://example.invalid/">'


def test_edited_alignment_and_manifest_fields_cannot_inject_markup(tmp_path, tiny_marian):
    def hostile(segment):
        segment["kind"] = "heading" + REFRESH
        segment["lang"] = "zh" + REFRESH
        segment["flags"] = ["x" + REFRESH]
        for hit in segment["protected"]:
            hit["kind"] = "latin" + REFRESH

    edited = _edited(_alignment(tmp_path, tiny_marian), hostile)
    result = run("report", edited, "-o", tmp_path / "page.html")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "<meta http-equiv=\"refresh\"" not in page and "<base" not in page
    assert "base-uri 'none'" in page and "form-action 'none'" in page

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(ID, encoding="utf-8")
    out = tmp_path / "out"
    assert run("translate", folder, "--out", out, *fast(tiny_marian)).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    row = manifest["documents"]["a.txt"]["index"]
    row["segments"] = REFRESH  # not a count: the entry is dropped, and the document redone
    row["name"] = "a.txt" + REFRESH
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run("translate", folder, "--out", out, *fast(tiny_marian))
    assert result.exit_code == 0
    one_line(result.stderr, "manifest.json", "1 entries of the wrong shape were ignored")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<meta http-equiv=\"refresh\"" not in index and "<base" not in index and "base-uri 'none'" in index


# --- 11: one line, not a traceback -----------------------------------------------------------

@pytest.mark.parametrize("content", [
    '{"documents": {"a.txt": "x"}}',
    '{"documents": {"a.txt": {"status": "done", "outputs": 5, "sha256": "", "plan": ""}}}',
    '{"documents": {"a.txt": {"status": "done", "sha256": "", "plan": "", "outputs": []}}}',
    '{"documents": 7}',
])
def test_a_manifest_of_the_wrong_shape_is_one_warning(tmp_path, tiny_marian, content):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(ID, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(content, encoding="utf-8")
    result = run("translate", folder, "--out", out, "--json", *fast(tiny_marian))
    assert result.exit_code == 0, result.output
    one_line(result.stderr, "manifest.json", "wrong shape")
    assert json.loads(result.stdout)["done"] == 1


def test_an_unreadable_manifest_is_set_aside_not_deleted(tmp_path, tiny_marian):
    source = tmp_path / "a.txt"
    source.write_text(ID, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_bytes(b"{not json")
    result = run("translate", source, "--out", out, *fast(tiny_marian))
    assert result.exit_code == 0, result.output
    one_line(result.stderr, "manifest.json", "unreadable", "manifest.json.unreadable-1")
    assert (out / "manifest.json.unreadable-1").read_bytes() == b"{not json"


def test_a_glossary_row_without_a_source_form_is_refused_at_load(tmp_path, tiny_marian):
    glossary = tmp_path / "g.tsv"
    glossary.write_text("target\tsources\nXiaohua Zhai\tzh:\n", encoding="utf-8")
    source = tmp_path / "a.txt"
    source.write_text(ZH, encoding="utf-8")
    result = run("translate", source, "--out", tmp_path / "out", "--glossary", glossary, *fast(tiny_marian))
    assert result.exit_code == 2
    one_line(result.stderr, "g.tsv", "line 2", "the source form 'zh:' is empty")


@pytest.mark.parametrize("options, message", [
    (["--device", "cuda"], "--device cuda: no CUDA GPU is available here"),
    (["--device", "tpu"], "--device tpu: unknown device"),
    (["--engine", "ct2", "--device", "cuda:3"], "--device cuda:3: no CUDA GPU"),
    (["--engine", "ct2", "--compute-type", "float16", "--device", "cpu"], "--compute-type float16: this CPU cannot run it"),
    (["--compute-type", "int8"], "--compute-type applies to --engine ct2 only, not to marian"),
    (["--engine", "nllb", "--threads", "2"], "--threads applies to --engine ct2 only, not to nllb"),
])
def test_a_device_or_option_that_cannot_work_is_a_usage_error_before_any_document(tmp_path, tiny_marian,
                                                                                   options, message):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(ID, encoding="utf-8")
    try:
        import torch

        if torch.cuda.is_available() and "cuda" in " ".join(options):
            pytest.skip("this machine has a GPU")
    except ImportError:
        pass
    result = run("translate", folder, "--out", tmp_path / "out", *fast(tiny_marian), *options)
    assert result.exit_code == 2, result.output
    one_line(result.stderr, message)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("damage, message", [
    ("truncated", "could not be loaded"),
    ("no-tokenizer", "lacks source.spm, target.spm"),
    ("vocab", "its weights do not fit the sizes in its config.json"),
    ("absent", "no such folder"),
])
@pytest.mark.parametrize("engine", ["marian", "ct2"])
def test_a_broken_model_is_one_line_once(tmp_path, tiny_marian, damage, message, engine):
    model = tmp_path / "model"
    if damage != "absent":
        shutil.copytree(tiny_marian, model)
    if damage == "truncated":
        with open(model / "model.safetensors", "r+b") as stream:
            stream.truncate(1000)
    elif damage == "no-tokenizer":
        (model / "source.spm").unlink()
        (model / "target.spm").unlink()
    elif damage == "vocab":
        config = json.loads((model / "config.json").read_text(encoding="utf-8"))
        config["vocab_size"] = 10**12
        (model / "config.json").write_text(json.dumps(config), encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    for number in range(3):
        (folder / f"{number}.txt").write_text(ID, encoding="utf-8")
    result = run("translate", folder, "--out", tmp_path / "out", *fast("./" + os.path.relpath(model)),
                 "--engine", engine)
    assert result.exit_code in (1, 2), result.output
    one_line(result.stderr, message)
    assert not (tmp_path / "out").exists()  # said before any document: nothing written


# --- 12-13: messages that cannot be forged, and bounded resources ----------------------------

def test_a_file_name_with_a_newline_cannot_forge_a_line(tmp_path, tiny_marian):
    folder = tmp_path / "in"
    folder.mkdir()
    forged = "x.txt\nmtfix: other.md: translated, all is well\x1b[2K.txt"
    (folder / forged).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    result = run("translate", folder, "--out", tmp_path / "out", *fast(tiny_marian))
    assert result.exit_code == 1
    line = one_line(result.stderr, "looks binary")
    assert "x.txt\\nmtfix: other.md" in line and "\\x1b[2K" in line and "\x1b" not in line


def test_jobs_are_capped_at_the_cores_available(tmp_path, tiny_marian):
    folder = tmp_path / "in"
    folder.mkdir()
    for number in range(3):
        (folder / f"{number}.txt").write_text(ID, encoding="utf-8")
    result = run("translate", folder, "--out", tmp_path / "out", "--jobs", "1000", *fast(tiny_marian))
    assert result.exit_code == 0, result.output
    cores = len(os.sched_getaffinity(0))
    one_line(result.stderr, f"--jobs 1000: only {cores} cores are available here; using {cores}")


def test_single_output_commands_never_replace_their_input(tmp_path, tiny_marian):
    alignment = _alignment(tmp_path, tiny_marian)
    before = alignment.read_bytes()
    for command in (["report", alignment, "-o", alignment], ["export", alignment, "-o", alignment]):
        result = run(*command)
        assert result.exit_code == 2
        one_line(result.stderr, "is the input")
    assert alignment.read_bytes() == before
    mine = tmp_path / "zh.txt.tmx"
    mine.write_text("my own TMX, by hand\n", encoding="utf-8")
    result = run("export", alignment)
    assert result.exit_code == 1
    one_line(result.stderr, "zh.txt.tmx", "not written by mtfix")
    assert mine.read_text(encoding="utf-8") == "my own TMX, by hand\n"
    glossary = tmp_path / "deepl.tsv"
    glossary.write_text("翟晓华\tZhai Xiaohua\n", encoding="utf-8")
    result = run("glossary", "import", glossary, "-o", glossary)
    assert result.exit_code == 2 and glossary.read_text(encoding="utf-8") == "翟晓华\tZhai Xiaohua\n"
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "config.json").write_text("{}", encoding="utf-8")
    result = run("models", "random-init", tiny_marian, folder)
    assert result.exit_code == 2 and (folder / "config.json").read_text(encoding="utf-8") == "{}"


def test_pages_and_exports_do_not_show_the_sender_s_folders(tmp_path, tiny_marian):
    folder = tmp_path / "private-projects" / "client-x"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text(ID, encoding="utf-8")
    out = tmp_path / "out"
    assert run("translate", folder, "--out", out, *fast(tiny_marian)).exit_code == 0
    assert run("export", out / "sub" / "a.txt.align.jsonl").exit_code == 0
    for path in out.rglob("*"):
        if path.is_file() and path.name != "manifest.json":
            assert "private-projects" not in path.read_text(encoding="utf-8"), path.name
    assert '"path": "sub/a.txt"' in (out / "sub" / "a.txt.align.jsonl").read_text(encoding="utf-8")
    assert run("translate", folder, "--out", tmp_path / "abs", "--absolute-paths", *fast(tiny_marian)).exit_code == 0
    assert str(folder) in (tmp_path / "abs" / "sub" / "a.txt.review.html").read_text(encoding="utf-8")
