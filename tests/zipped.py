"""What the tests of packaged formats (Word, PowerPoint, OpenDocument, EPUB) compare."""

from __future__ import annotations

import zipfile
from pathlib import Path


def entries(path: Path) -> list[tuple[str, bytes, int]]:
    """Every entry of the ZIP package ``path``, in order: name, content, compression."""
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, archive.read(info.filename), info.compress_type) for info in archive.infolist()]


def contents(path: Path) -> dict[str, bytes]:
    """Each entry's content by its name, in the package's order."""
    return {name: content for name, content, _ in entries(path)}
