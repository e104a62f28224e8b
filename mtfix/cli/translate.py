"""``mtfix translate`` and ``mtfix plan``: a file, a folder or standard input, through the
batch (:mod:`mtfix.batch`), with a progress bar on a terminal and a last line saying where
the outputs went.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn, Optional

import typer

from mtfix.cli.common import (
    check_format, clean_config_from, cores, engine_options, load_glossary, model_options, open_translation_memory,
    parse_size, usage_error,
)
from mtfix.errors import printable_path


def translate(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="A file, or a folder of .txt/.md/.html files."),
    out: Path = typer.Option(Path("outputs"), "--out", "-o", help="Folder for the outputs."),
    format_name: Optional[str] = typer.Option(None, "--format", "-f", help="Read the input as html, markdown or plain (default: by suffix, then content)."),
    engine: str = typer.Option("marian", "--engine", "-e", help="marian (opus-mt per language), nllb, ct2 (CTranslate2: the same models, int8, faster), or identity (every sentence back as sent: a dry run)."),
    model: Optional[list[str]] = typer.Option(None, "--model", "-m", help="Hub id or local folder for every language (overrides routing), or LANG=ID|FOLDER for one; repeatable."),
    beam_size: int = typer.Option(4, "--beam-size", "--beam", min=1, help="Beam size; 1 is greedy."),
    max_new_tokens: int = typer.Option(256, "--max-new-tokens", min=1, help="Longest output per segment."),
    max_source_tokens: int = typer.Option(200, "--max-source-tokens", min=8, help="Longer segments are split at clauses."),
    batch_size: int = typer.Option(16, "--batch-size", min=1, help="Most sentences per model call."),
    max_batch_tokens: int = typer.Option(0, "--max-batch-tokens", min=0, help="Most tokens per batch; 0: the engine's default (4096 padded tokens for transformers; 768 for ct2, a batch per CPU worker at a time)."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, cuda:N."),
    allow_pickle: bool = typer.Option(False, "--allow-pickle", help="Load pickle weights (trusted models only)."),
    compute_type: str = typer.Option("auto", "--compute-type", help="ct2: int8, int8_float16, float16, float32...; auto is int8 on CPU, int8_float16 on GPU."),
    threads: int = typer.Option(0, "--threads", min=0, help="ct2: CPU threads; 0 uses every core available."),
    term_repair: str = typer.Option("splice", "--term-repair", help="ct2: how a glossary term the model left out goes in: splice (where its source words were translated; no extra decoding) or resume (decoding resumes after it: more fluent, up to 2x slower)."),
    guard: str = typer.Option("retry", "--guard", help="Checks on every English sentence (loops, length, untranslated, wrong script, filler): off, flag (flag what fails), or retry (decode it again with the cures for loops, a larger beam, then clause by clause; flag what remains)."),
    max_retries: int = typer.Option(50, "--max-retries", min=0, help="Most retries (one sentence decoded once more) per document."),
    no_repeat_ngram_size: int = typer.Option(0, "--no-repeat-ngram-size", min=0, help="Never write the same N tokens twice, for every sentence (0: off; the guard's retries use 3)."),
    repetition_penalty: float = typer.Option(1.0, "--repetition-penalty", min=0.01, help="Penalty on tokens already written, for every sentence (1.0: off; the guard's retries use 1.2)."),
    no_clean: bool = typer.Option(False, "--no-clean", help="Skip de-garbling."),
    skip: str = typer.Option("", "--skip", help="Repairs to leave out, comma-separated (see `mtfix clean --help`)."),
    always_repair: bool = typer.Option(False, "--always-repair", help="Run every repair even where the document shows no damage of an earlier machine translation (see `mtfix clean --help`)."),
    glossary: list[Path] = typer.Option([], "--glossary", "-g", help="A glossary TSV to add (repeatable)."),
    no_default_glossary: bool = typer.Option(False, "--no-default-glossary", help="Leave out glossaries/ai-talent.tsv."),
    memory: Optional[str] = typer.Option(None, "--memory", help="Translation memory: a file (default: ~/.cache/mtfix/memory.sqlite3), or a postgresql:// URL a cluster shares."),
    no_memory: bool = typer.Option(False, "--no-memory", help="Neither reuse nor store translations."),
    links: bool = typer.Option(True, "--links/--no-links", help="Word links between each English sentence and its source, for the review page's highlighting and the alignment file; --no-links leaves them out (they come from the attention of the decoding itself)."),
    glob: list[str] = typer.Option([], "--glob", help="Only files matching this pattern (repeatable), e.g. '*.md'."),
    exclude: list[str] = typer.Option([], "--exclude", help="Leave out files matching this pattern (repeatable), e.g. 'drafts/**'."),
    hidden: bool = typer.Option(False, "--hidden", help="Also read hidden files and folders."),
    follow_links: bool = typer.Option(False, "--follow-links", help="Also read links that point outside the input folder."),
    absolute_paths: bool = typer.Option(False, "--absolute-paths", help="Name documents by their absolute path in pages and exports (default: relative to the folder given)."),
    max_bytes: str = typer.Option("512M", "--max-bytes", help="Refuse inputs larger than this (512M, 2G, bytes)."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Processes preparing documents (read, repair, split, detect) while the model translates; at most the cores available."),
    window: int = typer.Option(256, "--window", min=1, help="Segments of several documents translated together."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing but errors."),
    json_summary: bool = typer.Option(False, "--json", help="Print a machine-readable summary (with time per stage) at the end."),
    to_stdout: bool = typer.Option(False, "--stdout", help="Write the English document to standard output, and no other output (a file or -)."),
    executor: str = typer.Option("local", "--executor", help="local (this machine), or ray: documents prepared as Ray tasks and translated by a pool of actors, each loading the model once (pip install 'mtfix[ray]'); the same outputs."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="--executor ray: the cluster (auto, or ray://host:port); default: a Ray runtime on this machine."),
    actors: int = typer.Option(0, "--actors", min=0, help="--executor ray: translating actors (0: one per GPU of the cluster, else one per CPU, or per --threads for ct2)."),
    pdf_layout: bool = typer.Option(False, "--pdf-layout", help="Also write a PDF's English into its own pages (NAME.en.pdf: each text block's English in its box; images and drawings kept)."),
) -> None:
    """Translate a file or a folder to English: NAME.en.EXT, NAME.EXT.align.jsonl, NAME.EXT.review.html.
    PATH - reads standard input (the format from --format, else from its content)."""
    from mtfix.engines.base import TranslateConfig, create_engine
    from mtfix.inputs import TEXT_SUFFIXES, find_inputs

    options = engine_options(ctx, engine)  # --compute-type, --threads, --term-repair: read by name
    limit = parse_size(max_bytes)
    check_format(format_name)
    if executor not in ("local", "ray"):
        usage_error(f"--executor {executor}: choose local or ray")
    reads_stdin = str(path) == "-"
    if not reads_stdin and not path.exists() and not path.is_symlink():
        usage_error(f"{printable_path(path)}: no such file or folder")
    if to_stdout and path.is_dir():
        usage_error(f"--stdout: {printable_path(path)} is a folder; give one file, or - for standard input")
    if jobs > cores():
        typer.echo(f"mtfix: --jobs {jobs}: only {cores()} cores are available here; using {cores()}", err=True)
        jobs = cores()
    default_model, models = model_options(model, engine)
    translate_config = TranslateConfig(
        engine=engine, model=default_model, models=models, beam_size=beam_size, max_new_tokens=max_new_tokens,
        max_source_tokens=max_source_tokens, batch_size=batch_size, max_batch_tokens=max_batch_tokens, device=device, allow_pickle=allow_pickle,
        options=options, links=links, guard=guard, max_retries=max_retries, no_repeat_ngram_size=no_repeat_ngram_size,
        repetition_penalty=repetition_penalty,
    )
    clean_config = clean_config_from("" if no_clean else skip, everything=no_clean, gate=not always_repair)
    terms = load_glossary(glossary, default=not no_default_glossary)
    memory_store = open_translation_memory(memory, no_memory)
    if reads_stdin or to_stdout:
        _translate_one(path, None if to_stdout else out, translate_config, clean_config, memory_store, limit, format_name,
                       terms, pdf_layout)
        return
    inputs = find_inputs(path, out, glob, exclude, hidden, follow_links)
    for link, reason in inputs.skipped:
        typer.echo(f"mtfix: {printable_path(link)}: {reason}", err=True)
    if inputs.unsupported_summary():
        typer.echo(f"mtfix: {printable_path(path)}: {inputs.unsupported_summary()}", err=True)
    if not inputs.files:
        typer.echo(f"mtfix: {printable_path(path)}: no text files found (looked for {', '.join(sorted(TEXT_SUFFIXES))})", err=True)
        raise typer.Exit(1)
    try:
        if not path.is_dir():
            # One file that cannot be read is said before a model loads for nothing.
            from mtfix.sources import read_text

            read_text(path, limit)
        prepare = None
        if executor == "ray":
            from mtfix import ray_executor

            ray_executor.start(ray_address)
            engine_instance, prepare = ray_executor.RayEngine(translate_config, actors), ray_executor.prepared_documents
        else:
            engine_instance = create_engine(translate_config)
        engine_instance.check()  # the error that would fail every document, said once, before any
    except KeyboardInterrupt:
        _interrupted(0)
    from mtfix.batch import run_batch

    files = inputs.files
    reporter = _reporter(quiet or json_summary)
    try:
        summary = run_batch(files, path, out, engine_instance, translate_config, clean_config, memory_store,
                            jobs=jobs, window=window, reporter=reporter, max_bytes=limit,
                            absolute_paths=absolute_paths, format_name=format_name, glossary=terms,
                            pdf_layout=pdf_layout, prepare=prepare)
    except KeyboardInterrupt:  # a second Ctrl-C, while the first was being handled
        _interrupted(None)
    finally:
        reporter.finish(None)  # the terminal as it was: cursor shown, bar ended
    if json_summary:
        import json

        typer.echo(json.dumps({**summary.to_json(), "unsupported": [printable_path(p) for p in inputs.unsupported]},
                              ensure_ascii=False, indent=1))
    if summary.interrupted:
        _interrupted(summary.count("done"))
    if not (quiet or json_summary):
        _say_written(summary, out, path)
    raise typer.Exit(summary.exit_code)


def _interrupted(written: int | None) -> NoReturn:
    """Ctrl-C: one line, and the shell's exit status for SIGINT."""
    done = "" if written is None else f"{written} document{'' if written == 1 else 's'} written, "
    typer.echo(f"interrupted: {done}run again to resume", err=True)
    raise typer.Exit(130)


