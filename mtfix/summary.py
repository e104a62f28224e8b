"""What a batch run reports: each document's result, the run's summary (``--json``), and
the :class:`Reporter` that tells the user as the run goes (one line per document; the
progress bar of a terminal is :mod:`mtfix.progress`'s)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mtfix.errors import printable, printable_path


@dataclass
class DocumentResult:
    name: str
    status: str  # done, skipped, failed
    reason: str | None = None
    segments: int = 0
    translated: int = 0
    outputs: list[str] = field(default_factory=list)
    # Not in the summary: what a caller of a batch of one gets back (see translate_file).
    error: BaseException | None = field(default=None, repr=False, compare=False)
    document: object = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict:
        return {"name": self.name, "status": self.status, "reason": self.reason, "segments": self.segments,
                "translated": self.translated, "outputs": list(self.outputs)}


@dataclass
class BatchSummary:
    results: list[DocumentResult] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def exit_code(self) -> int:
        return 1 if self.count("failed") else 0

    def to_json(self) -> dict:
        segments = sum(r.segments for r in self.results if r.status == "done")
        translated = sum(r.translated for r in self.results if r.status == "done")
        return {
            "documents": len(self.results),
            "done": self.count("done"),
            "skipped": self.count("skipped"),
            "failed": self.count("failed"),
            "interrupted": self.interrupted,
            "segments": segments,
            "translated_segments": translated,
            "seconds": round(self.seconds, 3),
            "segments_per_second": round(translated / self.seconds, 2) if self.seconds else None,
            "timings": {stage: round(seconds, 3) for stage, seconds in self.timings.items()},
            "results": [result.to_json() for result in self.results],
        }


class Reporter:
    """What a batch tells the user as it goes; the default prints one line per document."""

    def __init__(self, echo=print, echo_error=print):
        self.echo, self.echo_error = echo, echo_error

    def start(self, documents: int) -> None:
        """``documents`` are to be prepared and translated (those unchanged are not)."""

    def planned(self, segments: int, characters: int) -> None:
        """One more document is prepared: this much of it goes to the model."""

    def progress(self, segments: float, characters: int) -> None:
        """This much more has been translated (or found in the memory)."""

    def skipped(self, path: Path) -> None:
        self.echo(f"{printable_path(path)}: unchanged since the last run, skipped")

    def done(self, path: Path, english: Path, segments: int, translated: int) -> None:
        self.echo(f"{printable_path(path)} → {printable_path(english)} ({segments} segments, {translated} translated)")

    def failed(self, path: Path, reason: str) -> None:
        self.echo_error(f"mtfix: {printable_path(path)}: {printable(reason)}")

    def warning(self, line: str) -> None:
        """A line about the run, not about one document (it starts with ``mtfix:``)."""
        self.echo_error(printable(line))

    def finish(self, summary: BatchSummary) -> None:
        pass
