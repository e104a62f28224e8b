"""Mojibake: text that was encoded in one charset and decoded in another (``â€œ`` for ``“``).

The Latin half of this stage is ftfy, run with only the fixes that cannot touch clean text. ftfy's defaults
also *normalise* (full-width ``，`` → ``,``, ``ＭＳＬ`` → ``MSL``, curly quotes → straight,
CRLF → LF, HTML entities → characters), which would change clean Chinese or Markdown; mtfix
repairs damage and leaves style alone, so those options are off. The East Asian half, which
ftfy does not do, is :mod:`mtfix.degarble.cjk`.

>>> fix_mojibake("Itâ€™s here")[0].replacement
'’'
>>> fix_mojibake("成立仅两个月，小扎「梦之队」")
[]
>>> fix_mojibake("Meta 鏂囨湰 caf茅")[1].replacement
'é'
"""

from __future__ import annotations

import re
from dataclasses import replace

import ftfy

from mtfix.degarble.cjk import fix_cjk_mojibake
from mtfix.degarble.plausibility import cost
from mtfix.degarble.compose import compose
from mtfix.degarble.diffedits import diff_edits
from mtfix.document import Edit, apply_edits

SAFE_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    fix_line_breaks=False,
    normalization=None,
    explain=True,
)


# Two or more high Latin-1 characters together: where GBK, Big5 or Shift-JIS read as latin-1
# may be, and ftfy could take part of it for something else.
_LEGACY_AS_LATIN = re.compile(r"[\x80-\xff]{2}")


def _describe(steps) -> str:
    if not steps:
        return "ftfy repair"
    return "ftfy: " + ", ".join(f"{action} {parameter}" for action, parameter in steps)


def _both_orders(line: str) -> list[Edit]:
    """Edits for one line: ftfy then the CJK repair, or the other way round where that reads
    better. ftfy sometimes takes two bytes of GBK read as latin-1 for UTF-8 (``Ä²`` → ``Ĳ``)
    and so spoils a repair the CJK stage would have made of the whole stretch."""
    candidates = []
    for first, second in ((fix_latin_mojibake, fix_cjk_mojibake), (fix_cjk_mojibake, fix_latin_mojibake)):
        edits = first(line)
        after = apply_edits(line, edits) if edits else line
        edits = compose(line, edits, second(after))
        candidates.append((apply_edits(line, edits) if edits else line, edits))
        if not _LEGACY_AS_LATIN.search(line):
            break  # nothing the CJK stage could take from ftfy: one order is enough
    best_text, best_edits = candidates[0]
    for text, edits in candidates[1:]:
        if text != best_text and cost(text) < cost(best_text):
            best_text, best_edits = text, edits
    return best_edits


def fix_mojibake(text: str) -> list[Edit]:
    """Edits that undo mojibake in ``text``: ftfy's Latin repairs and the East Asian ones
    (:mod:`mtfix.degarble.cjk`), line by line."""
    edits: list[Edit] = []
    offset = 0
    for line in re.findall(r"[^\n]*\n|[^\n]+$", text):
        if not line.isascii() or any(ord(ch) < 32 and ch not in "\r\n\t" for ch in line):
            for edit in _both_orders(line):
                edits.append(replace(edit, raw_start=edit.raw_start + offset, raw_end=edit.raw_end + offset))
        offset += len(line)
    return edits


def fix_latin_mojibake(text: str) -> list[Edit]:
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
