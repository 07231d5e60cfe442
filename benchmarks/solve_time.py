"""Solving a crisis as one game: solve time, cached solve time, table size, and how they scale.

Two measurements, printed side by side:

1. moscow-strike's crisis (`rules.scenario_game.crisis_game`) at lambda = limit and 5, with a
   horizon of 20 and 60 moves and in the stationary form: the time of a fresh solve
   (`rules.belief_equilibrium.solve_beliefs`), of a cached one in this process and from the disk
   cache (`rules.solve_cache.solved`), the number of public states, belief grid points and the
   memory of the value tables; each time against its target (30 s fresh, 10 ms cached). The
   stationary form takes no obstinate types, so it is timed with each side's normal type alone.
2. How a fresh solve grows with the ladder (random ladders of 6, 11 and 21 rungs), the belief
   grid (21, 41, 81 points) and the horizon (10, 20, 40, 80 moves), one thing at a time.

    .venv/bin/python benchmarks/solve_time.py [--quick]
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import platform
import tempfile
import time
from collections.abc import Callable

import numpy as np

from rules import solve_cache
from rules.belief_equilibrium import BeliefSolution, solve_beliefs
from rules.crisis_game import Ally, CrisisGame, CrisisType, GameError, Rung, Side
from rules.qre import TraceError

SOLVE_TARGET = 30.0
"""Seconds a fresh solve of a shipped crisis should take at most."""

CACHED_TARGET = 0.010
"""Seconds a cached solve (in memory or from disk) should take at most."""


def timed[T](work: Callable[[], T], repeat: int = 1) -> tuple[float, T]:
    """Best wall time of ``repeat`` calls of ``work``, and its last result."""
    best, result = math.inf, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result  # type: ignore[return-value]


def table_bytes(sol: BeliefSolution) -> int:
    """Memory of a solution's value tables."""
    return sum(t.nbytes for t in sol.tables)


def cached_times(game: CrisisGame, lam: float, points: int) -> tuple[float, float]:
    """Seconds of a solve served from memory and from the disk cache (the solve itself not timed)."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ[solve_cache.CACHE_ENV] = folder
        try:
            solve_cache.clear_memory()
            solve_cache.solved(game, lam, points)  # solves and writes the file
            memory, _ = timed(lambda: solve_cache.solved(game, lam, points), repeat=20)

            def from_disk() -> BeliefSolution:
                solve_cache.clear_memory()
                return solve_cache.solved(game, lam, points)

            disk, _ = timed(from_disk, repeat=5)
        finally:
            del os.environ[solve_cache.CACHE_ENV]
            solve_cache.clear_memory()
    return memory, disk


def moscow_game() -> CrisisGame | None:
    """moscow-strike's crisis as a game, or None while `rules.scenario_game` is missing."""
    try:
        from rules.scenario_game import crisis_game
    except ImportError:
        return None
    from scenarios import load_scenario

    spec = load_scenario("moscow-strike")
    return crisis_game(spec, next(iter(spec.crises)))


def shipped_rows(game: CrisisGame, points: int, horizons: list[int | None]) -> None:
    """Measurement 1: solve and cached times of one game over lambdas and horizons."""
    print(f"{'lambda':>7} {'horizon':>11} {'solve s':>9} {'/30 s':>6} {'memory ms':>10} {'disk ms':>8} "
          f"{'/10 ms':>7} {'states':>7} {'grid':>7} {'tables MB':>10}")
    for lam in (math.inf, 5.0):
        for horizon in horizons:
            variant = dataclasses.replace(game, horizon=horizon)
            label = "limit" if math.isinf(lam) else f"{lam:g}"
            span = "stationary" if horizon is None else str(horizon)
            if horizon is None and any(t.obstinate for side in game.sides for t in side.types):
                variant, span = normal_types_only(variant), "stationary*"
            try:
                seconds, sol = timed(lambda v=variant, lam=lam: solve_beliefs(v, lam, points))
            except (GameError, TraceError) as error:
                print(f"{label:>7} {span:>11}  refused: {error}")
                continue
            memory, disk = cached_times(variant, lam, points)
            grid = len(sol.grids[0]) * len(sol.grids[1])
            print(f"{label:>7} {span:>11} {seconds:9.3f} {seconds / SOLVE_TARGET:6.3f} {memory * 1e3:10.4f} "
                  f"{disk * 1e3:8.2f} {max(memory, disk) / CACHED_TARGET:7.3f} {len(sol.layout.states):7d} "
                  f"{grid:7d} {table_bytes(sol) / 2**20:10.2f}")


