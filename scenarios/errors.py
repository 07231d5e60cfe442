"""The one error type bad input raises: which file, which field, what is wrong."""

from __future__ import annotations

from typing import Any

VALUE_CHARS = 80
"""At most this many characters of an offending value are echoed in a message."""

LINE_CHARS = 500
"""An error line (``FILE: PATH: problem``) is never longer than this."""

ELLIPSIS = "…"


def clip(text: str, limit: int = VALUE_CHARS) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis when longer."""
    flat = " ".join(str(text).splitlines())
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)] + ELLIPSIS


def shown(value: Any, limit: int = VALUE_CHARS) -> str:
    """A value as a message echoes it: its ``repr``, cut to `limit` characters."""
    try:
        text = repr(value)
    except RecursionError:  # a self-referencing structure
        text = f"<{type(value).__name__}>"
    return clip(text, limit)


class ScenarioError(Exception):
    """A scenario, ladder or override is malformed; its message is always one short line.

    The parts are cut to readable lengths (`LINE_CHARS` in all), so that a huge offending
    value or file name never floods the terminal.

    Attributes:
        source: The file (or ``--set``) the problem is in.
        path: Dotted path of the field, or "" for the file as a whole.
        problem: What is wrong, in words.
    """

    def __init__(self, source: str, path: str, problem: str) -> None:
        self.source = clip(source, 160)
        self.path = clip(path, 120)
        self.problem = clip(problem, LINE_CHARS - len(self.source) - len(self.path) - 4)
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}" if self.path else self.source
        return f"{where}: {self.problem}"
