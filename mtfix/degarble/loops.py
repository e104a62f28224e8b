"""Repetition loops: an engine stuck repeating itself (``sebuah sebuah sebuah sebuah``).

A run of the same unit, one to eight words long, repeated back to back, collapses to one
copy; so does a hyphen-joined part repeated inside a word (``m-mogion-mogion-mogion``). The
edit is flagged ``loop`` so review shows the sentence. Real repetition stays: a unit of one
word needs four copies of a word of three letters or more ("very, very", "ha ha ha ha",
"Never, never, never" stay), two words need three copies ("New York, New York" stays), and
three words or more need two copies of at least 15 characters with nothing but a space
between them (rhetoric puts a comma there: "It's not fair, it's not fair" stays), or three
copies; punctuation (``——``, ``……``) is never a unit. A short word needs six copies
("ke ke ke ke ke ke").

Loops a word search cannot see are found too: inside a word, a unit of two or three
characters four times or more, of four to twelve three times (``好的好的好的好的`` in
Chinese, which has no spaces; ``abababab``), but never one character repeated or laughter
(``哈哈哈哈``, ``hahaha``, ``wkwkwk``); and a whole sentence of three words or more written
three times in a row.

>>> from mtfix.document import apply_edits
>>> text = "secara langsung sebuah sebuah sebuah sebuah odus, very, very bad"
>>> apply_edits(text, fix_loops(text))
'secara langsung sebuah odus, very, very bad'
"""

from __future__ import annotations

import itertools
import operator
import re
import struct
from collections.abc import Callable, Iterator

from mtfix.degarble.spans import Guard
from mtfix.document import Edit

MAX_UNIT_WORDS = 8
_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
_SEPARATOR = re.compile(r"[ \t]*[,;]?[ \t]+|[ \t]*-[ \t]*|-")
_HYPHEN_LOOP = re.compile(r"(?<![\w-])?(\w{3,}-)\1{2,}|(-\w{3,})\2{2,}")


def _enough(words: list[str], copies: int, commas: bool) -> bool:
    if len(words) == 1:
        # A short word six times over too ("ke ke ke ke ke ke"): "no, no, no, no" stays.
        return (copies >= 4 and len(words[0]) >= 3 or copies >= 6) and not words[0].isdigit()
    if len(set(words)) == 1:
        return False  # "ke ke" three times is "ke" six times: the one-word unit decides
    if len(words) == 2 or commas:
        # Rhetoric repeats a phrase twice with a comma ("It's not a good idea, it's not a
        # good idea"); a stuck engine repeats it with nothing between.
        return copies >= 3
    return copies >= 3 or len(" ".join(words)) >= 15


