"""Batches: documents translated together, worker processes, summaries, one failure isolated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtfix.batch import Reporter, run_batch
from mtfix.cli import app
from mtfix.degarble import CleanConfig
from mtfix.engines.base import TranslateConfig, create_engine
from mtfix.errors import MtfixError

SENTENCES = ["Perusahaan itu telah merekrut peneliti top.", "Tim baru bekerja di Zurich.",
             "Peneliti lain dari saingannya juga bergabung.", "Dan tim itu merekrut lagi."]


def _folder(tmp_path: Path, documents: int = 6) -> Path:
    folder = tmp_path / "corpus"
    for number in range(documents):
        target = folder / ("sub" if number % 2 else "") / f"doc{number}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        lines = [SENTENCES[(number + k) % len(SENTENCES)] for k in range(1 + number % 3)]
        target.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return folder


class CountingEngine:
    """The tiny Marian engine, counting calls; a text with BOOM makes the call fail."""

    def __init__(self, model):
        self.inner = create_engine(TranslateConfig(model=str(model), beam_size=1, max_new_tokens=6))
        self.name = self.inner.name
        self.calls: list[int] = []

    def model_for(self, lang):
        return self.inner.model_for(lang)

    def count_tokens(self, texts, lang):
        return self.inner.count_tokens(texts, lang)

    def align(self, texts, outputs, lang):
        return self.inner.align(texts, outputs, lang)

    def translate(self, texts, lang, terms=None):
        if any("BOOM" in text for text in texts):
            raise MtfixError("the engine refused this text")
        self.calls.append(len(texts))
        return self.inner.translate(texts, lang, terms)


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name not in ("manifest.json", "index.html")}


def test_documents_of_a_window_go_to_the_engine_together(tmp_path, tiny_marian):
    folder = _folder(tmp_path)
    files = sorted(folder.rglob("*.txt"))
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=6)
    quiet = Reporter(echo=lambda line: None)
    together = CountingEngine(tiny_marian)
    summary = run_batch(files, folder, tmp_path / "together", together, config, CleanConfig(), window=1000,
                        reporter=quiet)
    assert summary.count("done") == 6 and summary.exit_code == 0
    translated = [json.loads(line) for path in (tmp_path / "together").rglob("*.align.jsonl")
                  for line in path.read_text(encoding="utf-8").splitlines() if '"translated": true' in line]
    languages = {record["lang"] for record in translated}
    # One engine call per language for the six documents, each distinct sentence once.
    distinct = {(record["source"], record["lang"]) for record in translated}
    assert len(translated) == sum(1 + n % 3 for n in range(6))
    assert len(together.calls) == len(languages) and sum(together.calls) == len(distinct)
    alone = CountingEngine(tiny_marian)
    run_batch(files, folder, tmp_path / "alone", alone, config, CleanConfig(), window=1, reporter=quiet)
    # One document at a time takes more calls (a sentence seen before in the run is not
    # translated again, even without a memory file).
    assert len(alone.calls) > len(together.calls)
    # Batching changes the speed, never the outputs; the tree is mirrored.
    assert _outputs(tmp_path / "together") == _outputs(tmp_path / "alone")
    assert "sub/doc1.en.txt" in _outputs(tmp_path / "together")
    assert set(summary.timings) >= {"read", "degarble", "segment", "langid", "load", "translate", "align", "write"}


def test_one_failing_document_in_a_window_fails_alone(tmp_path, tiny_marian):
    folder = _folder(tmp_path, 4)
    (folder / "doc2.txt").write_text("Tim baru BOOM bekerja.\n", encoding="utf-8")
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=6)
    errors = []
    summary = run_batch(sorted(folder.rglob("*.txt")), folder, tmp_path / "out", CountingEngine(tiny_marian), config,
                        CleanConfig(), window=1000, reporter=Reporter(echo=lambda line: None, echo_error=errors.append))
    assert [(r.name, r.status) for r in summary.results] == [
        ("doc0.txt", "done"), ("doc2.txt", "failed"), ("sub/doc1.txt", "done"), ("sub/doc3.txt", "done")]
    assert errors == [f"mtfix: {folder / 'doc2.txt'}: the engine refused this text"]
    assert summary.exit_code == 1
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"]["doc2.txt"]["status"] == "failed"


def test_jobs_json_and_quiet(tmp_path, tiny_marian):
    folder = _folder(tmp_path, 5)
    (folder / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    runner = CliRunner()
    common = ["--model", str(tiny_marian), "--beam", "1", "--max-new-tokens", "6", "--no-memory"]
    result = runner.invoke(app, ["translate", str(folder), "--out", str(tmp_path / "one"), *common])
    assert result.exit_code == 1
    result = runner.invoke(app, ["translate", str(folder), "--out", str(tmp_path / "two"), "--jobs", "2", "--json",
                                 *common])
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert (summary["documents"], summary["done"], summary["failed"]) == (6, 5, 1)
    failed = [r for r in summary["results"] if r["status"] == "failed"]
    assert failed[0]["name"] == "broken.txt" and "binary" in failed[0]["reason"]
    assert summary["timings"]["degarble"] > 0 and summary["timings"]["translate"] > 0
    # Worker processes prepare the documents; the outputs are the same byte for byte.
    assert _outputs(tmp_path / "one") == _outputs(tmp_path / "two")
    result = runner.invoke(app, ["translate", str(folder), "--out", str(tmp_path / "two"), "--quiet", *common])
    assert result.stdout == "" and result.exit_code == 1  # the broken file is retried and reported on stderr
    assert "broken.txt" in result.stderr


@pytest.mark.parametrize("window", ["0", "-3"])
def test_bad_batch_options_are_usage_errors(tmp_path, window):
    result = CliRunner().invoke(app, ["translate", str(tmp_path), "--window", window])
    assert result.exit_code == 2


class ProgressRecorder(Reporter):
    def __init__(self):
        super().__init__(echo=lambda line: None)
        self.planned_segments, self.done_segments, self.lines = 0, 0.0, []

    def planned(self, segments, characters):
        self.planned_segments += segments

    def progress(self, segments, characters):
        self.done_segments += segments
        self.lines.append(round(self.done_segments, 3))


def test_progress_moves_within_a_window_and_adds_up_to_the_plan(tmp_path, tiny_marian, monkeypatch):
    from mtfix import translate

    monkeypatch.setattr(translate, "CHUNK_BATCHES", 1)
    folder = _folder(tmp_path, 6)
    files = sorted(folder.rglob("*.txt"))
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=6, batch_size=2)
    recorder = ProgressRecorder()
    engine = CountingEngine(tiny_marian)
    run_batch(files, folder, tmp_path / "out", engine, config, CleanConfig(), window=1000, reporter=recorder)
    # One window, translated two pieces at a time: progress after each call, not once at the end.
    assert len(engine.calls) > 1 and all(n <= 2 for n in engine.calls)
    assert len(recorder.lines) >= len(engine.calls)
    assert recorder.done_segments == pytest.approx(recorder.planned_segments) == 12


class InterruptingEngine(CountingEngine):
    """Ctrl-C pressed during the engine's call number ``at``."""

    def __init__(self, model, at: int):
        super().__init__(model)
        self.at = at

    def translate(self, texts, lang, terms=None):
        if len(self.calls) + 1 == self.at:
            raise KeyboardInterrupt
        return super().translate(texts, lang, terms)


