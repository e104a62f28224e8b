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
import functools
import itertools
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from mtfix.degarble import glue, loops
from mtfix.degarble.compose import compose
from mtfix.degarble.doublets import fix_doublets
from mtfix.degarble.filler import fix_filler
from mtfix.degarble.garbage import flag_garbage
from mtfix.degarble.glue import fix_glue
from mtfix.degarble.loops import fix_loops
from mtfix.degarble.markup import fix_markup
from mtfix.degarble.mojibake import fix_mojibake
from mtfix.degarble.spacing import fix_spacing
from mtfix.document import Edit, OffsetMap, apply_edits, sort_and_check
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
    terms: Glossary | None = None
    # The repairs that undo an earlier machine translation run only in a document that shows
    # its damage (:mod:`mtfix.degarble.evidence`); False runs them whatever it shows.
    gate: bool = True

    def enabled(self) -> list[str]:
        return [name for name in STAGES
                if getattr(self, name, False) and (name != "glossary" or self.terms is not None)]

    def glue_names(self) -> tuple[str, ...]:
        """Names the glue repair never splits: the given ones and the glossary's targets."""
        if self.terms is None:
            return self.names
        return self.names + tuple(term.target for term in self.terms.terms)

    def plan(self) -> str:
        stages = ",".join(self.enabled()) or "none"
        return stages if self.gate else stages + ",ungated"

    @classmethod
    def only(cls, *stages: str, names: tuple[str, ...] = (), terms: Glossary | None = None,
             gate: bool = True) -> "CleanConfig":
        """A config running just ``stages``."""
        unknown = set(stages) - set(STAGES)
        if unknown:
            raise ValueError(f"unknown repair(s): {', '.join(sorted(unknown))}; known: {', '.join(STAGES)}")
        return cls(**{name: name in stages for name in STAGES}, names=names, terms=terms, gate=gate)


# The repairs that need no evidence beyond their own: a strict byte-level round trip, a
# known wrong form of a glossary term. The others run only in a damaged document.
EVIDENCE_FREE = frozenset({"mojibake", "glossary"})


# Rounds of repair at most. One repair can expose another (ftfy reads "á†" differently once
# the filler after it is gone), so the repairs run again on their own output until it stops
# changing: cleaning clean text is a no-op, and cleaning is idempotent.
MAX_ROUNDS = 4

# Repairs that leave their own output alone (run again on it, they find nothing: a property
# test checks each): a later round need not read again what they changed, only what other
# repairs changed after them. The others (ftfy's fixes can expose more mojibake, a collapsed
# loop can leave another, spacing rules feed each other, glue weighs the whole document)
# read their own changes again.
IDEMPOTENT = frozenset({"markup", "filler", "doublet"})


def _lines_loop_no_more(lines: list[str]) -> bool:
    # (The test over a whole text, run once over the lines put together: it keeps every line
    # the test of one line keeps, in one pass instead of one a line.)
    return not loops._lines_that_may_loop("\n".join(lines))


def _lines_need_no_spacing(lines: list[str]) -> bool:
    # Each line with its line break, as in the text: spacing's patterns look one character
    # past a line's end, never further; guards on the lines alone can only forbid less.
    return not fix_spacing("\n".join(lines) + "\n")


# Repairs that decide line by line, with a cheap test of whether a line holds anything more
# for them: after they change a text, the lines they changed are tested, and where none
# does, a later round need not read their changes again (a collapsed loop can leave another
# standing, spacing rules feed each other: rare, and caught here).
SETTLED: dict[str, Callable[[list[str]], bool]] = {"loop": _lines_loop_no_more, "spacing": _lines_need_no_spacing}


def _changed_lines(before: str, edits: list[Edit], after: str) -> list[str]:
    """The lines of ``after`` (what ``edits`` made of ``before``) that the edits changed."""
    offsets = OffsetMap(before, edits)
    lines, seen = [], set()
    for position, replaced_end in zip(offsets.clean_starts, offsets.clean_ends):
        start = after.rfind("\n", 0, position) + 1
        end = after.find("\n", replaced_end)
        end = len(after) if end < 0 else end
        if start not in seen:
            seen.add(start)
            lines.append(after[start:end])
    return lines


def clean(raw: str, config: CleanConfig = CleanConfig(), shown: list[tuple[int, int]] | None = None
          ) -> tuple[str, list[Edit]]:
    """Repair ``raw``; returns the cleaned text and the edits (on raw) that produce it
    (:func:`clean_explained` also says what evidence the repairs ran on).

    ``shown``: the spans of ``raw`` that are prose (sorted, not overlapping), as a format
    reader found them: the rest (markup, code, a DOCTYPE, command lines) is never touched.
    The repairs read the text with everything else blanked out by line breaks, so they see
    each stretch of prose as text of its own, and an edit that would reach outside the prose
    is dropped.
    """
    text, edits, _ = clean_explained(raw, config, shown)
    return text, edits


