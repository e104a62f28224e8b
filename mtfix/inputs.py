"""Which files a run reads: the file it was given, or the documents of a folder.

A folder is walked recursively, in sorted order: the files with a suffix mtfix reads (or
those matching ``globs``, tried on the path relative to the folder and on the name), minus
``excludes``; hidden files and folders only with ``hidden``; the output folder is never read
back; a folder is never entered twice (a link loop).

**Links never publish what lies outside the folder.** A symbolic link (to a file or a folder)
whose target is outside the folder given is not read, unless ``follow_links``: a cloned
repository with ``notes.md -> ~/.ssh/id_rsa`` would otherwise have the key's text written into
the outputs. Each such link is listed in ``Inputs.skipped`` with its reason. A broken link
is listed among the files, so that the batch reports it in one line instead of passing over
it, and so is anything else that is not a folder (a FIFO named ``a.txt`` is refused by the
reader in one line, never opened for reading).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

# Files a folder walk picks up.
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".text", ".srt", ".vtt", ".pdf", ".epub", ".docx", ".pptx", ".odt", ".odp"})


@dataclass
class Inputs:
    files: list[Path] = field(default_factory=list)
    # (path, reason) of every entry that was not read and that a user would want to hear of.
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    # Files of the folder in a format mtfix does not read (.rtf, .pdf, .docx...): said in one line.
    unsupported: list[Path] = field(default_factory=list)

    def unsupported_summary(self) -> str | None:
        """One line for the unsupported files, by suffix; None when there are none."""
        if not self.unsupported:
            return None
        suffixes = Counter(path.suffix.lower() or "(no suffix)" for path in self.unsupported)
        kinds = ", ".join(f"{suffix} ×{count}" for suffix, count in suffixes.most_common())
        return (f"skipped {len(self.unsupported)} file(s) in formats mtfix does not read ({kinds}); "
                f"it reads {' '.join(sorted(TEXT_SUFFIXES))}")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def find_inputs(path: Path, out_dir: Path, globs: list[str] = (), excludes: list[str] = (),
                hidden: bool = False, follow_links: bool = False) -> Inputs:
    """The documents under ``path`` (see the module's docstring)."""
    found = Inputs()
    if not path.is_dir():
        found.files.append(path)
        return found
    root_real = os.path.realpath(path)
    out_resolved = out_dir.resolve()
    seen_dirs: set[str] = set()
    for folder, dirs, files in os.walk(path, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen_dirs:
            dirs[:] = []
            continue
        seen_dirs.add(real)
        folder_path = Path(folder)
        resolved = folder_path.resolve()
        if resolved == out_resolved or out_resolved in resolved.parents:
            dirs[:] = []
            continue
        kept_dirs = []
        for name in sorted(dirs):
            if not hidden and name.startswith("."):
                continue
            candidate = folder_path / name
            if candidate.is_symlink() and not follow_links and not _inside(os.path.realpath(candidate), root_real):
                found.skipped.append((candidate, "is a link to a folder outside the input folder; not read "
                                                 "(--follow-links reads it)"))
                continue
            kept_dirs.append(name)
        dirs[:] = kept_dirs
        for name in sorted(files):
            candidate = folder_path / name
            relative = candidate.relative_to(path).as_posix()
            if not hidden and name.startswith("."):
                continue
            if globs:
                if not any(fnmatch(relative, pattern) or fnmatch(name, pattern) for pattern in globs):
                    continue
            elif candidate.suffix.lower() not in TEXT_SUFFIXES:
                found.unsupported.append(candidate)
                continue
            if any(fnmatch(relative, pattern) for pattern in excludes):
                continue
            if candidate.is_symlink() and candidate.exists() and not follow_links:
                if not _inside(os.path.realpath(candidate), root_real):
                    found.skipped.append((candidate, "is a link to a file outside the input folder; not read "
                                                     "(--follow-links reads it)"))
                    continue
            # A broken link is listed too, so that the batch reports it instead of
            # passing over it in silence.
            if candidate.is_symlink() or not candidate.is_dir():
                found.files.append(candidate)
    found.files.sort()
    return found
