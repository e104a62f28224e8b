"""Human translations back from a CAT tool: mtfix's TMX and XLIFF exports, edited by
translate-toolkit (a third-party reader and writer of both, as a CAT tool would), read back
with `mtfix memory import`; the next translate of the same sentence, in any document, takes
the human one over the machine's (flag human), in SQLite and on PostgreSQL alike."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mtfix.cli import app
from mtfix.memory import TranslationMemory

translate_toolkit = pytest.importorskip("translate.storage.tmx", reason="translate-toolkit is not installed")

SENTENCE = "Perusahaan itu mengumumkan hasil penelitian baru."
HUMAN = "The company announced the results of its new research."


def _run(*arguments) -> str:
    result = CliRunner().invoke(app, [str(a) for a in arguments])
    assert result.exit_code == 0, result.output
    return result.output


def _translated(tmp_path: Path, tiny_marian: Path, memory: str, out: str, name: str = "a.txt"):
    source = tmp_path / name
    source.write_text(f"{SENTENCE}\n\nTim riset bekerja sama dengan laboratorium di London.\n", encoding="utf-8")
    _run("translate", source, "--out", tmp_path / out, "--memory", memory, "--model", tiny_marian, "--beam-size", "1",
         "--max-new-tokens", "8", "--guard", "off", "--quiet")
    records = [json.loads(line) for line in (tmp_path / out / f"{name}.align.jsonl").read_text().splitlines()]
    return [r for r in records if r["type"] == "segment"], tmp_path / out / f"{name}.align.jsonl"


def _edit_tmx(exported: Path, edited: Path) -> None:
    from translate.storage.tmx import tmxfile

    with open(exported, "rb") as handle:
        store = tmxfile(handle)
    unit = next(unit for unit in store.units if unit.source == SENTENCE)
    unit.target = HUMAN
    edited.write_bytes(bytes(store))


def test_a_corrected_tmx_comes_back_and_wins_over_the_machine(tmp_path, tiny_marian):
    memory = str(tmp_path / "tm.sqlite3")
    segments, alignment = _translated(tmp_path, tiny_marian, memory, "one")
    machine = next(s["target"] for s in segments if s["source"] == SENTENCE)
    assert machine != HUMAN
    _run("export", alignment, "--format", "tmx", "-o", tmp_path / "a.tmx")
    _edit_tmx(tmp_path / "a.tmx", tmp_path / "edited.tmx")
    said = _run("memory", "import", tmp_path / "edited.tmx", "--memory", memory, "--reviewer", "ana")
    assert "2 human translations" in said
    # Another document with the same sentence, translated later: the human English, flagged.
    segments, _ = _translated(tmp_path, tiny_marian, memory, "two", name="b.txt")
    found = next(s for s in segments if s["source"] == SENTENCE)
    assert found["target"] == HUMAN and "human" in found["flags"] and found["model"] == "human"
    assert (tmp_path / "two" / "b.en.txt").read_text(encoding="utf-8").startswith(HUMAN)
    assert TranslationMemory(memory).stats()["human"] == 2
    assert "2 human ones" in _run("memory", "stats", "--memory", memory)


def test_a_corrected_xliff_comes_back_too(tmp_path, tiny_marian):
    from translate.storage.xliff2 import Xliff2File

    memory = str(tmp_path / "tm.sqlite3")
    _, alignment = _translated(tmp_path, tiny_marian, memory, "one")
    _run("export", alignment, "--format", "xliff", "-o", tmp_path / "a.xliff")
    with open(tmp_path / "a.xliff", "rb") as handle:
        store = Xliff2File(handle)
    unit = next(unit for unit in store.units if unit.source == SENTENCE)
    unit.target = HUMAN
    (tmp_path / "edited.xliff").write_bytes(bytes(store))
    _run("memory", "import", tmp_path / "edited.xliff", "--memory", memory)
    segments, _ = _translated(tmp_path, tiny_marian, memory, "two", name="b.txt")
    assert next(s["target"] for s in segments if s["source"] == SENTENCE) == HUMAN


def test_a_cat_tool_s_language_tags_name_mtfix_s_languages(tmp_path):
    from mtfix.export.interchange import read_units

    path = tmp_path / "omegat.tmx"
    path.write_text('<?xml version="1.0"?><tmx version="1.4"><header srclang="id-ID" creationtool="OmegaT"/><body>'
                    f'<tu><tuv xml:lang="id-ID"><seg>{SENTENCE}</seg></tuv><tuv xml:lang="en-US"><seg>{HUMAN}</seg>'
                    '</tuv></tu><tu><tuv xml:lang="zh-CN"><seg>研究员加入了。</seg></tuv></tu></body></tmx>',
                    encoding="utf-8")
    assert read_units(path) == [(SENTENCE, "id", HUMAN)]  # (a unit without English is left out)


def test_a_file_that_is_neither_is_one_line(tmp_path):
    path = tmp_path / "notes.xml"
    path.write_text("<notes><note>x</note></notes>", encoding="utf-8")
    result = CliRunner().invoke(app, ["memory", "import", str(path), "--memory", str(tmp_path / "tm.sqlite3")])
    assert result.exit_code == 1 and "notes.xml: is neither TMX nor XLIFF 2" in result.output


def test_human_translations_on_postgresql(tmp_path):
    sys.path.insert(0, str(Path(__file__).parent))
    from postgres import start_server

    from mtfix.memory import open_memory

    url, stop = start_server()
    try:
        store = open_memory(url, strict=True)
        store.put_human([(SENTENCE, "id", "first", "ana"), ("Kalimat lain.", "id", "other", "ana")])
        store.put_human([(SENTENCE, "id", HUMAN, "budi")])  # a later correction wins
        found = store.get_human([(SENTENCE, "id"), ("Kalimat lain.", "id"), ("tidak ada", "id")])
        assert found[store.human_key(SENTENCE, "id")] == {"target": HUMAN, "reviewer": "budi"}
        assert len(found) == 2 and store.stats()["human"] == 2
    finally:
        stop()
