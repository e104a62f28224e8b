"""Composing repair stages so that every edit stays an edit on the raw text.

Each stage of the de-garbler sees the text the previous stages produced and returns edits on
*that* text. ``compose`` turns (edits on raw, edits on the intermediate text) into edits on
raw. Where a later edit overlaps an earlier one, the two become one edit whose kind names
both (``mojibake+glue``), so the log never claims a repair it did not make alone.
"""

from __future__ import annotations

import bisect

from mtfix.document import Edit, OffsetMap, apply_edits, edit_span, sort_and_check


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    if a_start < b_end and b_start < a_end:
        return True
    # A zero-width span strictly inside the other also overlaps it.
    return (a_start == a_end and b_start < a_start < b_end) or (
        b_start == b_end and a_start < b_start < a_end
    )


def compose(raw: str, first: list[Edit], second: list[Edit], *, first_checked: bool = False) -> list[Edit]:
    """Edits on ``raw`` equivalent to applying ``first`` (on raw), then ``second`` (on the
    result of ``first``). ``first_checked``: ``first`` is sorted and checked already (it is
    what compose returned before: every stage of every round composes its edits with all
    the edits so far, and checking them all again each time was a fifth of the cost).

    One walk over the two sorted lists, merged: a stage's edits rarely touch earlier ones,
    and an edit that touches none maps to raw through the offsets alone, so the
    intermediate text is only built when some cluster needs it. (Every stage of every
    round composes its edits with all the edits so far: this loop is kept plain.)"""
    if not first_checked:
        first = sort_and_check(first)
    second = sort_and_check(second)
    if not second:
        return first
    if not first:
        return second

    # Where the first's edits lie in the intermediate text, and how its positions map
    # back to raw (the map reads edits in order; these are sorted and checked above).
    offsets = OffsetMap(raw, first, checked=True)
    starts, ends = offsets.clean_starts, offsets.clean_ends

    # The usual case: no edit of the second touches one of the first. Each maps to raw on
    # its own and goes in among the first's, with no walk over the whole list in Python.
    alone = _map_alone(raw, first, second, offsets)
    if alone is not None:
        return alone

    # Both lists as (start, end, is_second, edit), in order of (start, end), the first's
    # edits before the second's on a tie.
    items: list[tuple[int, int, int, Edit]] = []
    i = j = 0
    count_first, count_second = len(first), len(second)
    while i < count_first or j < count_second:
        if j == count_second or (i < count_first and (starts[i], ends[i]) <= (second[j].raw_start, second[j].raw_end)):
            items.append((starts[i], ends[i], 0, first[i]))
            i += 1
        else:
            edit = second[j]
            items.append((edit.raw_start, edit.raw_end, 1, edit))
            j += 1

    result: list[Edit] = []
    intermediate: str | None = None
    cluster = [items[0]]
    low, high = items[0][0], items[0][1]
    for item in items[1:] + [None]:
        if item is not None and _overlaps(low, high, item[0], item[1]):
            cluster.append(item)
            if item[1] > high:
                high = item[1]
            continue
        # The cluster is complete.
        if len(cluster) == 1:
            edit = cluster[0][3]
            if not cluster[0][2]:
                result.append(edit)  # a first edit nothing touched
            else:  # a second edit alone: the text under it is raw text, moved
                result.append(_moved_to_raw(raw, edit, offsets))
        else:
            firsts = [member[3] for member in cluster if not member[2]]
            if firsts:
                raw_start = min(offsets.start(low), min(e.raw_start for e in firsts))
                raw_end = max(offsets.end(high), max(e.raw_end for e in firsts))
            else:
                raw_start, raw_end = _raw_span(offsets, low, high)
            if intermediate is None:
                intermediate = apply_edits(raw, first)
            replacement, kinds, reasons, flags = _merged(intermediate, low, high, cluster)
            result.append(Edit(raw_start, raw_end, replacement, kinds, reasons, raw[raw_start:raw_end], flags=flags))
        if item is not None:
            cluster = [item]
            low, high = item[0], item[1]
    return sort_and_check(_join_insertions(result))


