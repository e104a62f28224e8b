"""``mtfix memory``: statistics, export as TMX, clearing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mtfix.cli.common import write_one
from mtfix.errors import printable_path


MEMORY_HELP = "The memory: a file, or a postgresql:// URL (default: ~/.cache/mtfix/memory.sqlite3)."


def _open_memory(where: Optional[str]):
    from mtfix.memory import open_memory

    return open_memory(where or None, strict=True)


def memory_stats(memory: Optional[str] = typer.Option(None, "--memory", help=MEMORY_HELP)) -> None:
    """How many translations the memory holds, by language."""
    store = _open_memory(memory)
    stats = store.stats()
    languages = ", ".join(f"{lang} ({count})" for lang, count in stats["languages"].items()) or "none"
    typer.echo(f"{printable_path(stats['path'])}: {stats['entries']} translations and {stats.get('human', 0)} human "
               f"ones, {stats['bytes'] / 1e6:.1f} MB; "
               f"languages: {languages}")


def memory_export(
    out: Path = typer.Argument(..., help="The TMX file to write."),
    memory: Optional[str] = typer.Option(None, "--memory", help=MEMORY_HELP),
) -> None:
    """Write the memory as TMX 1.4b (one tu per stored translation)."""
    from mtfix.export.interchange import TMX_MARK, memory_tmx

    store = _open_memory(memory)
    content, count = memory_tmx(store.entries())
    write_one(out, content, store.files, True, TMX_MARK)
    typer.echo(f"{count} translations → {printable_path(out)}")


def memory_clear(memory: Optional[str] = typer.Option(None, "--memory", help=MEMORY_HELP)) -> None:
    """Forget every machine translation (the human ones, from memory import, are kept)."""
    store = _open_memory(memory)
    removed = store.clear()
    typer.echo(f"{printable_path(store.path)}: {removed} translations removed")


def memory_import(
    path: Path = typer.Argument(..., help="A TMX or XLIFF 2 file a translator corrected (OmegaT, Okapi, Trados...)."),
    memory: Optional[str] = typer.Option(None, "--memory", help=MEMORY_HELP),
    reviewer: str = typer.Option("", "--reviewer", help="Who translated or corrected them (kept with each)."),
) -> None:
    """Read human translations back from a CAT tool into the memory: a later translate of the
    same sentence, in any document, takes them over the machine's (flag human)."""
    from mtfix.align import model_input
    from mtfix.export.interchange import read_units

    units = read_units(path)
    store = _open_memory(memory)
    store.put_human([(model_input(source), lang, english, reviewer) for source, lang, english in units])
    typer.echo(f"{printable_path(path)}: {len(units)} human translations → {printable_path(store.path)}")
