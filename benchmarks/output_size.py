"""Memory and file size of a run's state tables: beliefs as agent columns (before) against ``beliefs.parquet`` (after).

Before, the agent reporters held ``belief.recklessness.CODE`` and ``belief.resolve.CODE`` for every
target: 2 N columns per state and step. After, the agent table holds traits only and the beliefs
go to a long table of the values that changed (`model.reporters.BeliefLog`). Both run the same
generated scenario (N states, crises between random pairs opening one after another, Kahn's
ladder) with the same seed; each runs in a fresh interpreter so that its peak resident memory is
its own. The scenario schema takes at most ``scenarios.limits.STATES`` states (200), the default.
Run it with ``.venv/bin/python benchmarks/output_size.py [--states N] [--steps T]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import string
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from scenarios import limits


def crowded_scenario(states: int, crises: int, steps: int, seed: int) -> dict[str, Any]:
    """A scenario document of `states` states and `crises` crises between random pairs, opening in turn."""
    rng = np.random.default_rng(seed)
    letters = itertools.product(string.ascii_uppercase, repeat=3)
    codes = ["".join(code) for code in itertools.islice(letters, states)]
    document: dict[str, Any] = {
        "name": f"crowd-{states}",
        "ladder": "default",
        "params": {"max_steps": steps, "stop_when_crises_end": False},
        "states": {code: _state(code, rng) for code in codes},
        "crises": {},
    }
    pairs = rng.permutation(states)[: 2 * min(crises, states // 2)].reshape(-1, 2)
    for index, (first, second) in enumerate(pairs):
        sides = {codes[first]: {"prevail": 1.0, "concede": -1.0}, codes[second]: {"prevail": 1.0, "concede": -1.0}}
        start = 1 + index % max(1, steps // 2)
        document["crises"][f"c{index}"] = {"first_mover": codes[first], "start_step": start, "sides": sides}
    return document


def _state(code: str, rng: np.random.Generator) -> dict[str, Any]:
    traits = {name: round(float(rng.uniform(0.1, 0.9)), 3) for name in ("fear", "recklessness", "commitment")}
    leader = {"name": f"Leader of {code}", "age": 55.0, "political_hazard": 0.0}
    return {"name": f"State {code}", **traits, "warheads": int(rng.integers(0, 500)), "leader": leader}


def _belief(kind: str, target: int, agent: Any) -> float:
    """A belief as the agent reporters recorded it before (one column per kind and target)."""
    table = agent.model.belief_recklessness if kind == "recklessness" else agent.model.belief_resolve
    return round(float(table[agent.index, target]), 6)


def wide_reporters(model: Any) -> dict[str, Any]:
    """The agent reporters as they were: traits, leader, then both beliefs about every state."""
    from model.reporters import agent_reporters

    series = dict(agent_reporters(model))
    for target in model.states:
        series[f"belief.recklessness.{target.code}"] = partial(_belief, "recklessness", target.index)
        series[f"belief.resolve.{target.code}"] = partial(_belief, "resolve", target.index)
    return series


def run_before(path: Path, seed: int, out: Path) -> dict[str, float]:
    """Run with the wide agent reporters; write agents.parquet as `brink run` did."""
    import mesa

    from model import BrinkmanshipModel
    from model.reporters import model_reporters

    started = time.perf_counter()
    model = BrinkmanshipModel(scenario=path, rng=seed)
    wide = mesa.DataCollector(model_reporters=model_reporters(model), agent_reporters=wide_reporters(model))
    model.datacollector = wide
    model.datacollector.collect(model)
    model.run()
    agents = model.datacollector.get_agent_vars_dataframe().reset_index()
    agents.to_parquet(out / "agents.parquet", index=False, engine="pyarrow")
    return {
        "seconds": time.perf_counter() - started,
        "table_mb": agents.memory_usage(deep=True).sum() / 1e6,
        "file_mb": (out / "agents.parquet").stat().st_size / 1e6,
        "cells": float(agents.size),
    }


def run_after(path: Path, seed: int, out: Path) -> dict[str, float]:
    """Run through `brink.api.run`; write agents.parquet (traits) and beliefs.parquet as `write_outputs` does."""
    import model.brinkmanship  # noqa: F401  (imported before the clock starts, as in `run_before`)
    from brink.api import run

    started = time.perf_counter()
    result = run(path, seed=seed)
    tables = {"agents.parquet": result.agents, "beliefs.parquet": result.beliefs}
    for name, table in tables.items():
        table.to_parquet(out / name, index=False, engine="pyarrow")
    return {
        "seconds": time.perf_counter() - started,
        "table_mb": sum(t.memory_usage(deep=True).sum() for t in tables.values()) / 1e6,
        "file_mb": sum((out / name).stat().st_size for name in tables) / 1e6,
        "cells": float(sum(t.size for t in tables.values())),
    }


def measure(variant: str, path: Path, seed: int) -> dict[str, float]:
    """Run one variant in this process; add its peak resident memory (Linux: KiB; macOS: bytes)."""
    with tempfile.TemporaryDirectory() as out:
        found = (run_before if variant == "before" else run_after)(path, seed, Path(out))
    scale = 1e6 if sys.platform == "darwin" else 1e3
    found["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    return found


ROWS = (
    ("peak resident memory (MB)", "peak_rss_mb", ",.1f"),
    ("tables in memory (MB)", "table_mb", ",.2f"),
    ("agents.parquet [+ beliefs.parquet] (MB)", "file_mb", ",.3f"),
    ("table cells", "cells", ",.0f"),
    ("run and write (s)", "seconds", ",.2f"),
)


def main() -> None:
    """Generate the scenario, measure both layouts in fresh interpreters and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=int, default=limits.STATES)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--crises", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--variant", choices=("before", "after"), help=argparse.SUPPRESS)
    parser.add_argument("--scenario", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(measure(args.variant, args.scenario, args.seed)))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "crowd.yaml"
        document = crowded_scenario(args.states, args.crises, args.steps, args.seed)
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        found = {v: _child(v, path, args.seed) for v in ("before", "after")}
    print(f"{args.states} states, {len(document['crises'])} crises, {args.steps} steps, seed {args.seed}")
    print(f"{'':42} {'before':>12} {'after':>12} {'after/before':>13}")
    for label, key, shape in ROWS:
        before, after = found["before"][key], found["after"][key]
        print(f"{label:42} {before:>12{shape}} {after:>12{shape}} {after / before:13.3f}")


def _child(variant: str, path: Path, seed: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--variant", variant, "--scenario", str(path), "--seed", str(seed)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
