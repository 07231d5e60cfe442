"""Speed of the solved crisis played alone over replications (`ensemble.crisis_runs`).

Prints, for moscow-strike's crisis at its default settings, the solve time, the time to play
1,000,000 replications on one core (after the solve) and the targets side by side. No asserts:
run it with `.venv/bin/python benchmarks/crisis_runs.py [REPS]`.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from ensemble.crisis_runs import run_crises
from rules.scenario_game import crisis_game, logit_precision, true_obstinate_chances
from rules.solve_cache import solved
from scenarios.loading import load_scenario


def main(reps: int = 1_000_000) -> None:
    """Solve moscow-strike's crisis, play ``reps`` replications, print times and shares."""
    spec = load_scenario("moscow-strike")
    crisis = next(iter(spec.crises))
    game = crisis_game(spec, crisis)
    start = time.perf_counter()
    sol = solved(game, logit_precision(spec), spec.params.game.belief_points)
    solve = time.perf_counter() - start
    start = time.perf_counter()
    solved(game, logit_precision(spec), spec.params.game.belief_points)
    cached = time.perf_counter() - start
    start = time.perf_counter()
    runs = run_crises(sol, np.arange(reps), true_obstinate_chances(spec, crisis))
    play = time.perf_counter() - start
    print(f"{'measurement':44} {'value':>10} {'target':>10} {'ratio':>7}")
    print(f"{'solve (s)':44} {solve:10.2f} {30:10} {solve / 30:7.2f}")
    print(f"{'cached solve (ms)':44} {1e3 * cached:10.3f} {10:10} {1e2 * cached:7.4f}")
    print(f"{f'{reps:,} replications of the crisis alone (s)':44} {play:10.2f} {60:10} {(solve + play) / 60:7.2f}")
    print(f"{'replications per second':44} {reps / play:10,.0f}")
    print("shares:", {k: round(v, 4) for k, v in runs.shares().items()}, f"mean moves {runs.moves.mean():.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
