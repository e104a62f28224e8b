"""Hostile input, faults and security: nothing crashes, hangs, leaks or is lost.

The bad-input corpus (``tests/hostile_corpus.py``) is generated here, run through
``mtfix translate`` as a user would (a subprocess with a time limit), and every entry must
end as expected: translated, or refused in one line naming the file and the reason; never a
traceback, and the rest of the batch translated.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hostile_corpus import build
from mtfix.cli import app
from mtfix.errors import printable_path

REPO = Path(__file__).resolve().parents[1]


def _run(arguments: list[str], timeout: float, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "mtfix.cli", *arguments], capture_output=True, timeout=timeout, env=env)


def test_the_bad_input_corpus(tmp_path, tiny_marian):
    corpus = tmp_path / "corpus"
    cases = build(corpus, float(os.environ.get("MTFIX_HOSTILE_SCALE", "1")))
    out = tmp_path / "out"
    started = time.perf_counter()
    result = _run(["translate", str(corpus), "--out", str(out), "--model", str(tiny_marian), "--beam", "1",
                   "--max-new-tokens", "4", "--json"], timeout=600)
    seconds = time.perf_counter() - started
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr[-3000:]
    assert result.returncode == 1, stderr[-2000:]  # some documents are refused: exit 1, not a crash
    summary = json.loads(result.stdout)
    by_name = {entry["name"]: entry for entry in summary["results"]}
    for case in cases:
        entry = by_name.get(printable_path(case.name))  # names that are not UTF-8 are reported escaped
        assert entry is not None, f"{case.name!r} was not reported"
        if case.ok:
            assert entry["status"] == "done", (case.name, entry)
        else:
            assert entry["status"] == "failed" and case.reason in entry["reason"], (case.name, entry)
    # Every refusal is one line on stderr that starts with mtfix: and names the file.
    refusals = [line for line in stderr.splitlines() if line.strip()]
    assert all(line.startswith("mtfix: ") for line in refusals), refusals
    assert len(refusals) == sum(not case.ok for case in cases)
    # The loop was walked once; nothing was written outside the output folder.
    assert not any("again" in name for name in by_name)
    assert all(Path(out, output).resolve().is_relative_to(out.resolve())
               for entry in summary["results"] for output in entry["outputs"])
    # Bounded work is measured, not asserted here (benchmarks/scaling.py; the timeout above
    # only catches a hang): about 60 MB of input took 240 s on a 2-core machine.
    print(f"hostile corpus: {seconds:.0f} s")


def test_an_output_folder_that_cannot_be_written(tmp_path, tiny_marian):
    source = tmp_path / "berita.txt"
    source.write_text("Tim baru bekerja di Zurich.\n", encoding="utf-8")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the output folder should be\n")
    result = _run(["translate", str(source), "--out", str(blocked / "out"), "--model", str(tiny_marian),
                   "--beam", "1", "--max-new-tokens", "4", "--no-memory"], timeout=120)
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr and result.returncode == 1
    lines = stderr.strip().splitlines()
    assert lines and all(line.startswith("mtfix: ") and "cannot be written" in line for line in lines), lines


def test_a_full_disk_fails_each_document_cleanly(tmp_path, tiny_marian, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for number in range(3):
        (folder / f"doc{number}.txt").write_text("Tim baru bekerja di Zurich.\n", encoding="utf-8")
    import mtfix.sources

    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    monkeypatch.setattr(mtfix.sources.os, "fdopen", lambda fd, mode="r", *a, **k: FullDisk(real_fdopen(fd, mode, *a, **k)))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["translate", str(folder), "--out", str(out), "--model", str(tiny_marian),
                                      "--beam", "1", "--max-new-tokens", "4", "--no-memory"])
    # The run cannot even record itself in the folder's manifest: one line, before any document.
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines() == [f"mtfix: {out / 'manifest.json'}: cannot be written (No space left on device)"]
    # Nothing half-written under a real name, and no temporary file left behind.
    assert [p for p in out.rglob("*") if p.is_file()] == []


def test_output_paths_stay_inside_the_output_folder(tmp_path, tiny_marian):
    inside = tmp_path / "a" / "b"
    inside.mkdir(parents=True)
    source = inside / "berita.txt"
    source.write_text("Tim baru bekerja di Zurich.\n", encoding="utf-8")
    out = tmp_path / "out"
    dotted = str(tmp_path / "a" / "b" / ".." / "b" / "berita.txt")
    result = CliRunner().invoke(app, ["translate", dotted, "--out", str(out), "--model", str(tiny_marian), "--beam",
                                      "1", "--max-new-tokens", "4", "--no-memory"])
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["berita.en.txt", "berita.txt.align.jsonl", "berita.txt.review.html", "manifest.json"]


def test_a_model_s_own_code_is_never_run(tmp_path, tiny_marian):
    """A model folder that ships code (``auto_map``, as remote-code models do) loads without
    running it, and its pickle weights are refused unless asked for."""
    import shutil

    from mtfix.engines.base import TranslateConfig, create_engine
    from mtfix.errors import ModelNotAvailableError

    model = tmp_path / "model"
    shutil.copytree(tiny_marian, model)
    marker = tmp_path / "code-ran"
    (model / "evil.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n", encoding="utf-8")
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    config["auto_map"] = {"AutoConfig": "evil.EvilConfig", "AutoModelForSeq2SeqLM": "evil.EvilModel"}
    (model / "config.json").write_text(json.dumps(config), encoding="utf-8")
    for engine in ("marian", "ct2"):
        try:
            create_engine(TranslateConfig(engine=engine, model=str(model), beam_size=1, max_new_tokens=2)).check()
        except ModelNotAvailableError:
            pass  # refusing the model is as good as loading it without its code
        assert not marker.exists(), engine
    pickled = tmp_path / "pickled"
    shutil.copytree(tiny_marian, pickled)
    (pickled / "model.safetensors").rename(pickled / "pytorch_model.bin")
    with pytest.raises(ModelNotAvailableError, match="no safetensors weights; pass --allow-pickle"):
        create_engine(TranslateConfig(model=str(pickled))).check()


def test_text_that_looks_like_sql_stays_text_in_the_memory(tmp_path):
    """Parameterised SQL: a hostile source or target is stored and found as it is."""
    import sqlite3

    from mtfix.memory import TranslationMemory

    memory = TranslationMemory(tmp_path / "tm.sqlite3")
    hostile = "x'); DROP TABLE tm; --"
    key = memory.key(hostile, "id", "ctx")
    memory.put_many([(key, hostile, "id'--", "ctx", hostile + " \"; DELETE FROM tm", -1.0, ["f'"], [])])
    assert memory.get_many([key])[key]["target"] == hostile + " \"; DELETE FROM tm"
    with sqlite3.connect(tmp_path / "tm.sqlite3") as connection:
        assert connection.execute("SELECT COUNT(*) FROM tm").fetchone() == (1,)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(min_size=0, max_size=300))
def test_arbitrary_text_never_breaks_the_pipeline(tmp_path_factory, tiny_marian, text):
    """Any Unicode: no exception, and segment spans plus gaps rebuild the decoded original."""
    from mtfix.engines.base import TranslateConfig
    from mtfix.errors import InputError
    from mtfix.export.jsonl import alignment_jsonl
    from mtfix.pipeline import prepare_document, translate_document

    path = tmp_path_factory.mktemp("any") / "any.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        document = prepare_document(path)
    except InputError:
        return  # empty, or refused with a reason: the CLI prints it in one line
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=3)
    translate_document(document, _engine(config), config)
    records = [json.loads(line) for line in alignment_jsonl(document).splitlines()]  # any line reader
    rebuilt = "".join(r["gap_before"] + r["raw_text"] for r in records if r["type"] == "segment")
    rebuilt += records[-1]["gap_before"]
    assert rebuilt == document.raw


_ENGINES: dict = {}


def _engine(config):
    from mtfix.engines.base import create_engine

    if config not in _ENGINES:
        _ENGINES[config] = create_engine(config)
    return _ENGINES[config]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["公司", "宣布", "研究员", "加入", "团队", "，", "。", "Perusahaan", "itu", "merekrut",
                                 "peneliti", "baru", ", ", ". ", " ", "\n", "\n\n", "2025", "年"]), max_size=40))
def test_text_without_damage_is_never_changed(pieces):
    """Clean text made of ordinary words and punctuation comes back byte-identical, with no
    edit (a word repeated three times or more is a loop by design, so it is left out)."""
    from mtfix.degarble import clean

    text = "".join(pieces)
    words = text.split()
    assume(not any(words[i] == words[i + 1] == words[i + 2] for i in range(len(words) - 2)))
    assume(not any(text.count(piece * 3) for piece in set(pieces) if piece.strip()))
    cleaned, edits = clean(text)
    assert (cleaned, edits) == (text, [])


def test_a_crash_inside_a_translation_leaves_the_memory_consistent(tmp_path, tiny_marian):
    """An engine that dies on one document (our bug, not the user's): that document fails
    with a one-line reason, the others are translated, and the memory holds exactly their
    segments and passes SQLite's integrity check."""
    import sqlite3

    from mtfix.batch import Reporter, run_batch
    from mtfix.degarble import CleanConfig
    from mtfix.engines.base import TranslateConfig, create_engine
    from mtfix.memory import TranslationMemory

    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=4)
    inner = create_engine(config)

    class Crashing:
        name = inner.name

        def __getattr__(self, attribute):
            return getattr(inner, attribute)

        def translate(self, texts, lang, terms=None):
            if any("meledak" in text for text in texts):
                raise RuntimeError("CUDA error: an illegal memory access was encountered")
            return inner.translate(texts, lang, terms)

    folder = tmp_path / "in"
    folder.mkdir()
    texts = {"a.txt": "Tim baru bekerja di Zurich.", "b.txt": "Mesin itu meledak di tengah jalan.",
             "c.txt": "Peneliti lain dari saingannya juga bergabung."}
    for name, text in texts.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    memory = TranslationMemory(tmp_path / "memory.sqlite3")
    errors: list[str] = []
    summary = run_batch(sorted(folder.iterdir()), folder, tmp_path / "out", Crashing(), config, CleanConfig(), memory,
                        reporter=Reporter(echo=lambda line: None, echo_error=errors.append))
    assert [(r.name, r.status) for r in summary.results] == [("a.txt", "done"), ("b.txt", "failed"), ("c.txt", "done")]
    assert len(errors) == 1 and errors[0].startswith(f"mtfix: {folder / 'b.txt'}: internal error (RuntimeError")
    assert memory.stats()["entries"] == 2
    with sqlite3.connect(tmp_path / "memory.sqlite3") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