# The name standard input is read under, by --format (without one, its content decides).
_STDIN_NAMES = {"markdown": "stdin.md", "html": "stdin.html", "plain": "stdin.txt"}


def _translate_one(path: Path, out: Path | None, translate_config, clean_config, memory_store, limit: int,
                   format_name: str | None, glossary, pdf_layout: bool = False) -> None:
    """One document, from a file or standard input (``-``), to ``out`` (a batch of one:
    :func:`mtfix.pipeline.translate_file`) or, when None, its English alone to standard
    output."""
    import tempfile

    from mtfix.engines.base import create_engine
    from mtfix.errors import InputError
    from mtfix.formats.writer import english_document
    from mtfix.pipeline import translate_file

    engine = create_engine(translate_config)
    engine.check()
    with tempfile.TemporaryDirectory() as work:
        source, name = path, None
        if str(path) == "-":
            data = sys.stdin.buffer.read(limit + 1)
            if len(data) > limit:
                raise InputError(f"is larger than --max-bytes ({limit} bytes)", "-")
            # Read through a private file: every reader takes a path (the name gives the format).
            source, name = Path(work) / _STDIN_NAMES.get(format_name or "", "stdin"), "-"
            source.write_bytes(data)
        try:
            document = translate_file(source, out, translate_config, clean_config, engine, memory_store, glossary,
                                      max_bytes=limit, format_name=format_name, name=name, pdf_layout=pdf_layout)
        except KeyboardInterrupt:
            _interrupted(0)
    if out is None:
        sys.stdout.write(english_document(document))
        sys.stdout.flush()
    else:
        from mtfix.outputs import output_paths

        english = output_paths(source.name, out).english
        typer.echo(f"{printable_path(path)} → {printable_path(english)}")


