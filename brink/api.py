"""The Python API: load a scenario, override, run, and get the summary and tables.

The command line is a thin layer over these functions, so a notebook gets exactly what
``brink run`` gives::

    from brink import run
    result = run("moscow-strike", seed=1, overrides={"states.RUS.recklessness": 0.9})
    result.summary["yielder"], result.timeseries.tail()
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from batch.files import check_output_dir
from model import BrinkmanshipModel, summarize
from scenarios import DEFAULT_SCENARIO, Scenario, load_scenario

EVENT_COLUMNS = ("step", "year", "crisis", "actor", "action", "rung", "rung_name", "next_mover", "detail")
OUTPUT_FILES = ("summary.json", "timeseries.parquet", "agents.parquet", "events.csv")


@dataclass
class RunResult:
    """What one run produced.

    Attributes:
        summary: Outcome fields (see `model.summary.summarize`).
        timeseries: Model reporters per step (column ``step`` first).
        agents: Agent reporters per step and state.
        events: The event log, one row per logged action.
        model: The finished model, for further inspection.
    """

    summary: dict[str, Any]
    timeseries: pd.DataFrame
    agents: pd.DataFrame
    events: pd.DataFrame
    model: BrinkmanshipModel


def load(scenario: str | Path | Scenario = DEFAULT_SCENARIO, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load and validate a scenario with overrides (raises `ScenarioError` on bad input)."""
    return load_scenario(scenario, overrides or {})


def run(
    scenario: str | Path | Scenario = DEFAULT_SCENARIO,
    *,
    seed: int = 0,
    steps: int | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> RunResult:
    """Run a scenario to its end.

    Args:
        scenario: Shipped name, path or loaded scenario.
        seed: Seed of the model's generator; the same inputs and seed give the same outputs.
        steps: Step limit (overrides ``params.max_steps``).
        overrides: Dotted-path overrides.

    Returns:
        The run's summary and tables.

    Raises:
        ScenarioError: Bad scenario or override.
    """
    merged = dict(overrides or {})
    if steps is not None:
        merged["params.max_steps"] = steps
    model = BrinkmanshipModel(scenario=scenario, rng=seed, overrides=merged)
    model.run()
    timeseries = model.datacollector.get_model_vars_dataframe().reset_index(names="step")
    agents = model.datacollector.get_agent_vars_dataframe().reset_index()
    agents = agents.rename(columns={"Step": "step", "AgentID": "agent_id"})
    events = pd.DataFrame(model.event_log, columns=list(EVENT_COLUMNS))
    return RunResult(summarize(model), timeseries, agents, events, model)


def summary_json(summary: Mapping[str, Any]) -> str:
    """The summary as stable, indented JSON text."""
    return json.dumps(summary, indent=2, ensure_ascii=False) + "\n"


def events_csv(events: pd.DataFrame) -> str:
    """The event log as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EVENT_COLUMNS)
    writer.writerows(events[list(EVENT_COLUMNS)].itertuples(index=False, name=None))
    return buffer.getvalue()


def write_outputs(result: RunResult, out: Path) -> None:
    """Write summary.json, timeseries.parquet, agents.parquet and events.csv to `out`.

    Files are written to a temporary sibling directory first and moved into place at the end,
    and the old directory is swapped out whole, so an interruption never leaves `out`
    half-written. Other files already in `out` are kept.
    """
    out = Path(out)
    check_output_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        (staging / "summary.json").write_text(summary_json(result.summary), encoding="utf-8")
        result.timeseries.to_parquet(staging / "timeseries.parquet", index=False, engine="pyarrow")
        result.agents.to_parquet(staging / "agents.parquet", index=False, engine="pyarrow")
        (staging / "events.csv").write_text(events_csv(result.events), encoding="utf-8")
        if not out.exists():
            staging.rename(out)
            return
        previous = out.parent / f".{out.name}.previous-{os.getpid()}"
        out.rename(previous)
        staging.rename(out)
        for entry in previous.iterdir():
            if entry.name not in OUTPUT_FILES:
                entry.rename(out / entry.name)
        shutil.rmtree(previous)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
