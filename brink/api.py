"""The Python API: load a scenario, override, run, and get the summary and tables.

The command line is a thin layer over these functions, so a notebook gets exactly what
``brink run`` gives::

    from brink import run
    result = run("moscow-strike", seed=1, overrides={"states.RUS.recklessness": 0.9})
    result.summary["yielder"], result.timeseries.tail()

Importing this module is light (no Mesa, pandas, SciPy, Solara or Dask): the model and the
tables are imported when a run needs them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from batch.files import check_output_dir, write_files
from model.outcomes import EVENT_COLUMNS
from scenarios import DEFAULT_SCENARIO, Scenario, ScenarioError, load_scenario

if TYPE_CHECKING:
    import pandas as pd

    from model import BrinkmanshipModel

PROVENANCE = "provenance.json"
OUTPUT_FILES = ("summary.json", "timeseries.parquet", "agents.parquet", "beliefs.parquet", "events.csv", PROVENANCE)
"""What `write_outputs` writes, in order; ``provenance.json`` last, once the rest is in place."""
SIMULATORS = ("agents", "ensemble")
PROVENANCE_FORMAT = 1


def _no_beliefs(codes: Any = ()) -> pd.DataFrame:
    """A belief table without rows, its observer and target categories `codes`."""
    from model.reporters import empty_beliefs

    return empty_beliefs(list(codes))


@dataclass
class RunResult:
    """What one run produced.

    Attributes:
        summary: Outcome fields (see `model.summary.summarize`), with ``simulator``.
        timeseries: Model reporters per step (column ``step`` first); empty on the ensemble.
        agents: Agent reporters per step and state (traits, leader, damage); empty on the ensemble.
        events: The event log, one row per logged action; empty on the ensemble.
        model: The finished model, for further inspection (None on the ensemble).
        spec: The scenario as run, overrides applied.
        inputs: What the run was asked for: scenario (as named), overrides, steps, seed, simulator.
        beliefs: Every state's beliefs about every state in long format (step, observer, target,
            kind, value), a row only where a value changed (`model.reporters.BeliefLog`); empty
            on the ensemble.
    """

    summary: dict[str, Any]
    timeseries: pd.DataFrame
    agents: pd.DataFrame
    events: pd.DataFrame
    model: BrinkmanshipModel | None
    spec: Scenario
    inputs: dict[str, Any] = field(default_factory=dict)
    beliefs: pd.DataFrame = field(default_factory=_no_beliefs)

    @property
    def provenance(self) -> dict[str, Any]:
        """What the outputs came from, enough to replay them (see `provenance`)."""
        return provenance(self)


def load(scenario: str | Path | Scenario = DEFAULT_SCENARIO, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load and validate a scenario with overrides (raises `ScenarioError` on bad input)."""
    return load_scenario(scenario, overrides or {})


def run(
    scenario: str | Path | Scenario = DEFAULT_SCENARIO,
    *,
    seed: int = 0,
    steps: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    simulator: str = "agents",
) -> RunResult:
    """Run a scenario to its end on the agent model or, for one replication, the ensemble engine.

    Args:
        scenario: Shipped name, path or loaded scenario.
        seed: Seed of the run; the same inputs and seed give the same outputs. A batch row's
            ``seed`` column with the row's overrides and simulator reproduces that row.
        steps: Step limit (overrides ``params.max_steps``).
        overrides: Dotted-path overrides.
        simulator: "agents" (the Mesa model, with its tables) or "ensemble" (one replication of
            `ensemble.rows.replay_summary`: the summary only).

    Returns:
        The run's summary and tables.

    Raises:
        ScenarioError: Bad scenario, override or simulator, or a scenario the ensemble does not support.
    """
    if simulator not in SIMULATORS:
        raise ScenarioError("--simulator", str(simulator), f"choose from {', '.join(SIMULATORS)}")
    merged = dict(overrides or {})
    if steps is not None:
        merged["params.max_steps"] = steps
    name = scenario.name if isinstance(scenario, Scenario) else str(scenario)
    inputs = {"scenario": name, "overrides": dict(overrides or {}), "steps": steps, "seed": seed}
    inputs["simulator"] = simulator
    if simulator == "ensemble":
        return _run_ensemble(load_scenario(scenario, merged), seed, inputs)
    import pandas as pd

    from model import BrinkmanshipModel, summarize
    from model.reporters import BeliefLog

    model = BrinkmanshipModel(scenario=scenario, rng=seed, overrides=merged)
    beliefs = BeliefLog(model)
    while model.running:  # `BrinkmanshipModel.run`, the beliefs recorded where the data collector records
        model.step()
        beliefs.record(model)
    timeseries = model.datacollector.get_model_vars_dataframe().reset_index(names="step")
    agents = model.datacollector.get_agent_vars_dataframe().reset_index()
    agents = agents.rename(columns={"Step": "step", "AgentID": "agent_id"})
    events = pd.DataFrame(model.event_log, columns=list(EVENT_COLUMNS))
    summary = _with_simulator(summarize(model), simulator)
    return RunResult(summary, timeseries, agents, events, model, model.spec, inputs, beliefs.frame())


