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
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from mtfix.degarble import glue
from mtfix.degarble.compose import compose
from mtfix.degarble.doublets import fix_doublets
from mtfix.degarble.filler import fix_filler
from mtfix.degarble.garbage import flag_garbage
from mtfix.degarble.glue import fix_glue
from mtfix.degarble.loops import fix_loops
from mtfix.degarble.markup import fix_markup
from mtfix.degarble.mojibake import fix_mojibake
from mtfix.degarble.spacing import fix_spacing
from mtfix.document import Edit, apply_edits
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


@dataclass(frozen=True)
class CleanConfig:
    """Which repairs run; all do unless switched off.

    - ``mojibake``: wrong-charset decoding, Latin (ftfy's safe fixes) and East Asian;
    - ``markup``: HTML debris; ``filler``: stock phrases an engine wrote for punctuation;
    - ``doublet``: names and headings written twice; ``glue``: words without their space;
    - ``loop``: repetition loops; ``spacing``: spaces around quotes and punctuation;
    - ``glossary``: known wrong forms of glossary terms (``Zagberg``) replaced, in context;
      runs only when ``terms`` holds a glossary;
    - ``garbage``: flag (never rewrite) unrecoverable stretches.

    ``names`` are never split by the glue repair (glossary targets are added to them).
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
    terms: Glossary | None = None

    def enabled(self) -> list[str]:
        return [name for name in STAGES
                if getattr(self, name, False) and (name != "glossary" or self.terms is not None)]

    def glue_names(self) -> tuple[str, ...]:
        """Names the glue repair never splits: the given ones and the glossary's targets."""
        if self.terms is None:
            return self.names
        return self.names + tuple(term.target for term in self.terms.terms)

    def plan(self) -> str:
        return ",".join(self.enabled()) or "none"

    @classmethod
    def only(cls, *stages: str, names: tuple[str, ...] = (), terms: Glossary | None = None) -> "CleanConfig":
        """A config running just ``stages``."""
        unknown = set(stages) - set(STAGES)
        if unknown:
            raise ValueError(f"unknown repair(s): {', '.join(sorted(unknown))}; known: {', '.join(STAGES)}")
        return cls(**{name: name in stages for name in STAGES}, names=names, terms=terms)


# Rounds of repair at most. One repair can expose another (ftfy reads "á†" differently once
# the filler after it is gone), so the repairs run again on their own output until it stops
# changing: cleaning clean text is a no-op, and cleaning is idempotent.
MAX_ROUNDS = 4


def clean(raw: str, config: CleanConfig = CleanConfig()) -> tuple[str, list[Edit]]:
    """Repair ``raw``; returns the cleaned text and the edits (on raw) that produce it.

    The first round runs every repair over the whole text. A later round only has to look at
    the paragraphs the round before changed: every repair decides from the paragraph it is
    in, so a paragraph no repair touched would be left alone again (see
    :func:`_later_round`). Where that reasoning does not hold, the round covers the whole
    text as the first did."""
    edits: list[Edit] = []
    stages = config.enabled()
    repairs = [name for name in stages if name != "garbage"]
    text, edits = _full_round(raw, raw, edits, repairs, config)
    before = raw
    for _ in range(MAX_ROUNDS - 1):
        if text == before:
            break
        after = _later_round(raw, before, text, edits, repairs, config)
        if after is None:  # the round had to see the whole text
            after = _full_round(raw, text, edits, repairs, config)
        before, (text, edits) = text, after
    if "garbage" in stages:
        flags = _run("garbage", text, config)
        if flags:
            edits = compose(raw, edits, flags)
    numbered = [replace(edit, id=index) for index, edit in enumerate(edits)]
    return text, numbered


def _full_round(raw: str, text: str, edits: list[Edit], repairs: list[str], config: CleanConfig,
                glue_names: tuple[str, ...] | None = None) -> tuple[str, list[Edit]]:
    """Every repair once over ``text`` (= ``apply_edits(raw, edits)``): the new text and
    the edits on ``raw`` that give it."""
    for name in repairs:
        stage_edits = _run(name, text, config, glue_names)
        if stage_edits:
            edits = compose(raw, edits, stage_edits)
            text = apply_edits(raw, edits)
    return text, edits


