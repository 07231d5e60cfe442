"""The one error type bad input raises: which file, which field, what is wrong."""

from __future__ import annotations


class ScenarioError(Exception):
    """A scenario, ladder or override is malformed; its message is always one line.

    Attributes:
        source: The file (or ``--set``) the problem is in.
        path: Dotted path of the field, or "" for the file as a whole.
        problem: What is wrong, in words.
    """

    def __init__(self, source: str, path: str, problem: str) -> None:
        self.source = source
        self.path = path
        self.problem = problem
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}" if self.path else self.source
        return " ".join(f"{where}: {self.problem}".splitlines())
