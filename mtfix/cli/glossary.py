"""``mtfix glossary``: check a translation against a glossary, import another tool's.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mtfix.cli.common import say_error, write_one
from mtfix.errors import MtfixError, printable, printable_path


def glossary_check(
    alignment: Path = typer.Argument(..., help="A NAME.align.jsonl written by mtfix translate."),
) -> None:
    """List every glossary term found in the source and whether its target form is in the English."""
    from mtfix.export.jsonl import read_alignment_file

    try:
        records = read_alignment_file(alignment)
    except MtfixError as error:
        say_error(error)
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
        say_error(error)
        raise typer.Exit(error.exit_code if error.exit_code != 1 else 2)
    write_one(out, write_tsv(rows), [source], True, "")
    typer.echo(f"{printable_path(source)} → {printable_path(out)} ({len(rows)} terms, {len(pairs)} source forms)")
