"""The de-garbler's fast paths give what the plain way gives.

Each repair skips work where a cheaper test proves there is none (ftfy's prerequisites, a
scan for the characters a pattern starts with, one pass over a whole text instead of one
per line). Each such shortcut is checked here against the straightforward computation it
replaces, on generated text built to reach the corners.

Only the shortcuts that pay are kept: each was replaced by its plain version in turn, and
the throughput of `clean` measured on the published documents of tests/data/realdocs and
on damaged text (the shared seeds, the benchmark's damaged documents). Kept: the lines
ftfy and the mojibake test skip (15 % and 22 % on the published documents), the loop
search over hashes (27 %), the doublet anchors (20 % on damaged text), the expressions
written to start with a class (12 %), the untouchable-span anchors (9-10 %, on every
document). Removed, each worth 1-8 %: the incremental scheduler of later rounds, the CJK
decoding shortcut, costs counted by letters, the markup and spacing anchors, the glue
candidates found on the reversed text.
"""

from __future__ import annotations

import os
import re

import ftfy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtfix.degarble import cjk, doublets, garbage, glue, loops, mojibake
from mtfix.degarble.compose import compose
from mtfix.degarble.diffedits import diff_edits
from mtfix.degarble.spans import anchored, find_all, lines_containing
from mtfix.document import Edit, apply_edits

EXAMPLES = int(os.environ.get("MTFIX_HYPOTHESIS_EXAMPLES", "300"))

# Pieces that reach the fast paths' corners: mojibake of several kinds, Latin-1 signs alone,
# CJK with and without rare characters, controls, punctuation runs, capitals, hyphens.
PIECES = st.sampled_from([
    "â€œ", "Ã©", "Ã ", "Â·", "Â", "·", "é", "ü", "œ.", "Œ ", "\x81", "\x0c", "\x1b[0m", "\ufeff",
    "涓枃", "中文", "扎克伯格", "ÄãºÃ", "¥", "caf茅", "，", "。", "\ufffd", "?",
    " ", "\t", "\n", "\n\n", ".", "..", "...", "…", ",", ",,", " ,", " .", "!", "%", "“", "”", "„",
    "A", "The", "I", "AB", "ABC DEF GHI JKL", "x", "word", "2024", "Chen.·Wei", ".·", "Mark.Mark Zuck",
    "-", "mog-mog-mog-", "a-nya", "sebuah ", "sebuah, ", "OpenAI", "iPhone", "GPT4", "AIThe", "I'm",
])
TEXT = st.lists(PIECES, max_size=30).map("".join)


# --- compose ------------------------------------------------------------------------------


def _edits_on(text: str, data, kind: str) -> list[Edit]:
    points = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=8, unique=True)))
    edits = []
    for a, b in zip(points[0::2], points[1::2]):
        if data.draw(st.booleans()):
            b = a  # an insertion
        if edits and edits[-1].raw_start == edits[-1].raw_end == a == b:
            continue
        # (An empty insertion changes nothing: no stage makes one.)
        replacement = data.draw(st.sampled_from(["x", "yy", "zzz"] if a == b else ["", "x", "yy", "zzz"]))
        flags = (kind,) if data.draw(st.booleans()) else ()
        edits.append(Edit(a, b, replacement, kind, f"{kind} at {a}", text[a:b], flags=flags))
    return edits


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(st.text(alphabet="abcdefgh", max_size=30), st.data())
def test_compose_gives_the_text_of_both_steps_and_edits_on_raw(raw, data):
    first = _edits_on(raw, data, "first")
    middle = apply_edits(raw, first)
    second = _edits_on(middle, data, "second")
    composed = compose(raw, first, second)
    assert apply_edits(raw, composed) == apply_edits(middle, second)
    # (What compose returns is sorted and checked: composing it again need not check it.)
    assert compose(raw, sorted(first, key=lambda e: e.raw_start), second, first_checked=True) == composed
    for a, b in zip(composed, composed[1:]):
        assert a.raw_end <= b.raw_start and (a.raw_start, a.raw_end) != (b.raw_start, b.raw_end)
    for edit in composed:
        assert edit.original == raw[edit.raw_start : edit.raw_end]
        # An edit made of both steps says so.
        assert edit.kind in ("first", "second", "first+second", "second+first")


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(st.text(alphabet="abcXY中文é â€", max_size=20), st.text(alphabet="abcXY中文é â€", max_size=20))
def test_diff_edits_turn_one_line_into_the_other(before, after):
    """diff_edits trims what both ends share before it diffs: the edits still give ``after``,
    on the characters of ``before`` they name, in order."""
    edits = diff_edits(before, after, 3, "k", "r")
    assert apply_edits("xyz" + before, edits) == "xyz" + after
    for a, b in zip(edits, edits[1:]):
        assert a.raw_end <= b.raw_start
    assert all(edit.original == ("xyz" + before)[edit.raw_start : edit.raw_end] for edit in edits)


