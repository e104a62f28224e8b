"""Wall time per pipeline stage, for ``--json`` summaries and ``benchmarks/speed.py``.

One process-wide table, because the stages are plain functions several calls deep and
threading a timer through every signature would be noise; worker processes (``--jobs``)
send theirs back with each document and the parent adds them up.
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager

STAGES = ("read", "degarble", "segment", "langid", "load", "translate", "align", "guard", "write")

_totals: Counter = Counter()


@contextmanager
def stage(name: str):
    """Add the time spent in the ``with`` block to stage ``name``.

    >>> reset()
    >>> with stage("read"):
    ...     pass
    >>> list(snapshot())
    ['read']
    """
    started = time.perf_counter()
    try:
        yield
    finally:
        _totals[name] += time.perf_counter() - started


def add(times: dict[str, float]) -> None:
    _totals.update(times)


def snapshot() -> dict[str, float]:
    """Seconds per stage so far, in pipeline order."""
    order = {name: i for i, name in enumerate(STAGES)}
    return {name: _totals[name] for name in sorted(_totals, key=lambda n: order.get(n, len(order)))}


def reset() -> None:
    _totals.clear()
