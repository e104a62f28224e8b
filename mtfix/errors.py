"""Typed errors for user mistakes and bad input.

Each carries one sentence for the user; the CLI prints it as ``mtfix: <path>: <message>``
and exits non-zero without a traceback. Anything else that escapes is our bug and keeps its
traceback.
"""

from __future__ import annotations


class MtfixError(Exception):
    """A problem the user can act on. ``path`` names the file it concerns, if any."""

    exit_code = 1

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path

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
