"""--executor ray on a local Ray runtime (four logical CPUs on this machine): the same folder
gives the same bytes (every output, the manifest, the memory's rows) as the local executor;
a bad document fails alone; a second run resumes; chunks really go to several actors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'mtfix[ray]')")

from mtfix import ray_executor  # noqa: E402
from mtfix.batch import run_batch  # noqa: E402
from mtfix.degarble import CleanConfig  # noqa: E402
from mtfix.engines.base import TranslateConfig, create_engine  # noqa: E402
from mtfix.memory import TranslationMemory  # noqa: E402


@pytest.fixture(scope="module")
def runtime():
    ray_executor.start(num_cpus=4)
    yield
    ray.shutdown()


def make_folder(root: Path) -> Path:
    folder = root / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Perusahaan itu mengumumkan hasil penelitian baru.\n\n"
                                  "Tim riset di Zurich bekerja sama dengan laboratorium di London.\n", encoding="utf-8")
    (folder / "sub" / "b.md").write_text("# Laporan tahunan\n\nDirektur baru mulai bekerja pada hari Senin.\n\n"
                                         "- tiga peneliti baru\n- dua laboratorium\n", encoding="utf-8")
    (folder / "c.html").write_text("<html lang='id'><body><p>Para peneliti bergabung dengan <b>tim</b> itu.</p>"
                                   "<p>Mereka bekerja di laboratorium baru.</p></body></html>", encoding="utf-8")
    for n in range(6):
        (folder / f"d{n}.txt").write_text(f"Dokumen nomor {n} membahas kerja sama riset antara dua universitas.\n\n"
                                          f"Hasilnya diumumkan pada bulan ke-{n + 1}.\n", encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02 binary \xff\xfe" * 40)
    return folder


def translate(folder: Path, out: Path, config: TranslateConfig, memory, executor: str, prepare=None):
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    if executor == "ray":
        engine, prepare = ray_executor.RayEngine(config, actors=2), prepare or ray_executor.prepared_documents
    else:
        engine, prepare = create_engine(config), None
    return run_batch(files, folder, out, engine, config, CleanConfig(), memory, window=4, prepare=prepare)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_ray_gives_the_local_executor_s_bytes_and_memory_rows(runtime, tmp_path, tiny_marian):
    folder = make_folder(tmp_path)
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=8, guard="flag")
    local_memory, ray_memory = TranslationMemory(tmp_path / "local.sqlite3"), TranslationMemory(tmp_path / "ray.sqlite3")
    local = translate(folder, tmp_path / "local", config, local_memory, "local")
    remote = translate(folder, tmp_path / "ray", config, ray_memory, "ray")
    assert [(r.name, r.status) for r in remote.results] == [(r.name, r.status) for r in local.results]
    assert [r.name for r in remote.results if r.status == "failed"] == ["broken.txt"]  # alone; the batch went on
    assert tree(tmp_path / "ray") == tree(tmp_path / "local")  # the manifest included
    assert len(tree(tmp_path / "ray")) == 3 * 9 + 2  # three outputs a document, the index, the manifest
    rows = lambda memory: sorted(row for row in memory.entries())  # noqa: E731
    assert rows(ray_memory) == rows(local_memory) and len(rows(ray_memory)) > 10
    # A second run with the same memory resumes: nothing to do.
    again = translate(folder, tmp_path / "ray", config, ray_memory, "ray")
    assert {r.status for r in again.results} == {"skipped", "failed"}
    manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"]["sub/b.md"]["status"] == "done"


def test_the_chunks_of_a_window_go_to_every_actor(runtime, tmp_path, tiny_marian):
    config = TranslateConfig(model=str(tiny_marian), beam_size=1, max_new_tokens=4, guard="off", batch_size=1)
    engine = ray_executor.RayEngine(config, actors=2)
    chosen = []
    cycle = engine._next

    class Recording:
        def __next__(self):
            actor = next(cycle)
            chosen.append(actor)
            return actor

    engine._next = Recording()
    from mtfix.translate import translate_segment_list
    from mtfix.pipeline import prepare_document

    source = tmp_path / "long.txt"
    source.write_text("\n\n".join(f"Kalimat nomor {n} tentang penelitian baru." for n in range(40)) + "\n", encoding="utf-8")
    document = prepare_document(source, CleanConfig())
    found = translate_segment_list(document.segments, engine, config)
    assert len(found) == 40
    # 40 pieces in chunks of 8 (batch size 1): 5 chunks, sent at once, round-robin.
    assert len(chosen) >= 5 and len({id(actor) for actor in chosen}) == 2
    # Same English as the local engine.
    local = translate_segment_list(document.segments, create_engine(config), config)
    assert [t.text for t in found] == [t.text for t in local]


def test_an_unknown_executor_or_a_missing_ray_is_one_line(tmp_path):
    from typer.testing import CliRunner

    from mtfix.cli import app

    (tmp_path / "a.txt").write_text("Perusahaan itu.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["translate", str(tmp_path / "a.txt"), "--engine", "identity", "--executor", "spark"])
    assert result.exit_code == 2 and "--executor spark: choose local or ray" in result.output