# --- mojibake ------------------------------------------------------------------------------


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(TEXT, st.text(max_size=60)))
def test_ftfy_is_skipped_only_where_it_would_change_nothing(text):
    for line in text.split("\n"):
        if not mojibake._ftfy_may_change(line):
            assert ftfy.fix_and_explain(line, config=mojibake.SAFE_FTFY)[0] == line


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(st.one_of(TEXT, st.text(max_size=60), st.lists(st.sampled_from(
    ["â€œ", "Ã©", "Ã", "\x81", "\x9d", "â€\x9d", "\x1b[0m", "\ufeff", "\ud800", "\x00", "Â", "é", " ", "a", "ðŸ", "˜€"]),
    max_size=12).map("".join)))
def test_ftfy_fix_is_ftfy_fix_and_explain(text):
    fixed, steps = ftfy.fix_and_explain(text, config=mojibake.SAFE_FTFY)
    assert mojibake._ftfy_fix(text) == (fixed, list(steps or []))


def test_is_bad_needs_two_of_its_characters_side_by_side_but_for_the_known_few():
    """The premise of _badness_needs, checked against ftfy's own expression for every
    character of the BMP alone among ASCII."""
    from ftfy.badness import is_bad

    needs = mojibake._badness_needs()
    missed = []
    for code in range(0x80, 0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        for context in (ch, f"a{ch}b", f" {ch} ", f"a{ch} ", f".{ch}.", f"A{ch}1", f"{ch}?"):
            if is_bad(context) and not (needs.search(context) or mojibake._FTFY_CHARACTERS.search(context)):
                missed.append(context)
    assert missed == []


_NAMED = re.compile(mojibake._badness_characters())
_NAMED_BY_BADNESS = [chr(code) for code in range(0x80, 0x2200) if _NAMED.match(chr(code))]
_NOT_NAMED_BY_BADNESS = [chr(code) for code in range(0x80, 0x3100) if not _NAMED.match(chr(code))]


@settings(max_examples=EXAMPLES * 10, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(_NAMED_BY_BADNESS), st.sampled_from(_NOT_NAMED_BY_BADNESS),
                                  st.sampled_from(list(" aZ.,?!'\"-1") + ["中", "，", "ｱ", "“", "·"])),
               max_size=12))
def test_a_line_without_what_is_bad_needs_is_not_bad(line):
    from ftfy.badness import is_bad

    # (C1 controls are left to _FTFY_CHARACTERS, which _ftfy_may_change tests first.)
    if not (mojibake._badness_needs().search(line) or mojibake._FTFY_CHARACTERS.search(line)):
        assert not is_bad(line)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(TEXT, st.text(max_size=80)))
def test_lines_worth_a_look_are_those_the_line_test_picks(text):
    expected, offset = [], 0
    for line in re.findall(r"[^\n]*\n|[^\n]+$", text):
        if mojibake._worth_a_look(line):
            expected.append((offset, line))
        offset += len(line)
    assert mojibake._lines_worth_a_look(text) == expected


# --- scans that start where a match can start ------------------------------------------------


@settings(max_examples=EXAMPLES, deadline=None)
@given(TEXT)
def test_doublet_patterns_matched_back_from_their_anchors_match_as_everywhere(text):
    names = doublets._anchored(doublets._TRANSLITERATED, text, find_all(text, ".·"))
    assert [m.span() for m in names] == [m.span() for m in doublets._TRANSLITERATED.finditer(text)]
    anchors = [m.start() for m in doublets._DOT_BEFORE_CAPITAL.finditer(text)]
    repeated = doublets._anchored(doublets._REPEATED_FIRST, text, anchors)
    assert [m.span() for m in repeated] == [m.span() for m in doublets._REPEATED_FIRST.finditer(text)]


