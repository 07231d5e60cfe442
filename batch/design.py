"""Sweep designs: ``--vary PATH=SPEC`` parsed into a table of cells, one row per parameter set.

SPEC is a list (``0.1,0.5,0.9``; items read as YAML, so ``true,false`` and names work too), a
range ``START:STOP:COUNT`` (COUNT evenly spaced values, both ends included), or, for the
sampling designs, bounds ``LO:HI``. A grid crosses every list; a Latin hypercube (``lhs``) or a
scrambled Sobol sequence (``sobol``) draws ``--samples`` points inside the bounds from the
design seed. A grid without any ``--vary`` is one cell: the scenario as it is, replicated.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from scenarios import Scenario, ScenarioError, load_scenario
from scenarios.errors import shown
from scenarios.paths import OVERRIDE_SOURCE, check_path
from scenarios.reading import parse_yaml

VARY_SOURCE = "--vary"
DesignKind = Literal["grid", "lhs", "sobol", "sensitivity-sobol", "sensitivity-morris"]
DESIGNS: tuple[str, ...] = ("grid", "lhs", "sobol")
GRID_CHECK_LIMIT = 5000
"""Grids up to this many cells are validated cell by cell before any run starts."""


@dataclass(frozen=True)
class Vary:
    """One varied path: explicit values (list or range), or bounds for a sampling design."""

    path: str
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None

    @property
    def is_bounds(self) -> bool:
        """Whether the spec gave bounds ``LO:HI`` rather than values."""
        return not self.values


def _number(text: str, path: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ScenarioError(VARY_SOURCE, path, f"{what} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ScenarioError(VARY_SOURCE, path, f"{what} {text!r} is not a finite number")
    return value


def parse_vary(text: str) -> Vary:
    """Parse ``PATH=SPEC`` (see the module docstring).

    Raises:
        ScenarioError: No ``=``, an empty path or spec, or a malformed list, range or bounds.
    """
    path, sep, spec = (part.strip() for part in text.partition("="))
    if not sep or not path or not spec:
        raise ScenarioError(VARY_SOURCE, path or text, "expected PATH=SPEC, e.g. states.RUS.fear=0.1,0.5,0.9")
    if ":" in spec:
        parts = [p.strip() for p in spec.split(":")]
        if len(parts) == 2:
            low, high = (_number(p, path, name) for p, name in zip(parts, ("LO", "HI"), strict=True))
            if not low < high:
                raise ScenarioError(VARY_SOURCE, path, f"bounds {spec!r}: LO must be below HI")
            return Vary(path, low=low, high=high)
        if len(parts) == 3:
            start, stop = _number(parts[0], path, "START"), _number(parts[1], path, "STOP")
            try:
                count = int(parts[2])
            except ValueError:
                count = 0
            if count < 1:
                raise ScenarioError(VARY_SOURCE, path, f"range {spec!r}: COUNT must be a whole number of at least 1")
            values = np.linspace(start, stop, count) if count > 1 else np.array([start])
            rounded = tuple(round(float(v), 12) for v in values)
            if len(set(rounded)) != len(rounded):
                raise ScenarioError(VARY_SOURCE, path, f"range {spec!r} repeats a value (START equals STOP)")
            return Vary(path, values=rounded)
        raise ScenarioError(VARY_SOURCE, path, f"{spec!r} is neither START:STOP:COUNT nor LO:HI")
    items = [item.strip() for item in spec.split(",")]
    if any(not item for item in items):
        raise ScenarioError(VARY_SOURCE, path, f"list {spec!r} has an empty item")
    values = tuple(_item(item, path) for item in items)
    if len({_identity(v) for v in values}) != len(values):
        raise ScenarioError(VARY_SOURCE, path, f"list {spec!r} repeats a value")
    return Vary(path, values=values)


def _item(text: str, path: str) -> Any:
    """A list item: a number when it reads as one (``1e-3`` too), else YAML (``true``, names)."""
    for kind in (int, float):
        try:
            number = kind(text)
        except ValueError:
            continue
        if not math.isfinite(number):
            raise ScenarioError(VARY_SOURCE, path, f"value {text!r} is not a finite number")
        return number
    try:
        return parse_yaml(text, VARY_SOURCE, path)
    except ScenarioError as error:
        raise ScenarioError(VARY_SOURCE, path, f"value {shown(text)} cannot be read ({error.problem})") from None


def _identity(value: Any) -> tuple[str, Any]:
    """What makes two values the same: 1 and 1.0 are, True and 1 are not."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    return ("other", repr(value))


