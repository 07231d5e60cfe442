"""Which files the dashboard's pages may open: the shipped scenarios, and files inside the data folders.

``brink dashboard --data DIR`` (repeatable; default the working directory) names the folders. A
path typed in a page is taken literally (``~`` is not expanded); a relative one is looked up in
each data folder in turn. Symlinks are followed and the real path must lie inside a data folder.
Whatever is refused gets one neutral line, the same whether the file is missing, unreadable, not
a regular file or outside the folders, and no error ever quotes what a refused file holds
(OWASP, "Path Traversal" and "Improper Error Handling"). Sizes are checked before anything is read.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from dashboards import DATA_VARIABLE, SCENARIO_VARIABLE
from scenarios import Scenario, ScenarioError, limits, load_scenario, shipped_ladders, shipped_scenarios
from scenarios.errors import clip
from scenarios.loading import read_yaml

MAX_SCENARIO_BYTES = limits.FILE_BYTES
"""The largest scenario or ladder file a page opens: the loader's own limit (`scenarios.limits`)."""
MAX_RESULT_BYTES = 256 * 1024 * 1024
"""The most a page reads from one result folder, all its files together (256 MiB)."""
SHOWN_CHARACTERS = 80
"""A typed path echoed in an error is cut to this many characters."""

NOT_A_SCENARIO = "not a shipped scenario or a readable file in the dashboard's data folders"
INVALID_SCENARIO = "not a valid scenario file (`brink validate` on it says why)"
LADDER_REFUSED = "names a ladder that is not shipped nor a readable file in the dashboard's data folders"
NOT_A_FOLDER = "not a readable folder in the dashboard's data folders"
LINK_OUT = "holds files that are not readable files in the dashboard's data folders"


def shown(text: str) -> str:
    """`text` as an error echoes it: on one line, cut to `SHOWN_CHARACTERS` with an ellipsis."""
    return clip(" ".join(str(text).split()), SHOWN_CHARACTERS)


def _too_big(what: str, limit: int) -> str:
    return f"{what} larger than the {limit // (1024 * 1024)} MiB the dashboard opens"


