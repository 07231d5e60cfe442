"""Writing results safely: refuse a bad output folder, and write each file whole."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scenarios import ScenarioError


def check_output_dir(out: Path) -> None:
    """Refuse an output path that is, or lies below, something other than a directory.

    Raises:
        ScenarioError: `out` or one of its parents exists and is not a directory.
    """
    for place in (Path(out), *Path(out).parents):
        if place.exists() and not place.is_dir():
            raise ScenarioError(str(out), "--out", f"{place} exists and is not a directory")


def atomic_write(path: Path, write: Callable[[Path], Any]) -> None:
    """Call ``write(temporary)`` on a hidden sibling of `path`, then rename it to `path`.

    An interruption leaves `path` either as it was or complete, never half-written.
    """
    temporary = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