def _reporter(quiet: bool):
    """Per-document lines; a live progress bar instead when stdout is a terminal; nothing
    but errors with --quiet or --json."""
    from mtfix.batch import Reporter

    def to_stderr(line: str) -> None:
        typer.echo(line, err=True)

    if quiet:
        return Reporter(echo=lambda line: None, echo_error=to_stderr)
    if not sys.stdout.isatty():
        return Reporter(echo=typer.echo, echo_error=to_stderr)
    from mtfix.progress import ProgressReporter

    return ProgressReporter(echo_error=to_stderr)


def _say_written(summary, out: Path, root: Path) -> None:
    """The run's last line: what was written where, and the page to open first."""
    done = [result for result in summary.results if result.status == "done"]
    if not root.is_dir() and not done and summary.count("failed"):
        return  # the one file's error was the one line to say
    segments = sum(result.segments for result in done)
    counts = [f"{n} {what}" for n, what in [(summary.count("skipped"), "unchanged"),
                                            (summary.count("failed"), "failed")] if n]
    documents = f"{len(done)} document{'' if len(done) == 1 else 's'}"
    page = None
    if root.is_dir():
        page = out / "index.html"
    elif done:
        page = next((out / name for name in done[0].outputs if name.endswith(".review.html")), None)
    line = f"wrote {documents} ({segments} segments) to {printable_path(out)}/" + "".join(f", {c}" for c in counts)
    if not done and not summary.count("failed"):
        line = f"nothing to do: {summary.count('skipped')} unchanged since the last run in {printable_path(out)}/"
    if page is None or not page.is_file():
        typer.echo(line)
        return
    uri = page.resolve().as_uri()
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markup import escape

        # A terminal that knows OSC 8 makes the name a link; others show the name.
        Console(highlight=False, soft_wrap=True).print(
            f"{escape(line)} — open [link={uri}]{escape(printable_path(page))}[/link]")
    else:
        typer.echo(f"{line} — open {printable_path(page)} ({uri})")