def clean_explained(raw: str, config: CleanConfig = CleanConfig(), shown: list[tuple[int, int]] | None = None):
    """(cleaned text, edits, evidence): as :func:`clean`, and the signs of damage the
    document shows (:mod:`mtfix.degarble.evidence`). Without any, only the repairs in
    ``EVIDENCE_FREE`` run (unless ``config.gate`` is off)."""
    from mtfix.degarble.evidence import Evidence, find_evidence

    masked = raw if shown is None else _masked(raw, shown)
    evidence = find_evidence(masked) if config.gate else Evidence()
    if config.gate and not evidence.damaged:
        config = replace(config, **{name: False for name in STAGES if name not in EVIDENCE_FREE})
    _, edits = _clean(masked, config)
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
    parts, starts = _paragraphs(text)
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


def _clean(raw: str, config: CleanConfig) -> tuple[str, list[Edit]]:
    """The repairs over the whole of ``raw``.

    The repairs run in order, round after round, until a round changes nothing. In the first
    round each repair reads the whole text. After that a repair only has to read the
    paragraphs that changed since it last read them, its own changes included (unless it is
    in ``IDEMPOTENT`` or its ``SETTLED`` test clears them): every repair decides from the
    paragraph it is in, so a paragraph that is as it was would come back unchanged again
    (see :func:`_on_changed_paragraphs`). Where that reasoning does not hold, the repair
    reads the whole text again. With one kind of damage in a paragraph, the repairs after
    the one that fixed it never read it twice."""
    stages = config.enabled()
    repairs = [name for name in stages if name != "garbage"]
    text, edits = raw, []
    # When each paragraph (of text.split("\n\n")) last changed, on a clock that ticks once
    # for each repair that changes the text, and when each repair last read the text: a
    # repair has to read again the paragraphs changed since. (Comparing texts or their
    # hashes instead cost a pass over the whole text after every repair.)
    changed_at = [0] * (text.count("\n\n") + 1)
    clock = 0
    read_at: dict[str, int] = {}
    tokens: glue.TokenMemo = {}  # what the glue repair worked out for each token, kept for its next reading
    for _ in range(MAX_ROUNDS):
        round_began_with = text
        for name in repairs:
            found = None
            if name in read_at:
                found = _on_changed_paragraphs(name, read_at[name], changed_at, text, config, tokens)
            if found is None:
                found = _run(name, text, config, tokens=tokens)
            # What the repair read: it reads again the paragraphs it changed (its output may
            # hold more for it to do) and those other repairs change after it.
            read_at[name] = clock
            if found:
                found = sort_and_check(found)
                edits = compose(raw, edits, found, first_checked=True)  # (edits is what compose returned)
                given, text = text, apply_edits(text, found)  # (= apply_edits(raw, edits), from fewer edits)
                clock += 1
                touched = _touched_paragraphs(given, found)
                if touched is None:  # a paragraph break added or removed: every paragraph is new
                    changed_at = [clock] * (text.count("\n\n") + 1)
                else:
                    for number in touched:
                        changed_at[number] = clock
                if name in IDEMPOTENT or (name in SETTLED and SETTLED[name](_changed_lines(given, found, text))):
                    read_at[name] = clock  # its output holds nothing more for it
        if text == round_began_with:
            break
    if "garbage" in stages:
        flags = _run("garbage", text, config)
        if flags:
            edits = compose(raw, edits, flags, first_checked=True)
    numbered = [edit.copy_with(id=index) for index, edit in enumerate(edits)]
    return text, numbered


# Text that may hold an untouchable span across a blank line (a fenced code block, a script):
# a paragraph alone would read differently, so later rounds see the whole text.
_SCRIPT_OR_STYLE = re.compile(r"<script|<style", re.IGNORECASE)


def _spans_paragraphs(text: str) -> bool:
    # Substring tests first: they run at memory speed, the expression at a tenth of it.
    # (One character first: a search for it runs at memory speed, for "```" at a tenth.)
    return (("`" in text and "```" in text) or ("~" in text and "~~~" in text)
            or ("<" in text and bool(_SCRIPT_OR_STYLE.search(text))))


