"""Solved crises, kept: in this process by the game's digest, and on disk when a folder is named.

Solving a crisis by backward induction over beliefs (`rules.belief_equilibrium.solve_beliefs`)
depends only on the game, the logit precision and the belief grid, so a solution is a pure
function of ``(game.digest(), lam, points)``. `solved` keeps the most recent solutions in memory
(a small LRU) and, when the environment variable ``BRINK_SOLVE_CACHE`` names a folder, the tables
on disk as one ``.npz`` file per solution with a JSON header (digest, lambda, points, format
version and a hash of the solver's source, so a file written by other solver code is never
reused). A file that cannot be read, or whose header or tables do not match the request, is
ignored and replaced. Files are written to a temporary name in the same folder and renamed into
place (`os.replace`), so a reader never sees half a file. A folder that cannot be written leaves
the solution uncached on disk; the solution itself is unaffected.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib.util
import json
import math
import os
import tempfile
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rules.belief_equilibrium import (
    DEFAULT_POINTS,
    BeliefSolution,
    Layout,
    belief_grid,
    build_layout,
    solve_beliefs,
    table_shapes,
)
from rules.crisis_game import CrisisGame, GameError

CACHE_ENV = "BRINK_SOLVE_CACHE"
"""Environment variable naming the folder of the disk cache (unset or empty: no disk cache)."""

FORMAT_VERSION = 3
"""Version of the cache files' layout; files of another version are ignored and rewritten."""

MEMORY_ENTRIES = 16
"""Solutions kept in memory (least recently used dropped first)."""

SOLVER_MODULES = (
    "rules.belief_equilibrium", "rules.crisis_game", "rules.game_tree", "rules.equilibrium", "rules.qre",
    "rules.bargaining", "rules.risk",
)
"""Modules whose source the solution depends on; a file written by another version of them is not reused."""

Key = tuple[str, float, int]

_memory: OrderedDict[Key, BeliefSolution] = OrderedDict()

_UNREADABLE = (OSError, ValueError, KeyError, EOFError, TypeError, AttributeError, zipfile.BadZipFile)
"""What reading a damaged or foreign cache file may raise."""


def solved(game: CrisisGame, lam: float = math.inf, points: int = DEFAULT_POINTS) -> BeliefSolution:
    """The game solved at precision ``lam`` on ``points`` belief points, from a cache when possible.

    Args:
        game: The game (`rules.crisis_game.CrisisGame`).
        lam: Logit precision, ``>= 0``; ``inf`` for the sequential equilibrium.
        points: Points of each belief grid (>= 2).

    Returns:
        The solution; its tables are read-only, since cached solutions are shared.

    Raises:
        GameError: The game cannot be solved, or ``lam`` or ``points`` is out of range.
    """
    key = cache_key(game, lam, points)
    if key in _memory:
        _memory.move_to_end(key)
        return _memory[key]
    folder = cache_folder()
    path = cache_path(folder, key) if folder is not None else None
    sol = load(path, game, key) if path is not None else None
    if sol is None:
        sol = _frozen(solve_beliefs(game, key[1], key[2]))
        if path is not None:
            store(path, key, sol)
    _memory[key] = sol
    while len(_memory) > MEMORY_ENTRIES:
        _memory.popitem(last=False)
    return sol


def cache_key(game: CrisisGame, lam: float, points: int) -> Key:
    """The key of a solution, after checking ``lam`` and ``points`` as `solve_beliefs` does."""
    if isinstance(lam, bool) or not float(lam) >= 0:
        raise GameError("lambda must be >= 0")
    if isinstance(points, bool) or int(points) != points or points < 2:
        raise GameError("the belief grid needs at least 2 points")
    return game.digest(), float(lam), int(points)


def clear_memory() -> None:
    """Forget the solutions kept in memory (the disk cache stays)."""
    _memory.clear()


def cache_folder() -> Path | None:
    """The disk cache's folder from ``BRINK_SOLVE_CACHE``, or None when it is unset or empty."""
    name = os.environ.get(CACHE_ENV, "").strip()
    return Path(name).expanduser() if name else None


def cache_path(folder: Path, key: Key) -> Path:
    """The file of a solution: a hash of its key, so any digest, lambda and grid map to a safe name."""
    digest, lam, points = key
    name = hashlib.sha256(f"{digest}|{lam!r}|{points}|{FORMAT_VERSION}".encode()).hexdigest()[:40]
    return folder / f"solve-{name}.npz"


