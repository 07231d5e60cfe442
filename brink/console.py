"""The command line's consoles and its one way of reporting bad input.

What a user wrote (a file name, a state's name, an offending value) is printed as text: never read
as rich markup (``[/bold]``) or emoji codes (``:smile:``), and with control characters (terminal
escape codes) shown escaped. `print_error` and `fail` do this for error lines; other output that
includes user text prints it with ``markup=False`` or as a ``rich.text.Text``.
"""

from __future__ import annotations

import re

import typer
from rich.console import Console

from scenarios import ScenarioError

out_console = Console(highlight=False, soft_wrap=True, emoji=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def plain(text: str) -> str:
    r"""`text` with control characters and line breaks escaped (ESC as ``\x1b``), printable on one line."""
    return _CONTROL.sub(lambda found: repr(found.group())[1:-1], text)


def print_error(error: ScenarioError | str) -> None:
    """Print ``error: ...`` on one line of standard error, as plain text."""
    err_console.print(f"error: {plain(str(error))}", markup=False)


def fail(error: ScenarioError) -> typer.Exit:
    """Print a bad-input error on one line and return exit status 2."""
    print_error(error)
    return typer.Exit(code=2)


def check_seed(seed: int) -> None:
    """Refuse a negative seed (numpy's seed sequences take none).

    Raises:
        ScenarioError: `seed` is below 0.
    """
    if seed < 0:
        raise ScenarioError("--seed", str(seed), "must be 0 or more")
