"""Typed errors for user mistakes and bad input.

Each carries one sentence for the user; the CLI prints it as ``mtfix: <path>: <message>``
and exits non-zero without a traceback. Anything else that escapes is our bug and keeps its
traceback.
"""

from __future__ import annotations

import os
import re

# Characters that could forge or hide a line of output: C0 and C1 controls (a newline in a
# file name would print a fake ``mtfix: other.md: ...`` line), line and paragraph separators,
# and the bidirectional overrides that reorder what a terminal shows.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every character that could forge or hide a line of output escaped.

    >>> printable("new\\nline.md: done")
    'new\\\\nline.md: done'
    >>> printable("tab\\there\\x1b[31m")
    'tab\\\\there\\\\x1b[31m'
    """
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match) -> str:
    char = match.group()
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable_path(path) -> str:
    """``path`` as text that can always be printed and written as UTF-8, on one line. File
    names on POSIX are bytes; one that is not UTF-8 reaches Python with surrogate escapes,
    which no UTF-8 stream accepts: those bytes are shown as ``\\xe9``. Control characters
    are escaped (:func:`printable`).

    >>> printable_path(os.fsdecode(b"caf\\xe9.txt"))
    'caf\\\\xe9.txt'
    """
    text = os.fspath(path)
    if isinstance(text, bytes):
        return printable(text.decode("utf-8", "backslashreplace"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = os.fsencode(text).decode("utf-8", "backslashreplace")
    return printable(text)


class MtfixError(Exception):
    """A problem the user can act on. ``path`` names the file it concerns, if any."""

    exit_code = 1

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.message = printable(message)
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


def reason_of(error: BaseException) -> str:
    """The one line a document that failed is reported with: the message of an error the
    user can act on, else the name of our bug."""
    return error.message if isinstance(error, MtfixError) else f"internal error ({type(error).__name__}: {error})"