def _run_ensemble(spec: Scenario, seed: int, inputs: dict[str, Any]) -> RunResult:
    """One replication on the ensemble engine, replayed from its own seed (tables empty)."""
    import pandas as pd

    from ensemble.rows import replay_summary

    summary = _with_simulator(replay_summary(spec, seed), "ensemble")
    timeseries = pd.DataFrame({"step": pd.Series(dtype="int64")})
    agents = pd.DataFrame({"step": pd.Series(dtype="int64"), "agent_id": pd.Series(dtype="int64")})
    events = pd.DataFrame(columns=list(EVENT_COLUMNS))
    return RunResult(summary, timeseries, agents, events, None, spec, inputs, _no_beliefs(spec.states))


def _with_simulator(summary: Mapping[str, Any], simulator: str) -> dict[str, Any]:
    """`summary` with ``simulator`` placed after ``seed``."""
    out: dict[str, Any] = {}
    for key, value in summary.items():
        if key != "simulator":
            out[key] = value
        if key == "seed":
            out["simulator"] = simulator
    out.setdefault("simulator", simulator)
    return out


def provenance(result: RunResult) -> dict[str, Any]:
    """What a run's outputs came from, as ``provenance.json`` holds it (like a sweep's manifest).

    The scenario hash and versions are `batch.runner.scenario_hash` (of the scenario with the
    overrides applied, as a sweep hashes its ``--set`` scenario) and `batch.runner.versions`.
    ``brink run SCENARIO --seed SEED --set PATH=VALUE ... --steps STEPS --simulator SIMULATOR``
    with these values (and the same versions) reproduces the outputs byte for byte.
    """
    from batch.runner import scenario_hash, versions

    inputs = result.inputs
    return {
        "format": PROVENANCE_FORMAT,
        "scenario": inputs.get("scenario", result.spec.name),
        "scenario_sha256": scenario_hash(result.spec),
        "overrides": dict(inputs.get("overrides", {})),
        "steps": inputs.get("steps"),
        "seed": inputs.get("seed", result.summary.get("seed")),
        "simulator": inputs.get("simulator", result.summary.get("simulator", "agents")),
        "files": list(OUTPUT_FILES[:-1]),
        "versions": versions(),
    }


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


def _json_value(value: Any) -> Any:
    """A value JSON cannot write as is: a numpy scalar as its Python value, anything else as text."""
    return value.item() if hasattr(value, "item") else str(value)


def _text(text: str) -> Callable[[Path], Any]:
    """A writer of `text` (UTF-8) for `batch.files.write_files`."""
    return lambda path: path.write_text(text, encoding="utf-8")


def write_outputs(result: RunResult, out: Path, force: bool = False) -> list[Path]:
    """Write summary.json, timeseries.parquet, agents.parquet, beliefs.parquet, events.csv, provenance.json to `out`.

    `out` is written into, never replaced (see `batch.files.write_files`): each file goes to a
    hidden temporary beside it and is renamed into place, provenance.json last; other files in
    `out` are kept, and the folder's mode, owner and links are untouched.

    Args:
        result: A run's result.
        out: The folder; created when missing.
        force: Write into a folder that already holds files (otherwise refused).

    Returns:
        The paths written.

    Raises:
        ScenarioError: `out` is not a folder, or is not empty and `force` is off.
        OSError: A file cannot be written (nothing half-written is left).
    """
    out = Path(out)
    check_output_dir(out, empty=not force)
    document = json.dumps(provenance(result), indent=2, ensure_ascii=False, default=_json_value) + "\n"
    files: dict[str, Callable[[Path], Any]] = {
        "summary.json": _text(summary_json(result.summary)),
        "timeseries.parquet": lambda path: result.timeseries.to_parquet(path, index=False, engine="pyarrow"),
        "agents.parquet": lambda path: result.agents.to_parquet(path, index=False, engine="pyarrow"),
        "beliefs.parquet": lambda path: result.beliefs.to_parquet(path, index=False, engine="pyarrow"),
        "events.csv": _text(events_csv(result.events)),
        PROVENANCE: _text(document),
    }
    return write_files(out, files)
