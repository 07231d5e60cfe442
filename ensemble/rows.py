"""The ensemble's outcomes as the batch runner's row columns (see `batch.rows`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ensemble.engine import CATASTROPHE, CAUSE_NAMES, PENDING, STATUS_NAMES, Outcomes
from ensemble.world import World
from model.summary import NO_CRISIS
from scenarios import Scenario


def outcome_columns(spec: Scenario, world: World, out: Outcomes) -> dict[str, Any]:
    """Columns of `batch.rows.OUTCOME_FIELDS` plus alliance and damage fields, one entry per replication."""
    params = spec.params
    reps = len(out.status)
    codes = np.array([*world.codes, None], dtype=object)  # index -1 gives None
    names = np.array(world.rung_names, dtype=object)
    crisis = world.crisis
    if crisis is None:
        outcome = np.full(reps, NO_CRISIS, dtype=object)
        yielder = np.full(reps, None, dtype=object)
        duration = np.full(reps, None, dtype=object)
    else:
        outcome = np.array(STATUS_NAMES, dtype=object)[out.status]
        leads = np.append(crisis.leads, -1)
        yielder = codes[leads[out.yielder]]
        duration = out.moves.astype(np.int32)
    columns: dict[str, Any] = {
        "outcome": outcome,
        "yielder": yielder,
        "yield_cause": np.array(CAUSE_NAMES, dtype=object)[out.cause],
        "max_rung": out.max_rung.astype(np.int32),
        "max_rung_name": names[out.max_rung],
        "nuclear_used": out.first_nuclear_user >= 0,
        "first_nuclear_user": codes[out.first_nuclear_user],
        "catastrophe": out.status == CATASTROPHE,
        "duration": duration,
        "steps": out.steps.astype(np.int32),
        "final_year": np.round(params.start_year + out.steps * params.step_years, 4),
    }
    for a, key in enumerate(world.alliance_ids):
        columns[f"alliance.{key}.survived"] = out.active[:, a]
        step = out.dissolved_at[:, a]
        year = np.round(params.start_year + step * params.step_years, 6)
        columns[f"alliance.{key}.dissolved_year"] = np.where(step >= 0, year, np.nan)
    for n, code in enumerate(world.codes):
        columns[f"damage.{code}"] = np.round(out.damage[:, n], 6)
    columns["error"] = np.full(reps, None, dtype=object)
    if crisis is not None:
        columns["yield_cause"] = np.where(out.status == PENDING, None, columns["yield_cause"])
    return columns
