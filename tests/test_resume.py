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
ZH_WORDS = ["公司", "宣布", "三位", "新", "研究员", "将于", "下个月", "加入", "团队", "实验室"]
EN_WORDS = "the lab hired three researchers from its rivals to build a new team".split()


def _corpus(folder: Path, documents: int = 50) -> None:
    """Documents in three languages (Indonesian, Chinese, English), some mixed."""
    import random

    rng = random.Random(1)
    for number in range(documents):
        lines = []
        for k in range(6):
            kind = (number + k * (number % 2)) % 3
            if kind == 0:
                lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))).capitalize() + ".")
            elif kind == 1:
                lines.append("".join(rng.choice(ZH_WORDS) for _ in range(rng.randint(5, 10))) + "。")
            else:
                lines.append(" ".join(rng.choice(EN_WORDS) for _ in range(rng.randint(6, 12))).capitalize() + ".")
        (folder / f"doc{number:02d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _command(folder: Path, out: Path, model: Path) -> list[str]:
    # Small windows (about two documents each) so that kills land between windows and inside them.
    return [sys.executable, "-m", "mtfix.cli", "translate", str(folder), "--model", str(model), "--beam", "2",
            "--max-new-tokens", "6", "--out", str(out), "--window", "10"]


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
    killed_at = []
    for kill_after in (3, 17, 36):  # three interruptions at different moments
        process = subprocess.Popen(_command(folder, out, tiny_marian), env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while _done(out) < kill_after and process.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, "the batch finished before it could be interrupted"
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed_at.append(_done(out))
        # No half-written file under a real name (atomic writes leave only temp files).
        for path in out.rglob("*"):
            if path.is_file() and path.suffix in (".txt", ".jsonl", ".html", ".json"):
                if path.suffix == ".jsonl":
                    [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    finished = subprocess.run(_command(folder, out, tiny_marian), env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert "unchanged since the last run, skipped" in finished.stdout
    assert killed_at == sorted(killed_at) and killed_at[-1] < 50, killed_at

    def outputs(root: Path) -> dict[str, bytes]:
        # Every file, hidden ones too: the last run removes the temporary files of killed ones.
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert outputs(out) == outputs(reference)
