"""The ensemble engine against the agent model: runs per second, a million runs, and scaling.

Three measurements, printed side by side:

1. Runs per second on moscow-strike (its leads play the equilibrium, the default policy), one
   core: a plain loop over the Mesa model, ``mesa.batch_run``, and the ensemble engine (one task
   of ``--ensemble-reps``); the goal is an ensemble at least 100 times the plain loop. The crisis
   game is solved once before the timings (`rules.solve_cache`), as a sweep's workers find it.
2. A million moscow-strike replications through ``brink sweep --simulator ensemble`` on two
   worker processes, chunked; wall time and the peak memory of the largest process.
3. Per-step cost of the agent model and of the ensemble for synthetic worlds of 10, 50 and 200
   states (the scenarios' limit) in alliances of five, with one crisis, and how it grows with the
   number of states.

    .venv/bin/python benchmarks/ensemble_throughput.py [--million 1000000] [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from batch.seeds import run_seeds
from ensemble.engine import age_leaders, crisis_play, open_crisis, play_turn, run_ensemble, start, update_alliances
from ensemble.world import build_world
from model import BrinkmanshipModel
from scenarios import load_scenario


def plain_loop(spec, runs: int) -> float:
    started = time.perf_counter()
    for seed in range(runs):
        BrinkmanshipModel(scenario=spec, rng=seed).run()
    return runs / (time.perf_counter() - started)


def batch_run(runs: int) -> float:
    import mesa

    started = time.perf_counter()
    mesa.batch_run(
        BrinkmanshipModel,
        {"scenario": "moscow-strike"},
        number_processes=1,
        rng=list(range(runs)),
        display_progress=False,
    )
    return runs / (time.perf_counter() - started)


def ensemble(spec, reps: int) -> float:
    """Runs per second of one ensemble task, its replications' seeds included (as a sweep task computes them)."""
    started = time.perf_counter()
    run_ensemble(spec, run_seeds(0, reps))
    return reps / (time.perf_counter() - started)


