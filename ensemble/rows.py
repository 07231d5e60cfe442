"""The ensemble's outcomes as the batch runner's row columns (see `batch.rows`), and one replication replayed.

The names and rules of the outcome fields are `model.outcomes`'s, shared with the agent model's
summary, so a row means the same on both simulators.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ensemble.engine import (
    CATASTROPHE,
    CATASTROPHE_CAUSE_NAMES,
    CAUSE_NAMES,
    STATUS_NAMES,
    Outcomes,
    run_ensemble,
)
from ensemble.world import World, build_world
from model.outcomes import CRISIS_ROW_FIELDS, NO_CRISIS, ROW_FIELDS, TOP_FIELDS, no_crisis_fields, nuclear_used
from scenarios import Scenario, ScenarioError

MAX_SEED = 2**64 - 1


def crisis_columns(world: World, out: Outcomes) -> dict[str, Any]:
    """The first crisis's outcome columns (`batch.rows.OUTCOME_FIELDS` but steps and final year), one entry a run."""
    codes = np.array([*world.codes, None], dtype=object)  # index -1 gives None
    leads = np.append(world.crisis.leads, -1)
    yielded = out.yielder >= 0
    catastrophe = out.status == CATASTROPHE
    deliberate = out.first_deliberate >= 0
    return {
        "outcome": np.array(STATUS_NAMES, dtype=object)[out.status],
        "yielder": codes[leads[out.yielder]],
        "yield_cause": np.array(CAUSE_NAMES, dtype=object)[out.cause],
        "yield_rung": np.where(yielded, out.rung.astype(object), None),
        "max_rung": out.max_rung.astype(np.int32),
        "max_rung_name": np.array(world.rung_names, dtype=object)[out.max_rung],
        "nuclear_used": nuclear_used(deliberate, catastrophe, bool(world.nuclear[-1])),
        "first_deliberate_nuclear_user": codes[out.first_deliberate],
        "catastrophe": catastrophe,
        "catastrophe_cause": np.array(CATASTROPHE_CAUSE_NAMES, dtype=object)[out.catastrophe_cause],
        "slip_holder": codes[out.slip_holder],
        "duration": out.moves.astype(np.int32),
    }


def outcome_columns(spec: Scenario, world: World, out: Outcomes) -> dict[str, Any]:
    """The columns of `batch.rows.table_schema` but identity and parameters, one entry per replication.

    The first crisis's fields, the same again as ``crisis.<id>.<field>`` (the engine runs one
    crisis), then alliance and damage fields.
    """
    params = spec.params
    reps = len(out.status)
    if world.crisis is None:
        fields = {**no_crisis_fields(world.rung_names[0]), "duration": None}
        columns: dict[str, Any] = {name: np.full(reps, fields[name], dtype=object) for name in ROW_FIELDS}
    else:
        columns = crisis_columns(world, out)
        columns.update({f"crisis.{world.crisis.id}.{name}": columns[name] for name in CRISIS_ROW_FIELDS})
    columns["steps"] = out.steps.astype(np.int32)
    columns["final_year"] = np.round(params.start_year + out.steps * params.step_years, 4)
    for a, key in enumerate(world.alliance_ids):
        columns[f"alliance.{key}.survived"] = out.active[:, a]
        step = out.dissolved_at[:, a]
        year = np.round(params.start_year + step * params.step_years, 6)
        columns[f"alliance.{key}.dissolved_year"] = np.where(step >= 0, year, np.nan)
    for n, code in enumerate(world.codes):
        columns[f"damage.{code}"] = np.round(out.damage[:, n], 6)
    columns["error"] = np.full(reps, None, dtype=object)
    return columns


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value a summary holds (NaN as None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def replay_summary(spec: Scenario, seed: int) -> dict[str, Any]:
    """One replication of `spec` on the ensemble engine, from its own seed, as a run summary.

    Shaped like `model.summary.summarize` (scenario, seed, steps, final year, the first crisis's
    outcome fields, ``crises``, ``alliances``, ``successions``, ``damage``). A sweep row whose
    ``seed`` column is `seed` holds exactly these outcomes: a replication's draws depend on its
    seed alone (`ensemble.streams`), not on the task it ran in.

    Raises:
        ScenarioError: `seed` is not an integer in [0, 2**64), or the engine does not support `spec`.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= int(seed) <= MAX_SEED:
        raise ScenarioError("--seed", str(seed)[:40], "the ensemble replays a seed in [0, 2**64)")
    seed = int(seed)
    world = build_world(spec)
    out = run_ensemble(spec, np.array([seed], dtype=np.uint64))
    row = {name: plain(values[0]) for name, values in outcome_columns(spec, world, out).items()}
    summary: dict[str, Any] = {
        "scenario": spec.name,
        "seed": seed,
        "steps": row["steps"],
        "final_year": row["final_year"],
    }
    crises = {world.crisis.id: crisis_summary(world, out, row)} if world.crisis is not None else {}
    if crises:
        summary.update({k: next(iter(crises.values()))[k] for k in TOP_FIELDS})
    else:
        summary.update(no_crisis_fields(world.rung_names[0]))
    summary["crises"] = crises
    summary["alliances"] = {
        key: {
            "members": [world.codes[n] for n in np.nonzero(world.alliance_members[a])[0]],
            "initially_active": bool(world.active[a]),
            "survived": bool(out.active[0, a]),
            "final_cohesion": round(float(out.cohesion[0, a]), 6),
            "dissolved_at": plain(out.dissolved_at[0, a]) if out.dissolved_at[0, a] >= 0 else None,
        }
        for a, key in enumerate(world.alliance_ids)
    }
    summary["successions"] = {code: int(n) for code, n in zip(world.codes, out.successions[0], strict=True) if n}
    summary["damage"] = {code: row[f"damage.{code}"] for code in world.codes}
    return summary


def crisis_summary(world: World, out: Outcomes, row: dict[str, Any]) -> dict[str, Any]:
    """Replication 0's crisis fields, keyed and ordered as `model.summary.crisis_summary`'s."""
    crisis = world.crisis
    codes = world.codes
    sides = [codes[lead] for lead in crisis.leads]

    def listed(mask: np.ndarray, side: int) -> list[str]:
        found = [n for n in np.nonzero(mask)[0] if n != crisis.leads[side]]
        return [codes[n] for n in sorted(found, key=lambda n: out.order[0, side, n])]

    started = row["outcome"] != STATUS_NAMES[0]
    return {
        **{name: row[name] for name in ("outcome", "yielder", "yield_cause", "yield_rung")},
        "sides": sides,
        "joined": {code: listed(out.members[0, s], s) for s, code in enumerate(sides)},
        "declined": {code: listed(out.declined[0, s], s) for s, code in enumerate(sides)},
        **{name: row[name] for name in ("max_rung", "max_rung_name", "nuclear_used", "first_deliberate_nuclear_user")},
        **{name: row[name] for name in ("catastrophe", "catastrophe_cause", "slip_holder")},
        "slip_rung": plain(out.slip_rung[0]) if out.slip_rung[0] >= 0 else None,
        "moves": row["duration"],
        "opened_at": plain(out.opened_at[0]) if started else None,
        "ended_at": plain(out.ended_at[0]) if out.ended_at[0] >= 0 else None,
    }


__all__ = ["NO_CRISIS", "crisis_columns", "outcome_columns", "replay_summary"]
