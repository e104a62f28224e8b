"""A throw-away PostgreSQL server for the tests: Debian's ``postgresql`` binaries, a cluster
in a temporary folder, run as an unprivileged user (``nobody`` when the tests run as root:
PostgreSQL refuses root), listening on a Unix socket in that folder only. Skips, saying why,
where PostgreSQL or psycopg is not installed (``.ci/run`` installs both)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "nobody", "--", *command]


def start_server():
    """(url, stop) of a new server; pytest.skip where one cannot be had."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'mtfix[postgresql]')")
    binaries = _binaries()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed (Debian's postgresql package)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: PostgreSQL will not start as root")
    folder = Path(tempfile.mkdtemp(prefix="mtfix-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody")
    data, port = folder / "data", 5432
    try:
        subprocess.run(_as_user([str(binaries / "initdb"), "-D", str(data), "-U", "mtfix", "--auth=trust", "-E", "UTF8",
                                 "--no-sync"]), check=True, capture_output=True, timeout=120)
        subprocess.run(_as_user([str(binaries / "pg_ctl"), "-D", str(data), "-w", "-t", "60", "-l", str(folder / "log"),
                                 "-o", f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off", "start"]),
                       check=True, capture_output=True, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        log = (folder / "log").read_text(errors="replace")[-500:] if (folder / "log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"a PostgreSQL server could not be started here ({error}; {log})")

    def stop() -> None:
        subprocess.run(_as_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)

    return f"postgresql://mtfix@/postgres?host={folder}&port={port}", stop
