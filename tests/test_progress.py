"""The progress bar of ``mtfix translate`` on a terminal (:mod:`mtfix.progress`): what it
counts and how it says the time left; the batch's side of progress is in test_batch."""

from __future__ import annotations

import pytest

from mtfix.progress import ProgressReporter


def test_the_progress_bar_counts_segments_planned_and_time_left_from_the_pace(tmp_path):
    now = [100.0]
    errors = []
    reporter = ProgressReporter(echo_error=errors.append, clock=lambda: now[0])
    reporter.start(4)
    assert reporter.counts() == "0/? segments · 0/4 docs · – left"
    reporter.planned(10, 1000)
    reporter.planned(30, 3000)
    # Two of four documents prepared: the total is estimated from them, and says so.
    assert reporter.counts().startswith("0/~80 segments")
    now[0] += 30  # a model loading: not part of the pace
    reporter.progress(5, 500)
    assert reporter.seconds_left() is None
    now[0] += 10
    reporter.progress(5, 500)  # 500 characters in 10 s; 8000 estimated, 1000 done
    assert reporter.seconds_left() == pytest.approx(140)
    reporter.planned(20, 2000)
    reporter.planned(20, 2000)
    reporter.done(tmp_path / "a.txt", tmp_path / "a.en.txt", 12, 10)
    reporter.failed(tmp_path / "c.txt", "not text (binary)")
    assert reporter.counts() == "10/80 segments · 2/4 docs · 2 min 20 s left"
    reporter.finish(None)
    reporter.finish(None)  # the command ends it again; harmless
    assert errors == [f"mtfix: {tmp_path / 'c.txt'}: not text (binary)"]