# The expressions as they were written before they were turned to start at their rarest
# character: the rewritten ones must find the same.
_PLAIN_JOIN = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]|[A-Za-z]\d|\d[A-Za-z]|[A-Z]I['’]")
_PLAIN_CAPS_RUN = re.compile(r"\b[A-Z][A-Z'’-]{2,}(?:[ \t]+[A-Z][A-Z'’-]{2,}){3,}\b[.!?]?")
_PLAIN_GLUED_IDEOGRAPHS = re.compile(r"[A-Za-z][\u4e00-\u9fff]{1,3}(?![\u4e00-\u9fff])")
_PLAIN_RUNS = [  # (written with "+" or "{n}", as they read best, and as re cannot skip ahead)
    (cjk._NON_ASCII_RUN, re.compile(r"[^\x00-\x7f]+\??")),
    (cjk.LATIN1_RUN, re.compile(
        rf"{cjk.CP1252_HIGH}+(?:[\x40-\x7e]{cjk.CP1252_HIGH}+)*(?:(?<=[\x80-\x9f])[\x40-\x7e])?")),
    (mojibake._HIGH_RUN, re.compile(f"{cjk.CP1252_HIGH}+")),
    (mojibake._DENSE_LATIN1, re.compile(r"[\x80-\xff]{8}")),
]
_PLAIN_FOUND = [  # (only whether they find anything is used)
    (mojibake._badness_needs(), re.compile(f"{mojibake._badness_characters()}{{2}}|[\u0152\u0153\u00c2\u00c3]")),
    (mojibake._TWO_NON_ASCII, re.compile(r"[^\x00-\x7f]{2}|[\u0152\u0153\u00c2\u00c3]")),
    (mojibake._LEGACY_AS_LATIN, re.compile(
        r"[\x80-\x9f]|[\xa0-\xff][\u3000-\u9fff\uff00-\uffef]|[\u3000-\u9fff\uff00-\uffef][\xa0-\xff]"
        rf"|{cjk.CP1252_HIGH}{{3}}")),
]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(TEXT, st.text(alphabet=st.sampled_from(list("LAC.aé中文ÃÄ€\x81Œœ?öß×") + ["\u3000", "ｱ", "‾"]), max_size=20)))
def test_rewritten_expressions_find_what_the_plain_ones_find(text):
    assert [m.span() for m in garbage._CAPS_RUN.finditer(text)] == [m.span() for m in _PLAIN_CAPS_RUN.finditer(text)]
    for fast, plain in _PLAIN_RUNS:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
    for fast, plain in _PLAIN_FOUND:
        assert bool(fast.search(text)) == bool(plain.search(text))
    for line in text.split("\n"):
        assert bool(mojibake._GLUED_IDEOGRAPHS.search(line)) == bool(_PLAIN_GLUED_IDEOGRAPHS.search(line))
    real = glue._NEEDS_LOOK
    fast = [m.span() for m in glue._candidates(text)]
    glue._NEEDS_LOOK = _PLAIN_JOIN
    try:
        plain = [m.span() for m in glue._candidates(text)]
    finally:
        glue._NEEDS_LOOK = real
    assert fast == plain


GLUE_CHUNKS = ["Open", "AI", "Deep", "Mind", "from", "Take", "Nova", "Corp", "Success", "the", "A", "I",
               "What", "s", "App", "2024", "by", "H100", "Lab", "Vision", "and", "published", "The", "Ilya"]


@settings(max_examples=EXAMPLES, deadline=None)
@given(TEXT)
def test_the_whole_text_loop_test_keeps_every_line_the_line_test_keeps(text):
    candidates = loops._lines_that_may_loop(text)
    for number, line in enumerate(text.split("\n")):
        if loops._maybe_loop(line):
            assert number in candidates


