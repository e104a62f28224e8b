"""The ``mtfix`` command: a thin typer layer over ``mtfix.pipeline``.

Nothing heavy is imported at module level: ``mtfix --help`` never loads torch.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import NoReturn, Optional

import typer

from mtfix import __version__
from mtfix.errors import MtfixError, UsageError, printable, printable_path

def _plain_help(params) -> None:
    """Help as Unix tools write it. typer 0.29 shows a flag as if it took a value
    (``--quiet <bool>``), an argument in braces (``{path}``) and a repeatable option as a
    list (``<list[str]>``): flags get no type, arguments their name in capitals, repeatable
    options the type of one value."""
    for param in params:
        if param.metavar is not None:
            continue
        if isinstance(param, typer.core.TyperArgument):
            param.metavar = param.name.upper()
        elif getattr(param, "is_flag", False):
            param.metavar = ""
        elif getattr(param, "multiple", False):
            param.metavar = param.display_type(None).replace("list[", "").replace("]", "")


class _Command(typer.core.TyperCommand):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_help(self.params)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        _plain_help([option] if option is not None else [])
        return option

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, typer.core.TyperArgument):
                name = param.metavar + ("..." if param.nargs != 1 else "")
                pieces.append(name if param.required else f"[{name}]")
        return pieces


class _Group(typer.core.TyperGroup):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_help(self.params)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        _plain_help([option] if option is not None else [])
        return option


app = typer.Typer(
    cls=_Group,
    help="Turn damaged multilingual documents into faithful English with a review trail.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(cls=_Group, help="Models: what is cached, what each language routes to, downloads.", no_args_is_help=True)
app.add_typer(models_app, name="models")
glossary_app = typer.Typer(cls=_Group, help="Glossaries: check a translation against one, import others.", no_args_is_help=True)
app.add_typer(glossary_app, name="glossary")

def _say_error(error: MtfixError) -> None:
    typer.echo(f"mtfix: {error}", err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mtfix {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each stage."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="mtfix: %(message)s")
    if not verbose:
        # transformers and huggingface_hub talk a lot; keep the terminal for our own lines.
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def _check_format(format_name: Optional[str]) -> None:
    if format_name is not None:
        from mtfix import formats

        if format_name not in formats.FORMATS:
            _usage(f"--format {format_name}: unknown format; known: {', '.join(formats.FORMATS)}")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _models(values: list[str] | None, engine: str) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    from mtfix.engines.base import parse_model_options

    try:
        return parse_model_options(values or [], engine)
    except UsageError as error:
        _usage(error.message)


def _usage(message: str) -> NoReturn:
    """A usage error: one line, exit 2."""
    typer.echo(f"mtfix: {message}", err=True)
    raise typer.Exit(2)


def _parse_size(text: str) -> int:
    """``512M``, ``2G``, ``1000000`` → bytes; a usage error otherwise."""
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    number, unit = text.strip().upper().rstrip("B"), ""
    if number[-1:] in units and number[-1:]:
        number, unit = number[:-1], number[-1]
    if not number.isdigit() or int(number) == 0:
        raise typer.BadParameter(f"{text!r} is not a size (examples: 512M, 2G, 100000)", param_hint="--max-bytes")
    return int(number) * units[unit]


def _refuse_options_of_other_engines(ctx: typer.Context, engine: str) -> None:
    """An option of another engine, given on the command line, is a usage error: it would
    otherwise be ignored without a word."""
    from mtfix.engines.base import ENGINE_ONLY_OPTIONS

    for name, engines in ENGINE_ONLY_OPTIONS.items():
        source = ctx.get_parameter_source(name)  # by name: typer may bring a click of its own
        if engine not in engines and source is not None and source.name == "COMMANDLINE":
            flag = "--" + name.replace("_", "-")
            _usage(f"{flag} applies to --engine {' or '.join(engines)} only, not to {engine}")


def _open_translation_memory(memory: Optional[Path], no_memory: bool):
    """The run's memory, or None. Another program's database is a usage error; a memory
    that cannot be used (damaged, read-only, locked) is one warning, and the run goes on
    without it: a memory is a cache, never a reason to fail a document."""
    if no_memory:
        return None
    from mtfix.memory import NotAMemoryError, TranslationMemory, default_path

    try:
        return TranslationMemory(memory or default_path(), warn=lambda line: typer.echo(line, err=True))
    except NotAMemoryError as error:
        _say_error(error)
        raise typer.Exit(error.exit_code)
    except MtfixError as error:
        typer.echo(f"mtfix: {error}; translating without a memory", err=True)
        return None


@app.command(cls=_Command)
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
    max_batch_tokens: int = typer.Option(0, "--max-batch-tokens", min=0, help="Most tokens per model call; 0: the engine's default (4096 padded tokens for transformers, 768 for ct2)."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, cuda:N."),
    allow_pickle: bool = typer.Option(False, "--allow-pickle", help="Load pickle weights (trusted models only)."),
    compute_type: str = typer.Option("auto", "--compute-type", help="ct2: int8, int8_float16, float16, float32...; auto is int8 on CPU, int8_float16 on GPU."),
    threads: int = typer.Option(0, "--threads", min=0, help="ct2: CPU threads; 0 uses every core available."),
    term_repair: str = typer.Option("splice", "--term-repair", help="ct2: how a glossary term the model left out goes in: splice (where its source words were translated; no extra decoding) or resume (decoding resumes after it: more fluent, up to 2x slower)."),
    no_clean: bool = typer.Option(False, "--no-clean", help="Skip de-garbling."),
    skip: str = typer.Option("", "--skip", help="Repairs to leave out, comma-separated (see `mtfix clean --help`)."),
    always_repair: bool = typer.Option(False, "--always-repair", help="Run every repair even where the document shows no damage of an earlier machine translation (see `mtfix clean --help`)."),
    glossary: list[Path] = typer.Option([], "--glossary", "-g", help="A glossary TSV to add (repeatable)."),
    no_default_glossary: bool = typer.Option(False, "--no-default-glossary", help="Leave out glossaries/ai-talent.tsv."),
    memory: Optional[Path] = typer.Option(None, "--memory", help="Translation memory file (default: ~/.cache/mtfix/memory.sqlite3)."),
    no_memory: bool = typer.Option(False, "--no-memory", help="Neither reuse nor store translations."),
    links: bool = typer.Option(True, "--links/--no-links", help="Word links between each English sentence and its source, for the review page's highlighting and the alignment file; --no-links skips the alignment pass (a second pass of the model on transformers engines)."),
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
) -> None:
    """Translate a file or a folder to English: NAME.en.EXT, NAME.EXT.align.jsonl, NAME.EXT.review.html.
    PATH - reads standard input (the format from --format, else from its content)."""
    from mtfix.engines.base import TERM_REPAIRS, TranslateConfig, create_engine
    from mtfix.inputs import TEXT_SUFFIXES, find_inputs

    _refuse_options_of_other_engines(ctx, engine)
    limit = _parse_size(max_bytes)
    _check_format(format_name)
    if term_repair not in TERM_REPAIRS:
        _usage(f"--term-repair {term_repair}: unknown; use {' or '.join(TERM_REPAIRS)}")
    reads_stdin = str(path) == "-"
    if not reads_stdin and not path.exists() and not path.is_symlink():
        _usage(f"{printable_path(path)}: no such file or folder")
    if to_stdout and path.is_dir():
        _usage(f"--stdout: {printable_path(path)} is a folder; give one file, or - for standard input")
    if jobs > _cores():
        typer.echo(f"mtfix: --jobs {jobs}: only {_cores()} cores are available here; using {_cores()}", err=True)
        jobs = _cores()
    default_model, models = _models(model, engine)
    translate_config = TranslateConfig(
        engine=engine, model=default_model, models=models, beam_size=beam_size, max_new_tokens=max_new_tokens,
        max_source_tokens=max_source_tokens, batch_size=batch_size, max_batch_tokens=max_batch_tokens, device=device, allow_pickle=allow_pickle,
        compute_type=compute_type, threads=threads, term_repair=term_repair, links=links,
    )
    clean_config = _clean_config("" if no_clean else skip, everything=no_clean, gate=not always_repair,
                                 glossaries=glossary, default_glossary=not no_default_glossary)
    memory_store = _open_translation_memory(memory, no_memory)
    if reads_stdin or to_stdout:
        _translate_one(path, None if to_stdout else out, translate_config, clean_config, memory_store, limit, format_name)
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
        engine_instance = create_engine(translate_config)
        engine_instance.check()  # the error that would fail every document, said once, before any
    except MtfixError as error:
        _say_error(error)
        raise typer.Exit(error.exit_code)
    except KeyboardInterrupt:
        _interrupted(0)
    from mtfix.batch import run_batch

    files = inputs.files
    reporter = _reporter(quiet or json_summary)
    try:
        summary = run_batch(files, path, out, engine_instance, translate_config, clean_config, memory_store,
                            jobs=jobs, window=window, reporter=reporter, max_bytes=limit,
                            absolute_paths=absolute_paths, format_name=format_name)
    except MtfixError as error:  # the output folder itself (not one document) cannot be used
        _say_error(error)
        raise typer.Exit(error.exit_code)
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
                   format_name: str | None) -> None:
    """One document, from a file or standard input (``-``), to ``out`` or, when None, its
    English alone to standard output."""
    import tempfile

    from mtfix.engines.base import create_engine
    from mtfix.errors import InputError
    from mtfix.formats.writer import english_document
    from mtfix.pipeline import prepare_document, translate_document, write_outputs

    try:
        engine = create_engine(translate_config)
        engine.check()
        name = _STDIN_NAMES.get(format_name or "", "stdin")
        if str(path) == "-":
            data = sys.stdin.buffer.read(limit + 1)
            if len(data) > limit:
                raise InputError(f"is larger than --max-bytes ({limit} bytes)", "-")
            # Read through a private file: every reader takes a path (the name gives the format).
            with tempfile.TemporaryDirectory() as work:
                (Path(work) / name).write_bytes(data)
                document = prepare_document(Path(work) / name, clean_config, limit, format_name)
            document.path = "-"
        else:
            document = prepare_document(path, clean_config, limit, format_name)
        translate_document(document, engine, translate_config, clean_config, memory_store)
        if out is None:
            sys.stdout.write(english_document(document))
            sys.stdout.flush()
        else:
            paths = write_outputs(document, out, source=Path(name) if str(path) == "-" else path)
            typer.echo(f"{printable_path(path)} → {printable_path(paths.english)}")
    except MtfixError as error:
        _say_error(error)
        raise typer.Exit(error.exit_code)
    except KeyboardInterrupt:
        _interrupted(0)


def _reporter(quiet: bool):
    """Per-document lines; a live progress bar instead when stdout is a terminal; nothing
    but errors with --quiet or --json."""
    from mtfix.batch import Reporter

    def say_error(line: str) -> None:
        typer.echo(line, err=True)

    if quiet:
        return Reporter(echo=lambda line: None, echo_error=say_error)
    if not sys.stdout.isatty():
        return Reporter(echo=typer.echo, echo_error=say_error)
    from mtfix.progress import ProgressReporter

    return ProgressReporter(echo_error=say_error)


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


def _load_glossary(paths: list[Path], default: bool):
    """The glossary of ``--glossary`` files plus the shipped one; exits on a bad file."""
    from mtfix.glossary import DEFAULT_GLOSSARY, Glossary

    chosen = ([DEFAULT_GLOSSARY] if default and DEFAULT_GLOSSARY.is_file() else []) + list(paths)
    if not chosen:
        return None
    try:
        return Glossary.load(chosen)
    except MtfixError as error:
        _say_error(error)
        raise typer.Exit(2)


def _clean_config(skip: str, everything: bool = False, glossaries: list[Path] = (), default_glossary: bool = True,
                  gate: bool = True):
    """The CleanConfig for ``--skip a,b`` (``everything``: no repairs at all), with the
    glossary the options name."""
    from mtfix.degarble import STAGES, CleanConfig

    skipped = {name.strip() for name in skip.split(",") if name.strip()}
    unknown = skipped - set(STAGES)
    if unknown:
        _usage(f"--skip: unknown repair {', '.join(sorted(unknown))} (known: {', '.join(STAGES)})")
    terms = _load_glossary(list(glossaries), default_glossary)
    return CleanConfig.only(*[] if everything else [name for name in STAGES if name not in skipped], terms=terms, gate=gate)


@app.command(cls=_Command)
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
        _usage(f"{printable_path(path)}: no such file or folder")
    default_model, models = _models(model, engine)
    translate_config = TranslateConfig(engine=engine, model=default_model, models=models, beam_size=beam_size)
    clean_config = _clean_config("", glossaries=glossary, default_glossary=not no_default_glossary)
    inputs = find_inputs(path, Path("outputs"), glob, exclude)
    result = plan_run(inputs.files, translate_config, clean_config)
    if as_json:
        typer.echo(json.dumps(result.as_json(translate_config), ensure_ascii=False))
    else:
        for line in result.describe(translate_config):
            typer.echo(line)


@app.command(cls=_Command)
def clean(
    path: Path = typer.Argument(..., help="A file to repair."),
    out: Path = typer.Option(Path("outputs"), "--out", "-o", help="Folder for the outputs."),
    format_name: Optional[str] = typer.Option(None, "--format", "-f", help="Read the input as html, markdown or plain (default: by suffix, then content)."),
    diff: bool = typer.Option(False, "--diff", help="Show the repairs as a unified diff (by words on long lines), each hunk with its repairs' kinds and reasons."),
    edits_json: bool = typer.Option(False, "--json", help="Print the repairs as a JSON array (for scripts)."),
    skip: str = typer.Option(
        "", "--skip",
        help="Repairs to leave out, comma-separated: mojibake, markup, filler, doublet, glue, loop, spacing, glossary, garbage.",
    ),
    always_repair: bool = typer.Option(
        False, "--always-repair",
        help="Run the repairs that undo an earlier machine translation (filler, doublet, glue, loop, spacing, markup, "
             "garbage) even where the document shows none of its signs; by default a clean document comes back unchanged.",
    ),
    glossary: list[Path] = typer.Option([], "--glossary", "-g", help="A glossary TSV to add (repeatable)."),
    no_default_glossary: bool = typer.Option(False, "--no-default-glossary", help="Leave out glossaries/ai-talent.tsv."),
    max_bytes: str = typer.Option("512M", "--max-bytes", help="Refuse inputs larger than this (512M, 2G, bytes)."),
) -> None:
    """Repair a file without translating: NAME.clean.EXT and NAME.EXT.edits.jsonl."""
    from mtfix.pipeline import clean_file

    limit = _parse_size(max_bytes)
    _check_format(format_name)
    clean_config = _clean_config(skip, glossaries=glossary, default_glossary=not no_default_glossary, gate=not always_repair)
    try:
        document = clean_file(path, out, clean_config, max_bytes=limit, format_name=format_name)
    except MtfixError as error:
        _say_error(error)
        raise typer.Exit(error.exit_code)
    if edits_json:
        import json

        from mtfix.export.jsonl import edit_record

        typer.echo(json.dumps([edit_record(edit) for edit in document.edits], ensure_ascii=False))
        return
    if diff:
        from mtfix.export.diff import unified_diff

        colours = {"removed": "red", "added": "green", "hunk": "cyan", "words": "yellow", "repair": "bright_black"}
        for kind, line in unified_diff(document.raw, document.clean, document.edits, printable_path(path)):
            # (colours only on a terminal: click leaves them out of a pipe)
            typer.echo(typer.style(printable(line), fg=colours.get(kind)) if kind in colours else printable(line))
    typer.echo(f"{printable_path(path)}: {len(document.edits)} edits → {printable_path(out)}")


def _load_alignment(alignment: Path):
    """The Document an alignment file describes, every record checked; a bad file is one
    line naming the file and the line, and exit 2."""
    from mtfix.export.jsonl import document_from_alignment, read_alignment_file

    try:
        return document_from_alignment(read_alignment_file(alignment))
    except MtfixError as error:
        _say_error(error)
        raise typer.Exit(2)


def _write_one(target: Path, content: str, inputs: list[Path], chosen: bool, marker: str) -> None:
    """Write a command's one output. It never replaces one of the command's ``inputs``;
    and unless the user ``chosen`` the name with ``--out``, an existing file there is
    replaced only when it is mtfix's own (``marker`` in its first 64 KB)."""
    from mtfix.sources import atomic_write

    for source in inputs:
        if target.exists() and source.exists() and os.path.samefile(target, source):
            _usage(f"{printable_path(target)}: is the input; choose another --out")
    if not chosen and (target.exists() or target.is_symlink()):
        try:
            with open(target, "rb") as stream:
                ours = marker.encode("utf-8") in stream.read(65536)
        except OSError:
            ours = False
        if not ours or target.is_symlink() or not target.is_file():
            typer.echo(f"mtfix: {printable_path(target)}: exists and was not written by mtfix; it was left as it "
                       "is: choose a name with --out", err=True)
            raise typer.Exit(1)
    try:
        atomic_write(target, content)
    except MtfixError as error:
        _say_error(error)
        raise typer.Exit(error.exit_code)


