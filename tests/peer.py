"""Peers' published test suites, read from the source distributions the peers publish on
PyPI (not copied into this repository): CommonMark's spec examples as markdown-it-py ships
them. (ftfy's test cases are kept in tests/data/peer/, with their licence.)

``peer_file(name)`` downloads the pinned source distribution once into ``.cache/peer/`` (CI
reaches the package registry) and returns the file, or None when it cannot be had, so that
the tests that need it skip and say why.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

CACHE = Path(__file__).resolve().parents[1] / ".cache" / "peer"

# name: (project, version, file inside the source distribution, licence of that file)
PEERS = {
    "commonmark": ("markdown-it-py", "4.3.0", "tests/test_cmark_spec/commonmark.json",
                   "CC-BY-SA-4.0 (the CommonMark spec, by John MacFarlane)"),
}


def peer_file(name: str) -> Path | None:
    project, version, inside, _ = PEERS[name]
    target = CACHE / f"{project}-{version}" / Path(inside).name
    if target.is_file():
        return target
    with tempfile.TemporaryDirectory() as work:
        try:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q",
                            "-d", work, f"{project}=={version}"], check=True, capture_output=True, timeout=180)
            archive = next(Path(work).glob("*.tar.gz"))
            with tarfile.open(archive) as bundle:
                member = next(m for m in bundle.getmembers() if m.name.endswith("/" + inside))
                data = bundle.extractfile(member).read()
        except (subprocess.SubprocessError, StopIteration, OSError, tarfile.TarError):
            return None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target