def plan(
    path: Path = typer.Argument(..., help="A file or a folder."),
    engine: str = typer.Option("marian", "--engine", "-e", help="marian, nllb, ct2 or identity."),
    model: Optional[list[str]] = typer.Option(None, "--model", "-m", help="As for translate: ID|FOLDER, or LANG=ID|FOLDER; repeatable."),
    beam_size: int = typer.Option(4, "--beam-size", "--beam", min=1, help="Beam size (the time estimate depends on it)."),
    glossary: list[Path] = typer.Option([], "--glossary", "-g", help="A glossary TSV to add (repeatable)."),
    no_default_glossary: bool = typer.Option(False, "--no-default-glossary", help="Leave out glossaries/ai-talent.tsv."),
    glob: list[str] = typer.Option([], "--glob", help="As for translate."),
    exclude: list[str] = typer.Option([], "--exclude", help="As for translate."),
    as_json: bool = typer.Option(False, "--json", help="The plan as one JSON object."),
) -> None:
    """What translate would do, without loading a model: segments per language, the model
    each goes to and whether it is cached, glossary terms, estimated tokens and time."""
    import json

    from mtfix.engines.base import TranslateConfig
    from mtfix.inputs import find_inputs
    from mtfix.plan import plan_run

    if not path.exists():
        usage_error(f"{printable_path(path)}: no such file or folder")
    default_model, models = model_options(model, engine)
    translate_config = TranslateConfig(engine=engine, model=default_model, models=models, beam_size=beam_size)
    terms = load_glossary(glossary, default=not no_default_glossary)
    inputs = find_inputs(path, Path("outputs"), glob, exclude)
    result = plan_run(inputs.files, translate_config, glossary=terms)
    if as_json:
        typer.echo(json.dumps(result.as_json(translate_config), ensure_ascii=False))
    else:
        for line in result.describe(translate_config):
            typer.echo(line)
