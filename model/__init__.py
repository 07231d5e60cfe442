"""The Mesa model of crises and alliances.

Modules:
    brinkmanship: `BrinkmanshipModel`, the `mesa.Model` subclass and its step.
    crisis: two-sided crises on the ladder: views, moves, allies called, risks drawn.
    alliance: treaties in force and their cohesion.
    events: scenario events fired through Mesa's event scheduling.
    reporters: data series (name -> function) for the command line and dashboards.
    summary: the run summary.
"""

from model.brinkmanship import BrinkmanshipModel
from model.summary import summarize

__all__ = ["BrinkmanshipModel", "summarize"]
