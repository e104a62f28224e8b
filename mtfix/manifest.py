"""``manifest.json`` in the output folder: what each document became, and which files there
mtfix wrote, so a run can resume and never replaces a file of the user's.

- ``documents``: one entry per input document (its path relative to the input): status
  (``done`` or ``failed``), the sha256 of its bytes, the plan that translated it (the
  signature without the model list: cleaning, glossary, engine, model, options, version),
  the revision of every model it used, its output paths and its line in the batch index.
- ``written``: every file mtfix wrote there (path relative to the folder → size and sha256).
  A file at an output path is replaced only when it is listed here *and* is still what mtfix
  wrote; a document is skipped on resume only when its outputs are all there, whole.
- ``runs``: the runs writing into the folder now (token, process, host), so that a later run
  removes exactly the temporary files a killed run left, and nothing else.

The manifest is written atomically. One that cannot be read is set aside (renamed, never
deleted) and the run starts from an empty one; a JSON file of that name that is not an mtfix
manifest stops the run, as it is somebody else's file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from mtfix.errors import OutputError, printable_path
from mtfix.sources import atomic_write, read_bytes

NAME = "manifest.json"
GENERATOR = "mtfix"
FORMAT = 2


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> tuple[int, str] | None:
    """(size, sha256) of a regular file, or None when it is absent or unreadable."""
    try:
        data = read_bytes(path)
    except Exception:  # noqa: BLE001  (InputError of any kind: not there, not a file)
        return None
    return len(data), sha256_bytes(data)


def empty() -> dict:
    return {"generator": GENERATOR, "format": FORMAT, "documents": {}, "written": {}, "runs": {}}


def load(out_dir: Path, warn=lambda line: None) -> dict:
    """The manifest of ``out_dir`` (an empty one when there is none); see the module's
    docstring for what happens to one that cannot be read. ``warn`` gets one line."""
    path = out_dir / NAME
    if not path.exists() and not path.is_symlink():
        return empty()
    try:
        data = json.loads(read_bytes(path).decode("utf-8"))
    except Exception as error:  # noqa: BLE001  (unreadable, not UTF-8, not JSON, not a file)
        reason = getattr(error, "message", None) or str(error).splitlines()[0]
        aside = _set_aside(path)
        warn(f"mtfix: {printable_path(path)}: unreadable ({reason}); kept as {printable_path(aside.name)}, "
             "and every document is translated again")
        return empty()
    if not isinstance(data, dict) or not (data.get("generator") == GENERATOR or "documents" in data):
        raise OutputError("exists and is not an mtfix manifest (another program's file?); it was left as it is: "
                          "choose another --out", str(path))
    manifest = empty()
    documents = data.get("documents")
    dropped = 0 if isinstance(documents, dict) else 1
    for name, entry in (documents.items() if isinstance(documents, dict) else ()):
        if _valid_entry(entry):
            manifest["documents"][name] = entry
        else:
            dropped += 1
    written = data.get("written")
    if isinstance(written, dict):
        for name, record in written.items():
            if isinstance(record, dict) and isinstance(record.get("bytes"), int) and isinstance(record.get("sha256"), str):
                manifest["written"][name] = record
            else:
                dropped += 1
    elif data.get("format") is None:
        # A manifest of an mtfix that did not record what it wrote: its documents' outputs
        # are taken as its own (they carry no hash, so nothing can be skipped on them).
        for entry in manifest["documents"].values():
            for output in entry.get("outputs", []):
                manifest["written"][output] = {"bytes": -1, "sha256": ""}
    runs = data.get("runs")
    if isinstance(runs, dict):
        manifest["runs"] = {token: run for token, run in runs.items() if isinstance(run, dict)}
    if dropped:
        warn(f"mtfix: {printable_path(path)}: {dropped} entries of the wrong shape were ignored; "
             "those documents are translated again")
    return manifest


def _valid_entry(entry) -> bool:
    if not isinstance(entry, dict) or entry.get("status") not in ("done", "failed"):
        return False
    if not isinstance(entry.get("sha256", ""), str) or not isinstance(entry.get("plan", ""), str):
        return False
    outputs = entry.get("outputs", [])
    if not isinstance(outputs, list) or not all(isinstance(output, str) for output in outputs):
        return False
    models = entry.get("models", {})
    return isinstance(models, dict) and _valid_index_row(entry.get("index"))


def _counts(value) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and type(v) is int for k, v in value.items())


def _valid_index_row(row) -> bool:
    """A line of the batch index as :func:`mtfix.batch.index_row` makes it: the index page
    is rebuilt from these, so an edited manifest must not reach it in another shape."""
    if not isinstance(row, dict) or not isinstance(row.get("name"), str):
        return False
    if "error" in row:
        return isinstance(row["error"], str)
    return (isinstance(row.get("report"), (str, type(None))) and _counts(row.get("languages"))
            and _counts(row.get("flags")) and all(type(row.get(key)) is int for key in ("segments", "translated", "edits")))


def _set_aside(path: Path) -> Path:
    for number in range(1, 1000):
        aside = path.with_name(f"{path.name}.unreadable-{number}")
        if not aside.exists():
            try:
                path.rename(aside)
            except OSError as error:
                raise OutputError(f"unreadable, and cannot be set aside ({error.strerror or error})",
                                  str(path)) from None
            return aside
    raise OutputError("unreadable, and too many earlier copies were set aside beside it", str(path))


def save(out_dir: Path, manifest: dict, mode: int | None = None) -> None:
    content = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    atomic_write(out_dir / NAME, content, mode)


def is_intact(manifest: dict, relative: str, path: Path) -> bool:
    """Is the file at ``path`` (``relative`` in the folder) still what mtfix wrote there?"""
    record = manifest["written"].get(relative)
    if record is None:
        return False
    if record["bytes"] < 0:  # written by an mtfix that kept no hash
        return path.is_file() and not path.is_symlink()
    return not path.is_symlink() and file_digest(path) == (record["bytes"], record["sha256"])


def finished(manifest: dict, name: str, sha256: str, plan: str, out_dir: Path, revisions) -> dict | None:
    """The manifest entry of ``name`` when it needs no new translation, else None: same
    input bytes, same plan, the same revision of every model it used (``revisions(ref)``
    gives the current one, or None when the model is gone), and every output there as
    written (size and hash)."""
    entry = manifest["documents"].get(name)
    if not entry or entry.get("status") != "done" or entry.get("sha256") != sha256 or entry.get("plan") != plan:
        return None
    for reference, revision in entry.get("models", {}).items():
        if revisions(reference) != revision:
            return None
    for output in entry.get("outputs", []):
        record = manifest["written"].get(output)
        if record is None or record["bytes"] < 0 or not is_intact(manifest, output, out_dir / output):
            return None
    return entry
