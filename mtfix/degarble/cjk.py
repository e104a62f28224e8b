"""CJK mojibake: text read with the wrong one of UTF-8 and the East Asian legacy charsets.

ftfy undoes UTF-8 read as cp1252/latin-1 (``ä¸­æ–‡``), but not the East Asian cases
(python-ftfy#34, #119), which are what mixed Chinese/English documents arrive with:

- UTF-8 bytes read as GBK/GB18030 (``涓枃`` for ``中文``, ``caf茅`` for ``café``),
  as Big5 (``銝剜``) or as Shift-JIS (``荳ｭ``);
- GBK, Big5 or Shift-JIS bytes read as latin-1/cp1252 (``ÖÐÎÄ`` for ``中文``).

For each suspicious stretch, the repair re-encodes it with the charset it was wrongly read
with and decodes the bytes with the one it was written in. It is kept only on evidence: the
bytes must decode (strictly), and the result must be much more plausible than what was there
(:mod:`mtfix.degarble.plausibility`: common characters instead of rare ones, no private-use
code points, no CJK glued inside Latin words). Nothing is guessed.

Lossy copies: where a decoder replaced a byte it could not read with ``U+FFFD`` (or a tool
wrote ``?``), that byte is gone. The characters whose bytes are all present are recovered;
each character that lost a byte becomes ``U+FFFD`` and the edit is flagged ``lossy``.

>>> [e.replacement for e in fix_cjk_mojibake("Meta 鏂囨湰")]
['文本']
>>> fix_cjk_mojibake("中文文本，「梦之队」")
[]
"""

from __future__ import annotations

import codecs
import functools
import re

from mtfix.degarble.plausibility import LOST, char_cost, char_costs, cost, pair_cost
from mtfix.degarble.spans import lines_with_breaks
from mtfix.document import Edit

# (charset the text was wrongly read with, charset its bytes really are).
UTF8_READ_AS = ("gb18030", "big5", "shift_jis")
LEGACY_READ_AS_LATIN = (("cp1252", "gbk"), ("latin-1", "gbk"), ("cp1252", "big5"),
                        ("latin-1", "big5"), ("cp1252", "shift_jis"), ("latin-1", "shift_jis"))

# A placeholder for a byte that was lost: 0xFF is never part of UTF-8 or the legacy charsets'
# lead bytes, so it can only ever produce a replacement character.
_LOST_BYTE = b"\xff"