def _touched_paragraphs(text: str, edits: list[Edit]) -> list[int] | None:
    """The numbers of the paragraphs of ``text`` (as :func:`_paragraphs` splits it) that
    ``edits`` (sorted) change; None where an edit may add or remove a paragraph break: it
    removes or puts in a line break, or it stands between two.

    Counted in C, the breaks between one edit and the next: each count starts where no run
    of line breaks is cut in two, as ``str.split`` and ``str.count`` pair the line breaks
    of a run from its first."""
    touched: list[int] = []
    counted = breaks = 0  # the breaks before ``counted``
    for edit in edits:
        start, end = edit.raw_start, edit.raw_end
        if ("\n" in edit.replacement or text.find("\n", start, end) >= 0
                or (text[start - 1 : start] == "\n" and text[end : end + 1] == "\n")):
            return None
        run = start  # where the run of line breaks before the edit begins (or the edit)
        while run > counted and text[run - 1] == "\n":
            run -= 1
        breaks += text.count("\n\n", counted, run)
        counted = run
        touched.append(breaks + text.count("\n\n", run, start))
    return touched


# Each repair of a later round that reads part of the text splits the same text: the last
# split is kept (a text caches its hash, so the lookup costs nothing).
@functools.lru_cache(maxsize=2)
def _paragraphs(text: str) -> tuple[list[str], list[int]]:
    """The paragraphs of ``text`` and where each starts. Split at every "\n\n" (a longer
    run of line breaks leaves a paragraph that begins with one, or an empty one, which
    compares as well), because ``str.split`` runs at memory speed, a regular expression
    at a tenth of it."""
    parts = text.split("\n\n")
    starts = list(itertools.accumulate((len(part) + 2 for part in parts[:-1]), initial=0))
    return parts, starts


def _on_changed_paragraphs(name: str, read_at: int, changed_at: list[int], text: str, config: CleanConfig,
                           tokens: glue.TokenMemo | None = None) -> list[Edit] | None:
    """The edits repair ``name`` makes on ``text`` when it last read it at ``read_at`` on
    the clock of ``changed_at`` (when each paragraph last changed): it reads only the
    paragraphs changed since. None when it must read the whole text.

    The changed paragraphs, each with the line breaks around it (so the repair sees the same
    neighbours as in the whole text), are put side by side and repaired as one text; the
    edits are moved back to where the paragraphs are. The whole text is needed when a span
    that repairs leave alone may cross a blank line, when an edit would cross from one
    paragraph to the next, and when the glue repair or the glossary makes an edit: both weigh
    evidence from the whole document (names used more than once, glue elsewhere, a name's
    context across a paragraph break)."""
    if max(changed_at) <= read_at:
        return []
    if _spans_paragraphs(text):
        return None
    changed = list(itertools.compress(itertools.count(), map(operator.gt, changed_at, itertools.repeat(read_at))))  # (in C)
    new_texts, new_starts = _paragraphs(text)
    if name == "glossary":  # the glossary reads a name's context across a break
        changed = sorted({k for j in changed for k in (j - 1, j, j + 1) if 0 <= k < len(new_texts)})
    if not changed:
        return []
    # Where most of the text changed (every paragraph damaged), reading it whole costs at
    # most twice what the changed part would, and saves cutting it up and putting it back.
    # The glue repair reads the whole text sooner: on a part it also has to count the
    # document's names, which costs about a pass over the whole text itself.
    if (4 if name == "glue" else 2) * sum(map(len, map(new_texts.__getitem__, changed))) > len(text):
        return None
    windows: list[list[int]] = []
    for j in changed:
        start = new_starts[j]
        end = start + len(new_texts[j])
        while start > 0 and text[start - 1] == "\n":
            start -= 1
        while end < len(text) and text[end] == "\n":
            end += 1
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    if not windows:
        return []
    part = "".join(text[a:b] for a, b in windows)
    glue_names = None
    if name == "glue":
        glue_names = config.glue_names() + tuple(sorted(glue.document_names_for(part, text, tokens)))
    part_edits = _run(name, part, config, glue_names, tokens)
    if part_edits and name in ("glue", "glossary"):
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
        moved.append(edit.copy_with(raw_start=edit.raw_start - offset + a, raw_end=edit.raw_end - offset + a))
    return moved


def _run(name: str, text: str, config: CleanConfig, glue_names: tuple[str, ...] | None = None,
         tokens: glue.TokenMemo | None = None) -> list[Edit]:
    stage = STAGES[name]
    if name == "glue":
        return stage(text, config.glue_names() if glue_names is None else glue_names, tokens)
    if name == "glossary":
        return stage(text, config.terms)
    return stage(text)


__all__ = ["CleanConfig", "clean", "clean_explained", "STAGES", "EVIDENCE_FREE"]
