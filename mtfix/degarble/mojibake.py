"""Mojibake: text that was encoded in one charset and decoded in another (``â€œ`` for ``“``).

This stage is ftfy, run with only the fixes that cannot touch clean text. ftfy's defaults
also *normalise* (full-width ``，`` → ``,``, ``ＭＳＬ`` → ``MSL``, curly quotes → straight,
CRLF → LF, HTML entities → characters), which would change clean Chinese or Markdown; mtfix
repairs damage and leaves style alone, so those options are off.

>>> fix_mojibake("Itâ€™s here")[0].replacement
'’'
>>> fix_mojibake("成立仅两个月，小扎「梦之队」")
[]
"""

from __future__ import annotations

import re

import ftfy

from mtfix.degarble.diffedits import diff_edits
from mtfix.document import Edit

SAFE_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    fix_line_breaks=False,
    normalization=None,
    explain=True,
)


def _describe(steps) -> str:
    if not steps:
        return "ftfy repair"
    return "ftfy: " + ", ".join(f"{action} {parameter}" for action, parameter in steps)


def fix_mojibake(text: str) -> list[Edit]:
    """Edits that undo mojibake in ``text``, one per damaged stretch, each with ftfy's plan."""
    edits: list[Edit] = []
    offset = 0
    # Split at "\n" only: str.splitlines also splits at \x1c-\x1e, \x85 and U+2028, which
    # ftfy may remove or repair as part of a sequence, joining what was split.
    for line in re.findall(r"[^\n]*\n|[^\n]+$", text):
        # ftfy only ever changes lines with non-ASCII or control characters.
        if not line.isascii() or any(ord(ch) < 32 and ch not in "\r\n\t" for ch in line):
            # One fix can expose another (a control character removed from between the bytes
            # of a mojibake sequence): repeat to a fixed point, so cleaning is idempotent.
            fixed, steps = line, []
            for _ in range(4):
                again, more_steps = ftfy.fix_and_explain(fixed, config=SAFE_FTFY)
                if again == fixed:
                    break
                fixed, steps = again, steps + list(more_steps or [])
            if fixed != line:
                edits.extend(diff_edits(line, fixed, offset, "mojibake", _describe(steps)))
        offset += len(line)
    return edits
