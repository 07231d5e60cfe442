"""Do the ensemble engine and the agent model give the same outcomes? Full counts, every supported scenario.

For each shipped scenario the ensemble supports, runs ``--reps`` replications on each simulator
and tests that the outcome, yielder, highest rung, catastrophe's cause, the side holding the rung
a crisis slipped from and the first deliberate nuclear user have the same distribution
(chi-square test of homogeneity, sparse categories pooled so that every expected count is at
least 5) and that the durations do (two-sample Kolmogorov-Smirnov). Prints the
p-values side by side; each should exceed 0.01. The test suite runs the same checks with
smaller counts (tests/ensemble/).

    .venv/bin/python benchmarks/ensemble_agreement.py [--reps 2000] [--workers 2]
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from scipy import stats

from batch.rows import run_row
from batch.seeds import run_seed
from ensemble.engine import simulate
from ensemble.rows import outcome_columns
from ensemble.world import build_world, unsupported
from model import BrinkmanshipModel
from scenarios import load_scenario, shipped_scenarios

CATEGORIES = ("outcome", "yielder", "max_rung", "catastrophe_cause", "slip_holder", "first_deliberate_nuclear_user")
WIDTHS = [max(12, len(c)) for c in (*CATEGORIES, "duration (KS)")]
LEVEL = 0.01


def agent_rows(name: str, first: int, count: int, root: int) -> list[dict]:
    spec = load_scenario(name)
    rows = []
    for rep in range(first, first + count):
        model = BrinkmanshipModel(scenario=spec, rng=run_seed(root, rep))
        model.run()
        rows.append(run_row(model))
    return rows


def chi_square(a: pd.Series, b: pd.Series) -> float:
    """p-value of a chi-square test that two samples of a category share one distribution."""
    labels = pd.concat([a, b]).map(lambda v: "none" if pd.isna(v) else str(v))  # no outcome is a category too
    table = pd.crosstab(labels, np.r_[np.zeros(len(a)), np.ones(len(b))])
    table = table.sort_values(by=list(table.columns), ascending=False)
    expected = table.sum(axis=1).to_numpy()[:, None] * table.sum(axis=0).to_numpy()[None, :] / table.values.sum()
    small = (expected < 5).any(axis=1)
    if small.any():  # pool the sparse categories into one
        table = pd.concat([table[~small], table[small].sum().to_frame("other").T])
        if table.iloc[-1].sum() == 0:
            table = table.iloc[:-1]
    if len(table) < 2:
        return 1.0
    return float(stats.chi2_contingency(table.values)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000, help="Replications on each simulator.")
    parser.add_argument("--workers", type=int, default=2, help="Processes for the agent model's runs.")
    parser.add_argument("--seed", type=int, default=1, help="Root seed.")
    args = parser.parse_args()
    supported = [name for name in shipped_scenarios() if not unsupported(load_scenario(name))]
    print(f"{args.reps:,} replications per simulator; p-values (each should exceed {LEVEL})")
    names = (*CATEGORIES, "duration (KS)")
    print(f"{'scenario':<24} " + " ".join(f"{c:>{w}}" for c, w in zip(names, WIDTHS, strict=True)))
    failures = 0
    chunk = -(-args.reps // args.workers)
    with ProcessPoolExecutor(args.workers) as pool:
        for name in supported:
            spec = load_scenario(name)
            parts = pool.map(agent_rows, [name] * args.workers, range(0, args.reps, chunk),
                             [min(chunk, args.reps - f) for f in range(0, args.reps, chunk)],
                             [args.seed] * args.workers)  # fmt: skip
            agents = pd.DataFrame([row for part in parts for row in part])
            outcomes = simulate(spec, args.reps, args.seed + 1)  # replications' own seeds, under another root
            ensemble = pd.DataFrame(outcome_columns(spec, build_world(spec), outcomes))
            values = [chi_square(agents[c], ensemble[c]) for c in CATEGORIES]
            durations = stats.ks_2samp(agents["duration"].astype(float), ensemble["duration"].astype(float))
            values.append(float(durations.pvalue))
            failures += sum(v <= LEVEL for v in values)
            print(f"{name:<24} " + " ".join(f"{v:>{w}.3f}" for v, w in zip(values, WIDTHS, strict=True)))
    print("all agree" if failures == 0 else f"{failures} tests at or below {LEVEL}")


if __name__ == "__main__":
    main()
