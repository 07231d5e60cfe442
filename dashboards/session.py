"""One browser tab's live run: its scenario, seed, chosen values and model, behind a lock.

The page's play loop steps the model from a thread while the user clicks; every touch of the
model goes through `LiveRun`'s lock, and the page only ever reads the `Frame` it returns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dashboards.controls import Control, controls_for
from dashboards.views import Frame, build_frame
from model import BrinkmanshipModel
from scenarios import Scenario, ScenarioError, load_scenario


class LiveRun:
    """A model rebuilt from (scenario, seed, chosen values), stepped one frame at a time.

    Args:
        scenario: Shipped name or path of a YAML file.
        seed: Seed of the model's generator.
        opener: Loads a scenario by name or path (the page passes one that opens only what the
            dashboard may open, `dashboards.files.DataFolders.load`).

    Raises:
        ScenarioError: The scenario cannot be loaded.
    """

    def __init__(
        self, scenario: str | Path, seed: int = 0, opener: Callable[[str], Scenario] = load_scenario
    ) -> None:
        self._lock = threading.RLock()
        self._open = opener
        self.scenario_ref = str(scenario)
        self.base: Scenario = opener(str(scenario))
        self.seed = seed
        self.values: dict[str, Any] = {}
        self.generation = 0
        """Counts rebuilds, so that a play loop started on an older model stops instead of stepping the new one."""
        self.controls: list[Control] = controls_for(self.base)
        self.model = self._build()
        self.frame = build_frame(self.model)

    def _build(self, values: dict[str, Any] | None = None) -> BrinkmanshipModel:
        chosen = self.values if values is None else values
        return BrinkmanshipModel(scenario=self.base, rng=self.seed, overrides=dict(chosen))

    def choose_scenario(self, scenario: str | Path) -> Frame:
        """Switch to another scenario, forgetting chosen values (they belong to the old one).

        Raises:
            ScenarioError: The scenario cannot be loaded; the current run is kept.
        """
        base = self._open(str(scenario))
        with self._lock:
            self.scenario_ref, self.base, self.values = str(scenario), base, {}
            self.controls = controls_for(base)
            return self._rebuild()

    def set_value(self, path: str, value: Any) -> Frame:
        """Set a parameter and rebuild the model with it.

        Raises:
            ScenarioError: The value is invalid; the current run and values are kept.
        """
        with self._lock:
            values = {**self.values, path: value}
            model = self._build(values)  # raises before anything changes
            self.values = values
            return self._rebuild(model)

    def set_seed(self, seed: int) -> Frame:
        """Change the seed and rebuild.

        Raises:
            ScenarioError: The seed is negative.
        """
        if seed < 0:
            raise ScenarioError("seed", str(seed), "must be 0 or more")
        with self._lock:
            self.seed = seed
            return self._rebuild()

    def reset(self) -> Frame:
        """Start the run again with the same scenario, seed and chosen values."""
        with self._lock:
            return self._rebuild()

    def _rebuild(self, model: BrinkmanshipModel | None = None) -> Frame:
        self.model = self._build() if model is None else model
        self.generation += 1
        self.frame = build_frame(self.model)
        return self.frame

    def step(self, generation: int | None = None) -> Frame | None:
        """Take one step (none once the run has ended) and return the new frame.

        Args:
            generation: If given, step only if the model has not been rebuilt since `generation`;
                otherwise return None.
        """
        with self._lock:
            if generation is not None and generation != self.generation:
                return None
            if self.model.running:
                self.model.step()
                self.frame = build_frame(self.model)
            return self.frame

    def current(self) -> Frame:
        """The newest frame (what the page draws, whoever moved the run last)."""
        with self._lock:
            return self.frame

    def value(self, control: Control) -> Any:
        """The value a control shows: the chosen one, else the scenario's."""
        return self.values.get(control.path, control.value)
