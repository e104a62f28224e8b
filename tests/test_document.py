import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtfix.document import Edit, OffsetMap, OverlappingEditsError, apply_edits


def test_apply_replays_edits_in_order_of_start():
    raw = "Itâ€™s here Â·ok"
    edits = [Edit(12, 13, "", "mojibake", "x"), Edit(2, 5, "’", "mojibake", "x")]
    assert apply_edits(raw, edits) == "It’s here ·ok"


def test_overlapping_edits_are_refused():
    with pytest.raises(OverlappingEditsError):
        apply_edits("abcdef", [Edit(0, 3, "x", "k", "r"), Edit(2, 4, "y", "k", "r")])


def test_offset_map_covers_whole_edit_and_shifts_after_it():
    raw = "ab XYZW cd"
    edits = [Edit(3, 7, "Q", "k", "r")]  # clean: "ab Q cd"
    offsets = OffsetMap(raw, edits)
    assert offsets.start(0) == 0
    assert offsets.start(3) == 3 and offsets.end(4) == 7  # "Q" covers "XYZW"
    assert offsets.start(5) == 8 and offsets.end(7) == 10  # "cd"


def test_offset_map_deletion_falls_in_the_gap():
    raw = "one. I don't know.two"
    edits = [Edit(4, 18, "", "filler", "r")]  # clean: "one.two"
    offsets = OffsetMap(raw, edits)
    assert offsets.end(4) == 4  # "one." ends before the deleted text
    assert offsets.start(4) == 18  # "two" starts after it


@st.composite
def text_and_edits(draw):
    raw = draw(st.text(alphabet="abcé字 .\n", min_size=0, max_size=40))
    cuts = sorted(draw(st.lists(st.integers(0, len(raw)), max_size=8, unique=True)))
    edits = []
    for a, b in zip(cuts[::2], cuts[1::2]):
        edits.append(Edit(a, b, draw(st.text(alphabet="XY", max_size=3)), "k", "r"))
    return raw, edits


@settings(max_examples=300, deadline=None)
@given(text_and_edits())
def test_offset_map_is_monotonic_and_exact_outside_edits(case):
    raw, edits = case
    clean = apply_edits(raw, edits)
    offsets = OffsetMap(raw, edits)
    starts = [offsets.start(c) for c in range(len(clean) + 1)]
    ends = [offsets.end(c) for c in range(len(clean) + 1)]
    assert starts == sorted(starts) and ends == sorted(ends)
    assert all(0 <= value <= len(raw) for value in starts + ends)
    # Characters that no edit produced sit at their mapped raw offset, unchanged.
    produced = set()
    shift = 0
    for edit in sorted(edits, key=lambda e: e.raw_start):
        clean_start = edit.raw_start + shift
        produced.update(range(clean_start, clean_start + len(edit.replacement)))
        shift += len(edit.replacement) - (edit.raw_end - edit.raw_start)
    for c, char in enumerate(clean):
        if c not in produced:
            assert raw[offsets.start(c)] == char
            assert offsets.end(c + 1) == offsets.start(c) + 1


def test_copy_with_is_dataclasses_replace_and_leaves_the_edit_alone():
    import dataclasses

    edit = Edit(3, 5, "é", "mojibake", "ftfy repair", "Ã©", flags=("lossy",))
    moved = edit.copy_with(raw_start=13, raw_end=15, id=7)
    assert moved == dataclasses.replace(edit, raw_start=13, raw_end=15, id=7)
    assert hash(moved) == hash(dataclasses.replace(edit, raw_start=13, raw_end=15, id=7))
    assert (edit.raw_start, edit.id) == (3, -1)  # the original is as it was
    with pytest.raises(dataclasses.FrozenInstanceError):
        moved.raw_start = 0  # type: ignore[misc]
    with pytest.raises(TypeError, match="'start'"):
        edit.copy_with(start=1)