@functools.cache
def solver_fingerprint() -> str:
    """A hash of the solver's source (`SOLVER_MODULES`): files written by other code are not reused."""
    digest = hashlib.sha256()
    for name in SOLVER_MODULES:
        spec = importlib.util.find_spec(name)
        digest.update(Path(spec.origin).read_bytes() if spec is not None and spec.origin else name.encode())
    return digest.hexdigest()


def header(key: Key) -> dict:
    """The JSON header of a cache file (lambda ``None`` stands for the limit, which JSON cannot hold)."""
    digest, lam, points = key
    return {"format": FORMAT_VERSION, "digest": digest, "lambda": None if math.isinf(lam) else lam,
            "points": points, "solver": solver_fingerprint()}


def _stored_fields() -> list[str]:
    """The fields of `BeliefSolution` a file holds: all but the layout (rebuilt) and lambda (in the key)."""
    return [f.name for f in dataclasses.fields(BeliefSolution) if f.name not in ("layout", "lam")]


def _pack(sol: BeliefSolution) -> tuple[dict[str, NDArray], dict[str, Any]]:
    """A solution's arrays by name, and how each field is stored: array, tuple of arrays, None or number."""
    arrays: dict[str, NDArray] = {}
    kinds: dict[str, Any] = {}
    for name in _stored_fields():
        value = getattr(sol, name)
        if isinstance(value, tuple):
            arrays.update({f"{name}.{i}": np.asarray(v) for i, v in enumerate(value)})
            kinds[name] = ["tuple", len(value)]
        elif isinstance(value, np.ndarray):
            arrays[name] = value
            kinds[name] = ["array"]
        else:
            kinds[name] = ["value", value]
    return arrays, kinds


def _unpack(data: Any, kinds: dict[str, Any]) -> dict[str, Any]:
    """The fields of a solution from a file's arrays and their kinds (`_pack`)."""
    if sorted(kinds) != sorted(_stored_fields()):
        raise ValueError("the file holds other fields")
    fields: dict[str, Any] = {}
    for name, (kind, *rest) in kinds.items():
        if kind == "tuple":
            fields[name] = tuple(data[f"{name}.{i}"] for i in range(int(rest[0])))
        elif kind == "array":
            fields[name] = data[name]
        else:
            fields[name] = rest[0]
    return fields


def store(path: Path, key: Key, sol: BeliefSolution) -> bool:
    """Write a solution atomically (temporary file in the same folder, then `os.replace`).

    Returns:
        Whether the file was written; a folder that cannot be written is left as it is.
    """
    tmp = None
    try:
        arrays, kinds = _pack(sol)
        arrays["header"] = np.array(json.dumps({**header(key), "fields": kinds}))
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".solve-", suffix=".tmp", delete=False) as handle:
            tmp = Path(handle.name)
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        return True
    except (OSError, TypeError, ValueError):  # an unwritable folder, or a field JSON cannot hold
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        return False


def load(path: Path, game: CrisisGame, key: Key) -> BeliefSolution | None:
    """The solution stored at ``path`` if the file is whole and matches ``key`` and ``game``, else None."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            head = json.loads(str(data["header"][()]))
            kinds = head.pop("fields")
            if head != header(key):
                return None
            fields = _unpack(data, kinds)
    except _UNREADABLE:
        return None
    layout = build_layout(game)
    if not _fits(fields, layout, game, key[2]):
        return None
    return _frozen(BeliefSolution(layout, key[1], **fields))


def _fits(fields: dict[str, Any], layout: Layout, game: CrisisGame, points: int) -> bool:
    """Whether stored grids and tables are those the game's solution must have.

    The values themselves are not checked again: the zip format's checksums catch damaged bytes,
    and the header the code and inputs that wrote them.
    """
    grids, tables = fields.get("grids", ()), fields.get("tables", ())
    want = tuple(belief_grid(points) if layout.has_obstinate[i] else np.zeros(1) for i in (0, 1))
    if len(grids) != 2 or not all(
        g.dtype == w.dtype and np.array_equal(g, w) for g, w in zip(grids, want, strict=True)
    ):
        return False
    shapes = table_shapes(layout, want)
    return len(tables) == len(shapes) and all(
        t.dtype == np.float64 and t.shape == shape for t, shape in zip(tables, shapes, strict=True)
    )


def _frozen(sol: BeliefSolution) -> BeliefSolution:
    """Make a solution's arrays read-only, so a shared solution cannot be altered."""
    for name in _stored_fields():
        value = getattr(sol, name)
        for array in value if isinstance(value, tuple) else (value,):
            if isinstance(array, np.ndarray):
                array.flags.writeable = False
    return sol
