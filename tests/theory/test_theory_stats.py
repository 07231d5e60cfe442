"""batch.stats against published values; theory.replicate's seeds and summaries."""

from __future__ import annotations

import math

import numpy as np
import pytest

from batch.stats import difference_interval, mean_interval, wilson_interval, z_value
from theory.replicate import CHUNK, parallel, replicate, run_seeds


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [(0.95, 1.959963984540054), (0.99, 2.5758293035489004), (0.90, 1.6448536269514722), (0.5, 0.6744897501960817)],
)
def test_z_value_is_the_two_sided_normal_quantile(confidence, expected):
    assert z_value(confidence) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("confidence", [0.0, 1.0, -0.1, 1.5, 95.0])
def test_confidence_outside_zero_one_raises(confidence):
    with pytest.raises(ValueError, match="confidence"):
        z_value(confidence)
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(3, 10, confidence)
    with pytest.raises(ValueError, match="confidence"):
        difference_interval(3, 10, 5, 10, confidence)
    with pytest.raises(ValueError, match="confidence"):
        mean_interval([1.0, 2.0, 3.0], confidence)


@pytest.mark.parametrize(
    ("successes", "trials", "lo", "hi"),
    [
        # Wilson (1927) score interval without continuity correction, 95%; values as tabulated by
        # Newcombe, "Two-sided confidence intervals for the single proportion", Stat Med 1998.
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (5, 10, 0.2366, 0.7634),
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_tabulated_values(successes, trials, lo, hi):
    got_lo, got_hi = wilson_interval(successes, trials, 0.95)
    assert got_lo == pytest.approx(lo, abs=5e-5)
    assert got_hi == pytest.approx(hi, abs=5e-5)
    assert got_lo >= 0.0 and got_hi <= 1.0


def test_wilson_interval_contains_its_point_estimate_at_zero_and_all_successes():
    for trials in range(1, 60):
        assert wilson_interval(0, trials)[0] == 0.0
        assert wilson_interval(trials, trials)[1] == 1.0


def test_wilson_interval_is_symmetric_and_narrows_with_confidence_and_trials():
    lo, hi = wilson_interval(3, 20)
    mirror_lo, mirror_hi = wilson_interval(17, 20)
    assert lo == pytest.approx(1 - mirror_hi) and hi == pytest.approx(1 - mirror_lo)
    assert wilson_interval(3, 20, 0.99)[0] < lo and wilson_interval(3, 20, 0.99)[1] > hi
    wide, narrow = wilson_interval(30, 100), wilson_interval(300, 1000)
    assert narrow[1] - narrow[0] < wide[1] - wide[0]


def test_wilson_interval_without_trials_is_uninformative():
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("a", "n_a", "b", "n_b", "difference", "lo", "hi"),
    [
        # Newcombe, "Interval estimation for the difference between independent proportions",
        # Stat Med 1998, table II, method 10 (hybrid score, no continuity correction), 95%.
        (56, 70, 48, 80, 0.2, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.6, 0.1705, 0.8090),
    ],
)
def test_difference_interval_matches_newcombe_1998(a, n_a, b, n_b, difference, lo, hi):
    got = difference_interval(a, n_a, b, n_b, 0.95)
    assert got[0] == pytest.approx(difference, abs=1e-12)
    assert got[1] == pytest.approx(lo, abs=5e-5)
    assert got[2] == pytest.approx(hi, abs=5e-5)


def test_difference_interval_is_antisymmetric_in_its_samples():
    forward = difference_interval(56, 70, 48, 80)
    backward = difference_interval(48, 80, 56, 70)
    assert backward == pytest.approx((-forward[0], -forward[2], -forward[1]))


def test_mean_interval_on_a_known_sample():
    sample = [2, 4, 4, 4, 5, 5, 7, 9]  # mean 5, sample variance 32/7
    mean, lo, hi = mean_interval(sample, 0.95)
    half = 1.959963984540054 * math.sqrt(32 / 7) / math.sqrt(8)
    assert mean == 5.0
    assert lo == pytest.approx(5.0 - half, abs=1e-12)
    assert hi == pytest.approx(5.0 + half, abs=1e-12)
    assert mean_interval(sample, 0.99)[2] > hi


def test_mean_interval_of_one_value_or_a_constant_sample_is_a_point():
    assert mean_interval([3.5]) == (3.5, 3.5, 3.5)
    assert mean_interval(np.full(10, 2.0)) == (2.0, 2.0, 2.0)


def test_run_seeds_are_deterministic_and_distinct():
    seeds = run_seeds(7, 50)
    assert seeds == run_seeds(7, 50)
    assert len(set(seeds)) == 50
    assert all(isinstance(s, int) and 0 <= s < 2**63 for s in seeds)


def test_run_seeds_of_a_shorter_batch_are_a_prefix_of_a_longer_one():
    assert run_seeds(3, 5) == run_seeds(3, 10)[:5]
    assert run_seeds(0, 1) == run_seeds(0, 100)[:1]


def test_run_seeds_differ_across_root_seeds():
    assert run_seeds(0, 10) != run_seeds(1, 10)
    assert not set(run_seeds(0, 10)) & set(run_seeds(1, 10))


def test_replicate_gives_identical_summaries_for_the_same_seed():
    first = replicate("theory/attrition", 6, seed=11)
    second = replicate("theory/attrition", 6, seed=11)
    assert first == second
    assert [s["seed"] for s in first] == run_seeds(11, 6)
    other = replicate("theory/attrition", 6, seed=12)
    assert [s["steps"] for s in other] != [s["steps"] for s in first]


def test_replicate_applies_overrides_to_every_run():
    runs = replicate("theory/chicken", 12, seed=0, overrides={"states.AAA.policy.yield_probability": 1.0})
    assert all(s["yielder"] == "AAA" and s["steps"] == 1 for s in runs)


def test_replicate_extract_adds_fields_read_off_the_model():
    def extract(model):
        crisis = model.crises[0]
        return {"history_length": len(crisis.history), "status": crisis.status}

    runs = replicate("theory/haynes", 8, seed=5, extract=extract)
    plain = replicate("theory/haynes", 8, seed=5)
    for with_extra, without in zip(runs, plain, strict=True):
        assert set(with_extra) - set(without) == {"history_length", "status"}
        assert with_extra["history_length"] == with_extra["crises"]["rounds"]["moves"]
        assert with_extra["status"] == with_extra["outcome"]
        assert {k: with_extra[k] for k in without} == without


# parallel() forks a process that has native threads; Python 3.12 warns (see the test report).
def test_replicate_gives_the_same_summaries_in_the_same_order_on_two_workers():
    reps = 2 * CHUNK + 7  # enough runs to be split into chunks, the last one short
    serial = replicate("theory/chicken", reps, seed=9)
    with parallel(2):
        spread = replicate("theory/chicken", reps, seed=9)
    assert spread == serial