def normal_types_only(game: CrisisGame) -> CrisisGame:
    """The game with each side's normal type alone (the stationary form takes no obstinate types)."""
    sides = tuple(dataclasses.replace(side, types=tuple(dataclasses.replace(t, prior=1.0) for t in side.types
                                                        if not t.obstinate)) for side in game.sides)
    return dataclasses.replace(game, sides=sides)


def random_ladder(rungs: int, horizon: int | None = 20, seed: int = 0) -> CrisisGame:
    """A seeded ladder of ``rungs`` rungs (the top one catastrophe), risk and fighting rising with the rung.

    Each side is a normal type with an obstinate type of prior 0.1, has an ally that may join at
    armed-attack rungs and a doctrine jump over two rungs, so every feature of the game is costed.
    """
    rng = np.random.default_rng(seed)
    ladder = [Rung(f"r{r}", slip=float(rng.uniform(0.0, 0.3)) * r / rungs, decisive=float(rng.uniform(0.0, 0.2)),
                   armed_attack=r >= rungs // 2) for r in range(rungs - 1)]
    ladder.append(Rung("catastrophe", slip=1.0, catastrophe=True))
    sides = []
    for name in ("A", "B"):
        stakes = float(rng.uniform(0.5, 2.0))
        types = (CrisisType("normal", 0.9, stakes, 0.0, -float(rng.uniform(2.0, 6.0)), hold_cost=0.01),
                 CrisisType("obstinate", 0.1, stakes, 0.0, -4.0, obstinate=True))
        sides.append(Side(name, types, strength=float(rng.uniform(0.5, 2.0)), jumps=((1, 4),),
                          ally=Ally(join=float(rng.uniform(0.2, 0.8)), strength=0.5, escalate=0.1)))
    return CrisisGame(tuple(ladder), (sides[0], sides[1]), horizon=horizon)


def scaling(quick: bool) -> None:
    """Measurement 2: fresh solve time against rungs, grid points and horizon (lambda = limit)."""
    rows: list[tuple[str, CrisisGame, int]] = [(f"{k} rungs", random_ladder(k), 41) for k in (6, 11, 21)]
    rows += [(f"{n} points", random_ladder(11), n) for n in ((21, 41) if quick else (21, 41, 81))]
    rows += [(f"horizon {h}", random_ladder(11, h), 41) for h in ((10, 20) if quick else (10, 20, 40, 80))]
    print(f"\n{'game (11 rungs, 41 points, horizon 20 unless said)':<52} {'solve s':>9} {'/30 s':>6} "
          f"{'states':>7} {'tables MB':>10}")
    for label, game, points in rows:
        seconds, sol = timed(lambda g=game, n=points: solve_beliefs(g, math.inf, n))
        print(f"{label:<52} {seconds:9.3f} {seconds / SOLVE_TARGET:6.3f} {len(sol.layout.states):7d} "
              f"{table_bytes(sol) / 2**20:10.2f}")


def main() -> None:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer grid sizes and horizons")
    parser.add_argument("--points", type=int, default=41, help="belief grid points for measurement 1")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    game = moscow_game()
    print(f"\n1. moscow-strike, {args.points} belief points; ratios are time / target (below 1 meets it)")
    if game is None:
        print("   rules.scenario_game is not available: skipped")
    else:
        shipped_rows(game, args.points, [20] if args.quick else [20, 60, None])
        print("   * the stationary form solves complete information only: each side's normal type alone")
    print("\n2. scaling of a fresh solve (random ladders, obstinate types, allies, a jump; lambda = limit)")
    scaling(args.quick)


if __name__ == "__main__":
    main()
