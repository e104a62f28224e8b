"""The progress bar of a batch on a terminal (rich's, which typer already brings).

It counts segments, not documents: one long document is most of a run's time. The total
is the segments planned so far, plus, while documents are still being prepared, as many
per document as those prepared had (shown with ``~``). The time left comes from the
characters translated per second since the first were, because a segment's cost grows
with its length, and a run's first seconds (loading a model) say nothing about its pace.
"""

from __future__ import annotations

import time

from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn
from rich.text import Text

from mtfix.summary import Reporter
from mtfix.errors import printable, printable_path


class _Counts(ProgressColumn):
    def __init__(self, reporter: "ProgressReporter"):
        super().__init__()
        self.reporter = reporter

    def render(self, task) -> Text:
        return Text(self.reporter.counts(), no_wrap=True, overflow="ellipsis")


class ProgressReporter(Reporter):
    def __init__(self, echo_error=print, clock=time.monotonic):
        super().__init__(echo=lambda line: None, echo_error=echo_error)
        self.clock = clock
        self.documents = self.prepared = self.finished = 0
        self.planned_segments = self.planned_characters = 0
        self.done_segments = 0.0
        self.done_characters = 0
        self.measured_from: tuple[float, int] | None = None  # (time, characters) at the first progress
        self.bar = Progress(TextColumn("[bold]translating"), BarColumn(bar_width=20), _Counts(self), transient=True)
        self.task = None

    # -- what is shown ---------------------------------------------------------------------
    def estimated_segments(self) -> float:
        if self.prepared == 0:
            return 0
        if self.prepared >= self.documents:
            return self.planned_segments
        return self.planned_segments / self.prepared * self.documents

    def seconds_left(self) -> float | None:
        """From the measured pace, or None until there is one (two seconds of it)."""
        if self.measured_from is None or self.prepared == 0:
            return None
        since, characters_then = self.measured_from
        elapsed = self.clock() - since
        characters = self.done_characters - characters_then
        if elapsed < 2 or characters <= 0:
            return None
        planned = self.planned_characters
        if self.prepared < self.documents:
            planned = planned / self.prepared * self.documents
        return max(0.0, planned - self.done_characters) / (characters / elapsed)

    def counts(self) -> str:
        if self.prepared == 0:
            total = "?"
        else:
            total = f"{'~' if self.prepared < self.documents else ''}{round(self.estimated_segments())}"
        left = self.seconds_left()
        shown_left = "–" if left is None else _duration(left)
        return (f"{int(self.done_segments)}/{total} segments · "
                f"{self.finished}/{self.documents} docs · {shown_left} left")

    def _refresh(self) -> None:
        if self.task is not None:
            self.bar.update(self.task, total=max(self.estimated_segments(), 1), completed=self.done_segments)

    # -- what the batch says -----------------------------------------------------------------
    def start(self, documents: int) -> None:
        self.documents = documents
        self.bar.start()
        self.task = self.bar.add_task("batch", total=None)

    def planned(self, segments: int, characters: int) -> None:
        self.prepared += 1
        self.planned_segments += segments
        self.planned_characters += characters
        self._refresh()

    def progress(self, segments: float, characters: int) -> None:
        self.done_segments += segments
        self.done_characters += characters
        if self.measured_from is None and characters:
            # The pace is measured from the end of the first step: before it, a model loaded.
            self.measured_from = (self.clock(), self.done_characters)
        self._refresh()

    def skipped(self, path) -> None:
        pass

    def done(self, path, english, segments: int, translated: int) -> None:
        self.finished += 1
        self._refresh()

    def failed(self, path, reason: str) -> None:
        # One line on stderr, printed above the bar, never wrapped: scripts and people grep these.
        self.echo_error(f"mtfix: {printable_path(path)}: {printable(reason)}")
        self.finished += 1
        self._refresh()

    def warning(self, line: str) -> None:
        self.echo_error(printable(line))

    def finish(self, summary) -> None:
        # Twice is harmless: the command ends the bar again, whatever stopped the batch.
        self.bar.stop()


def _duration(seconds: float) -> str:
    """
    >>> _duration(42), _duration(125), _duration(3725)
    ('42 s', '2 min 5 s', '1 h 2 min')
    """
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
