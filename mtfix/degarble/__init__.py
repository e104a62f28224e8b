"""De-garbling: repair what can be repaired, record every change as an Edit on the raw text.

``clean(raw) -> (clean_text, edits)``; ``apply_edits(raw, edits) == clean_text`` always.
Each damage kind is one module with one plain function ``text -> list[Edit]``; stages run in
the order of ``STAGES`` and are composed so that the log is always relative to raw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from mtfix.degarble.compose import compose
from mtfix.degarble.mojibake import fix_mojibake
from mtfix.document import Edit, apply_edits

# Name → repair function. The name is the option in CleanConfig and the CLI.
STAGES: dict[str, Callable[[str], list[Edit]]] = {
    "mojibake": fix_mojibake,
}


@dataclass(frozen=True)
class CleanConfig:
    """Which repairs run.

    - ``mojibake``: undo wrong-charset decoding with ftfy's safe fixes (no normalisation).
    """

    mojibake: bool = True

    def enabled(self) -> list[str]:
        return [name for name in STAGES if getattr(self, name, False)]

    def plan(self) -> str:
        return ",".join(self.enabled()) or "none"


def clean(raw: str, config: CleanConfig = CleanConfig()) -> tuple[str, list[Edit]]:
    """Repair ``raw``; returns the cleaned text and the edits (on raw) that produce it."""
    edits: list[Edit] = []
    text = raw
    for name in config.enabled():
        stage_edits = STAGES[name](text)
        if not stage_edits:
            continue
        edits = compose(raw, edits, stage_edits)
        text = apply_edits(raw, edits)
    numbered = [replace(edit, id=index) for index, edit in enumerate(edits)]
    return text, numbered


__all__ = ["CleanConfig", "clean", "STAGES"]