def _beside(alignment: Path, suffix: str) -> Path:
    """``a.md.align.jsonl`` → ``a.md`` + ``suffix``, in the same folder."""
    return alignment.with_name(alignment.name.removesuffix(".jsonl").removesuffix(".align") + suffix)


@app.command(cls=_Command)
def report(
    alignment: Path = typer.Argument(..., help="A NAME.align.jsonl written by mtfix translate."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="The page to write (default: NAME.review.html beside it)."),
) -> None:
    """Rebuild the HTML review page from an alignment file alone (no model, no original)."""
    from mtfix.export.html import GENERATOR_MARK, render_report

    document = _load_alignment(alignment)
    target = out or _beside(alignment, ".review.html")
    _write_one(target, render_report(document), [alignment], out is not None, GENERATOR_MARK)
    typer.echo(f"{printable_path(alignment)} → {printable_path(target)} ({len(document.segments)} segments)")


@app.command(cls=_Command)
def export(
    alignment: Path = typer.Argument(..., help="A NAME.align.jsonl written by mtfix translate."),
    format: str = typer.Option("tmx", "--format", "-f", help="tmx (TMX 1.4b) or xliff (XLIFF 2.1)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="The file to write (default: NAME.tmx/.xlf beside it)."),
) -> None:
    """Write the translated segments as TMX or XLIFF for CAT tools (OmegaT and others)."""
    from mtfix.export.interchange import TMX_MARK, XLIFF_MARK, to_tmx, to_xliff

    writers = {"tmx": (to_tmx, ".tmx", TMX_MARK), "xliff": (to_xliff, ".xlf", XLIFF_MARK)}
    if format not in writers:
        _usage(f"--format: unknown format {format!r} (known: tmx, xliff)")
    document = _load_alignment(alignment)
    writer, suffix, mark = writers[format]
    target = out or _beside(alignment, suffix)
    _write_one(target, writer(document), [alignment], out is not None, mark)
    typer.echo(f"{printable_path(alignment)} → {printable_path(target)} ({len(document.translations)} units)")


memory_app = typer.Typer(cls=_Group, help="The translation memory: statistics, export, clearing.", no_args_is_help=True)
app.add_typer(memory_app, name="memory")


def _open_memory(path: Optional[Path]):
    from mtfix.memory import TranslationMemory, default_path

    try:
        return TranslationMemory(path or default_path(), strict=True)
    except MtfixError as error:
        _say_error(error)
        raise typer.Exit(error.exit_code)


def _memory_command(action):
    """Run ``action`` on the memory; a memory that fails half-way is one line, exit 1."""
    try:
        return action()
    except MtfixError as error:
        _say_error(error)
        raise typer.Exit(error.exit_code)


@memory_app.command("stats", cls=_Command)
def memory_stats(memory: Optional[Path] = typer.Option(None, "--memory", help="The memory file.")) -> None:
    """How many translations the memory holds, by language."""
    store = _open_memory(memory)
    stats = _memory_command(store.stats)
    languages = ", ".join(f"{lang} ({count})" for lang, count in stats["languages"].items()) or "none"
    typer.echo(f"{printable_path(stats['path'])}: {stats['entries']} translations, {stats['bytes'] / 1e6:.1f} MB; "
               f"languages: {languages}")


@memory_app.command("export", cls=_Command)
def memory_export(
    out: Path = typer.Argument(..., help="The TMX file to write."),
    memory: Optional[Path] = typer.Option(None, "--memory", help="The memory file."),
) -> None:
    """Write the memory as TMX 1.4b (one tu per stored translation)."""
    from mtfix.export.interchange import TMX_MARK, memory_tmx

    store = _open_memory(memory)
    content, count = _memory_command(lambda: memory_tmx(store.entries()))
    sidecars = [store.path.with_name(store.path.name + end) for end in ("-wal", "-shm")]
    _write_one(out, content, [store.path, *sidecars], True, TMX_MARK)
    typer.echo(f"{count} translations → {printable_path(out)}")


@memory_app.command("clear", cls=_Command)
def memory_clear(memory: Optional[Path] = typer.Option(None, "--memory", help="The memory file.")) -> None:
    """Forget every stored translation."""
    store = _open_memory(memory)
    removed = _memory_command(store.clear)
    typer.echo(f"{printable_path(store.path)}: {removed} translations removed")


@models_app.command("list", cls=_Command)
def models_list(
    languages: list[str] = typer.Argument(None, help="Languages to show routing for (default: common ones)."),
    model: Optional[list[str]] = typer.Option(None, "--model", "-m", help="As for translate: ID|FOLDER, or LANG=ID|FOLDER; shown in the routing."),
) -> None:
    """What is in the local cache (Hugging Face's and the converted CTranslate2 models), and
    which model each language routes to (with --model, as translate would)."""
    from mtfix.engines import routing
    from mtfix.engines.marian import candidate_models
    from mtfix.engines.nllb import DEFAULT_MODEL

    try:
        from huggingface_hub import scan_cache_dir

        cached = sorted(
            repo.repo_id for repo in scan_cache_dir().repos if repo.repo_type == "model"
        )
    except Exception:  # an absent or unreadable cache is simply empty
        cached = []
    typer.echo("Cached models:" if cached else "Cached models: none")
    for repo_id in cached:
        typer.echo(f"  {repo_id}")
    from mtfix.engines.ct2 import cache_root

    converted = sorted(p.name for p in cache_root().glob("*") if (p / "model.bin").is_file()) if cache_root().is_dir() else []
    typer.echo(f"Converted for ct2 ({printable_path(cache_root())}):" if converted else "Converted for ct2: none")
    for name in converted:
        typer.echo(f"  {name}")
    from mtfix.engines.base import TranslateConfig, chosen_model

    default_model, models = _models(model, "marian")
    config = TranslateConfig(model=default_model, models=models)
    typer.echo("Routing (marian):")
    for lang in languages or sorted({"zh", "id", "ja", "ko", "de", "fr", "es", "ru", "ar", "ms"} | dict(models).keys()):
        named = chosen_model(config, lang)
        if named:
            state = f"→ {named} (--model{', not found' if not routing.model_available(named) else ''})"
        else:
            chosen = next((m for m in candidate_models(lang) if routing.model_available(m)), None)
            state = f"→ {chosen}" if chosen else f"→ {candidate_models(lang)[0]} (not cached)"
        typer.echo(f"  {lang:6} {state}")
    nllb_state = "cached" if routing.model_available(DEFAULT_MODEL) else "not cached"
    typer.echo(f"Routing (nllb): every language → {DEFAULT_MODEL} ({nllb_state})")


@models_app.command("pull", cls=_Command)
def models_pull(
    languages: list[str] = typer.Argument(None, help="Source languages (marian), e.g. zh id."),
    engine: str = typer.Option("marian", "--engine", "-e"),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="A hub id to download instead."),
    allow_pickle: bool = typer.Option(False, "--allow-pickle", help="Also fetch pickle weights (*.bin)."),
) -> None:
    """Download models into the Hugging Face cache (needs internet). Safetensors weights
    only, unless --allow-pickle (for repos that have none)."""
    from mtfix.engines.marian import candidate_models
    from mtfix.engines.nllb import DEFAULT_MODEL

    if model:
        wanted = [model]
    elif engine == "nllb":
        wanted = [DEFAULT_MODEL]
    elif languages:
        wanted = [candidate_models(lang)[0] for lang in languages]
    else:
        _usage("models pull: name languages (e.g. `mtfix models pull zh id`) or --model")
    from huggingface_hub import snapshot_download

    patterns = ["*.json", "*.safetensors", "*.spm", "*.model", "*.txt", "*.md"] + (["*.bin"] if allow_pickle else [])
    failed = 0
    for repo_id in wanted:
        try:
            folder = snapshot_download(repo_id, allow_patterns=patterns)
        except Exception as error:  # network, auth, missing repo: one line each
            failed += 1
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            typer.echo(f"mtfix: {repo_id}: download failed ({reason})", err=True)
            continue
        typer.echo(f"{repo_id} → {folder}")
    raise typer.Exit(1 if failed else 0)


