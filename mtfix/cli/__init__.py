"""The ``mtfix`` command: a thin typer layer over the pipeline, one module per group of
commands (``translate``, ``documents``, ``memory``, ``models``, ``glossary``), registered here.

Nothing heavy is imported at module level: ``mtfix --help`` never loads torch.
"""

from __future__ import annotations

import logging
import os
import sys

import typer

from mtfix import __version__
from mtfix.cli import documents, glossary, memory, models, translate
from mtfix.cli.common import Command, Group, say_error
from mtfix.errors import MtfixError

app = typer.Typer(
    cls=Group,
    help="Turn damaged multilingual documents into faithful English with a review trail.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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


for command in (translate.translate, translate.plan, documents.clean, documents.report, documents.export):
    app.command(cls=Command)(command)

GROUPS = {
    "models": ("Models: what is cached, what each language routes to, downloads.",
               {"list": models.models_list, "pull": models.models_pull, "convert": models.models_convert,
                "random-init": models.models_random_init}),
    "glossary": ("Glossaries: check a translation against one, import others.",
                 {"check": glossary.glossary_check, "import": glossary.glossary_import}),
    "memory": ("The translation memory: statistics, export, clearing, human translations imported.",
               {"stats": memory.memory_stats, "export": memory.memory_export, "clear": memory.memory_clear,
                "import": memory.memory_import}),
}
for group_name, (group_help, commands) in GROUPS.items():
    group = typer.Typer(cls=Group, help=group_help, no_args_is_help=True)
    for command_name, command in commands.items():
        group.command(command_name, cls=Command)(command)
    app.add_typer(group, name=group_name)


def run() -> None:
    try:
        app()
    except MtfixError as error:
        say_error(error)
        sys.exit(error.exit_code)

