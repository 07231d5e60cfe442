"""The run summary: what happened, in fields that batches and notebooks can read.

The names and rules of the outcome fields live in `model.outcomes`, which the ensemble engine's
summaries (`ensemble.rows.replay_summary`) and the batch rows share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.crisis import CATASTROPHE, PENDING
from model.outcomes import NO_CRISIS, NOT_STARTED, TOP_FIELDS, no_crisis_fields, nuclear_used

if TYPE_CHECKING:
    from model.brinkmanship import BrinkmanshipModel
    from model.crisis import Crisis

__all__ = ["NO_CRISIS", "crisis_summary", "summarize"]


def crisis_summary(model: BrinkmanshipModel, crisis: Crisis) -> dict[str, Any]:
    """Outcome fields of one crisis (their meaning: `model.outcomes`, docs/odd.md section 2)."""
    rung = model.ladder.rungs[crisis.max_rung]
    catastrophe = crisis.status == CATASTROPHE
    deliberate = crisis.first_deliberate_nuclear_user is not None
    return {
        "outcome": NOT_STARTED if crisis.status == PENDING else crisis.status,
        "yielder": crisis.yielder,
        "yield_cause": crisis.yield_cause,
        "yield_rung": crisis.rung if crisis.yielder else None,
        "sides": [side.code for side in crisis.sides],
        "joined": {side.code: [m.code for m in side.members[1:]] for side in crisis.sides},
        "declined": {side.code: [m.code for m in side.declined] for side in crisis.sides},
        "max_rung": crisis.max_rung,
        "max_rung_name": rung.name,
        "nuclear_used": bool(nuclear_used(deliberate, catastrophe, bool(model.ladder.arrays["nuclear"][-1]))),
        "first_deliberate_nuclear_user": crisis.first_deliberate_nuclear_user,
        "catastrophe": catastrophe,
        "catastrophe_cause": crisis.catastrophe_cause,
        "slip_holder": crisis.slip_holder,
        "slip_rung": crisis.slip_rung,
        "moves": len(crisis.history),
        "opened_at": crisis.opened_at,
        "ended_at": crisis.ended_at,
    }


def summarize(model: BrinkmanshipModel) -> dict[str, Any]:
    """Summary of a finished (or stopped) run.

    The top-level outcome fields describe the scenario's first crisis; ``crises`` has every
    crisis and ``alliances`` the fate of every alliance.
    """
    crises = {c.id: crisis_summary(model, c) for c in model.crises}
    summary: dict[str, Any] = {
        "scenario": model.spec.name,
        "seed": model.seed,
        "steps": model.steps,
        "final_year": round(model.year, 4),
    }
    if crises:
        first = next(iter(crises.values()))
        summary.update({k: first[k] for k in TOP_FIELDS})
    else:
        summary.update(no_crisis_fields(model.ladder.rungs[0].name))
    summary["crises"] = crises
    summary["alliances"] = {
        a.id: {
            "members": a.codes,
            "initially_active": a.initially_active,
            "survived": a.active,
            "final_cohesion": round(a.cohesion, 6),
            "dissolved_at": a.dissolved_at,
        }
        for a in model.alliances
    }
    summary["successions"] = {s.code: s.successions for s in model.states if s.successions}
    summary["damage"] = {s.code: round(s.damage, 6) for s in model.states}
    return summary
