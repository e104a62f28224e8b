"""Translation memory: reuse without a model, keys that change when the output would,
two processes on one file."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace

from typer.testing import CliRunner

from conftest import REPO
from mtfix.cli import app
from mtfix.engines.base import TranslateConfig, create_engine
from mtfix.memory import TranslationMemory, memory_context
from mtfix.pipeline import translate_file

GREEDY = TranslateConfig(beam_size=1, max_new_tokens=8)


class CountingEngine:
    def __init__(self, inner):
        self.inner, self.name, self.texts = inner, inner.name, []

    def model_for(self, lang):
        return self.inner.model_for(lang)

    def count_tokens(self, texts, lang):
        return self.inner.count_tokens(texts, lang)

    def translate(self, texts, lang, terms=None):
        self.texts.extend(texts)
        return self.inner.translate(texts, lang, terms)

    def align(self, texts, outputs, lang):
        return self.inner.align(texts, outputs, lang)


def test_second_run_comes_from_the_memory_and_is_identical(tmp_path, tiny_marian):
    memory = TranslationMemory(tmp_path / "tm.sqlite3")
    config = replace(GREEDY, model=str(tiny_marian))
    source = REPO / "seeds" / "mixed-id-en.txt"
    first_engine = CountingEngine(create_engine(config))
    translate_file(source, out_dir=tmp_path / "a", translate_config=config, engine=first_engine, memory=memory)
    assert first_engine.texts
    second_engine = CountingEngine(create_engine(config))
    translate_file(source, out_dir=tmp_path / "b", translate_config=config, engine=second_engine, memory=memory)
    assert second_engine.texts == []
    for name in ("mixed-id-en.en.txt", "mixed-id-en.txt.align.jsonl", "mixed-id-en.txt.review.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # Another beam size decodes differently: nothing is reused.
    third_engine = CountingEngine(create_engine(replace(config, beam_size=2)))
    translate_file(source, out_dir=tmp_path / "c", translate_config=replace(config, beam_size=2), engine=third_engine,
                   memory=memory)
    assert third_engine.texts == first_engine.texts


def test_keys_change_with_everything_that_changes_the_output(tmp_path):
    memory = TranslationMemory(tmp_path / "tm.sqlite3")
    base = memory_context("marian", "m", {"beam": "4"}, None)
    keys = {
        memory.key("Halo dunia.", "id", base),
        memory.key("Halo dunia.", "ms", base),
        memory.key("Halo dunia!", "id", base),
        memory.key("Halo dunia.", "id", memory_context("nllb", "m", {"beam": "4"}, None)),
        memory.key("Halo dunia.", "id", memory_context("marian", "m", {"beam": "1"}, None)),
        memory.key("Halo dunia.", "id", memory_context("marian", "m", {"beam": "4"}, "abc123")),
    }
    assert len(keys) == 6
    assert memory.key("Halo  dunia.\n", "id", base) == memory.key("Halo dunia.", "id", base)  # whitespace folded


def _writer(path: str, worker: int, count: int) -> None:
    memory = TranslationMemory(path)
    for batch in range(count):
        rows = [(memory.key(f"s{worker}-{batch}-{i}", "id", "c"), f"s{worker}-{batch}-{i}", "id", "c", "t", -0.1, [], [])
                for i in range(20)]
        memory.put_many(rows)


def test_two_processes_share_one_memory_file(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    TranslationMemory(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(path, worker, 25)) for worker in range(2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
        assert process.exitcode == 0
    assert TranslationMemory(path).stats()["entries"] == 2 * 25 * 20


def test_memory_commands(tmp_path, tiny_marian):
    runner = CliRunner()
    memory = tmp_path / "cli.sqlite3"
    result = runner.invoke(app, ["translate", str(REPO / "seeds" / "mixed-id-en.txt"), "--model", str(tiny_marian),
                                 "--beam", "1", "--max-new-tokens", "4", "--out", str(tmp_path / "out"),
                                 "--memory", str(memory)])
    assert result.exit_code == 0, result.output
    stats = runner.invoke(app, ["memory", "stats", "--memory", str(memory)])
    assert stats.exit_code == 0 and "translations" in stats.output and "id (" in stats.output
    exported = runner.invoke(app, ["memory", "export", str(tmp_path / "tm.tmx"), "--memory", str(memory)])
    assert exported.exit_code == 0 and (tmp_path / "tm.tmx").read_text(encoding="utf-8").count("<tu ") > 0
    cleared = runner.invoke(app, ["memory", "clear", "--memory", str(memory)])
    assert cleared.exit_code == 0 and TranslationMemory(memory).stats()["entries"] == 0


def test_an_unusable_default_memory_does_not_stop_translation(tmp_path, tiny_marian, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("MTFIX_MEMORY", str(blocker / "memory.sqlite3"))
    runner = CliRunner()
    args = ["translate", str(REPO / "seeds" / "mixed-id-en.txt"), "--model", str(tiny_marian), "--beam", "1",
            "--max-new-tokens", "4", "--out", str(tmp_path / "out")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "translating without a memory" in result.output
    # A memory is a cache: one the user named that cannot be opened is one warning too.
    result = runner.invoke(app, args + ["--memory", str(blocker / "named.sqlite3")])
    assert result.exit_code == 0 and "cannot open the translation memory" in result.stderr
    assert "translating without a memory" in result.stderr
