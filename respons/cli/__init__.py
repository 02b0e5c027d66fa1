"""Command line: `python -m respons COMMAND ...`, one module per command."""

from respons.cli.main import main

__all__ = ["main"]