@dataclass(frozen=True)
class DataFolders:
    """The folders a dashboard's pages may open files from.

    Attributes:
        roots: The data folders, resolved (symlinks followed).
        start: The starting scenario file named on the command line (it opens wherever it is).
    """

    roots: tuple[Path, ...]
    start: Path | None = None
    _shipped: frozenset[Path] = field(default=frozenset(), repr=False)

    @classmethod
    def of(cls, folders: list[str | Path], start: str | None = None) -> DataFolders:
        """Data folders from paths (resolved now), and the starting scenario if it is a file."""
        roots = tuple(dict.fromkeys(Path(folder).resolve() for folder in folders))
        start_file = None
        if start and start not in shipped_scenarios() and Path(start).is_file():
            start_file = Path(start).resolve()
        return cls(roots, start_file)

    @classmethod
    def from_environment(cls) -> DataFolders:
        """The folders ``brink dashboard`` named (``$BRINK_DASHBOARD_DATA``), else the working directory."""
        try:
            named = json.loads(os.environ.get(DATA_VARIABLE) or "null")
        except ValueError:
            named = None
        folders = [str(f) for f in named] if isinstance(named, list) and named else [str(Path.cwd())]
        return cls.of(folders, os.environ.get(SCENARIO_VARIABLE))

    def inside(self, path: Path) -> bool:
        """Whether the resolved `path` is a data folder or lies inside one."""
        return any(path == root or path.is_relative_to(root) for root in self.roots)

    def locate(self, typed: str) -> Path | None:
        """The real path `typed` names inside the data folders, if it exists there (relative: each folder in turn)."""
        try:
            given = Path(typed)
            candidates = [given] if given.is_absolute() else [root / given for root in self.roots]
            for candidate in candidates:
                try:
                    real = candidate.resolve(strict=True)
                except (OSError, RuntimeError):  # missing, a loop of links, a name too long
                    continue
                if self.inside(real):
                    return real
        except ValueError:  # a NUL character
            return None
        return None

    def scenario_file(self, typed: str) -> str | Path:
        """A shipped scenario's name as it is, or the checked real path of a scenario file.

        Raises:
            ScenarioError: Not shipped and not a readable regular file in the data folders (one neutral
                line), too big, or naming a ladder file outside them.
        """
        if typed in shipped_scenarios():
            return typed
        real = self.locate(typed)
        if real is None and self.start is not None and _same_file(typed, self.start):
            real = self.start
        if real is None or not _readable_file(real):
            raise ScenarioError(shown(typed), "", NOT_A_SCENARIO)
        if real.stat().st_size > MAX_SCENARIO_BYTES:
            raise ScenarioError(shown(typed), "", _too_big("a file", MAX_SCENARIO_BYTES))
        if real != self.start:
            self._check_ladder(typed, real)
        return real

    def _check_ladder(self, typed: str, real: Path) -> None:
        """Refuse a scenario whose ladder is a file outside the data folders (before the loader opens it)."""
        try:
            ladder = read_yaml(real).get("ladder")
        except ScenarioError:
            raise ScenarioError(shown(typed), "", INVALID_SCENARIO) from None
        if not isinstance(ladder, str) or ladder in shipped_ladders():
            return
        try:
            path = Path(ladder) if Path(ladder).is_absolute() else real.parent / ladder
            target = path.resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            target = None
        if target is None or not self.inside(target) or not _readable_file(target):
            raise ScenarioError(shown(typed), "ladder", LADDER_REFUSED)
        if target.stat().st_size > MAX_SCENARIO_BYTES:
            raise ScenarioError(shown(typed), "ladder", _too_big("a file", MAX_SCENARIO_BYTES))

    def load(self, typed: str) -> Scenario:
        """Load the scenario `typed` names, if the dashboard may open it.

        Raises:
            ScenarioError: Refused (see `scenario_file`), or not a valid scenario: one fixed line that
                quotes nothing from the file (``brink validate`` gives the details).
        """
        found = self.scenario_file(typed)
        try:
            return load_scenario(found)
        except ScenarioError:
            if isinstance(found, str):  # a shipped scenario: its errors quote only what we ship
                raise
            raise ScenarioError(shown(typed), "", INVALID_SCENARIO) from None

    def result_folder(self, typed: str) -> Path:
        """The checked real path of a result folder and every result file in it.

        Raises:
            ScenarioError: Not a folder in the data folders (one neutral line), a result file in it that is not
                a readable file in the data folders, or more than `MAX_RESULT_BYTES` of them.
        """
        real = self.locate(typed)
        if real is None or not real.is_dir() or not os.access(real, os.R_OK | os.X_OK):
            raise ScenarioError(shown(typed), "", NOT_A_FOLDER)
        total = 0
        for path in result_files(real):
            target = path.resolve()
            if not self.inside(target) or not _readable_file(target):
                raise ScenarioError(shown(typed), "", LINK_OUT)
            total += target.stat().st_size
        if total > MAX_RESULT_BYTES:
            raise ScenarioError(shown(typed), "", _too_big("its result files are", MAX_RESULT_BYTES))
        return real


THEORY_FILE, INDICES_FILE = "theory.json", "indices.csv"
"""What ``brink theory --out`` and ``brink sensitivity`` write, besides a batch's manifest and parts."""


def result_files(folder: Path) -> list[Path]:
    """The files of `folder` that the results page may read: report, manifest, indices, and all in its parts folder."""
    from batch.runner import MANIFEST, PARTS  # the batch runner is heavy: only the server's pages need it

    named = [folder / name for name in (THEORY_FILE, MANIFEST, INDICES_FILE)]
    parts = folder / PARTS
    if parts.is_dir():
        named += sorted(parts.iterdir())
    return [path for path in named if path.is_symlink() or path.is_file()]


def _readable_file(path: Path) -> bool:
    """Whether `path` is a regular file this process can open (a FIFO or device is never opened: it could block)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError):
        return False
    os.close(descriptor)
    return True


def _same_file(typed: str, start: Path) -> bool:
    """Whether `typed` names the starting scenario file (as given on the command line, from the working directory)."""
    try:
        return Path(typed).resolve() == start
    except (OSError, RuntimeError, ValueError):
        return False
