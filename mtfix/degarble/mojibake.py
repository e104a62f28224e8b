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

import codecs
import itertools
import re
from functools import lru_cache

import ftfy
import ftfy.badness
import ftfy.chardata
from ftfy.badness import is_bad

from mtfix.charclass import is_east_asian_wide
from mtfix.degarble.cjk import CP1252_HIGH, fix_cjk_mojibake
from mtfix.degarble.plausibility import LOST, char_cost, cost
from mtfix.degarble.compose import compose
from mtfix.degarble.diffedits import diff_edits
from mtfix.degarble.spans import lines_with_breaks
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


# Lines with nothing but ASCII, common ideographs, kana, Hangul and full-width forms cannot
# hold mojibake either stage repairs: mojibake is made of Latin-1, Latin Extended, Greek,
# Cyrillic, box drawing and control characters (UTF-8 read as a single-byte charset), or of
# rare and private-use ideographs, U+FFFD and half-width kana (UTF-8 read as a CJK charset).
# Those lines skip both stages, at the speed of one regular-expression search.
@lru_cache(maxsize=1)
def _suspect() -> re.Pattern:
    common = [chr(code) for code in range(0x4E00, 0xA000) if char_cost(chr(code)) == 0]
    ranges, start, previous = [], None, None
    for ch in common:
        if start is None:
            start = previous = ch
        elif ord(ch) == ord(previous) + 1:
            previous = ch
        else:
            ranges.append(f"{start}-{previous}" if start != previous else start)
            start = previous = ch
    if start is not None:
        ranges.append(f"{start}-{previous}" if start != previous else start)
    # General punctuation (“ ” — …) is safe too: UTF-8 mojibake always brings Latin-1 letters
    # (â, Ã, Â ...) with it, and those are not.
    safe = ("\t\n\r\x20-\x7e\u2010-\u205e\u20ac\u3000-\u303f\u3040-\u30ff\uac00-\ud7af\uff01-\uff60"
            + "".join(ranges))
    return re.compile(f"[^{safe}]")


# A short run of ideographs glued to a Latin letter in a line with few of them: "caf茅", é
# read as GBK, which is a common character and passes the test above.
# (Written to start at the ideograph, the letter before it a lookbehind: Latin text seldom
# has one, and the expression skips the rest at C speed.)
_GLUED_IDEOGRAPHS = re.compile(r"[\u4e00-\u9fff](?<=[A-Za-z].)[\u4e00-\u9fff]{0,2}(?![\u4e00-\u9fff])")
_IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")


def _worth_a_look(line: str) -> bool:
    if _suspect().search(line):
        return True
    return bool(_GLUED_IDEOGRAPHS.search(line)) and len(_IDEOGRAPH.findall(line)) <= 6


# What GBK, Big5 or Shift-JIS read as latin-1 leaves after ftfy took part of it for something
# else ("Â£" of "ÔÂ£¬" is "£" to ftfy): then the other order is tried too.
# (One class of every character a branch can begin with goes first, each branch then checks
# its own with a lookbehind: see cjk._NON_ASCII_RUN.)
_LEGACY_AS_LATIN = re.compile(
    rf"[\u3000-\u9fff\uff00-\uffef{CP1252_HIGH[1:-1]}](?:"
    r"(?<=[\x80-\x9f])"  # a C1 control
    r"|(?<=[\xa0-\xff])[\u3000-\u9fff\uff00-\uffef]|(?<=[\u3000-\u9fff\uff00-\uffef])[\xa0-\xff]"  # Latin-1 glued to CJK
    rf"|(?<={CP1252_HIGH}){CP1252_HIGH}{{2}}"  # three accented letters or cp1252 symbols in a row: no language spells so
    ")"
)


def _describe(steps) -> str:
    if not steps:
        return "ftfy repair"
    return "ftfy: " + ", ".join(f"{action} {parameter}" for action, parameter in steps)


def _in_order(line: str, first, second) -> tuple[str, list[Edit]]:
    edits = first(line)
    after = apply_edits(line, edits) if edits else line
    # What the first repair left may hold nothing either repair reads (see _suspect).
    if edits and not _worth_a_look(after):
        return after, edits
    later = second(after)
    if not later:
        return after, edits
    edits = compose(line, edits, later)
    return (apply_edits(line, edits) if edits else line), edits