@dataclass(frozen=True)
class Design:
    """The cells of a sweep.

    Attributes:
        kind: "grid", "lhs" or "sobol".
        varies: The varied paths as given.
        cells: One row per cell: column ``cell`` (0, 1, ...) and one column per path.
        samples: Points drawn by a sampling design (None for a grid).
        seed: Seed of the sampling design.
    """

    kind: DesignKind
    varies: tuple[Vary, ...]
    cells: pd.DataFrame
    samples: int | None = None
    seed: int = 0

    @property
    def paths(self) -> list[str]:
        """The varied paths, in order."""
        return [v.path for v in self.varies]

    def overrides(self, cell: int) -> dict[str, Any]:
        """The path overrides of one cell."""
        return {path: _plain(self.cells[path].iat[cell]) for path in self.paths}

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description (for the manifest)."""
        return {
            "kind": self.kind,
            "samples": self.samples,
            "seed": self.seed if self.kind != "grid" else None,
            "vary": [
                {"path": v.path, "values": list(v.values)}
                if v.values
                else {"path": v.path, "low": v.low, "high": v.high}
                for v in self.varies
            ],
            "cells": len(self.cells),
        }


def _plain(value: Any) -> Any:
    """Turn numpy scalars into Python scalars (for overrides and JSON)."""
    return value.item() if isinstance(value, np.generic) else value


def make_design(
    varies: list[Vary], kind: str = "grid", samples: int | None = None, seed: int = 0, base: Scenario | None = None
) -> Design:
    """Build the design's cells.

    Args:
        varies: Parsed ``--vary`` specs (paths distinct; none makes a grid of one cell, the
            scenario as it is, and a sampling design needs at least one).
        kind: "grid", "lhs" or "sobol".
        samples: Number of points for a sampling design.
        seed: Seed of the sampling design.
        base: The scenario; integer fields get whole-number samples.

    Raises:
        ScenarioError: An unknown design, a spec that does not fit it, or a missing sample count.
    """
    if kind not in DESIGNS:
        raise ScenarioError("--design", kind, f"unknown design; choose from {', '.join(DESIGNS)}")
    if not varies and kind != "grid":
        raise ScenarioError(VARY_SOURCE, "", f"the {kind} design needs at least one --vary PATH=LO:HI")
    seen = [v.path for v in varies]
    for path in seen:
        if seen.count(path) > 1:
            raise ScenarioError(VARY_SOURCE, path, "varied twice")
    if kind == "grid":
        for v in varies:
            if v.is_bounds:
                raise ScenarioError(
                    VARY_SOURCE, v.path, "bounds LO:HI need --design lhs or sobol; for a grid give START:STOP:COUNT"
                )
        if samples is not None:
            raise ScenarioError("--samples", str(samples), "only the lhs and sobol designs take --samples")
        rows = list(itertools.product(*(v.values for v in varies)))
        cells = pd.DataFrame(rows, columns=[v.path for v in varies])
    else:
        for v in varies:
            if not v.is_bounds:
                raise ScenarioError(VARY_SOURCE, v.path, f"the {kind} design needs bounds LO:HI, not a list or range")
        if samples is None or samples < 1:
            raise ScenarioError("--samples", str(samples), f"the {kind} design needs --samples N (N >= 1)")
        unit = _unit_sample(kind, len(varies), samples, seed)
        low = np.array([v.low for v in varies])
        high = np.array([v.high for v in varies])
        points = low + unit * (high - low)
        cells = pd.DataFrame(points, columns=[v.path for v in varies])
        round_integer_fields(cells, varies, base)
    cells.insert(0, "cell", np.arange(len(cells), dtype=np.int64))
    return Design(kind=kind, varies=tuple(varies), cells=cells, samples=samples, seed=seed)  # type: ignore[arg-type]


def round_integer_fields(cells: pd.DataFrame, varies: list[Vary], base: Scenario | None) -> None:
    """Round sampled values of integer fields (steps, rungs) to whole numbers, in place."""
    if base is None:
        return
    full = base.model_dump(by_alias=True, mode="python")
    for v in varies:
        if is_integer_field(full, v.path):
            cells[v.path] = cells[v.path].round().astype(int)


def _unit_sample(kind: str, dimensions: int, samples: int, seed: int) -> np.ndarray:
    from scipy.stats import qmc  # SciPy is slow to import and only sampling designs need it

    rng = np.random.default_rng(seed)
    if kind == "lhs":
        return qmc.LatinHypercube(d=dimensions, rng=rng).random(samples)
    # The first `samples` points of a scrambled Sobol sequence of the next power of two.
    sobol = qmc.Sobol(d=dimensions, scramble=True, rng=rng)
    return sobol.random_base2(max(0, math.ceil(math.log2(samples))))[:samples]


def is_integer_field(full: dict[str, Any], path: str) -> bool:
    """Whether `path` names an integer (not boolean) field of the dumped scenario `full`."""
    node: Any = full
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node.get(part)
    return isinstance(node, int) and not isinstance(node, bool)


def check_design(base: Scenario, design: Design, fixed: dict[str, Any] | None = None) -> None:
    """Check every varied path and value against the scenario before any run starts.

    Each path must name a field; each distinct value of each path must validate with the others
    at their base values; grids up to `GRID_CHECK_LIMIT` cells are validated whole.

    Raises:
        ScenarioError: The first bad path or value, blamed on ``--vary``.
    """
    fixed = dict(fixed or {})
    full = base.model_dump(by_alias=True, mode="python")
    for path in design.paths:
        check_path(full, path, VARY_SOURCE)
    try:
        for path in design.paths:
            for value in design.cells[path].drop_duplicates():
                load_scenario(base, {**fixed, path: _plain(value)})
        if design.kind == "grid" and len(design.cells) <= GRID_CHECK_LIMIT:
            for cell in range(len(design.cells)):
                load_scenario(base, {**fixed, **design.overrides(cell)})
    except ScenarioError as error:
        if error.source == OVERRIDE_SOURCE:
            raise ScenarioError(VARY_SOURCE, error.path, error.problem) from None
        raise
