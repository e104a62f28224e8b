"""``manifest.json`` in the output folder: what each document became, so a run can resume.

One entry per input document (its path relative to the input): status (``done`` or
``failed``), the sha256 of its bytes, the plan that translated it (the signature without the
model list: cleaning, glossary, engine, model, options, version), its output paths and its
line in the batch index. The manifest is rewritten atomically after every document, so an
interrupted batch leaves it true. A document whose bytes and plan match a ``done`` entry, and
whose outputs are all there, is skipped on the next run.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from mtfix.sources import atomic_write

NAME = "manifest.json"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load(out_dir: Path) -> dict:
    try:
        data = json.loads((out_dir / NAME).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("documents"), dict) else {"documents": {}}
    except (OSError, ValueError):
        return {"documents": {}}  # no manifest, or a damaged one: everything is translated again


def save(out_dir: Path, manifest: dict) -> None:
    atomic_write(out_dir / NAME, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def finished(manifest: dict, name: str, sha256: str, plan: str, out_dir: Path) -> dict | None:
    """The manifest entry of ``name`` when it needs no new translation, else None."""
    entry = manifest["documents"].get(name)
    if not entry or entry.get("status") != "done" or entry.get("sha256") != sha256 or entry.get("plan") != plan:
        return None
    if not all((out_dir / output).is_file() for output in entry.get("outputs", [])):
        return None
    return entry