def million(reps: int, chunk: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the largest process of a 2-worker ensemble sweep."""
    brink = Path(sys.executable).with_name("brink")
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            str(brink), "sweep", "moscow-strike", "--vary", "params.max_steps=60", "--reps", str(reps),
            "--chunk", str(chunk), "--workers", "2", "--simulator", "ensemble", "--out", f"{tmp}/sweep",
        ]  # fmt: skip
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak_kb / 1024


def code(i: int) -> str:
    """A three-letter state code for position `i` (AAA, AAB, ...)."""
    return chr(65 + i // 676) + chr(65 + (i // 26) % 26) + chr(65 + i % 26)


def synthetic(states: int):
    """A world of `states` states in alliances of five; states 0 and 6 lead a crisis at rung 2."""
    members = 5
    document = {
        "name": f"synthetic-{states}",
        "params": {"max_steps": 10_000, "stop_when_crises_end": False, "decision_noise": 0.05},
        "states": {
            code(i): {
                "name": f"State {i}",
                "fear": 0.3 + 0.4 * ((i * 37) % 100) / 100,
                "recklessness": 0.2 + 0.5 * ((i * 53) % 100) / 100,
                "commitment": 0.5,
                "warheads": 100 if i % 10 == 0 else 0,
                "conventional": 1.0 + (i % 7),
            }
            for i in range(states)
        },
        "alliances": {
            f"A{k:04d}": {
                "members": [code(i) for i in range(k * members, min((k + 1) * members, states))],
                "automaticity": 0.5,
                "institutionalisation": 0.5,
                "cohesion": 0.8,
            }
            for k in range(states // members)
        },
        "crises": {
            "c": {
                "sides": {code(0): {"prevail": 1.0, "concede": 0.0}, code(6): {"prevail": 1.0, "concede": 0.0}},
                "first_mover": code(0),
                "start_rung": 2,
            }
        },
    }
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        import yaml

        yaml.safe_dump(document, handle)
    spec = load_scenario(handle.name)
    os.unlink(handle.name)
    return spec


def agent_step_ms(spec, steps: int) -> float:
    model = BrinkmanshipModel(scenario=spec, rng=0)
    model.step()  # opens the crisis
    started = time.perf_counter()
    for _ in range(steps):
        model.step()
    return 1000 * (time.perf_counter() - started) / steps


def ensemble_step_ms(spec, reps: int, steps: int) -> float:
    """Milliseconds per step per replication of the ensemble (no replication is dropped: timing only)."""
    world = build_world(spec)
    play = crisis_play(spec, world)
    runs = start(world, np.arange(reps))
    age_leaders(world, runs, spec, 1)
    open_crisis(world, runs, spec, 1, play)
    started = time.perf_counter()
    for step in range(2, steps + 2):
        age_leaders(world, runs, spec, step)
        play_turn(world, runs, spec, step, play)
        update_alliances(world, runs, spec, step)
    return 1000 * (time.perf_counter() - started) / steps / reps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loop-runs", type=int, default=200, help="Runs of the plain loop and of mesa.batch_run.")
    parser.add_argument("--ensemble-reps", type=int, default=20_000, help="Replications of the ensemble timing.")
    parser.add_argument("--million", type=int, default=1_000_000, help="Replications of the big sweep (0 skips).")
    parser.add_argument("--chunk", type=int, default=25_000, help="Replications per task of the big sweep.")
    parser.add_argument("--sizes", default="10,50,200", help="Numbers of states of the scaling worlds (at most 200).")
    args = parser.parse_args()

    spec = load_scenario("moscow-strike")
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    policies = ", ".join(f"{code} {spec.states[code].policy.name}" for code in next(iter(spec.crises.values())).sides)
    print(f"\n1. moscow-strike ({policies}), runs per second on one core; goal: ensemble >= 100x the plain loop")
    crisis_play(spec, build_world(spec))  # the game solved once (memory and disk cache)
    loop = plain_loop(spec, args.loop_runs)
    rows = [("plain loop over the Mesa model", loop), ("mesa.batch_run, 1 process", batch_run(args.loop_runs))]
    rows.append((f"ensemble, one task of {args.ensemble_reps:,}", ensemble(spec, args.ensemble_reps)))
    print(f"{'method':<40} {'runs/s':>10} {'vs plain loop':>14}")
    for name, rate in rows:
        print(f"{name:<40} {rate:>10,.0f} {rate / loop:>13.1f}x")

    if args.million:
        print(f"\n2. {args.million:,} moscow-strike replications, brink sweep --simulator ensemble, 2 workers")
        seconds, peak = million(args.million, args.chunk)
        print(f"wall time {seconds:.1f} s ({args.million / seconds:,.0f} runs/s); chunk {args.chunk:,}; "
              f"peak memory of the largest process {peak:,.0f} MB")  # fmt: skip

    print("\n3. Per-step cost with the number of states (alliances of five, one crisis)")
    print(f"{'states':>7} {'agent ms/step':>14} {'ensemble ms/step/rep':>21} {'ratio':>7}")
    sizes = [int(s) for s in args.sizes.split(",")]
    measured = []
    for n in sizes:
        world = synthetic(n)
        agent = agent_step_ms(world, steps=max(5, 2000 // n))
        reps = max(4, 20_000 // (n * n) * 10) if n > 10 else 2000
        ens = ensemble_step_ms(world, reps=min(reps, 2000), steps=10)
        measured.append((n, agent, ens))
        print(f"{n:>7} {agent:>14.3f} {ens:>21.4f} {agent / ens:>6.0f}x")
    for (n1, a1, e1), (n2, a2, e2) in itertools.pairwise(measured):
        grow = math.log(n2 / n1)
        agent, ens = math.log(a2 / a1) / grow, math.log(e2 / e1) / grow
        print(f"growth {n1} -> {n2} states: agent N^{agent:.2f}, ensemble N^{ens:.2f}")


if __name__ == "__main__":
    main()