def _word_loops(line: str, offset: int, guard: Guard) -> list[Edit]:
    found = _WORD.findall(line)
    lowered = list(map(str.lower, found))
    # A unit of n words can only repeat from i if the word n places on is the same word:
    # the check that rules out almost every position at once.
    if len(set(lowered)) == len(lowered):
        return []
    # For each start, the unit lengths n (at most MAX_UNIT_WORDS, in increasing order) whose
    # unit is followed at once by as many copies as the smallest loop of n words has (the
    # n words from there equal the n after, and so on). Found in C for each n; no other
    # start or unit length can make a loop that _enough accepts.
    following: dict[int, list[int]] = {}
    for at, n in _repeat_starts(lowered, _smallest_loop):
        following.setdefault(at, []).append(n)
    if not following:
        return []
    words = _where(line, found, lowered)  # (only lines with a loop, or nearly, get this far)
    # Which neighbouring words are joined only by spaces or a comma (a loop never crosses
    # a sentence end or other punctuation); worked out for the gaps the search reaches.
    gaps: dict[int, bool] = {}

    def joined(first: int, last: int) -> bool:
        """Whether every gap from word ``first`` to word ``last`` is a separator."""
        for k in range(first, last):
            known = gaps.get(k)
            if known is None:
                known = gaps[k] = bool(_SEPARATOR.fullmatch(line[words[k][2] : words[k + 1][1]]))
            if not known:
                return False
        return True

    edits: list[Edit] = []
    i = 0
    for candidate in sorted(following):
        if candidate < i:
            continue  # inside the loop just collapsed
        i = candidate
        # Of the units that loop from here, the one covering most words, the shortest on a
        # tie: seven copies of one word are one loop, not two copies of three words.
        best = None
        for n in following[i]:
            unit = lowered[i : i + n]
            if len(unit) < n or not joined(i, i + n - 1):
                continue
            copies = 1
            between = line[words[i + n - 1][2] : words[i + n][1]]
            while True:
                j = i + copies * n
                if j + n > len(words) or not joined(j - 1, j + n - 1):
                    break
                if lowered[j : j + n] != unit:
                    break
                # Copies are joined alike: "Orang Orang Orang Orang-orang" is a loop of
                # "Orang" and then the word "Orang-orang".
                if line[words[j - 1][2] : words[j][1]] != between:
                    break
                copies += 1
            last = words[i + copies * n - 1][2]
            commas = "," in line[words[i][1] : last] and "," not in " ".join(
                line[a[2] : b[1]] for a, b in zip(words[i : i + n], words[i + 1 : i + n]))
            if copies > 1 and _enough(unit, copies, commas):
                if best is None or copies * n > best[0] * best[1]:
                    best = (n, copies)
        if best is None:
            i += 1
            continue
        n, copies = best
        start = words[i + n - 1][2]
        end = words[i + copies * n - 1][2]
        if not guard.touches(offset + start, offset + end):
            edits.append(Edit(offset + start, offset + end, "", "loop",
                              f"'{line[words[i][1]:start]}' repeated {copies} times", line[start:end],
                              flags=("loop",)))
        i += copies * n
    return edits


def _where(line: str, found: list[str], lowered: list[str]) -> list[tuple[str, int, int]]:
    """(lowered word, start, end) for the words ``found`` in ``line`` by ``_WORD``: each
    word is found from where the one before it ended, as nothing between two words is a
    word character. (A second pass of the expression, with a match object a word, costs
    four times as much.)"""
    words = []
    position = 0
    for word, lower in zip(found, lowered):
        position = line.find(word, position)
        words.append((lower, position, position + len(word)))
        position += len(word)
    return words


def _maybe_loop(line: str) -> bool:
    """Whether ``line`` can hold a loop, checked at C speed: some unit of n words is followed
    at once by itself, as many times as the smallest loop of that size needs (a run of
    ``same`` word pairs n apart). Most lines of real text fail this at the first test."""
    if "-" in line and _HYPHEN_LOOP.search(line):
        return True
    words = _WORD.findall(line.lower())
    if len(set(words)) == len(words):
        return False
    return next(_repeat_starts(words, _smallest_loop), None) is not None


def _smallest_loop(n: int) -> int:
    """How many equal word pairs n apart, in a row, the smallest loop of n-word units has:
    one word needs four copies, two words three, longer units two."""
    return 3 if n == 1 else 4 if n == 2 else n


def _hashed_repeat_starts(words: list[str], run: Callable[[int], int]) -> Iterator[tuple[int, int]]:
    """What :func:`_repeat_starts` yields, and perhaps more (two words with one hash): for
    a whole text's words. The words' 64-bit hashes, side by side in one integer, are
    compared with themselves n words on by one XOR; a pair of equal words leaves a word
    of eight zero bytes, found by ``bytes.find``. Three times faster than comparing
    the words pair by pair, on the 40,000 words of a long document."""
    if len(words) < 2:
        return
    data = struct.pack(f"<{len(words)}q", *map(hash, words))  # (an array built from an iterator costs twice this)
    whole = int.from_bytes(data, "little")
    for n in range(1, MAX_UNIT_WORDS + 1):
        if 2 * n > len(words):
            break
        # Byte 8k of this is where the hash of word k XOR that of word k + n begins.
        same = ((whole >> (64 * n)) ^ whole).to_bytes(len(data), "little")[: 8 * (len(words) - n)]
        needed = bytes(8 * run(n))
        at = same.find(needed)
        while at >= 0:
            if at % 8:  # zero bytes that are not whole words: look on from the next word
                at = same.find(needed, at + 8 - at % 8)
                continue
            yield at // 8, n
            at = same.find(needed, at + 8)


