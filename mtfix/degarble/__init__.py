"""De-garbling: repair what can be repaired, record every change as an Edit on the raw text.

``clean(raw) -> (clean_text, edits)``; ``apply_edits(raw, edits) == clean_text`` always.
Each damage kind is one module with one plain function ``text -> list[Edit]``; stages run in
the order of ``STAGES`` and are composed so that the log is always relative to raw.

The order matters: mojibake first (every other stage reads characters), markup debris before
anything reads words, fillers before doublets (``Lucas BeyerI'm not sure...**`` must lose its
filler before ``**X**X`` can be seen), doublets before glue and spacing (``Bayer.Lucas``
must still be glued when the doublet is recognised), loops after glue (a loop may only show
once its words are apart), garbage last (it only flags).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from mtfix.degarble.compose import compose
from mtfix.degarble.doublets import fix_doublets
from mtfix.degarble.filler import fix_filler
from mtfix.degarble.garbage import flag_garbage
from mtfix.degarble.glue import fix_glue
from mtfix.degarble.loops import fix_loops
from mtfix.degarble.markup import fix_markup
from mtfix.degarble.mojibake import fix_mojibake
from mtfix.degarble.spacing import fix_spacing
from mtfix.document import Edit, apply_edits, sort_and_check
from mtfix.glossary import Glossary

# Name → repair function, in the order they run. The name is the option in CleanConfig and
# the CLI, and the ``kind`` of the edits the stage makes.
STAGES: dict[str, Callable[..., list[Edit]]] = {
    "mojibake": fix_mojibake,
    "markup": fix_markup,
    "filler": fix_filler,
    "doublet": fix_doublets,
    "glue": fix_glue,
    "loop": fix_loops,
    "spacing": fix_spacing,
    "glossary": lambda text, glossary: glossary.fix_wrong_forms(text),
    "garbage": flag_garbage,
}

# What each kind of edit means, in a reviewer's words (the review page's legend).
DESCRIPTIONS = {
    "mojibake": "text decoded with the wrong character set, decoded again",
    "markup": "HTML debris an earlier tool left in the text, removed or decoded",
    "filler": "a stock phrase an earlier engine wrote for punctuation or nothing, removed",
    "doublet": "a name or heading written twice in a row, kept once",
    "glue": "words run together without their space, split",
    "loop": "a word, phrase or sentence a stuck engine repeated, kept once",
    "spacing": "spaces around quotes and punctuation evened out",
    "glossary": "a known wrong form of a glossary term, replaced by the term",
    "garbage": "an unrecoverable stretch, flagged for review and never rewritten",
}


@dataclass(frozen=True)
class CleanConfig:
    """Which repairs run; all do unless switched off.

    - ``mojibake``: wrong-charset decoding, Latin (ftfy's safe fixes) and East Asian;
    - ``markup``: HTML debris; ``filler``: stock phrases an engine wrote for punctuation;
    - ``doublet``: names and headings written twice; ``glue``: words without their space;
    - ``loop``: repetition loops; ``spacing``: spaces around quotes and punctuation;
    - ``glossary``: known wrong forms of glossary terms (``Zagberg``) replaced, in context;
      runs only when the repair is given a glossary (``glossary=`` of :func:`clean`);
    - ``garbage``: flag (never rewrite) unrecoverable stretches.

    ``names`` are never split by the glue repair (nor are the glossary's targets).
    ``gate``: see :data:`EVIDENCE_FREE`.
    """

    mojibake: bool = True
    markup: bool = True
    filler: bool = True
    doublet: bool = True
    glue: bool = True
    loop: bool = True
    spacing: bool = True
    glossary: bool = True
    garbage: bool = True
    names: tuple[str, ...] = field(default=(), compare=True)
    # The repairs that undo an earlier machine translation run only in a document that shows
    # its damage (:mod:`mtfix.degarble.evidence`); False runs them whatever it shows.
    gate: bool = True

    def enabled(self, glossary: Glossary | None = None) -> list[str]:
        """The repairs that run (the glossary's only with a glossary to repair by)."""
        return [name for name in STAGES if getattr(self, name, False) and (name != "glossary" or glossary)]

    def plan(self, glossary: Glossary | None = None) -> str:
        stages = ",".join(self.enabled(glossary)) or "none"
        return stages if self.gate else stages + ",ungated"

    @classmethod
    def only(cls, *stages: str, names: tuple[str, ...] = (), gate: bool = True) -> "CleanConfig":
        """A config running just ``stages``."""
        unknown = set(stages) - set(STAGES)
        if unknown:
            raise ValueError(f"unknown repair(s): {', '.join(sorted(unknown))}; known: {', '.join(STAGES)}")
        return cls(**{name: name in stages for name in STAGES}, names=names, gate=gate)


# The repairs that need no evidence beyond their own: a strict byte-level round trip, a
# known wrong form of a glossary term. The others run only in a damaged document.
EVIDENCE_FREE = frozenset({"mojibake", "glossary"})


# Rounds of repair at most. One repair can expose another (ftfy reads "á†" differently once
# the filler after it is gone), so the repairs run again on their own output until it stops
# changing: cleaning clean text is a no-op, and cleaning is idempotent.
MAX_ROUNDS = 4


def clean(raw: str, config: CleanConfig = CleanConfig(), shown: list[tuple[int, int]] | None = None,
          glossary: Glossary | None = None) -> tuple[str, list[Edit]]:
    """Repair ``raw``; returns the cleaned text and the edits (on raw) that produce it
    (:func:`clean_explained` also says what evidence the repairs ran on).

    ``shown``: the spans of ``raw`` that are prose (sorted, not overlapping), as a format
    reader found them: the rest (markup, code, a DOCTYPE, command lines) is never touched.
    The repairs read the text with everything else blanked out by line breaks, so they see
    each stretch of prose as text of its own, and an edit that would reach outside the prose
    is dropped.

    ``glossary``: the terms whose known wrong forms the glossary repair replaces, and whose
    targets the glue repair never splits; without one, neither happens.
    """
    text, edits, _ = clean_explained(raw, config, shown, glossary)
    return text, edits


def clean_explained(raw: str, config: CleanConfig = CleanConfig(), shown: list[tuple[int, int]] | None = None,
                    glossary: Glossary | None = None):
    """(cleaned text, edits, evidence): as :func:`clean`, and the signs of damage the
    document shows (:mod:`mtfix.degarble.evidence`). Without any, only the repairs in
    ``EVIDENCE_FREE`` run (unless ``config.gate`` is off)."""
    from mtfix.degarble.evidence import Evidence, find_evidence

    masked = raw if shown is None else _masked(raw, shown)
    evidence = find_evidence(masked) if config.gate else Evidence()
    if config.gate and not evidence.damaged:
        config = replace(config, **{name: False for name in STAGES if name not in EVIDENCE_FREE})
    _, edits = _clean(masked, config, glossary, evidence.readings)
    if config.gate and evidence.damaged:
        edits = _in_damaged_regions(masked, edits, evidence)
    if shown is not None:
        starts = [start for start, _ in shown]
        kept = []
        for edit in edits:
            index = bisect.bisect_right(starts, edit.raw_start) - 1
            if index >= 0 and edit.raw_end <= shown[index][1]:
                kept.append(edit.copy_with(id=len(kept)))
        edits = kept
    return apply_edits(raw, edits), edits, evidence


def _in_damaged_regions(text: str, edits: list[Edit], evidence) -> list[Edit]:
    """The edits, but those of repairs that need evidence only in the paragraphs that show
    some: a clean paragraph of a damaged document is left alone."""
    parts = text.split("\n\n")
    starts = list(itertools.accumulate((len(part) + 2 for part in parts[:-1]), initial=0))
    damaged: set[int] = set()
    for sign in evidence.signs:
        number = bisect.bisect_right(starts, sign.start) - 1
        damaged.add(number)
    kept = []
    for edit in edits:
        number = bisect.bisect_right(starts, edit.raw_start) - 1
        if number in damaged or all(kind in EVIDENCE_FREE for kind in edit.kind.split("+")):
            kept.append(edit.copy_with(id=len(kept)))
    return kept


def _masked(raw: str, shown: list[tuple[int, int]]) -> str:
    """``raw`` with everything outside ``shown`` blanked out by line breaks."""
    parts, position = [], 0
    for start, end in shown:
        parts.append("\n" * (start - position))
        parts.append(raw[start:end])
        position = end
    parts.append("\n" * (len(raw) - position))
    return "".join(parts)


def _clean(raw: str, config: CleanConfig, glossary: Glossary | None,
           read: dict[str, list[Edit]] | None = None) -> tuple[str, list[Edit]]:
    """The repairs over the whole of ``raw``, in order, round after round, until a round
    changes nothing.

    ``read``: what some repairs found in ``raw`` already (the evidence is found by running
    them): while the text is still ``raw``, their reading of it is not made again."""
    stages = config.enabled(glossary)
    read = read or {}
    text, edits = raw, []
    for _ in range(MAX_ROUNDS):
        round_began_with = text
        for name in stages:
            if name == "garbage":
                continue
            found = read[name] if text is raw and name in read else _run(name, text, config, glossary)
            if found:
                found = sort_and_check(found)
                edits = compose(raw, edits, found, first_checked=True)
                text = apply_edits(text, found)  # (= apply_edits(raw, edits), from fewer edits)
        if text == round_began_with:
            break
    if "garbage" in stages:
        flags = _run("garbage", text, config, glossary)
        if flags:
            edits = compose(raw, edits, flags, first_checked=True)
    numbered = [edit.copy_with(id=index) for index, edit in enumerate(edits)]
    return text, numbered


def _run(name: str, text: str, config: CleanConfig, glossary: Glossary | None) -> list[Edit]:
    stage = STAGES[name]
    if name == "glue":
        targets = tuple(term.target for term in glossary.terms) if glossary else ()
        return stage(text, config.names + targets)
    if name == "glossary":
        return stage(text, glossary)
    return stage(text)


__all__ = ["CleanConfig", "clean", "clean_explained", "STAGES", "EVIDENCE_FREE"]