def test_an_interrupted_window_writes_the_documents_the_memory_holds_and_resumes(tmp_path, tiny_marian, monkeypatch):
    from mtfix import translate
    from mtfix.memory import TranslationMemory

    monkeypatch.setattr(translate, "CHUNK_BATCHES", 1)
    folder = tmp_path / "corpus"
    folder.mkdir()
    for number in range(5):  # every sentence different: each document needs its own pieces
        sentences = [f"{SENTENCES[0][:-1]} nomor {number}{k}." for k in range(2)]  # one language
        (folder / f"doc{number}.txt").write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    files = sorted(folder.glob("*.txt"))
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=6, batch_size=2)
    quiet = Reporter(echo=lambda line: None)
    memory = TranslationMemory(tmp_path / "memory.sqlite3")
    # Two pieces per call in document order: calls 1 and 2 finish doc0 and doc1; the third is interrupted.
    summary = run_batch(files, folder, tmp_path / "out", InterruptingEngine(tiny_marian, at=3), config,
                        CleanConfig(), memory, window=1000, reporter=quiet)
    assert summary.interrupted and summary.to_json()["interrupted"] is True
    assert [r.name for r in summary.results if r.status == "done"] == ["doc0.txt", "doc1.txt"]
    assert {p.name for p in (tmp_path / "out").glob("*.en.txt")} == {"doc0.en.txt", "doc1.en.txt"}
    saved = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(saved["documents"]) == ["doc0.txt", "doc1.txt"] and not saved["runs"]
    assert memory.stats()["entries"] == 4
    # The next run skips what was written and translates only the rest.
    engine = CountingEngine(tiny_marian)
    again = run_batch(files, folder, tmp_path / "out", engine, config, CleanConfig(), memory, window=1000,
                      reporter=quiet)
    assert not again.interrupted and again.count("skipped") == 2 and again.count("done") == 3
    assert sum(engine.calls) == 6
    whole = run_batch(files, folder, tmp_path / "whole", CountingEngine(tiny_marian), config, CleanConfig(),
                      window=1000, reporter=quiet)
    assert _outputs(tmp_path / "out") == _outputs(tmp_path / "whole") and whole.count("done") == 5


