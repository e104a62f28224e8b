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
    """Repair ``raw``; returns the cleaned text and the edits (on raw) that produce it."""
    edits: list[Edit] = []
    text = raw
    stages = config.enabled()
    repairs = [name for name in stages if name != "garbage"]
    for _ in range(MAX_ROUNDS):
        before = text
        for name in repairs:
            stage_edits = _run(name, text, config)
            if stage_edits:
                edits = compose(raw, edits, stage_edits)
                text = apply_edits(raw, edits)
        if text == before:
            break
    if "garbage" in stages:
        flags = _run("garbage", text, config)
        if flags:
            edits = compose(raw, edits, flags)
    numbered = [replace(edit, id=index) for index, edit in enumerate(edits)]
    return text, numbered


def _run(name: str, text: str, config: CleanConfig) -> list[Edit]:
    stage = STAGES[name]
    if name == "glue":
        return stage(text, config.glue_names())
    if name == "glossary":
        return stage(text, config.terms)
    return stage(text)


__all__ = ["CleanConfig", "clean", "STAGES"]
