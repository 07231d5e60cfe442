"""Replications of a scenario with per-run seeds drawn from one root seed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from model import BrinkmanshipModel, summarize
from scenarios import Scenario, load_scenario


def run_seeds(root_seed: int, reps: int) -> list[int]:
    """`reps` run seeds derived from `root_seed` by `numpy.random.SeedSequence`.

    The i-th seed depends only on the root seed and i, so a longer batch begins with the seeds
    of a shorter one, and conditions run on the same seeds (common random numbers).
    """
    children = np.random.SeedSequence(root_seed).spawn(reps)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


def replicate(
    scenario: str | Path | Scenario,
    reps: int,
    *,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    extract: Callable[[BrinkmanshipModel], dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Run `scenario` `reps` times and return each run's summary (see `model.summary`).

    Args:
        scenario: Shipped name, path or loaded scenario.
        reps: Number of replications.
        seed: Root seed; run i uses ``run_seeds(seed, reps)[i]``.
        overrides: Dotted-path overrides applied to every run.
        extract: Reads further fields off each finished model into its summary.

    Raises:
        ScenarioError: Bad scenario or override.
    """
    spec = load_scenario(scenario, dict(overrides or {}))
    summaries = []
    for run_seed in run_seeds(seed, reps):
        model = BrinkmanshipModel(scenario=spec, rng=run_seed)
        model.run()
        summary = summarize(model)
        if extract is not None:
            summary.update(extract(model))
        summaries.append(summary)
    return summaries
