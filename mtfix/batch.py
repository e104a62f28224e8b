"""Batch runs: a folder of documents through one engine, resumable, one failure isolated.

- Documents are prepared (read, de-garbled, segmented, language-tagged) ahead of
  translation, in ``jobs`` worker processes when ``jobs > 1``, while the main process keeps
  the model busy.
- Prepared documents are translated in *windows* of about ``window`` segments: the segments
  of every document in a window go to the engine together, one call per language, so a
  folder of short documents fills batches as well as one long document does.
- Every document of a window is written (atomically) and recorded in ``manifest.json`` as
  soon as the window is done; a document already done with the same bytes and plan is
  skipped (:mod:`mtfix.manifest`), and segments already translated come from the memory.
- A document that cannot be read or translated is reported in one line and the batch goes
  on; if a window fails as a whole, its documents are retried one by one so that only the
  bad one fails.
- Interrupted (Ctrl-C), a batch stops translating, writes the documents of the window it
  was in whose every piece is already in the memory (which holds each chunk as soon as it
  is translated), saves the manifest and returns, marked ``interrupted``: the next run
  resumes from there.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from contextlib import contextmanager
from collections import Counter
from pathlib import Path

from mtfix import manifest, timing
from mtfix.errors import MtfixError, printable_path, reason_of
from mtfix.memory import RunMemory
# (What a run reports lives in mtfix.summary; imported from here by callers of run_batch.)
from mtfix.summary import BatchSummary, DocumentResult, Reporter  # noqa: F401

log = logging.getLogger(__name__)

DEFAULT_WINDOW = 256  # segments translated together; bounds memory, fills batches


@contextmanager
def _interrupt_after():
    """Hold a Ctrl-C that comes inside the block until its end, so that a document's
    outputs and its record in the manifest are made together: a Ctrl-C between them left
    a document written but not recorded (the next run redid it, and the count of
    documents written was one short). Only the main thread receives signals."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    pressed = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: pressed.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


class _NotInMemory(Exception):
    pass


class _WatchedEngine:
    """The run's engine, noting the languages it has translated; once ``memory_only`` is
    set (the run was interrupted) it translates nothing more and loads no model, so that
    a document can be finished only from what the memory holds."""

    def __init__(self, engine):
        self.engine, self.name = engine, engine.name
        self.used: set[str] = set()
        self.memory_only = False

    def _allowed(self, lang: str) -> None:
        if self.memory_only and lang not in self.used:
            raise _NotInMemory(lang)

    def check(self) -> None:
        self.engine.check()

    def model_for(self, lang: str) -> str:
        self._allowed(lang)
        return self.engine.model_for(lang)

    def count_tokens(self, texts: list[str], lang: str) -> list[int]:
        from mtfix.engines.base import count_tokens

        self._allowed(lang)
        return count_tokens(self.engine, texts, lang)

    def translate(self, texts: list[str], lang: str, terms=None, decoding=None):
        from mtfix.engines.base import translate_with

        if self.memory_only:
            raise _NotInMemory(lang)
        self.used.add(lang)
        return translate_with(self.engine, texts, lang, terms, decoding)

    @property
    def takes_decoding(self) -> bool:
        from mtfix.engines.base import takes_decoding

        return takes_decoding(self.engine)

    @property
    def submit(self):
        """The engine's ``submit`` (chunks sent ahead, :mod:`mtfix.ray_executor`), watched as
        ``translate`` is; None for an engine without one."""
        inner = getattr(self.engine, "submit", None)
        if inner is None:
            return None

        def submit(texts: list[str], lang: str, terms=None):
            if self.memory_only:
                raise _NotInMemory(lang)
            self.used.add(lang)
            return inner(texts, lang, terms)

        return submit

    def __getattr__(self, name: str):  # align, and whatever else an engine offers
        return getattr(self.engine, name)


def index_row(file: Path, root: Path, document, report: Path | None, error: str | None) -> dict:
    """One document's line in the batch index."""
    name = printable_path(file.relative_to(root) if root.is_dir() else file.name)
    if document is None:
        return {"name": name, "error": error}
    return {
        "name": name,
        "report": report.as_posix() if report else None,
        "languages": dict(Counter(s.lang for s in document.segments if s.translate).most_common()),
        "segments": len(document.segments),
        "translated": len(document.translations),
        "edits": len(document.edits),
        "flags": dict(Counter(f for s in document.segments for f in s.flags)
                      + Counter(f for t in document.translations.values() for f in t.flags)),
    }


