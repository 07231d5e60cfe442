"""The solve cache (`rules.solve_cache`): memory by digest, disk identical to a fresh solve, bad files replaced."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from test_belief_equilibrium import reputation_ladder
from test_equilibrium import attrition, haynes, normal

from rules import solve_cache
from rules.belief_equilibrium import BeliefSolution, solve_beliefs
from rules.crisis_game import GameError
from rules.solve_cache import CACHE_ENV, cache_key, cache_path, solved, store


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """No disk cache and an empty memory unless a test sets them."""
    monkeypatch.delenv(CACHE_ENV, raising=False)
    solve_cache.clear_memory()
    yield
    solve_cache.clear_memory()


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, int]]:
    """The solves `solved` actually runs, as (lambda, points)."""
    seen: list[tuple[float, int]] = []

    def counting(game, lam, points):
        seen.append((lam, points))
        return solve_beliefs(game, lam, points)

    monkeypatch.setattr(solve_cache, "solve_beliefs", counting)
    return seen


@pytest.fixture()
def disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def same_tables(a: BeliefSolution, b: BeliefSolution) -> bool:
    return len(a.tables) == len(b.tables) and all(
        x.dtype == y.dtype and np.array_equal(x, y) for x, y in zip(a.tables, b.tables, strict=True)
    )


def same_play(a: BeliefSolution, b: BeliefSolution) -> bool:
    """Whether the stationary form's stored play (if any) is the same."""
    x, y = a.stationary_play, b.stationary_play
    return (x is None and y is None) or (x is not None and y is not None and np.array_equal(x, y))


def stationary_game():
    return attrition(0.1, normal(prevail=2.0, hold_cost=0.01), normal(disaster=-5.0))


def test_memory_solves_once_per_digest_lambda_and_grid(calls: list) -> None:
    first = solved(haynes(0.03))
    assert solved(haynes(0.03)) is first  # an equal game built anew has the same digest
    assert calls == [(math.inf, 41)]
    solved(haynes(0.03), 2.0)
    solved(haynes(0.03), points=21)
    solved(haynes(0.04))
    assert len(calls) == 4
    assert solved(haynes(0.03)) is first and len(calls) == 4


def test_memory_drops_the_least_recently_used(calls: list, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solve_cache, "MEMORY_ENTRIES", 2)
    game = haynes()
    solved(game, 1.0)
    solved(game, 2.0)
    solved(game, 1.0)  # now the most recent
    solved(game, 3.0)  # drops 2.0
    assert len(calls) == 3
    solved(game, 1.0)
    assert len(calls) == 3
    solved(game, 2.0)
    assert calls[-1] == (2.0, 41) and len(calls) == 4


def test_shared_solutions_are_read_only() -> None:
    sol = solved(haynes(0.03))
    with pytest.raises(ValueError, match="read-only"):
        sol.tables[0][0, 0, 0, 0] = 5.0


def test_without_the_variable_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(CACHE_ENV, "")
    solved(haynes())
    assert solve_cache.cache_folder() is None and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("game", "lam", "points"), [(haynes(0.03), math.inf, 41), (haynes(0.03), 4.0, 21),
                                                      (stationary_game(), math.inf, 41), (stationary_game(), 50.0, 5)])
def test_disk_gives_the_tables_of_a_fresh_solve(disk: Path, calls: list, game, lam: float, points: int) -> None:
    fresh = solve_beliefs(game, lam, points)
    solved(game, lam, points)
    assert len(list(disk.glob("*.npz"))) == 1 and len(calls) == 1
    solve_cache.clear_memory()
    loaded = solved(game, lam, points)
    assert len(calls) == 1  # read from disk, not solved again
    assert same_tables(loaded, fresh) and same_play(loaded, fresh) and loaded.lam == fresh.lam
    assert loaded.multiple_roots == fresh.multiple_roots
    assert all(np.array_equal(g, h) for g, h in zip(loaded.grids, fresh.grids, strict=True))
    start, expect = loaded.start(), fresh.start()
    assert np.array_equal(start.probabilities, expect.probabilities) and np.array_equal(start.value, expect.value)
    assert list(disk.iterdir()) == list(disk.glob("solve-*.npz"))  # no temporary file left behind


