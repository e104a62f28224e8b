"""Spacing and punctuation left wrong by per-token translation.

- a missing space after a sentence end between words (``money.OpenAI``, ``office.We're``) or
  after a comma between words (``Yes,the``);
- missing spaces around curly double quotes (``sebagai”prinsip penelitian”untuk``); a closing
  mark glued on both sides where a quotation opens is turned round (one after a space is
  left alone: Swedish and Finnish open with ``”``);
- a space before a comma or full stop (``word ,``), or on the wrong side of a comma;
- a full stop glued before the interpunct of a transliterated name (``Chen.·Wei``);
- a doubled full stop or comma (``end..``; ``...`` is an ellipsis and stays).

Only Latin-script neighbours count: CJK text takes no spaces, and French spacing before
``;:!?`` is not touched. Code, URLs and e-mail addresses are never touched.

>>> from mtfix.document import apply_edits
>>> text = "It was sebagai”prinsip penelitian”untuk AI.Then ,it ended.."
>>> apply_edits(text, fix_spacing(text))
'It was sebagai “prinsip penelitian” untuk AI. Then, it ended.'
"""

from __future__ import annotations

import re

from mtfix.degarble.spans import Guard, lines_containing
from mtfix.document import Edit

# A sentence end glued to the next word; a doubled full stop counts (it loses one dot below).
_NEXT_WORD = r"(?=[A-Z][a-z]|I\b|[A-Z]['’]|[A-Z]{2,}[a-z]?\b|\d+(?:[.,]\d+)?\s)"
# Every pattern starts with the character it is about (the mark, or the letter before a
# space), so the regular-expression engine jumps from one candidate to the next instead of
# trying lookbehinds at every position; the lookbehinds come after the first character.
_AFTER_STOP = re.compile(
    rf"[.!?](?<=[A-Za-z][a-z][.!?]){_NEXT_WORD}"
    rf"|\.\.(?<=[A-Za-z][a-z]\.\.){_NEXT_WORD}"
    r"|[.!?](?<=[A-Z]{2}[.!?])(?=[A-Z][a-z])"
    r"|\.\.(?<=[A-Z]{2}\.\.)(?=[A-Z][a-z])"
)
_L = "[A-Za-z\u00c0-\u024f]"  # Latin letters: CJK text takes no spaces
# (A doubled comma too: it loses one below, and the space goes in the same pass.)
_AFTER_COMMA = re.compile(rf",(?<={_L}{_L},)(?={_L}{_L})|,(?<={_L}{_L},,)(?={_L}{_L})")
# (A doubled mark counts too: it loses one below, and the space must go in the same pass.)
# (A full stop after a space ends a sentence only before a capital or the end: ". and .."
# are directory names, "find . -type f" a command.)
_SPACE_BEFORE = re.compile(rf" (?<={_L} )[ \t]*(?=(?:,|,,)(?:\s|$)|(?:\.|\.\.)(?:\s+[A-Z\"“]|\s*$))")
_AFTER_PERCENT = re.compile(r"%(?<=\d%)(?=[A-Z][a-z])")
_AFTER_ELLIPSIS = re.compile(r"\.\.\.(?<=[a-z]\.\.\.)(?=[A-Z])|…(?<=[a-z]…)(?=[A-Z])")
_COMMA_WRONG_SIDE = re.compile(rf" (?<={_L} )[ \t]*,(?={_L})")
# "Chen.·Wei": an engine put full stops around the interpunct of a transliterated name.
_DOTTED_INTERPUNCT = re.compile(r"\.(?<=[A-Za-z]\.)(?=·[A-Z])")
# A doubled stop ends a word ("end.."); between digits or before a slash it is a range or a
# path ("00..60", "../").
_DOUBLED = re.compile(r"\.(?<=[A-Za-z]\.)(?<!\.\.)(?=\.(?![.\w/]))|,(?<=[A-Za-z],)(?=,)")
_QUOTES = re.compile(r"[“”„]")


def _latin(ch: str) -> bool:
    return bool(ch) and (ch.isascii() and (ch.isalnum() or ch in ",.;:!?)") or ("\u00c0" <= ch <= "\u024f"))


