"""Agent series hold traits; beliefs go to a long table of the values that changed (model/reporters.py)."""

from __future__ import annotations

import itertools
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from brink.api import run
from model import BrinkmanshipModel
from model.reporters import BELIEF_COLUMNS, BELIEF_KINDS, BeliefLog, beliefs_wide, empty_beliefs

AGENT_COLUMNS = ["step", "agent_id", "state", "fear", "recklessness", "commitment", "damage", "leader", "leader_age"]


def crowd(folder: Path, states: int, crises: int, steps: int, seed: int = 3) -> Path:
    """A scenario of `states` states on Kahn's ladder, with crises between random pairs opening in turn.

    Every other state plays the heuristic (with decision noise, so seeds differ), the rest the
    equilibrium: the ratchet and the obstinate posteriors both move.
    """
    rng = np.random.default_rng(seed)
    codes = ["".join(c) for c in itertools.islice(itertools.product(string.ascii_uppercase, repeat=3), states)]
    document = {
        "name": "crowd",
        "ladder": "default",
        "params": {"max_steps": steps, "stop_when_crises_end": False, "decision_noise": 0.2},
        "states": {
            code: {
                "name": f"State {code}",
                **{t: round(float(rng.uniform(0.1, 0.9)), 3) for t in ("fear", "recklessness", "commitment")},
                "warheads": 100,
                "leader": {"name": f"Leader of {code}", "age": 50.0, "political_hazard": 0.0},
                "policy": "heuristic" if position % 2 else "equilibrium",
            }
            for position, code in enumerate(codes)
        },
        "crises": {},
    }
    for index, (first, second) in enumerate(rng.permutation(states)[: 2 * crises].reshape(-1, 2)):
        sides = {codes[first]: {"prevail": 1.0, "concede": -1.0}, codes[second]: {"prevail": 1.0, "concede": -1.0}}
        document["crises"][f"c{index}"] = {"first_mover": codes[first], "start_step": 1 + index, "sides": sides}
    path = folder / f"crowd-{states}-{crises}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def stepped(path: Path, seed: int) -> tuple[BeliefLog, dict[int, np.ndarray]]:
    """Run the model with a belief log; also keep every step's beliefs straight from the model's arrays."""
    model = BrinkmanshipModel(scenario=path, rng=seed)

    def now() -> np.ndarray:
        beliefs = (model.belief_recklessness, model.belief_resolve, model.belief_obstinate)
        return np.stack([np.round(b, 6) for b in beliefs], axis=-1)

    log, snapshots = BeliefLog(model), {0: now()}
    while model.running:
        model.step()
        log.record(model)
        snapshots[model.steps] = now()
    return log, snapshots


@pytest.fixture(scope="module")
def crowded(tmp_path_factory) -> tuple[Path, BeliefLog, dict[int, np.ndarray]]:
    path = crowd(tmp_path_factory.mktemp("crowd"), states=24, crises=8, steps=12)
    return (path, *stepped(path, seed=5))


def test_the_log_rebuilds_every_belief_at_every_step(crowded):
    _, log, snapshots = crowded
    wide = beliefs_wide(log.frame(), sorted(snapshots))
    assert len(wide) == len(snapshots) * len(log.codes)
    for step, values in snapshots.items():
        rows = wide[wide["step"] == step].set_index("state").loc[list(log.codes)]
        for k, kind in enumerate(BELIEF_KINDS):
            got = rows[[f"belief.{kind}.{target}" for target in log.codes]].to_numpy()
            np.testing.assert_array_equal(got, values[:, :, k], err_msg=f"{kind} at step {step}")


def test_after_the_first_step_only_the_beliefs_that_changed_are_kept(crowded):
    _, log, snapshots = crowded
    beliefs = log.frame()
    n = len(log.codes)
    assert (beliefs["step"] == 0).sum() == len(BELIEF_KINDS) * n * n
    changed_steps = 0
    for step in sorted(snapshots)[1:]:
        rows = beliefs[beliefs["step"] == step]
        now, before = snapshots[step], snapshots[step - 1]
        changed = np.argwhere((now != before) & ~(np.isnan(now) & np.isnan(before)))
        codes = [rows[column].cat.codes for column in ("observer", "target", "kind")]
        kept = np.column_stack(codes).reshape(-1, 3)
        np.testing.assert_array_equal(kept, changed, err_msg=f"step {step}")
        np.testing.assert_array_equal(rows["value"].to_numpy(), snapshots[step][tuple(changed.T)])
        changed_steps += bool(len(changed))
    assert changed_steps >= 4  # the crises move beliefs on many steps: the check is not empty
    assert len(beliefs) < 0.2 * len(BELIEF_KINDS) * n * n * len(snapshots)
    obstinate = beliefs[(beliefs["kind"] == "obstinate") & (beliefs["step"] > 0)]
    assert obstinate["value"].notna().all() and len(obstinate) > 0  # posteriors set as the crises open


def test_beliefs_that_never_change_are_kept_once():
    model = BrinkmanshipModel(scenario="moscow-strike", rng=2, overrides={"crises.moscow.start_step": 99})
    log = BeliefLog(model)
    while model.running:
        model.step()
        assert log.record(model) == 0
    assert model.steps == 60
    assert len(log.frame()) == len(BELIEF_KINDS) * len(model.states) ** 2


def test_a_run_keeps_traits_in_the_agent_table_and_beliefs_in_their_own(crowded):
    path, log, _ = crowded
    result = run(path, seed=5)
    assert list(result.agents.columns) == AGENT_COLUMNS
    assert list(result.beliefs.columns) == list(BELIEF_COLUMNS)
    pd.testing.assert_frame_equal(result.beliefs, log.frame())
    assert set(result.beliefs["step"]) <= set(result.agents["step"].astype(int))
    assert list(result.beliefs["observer"].cat.categories) == list(result.spec.states)
    assert list(result.beliefs["kind"].cat.categories) == list(BELIEF_KINDS)
    pd.testing.assert_frame_equal(run(path, seed=5).beliefs, result.beliefs)
    assert not run(path, seed=6).beliefs.equals(result.beliefs)


def test_an_empty_log_widens_to_unknown_beliefs():
    wide = beliefs_wide(empty_beliefs(["AAA", "BBB"]), [0, 1])
    assert list(wide.columns) == [
        "step", "state",
        "belief.recklessness.AAA", "belief.resolve.AAA", "belief.obstinate.AAA",
        "belief.recklessness.BBB", "belief.resolve.BBB", "belief.obstinate.BBB",
    ]  # fmt: skip
    assert wide[["step", "state"]].values.tolist() == [[0, "AAA"], [0, "BBB"], [1, "AAA"], [1, "BBB"]]
    assert wide.iloc[:, 2:].isna().all().all()
