"""Typed errors for user mistakes and bad input.

Each carries one sentence for the user; the CLI prints it as ``mtfix: <path>: <message>``
and exits non-zero without a traceback. Anything else that escapes is our bug and keeps its
traceback.
"""

from __future__ import annotations

import os


def printable_path(path) -> str:
    """``path`` as text that can always be printed and written as UTF-8. File names on
    POSIX are bytes; one that is not UTF-8 reaches Python with surrogate escapes, which no
    UTF-8 stream accepts: those bytes are shown as ``\\xe9``.

    >>> printable_path(os.fsdecode(b"caf\\xe9.txt"))
    'caf\\\\xe9.txt'
    """
    text = os.fspath(path)
    if isinstance(text, bytes):
        return text.decode("utf-8", "backslashreplace")
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")



class MtfixError(Exception):
    """A problem the user can act on. ``path`` names the file it concerns, if any."""

    exit_code = 1

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = printable_path(path) if path is not None else None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputError(MtfixError):
    """The input file cannot be read as text (binary, undecodable, unreadable, empty)."""


class ModelNotAvailableError(MtfixError):
    """A model is not in the local cache (and we may not download it)."""


class OutputError(MtfixError):
    """An output file cannot be written."""


class UsageError(MtfixError):
    exit_code = 2


class UnsupportedLanguageError(MtfixError):
    """The engine has no way to translate this language; the segment passes through, flagged."""
