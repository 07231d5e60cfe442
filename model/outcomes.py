"""What a run's outcome fields are called and mean, shared by the agent model, the ensemble and batch rows.

This module imports nothing heavy (no Mesa), so the ensemble engine and the batch runner read the
same names and rules as `model.summary` without loading the agent model.
"""

from __future__ import annotations

from typing import Any

NO_CRISIS = "no_crisis"
"""Outcome of a run whose scenario has no crisis (alliance dynamics only)."""
NOT_STARTED = "not_started"
"""Outcome of a crisis that never opened."""

CHOICE, DEFEAT = "choice", "defeat"
"""Why a side yielded: it chose to, or it lost a decision by force (docs/odd.md 7.8)."""
SLIP, DELIBERATE, ALLY = "slip", "deliberate", "ally"
"""Why a crisis ended in catastrophe (`rules.crisis_game` ending kinds): it slipped out of control
after a hold or a move (Schelling's threat that leaves something to chance), a side chose to move
to a catastrophe rung, or an ally that had joined escalated on its own into all-out war (the threat
left in a third party's hands, Snyder 1984). Decisive fighting never ends in catastrophe in this
model (it ends in a yield by defeat), so ``defeat`` is never a catastrophe's cause."""
CATASTROPHE_CAUSES = (SLIP, DELIBERATE, ALLY)

TOP_FIELDS = (
    "outcome",
    "yielder",
    "yield_cause",
    "yield_rung",
    "max_rung",
    "max_rung_name",
    "nuclear_used",
    "first_deliberate_nuclear_user",
    "catastrophe",
    "catastrophe_cause",
    "slip_holder",
    "slip_rung",
)
"""The first crisis's fields that a summary repeats at its top level."""

ROW_FIELDS = (*(name for name in TOP_FIELDS if name != "slip_rung"), "duration")
"""The first crisis's fields in a batch row (``duration`` is its moves), before ``steps`` and ``final_year``."""

CRISIS_ROW_FIELDS = (
    "outcome",
    "yielder",
    "yield_cause",
    "yield_rung",
    "max_rung",
    "nuclear_used",
    "first_deliberate_nuclear_user",
    "catastrophe",
    "catastrophe_cause",
    "slip_holder",
    "duration",
)
"""The fields a batch row carries for every crisis ``c``, as ``crisis.<c>.<field>``."""

EVENT_COLUMNS = (
    "step", "year", "crisis", "actor", "action", "rung", "rung_name", "next_mover", "detail", "cause", "belief",
    "posterior", "mover_type", "options",
)  # fmt: skip
"""Columns of the event log (`model.brinkmanship.BrinkmanshipModel.log`, ``events.csv``).

``cause`` is set on the event that ends a crisis: choice, defeat, slip, deliberate or ally. On a
move's line (`WHY_FIELDS`), ``belief`` is the mover's public belief that the opponent is obstinate
before the move, ``posterior`` the exact Bayes posterior that the mover is obstinate after it,
``mover_type`` the type the mover was drawn to be (``normal`` or ``obstinate``: the analyst's view,
which the other side does not see), and ``options`` the stage game it faced, each move's label with
the normal type's equilibrium probability and value (``yield p=0.158 v=-1.23; hold p=0.842 v=0.41``).
They are empty on other lines, and ``options`` also when the crisis game was not solved (no lead
plays the equilibrium)."""

WHY_FIELDS = ("belief", "posterior", "mover_type", "options")
"""The why-fields of a move's event line (`EVENT_COLUMNS`)."""


def nuclear_used(deliberate: Any, catastrophe: Any, top_is_nuclear: bool) -> Any:
    """Whether nuclear weapons were used: a side chose a nuclear rung, or the crisis ended in a nuclear catastrophe.

    Works on booleans and on numpy arrays alike.

    Args:
        deliberate: Whether some side chose a move onto a nuclear rung.
        catastrophe: Whether the crisis ended in catastrophe (on the top rung).
        top_is_nuclear: Whether the ladder's top rung is nuclear.
    """
    return deliberate | (catastrophe & top_is_nuclear)


def no_crisis_fields(first_rung_name: str) -> dict[str, Any]:
    """The top-level outcome fields of a run without a crisis."""
    fields: dict[str, Any] = dict.fromkeys(TOP_FIELDS)
    fields.update(outcome=NO_CRISIS, max_rung=0, max_rung_name=first_rung_name, nuclear_used=False, catastrophe=False)
    return fields


def crisis_row(crisis_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A crisis's summary fields as ``crisis.<id>.<field>`` row columns (``duration`` is its moves)."""
    values = {**fields, "duration": fields["moves"]}
    return {f"crisis.{crisis_id}.{name}": values[name] for name in CRISIS_ROW_FIELDS}
