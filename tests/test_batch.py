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
    assert len(alone.calls) >= 6
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


def test_the_progress_bar_reports_without_failing(tmp_path, capsys):
    from mtfix.batch import BatchSummary
    from mtfix.cli import _ProgressReporter

    reporter = _ProgressReporter()
    reporter.start(3)
    reporter.done(tmp_path / "a.txt", tmp_path / "a.en.txt", 4, 3)
    reporter.skipped(tmp_path / "b.txt")
    reporter.failed(tmp_path / "c.txt", "not text (binary)")
    reporter.finish(BatchSummary())
    assert reporter.segments == 3
    assert f"mtfix: {tmp_path / 'c.txt'}: not text (binary)\n" in capsys.readouterr().err
