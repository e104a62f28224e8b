"""Composing repair stages so that every edit stays an edit on the raw text.

Each stage of the de-garbler sees the text the previous stages produced and returns edits on
*that* text. ``compose`` turns (edits on raw, edits on the intermediate text) into edits on
raw. Where a later edit overlaps an earlier one, the two become one edit whose kind names
both (``mojibake+glue``), so the log never claims a repair it did not make alone.
"""

from __future__ import annotations

from mtfix.document import Edit, OffsetMap, apply_edits, sort_and_check


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    if a_start < b_end and b_start < a_end:
        return True
    # A zero-width span strictly inside the other also overlaps it.
    return (a_start == a_end and b_start < a_start < b_end) or (
        b_start == b_end and a_start < b_start < a_end
    )


def compose(raw: str, first: list[Edit], second: list[Edit]) -> list[Edit]:
    """Edits on ``raw`` equivalent to applying ``first`` (on raw), then ``second`` (on the
    result of ``first``)."""
    first = sort_and_check(first)
    second = sort_and_check(second)
    if not second:
        return first
    if not first:
        return second
    intermediate = apply_edits(raw, first)
    offsets = OffsetMap(raw, first)

    # Spans of the first edits in intermediate coordinates.
    placed: list[tuple[int, int, Edit]] = []
    shift = 0
    for edit in first:
        start = edit.raw_start + shift
        placed.append((start, start + len(edit.replacement), edit))
        shift += len(edit.replacement) - (edit.raw_end - edit.raw_start)

    # Cluster intervals (in intermediate coordinates) that overlap.
    items = [(s, e, "first", ed) for s, e, ed in placed] + [
        (ed.raw_start, ed.raw_end, "second", ed) for ed in second
    ]
    items.sort(key=lambda item: (item[0], item[1]))
    clusters: list[list] = []
    for item in items:
        if clusters:
            last = clusters[-1]
            last_start = min(i[0] for i in last)
            last_end = max(i[1] for i in last)
            if _overlaps(last_start, last_end, item[0], item[1]):
                last.append(item)
                continue
        clusters.append([item])

    result: list[Edit] = []
    for cluster in clusters:
        firsts = [i for i in cluster if i[2] == "first"]
        seconds = [i for i in cluster if i[2] == "second"]
        if not seconds:
            result.append(firsts[0][3])
            continue
        start = min(i[0] for i in cluster)
        end = max(i[1] for i in cluster)
        if firsts:
            raw_start = min(offsets.start(start), min(i[3].raw_start for i in firsts))
            raw_end = max(offsets.end(end), max(i[3].raw_end for i in firsts))
        else:
            raw_start, raw_end = offsets.start(start), offsets.end(end)
            if end == start:
                raw_end = raw_start
        local = [
            Edit(i[3].raw_start - start, i[3].raw_end - start, i[3].replacement, i[3].kind, i[3].reason)
            for i in seconds
        ]
        replacement = apply_edits(intermediate[start:end], local)
        edits_in_order = [i[3] for i in sorted(cluster, key=lambda i: i[2])]
        kinds = "+".join(dict.fromkeys(e.kind for e in edits_in_order))
        reasons = "; then ".join(dict.fromkeys(e.reason for e in edits_in_order))
        flags = tuple(dict.fromkeys(f for e in edits_in_order for f in e.flags))
        result.append(Edit(raw_start, raw_end, replacement, kinds, reasons, raw[raw_start:raw_end], flags=flags))
    return sort_and_check(result)