@models_app.command("convert", cls=_Command)
def models_convert(
    model: str = typer.Argument(..., help="A hub id in the local cache, or a model folder."),
    compute_type: str = typer.Option("int8", "--compute-type", help="How the weights are stored: int8, int8_float16, float16, float32..."),
    allow_pickle: bool = typer.Option(False, "--allow-pickle", help="Convert pickle weights (trusted models only)."),
    force: bool = typer.Option(False, "--force", help="Convert again even when the cache has it."),
) -> None:
    """Convert a Marian or NLLB model for the ct2 engine, into ~/.cache/mtfix/ct2 (or
    $MTFIX_CT2_CACHE). `translate --engine ct2` does this by itself the first time."""
    from mtfix.engines import ct2

    try:
        quantization = ct2.resolve_compute_type(compute_type, "cpu")
        folder = ct2.convert(model, quantization, allow_pickle=allow_pickle, force=force)
    except MtfixError as error:
        _say_error(error)
        raise typer.Exit(error.exit_code)
    typer.echo(f"{model} ({quantization}) → {folder}")


@models_app.command("random-init", cls=_Command)
def models_random_init(
    source: Path = typer.Argument(..., help="A folder with config.json and tokenizer files."),
    out: Path = typer.Argument(..., help="Where to save the model."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Build a model of SOURCE's architecture with RANDOM weights (tests, demos, speed
    measurements offline). Its translations are nonsense."""
    from mtfix.testing import build_random_model

    if not (source / "config.json").is_file():
        _usage(f"{printable_path(source)}: no config.json here")
    # Saving a model writes config.json, the weights and the tokenizer's files: into a
    # folder of the user's, that would replace theirs.
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "RANDOM_WEIGHTS.txt").is_file())):
        typer.echo(f"mtfix: {printable_path(out)}: exists and is not an empty folder or a random model of "
                   "mtfix's; it was left as it is: choose another place", err=True)
        raise typer.Exit(2)
    build_random_model(source, out, seed)
    typer.echo(f"{out}: random-weight model of {source} (output is nonsense; for mechanics and speed only)")


@glossary_app.command("check", cls=_Command)
def glossary_check(
    alignment: Path = typer.Argument(..., help="A NAME.align.jsonl written by mtfix translate."),
) -> None:
    """List every glossary term found in the source and whether its target form is in the English."""
    from mtfix.export.jsonl import read_alignment_file

    try:
        records = read_alignment_file(alignment)
    except MtfixError as error:
        _say_error(error)
        raise typer.Exit(2)
    total = found = 0
    for record in records:
        if record["type"] != "segment":
            continue
        for hit in record.get("terms", []):
            total += 1
            ok = hit.get("target_span") is not None
            found += ok
            source = record["source"][hit["source_span"][0] : hit["source_span"][1]]
            mark = "ok     " if ok else "MISSING"
            typer.echo(f"{mark} segment {record['id']}: {printable(source)} → {printable(hit['target'])}")
    if total == 0:
        typer.echo(f"{printable_path(alignment)}: no glossary terms in the translated segments")
        raise typer.Exit(0)
    typer.echo(f"{printable_path(alignment)}: {found}/{total} terms in canonical form ({100 * found / total:.1f} %)")
    raise typer.Exit(0 if found == total else 1)


@glossary_app.command("import", cls=_Command)
def glossary_import(
    source: Path = typer.Argument(..., help="A DeepL-style export: source<TAB>target, or a 2-column CSV."),
    out: Path = typer.Option(..., "--out", "-o", help="The mtfix glossary (TSV) to write."),
    lang: str = typer.Option("", "--lang", help="Language tag for the source forms (zh, id, ...)."),
    kind: str = typer.Option("", "--type", help="Type for every term (person, org, lab, product)."),
) -> None:
    """Convert another tool's glossary into mtfix's TSV format."""
    from mtfix.glossary import Glossary, read_import, write_tsv

    try:
        pairs = read_import(source)
        grouped: dict[str, list[str]] = {}
        for form, target in pairs:
            grouped.setdefault(target, []).append(f"{lang}:{form}" if lang else form)
        rows = [(target, "|".join(forms), "", kind, f"imported from {source.name}", "") for target, forms in grouped.items()]
        Glossary.from_rows(rows, origin=str(source))  # the same checks as loading
    except MtfixError as error:
        _say_error(error)
        raise typer.Exit(error.exit_code if error.exit_code != 1 else 2)
    _write_one(out, write_tsv(rows), [source], True, "")
    typer.echo(f"{printable_path(source)} → {printable_path(out)} ({len(rows)} terms, {len(pairs)} source forms)")


def run() -> None:
    try:
        app()
    except MtfixError as error:
        _say_error(error)
        sys.exit(error.exit_code)


if __name__ == "__main__":
    run()
