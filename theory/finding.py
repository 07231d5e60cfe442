"""What a theory check or a claim experiment reports: one row of the theory table, and its data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

Kind = Literal["check", "claim"]

ROLES: dict[str, str] = {
    "derived": "a published result the solver derives from the payoffs",
    "decision": ("one side's single decision, worked out by backward induction from the payoffs: it checks "
                 "the arithmetic of expected values, with no opponent's strategy to derive"),
    "bookkeeping": ("the policy is given the published mixed strategy or concession rate, so the check "
                    "tests the simulator's bookkeeping of moves and outcomes, not the theory"),
    "heuristic": ("the default heuristic's comparative static (decision noise, no private types): it shows "
                  "the heuristic moves the published way, not that an equilibrium does"),
    "equilibrium": "an essay's claim on the crisis alone, played in equilibrium",
    "world": "an essay's claim on the agent model over years (its default policy plays the crises)",
}
"""What each kind of finding tests, by role (`Finding.role`)."""


@dataclass(frozen=True)
class Plot:
    """A line plot of `y` against `x` with an interval band, one line per `group`.

    Attributes:
        x: Column of `Finding.rows` on the horizontal axis.
        y: Column plotted.
        lo: Column of the interval's lower end.
        hi: Column of the interval's upper end.
        group: Column whose values get one line each ("" for a single line).
        xlabel: Axis label.
        ylabel: Axis label.
        reference: Column of a published value to draw as a dashed line ("" for none).
    """

    x: str
    y: str
    lo: str
    hi: str
    group: str = ""
    xlabel: str = ""
    ylabel: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Finding:
    """The outcome of one closed-form check or essay-claim experiment.

    Attributes:
        key: Short identifier (file names, ``--only``).
        title: What is tested.
        source: Publication or essay the expectation comes from.
        kind: "check" (a published result the model must reproduce) or "claim" (an essay's claim).
        expected: The published value or the claimed direction, in words.
        measured: The model's value.
        interval: The interval around `measured`, with its confidence level.
        passed: Check reproduced, or claim borne out.
        basis: For claims: whether the effect follows by construction from one rule or emerges.
        notes: What the numbers mean, including where the model does not bear a claim out.
        rows: Per-condition data behind the measurement.
        plot: How to draw `rows`, or None.
        runs: Number of model runs used.
        partial: For claims: borne out in part (see `notes`).
        confidence: Confidence level of the intervals.
        role: What the finding tests, a key of `ROLES` ("derived" for a check not told otherwise).
        origin: For claims: in a few words, whether the effect follows by construction or emerges.
    """

    key: str
    title: str
    source: str
    kind: Kind
    expected: str
    measured: str
    interval: str
    passed: bool
    basis: str = ""
    notes: str = ""
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    plot: Plot | None = None
    runs: int = 0
    partial: bool = False
    confidence: float = 0.95
    role: str = "derived"
    origin: str = ""

    @property
    def interval_level(self) -> str:
        """The confidence level of the finding's intervals, in words."""
        return f"{self.confidence:.0%} intervals"

    @property
    def verdict(self) -> str:
        """The verdict: pass or FAIL for checks; borne out, partly or not borne out for claims."""
        if self.kind == "check":
            return "pass" if self.passed else "FAIL"
        if self.passed:
            return "borne out"
        return "partly borne out" if self.partial else "not borne out"