def _quote_edits(line: str, offset: int) -> list[Edit]:
    edits = []
    inside = False
    opener = ""
    for m in _QUOTES.finditer(line):
        q, at = m.group(), m.start()
        before, after = line[at - 1 : at], line[at + 1 : at + 2]
        if q == "“" and inside and opener == "„":
            inside = False  # German closes „ with “
            continue
        if q in "„“" or not inside:
            # An opening mark: „ and “ always are (but for the German closing “ above).
            opener = q
            if q == "„":
                inside = True
                continue
            if q == "”" and not (_latin(before) and after.isalpha()):
                # A closing mark with no opening one. Only one glued on both sides is surely
                # an opening mark (Swedish opens with ” after a space, and that stays).
                continue
            inside = True
            replacement = "“" if q == "”" else q
            if _latin(before) and before not in "(":
                replacement = " " + replacement
            if replacement != q:
                reason = "opening quotation mark" + (" turned round" if replacement.strip() != q else "")
                reason += " and space before it" if replacement.startswith(" ") else ""
                edits.append(Edit(offset + at, offset + at + 1, replacement, "spacing", reason, q))
        else:
            inside = False
            if q == "”" and _latin(after) and after.isalnum():
                edits.append(Edit(offset + at + 1, offset + at + 1, " ", "spacing",
                                  "space after closing quotation mark", ""))
    return edits


# A word holding these is code, a path, a list an author wrote without spaces, or a name:
# spacing inside it is the author's ({pre,post}, [installiert,automatisch], ../*.deb, $(find).
_CODE_MARKS = re.compile(r"[/\\$={}\[\]()<>*~@#|`^]")
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff]")


def _in_code(text: str, position: int) -> bool:
    """Is ``position`` inside a word of code (see _CODE_MARKS), or an option (``-c``)?"""
    start = position
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = position
    while end < len(text) and not text[end].isspace():
        end += 1
    word = text[start:end]
    return word.startswith("-") or bool(_CODE_MARKS.search(word))


def fix_spacing(text: str) -> list[Edit]:
    """Edits that repair spacing and doubled punctuation in ``text``."""
    guard = Guard(text)
    edits: list[Edit] = []
    for pattern, replacement, reason in (
        (_AFTER_STOP, None, "space after sentence end"),
        (_AFTER_COMMA, None, "space after comma"),
        (_SPACE_BEFORE, "", "space before punctuation"),
        (_AFTER_PERCENT, None, "space after per cent sign"),
        (_AFTER_ELLIPSIS, None, "space after ellipsis"),
        (_DOTTED_INTERPUNCT, "", "full stop before the interpunct of a name"),
        (_COMMA_WRONG_SIDE, ", ", "space on the wrong side of a comma"),
        (_DOUBLED, "", "doubled punctuation"),
    ):
        for m in pattern.finditer(text):
            start, end = m.span()
            if replacement is None:  # a space inserted after the matched punctuation
                start = end
                if guard.touches(max(0, m.start() - 1), end + 1):
                    continue
                edits.append(Edit(end, end, " ", "spacing", reason, ""))
                continue
            # Words glued by a dot inside a token are file names, domains, versions: only a
            # dot between two words of prose counts (checked by the lookarounds) and never
            # inside an untouchable span.
            if guard.touches(max(0, start - 1), end + 1):
                continue
            edits.append(Edit(start, end, replacement, "spacing", reason, text[start:end]))
    for offset, line in lines_containing(text, ("“", "”", "„")):
        if _RIGHT_TO_LEFT.search(line):
            continue  # Arabic and Hebrew quote as ”this“: turned round, it would be wrong
        edits.extend(e for e in _quote_edits(line, offset)
                     if not guard.touches(e.raw_start, e.raw_end + 1))
    edits = [edit for edit in edits if not _in_code(text, edit.raw_start)]
    edits.sort(key=lambda e: (e.raw_start, e.raw_end))
    # Two rules may meet at one place ("AI.Then" and a quote); keep the first.
    kept: list[Edit] = []
    for edit in edits:
        if kept and (edit.raw_start < kept[-1].raw_end or
                     (edit.raw_start == kept[-1].raw_start and edit.raw_end == kept[-1].raw_end)):
            continue
        kept.append(edit)
    return kept