# Text that may hold an untouchable span across a blank line (a fenced code block, a script):
# a paragraph alone would read differently, so later rounds see the whole text.
_SPANS_PARAGRAPHS = re.compile(r"```|~~~|<script|<style", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _later_round(raw: str, before: str, text: str, edits: list[Edit], repairs: list[str],
                 config: CleanConfig) -> tuple[str, list[Edit]] | None:
    """One more round over the paragraphs of ``text`` that differ from ``before`` (the text
    the last round began with), or None when the whole text must be seen.

    The changed paragraphs, each with the line breaks around it (so every repair sees the
    same neighbours as in the whole text), are put side by side and repaired as one text;
    the edits are moved back to where the paragraphs are. The whole text is needed when a
    span that repairs leave alone may cross a blank line, when an edit would cross from one
    paragraph to the next, and when the glue repair or the glossary makes an edit: both weigh
    evidence from the whole document (names used more than once, glue elsewhere, a name's
    context across a paragraph break)."""
    if _SPANS_PARAGRAPHS.search(text):
        return None
    old_spans, new_spans = _paragraphs(before), _paragraphs(text)
    old_texts, new_texts = [before[a:b] for a, b in old_spans], [text[a:b] for a, b in new_spans]
    if len(old_texts) == len(new_texts):  # the usual case: repairs rarely add or remove a break
        changed = [j for j, (old, new) in enumerate(zip(old_texts, new_texts)) if old != new]
    else:
        matcher = SequenceMatcher(None, old_texts, new_texts, autojunk=False)
        changed = sorted({j for tag, _, _, j1, j2 in matcher.get_opcodes() if tag != "equal" for j in range(j1, j2)})
    if config.terms is not None:  # the glossary reads a name's context across a break
        changed = sorted({k for j in changed for k in (j - 1, j, j + 1) if 0 <= k < len(new_spans)})
    windows: list[list[int]] = []
    for j in changed:
        start, end = new_spans[j]
        while start > 0 and text[start - 1] == "\n":
            start -= 1
        while end < len(text) and text[end] == "\n":
            end += 1
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    if not windows:
        return text, edits
    part = "".join(text[a:b] for a, b in windows)
    glue_names = config.glue_names() + tuple(sorted(glue.document_names_for(part, text)))
    _, part_edits = _full_round(part, part, [], repairs, config, glue_names)
    if any(kind in ("glue", "glossary") for edit in part_edits for kind in edit.kind.split("+")):
        return None
    # Where each window starts in ``part``; an edit finds its window by bisection, so a long
    # text with many changed paragraphs stays linear.
    starts = list(itertools.accumulate((b - a for a, b in windows[:-1]), initial=0))
    moved: list[Edit] = []
    for edit in part_edits:
        index = bisect.bisect_right(starts, edit.raw_start) - 1
        offset, (a, b) = starts[index], windows[index]
        if edit.raw_end > offset + b - a:
            return None  # an edit across two paragraphs
        if edit.raw_start == edit.raw_end and edit.raw_start in (offset, offset + b - a):
            return None  # an insertion where two paragraphs meet: which one's?
        moved.append(replace(edit, raw_start=edit.raw_start - offset + a, raw_end=edit.raw_end - offset + a))
    if not moved:
        return text, edits
    edits = compose(raw, edits, moved)
    return apply_edits(raw, edits), edits


def _run(name: str, text: str, config: CleanConfig, glue_names: tuple[str, ...] | None = None) -> list[Edit]:
    stage = STAGES[name]
    if name == "glue":
        return stage(text, config.glue_names() if glue_names is None else glue_names)
    if name == "glossary":
        return stage(text, config.terms)
    return stage(text)


__all__ = ["CleanConfig", "clean", "STAGES"]