def _repeat_starts(words: list[str], run: Callable[[int], int]) -> Iterator[tuple[int, int]]:
    """(start, n) for each start where ``run(n)`` pairs of words n apart are equal in a row,
    n from 1 to MAX_UNIT_WORDS in increasing order; found in C for each n (the test that
    rules out almost every position of a text at once)."""
    for n in range(1, MAX_UNIT_WORDS + 1):
        if 2 * n > len(words):
            break
        same = bytes(map(operator.eq, words, words[n:]))
        needed = b"\x01" * run(n)
        at = same.find(needed)
        while at >= 0:
            yield at, n
            at = same.find(needed, at + 1)


# Words, and each run of line breaks as one token. Two break tokens are never neighbours,
# and a loop inside a line is a loop in the sequence of all tokens too.
_WORD_OR_BREAK = re.compile(r"\w+(?:['’]\w+)*|\n+", re.UNICODE)
# What a hyphen loop needs, found by the literal hyphen it starts with.
_HYPHEN_LOOP_NEEDS = re.compile(r"-\w{3,}-")


def _lines_that_may_loop(text: str) -> set[int]:
    """Numbers of the lines of ``text`` that may hold a loop: :func:`_maybe_loop`'s test run
    once over the tokens of the whole text (cheaper than line by line, and most texts
    pass it at once), then the hyphen loops."""
    tokens = _WORD_OR_BREAK.findall(text.lower())
    found = [at for at, _ in _hashed_repeat_starts(tokens, _smallest_loop)]  # where a run of copies starts
    lines: set[int] = set()
    # The line a token is on: the line breaks in the tokens before it, counted in C from
    # one found start to the next.
    line, counted = 0, 0
    for at in sorted(found):
        line += "".join(tokens[counted:at]).count("\n")
        counted = at
        lines.add(line)
    if "-" in text:
        for m in _HYPHEN_LOOP_NEEDS.finditer(text):
            lines.add(text.count("\n", 0, m.start()))
    return lines


# Three copies in a row of a unit of two to twelve word characters, inside a word: where a
# loop the word loops cannot see may be ("好的好的好的好的": Chinese has no spaces,
# "abababab" in any script). (Greedy, so re tries the longest unit first and gives up on a
# position quickly: twice as fast as a lazy unit.)
_THREE_COPIES = re.compile(r"(\w{2,12})\1\1")
# Units that are laughter or song in many languages ("hahaha", "jajaja", "wkwkwk", "lalala").
_LAUGHTER = frozenset("ha he hi ho hu ah eh ja je ji jo la lo na wk kk xd hh".split())
# Where a sentence ends; a sentence loop is three equal pieces between them in a row.
_AFTER_SENTENCE = re.compile(r"(?<=[.!?。！？])")