LOOP_WORDS = st.lists(st.sampled_from(["a", "b", "c", "ab", "\n", "\n\n", "sebuah", "Sebuah", "ada", "x"]), max_size=60)


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(LOOP_WORDS, st.sampled_from([loops._smallest_loop, lambda n: n, lambda n: 1]))
def test_repeats_found_by_hash_are_those_found_word_by_word(words, run):
    assert list(loops._hashed_repeat_starts(words, run)) == list(loops._repeat_starts(words, run))


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(st.one_of(TEXT, LOOP_WORDS.map(" ".join), LOOP_WORDS.map(", ".join), LOOP_WORDS.map("-".join)))
def test_loop_search_from_the_smallest_loops_starts_finds_what_every_repeat_finds(text):
    """_word_loops looks only where a run of copies as long as the smallest loop begins; from
    every word followed by a copy of itself (the weakest test), it finds the same."""
    from mtfix.degarble.spans import Guard

    for line in text.split("\n"):
        found = loops._WORD.findall(line)
        expected = [(m.group().lower(), m.start(), m.end()) for m in loops._WORD.finditer(line)]
        assert loops._where(line, found, [w.lower() for w in found]) == expected
        fast = loops._word_loops(line, 0, Guard(line))
        real = loops._smallest_loop
        loops._smallest_loop = lambda n: 1
        try:
            assert fast == loops._word_loops(line, 0, Guard(line))
        finally:
            loops._smallest_loop = real


@settings(max_examples=EXAMPLES, deadline=None)
@given(TEXT, st.lists(st.sampled_from([">", "blank", "“", "\n", "x"]), min_size=1, max_size=3))
def test_lines_containing_finds_the_lines_that_contain(text, needles):
    expected, offset = [], 0
    for line in text.split("\n"):
        if any(needle in line for needle in needles):
            expected.append((offset, line))
        offset += len(line) + 1
    assert lines_containing(text, tuple(n for n in needles if n != "\n")) == [
        item for item in expected if any(n in item[1] for n in needles if n != "\n")]


def test_anchored_needs_every_match_start_among_its_starts():
    pattern = re.compile(r"b+")
    assert [m.span() for m in anchored(pattern, "abbab", [1, 4])] == [(1, 3), (4, 5)]
    # A start inside a match already found is passed over, as finditer would.
    assert [m.span() for m in anchored(pattern, "abbab", [1, 2, 4])] == [(1, 3), (4, 5)]


@pytest.mark.parametrize("text", ["a.b", "", "..", "x..y"])
def test_find_all_counts_overlapping_occurrences(text):
    assert find_all(text, "..") == [i for i in range(len(text)) if text.startswith("..", i)]


# --- glue: a token's cuts worked out once, without the document's names ----------------------


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(st.lists(st.sampled_from(GLUE_CHUNKS), min_size=1, max_size=5).map("".join), st.data())
def test_glue_cuts_without_names_stand_wherever_the_names_hold_nothing_they_asked(token, data):
    """The cuts worked out with no names are used where the document's names hold none of
    the texts the cutting looked up; with any names at all, they are those the names give."""
    parts = sorted({token[a:b] for a in range(len(token)) for b in range(a + 2, len(token) + 1)})
    names = frozenset(data.draw(st.lists(st.sampled_from(parts + ["NovaCorp", "OpenAI", "Zhai"]), max_size=4))) if parts else frozenset()
    facts = glue._facts(token, {})
    cuts = facts.cuts if facts.asked.isdisjoint(names) else glue._cuts(token, names)
    assert cuts == glue._cuts(token, names)


# --- untouchable spans, tried where one can begin ---------------------------------------------

SPAN_PIECES = st.sampled_from([
    "```", "```py\n", "~~~", "`", "`x`", "<", ">", "<b>", "</div>", "<script>", "</script>", "<STYLE>", "http://", "HTTPS://",
    "ftp://", "://", "www.", "WWW.", "wWw.", "@", "a.b+c@", "x@y.org", "](", "](http://a.b)", "{:", "{:toc}", "   {:.x}",
    "[a]", "(", ")", " ", "\n", "a", "Z", "1", "_", ".", "-", "é", "中", "“", "”",
])


@settings(max_examples=EXAMPLES * 3, deadline=None)
@given(st.lists(SPAN_PIECES, max_size=30).map("".join))
def test_untouchable_spans_tried_where_they_begin_are_those_found_everywhere(text):
    from mtfix.degarble import spans

    triggers = [t for t, _ in spans._PARTS if spans._RARE_CHARACTER[t] in text and t in text]
    present = tuple(dict.fromkeys(pattern for trigger, pattern in spans._PARTS if trigger in triggers))
    plain = [m.span() for m in spans._pattern(present).finditer(text)] if present else []
    assert spans.untouchable(text) == plain
