"""Documents prepared (read, de-garbled, split, their languages detected) ahead of
translation: in ``jobs`` worker processes while the main process keeps the model busy, or in
this process when ``jobs`` is 1. A document that cannot be prepared comes back as its reason,
and the batch goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from mtfix import manifest, timing
from mtfix.errors import MtfixError, reason_of

log = logging.getLogger(__name__)


def _ignore_interrupts() -> None:
    # Worker processes share the terminal's process group: Ctrl-C is the parent's to handle.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def prepare_in_worker(path: str, clean_config, max_bytes: int, format_name: str | None = None, glossary=None):
    """Run in a worker process: (the prepared document or None, the line that says why not
    or None, the worker's stage times). A line, not the exception: not every exception
    crosses a process boundary."""
    from mtfix.pipeline import prepare_document

    timing.reset()
    try:
        document = prepare_document(path, clean_config, max_bytes, format_name, glossary)
    except Exception as error:  # noqa: BLE001  (our bug or the file's, one document's: the batch goes on)
        return None, reason_of(error), timing.snapshot()
    return document, None, timing.snapshot()


def prepared_documents(files: list[Path], clean_config, jobs: int, max_bytes: int,
                       format_name: str | None = None, glossary=None) -> Iterator[tuple[Path, object, Exception | None]]:
    """(path, document or None, the error that stopped it or None) for each file, in order.
    An error in a worker process comes back as an :class:`MtfixError` of its message."""
    if jobs <= 1 or len(files) < 2:
        for path in files:
            document, error, _ = _prepare_locally(path, clean_config, max_bytes, format_name, glossary)
            yield path, document, error
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: the parent may hold a loaded model and its threads.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_ignore_interrupts)
    try:
        ahead = 4 * jobs  # documents prepared ahead of translation: enough to keep busy, bounded memory
        futures = {}
        submitted = 0
        for number, path in enumerate(files):
            while submitted < len(files) and submitted < number + ahead:
                futures[submitted] = pool.submit(prepare_in_worker, str(files[submitted]), clean_config, max_bytes,
                                                 format_name, glossary)
                submitted += 1
            document, error, times = futures.pop(number).result()
            timing.add(times)
            yield path, document, None if error is None else MtfixError(error)
    finally:
        # Closed early (an interrupt): what is queued is dropped, not prepared for nothing.
        pool.shutdown(wait=True, cancel_futures=True)


def _prepare_locally(path: Path, clean_config, max_bytes: int, format_name: str | None = None, glossary=None):
    from mtfix.pipeline import prepare_document

    try:
        return prepare_document(path, clean_config, max_bytes, format_name, glossary), None, None
    except MtfixError as error:
        return None, error, None
    except Exception as error:  # our bug, but one document's: the batch goes on
        log.exception("preparing %s", path)
        return None, error, None


def input_digest(path: Path, max_bytes: int) -> tuple[str, MtfixError | None]:
    """(sha256 of the input's bytes, None) or ("", why it cannot be read): read with the
    same checks as the document itself, so a FIFO or a device never blocks the batch."""
    from mtfix.sources import read_bytes

    try:
        return manifest.sha256_bytes(read_bytes(path, max_bytes)), None
    except MtfixError as error:
        return "", error