def run_batch(files: list[Path], root: Path, out: Path, engine, translate_config, clean_config, memory=None,
              jobs: int = 1, window: int = DEFAULT_WINDOW, reporter: Reporter | None = None,
              max_bytes: int | None = None, absolute_paths: bool = False,
              format_name: str | None = None, resume: bool = True, keep_documents: bool = False,
              glossary=None, names: dict[Path, str] | None = None, pdf_layout: bool = False,
              prepare=None) -> BatchSummary:
    """Translate ``files`` (found under ``root``, a folder or the one file) into ``out``,
    mirroring the tree; returns what became of each. The rules that keep the user's files
    safe are :mod:`mtfix.outputs`'. Pages and exports name each document by its path
    relative to ``root`` (a page shared with a colleague does not show the sender's
    folders), or by its absolute path with ``absolute_paths``. ``format_name``: read every
    file as that format (default: each by its suffix, then its content). ``glossary``: the
    terms the repairs mend and the translation pins (None: none). ``resume``: skip a
    document done before with the same bytes and plan. ``keep_documents``: each result of
    a document done holds it (a failed one always holds its error). ``names``: what a file
    is called instead (standard input is ``-``). ``pdf_layout``: a PDF's English is also set
    into its pages (a part of the plan: a PDF done without them is done again).
    ``prepare``: what prepares the documents (default: this machine's worker processes,
    :func:`mtfix.workers.prepared_documents`; :mod:`mtfix.ray_executor`'s on a cluster)."""
    from mtfix.engines.routing import model_revision
    from mtfix.outputs import OutputFolder
    from mtfix.pipeline import make_signature, translate_documents, write_outputs
    from mtfix.sources import DEFAULT_MAX_BYTES
    from mtfix.translate import PASS_THROUGH_LANGUAGES
    from mtfix.workers import input_digest, prepared_documents

    reporter = reporter or Reporter()
    max_bytes = max_bytes or DEFAULT_MAX_BYTES
    started = time.perf_counter()
    timing.reset()
    summary = BatchSummary()
    plan = make_signature(clean_config, translate_config, [], glossary) + ("|pdf-layout:yes" if pdf_layout else "")
    folder = OutputFolder(out, files, warn=reporter.warning)
    state = folder.state
    index_rows: dict[str, dict] = {}

    def name_of(file: Path) -> str:
        if names and file in names:
            return printable_path(names[file])
        return printable_path(file.relative_to(root).as_posix() if root.is_dir() else file.name)

    def target_of(file: Path) -> Path:
        # The output tree mirrors the input's, with names that print on one line as UTF-8.
        return out / printable_path(file.parent.relative_to(root)) if root.is_dir() else out

    order = [name_of(file) for file in files]

    def save_state() -> None:
        try:
            folder.save()
        except MtfixError as error:
            reporter.failed(out / manifest.NAME, error.message)

    said: set[str] = set()  # reasons already printed in full

    def fail(file: Path, sha256: str, error: BaseException, save: bool = True) -> None:
        name = name_of(file)
        reason = reason_of(error)
        # A missing model fails every document of its language with the same long line: it
        # is printed in full once, then named (the index and the manifest keep it whole).
        shown = reason
        if " is not in the local Hugging Face cache" in reason and reason in said:
            shown = f"{reason.split(' is not in')[0]} is missing (as said above)"
        said.add(reason)
        reporter.failed(file, shown)
        index_rows[name] = index_row(file, root, None, None, reason)
        summary.results.append(DocumentResult(name, "failed", reason, error=error))
        state["documents"][name] = {"status": "failed", "sha256": sha256, "plan": plan, "error": reason,
                                    "index": index_rows[name]}
        if save:
            save_state()

    def revision(reference: str) -> str | None:
        try:
            return model_revision(reference)
        except (MtfixError, OSError):
            return None

    folder.start()
    todo: list[tuple[Path, str]] = []
    unreadable: dict[Path, MtfixError] = {}
    for file in files:
        name = name_of(file)
        sha256, problem = input_digest(file, max_bytes)
        if problem:
            unreadable[file] = problem
            todo.append((file, ""))
            continue
        done = manifest.finished(state, name, sha256, plan, out, revision) if resume else None
        if done is not None:
            index_rows[name] = done["index"]
            summary.results.append(DocumentResult(name, "skipped", "unchanged since the last run",
                                                  outputs=list(done.get("outputs", []))))
            reporter.skipped(file)
        else:
            todo.append((file, sha256))
    reporter.start(len(todo))
    hashes = dict(todo)
    engine = _WatchedEngine(engine)
    memory = memory if memory is not None else RunMemory()
    reported = [0.0, 0]  # progress reported in the current window

    def on_progress(segments: float, characters: int) -> None:
        reported[0] += segments
        reported[1] += characters
        reporter.progress(segments, characters)

    def finish_window(documents: list[tuple[Path, object]]) -> None:
        try:
            translate_documents([d for _, d in documents], engine, translate_config, clean_config, memory,
                                on_progress=on_progress, glossary=glossary)
        except Exception as error:  # noqa: BLE001  (isolate the bad document below)
            if len(documents) == 1:
                if not isinstance(error, MtfixError):
                    log.exception("translating %s", documents[0][0])
                fail(documents[0][0], hashes[documents[0][0]], error)
                return
            for one in documents:
                finish_window([one])
            return
        for file, document in documents:
            write(file, document)
        # Once per window, not per document: the manifest is rewritten whole, so saving it
        # after every document made a folder's run quadratic in its number of documents. A
        # run killed mid-window redoes that window's documents, whose outputs are written
        # atomically and come out the same.
        save_state()

    def write(file: Path, document) -> None:
        with _interrupt_after():
            record(file, document)

    def record(file: Path, document) -> None:
        try:
            paths = write_outputs(document, target_of(file), folder, file, pdf_layout)
        except MtfixError as error:
            fail(file, hashes[file], error, save=False)
            return
        name = name_of(file)
        outputs = [folder.relative(p) for p in paths.all()]
        index_rows[name] = index_row(file, root, document, paths.report.relative_to(out), None)
        models = sorted({t.model for t in document.translations.values()})
        state["documents"][name] = {"status": "done", "sha256": hashes[file], "plan": plan, "outputs": outputs,
                                    "models": {m: revision(m) for m in models},
                                    "signature": document.signature, "index": index_rows[name]}
        summary.results.append(DocumentResult(name, "done", None, len(document.segments),
                                              len(document.translations), outputs,
                                              document=document if keep_documents else None))
        reporter.done(file, paths.english, len(document.segments), len(document.translations))

    def run_window(documents: list[tuple[Path, object, list]], planned: tuple[int, int]) -> None:
        """Translate and write one window; then its progress is made whole (segments no
        model was asked for, documents that failed)."""
        reported[:] = [0.0, 0]
        finish_window([(file, document) for file, document, _ in documents])
        reporter.progress(max(0.0, planned[0] - reported[0]), max(0, planned[1] - reported[1]))

    def finish_from_memory(documents: list[tuple[Path, object, list]]) -> None:
        """After an interrupt: write each document of the window whose pieces are all in
        the memory (translated before the interrupt), without the engine."""
        engine.memory_only = True
        finished = {result.name for result in summary.results}
        for file, document, flags in documents:
            if name_of(file) in finished:
                continue
            for segment, before in zip(document.segments, flags):
                segment.flags = list(before)
            try:
                translate_documents([document], engine, translate_config, clean_config, memory, glossary=glossary)
            except Exception:  # noqa: BLE001  (not all in the memory: the next run does it)
                continue
            write(file, document)

    pending: list[tuple[Path, object, list]] = []
    pending_segments = pending_characters = 0
    readable = [file for file, _ in todo if file not in unreadable]
    prepared = (prepare or prepared_documents)(readable, clean_config, jobs, max_bytes, format_name, glossary)
    try:
        for file, _ in todo:
            if file in unreadable:
                fail(file, "", unreadable[file])
                continue
            _, document, error = next(prepared)
            if document is None:
                fail(file, hashes[file], error)
                continue
            document.path = printable_path(file.resolve()) if absolute_paths else name_of(file)
            to_translate = [s for s in document.segments if s.translate and s.lang not in PASS_THROUGH_LANGUAGES]
            characters = sum(len(s.text) for s in to_translate)
            reporter.planned(len(to_translate), characters)
            # The flags before translation: an interrupted window is finished again from them.
            pending.append((file, document, [list(s.flags) for s in document.segments]))
            pending_segments += len(to_translate)
            pending_characters += characters
            if pending_segments >= window:
                run_window(pending, (pending_segments, pending_characters))
                pending, pending_segments, pending_characters = [], 0, 0
        if pending:
            run_window(pending, (pending_segments, pending_characters))
            pending = []
    except KeyboardInterrupt:
        summary.interrupted = True
        prepared.close()
        finish_from_memory(pending)
        save_state()

    if root.is_dir():
        from mtfix.export.html import render_index

        index = out / "index.html"
        try:
            folder.check_replaceable(index)
            folder.write(index, render_index([index_rows[n] for n in order if n in index_rows], printable_path(root.name)),
                         folder.mode_for(None))
        except MtfixError as error:
            reporter.failed(index, error.message)
    folder.finish()
    # Results in the order of the files, whatever order they finished in.
    position = {name: i for i, name in enumerate(order)}
    summary.results.sort(key=lambda result: position.get(result.name, len(position)))
    summary.seconds = time.perf_counter() - started
    summary.timings = timing.snapshot()
    reporter.finish(summary)
    return summary