def _both_orders(line: str) -> list[Edit]:
    """Edits for one line: ftfy then the CJK repair, or the other way round where that reads
    better. ftfy sometimes takes two bytes of GBK read as latin-1 for UTF-8 (``Ä²`` → ``Ĳ``)
    and so spoils a repair the CJK stage would have made of the whole stretch."""
    cjk_first = None
    if _DENSE_LATIN1.search(line) and not _dense_runs_are_utf8(line):
        # Legacy CJK read as latin-1 looks like this: CJK first, and where that leaves
        # nothing implausible there is nothing for ftfy to do better (and ftfy is slow on it).
        cjk_first = _in_order(line, fix_cjk_mojibake, fix_latin_mojibake)
        if cjk_first[1] and (cost(cjk_first[0]) <= 0.5 or not any(map(_reads_as_utf8, cjk_first[1]))):
            # Nothing the CJK repair took is UTF-8 read as latin-1 either: ftfy could only
            # take pieces of it (Ä² → Ĳ), never do better.
            return cjk_first[1]
    candidates = [_in_order(line, fix_latin_mojibake, fix_cjk_mojibake)]
    if cjk_first is not None:
        candidates.append(cjk_first)
    elif _LEGACY_AS_LATIN.search(candidates[0][0]):
        candidates.append(_in_order(line, fix_cjk_mojibake, fix_latin_mojibake))
    best_text, best_edits = candidates[0]
    for text, edits in candidates[1:]:
        if text != best_text and cost(text) < cost(best_text):
            best_text, best_edits = text, edits
    return best_edits


def _reads_as_utf8(edit: Edit) -> bool:
    """Whether what ``edit`` replaced is UTF-8 read as cp1252 or latin-1, as a whole."""
    return _is_utf8_read_as_latin(edit.original)


def _is_utf8_read_as_latin(text: str, cut_short: bool = False) -> bool:
    """Whether ``text`` is UTF-8 (or CESU-8: UTF-16 surrogates each encoded as UTF-8, as Java
    and MySQL write emoji) read as cp1252 or latin-1. ``cut_short``: its last character may
    have lost bytes (a U+FFFD follows it)."""
    for charset in ("cp1252", "latin-1"):
        try:
            data = text.encode(charset)
        except UnicodeError:
            continue
        decoder = codecs.getincrementaldecoder("utf-8")("surrogatepass")
        try:
            decoded = decoder.decode(data, final=not cut_short)
            decoded.encode("utf-16", "surrogatepass").decode("utf-16")  # surrogates only in pairs
            return True
        except UnicodeError:
            continue
    return False


_HIGH_RUN = re.compile(f"{CP1252_HIGH}{CP1252_HIGH}*")  # (the class first: see cjk._NON_ASCII_RUN)


def _dense_runs_are_utf8(line: str) -> bool:
    """Whether every run of eight or more Latin-1 and cp1252 characters in ``line`` is, as a
    whole, UTF-8 read as cp1252 or latin-1 (``ä»–è¿˜åœ¨å®¶``). Eight bytes of GBK or Big5 that
    also make valid UTF-8 do not happen by chance: such a line is ftfy's, and the CJK-first
    order, slow on it, is not tried (unless ftfy's result still looks like legacy text)."""
    runs = [m for m in _HIGH_RUN.finditer(line) if m.end() - m.start() >= 8]
    return bool(runs) and all(_is_utf8_read_as_latin(m.group(), line[m.end() : m.end() + 1] == LOST) for m in runs)


# Eight Latin-1 characters in a row: a legacy CJK text read as latin-1, or nothing real.
_DENSE_LATIN1 = re.compile(r"[\x80-\xff][\x80-\xff]{7}")


# ASCII control characters other than tab and line breaks: the only ASCII a suspect line has.
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _lines_worth_a_look(text: str) -> list[tuple[int, str]]:
    """(offset, line with its line break) for each line of ``text`` that passes
    :func:`_worth_a_look`. A line of ASCII without control characters never does, and
    ``str.isascii`` says so at memory speed, so the test runs on the other lines only."""
    controls = bool(_ASCII_CONTROL.search(text))
    return [(offset, line) for offset, line in lines_with_breaks(text)
            if (controls or not line.isascii()) and _worth_a_look(line)]