def _join_insertions(edits: list[Edit]) -> list[Edit]:
    """Two insertions at one raw position become one (the second step inserted right
    before or after text the first step inserted): their texts in the order they stand."""
    joined: list[Edit] = []
    for edit in edits:
        last = joined[-1] if joined else None
        if (last is not None and edit.raw_start == edit.raw_end == last.raw_start == last.raw_end):
            joined[-1] = Edit(last.raw_start, last.raw_end, last.replacement + edit.replacement,
                              "+".join(dict.fromkeys(last.kind.split("+") + edit.kind.split("+"))),
                              "; then ".join(dict.fromkeys((last.reason, edit.reason))), "",
                              flags=tuple(dict.fromkeys(last.flags + edit.flags)))
        else:
            joined.append(edit)
    return joined


def _raw_span(offsets: OffsetMap, start: int, end: int) -> tuple[int, int]:
    """The raw span under intermediate[start:end], which no first edit touches (an
    insertion stays an insertion)."""
    raw_start = offsets.start(start)
    return raw_start, raw_start if end == start else offsets.end(end)


def _moved_to_raw(raw: str, edit: Edit, offsets: OffsetMap) -> Edit:
    """A second edit that touches no first edit, on the raw text under it."""
    raw_start, raw_end = _raw_span(offsets, edit.raw_start, edit.raw_end)
    return edit.copy_with(raw_start=raw_start, raw_end=raw_end, original=raw[raw_start:raw_end])


def _map_alone(raw: str, first: list[Edit], second: list[Edit], offsets: OffsetMap) -> list[Edit] | None:
    """The composed edits when no edit of ``second`` overlaps one of ``first`` (nor is an
    insertion where the first inserted too); None otherwise."""
    starts, ends = offsets.clean_starts, offsets.clean_ends
    mapped: list[Edit] = []
    insertions = None
    for edit in second:
        # The first's edits that can overlap this one lie around where it ends.
        k = max(0, bisect.bisect_left(ends, edit.raw_start) - 1)
        while k < len(starts) and starts[k] <= edit.raw_end:
            if _overlaps(starts[k], ends[k], edit.raw_start, edit.raw_end):
                return None
            k += 1
        moved = _moved_to_raw(raw, edit, offsets)
        if moved.raw_start == moved.raw_end:
            if insertions is None:
                insertions = {e.raw_start for e in first if e.raw_start == e.raw_end}
            if moved.raw_start in insertions:
                return None  # two insertions at one place: the general way joins them
        mapped.append(moved)
    # Sorted, not checked again: the first's edits were, the mapped ones keep the order of
    # the second's (mapping is monotone), and no mapped edit overlaps one of the first's
    # (tested above) or, being one of the checked second's, another mapped one.
    return sorted(first + mapped, key=edit_span)


def _merged(intermediate: str, low: int, high: int, cluster: list) -> tuple[str, str, str, tuple[str, ...]]:
    """(replacement, kinds, reasons, flags) of one edit for a cluster of overlapping edits
    spanning intermediate[low:high]: the first's edits, then the second's."""
    local = [Edit(m[3].raw_start - low, m[3].raw_end - low, m[3].replacement, m[3].kind, m[3].reason)
             for m in cluster if m[2]]
    replacement = apply_edits(intermediate[low:high], local)
    in_order = [m[3] for m in cluster if not m[2]] + [m[3] for m in cluster if m[2]]
    kinds = "+".join(dict.fromkeys(e.kind for e in in_order))
    reasons = "; then ".join(dict.fromkeys(e.reason for e in in_order))
    flags = tuple(dict.fromkeys(f for e in in_order for f in e.flags))
    return replacement, kinds, reasons, flags