def test_an_interrupt_without_a_memory_file_still_writes_what_was_translated(tmp_path, tiny_marian, monkeypatch):
    from mtfix import translate

    monkeypatch.setattr(translate, "CHUNK_BATCHES", 1)
    folder = _folder(tmp_path, 4)
    files = sorted(folder.rglob("*.txt"))
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=6, batch_size=1)
    summary = run_batch(files, folder, tmp_path / "out", InterruptingEngine(tiny_marian, at=2), config,
                        CleanConfig(), None, window=1000, reporter=Reporter(echo=lambda line: None))
    assert summary.interrupted and [r.name for r in summary.results] == ["doc0.txt"]


def _run_until_interrupted(command: list[str], trigger: str, terminal: bool, wait: float = 0.5):
    """Run ``command``, press Ctrl-C ``wait`` seconds after the regular expression
    ``trigger`` matches its output (a pipe, or a terminal the command believes is one), and
    return (exit status, all its output)."""
    import os
    import re
    import select
    import signal
    import subprocess
    import time

    if terminal:
        import pty

        pid, fd = pty.fork()
        if pid == 0:  # the child: the command, on the terminal
            os.execv(command[0], command)
        read_from = fd
    else:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        pid, read_from = process.pid, process.stdout.fileno()
    output, seen_at, sent = b"", None, False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if seen_at is None and re.search(trigger.encode(), output):
            seen_at = time.monotonic()
        if not sent and seen_at is not None and time.monotonic() - seen_at >= wait:
            os.kill(pid, signal.SIGINT)
            sent = True
        ready, _, _ = select.select([read_from], [], [], 0.05)
        if ready:
            try:
                data = os.read(read_from, 65536)
            except OSError:  # the terminal closed
                break
            if not data:
                break
            output += data
    _, status = os.waitpid(pid, 0)
    assert sent, f"the run ended before it could be interrupted: {output[-500:]!r}"
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "terminal"])
def test_ctrl_c_ends_the_run_cleanly_and_the_next_one_resumes(tmp_path, tiny_marian, terminal):
    import re
    import sys

    folder = tmp_path / "corpus"
    folder.mkdir()
    for number in range(400):
        (folder / f"doc{number:03d}.txt").write_text(f"{SENTENCES[0][:-1]} nomor {number}.\n", encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "mtfix.cli", "translate", str(folder), "--out", str(out), "--model",
               str(tiny_marian), "--beam", "1", "--max-new-tokens", "6", "--window", "2",
               "--memory", str(tmp_path / "memory.sqlite3")]
    # Once a document is written: the bar's count of documents, or a document's line.
    status, output = _run_until_interrupted(command, r"[1-9]\d*/400 docs" if terminal else "→", terminal)
    assert status == 130, output[-2000:]
    assert "Traceback" not in output and "Aborted" not in output
    said = re.findall(r"interrupted: (\d+) documents? written, run again to resume", output)
    assert said, output[-2000:]
    written = int(said[0])
    assert 0 < written < 400
    if terminal:  # the cursor, hidden for the bar, is shown again
        assert "\x1b[?25l" in output and output.rindex("\x1b[?25h") > output.rindex("\x1b[?25l")
    saved = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    done = [name for name, entry in saved["documents"].items() if entry["status"] == "done"]
    assert len(done) == written and not saved["runs"]
    assert len(list(out.glob("*.en.txt"))) == written and not list(out.glob(".*.tmp"))
    again = subprocess_run([*command, "--json"])
    summary = json.loads(again.stdout)
    assert (summary["skipped"], summary["done"], summary["interrupted"]) == (written, 400 - written, False)


def subprocess_run(command: list[str]):
    import subprocess

    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)


def test_a_ctrl_c_while_a_document_is_written_waits_until_it_is_recorded():
    import os
    import signal

    from mtfix.batch import _interrupt_after

    steps = []
    with pytest.raises(KeyboardInterrupt):
        with _interrupt_after():
            os.kill(os.getpid(), signal.SIGINT)
            steps.append("outputs written")
            steps.append("manifest entry made")
    assert steps == ["outputs written", "manifest entry made"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with _interrupt_after():  # no Ctrl-C: nothing raised
        steps.append("another")
