"""The output folder: what each output is called, and the rules that keep the user's files
safe while mtfix writes there.

Names, for an input called ``NAME`` (``STEM`` + ``SUFFIX``, as ``notes`` + ``.md``):

==============  =======================  ===========================
output          name                     ``notes.md`` gives
==============  =======================  ===========================
English         ``STEM.en SUFFIX``       ``notes.en.md``
alignment       ``NAME.align.jsonl``     ``notes.md.align.jsonl``
review page     ``NAME.review.html``     ``notes.md.review.html``
cleaned text    ``STEM.clean SUFFIX``    ``notes.clean.md``
repair log      ``NAME.edits.jsonl``     ``notes.md.edits.jsonl``
==============  =======================  ===========================

(an input without a suffix, ``README``, gives ``README.en`` and ``README.clean``). Every name
carries its input's whole name and a marker of its kind, so two inputs of one folder never
share an output (``a.md`` and ``a.txt`` are ``a.md.review.html`` and ``a.txt.review.html``),
and no input can produce ``index.html`` or ``manifest.json``.

Rules, checked before a document's first output is written:

1. no output replaces an input of the run (the same resolved path, or the same file by
   device and inode), whatever ``--out`` is;
2. no output replaces a file mtfix did not write: an existing file at an output path is
   replaced only when the folder's manifest lists it as written by mtfix and it is still
   as written (so an English output the user corrected by hand is not lost either), or is
   now empty (cut short by a full disk or a failed copy: damage, not an edit);
3. no two documents of a run claim one output path;
4. an output is never more widely readable than its input (``0600`` in, ``0600`` out);
5. temporary files carry the run's token; a run removes only its own and those of earlier
   runs recorded in the manifest whose process is gone.

A document that would break a rule fails with one line naming the file; nothing of it is
written.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mtfix import manifest
from mtfix.errors import OutputError, printable_path
from mtfix.sources import RUN_TOKEN, atomic_write, default_mode


@dataclass(frozen=True)
class OutputPaths:
    english: Path
    alignment: Path
    report: Path
    # The English set into the original's pages (a PDF's, with --pdf-layout).
    layout: Path | None = None

    def all(self) -> list[Path]:
        return [self.english, self.alignment, self.report] + ([self.layout] if self.layout else [])


@dataclass(frozen=True)
class CleanPaths:
    clean: Path
    edits: Path

    def all(self) -> list[Path]:
        return [self.clean, self.edits]


# Inputs whose English is another kind of file: a PDF's text layer is written as Markdown.
WRITTEN_AS = {".pdf": ".md"}


def _with_marker(name: str, marker: str) -> str:
    """``notes.md`` → ``notes.MARKER.md``; ``README`` → ``README.MARKER``; ``paper.pdf`` →
    ``paper.MARKER.md``."""
    path = Path(name)
    suffix = WRITTEN_AS.get(path.suffix.lower(), path.suffix)
    return f"{path.stem}.{marker}{suffix}" if path.suffix else f"{name}.{marker}"


def output_paths(input_name: str, folder: str | os.PathLike, pdf_layout: bool = False) -> OutputPaths:
    """The outputs of ``translate`` for an input called ``input_name``: three, and for a PDF
    with ``pdf_layout`` its English pages too.

    >>> [p.name for p in output_paths("notes.md", "out").all()]
    ['notes.en.md', 'notes.md.align.jsonl', 'notes.md.review.html']
    >>> [p.name for p in output_paths("README", "out").all()]
    ['README.en', 'README.align.jsonl', 'README.review.html']
    >>> output_paths("paper.pdf", "out", pdf_layout=True).layout.name
    'paper.en.pdf'
    """
    name = Path(printable_path(input_name)).name
    base = Path(folder)
    layout = base / f"{Path(name).stem}.en.pdf" if pdf_layout and Path(name).suffix.lower() == ".pdf" else None
    return OutputPaths(base / _with_marker(name, "en"), base / f"{name}.align.jsonl", base / f"{name}.review.html",
                       layout)


def clean_paths(input_name: str, folder: str | os.PathLike) -> CleanPaths:
    name = Path(printable_path(input_name)).name
    base = Path(folder)
    return CleanPaths(base / _with_marker(name, "clean"), base / f"{name}.edits.jsonl")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


class OutputFolder:
    """One run's view of its output folder: the manifest, the inputs it must never replace,
    the paths its documents claimed. ``warn`` gets one-line warnings."""

    def __init__(self, root: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (), warn=lambda line: None):
        self.root = Path(root)
        self.warn = warn
        if self.root.exists() and not self.root.is_dir():
            raise OutputError("is not a folder (the outputs go into a folder)", str(self.root))
        self.state = manifest.load(self.root, warn)
        self._input_ids: set[tuple[int, int]] = set()
        self._input_paths: set[str] = set()
        self._input_modes: list[int] = []
        for path in inputs:
            self.add_input(Path(path))
        self._claimed: dict[Path, str] = {}
        self._started = False

    # -- inputs ---------------------------------------------------------------------------
    def add_input(self, path: Path) -> None:
        identity = _identity(path)
        if identity is not None:
            self._input_ids.add(identity)
            self._input_modes.append(os.stat(path).st_mode)
        self._input_paths.add(os.path.realpath(path))

    def mode_for(self, source: Path | None) -> int:
        """Permissions for an output made from ``source`` (None: from every input, for the
        index and the manifest): the owner may read and write it, and group and others get
        no right the input did not give them."""
        if source is not None:
            try:
                modes = [os.stat(source).st_mode]
            except OSError:
                modes = [0o600]
        else:
            modes = self._input_modes or [default_mode()]
        shared = 0o066
        for mode in modes:
            shared &= mode
        return (0o600 | shared) & default_mode()

    # -- the rules ------------------------------------------------------------------------
    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def claim(self, paths: list[Path], owner: str) -> None:
        """Check rules 1-3 for every path of one document before any is written."""
        for path in paths:
            other = self._claimed.get(path)
            if other is not None and other != owner:
                raise OutputError(f"its output {printable_path(self.relative(path))} has the name of an output of "
                                  f"{other}; rename one of them", owner)
            self.check_replaceable(path, owner)
        for path in paths:
            self._claimed[path] = owner

    def check_replaceable(self, path: Path, owner: str | None = None) -> None:
        if _identity(path) in self._input_ids or os.path.realpath(path) in self._input_paths:
            raise OutputError(f"its output {printable_path(path)} would replace an input file; "
                              "choose another --out", owner)
        if not path.exists() and not path.is_symlink():
            return
        relative = self.relative(path)
        known = relative in self.state["written"]
        if known and path.is_file() and not path.is_symlink() and path.stat().st_size == 0:
            return  # what mtfix wrote there was cut to nothing (a full disk, a failed copy): damage
        if not manifest.is_intact(self.state, relative, path):
            why = ("was changed since mtfix wrote it" if known
                   else "exists and was not written by mtfix (it is not in the folder's manifest.json)")
            raise OutputError(f"its output {printable_path(path)} {why}; it was left as it is: move it away or "
                              "choose another --out", owner)

    def write(self, path: Path, content: str | bytes, mode: int) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        atomic_write(path, data, mode)
        self.state["written"][self.relative(path)] = {"bytes": len(data), "sha256": manifest.sha256_bytes(data)}

    # -- the run and its manifest ---------------------------------------------------------
    def start(self) -> None:
        """Record this run, remove what dead runs left; before the first output."""
        runs = self.state["runs"]
        host = socket.gethostname()
        for token, run in list(runs.items()):
            if token == RUN_TOKEN:
                continue
            if run.get("host") == host and isinstance(run.get("pid"), int) and not _process_alive(run["pid"]):
                self._remove_temporary_files(token)
                del runs[token]
        runs[RUN_TOKEN] = {"pid": os.getpid(), "host": host, "started": round(time.time(), 3)}
        self._started = True
        self.save()

    def _remove_temporary_files(self, token: str) -> None:
        ending = f".{token}.tmp"
        if not token.startswith("mtfix-") or not self.root.is_dir():
            return
        for folder, folders, files in os.walk(self.root):  # links to folders are not followed
            for name in files:
                if name.startswith(".") and name.endswith(ending):
                    path = Path(folder, name)
                    if not path.is_symlink():
                        try:
                            path.unlink()
                        except OSError:
                            pass

    def save(self) -> None:
        manifest.save(self.root, self.state, self.mode_for(None))

    def finish(self) -> None:
        # A write cut short (Ctrl-C between creating its temporary file and renaming it)
        # leaves no trace: the run's own temporary files go with it.
        if self._started:
            self._remove_temporary_files(RUN_TOKEN)
        self.state["runs"].pop(RUN_TOKEN, None)
        if self._started:
            try:
                self.save()
            except OutputError as error:
                self.warn(f"mtfix: {error}")
