"""Sweep designs: ``--vary`` specs, grid / lhs / sobol cells, and the checks made before any run starts."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from batch.design import Vary, check_design, make_design, parse_vary
from scenarios import ScenarioError, load_scenario

FEAR = "states.RUS.fear"
RECKLESS = "states.RUS.recklessness"
START_RUNG = "crises.moscow.start_rung"


@pytest.fixture(scope="module")
def moscow():
    return load_scenario("moscow-strike")


@pytest.fixture(scope="module")
def attrition():
    return load_scenario("theory/attrition")


def raises_on_vary(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        parse_vary(text)
    return caught.value


# --- parse_vary: the three spec forms ---------------------------------------------------------------


def test_list_of_numbers_keeps_order_and_types():
    vary = parse_vary(f"{FEAR}=0.9,0.1,0.5")
    assert vary == Vary(FEAR, values=(0.9, 0.1, 0.5))
    assert not vary.is_bounds
    assert vary.low is None and vary.high is None


def test_list_items_are_read_as_yaml():
    assert parse_vary("alliances.NATO.active=true,false").values == (True, False)
    assert parse_vary("crises.moscow.first_mover=RUS,USA").values == ("RUS", "USA")
    assert parse_vary("params.max_steps=10,20").values == (10, 20)
    assert all(type(v) is int for v in parse_vary("params.max_steps=10,20").values)
    assert parse_vary(f"{FEAR}=-0.5,0,0.5").values == (-0.5, 0, 0.5)


def test_whitespace_around_path_and_items_is_ignored():
    assert parse_vary(f"  {FEAR} = 0.1 , 0.9 ") == Vary(FEAR, values=(0.1, 0.9))


def test_single_item_list_is_one_value():
    assert parse_vary(f"{FEAR}=0.3") == Vary(FEAR, values=(0.3,))


def test_range_is_inclusive_and_evenly_spaced():
    vary = parse_vary(f"{FEAR}=0:1:11")
    assert vary.values == tuple(i / 10 for i in range(11))
    assert vary.values[0] == 0.0 and vary.values[-1] == 1.0
    assert not vary.is_bounds


def test_range_with_descending_ends_runs_downwards():
    assert parse_vary(f"{FEAR}=1:0:3").values == (1.0, 0.5, 0.0)


def test_range_with_count_one_is_the_start():
    assert parse_vary(f"{FEAR}=0.25:0.75:1").values == (0.25,)


def test_bounds_have_no_values():
    vary = parse_vary(f"{FEAR}=0.1:0.9")
    assert vary.is_bounds
    assert (vary.low, vary.high) == (0.1, 0.9)
    assert vary.values == ()
    assert parse_vary(f"{FEAR}=-2:3.5") == Vary(FEAR, low=-2.0, high=3.5)


# --- parse_vary: every malformed spec is a ScenarioError naming --vary and the path ------------------


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("", "expected PATH=SPEC"),  # no '='
        ("=", "expected PATH=SPEC"),  # '=' but no spec
        ("=  ", "expected PATH=SPEC"),
        ("=0.1,,0.5", "empty item"),
        ("=0.1,", "empty item"),
        ("=,0.1", "empty item"),
        ("=0.1,0.1", "repeats a value"),
        ("=true,false,true", "repeats a value"),
        ("=RUS,USA,RUS", "repeats a value"),
        ("=0.9:0.1", "LO must be below HI"),
        ("=0.5:0.5", "LO must be below HI"),
        ("=low:1", "LO 'low' is not a number"),
        ("=0:high", "HI 'high' is not a number"),
        ("=0:inf", "not a finite number"),
        ("=nan:1", "not a finite number"),
        ("=a:1:3", "START 'a' is not a number"),
        ("=0:b:3", "STOP 'b' is not a number"),
        ("=0:1:0", "COUNT must be a whole number of at least 1"),
        ("=0:1:-3", "COUNT must be a whole number of at least 1"),
        ("=0:1:2.5", "COUNT must be a whole number of at least 1"),
        ("=0:1:many", "COUNT must be a whole number of at least 1"),
        ("=0:1:2:3", "neither START:STOP:COUNT nor LO:HI"),
        ("=0::1", "is not a number"),
        ("={a", "cannot be read"),
    ],
)
def test_malformed_spec_names_vary_and_the_path(spec, fragment):
    error = raises_on_vary(f"{FEAR}{spec}")
    assert error.source == "--vary"
    assert error.path == FEAR
    assert fragment in error.problem
    assert str(error).startswith(f"--vary: {FEAR}: ")
    assert "\n" not in str(error)


def test_missing_path_is_named_by_the_whole_text():
    error = raises_on_vary("=0.1,0.5")
    assert error.source == "--vary"
    assert "expected PATH=SPEC" in error.problem
    assert "=0.1,0.5" in str(error)


def test_numerically_equal_list_items_are_a_repeated_value():
    with pytest.raises(ScenarioError, match="repeats a value"):
        parse_vary(f"{FEAR}=1,1.0")


def test_range_that_repeats_a_value_is_refused():
    with pytest.raises(ScenarioError, match="--vary"):
        parse_vary(f"{FEAR}=0.5:0.5:3")


def test_exponent_notation_list_items_are_numbers():
    assert parse_vary(f"{FEAR}=0.1,1e-3,2E-2").values == (0.1, 0.001, 0.02)


# --- make_design: grids ------------------------------------------------------------------------------


def test_grid_is_the_cartesian_product_in_order_with_a_cell_column():
    fear = parse_vary(f"{FEAR}=0.1,0.5,0.9")
    nato = parse_vary("alliances.NATO.active=true,false")
    design = make_design([fear, nato])
    cells = design.cells
    assert list(cells.columns) == ["cell", FEAR, "alliances.NATO.active"]
    assert cells["cell"].tolist() == list(range(6))
    assert cells["cell"].dtype == np.int64
    expected = list(itertools.product((0.1, 0.5, 0.9), (True, False)))
    assert list(zip(cells[FEAR], cells["alliances.NATO.active"], strict=True)) == expected
    assert design.kind == "grid" and design.samples is None
    assert design.paths == [FEAR, "alliances.NATO.active"]


def test_grid_overrides_are_plain_python_values():
    design = make_design([parse_vary(f"{FEAR}=0:1:3"), parse_vary("params.max_steps=10,20")])
    overrides = design.overrides(3)
    assert overrides == {FEAR: 0.5, "params.max_steps": 20}
    assert not any(isinstance(value, np.generic) for value in overrides.values())
    assert design.overrides(0) == {FEAR: 0.0, "params.max_steps": 10}


def test_grid_description_lists_the_values():
    design = make_design([parse_vary(f"{FEAR}=0.2,0.4"), parse_vary(f"{RECKLESS}=0:1:3")], seed=9)
    assert design.describe() == {
        "kind": "grid",
        "samples": None,
        "seed": None,
        "vary": [{"path": FEAR, "values": [0.2, 0.4]}, {"path": RECKLESS, "values": [0.0, 0.5, 1.0]}],
        "cells": 6,
    }


# --- make_design: sampling designs -------------------------------------------------------------------


def sampled(kind: str, seed: int, samples: int = 16, base=None) -> pd.DataFrame:
    varies = [parse_vary(f"{FEAR}=0.1:0.9"), parse_vary(f"{RECKLESS}=-2:3")]
    return make_design(varies, kind, samples=samples, seed=seed, base=base).cells


@pytest.mark.parametrize("kind", ["lhs", "sobol"])
def test_sampling_design_is_deterministic_per_seed(kind):
    first, again = sampled(kind, seed=4), sampled(kind, seed=4)
    pd.testing.assert_frame_equal(first, again)
    other = sampled(kind, seed=5)
    assert not np.allclose(first[FEAR], other[FEAR])
    assert not np.allclose(first[RECKLESS], other[RECKLESS])


@pytest.mark.parametrize("kind", ["lhs", "sobol"])
def test_sampling_design_stays_inside_the_bounds_and_fills_them(kind):
    cells = sampled(kind, seed=1)
    assert len(cells) == 16
    assert cells["cell"].tolist() == list(range(16))
    for path, (low, high) in {FEAR: (0.1, 0.9), RECKLESS: (-2.0, 3.0)}.items():
        values = cells[path].to_numpy()
        assert ((values >= low) & (values <= high)).all()
        # Both designs put exactly one of 16 points in each sixteenth of every axis.
        strata = np.floor((values - low) / (high - low) * 16).astype(int)
        assert sorted(strata.tolist()) == list(range(16)), path


def test_sobol_with_a_sample_count_that_is_not_a_power_of_two():
    cells = sampled("sobol", seed=2, samples=5)
    assert len(cells) == 5
    assert cells[FEAR].nunique() == 5
    # The first five points of the same 8-point sequence.
    pd.testing.assert_frame_equal(cells, sampled("sobol", seed=2, samples=8).iloc[:5])


@pytest.mark.parametrize("kind", ["lhs", "sobol"])
def test_sampling_design_description_records_seed_and_bounds(kind):
    varies = [parse_vary(f"{FEAR}=0.1:0.9")]
    design = make_design(varies, kind, samples=3, seed=12)
    assert design.describe() == {
        "kind": kind,
        "samples": 3,
        "seed": 12,
        "vary": [{"path": FEAR, "low": 0.1, "high": 0.9}],
        "cells": 3,
    }


@pytest.mark.parametrize("kind", ["lhs", "sobol"])
def test_integer_fields_are_sampled_as_whole_numbers(moscow, kind):
    varies = [parse_vary(f"{START_RUNG}=0:8"), parse_vary(f"{FEAR}=0.1:0.9")]
    design = make_design(varies, kind, samples=16, seed=3, base=moscow)
    rungs = design.cells[START_RUNG]
    assert pd.api.types.is_integer_dtype(rungs)
    assert rungs.between(0, 8).all()
    assert rungs.nunique() > 4  # spread over the range, not collapsed
    assert not pd.api.types.is_integer_dtype(design.cells[FEAR])  # a float field stays float
    assert design.overrides(0)[START_RUNG] == rungs.iloc[0]
    check_design(moscow, design)


# --- make_design: specs that do not fit the design ------------------------------------------------------


@pytest.mark.parametrize(
    ("varies", "kind", "samples", "source", "fragment"),
    [
        ([f"{FEAR}=0.1:0.9"], "grid", None, "--vary", "need --design lhs or sobol"),
        ([f"{FEAR}=0.1,0.9"], "lhs", 8, "--vary", "needs bounds LO:HI"),
        ([f"{FEAR}=0:1:5"], "sobol", 8, "--vary", "needs bounds LO:HI"),
        ([f"{FEAR}=0.1:0.9"], "lhs", None, "--samples", "needs --samples N"),
        ([f"{FEAR}=0.1:0.9"], "sobol", 0, "--samples", "needs --samples N"),
        ([f"{FEAR}=0.1,0.9"], "grid", 8, "--samples", "only the lhs and sobol designs take --samples"),
        ([f"{FEAR}=0.1,0.9"], "latin", None, "--design", "unknown design; choose from grid, lhs, sobol"),
        ([f"{FEAR}=0.1,0.9", f"{RECKLESS}=0.2", f"{FEAR}=0.3,0.4"], "grid", None, "--vary", "varied twice"),
        ([f"{FEAR}=0.1:0.9", f"{FEAR}=0.2:0.3"], "lhs", 4, "--vary", "varied twice"),
        ([], "lhs", 8, "--vary", "the lhs design needs at least one --vary PATH=LO:HI"),
        ([], "sobol", 8, "--vary", "the sobol design needs at least one --vary"),
        ([], "grid", 8, "--samples", "only the lhs and sobol designs take --samples"),
    ],
)
def test_spec_that_does_not_fit_the_design_is_refused(varies, kind, samples, source, fragment):
    with pytest.raises(ScenarioError) as caught:
        make_design([parse_vary(text) for text in varies], kind, samples=samples, seed=0)
    assert caught.value.source == source
    assert fragment in str(caught.value)


def test_grid_without_vary_is_one_cell_of_the_scenario_as_it_is(moscow):
    design = make_design([], base=moscow)
    assert design.kind == "grid" and design.paths == []
    assert design.cells.to_dict("list") == {"cell": [0]}
    assert design.overrides(0) == {}
    assert design.describe() == {"kind": "grid", "samples": None, "seed": None, "vary": [], "cells": 1}
    check_design(moscow, design)


def test_vary_twice_blames_the_repeated_path():
    with pytest.raises(ScenarioError) as caught:
        make_design([parse_vary(f"{RECKLESS}=0.2"), parse_vary(f"{FEAR}=0.1"), parse_vary(f"{FEAR}=0.3")])
    assert caught.value.path == FEAR


# --- check_design --------------------------------------------------------------------------------------


def test_check_design_accepts_a_valid_grid(moscow):
    design = make_design([parse_vary(f"{FEAR}=0:1:3"), parse_vary("alliances.NATO.active=true,false")])
    check_design(moscow, design)  # raises on failure


def test_unknown_path_is_blamed_on_vary_with_a_suggestion(moscow):
    design = make_design([parse_vary("states.RUS.fearr=0.1,0.5")])
    with pytest.raises(ScenarioError) as caught:
        check_design(moscow, design)
    assert caught.value.source == "--vary"
    assert caught.value.path == "states.RUS.fearr"
    assert "did you mean 'states.RUS.fear'?" in str(caught.value)


def test_unknown_state_in_path_is_blamed_on_vary(moscow):
    design = make_design([parse_vary("states.RUZ.fear=0.1,0.5")])
    with pytest.raises(ScenarioError, match=r"^--vary: states\.RUZ\.fear: unknown parameter path; did you mean"):
        check_design(moscow, design)


def test_out_of_range_value_is_blamed_on_vary(moscow):
    design = make_design([parse_vary(f"{RECKLESS}=0.2,0.6"), parse_vary(f"{FEAR}=0.5,1.5")])
    with pytest.raises(ScenarioError) as caught:
        check_design(moscow, design)
    assert caught.value.source == "--vary"
    assert caught.value.path == FEAR
    assert "less than or equal to 1" in caught.value.problem


def test_out_of_range_sampled_bound_is_blamed_on_vary(moscow):
    design = make_design([parse_vary(f"{FEAR}=0.5:1.5")], "lhs", samples=8, seed=0)
    with pytest.raises(ScenarioError) as caught:
        check_design(moscow, design)
    assert caught.value.source == "--vary"
    assert caught.value.path == FEAR


def test_wrong_type_value_is_blamed_on_vary(moscow):
    design = make_design([parse_vary(f"{FEAR}=0.5,high")])
    with pytest.raises(ScenarioError) as caught:
        check_design(moscow, design)
    assert caught.value.source == "--vary"
    assert caught.value.path == FEAR


def test_grid_cell_whose_combination_is_invalid_is_refused(attrition):
    # Each value is valid with the other path at its base value; prevail 0.5 with concede 0.9 is not.
    prevail, concede = "crises.contest.sides.AAA.prevail", "crises.contest.sides.AAA.concede"
    design = make_design([parse_vary(f"{prevail}=0.5,2"), parse_vary(f"{concede}=-1,0.9")])
    with pytest.raises(ScenarioError) as caught:
        check_design(attrition, design)
    assert caught.value.source == "--vary"
    assert "must exceed concede" in caught.value.problem