def fix_mojibake(text: str) -> list[Edit]:
    """Edits that undo mojibake in ``text``: ftfy's Latin repairs and the East Asian ones
    (:mod:`mtfix.degarble.cjk`), line by line."""
    edits: list[Edit] = []
    for offset, line in _lines_worth_a_look(text):
        for edit in _both_orders(line):
            edits.append(edit.copy_with(raw_start=edit.raw_start + offset, raw_end=edit.raw_end + offset))
    return edits


# What ftfy's fixers other than the encoding fix act on, with the options above: C1 controls,
# surrogates, terminal escapes and the control characters it removes.
_FTFY_CHARACTERS = re.compile(
    "[\x80-\x9f\ud800-\udfff\x1b" + "".join(re.escape(chr(code)) for code in ftfy.chardata.CONTROL_CHARS) + "]")


# What _badness_needs needs in turn, found faster: two non-ASCII characters side by side, or
# one of the few it takes alone (C1 controls are _FTFY_CHARACTERS, tested before).
# (Written to begin with one class, with the single characters as a lookbehind: see
# cjk._NON_ASCII_RUN.)
_TWO_NON_ASCII = re.compile(r"[^\x00-\x7f](?:(?<=[\u0152\u0153\u00c2\u00c3])|[^\x00-\x7f])")


@lru_cache(maxsize=1)
def _badness_characters() -> str:
    """A character class of the characters ftfy's ``is_bad`` expression names, in its
    classes or as literals (ftfy calls them mojibake characters)."""
    pattern = ftfy.badness.BADNESS_RE.pattern
    class_re = r"\[(\^?)((?:\\.|[^\]\\])*)\]"
    classes = "".join(body for negated, body in re.findall(class_re, pattern) if not negated)
    literals = "".join(sorted({ch for ch in re.sub(class_re, "", pattern) if ord(ch) > 0x7F}))
    return "[" + classes + re.escape(literals) + "]"


@lru_cache(maxsize=1)
def _badness_needs() -> re.Pattern:
    """What a line needs before ``is_bad`` can find anything: every pattern of its
    expression takes two of its characters side by side, but for a few: a C1 control
    (one of ``_FTFY_CHARACTERS``, which callers test first), Œ or œ before a non-letter, Â
    or Ã before a space (tests check this against ftfy's expression). Chinese, Japanese and
    Korean text and accented letters alone never have it, and ``is_bad``'s own expression
    is slow."""
    named = _badness_characters()
    # (Written to begin with one class, the single characters a lookbehind: see
    # cjk._NON_ASCII_RUN.)
    return re.compile(f"[{named[1:-1]}\u0152\u0153\u00c2\u00c3](?:(?<=[\u0152\u0153\u00c2\u00c3])|(?<={named}){named})")


def _ftfy_may_change(line: str) -> bool:
    """Whether ftfy (with ``SAFE_FTFY``) can change ``line`` at all. Its encoding fix starts
    with ``is_bad`` and stops where that finds nothing; its other fixers each act on
    characters of their own. Most lines with an accented letter fail both tests, and ftfy's
    own passes over them cost five times as much; ``is_bad``'s expression is slow too, so
    a cheaper one that it needs goes first (:func:`_badness_needs`)."""
    if _FTFY_CHARACTERS.search(line):
        return True
    return (not line.isascii() and bool(_TWO_NON_ASCII.search(line)) and bool(_badness_needs().search(line))
            and is_bad(line))


def _ftfy_fix(text: str) -> tuple[str, list]:
    """``ftfy.fix_and_explain(text, config=SAFE_FTFY)`` as (text, steps), at half the cost
    where it can be: ftfy runs its encoding fix (to a fixed point), then its other fixers,
    then all of them again to see that nothing changes. Those other fixers act only on
    ``_FTFY_CHARACTERS``: where the encoding fix leaves none, they have nothing to do, on
    either pass, and the encoding fix alone is the answer."""
    fixed, steps = ftfy.fix_encoding_and_explain(text, config=SAFE_FTFY)
    if _FTFY_CHARACTERS.search(fixed):
        fixed, steps = ftfy.fix_and_explain(text, config=SAFE_FTFY)
    return fixed, list(steps or [])


