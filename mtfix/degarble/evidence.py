"""Evidence of an earlier machine translation's damage: the repairs that undo it run only in
a document that shows it.

A published document is clean. Its camel-case names (``CoreNLP``, ``autoSetupMerge``), its
quotes (``„so“``, ``”recommended“``), its ``i18n`` and ``file1`` are the author's, and the
repairs that undo a broken translation (glue, spacing, filler, doublets, loops, markup
debris, garbage) judge by the shape of text: a shape that is damage in a broken
translation is ordinary in a manual. So they run only where the document shows, by signs
no clean text has, that an engine wrote it badly:

- ``filler``: a stock phrase glued to its neighbours (``fieldI don't know.Their``);
- ``loop``: a repetition loop (a word four times over, a two-word unit three times...);
- ``doublet``: a name written twice around dots (``Mark.·Zuckerberg.Mark Zuckerberg``);
- ``debris``: the wreckage of markup (``a-nexeates”_ _ blank”>``);
- ``glue``: a function word glued to a capitalised name (``fromOpenAI``, ``beOpenAIA``,
  ``andMetaRecruiting``) or to a year (``from2018to``), as engines glue and authors do not;
- ``mojibake``: text that a strict round trip decodes into something far more plausible.

Each sign is found by the repair that undoes it (or, for glue, by the one pattern above),
so a sign is exactly what that repair would change. The mojibake and glossary repairs need
no sign beyond their own: a strict byte-level round trip, a known wrong form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mtfix.document import Edit

# The function words an engine glues to the next word: an author writes "fromString" in
# code, never "fromOpenAI" in prose.
_FUNCTION_WORDS = ("from|and|to|be|by|of|in|on|at|for|with|the|is|was|as|or|like|than|into|since|until|"
                   "about|after|before|between|during|over|under|than|while")
_GLUED = re.compile(
    rf"(?<![\w.])(?:{_FUNCTION_WORDS})"
    r"(?:(?P<name>[A-Z][a-z]*[A-Z][A-Za-z]*|[A-Z]{2,}[a-z]*)(?P<next>[A-Z][a-z]+)?"  # fromOpenAI, andMetaRecruiting
    r"|(?P<year>(?:1[89]|20)\d\d)(?=[a-z]))"  # from2018to
)
# Words a capitalised name glued to a function word must not be: method names (toString,
# forEach, onClick, isEmpty) are written so on purpose.
_COMMON_TAILS = frozenset("String Each Click Empty List Value Type Key Item Index Array Object Name Data File Path".split())


@dataclass(frozen=True)
class Sign:
    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Evidence:
    signs: tuple[Sign, ...] = ()
    # What each repair that finds signs found in the text, by repair: the cleaning that
    # follows need not read the same text again.
    readings: dict[str, list[Edit]] = field(default_factory=dict, compare=False)

    @property
    def damaged(self) -> bool:
        return bool(self.signs)

    def summary(self, examples: int = 3) -> dict:
        """Counts by kind and the first few signs, for the edit log and the JSONL header."""
        counts: dict[str, int] = {}
        for sign in self.signs:
            counts[sign.kind] = counts.get(sign.kind, 0) + 1
        return {"damaged": self.damaged, "signs": counts,
                "examples": [{"kind": s.kind, "start": s.start, "text": s.text[:60]} for s in self.signs[:examples]]}


def glued_signs(text: str) -> list[Sign]:
    found = []
    for match in _GLUED.finditer(text):
        if match.group("name") and not match.group("next") and match.group("name") in _COMMON_TAILS:
            continue
        found.append(Sign("glue", match.start(), match.end(), match.group()))
    return found


def find_evidence(text: str) -> Evidence:
    """The signs of machine-translation damage in ``text`` (see the module's docstring)."""
    from mtfix.degarble.doublets import fix_doublets
    from mtfix.degarble.filler import fix_filler
    from mtfix.degarble.loops import fix_loops
    from mtfix.degarble.markup import fix_markup
    from mtfix.degarble.mojibake import fix_mojibake

    signs = glued_signs(text)
    readings = {}
    for kind, stage, repair in (("mojibake", "mojibake", fix_mojibake), ("debris", "markup", fix_markup),
                                ("filler", "filler", fix_filler), ("doublet", "doublet", fix_doublets),
                                ("loop", "loop", fix_loops)):
        readings[stage] = repair(text)
        signs.extend(Sign(kind, edit.raw_start, edit.raw_end, edit.original or edit.replacement)
                     for edit in readings[stage])
    signs.sort(key=lambda sign: sign.start)
    return Evidence(tuple(signs), readings)
