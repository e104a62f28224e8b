"""``mtfix clean``, ``mtfix report`` and ``mtfix export``: repairs without translation, and
the review page or an interchange file again from an alignment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mtfix.cli.common import (
    beside, check_format, clean_config_from, load_alignment, load_glossary, parse_size, usage_error, write_one,
)
from mtfix.errors import printable, printable_path
from mtfix.guard import PROBLEM_FLAGS


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

    limit = parse_size(max_bytes)
    check_format(format_name)
    clean_config = clean_config_from(skip, gate=not always_repair)
    terms = load_glossary(glossary, default=not no_default_glossary)
    document = clean_file(path, out, clean_config, max_bytes=limit, format_name=format_name, glossary=terms)
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


def report(
    alignment: Path = typer.Argument(..., help="A NAME.align.jsonl written by mtfix translate."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="The page to write (default: NAME.review.html beside it)."),
) -> None:
    """Rebuild the HTML review page from an alignment file alone (no model, no original)."""
    from mtfix.export.html import GENERATOR_MARK, render_report

    document = load_alignment(alignment)
    target = out or beside(alignment, ".review.html")
    write_one(target, render_report(document), [alignment], out is not None, GENERATOR_MARK)
    typer.echo(f"{printable_path(alignment)} → {printable_path(target)} ({len(document.segments)} segments)")


def export(
    alignment: Path = typer.Argument(..., help="A NAME.align.jsonl written by mtfix translate."),
    format: str = typer.Option("tmx", "--format", "-f", help="tmx (TMX 1.4b) or xliff (XLIFF 2.1)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="The file to write (default: NAME.tmx/.xlf beside it)."),
    skip_flagged: bool = typer.Option(False, "--skip-flagged", help=f"Leave out segments whose English has a problem flag: {', '.join(PROBLEM_FLAGS)}."),
) -> None:
    """Write the translated segments as TMX or XLIFF for CAT tools (OmegaT and others)."""
    from mtfix.export.interchange import TMX_MARK, XLIFF_MARK, to_tmx, to_xliff, units

    writers = {"tmx": (lambda d, skip: to_tmx(d, skip=skip), ".tmx", TMX_MARK), "xliff": (to_xliff, ".xlf", XLIFF_MARK)}
    if format not in writers:
        usage_error(f"--format: unknown format {format!r} (known: tmx, xliff)")
    document = load_alignment(alignment)
    writer, suffix, mark = writers[format]
    skip = frozenset(PROBLEM_FLAGS) if skip_flagged else frozenset()
    target = out or beside(alignment, suffix)
    write_one(target, writer(document, skip), [alignment], out is not None, mark)
    kept = units(document, skip)
    left_out = f", {len(document.translations) - kept} flagged left out" if skip_flagged else ""
    typer.echo(f"{printable_path(alignment)} → {printable_path(target)} ({kept} units{left_out})")