def _period(unit: str) -> str:
    """The shortest string that ``unit`` is copies of ("好的" for "好的好的")."""
    for size in range(1, len(unit) // 2 + 1):
        if len(unit) % size == 0 and unit[:size] * (len(unit) // size) == unit:
            return unit[:size]
    return unit


def _character_loops(text: str, guard: Guard) -> list[Edit]:
    """A unit of two or three characters four times or more, or of four to twelve three
    times or more, inside a word. One character repeated ("いいいい", "AAAA", "哈哈哈哈")
    is emphasis, padding or laughter, never a loop here."""
    edits: list[Edit] = []
    end = 0
    for m in _THREE_COPIES.finditer(text):
        if m.start() < end:
            continue
        unit = _period(m.group(1))
        copies, end = 0, m.start()
        while text.startswith(unit, end):
            copies += 1
            end += len(unit)
        if len(unit) < 2 or copies < (4 if len(unit) <= 3 else 3):
            continue
        if len(set(unit)) == 1 or not any(ch.isalpha() for ch in unit) or unit.lower() in _LAUGHTER:
            continue
        start = m.start() + len(unit)
        if guard.touches(start, end):
            continue
        edits.append(Edit(start, end, "", "loop", f"'{unit}' repeated {copies} times inside a word",
                          text[start:end], flags=("loop",)))
    return edits


def _sentence_loops(text: str, guard: Guard) -> list[Edit]:
    """A sentence of three words or more (six characters in a script without spaces)
    written three times or more in a row: an engine that starts again where it ended.
    (Equal neighbours found in C: published text almost never has two.)"""
    pieces = _AFTER_SENTENCE.split(text)
    stripped = list(map(str.strip, pieces))
    same = bytes(map(operator.eq, stripped, stripped[1:]))
    edits: list[Edit] = []
    at = same.find(b"\x01\x01")
    if at < 0:
        return edits
    starts = list(itertools.accumulate(map(len, pieces), initial=0))
    while at >= 0:
        last = at + 1
        while last + 1 < len(stripped) and stripped[last + 1] == stripped[at]:
            last += 1
        sentence = stripped[at]
        copies = last - at + 1
        if "\n" not in sentence and (len(sentence.split()) >= 3 or (" " not in sentence and len(sentence) >= 6)):
            # From the end of the first copy to the end of the last: the spaces before each
            # later copy go with it.
            start = starts[at] + len(pieces[at].rstrip())
            stop = starts[last] + len(pieces[last].rstrip())
            if not guard.touches(start, stop):
                edits.append(Edit(start, stop, "", "loop", f"the sentence '{sentence[:40]}' written {copies} times",
                                  text[start:stop], flags=("loop",)))
        at = same.find(b"\x01\x01", last)
    return edits


def fix_loops(text: str) -> list[Edit]:
    """Edits that collapse repetition loops in ``text`` to one copy."""
    guard = Guard(text)
    edits = _sentence_loops(text, guard)
    if not edits:
        edits = _word_and_hyphen_loops(text, guard)
    else:
        # (Word loops read the text as a sentence loop leaves it: the copies gone.)
        taken = [(e.raw_start, e.raw_end) for e in edits]
        edits += [e for e in _word_and_hyphen_loops(text, guard)
                  if not any(a < e.raw_end and e.raw_start < b for a, b in taken)]
    taken = [(e.raw_start, e.raw_end) for e in edits]
    edits += [e for e in _character_loops(text, guard) if not any(a < e.raw_end and e.raw_start < b for a, b in taken)]
    return sorted(edits, key=lambda e: e.raw_start)


def _word_and_hyphen_loops(text: str, guard: Guard) -> list[Edit]:
    candidates = _lines_that_may_loop(text)
    if not candidates:
        return []
    edits: list[Edit] = []
    lines = text.split("\n")
    starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
    for number in sorted(candidates):
        line, offset = lines[number], starts[number]
        # (_word_loops makes the word test of _maybe_loop itself; the hyphen expression is
        # slow, so its literal prerequisite goes first.)
        found = _word_loops(line, offset, guard)
        hyphen_loops = _HYPHEN_LOOP.finditer(line) if _HYPHEN_LOOP_NEEDS.search(line) else ()
        for m in hyphen_loops:
            unit = m.group(1) or m.group(2)
            start = m.start() + len(unit)
            if any(e.raw_start < offset + m.end() and offset + start < e.raw_end for e in found):
                continue
            if guard.touches(offset + start, offset + m.end()):
                continue
            found.append(Edit(offset + start, offset + m.end(), "", "loop",
                              f"'{unit.strip('-')}' repeated inside a word", line[start : m.end()], flags=("loop",)))
        edits.extend(sorted(found, key=lambda e: e.raw_start))
    return edits
