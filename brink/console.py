"""The command line's consoles and its one way of reporting bad input."""

from __future__ import annotations

import typer
from rich.console import Console

from scenarios import ScenarioError

out_console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(error: ScenarioError) -> typer.Exit:
    """Print a bad-input error on one line and return exit status 2."""
    err_console.print(f"error: {error}", markup=False)
    return typer.Exit(code=2)


def check_seed(seed: int) -> None:
    """Refuse a negative seed (numpy's seed sequences take none).

    Raises:
        ScenarioError: `seed` is below 0.
    """
    if seed < 0:
        raise ScenarioError("--seed", str(seed), "must be 0 or more")
