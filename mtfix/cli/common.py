"""What the commands share: help as Unix tools write it, one-line errors, the options
several commands take (sizes, formats, models, glossaries, the memory), alignment files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn, Optional

import typer

from mtfix.errors import MtfixError, UsageError, printable_path


def plain_help(params) -> None:
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


class Command(typer.core.TyperCommand):
    """Every command: help as Unix tools write it, and an :class:`MtfixError` that ends it as
    one ``mtfix:`` line and its exit code (a command catches only what it says otherwise)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_help(self.params)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MtfixError as error:
            say_error(error)
            raise typer.Exit(error.exit_code)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        plain_help([option] if option is not None else [])
        return option

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, typer.core.TyperArgument):
                name = param.metavar + ("..." if param.nargs != 1 else "")
                pieces.append(name if param.required else f"[{name}]")
        return pieces


class Group(typer.core.TyperGroup):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_help(self.params)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        plain_help([option] if option is not None else [])
        return option


def say_error(error: MtfixError) -> None:
    typer.echo(f"mtfix: {error}", err=True)


def check_format(format_name: Optional[str]) -> None:
    if format_name is not None:
        from mtfix import formats

        if format_name not in formats.FORMATS:
            usage_error(f"--format {format_name}: unknown format; known: {', '.join(formats.FORMATS)}")


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def model_options(values: list[str] | None, engine: str) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    from mtfix.engines.base import parse_model_options

    try:
        return parse_model_options(values or [], engine)
    except UsageError as error:
        usage_error(error.message)


def usage_error(message: str) -> NoReturn:
    """A usage error: one line, exit 2."""
    typer.echo(f"mtfix: {message}", err=True)
    raise typer.Exit(2)


def parse_size(text: str) -> int:
    """``512M``, ``2G``, ``1000000`` → bytes; a usage error otherwise."""
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    number, unit = text.strip().upper().rstrip("B"), ""
    if number[-1:] in units and number[-1:]:
        number, unit = number[:-1], number[-1]
    if not number.isdigit() or int(number) == 0:
        raise typer.BadParameter(f"{text!r} is not a size (examples: 512M, 2G, 100000)", param_hint="--max-bytes")
    return int(number) * units[unit]


def engine_options(ctx: typer.Context, engine: str):
    """The chosen engine's own options (its class's ``Options``) from the command line's
    parameters of the same names. An option of another engine, given on the command line,
    is a usage error: it would otherwise be ignored without a word."""
    import dataclasses

    from mtfix.engines.base import ENGINES, NoOptions, engine_class

    chosen = getattr(engine_class(engine), "Options", NoOptions)
    for name in ENGINES:  # the shipped engines: the command's flags are theirs
        options = getattr(engine_class(name), "Options", NoOptions)
        for field in dataclasses.fields(options):
            source = ctx.get_parameter_source(field.name)  # by name: typer may bring a click of its own
            if options is not chosen and source is not None and source.name == "COMMANDLINE":
                flag = "--" + field.name.replace("_", "-")
                usage_error(f"{flag} applies to --engine {name} only, not to {engine}")
    return chosen(**{field.name: ctx.params[field.name] for field in dataclasses.fields(chosen)
                     if field.name in ctx.params})


def open_translation_memory(memory: Optional[str], no_memory: bool):
    """The run's memory (a file, or a ``postgresql://`` URL), or None. Another program's
    database is a usage error; a memory that cannot be used (damaged, read-only, locked,
    a server not reached) is one warning, and the run goes on without it: a memory is a
    cache, never a reason to fail a document."""
    if no_memory:
        return None
    from mtfix.memory import NotAMemoryError, open_memory

    try:
        return open_memory(memory or None, warn=lambda line: typer.echo(line, err=True))
    except NotAMemoryError as error:
        say_error(error)
        raise typer.Exit(error.exit_code)
    except MtfixError as error:
        typer.echo(f"mtfix: {error}; translating without a memory", err=True)
        return None


def load_glossary(paths: list[Path], default: bool):
    """The glossary of ``--glossary`` files plus the shipped one (``default``); an empty
    one pins nothing. Exits on a bad file."""
    from mtfix.glossary import DEFAULT_GLOSSARY, Glossary

    chosen = ([DEFAULT_GLOSSARY] if default and DEFAULT_GLOSSARY.is_file() else []) + list(paths)
    try:
        return Glossary.load(chosen)
    except MtfixError as error:
        say_error(error)
        raise typer.Exit(2)


def clean_config_from(skip: str, everything: bool = False, gate: bool = True):
    """The CleanConfig for ``--skip a,b`` (``everything``: no repairs at all)."""
    from mtfix.degarble import STAGES, CleanConfig

    skipped = {name.strip() for name in skip.split(",") if name.strip()}
    unknown = skipped - set(STAGES)
    if unknown:
        usage_error(f"--skip: unknown repair {', '.join(sorted(unknown))} (known: {', '.join(STAGES)})")
    return CleanConfig.only(*[] if everything else [name for name in STAGES if name not in skipped], gate=gate)


def load_alignment(alignment: Path):
    """The Document an alignment file describes, every record checked; a bad file is one
    line naming the file and the line, and exit 2."""
    from mtfix.export.jsonl import document_from_alignment, read_alignment_file

    try:
        return document_from_alignment(read_alignment_file(alignment))
    except MtfixError as error:
        say_error(error)
        raise typer.Exit(2)


def write_one(target: Path, content: str, inputs: list[Path], chosen: bool, marker: str) -> None:
    """Write a command's one output. It never replaces one of the command's ``inputs``;
    and unless the user ``chosen`` the name with ``--out``, an existing file there is
    replaced only when it is mtfix's own (``marker`` in its first 64 KB)."""
    from mtfix.sources import atomic_write

    for source in inputs:
        if target.exists() and source.exists() and os.path.samefile(target, source):
            usage_error(f"{printable_path(target)}: is the input; choose another --out")
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
    atomic_write(target, content)


def beside(alignment: Path, suffix: str) -> Path:
    """``a.md.align.jsonl`` → ``a.md`` + ``suffix``, in the same folder."""
    return alignment.with_name(alignment.name.removesuffix(".jsonl").removesuffix(".align") + suffix)
