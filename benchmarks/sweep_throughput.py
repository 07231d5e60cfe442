"""Runs per second of `brink sweep --simulator agents` (1 and 2 workers) against a plain loop and `mesa.batch_run`.

All four run the same model on the same cells (moscow-strike, three values of the U.S. side's
fear) with the same number of replications, and print one table side by side. Run it with
``.venv/bin/python benchmarks/sweep_throughput.py [--reps N]`` on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import mesa

from batch.design import make_design, parse_vary
from batch.runner import SweepPlan, execute
from batch.seeds import run_seeds
from model import BrinkmanshipModel
from scenarios import load_scenario

SCENARIO = "moscow-strike"
PATH = "states.USA.fear"
VALUES = (0.3, 0.55, 0.8)


def plain_loop(reps: int) -> int:
    """Build and run the Mesa model for every cell and seed, one after another."""
    spec = load_scenario(SCENARIO)
    for value in VALUES:
        for seed in run_seeds(0, reps):
            model = BrinkmanshipModel(scenario=spec, rng=seed, overrides={PATH: value})
            model.run()
    return reps * len(VALUES)


def mesa_batch_run(reps: int) -> int:
    """`mesa.batch_run` over the same cells, one process, the same seeds."""
    results = mesa.batch_run(
        BrinkmanshipModel,
        parameters={"scenario": SCENARIO, PATH: list(VALUES)},
        number_processes=1,
        rng=run_seeds(0, reps),
        data_collection_period=-1,
        max_steps=10_000,
        display_progress=False,
    )
    return len({row["RunId"] for row in results})  # one row per agent and run


def brink_sweep(workers: int) -> Callable[[int], int]:
    """`batch.runner.execute` (what `brink sweep` runs) with `workers` processes."""

    def sweep(reps: int) -> int:
        spec = load_scenario(SCENARIO)
        design = make_design([parse_vary(f"{PATH}={','.join(map(str, VALUES))}")])
        plan = SweepPlan(spec=spec, name=SCENARIO, fixed={}, design=design, reps=reps, seed=0, chunk=50)
        with tempfile.TemporaryDirectory() as folder:
            outcome = execute(plan, Path(folder) / "sweep", workers=workers)
        return outcome.ran

    return sweep


def main() -> None:
    """Time each method and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200, help="replications per cell (three cells)")
    reps = parser.parse_args().reps
    methods: list[tuple[str, Callable[[int], int]]] = [
        ("plain loop over the Mesa model", plain_loop),
        ("mesa.batch_run (1 process)", mesa_batch_run),
        ("brink sweep --simulator agents, 1 worker", brink_sweep(1)),
        ("brink sweep --simulator agents, 2 workers", brink_sweep(2)),
    ]
    print(
        f"{SCENARIO}, {len(VALUES)} cells x {reps} replications; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, Mesa {mesa.__version__}"
    )
    rows = []
    for name, method in methods:
        started = time.perf_counter()
        runs = method(reps)
        seconds = time.perf_counter() - started
        rows.append((name, runs, seconds, runs / seconds))
    base = rows[0][3]
    print(f"{'method':34} {'runs':>6} {'seconds':>8} {'runs/s':>8} {'vs loop':>8}")
    for name, runs, seconds, rate in rows:
        print(f"{name:34} {runs:6d} {seconds:8.2f} {rate:8.1f} {rate / base:7.2f}x")


if __name__ == "__main__":
    main()
