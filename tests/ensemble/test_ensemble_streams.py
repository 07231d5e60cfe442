"""The ensemble's counter-based random streams (`ensemble.streams`) and what they give the engine.

Statistical checks: each uniformity or independence test must give p > 0.001, so a correct
generator fails one with probability 0.001 (the eleven such tests here: at most 0.011 together); the
seeds are fixed, so the outcome is deterministic. Power: with 200,000 draws in 100 bins the
chi-square test detects a bin whose probability is off by 10% of its share (1.1% instead of 1%)
about 90% of the time; with 100,000 pairs in a 10 x 10 table it detects a correlation of 0.02.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest
from scipy import stats

from batch.seeds import run_seeds
from ensemble import streams
from ensemble.engine import Outcomes, run_ensemble
from ensemble.streams import GAMMA, bases, key, mix64, normals, uniform, uniforms
from scenarios import load_scenario

LEVEL = 0.001
HEURISTIC_LEADS = {"states.PRK.policy": "heuristic", "states.KOR.policy": "heuristic"}
SPLITMIX64_SEED_0 = (0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F, 0xF88BB8A8724C81EC)
"""The first outputs of splitmix64 seeded with 0, as published with its reference code
(Vigna, https://prng.di.unimi.it/splitmix64.c; Steele, Lea and Flood 2014)."""


def uniformity_p(u: np.ndarray, bins: int = 100) -> float:
    counts = np.histogram(u, bins=bins, range=(0.0, 1.0))[0]
    return float(stats.chisquare(counts).pvalue)


def independence_p(u: np.ndarray, v: np.ndarray, bins: int = 10) -> float:
    table = np.histogram2d(u, v, bins=bins, range=[[0.0, 1.0], [0.0, 1.0]])[0]
    return float(stats.chi2_contingency(table).pvalue)


@pytest.fixture(scope="module")
def consecutive() -> np.ndarray:
    """Bases of seeds 0 .. 199,999: the most regular seeds a user could give."""
    return bases(np.arange(200_000))


# --- the hash --------------------------------------------------------------------------------------------------


def test_the_mixer_is_splitmix64():
    words = np.array([(k * GAMMA) % 2**64 for k in range(1, 5)], dtype=np.uint64)
    assert [int(w) for w in mix64(words)] == list(SPLITMIX64_SEED_0)
    random = np.random.default_rng(3).integers(0, 2**63, size=1000, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    assert [int(w) for w in mix64(random.copy())] == [streams._mix(int(w)) for w in random]


def test_keys_of_distinct_draws_differ():
    found = {key(stream, step, slot) for stream in streams.STREAMS for step in range(200) for slot in range(20)}
    assert len(found) == len(streams.STREAMS) * 200 * 20
    assert len(set(streams.STREAMS)) == len(streams.STREAMS)


# --- uniformity --------------------------------------------------------------------------------------------------


def test_uniforms_lie_in_the_unit_interval_and_are_uniform_across_replications(consecutive):
    for stream, step, slot in [(streams.CHANCE, 1, 0), (streams.LEADER_EXIT, 37, 4), (streams.COHESION, 9_999, 1)]:
        u = uniform(consecutive, stream, step, slot)
        assert u.min() >= 0.0 and u.max() < 1.0
        assert uniformity_p(u) > LEVEL, (stream, step, slot)
    seeded = bases(run_seeds(4, 20_000))
    assert uniformity_p(uniforms(seeded, streams.CHOICE, 3, range(10)).ravel()) > LEVEL


def test_one_replications_draws_over_steps_are_uniform_and_serially_independent():
    base = bases([12345])
    u = np.array([uniform(base, streams.PLAY, step)[0] for step in range(100_001)])
    assert uniformity_p(u) > LEVEL
    assert independence_p(u[:-1], u[1:]) > LEVEL  # lag 1


def test_normals_are_standard_normal(consecutive):
    z = normals(consecutive[:100_000], streams.COHESION, 5, 2)
    assert stats.kstest(z[:, 0], "norm").pvalue > LEVEL
    assert abs(z.mean()) < 4 / np.sqrt(z.size) and abs(z.std() - 1) < 0.01
    assert abs(np.corrcoef(z[:, 0], z[:, 1])[0, 1]) < 4 / np.sqrt(len(z))


# --- independence -------------------------------------------------------------------------------------------------


def test_draws_that_differ_in_one_coordinate_are_independent(consecutive):
    base = consecutive[:100_000]
    first = uniform(base, streams.CHANCE, 7, 0)
    pairs = {
        "another stream": uniform(base, streams.PLAY, 7, 0),
        "the next step": uniform(base, streams.CHANCE, 8, 0),
        "the next slot": uniform(base, streams.CHANCE, 7, 1),
    }
    for name, other in pairs.items():
        assert independence_p(first, other) > LEVEL, name
    assert independence_p(first[:-1], first[1:]) > LEVEL  # replications whose seeds are s and s + 1


# --- determinism and replications on their own -------------------------------------------------------------------


def test_a_draw_depends_on_its_replications_seed_alone():
    seeds = np.array(run_seeds(9, 1_000), dtype=np.uint64)
    together = uniforms(bases(seeds), streams.LEADER_EXIT, 11, range(5))
    assert together.tobytes() == uniforms(bases(seeds), streams.LEADER_EXIT, 11, range(5)).tobytes()
    order = np.random.default_rng(0).permutation(len(seeds))
    assert np.array_equal(uniforms(bases(seeds[order]), streams.LEADER_EXIT, 11, range(5)), together[order])
    for rep in (0, 17, 999):
        alone = uniforms(bases(seeds[rep : rep + 1]), streams.LEADER_EXIT, 11, range(5))
        assert np.array_equal(alone[0], together[rep])
    assert len({row.tobytes() for row in together}) == len(seeds)


@pytest.mark.parametrize("seeds", [[-1], [0.5], ["7"]])
def test_a_seed_that_is_not_a_non_negative_integer_is_refused(seeds):
    with pytest.raises(ValueError, match="non-negative integers"):
        bases(np.array(seeds))


@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("moscow-strike", {"params.leaders.mortality_log_base": -2.5}),  # successions in most runs
        # Heuristic leads with noisy choices: allies called, catastrophes by slip and by choice.
        ("korean-peninsula", {"params.decision_noise": 2.0, **HEURISTIC_LEADS}),
        ("korean-peninsula", {}),  # in equilibrium: partners called by the game, an ally's own escalation
    ],
)
def test_a_replication_ends_alike_whatever_shares_its_task(name, overrides):
    """Every outcome of a replication is the same in a task of 600, reversed, in a task of 37, or alone."""
    spec = load_scenario(name, overrides)
    seeds = np.array(run_seeds(21, 600), dtype=np.uint64)
    whole = run_ensemble(spec, seeds)
    backwards = run_ensemble(spec, seeds[::-1])
    few = np.arange(0, 600, 17)
    some = run_ensemble(spec, seeds[few])
    for f in fields(Outcomes):
        values = getattr(whole, f.name)
        assert np.array_equal(getattr(backwards, f.name)[::-1], values), f.name
        assert np.array_equal(getattr(some, f.name), values[few]), f.name
    for rep in (0, 1, 299, 599):
        alone = run_ensemble(spec, seeds[rep : rep + 1])
        assert all(np.array_equal(getattr(alone, f.name)[0], getattr(whole, f.name)[rep]) for f in fields(Outcomes))
    assert len(np.unique(whole.status)) >= 2 and len(np.unique(whole.moves)) > 5, "precondition: the runs differ"
    if "params.leaders.mortality_log_base" in overrides:
        assert (whole.successions.sum(axis=1) > 0).mean() > 0.3, "precondition: leaders change"
    elif overrides:
        assert {1, 2} <= set(whole.catastrophe_cause), "precondition: slips and deliberate catastrophes"
    else:
        assert (whole.members.sum(axis=(1, 2)) > 3).any(), "precondition: treaty partners joined"
