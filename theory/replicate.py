"""Replications of a scenario with per-run seeds drawn from one root seed."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from batch.runner import local_pool
from batch.seeds import run_seeds
from model import BrinkmanshipModel, summarize
from scenarios import Scenario, load_scenario

Extract = Callable[[BrinkmanshipModel], dict[str, Any]]

CHUNK = 25
"""Runs per task when replications are spread over processes."""

_executor: Executor | None = None


@contextmanager
def parallel(workers: int) -> Iterator[None]:
    """Within the block, `replicate` spreads its runs over `workers` processes.

    The results are the same, in the same order, whatever the number of workers: each run's
    seed depends only on the root seed and the run's index.
    """
    global _executor
    if workers <= 1:
        yield
        return
    previous = _executor
    with local_pool(workers) as executor:
        _executor = executor
        try:
            yield
        finally:
            _executor = previous


def pool() -> Executor | None:
    """The worker pool of the enclosing `parallel` block, or None outside one (or with one worker)."""
    return _executor


def _run_chunk(spec: Scenario, seeds: list[int], extract: Extract | None) -> list[dict[str, Any]]:
    summaries = []
    for run_seed in seeds:
        model = BrinkmanshipModel(scenario=spec, rng=run_seed)
        model.run()
        summary = summarize(model)
        if extract is not None:
            summary.update(extract(model))
        summaries.append(summary)
    return summaries


def replicate(
    scenario: str | Path | Scenario,
    reps: int,
    *,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    extract: Extract | None = None,
) -> list[dict[str, Any]]:
    """Run `scenario` `reps` times and return each run's summary (see `model.summary`).

    Args:
        scenario: Shipped name, path or loaded scenario.
        reps: Number of replications.
        seed: Root seed; run i uses ``run_seeds(seed, reps)[i]``.
        overrides: Dotted-path overrides applied to every run.
        extract: Reads further fields off each finished model into its summary (a module-level
            function, so that it can be sent to worker processes).

    Raises:
        ScenarioError: Bad scenario or override.
    """
    spec = load_scenario(scenario, dict(overrides or {}))
    seeds = run_seeds(seed, reps)
    if _executor is None or reps < 2 * CHUNK:
        return _run_chunk(spec, seeds, extract)
    chunks = [seeds[i : i + CHUNK] for i in range(0, reps, CHUNK)]
    futures = [_executor.submit(_run_chunk, spec, chunk, extract) for chunk in chunks]
    return [summary for future in futures for summary in future.result()]
