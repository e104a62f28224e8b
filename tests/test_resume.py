"""Resume after kill -9: the same command again finishes the batch, and the outputs are
byte-identical to an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

WORDS = "perusahaan itu telah merekrut peneliti top lain dari saingannya dan tim baru di zurich".split()


def _corpus(folder: Path, documents: int = 30) -> None:
    import random

    rng = random.Random(1)
    for number in range(documents):
        lines = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))).capitalize() + "." for _ in range(6)]
        (folder / f"doc{number:02d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _command(folder: Path, out: Path, model: Path) -> list[str]:
    return [sys.executable, "-m", "mtfix.cli", "translate", str(folder), "--model", str(model), "--beam", "2",
            "--max-new-tokens", "6", "--out", str(out)]


def _done(out: Path) -> int:
    try:
        return sum(e["status"] == "done" for e in json.loads((out / "manifest.json").read_text())["documents"].values())
    except (OSError, ValueError, KeyError):
        return 0


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_nine_then_resume_gives_identical_outputs(tmp_path, tiny_marian):
    folder = tmp_path / "corpus"
    folder.mkdir()
    _corpus(folder)
    env = dict(os.environ, MTFIX_MEMORY=str(tmp_path / "memory.sqlite3"), PYTHONPATH=str(Path(__file__).parents[1]))

    reference = tmp_path / "reference"
    env_reference = dict(env, MTFIX_MEMORY=str(tmp_path / "reference.sqlite3"))
    assert subprocess.run(_command(folder, reference, tiny_marian), env=env_reference, capture_output=True).returncode == 0

    out = tmp_path / "out"
    for kill_after in (2, 9, 17):  # three interruptions at different moments
        process = subprocess.Popen(_command(folder, out, tiny_marian), env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while _done(out) < kill_after and process.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait()
        # No half-written file under a real name (atomic writes leave only temp files).
        for path in out.rglob("*"):
            if path.is_file() and path.suffix in (".txt", ".jsonl", ".html", ".json"):
                if path.suffix == ".jsonl":
                    [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    finished = subprocess.run(_command(folder, out, tiny_marian), env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert "skipped (unchanged)" in finished.stdout

    def outputs(root: Path) -> dict[str, bytes]:
        # Every file, hidden ones too: the last run removes the temporary files of killed ones.
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert outputs(out) == outputs(reference)