# Stretches worth a look: non-ASCII runs, with a "?" right after them (a lost byte, maybe).
# (Each expression here that repeats its first class writes it once before the repeat:
# Python's re skips ahead to a pattern's first character only where the pattern begins
# with a plain class; "[...]+" gets no skipping, and is tried at every position.)
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f][^\x00-\x7f]*\??")
CP1252_HIGH = (r"[\x80-\xff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                r"\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")
# Legacy double-byte text read as latin-1/cp1252: high characters, with the ASCII trail bytes
# (0x40-0x7E) Big5, GBK and Shift-JIS use between them (繁 in Big5 is c1 63: "Ác"), and at
# the end after a C1 control (。 in Shift-JIS is 81 42: "\x81B").
HIGH_LATIN = re.compile(CP1252_HIGH)
_LATIN_ENCODABLE = re.compile(rf"(?:[\x00-\x7f]|{CP1252_HIGH})*")
LATIN1_RUN = re.compile(rf"{CP1252_HIGH}{CP1252_HIGH}*(?:[\x40-\x7e]{CP1252_HIGH}+)*(?:(?<=[\x80-\x9f])[\x40-\x7e])?")


_HALF_WIDTH_KANA = re.compile("[\uff61-\uff9f]")


def _could_be_written(decoded: str, charset: str) -> bool:
    """Whether ``decoded`` (what a repair read in ``charset``) is what someone wrote, before
    its cost is weighed: one CJK character from two Latin ones (``£`` ``5`` → ``｣``) is a
    coincidence, and half-width katakana is what mojibake looks like (``´´`` read as
    Shift-JIS is ``ｴｴ``), not what it decodes to: a repair into mostly half-width kana is
    none."""
    non_ascii = count_non_ascii(decoded)
    if charset != "utf-8" and non_ascii < 2:
        return False
    return 2 * len(_HALF_WIDTH_KANA.findall(decoded)) < non_ascii


def count_non_ascii(text: str) -> int:
    """How many characters of ``text`` are not ASCII (counted in C)."""
    return len(text) - len(text.encode("ascii", "ignore"))


def _encode_chars(run: str, charset: str) -> list[bytes] | None:
    """The bytes of each character of ``run`` in ``charset``; a lost byte for U+FFFD."""
    out = []
    for ch in run:
        if ch == LOST:
            out.append(_LOST_BYTE)
            continue
        try:
            out.append(ch.encode(charset))
        except UnicodeEncodeError:
            return None
    return out


def _decode_lossy(data: bytes, charset: str) -> tuple[str, int] | None:
    """Decode ``data`` strictly except at lost bytes; (text, characters lost) or None."""
    pieces = data.split(_LOST_BYTE)
    text, lost = [], 0
    for number, piece in enumerate(pieces):
        if number and charset == "utf-8":
            # Continuation bytes right after a lost byte belong to the character that lost it.
            stripped = piece.lstrip(bytes(range(0x80, 0xC0)))
            if len(stripped) != len(piece) and not (text and text[-1] == LOST):
                text.append(LOST)
                lost += 1
            piece = stripped
        decoder = codecs.getincrementaldecoder(charset)()
        try:
            text.append(decoder.decode(piece, final=False))
        except UnicodeDecodeError:
            return None
        pending = decoder.getstate()[0]
        if number < len(pieces) - 1:
            text.append(LOST)  # the character the lost byte belonged to
            lost += 1
        elif pending:
            return None  # an incomplete character at the very end, with nothing lost: no
    return "".join(text), lost


_UTF8_PAIRS = [(wrong, "utf-8") for wrong in UTF8_READ_AS]
_ALL_PAIRS = _UTF8_PAIRS + list(LEGACY_READ_AS_LATIN)


def _best_repair(run: str, left: str, right: str) -> tuple[str, str, int] | None:
    """(repaired, reason, characters lost) for the most plausible repair of ``run``."""
    if run.isascii():
        return None
    # A legacy charset read as latin-1 or cp1252 left only characters those two have: a run
    # with any other (most CJK text) is tried as UTF-8 misread only.
    pairs = _ALL_PAIRS if _LATIN_ENCODABLE.fullmatch(run.replace(LOST, "")) else _UTF8_PAIRS
    best = None
    before = None
    for wrong, charset in pairs:
        if LOST in run:
            chars = _encode_chars(run, wrong)
            if chars is None:
                continue
            decoded = _decode_lossy(b"".join(chars), charset)
        else:
            # The common case, in C: most clean text fails here, before any cost is counted.
            try:
                decoded = run.encode(wrong).decode(charset), 0
            except UnicodeError:
                continue
        if decoded is None:
            continue
        text, lost = decoded
        reason = f"UTF-8 read as {wrong.upper()}" if charset == "utf-8" else f"{charset.upper()} read as {wrong}"
        if before is None:
            before = cost(run, left, right)
            if before < 1.5:
                return None
        if text == run or not text.strip(LOST):
            continue
        if not _could_be_written(text, charset):
            continue
        after = cost(text, left, right)
        if lost and sum(1 for ch in text if ch != LOST and not ch.isascii()) < max(2, lost):
            continue  # too little recovered to be evidence of anything
        if lost:
            # Judge a lossy repair on what it recovered: the replacement characters were
            # already there (as U+FFFD or ?) and stay.
            after -= 6.0 * lost
            before_known = before - 6.0 * run.count(LOST)
        else:
            before_known = before
        if after <= before_known / 2 and after <= before_known - 1.5:
            if best is None or after < best[0]:
                best = (after, text, reason, lost)
    if best is None:
        return None
    return best[1], best[2], best[3]


def _valid_stretches(run: str, wrong: str, right: str) -> list[tuple[int, list[tuple[int, str, float]]]]:
    """Character-aligned stretches of ``run`` whose bytes in ``wrong`` decode strictly as
    ``right``: the only places a repair can be. Each is (start, [(end, decoded text, its
    cost without its outer neighbours)] for every end where a character is complete). One pass, backtracking by one character, which
    stays short because clean text fails to decode within a character or two."""
    chars = []
    for ch in run:
        try:
            chars.append(ch.encode(wrong))
        except UnicodeEncodeError:
            chars.append(None)
    stretches, i, n = [], 0, len(run)
    while i < n:
        if chars[i] is None:
            i += 1
            continue
        decoder = codecs.getincrementaldecoder(right)()
        j, ends, decoded = i, [], []
        running, last = 0.0, ""  # the cost of what is decoded so far, kept as it grows
        while j < n and chars[j] is not None:
            try:
                piece = decoder.decode(chars[j], final=False)
            except UnicodeDecodeError:
                break
            decoded.append(piece)
            for ch in piece:
                running += char_cost(ch) + pair_cost(last, ch)
                last = ch
            j += 1
            if not decoder.getstate()[0]:
                ends.append((j, "".join(decoded), running))
        if ends:
            stretches.append((i, ends))
            i = ends[-1][0]
        else:
            i += 1
    return stretches


def _hot_windows(run: str, left: str, right: str) -> list[tuple[int, int]]:
    """Parts of ``run`` around its costly characters: mojibake makes every other character
    rare, clean CJK text has a rare one now and then; only these parts are searched."""
    if len(run) <= 3 or LATIN1_RUN.fullmatch(run):
        # Short runs inside Latin words (caf茅) and Latin-1 runs (ÖÐÎÄ) are suspicious by
        # their neighbours; a long CJK run by its own characters (CJK next to ASCII
        # letters is everyday Chinese: 在Meta工作).
        costs = char_costs(run, left, right)
    else:
        costs = [char_cost(ch) for ch in run]
    hot = [i for i, c in enumerate(costs) if c >= 1]
    if len(run) > 3:
        # Mojibake makes rare characters in clusters; one rare character alone in CJK text
        # is a name or a literary word, and no repair can come of it.
        hot = [i for k, i in enumerate(hot)
               if (k > 0 and i - hot[k - 1] <= 4) or (k + 1 < len(hot) and hot[k + 1] - i <= 4)]
    windows: list[list[int]] = []
    for i in hot:
        if windows and i - windows[-1][1] <= 4:
            windows[-1][1] = i
        else:
            windows.append([i, i])
    padded: list[list[int]] = []
    for a, b in windows:
        a, b = max(0, a - 3), min(len(run), b + 4)
        if padded and a <= padded[-1][1]:
            padded[-1][1] = b  # padding made them meet: one window
        else:
            padded.append([a, b])
    return [(a, b) for a, b in padded]


def _repair_window(line: str, start: int, end: int, offset: int) -> list[Edit]:
    run = line[start:end]
    left, right = line[start - 1 : start], line[end : end + 1]
    if LOST in run:
        # Only the whole-window repair reads lost bytes; the search below is strict.
        repaired = _best_repair(run, left, right)
        if repaired is not None:
            return [_edit(line, start, end, repaired, offset)]
    # Costs of what is there, once, summed by prefix: every stretch is judged against them.
    prefix = [0.0]
    for value in char_costs(run, left, right):
        prefix.append(prefix[-1] + value)
    # A legacy charset read as latin-1 leaves a high Latin-1 or cp1252 character at the lead
    # byte of each character: a window without one (CJK text) is tried as UTF-8 misread only.
    pairs = _ALL_PAIRS if HIGH_LATIN.search(run) else _UTF8_PAIRS
    # For each start, the end that leaves the least cost (repaired part + what is left of
    # the stretch): a stretch that runs on into clean characters which happen to decode
    # (然 as "Ȼ") stops where the mojibake stops.
    best_at: dict[int, tuple[float, int, tuple[str, str, int]]] = {}
    for wrong, charset in pairs:
        reason = f"UTF-8 read as {wrong.upper()}" if charset == "utf-8" else f"{charset.upper()} read as {wrong}"
        for s_start, ends in _valid_stretches(run, wrong, charset):
            longest = ends[-1][0]
            for s_end, text, inner in ends:
                if text == run[s_start:s_end] or not text:
                    continue
                before = prefix[s_end] - prefix[s_start]
                if before < 1.5:
                    continue
                if not _could_be_written(text, charset):
                    continue
                a, b = start + s_start, start + s_end
                after = inner + pair_cost(line[a - 1 : a], text[0]) + pair_cost(text[-1], line[b : b + 1])
                if after > before / 2 or after > before - 1.5:
                    continue
                total = after + (prefix[longest] - prefix[s_end]) - 0.01 * (s_end - s_start)
                if s_start not in best_at or total < best_at[s_start][0]:
                    best_at[s_start] = (total, s_end, (text, reason, 0))
    edits: list[Edit] = []
    taken = 0
    for s_start in sorted(best_at):
        if s_start < taken:
            continue
        _, s_end, repaired = best_at[s_start]
        edits.append(_edit(line, start + s_start, start + s_end, repaired, offset))
        taken = s_end
    return edits


@functools.lru_cache(maxsize=256)
def _decodes_alone(ch: str) -> bool:
    """Whether the bytes of ``ch`` alone read as anything else in one of the charset pairs,
    in a way a repair could keep (a legacy reading must give two non-ASCII characters)."""
    for wrong, charset in _ALL_PAIRS:
        try:
            text = ch.encode(wrong).decode(charset)
        except UnicodeError:
            continue
        if text != ch and (charset == "utf-8" or count_non_ascii(text) >= 2):
            return True
    return False


def _repair_run(line: str, start: int, end: int, offset: int) -> list[Edit]:
    """Edits for the non-ASCII stretch line[start:end]."""
    run = line[start:end]
    if len(run) == 1 and "\u00a0" <= run <= "\u00ff" and not _decodes_alone(run):
        # A Latin-1 sign alone ("Chen.·Wei", "25 °C"): every repair below would only try
        # its bytes, and they read as nothing else.
        return []
    if end - start <= 3 and not run.endswith("?") and cost(run, line[start - 1 : start], line[end : end + 1]) < 1.5:
        return []  # an accented letter in a word, a dash: nothing here could be evidence
    if run.endswith("?"):
        # "?" is a lost byte only if the repair needs it to be one.
        repaired = _best_repair(run[:-1] + LOST, line[start - 1 : start], line[end : end + 1])
        if repaired is not None:
            return [_edit(line, start, end, repaired, offset)]
        end -= 1
        run = run[:-1]
    repaired = _best_repair(run, line[start - 1 : start], line[end : end + 1])
    if repaired is not None:
        return [_edit(line, start, end, repaired, offset)]
    edits: list[Edit] = []
    for a, b in _hot_windows(run, line[start - 1 : start], line[end : end + 1]):
        edits.extend(_repair_window(line, start + a, start + b, offset))
    return edits


def _edit(line: str, start: int, end: int, repaired: tuple[str, str, int], offset: int) -> Edit:
    text, reason, lost = repaired
    flags: tuple[str, ...] = ()
    if lost:
        reason += f"; {lost} character(s) lost their bytes and stay U+FFFD"
        flags = ("lossy",)
    return Edit(offset + start, offset + end, text, "mojibake", reason, line[start:end], flags=flags)


def fix_cjk_mojibake(text: str) -> list[Edit]:
    """Edits that undo East Asian mojibake in ``text``."""
    from mtfix.degarble.same_reading import legacy_readings, same_reading_repairs

    edits: list[Edit] = []
    for offset, line in lines_with_breaks(text):
        if not line.isascii():
            # Legacy text read as latin-1 first: it may sit inside a longer non-ASCII run
            # (Chinese, then ÄãºÃ), whose search would only see pieces of it.
            found: list[Edit] = []
            for m in LATIN1_RUN.finditer(line):
                if m.end() - m.start() >= 2:
                    found.extend(_repair_run(line, m.start(), m.end(), offset))
            done = [(e.raw_start - offset, e.raw_end - offset) for e in found]
            for m in _NON_ASCII_RUN.finditer(line):
                position = m.start()
                for a, b in done + [(m.end(), m.end())]:
                    if b <= position or a >= m.end() and (a, b) != (m.end(), m.end()):
                        continue
                    if a > position:
                        found.extend(_repair_run(line, position, min(a, m.end()), offset))
                    position = max(position, b)
            found.extend(same_reading_repairs(line, offset, legacy_readings(found), found))  # (see same_reading)
            edits.extend(sorted(found, key=lambda e: e.raw_start))
    return edits
