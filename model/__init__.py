"""The Mesa model of crises and alliances.

Modules:
    brinkmanship: `BrinkmanshipModel`, the `mesa.Model` subclass and its step.
    crisis: two-sided crises played through the one crisis game: views, moves, partners called, endings.
    alliance: treaties in force and their cohesion.
    events: scenario events fired through Mesa's event scheduling.
    reporters: data series (name -> function) for the command line and dashboards.
    summary: the run summary.
    outcomes: the names and rules of the outcome fields (no Mesa: the ensemble and batches read it).

`BrinkmanshipModel` and `summarize` are imported on first use, so that ``import model.outcomes``
does not load Mesa.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.brinkmanship import BrinkmanshipModel
    from model.summary import summarize

__all__ = ["BrinkmanshipModel", "summarize"]


def __getattr__(name: str) -> Any:
    """`BrinkmanshipModel` and `summarize`, imported when first asked for (PEP 562)."""
    if name == "BrinkmanshipModel":
        from model.brinkmanship import BrinkmanshipModel

        return BrinkmanshipModel
    if name == "summarize":
        from model.summary import summarize

        return summarize
    raise AttributeError(f"module 'model' has no attribute {name!r}")