def corrupt_by(kind: str, path: Path) -> None:
    """Spoil the cache file at ``path`` in one of several ways."""
    if kind == "garbage":
        path.write_bytes(b"not an npz file")
    elif kind == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "foreign npz":  # an npz file of someone else's making
        with path.open("wb") as handle:
            np.savez(handle, header=np.array('"just a string"'), table0=np.zeros(3))
    elif kind == "other game":  # a whole file, but the header names another game
        other = solve_beliefs(haynes(0.05))
        store(path, cache_key(haynes(0.05), math.inf, 41), other)
    elif kind == "wrong tables":  # the right header over tables of the wrong shape
        small = solve_beliefs(haynes(0.03), math.inf, 5)
        store(path, cache_key(haynes(0.03), math.inf, 41), small)


@pytest.mark.parametrize("kind", ["garbage", "truncated", "empty", "foreign npz", "other game",
                                  "wrong tables"])
def test_a_bad_file_is_ignored_and_rewritten(disk: Path, calls: list, kind: str) -> None:
    game = haynes(0.03)
    path = cache_path(disk, cache_key(game, math.inf, 41))
    solved(game)
    corrupt_by(kind, path)
    solve_cache.clear_memory()
    again = solved(game)
    assert len(calls) == 2  # the bad file was not used
    assert same_tables(again, solve_beliefs(game))
    solve_cache.clear_memory()
    assert same_tables(solved(game), again) and len(calls) == 2  # and it was replaced by a good one


def test_an_unwritable_folder_leaves_the_solve_uncached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        calls: list) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    sol = solved(haynes())
    assert sol.start_values() == pytest.approx([0.7, -0.2], abs=1e-12)
    assert not store(cache_path(blocker, cache_key(haynes(), math.inf, 41)), cache_key(haynes(), math.inf, 41), sol)
    assert list(tmp_path.iterdir()) == [blocker]


def test_the_file_name_depends_on_every_part_of_the_key(tmp_path: Path) -> None:
    game = haynes()
    names = {cache_path(tmp_path, cache_key(game, lam, points)).name
             for lam in (math.inf, 4.0, 4.000000001) for points in (21, 41)}
    names.add(cache_path(tmp_path, cache_key(haynes(0.01), math.inf, 41)).name)
    assert len(names) == 7


@pytest.mark.parametrize(("lam", "points", "match"), [(-1.0, 41, "lambda"), (math.nan, 41, "lambda"),
                                                       (1.0, 1, "2 points"), (1.0, 2.5, "2 points")])
def test_refuses_a_bad_lambda_or_grid(lam: float, points: int, match: str) -> None:
    with pytest.raises(GameError, match=match):
        solved(haynes(), lam, points)


def test_a_file_written_by_other_solver_code_is_not_reused(disk: Path, calls: list,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    solved(haynes(0.03))
    solve_cache.clear_memory()
    monkeypatch.setattr(solve_cache, "solver_fingerprint", lambda: "another version of the solver")
    solved(haynes(0.03))
    assert len(calls) == 2
    solve_cache.clear_memory()
    solved(haynes(0.03))
    assert len(calls) == 2  # the rewritten file carries the new fingerprint


def test_disk_keeps_the_count_of_stage_games_with_several_roots(disk: Path, calls: list) -> None:
    game = reputation_ladder()
    fresh = solved(game)
    solve_cache.clear_memory()
    loaded = solved(game)
    assert len(calls) == 1 and fresh.multiple_roots > 0
    assert type(loaded.multiple_roots) is int and loaded.multiple_roots == fresh.multiple_roots
