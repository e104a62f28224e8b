"""``python -m mtfix.cli``: the ``mtfix`` command."""

from mtfix.cli import run

run()