# The five bytes cp1252 leaves undefined: a copy decoded with errors replaced has U+FFFD for
# each. In UTF-8 they are continuation bytes only, so a lost one is always inside a
# character, and one of five.
CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
_CP1252_RUN_WITH_HOLE = re.compile(f"(?:{CP1252_HIGH}|\ufffd)*\ufffd(?:{CP1252_HIGH}|\ufffd)*")


def restore_lost_bytes(line: str) -> str:
    """``line`` with each stretch of East Asian UTF-8 read as cp1252 whose undefined bytes
    were lost (``ã�Ÿã�¨`` for ``たと``) decoded, and each lost byte put back where one of
    the five bytes it can have been gives the only character of the commonest tier
    (:func:`~mtfix.degarble.plausibility.char_cost`: hiragana ``E3 81 9F``, not the rare
    ideograph ``E3 90 9F``). Where two common characters are possible (``合`` and ``又``,
    ``、`` and ``」``) it stays U+FFFD: word frequencies chose wrong one time in seven on
    man pages and READMEs. A stretch is decoded only when
    it is UTF-8 whole and every character with a lost byte is CJK: a letter of an alphabet
    cannot be told this way (Russian ``с`` or ``я``)."""
    if LOST not in line:
        return line
    return _CP1252_RUN_WITH_HOLE.sub(lambda m: _decode_with_holes(m.group()) or m.group(), line)


def _utf8_characters(data: list[int | None]) -> list[list[str]] | None:
    """Each character of ``data`` (bytes, None where one was lost) as the list of what it
    can be: one for a whole character, every valid filling of its lost bytes otherwise."""
    characters, i = [], 0
    while i < len(data):
        lead = data[i]
        if lead is None or 0x80 <= lead < 0xC2 or lead > 0xF4:
            return None  # a lost byte or a continuation where a character begins: not this
        width = 1 if lead < 0x80 else 2 if lead <= 0xDF else 3 if lead <= 0xEF else 4
        tail = data[i + 1 : i + width]
        if len(tail) < width - 1:
            return None
        holes = [k for k, byte in enumerate(tail) if byte is None]
        found = []
        for filling in itertools.product(CP1252_UNDEFINED, repeat=len(holes)):
            filled = list(tail)
            for k, byte in zip(holes, filling):
                filled[k] = byte
            try:
                found.append(bytes([lead, *filled]).decode("utf-8"))
            except UnicodeDecodeError:
                continue
        if not found or (holes and not all(map(is_east_asian_wide, found))):
            return None
        characters.append(found)
        i += width
    return characters


def _decode_with_holes(run: str) -> str | None:
    data: list[int | None] = []
    for ch in run:
        if ch == LOST:
            data.append(None)
            continue
        try:
            data.extend(ch.encode("cp1252"))
        except UnicodeEncodeError:
            return None
    characters = _utf8_characters(data)
    if characters is None:
        return None
    out: list[str] = []
    for index, options in enumerate(characters):
        if len(options) > 1:
            cheapest = min(map(char_cost, options))
            options = [ch for ch in options if char_cost(ch) == cheapest]
        if len(options) > 1:
            options = [LOST]
        out.append(options[0])
    decoded = "".join(out)
    return decoded if decoded.strip(LOST) else None


def fix_latin_mojibake(text: str) -> list[Edit]:
    """Edits that undo mojibake in ``text``, one per damaged stretch, each with ftfy's plan."""
    edits: list[Edit] = []
    for offset, line in lines_with_breaks(text):
        restored = restore_lost_bytes(line)
        if restored != line or _ftfy_may_change(line):
            # One fix can expose another (a control character removed from between the bytes
            # of a mojibake sequence): repeat to a fixed point, so cleaning is idempotent.
            fixed, steps = restored, ([("restore", "bytes lost in a cp1252 copy")] if restored != line else [])
            for _ in range(4):
                again, more_steps = _ftfy_fix(fixed)
                if again == fixed:
                    break
                fixed, steps = again, steps + more_steps
                if not _ftfy_may_change(fixed):
                    break  # ftfy would give it back unchanged
            if fixed != line:
                edits.extend(edit.copy_with(flags=("lossy",)) if LOST in edit.replacement else edit
                             for edit in diff_edits(line, fixed, offset, "mojibake", _describe(steps)))
    return edits
