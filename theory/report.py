"""Run the theory checks and claim experiments, and write the table, report and plots."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from batch.files import check_output_dir, remove_files, remove_stale_partials, write_files
from theory import equilibrium_claims
from theory.checks import CHECKS
from theory.claims import CLAIMS
from theory.equilibrium_checks import EQUILIBRIUM_CHECKS
from theory.equilibrium_claims import EQUILIBRIUM_CLAIMS
from theory.finding import ROLES, Finding
from theory.replicate import parallel

PUBLISHED: dict[str, Callable[[int, int], Finding]] = {
    **EQUILIBRIUM_CHECKS, "haynes": CHECKS["haynes"], "critical-risk": CHECKS["critical-risk"],
}
"""The published results the solvers derive from the payoffs: the equilibrium solver's, then the
model's backward induction under complete information."""
OTHER_CHECKS: dict[str, Callable[[int, int], Finding]] = {k: v for k, v in CHECKS.items() if k not in PUBLISHED}
"""Checks run through the agent model that may test the simulator rather than the theory: one decision's
arithmetic, bookkeeping of a typed-in strategy, or a policy's comparative static. Each Finding's ``role``
says which, and the report files it by role (``audience-costs`` is "derived" while its scenario plays
the equilibrium policy)."""
EXPERIMENTS: dict[str, Callable[[int, int], Finding]] = {**PUBLISHED, **OTHER_CHECKS, **EQUILIBRIUM_CLAIMS, **CLAIMS}
"""Every check, then every claim, by key, in the order of the report."""

ROLE_NAMES = {"derived": "derived", "decision": "one decision", "bookkeeping": "bookkeeping",
              "heuristic": "heuristic", "equilibrium": "equilibrium, crisis alone", "world": "agent model"}
"""The short name of each role in the tables."""

FIGURES = "theory-figures"
DATA = "theory-data"
COMMAND = "brink theory --out docs --reps {reps} --seed {seed} --workers 2"


def run_all(
    reps: int,
    seed: int = 0,
    only: Iterable[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    workers: int = 1,
) -> list[Finding]:
    """Run the selected experiments (all by default) in table order.

    Args:
        reps: Replications per condition (checks scale it to what each needs).
        seed: Root seed; every experiment derives its run seeds from it.
        only: Keys to run; unknown keys raise ``KeyError``.
        progress: Called with each key, its position (from 1) and the count, before it runs.
        workers: Processes to spread replications over (results do not depend on it).
    """
    keys = list(EXPERIMENTS) if not only else list(only)
    for key in keys:
        if key not in EXPERIMENTS:
            raise KeyError(key)
    findings = []
    prepared = False
    with parallel(workers):
        for position, key in enumerate(keys, start=1):
            if progress is not None:
                progress(key, position, len(keys))
            if key in EQUILIBRIUM_CLAIMS and not prepared:  # every claim's games solved in one batch
                equilibrium_claims.prepare(keys[position - 1 :], reps, seed)
                prepared = True
            findings.append(EXPERIMENTS[key](reps, seed))
    return findings


def table_rows(findings: Iterable[Finding]) -> list[dict[str, str]]:
    """The theory table: key, result, source, expected, measured, interval, verdict."""
    return [
        {
            "key": f.key,
            "result": f.title,
            "source": f.source,
            "kind": f.kind,
            "role": ROLE_NAMES.get(f.role, f.role),
            "origin": f.origin,
            "expected": f.expected,
            "measured": f.measured,
            "interval": f.interval,
            "verdict": f.verdict,
        }
        for f in findings
    ]


def markdown_table(frame: pd.DataFrame, digits: int = 3) -> str:
    """A pipe table of `frame` (numbers rounded to `digits`)."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.{digits}f}"
        return str(value).replace("|", "\\|")

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def draw(finding: Finding, path: Path) -> bool:
    """Draw the finding's plot to a PNG at `path`; False when it has none."""
    spec, rows = finding.plot, finding.rows
    if spec is None or rows.empty:
        return False
    figure, axes = plt.subplots(figsize=(6.0, 3.6), dpi=100)
    groups = rows.groupby(spec.group, sort=False) if spec.group else [("", rows)]
    for name, part in groups:
        part = part.sort_values(spec.x)
        below = (part[spec.y] - part[spec.lo]).clip(lower=0.0)
        above = (part[spec.hi] - part[spec.y]).clip(lower=0.0)
        axes.errorbar(
            part[spec.x],
            part[spec.y],
            yerr=[below, above],
            marker="o",
            capsize=3,
            label=str(name) if spec.group else None,
        )
        if spec.reference:
            axes.plot(part[spec.x], part[spec.reference], linestyle="--", color="grey")
    if pd.api.types.is_integer_dtype(rows[spec.x]):
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(spec.xlabel or spec.x)
    axes.set_ylabel(spec.ylabel or spec.y)
    axes.set_title(f"{finding.key} ({finding.verdict}; bars: {finding.interval_level})", fontsize=9)
    axes.grid(alpha=0.3)
    if spec.group:
        axes.legend(fontsize=8, title=spec.group.replace("_", " "), title_fontsize=8)
    figure.tight_layout()
    figure.savefig(path, format="png", metadata={"Software": None})
    plt.close(figure)
    return True


def introduction() -> str:
    """What the report's parts test, and how the claims' cells are made (from `equilibrium_claims`)."""
    lambdas = ", ".join(equilibrium_claims.lambda_label(lam) for lam in equilibrium_claims.LAMBDAS)
    games = "; ".join(s.label for s in equilibrium_claims.SETTINGS)
    return (
        "Published results: the solvers derive each answer from a game's payoffs, with nothing about the "
        "answer put in, and it must agree with the published closed form (exactly, or in 99% intervals "
        "where runs are simulated). Other checks test the simulator, not the theory: a single decision's "
        "arithmetic, a typed-in equilibrium strategy played back (bookkeeping), or the default heuristic's "
        "comparative static. The essays' claims are measured under conditions that differ in one thing, "
        "on the same seeds, with 95% intervals: the claims about a crisis on moscow-strike's crisis alone, "
        f"played in equilibrium at each logit precision ({lambdas}) in each game ({games}: the stationary "
        "form takes complete information only), and the alliance's survival on the agent model over "
        "twenty years. The model is never tuned to agree: a claim the model does not bear out is reported "
        "as such, with the numbers. A small effect whose interval nearly touches zero can change verdict "
        "with the root seed: rerun with another `--seed` (or more `--reps`) before leaning on it. Solving "
        "the games dominates the run time; `BRINK_SOLVE_CACHE=DIR` keeps the solutions on disk for the "
        "next run."
    )


def _table(findings: list[Finding], columns: list[str]) -> str:
    """A pipe table of the findings' table rows, with only ``columns``."""
    return markdown_table(pd.DataFrame(table_rows(findings))[columns])


def summary_sections(findings: list[Finding]) -> list[str]:
    """The tables at the top: published results, other checks, claims, and what is not borne out."""
    published = [f for f in findings if f.kind == "check" and f.role == "derived"]
    other = [f for f in findings if f.kind == "check" and f.role != "derived"]
    claims = [f for f in findings if f.kind == "claim"]
    base = ["key", "result", "source", "expected", "measured", "interval", "verdict"]
    out: list[str] = []
    if published:
        out += ["## Published results the solvers derive from the payoffs", "", _table(published, base), ""]
    if other:
        out += ["## Other checks: they test the simulator, not the theory", "",
                *(f"- {ROLE_NAMES[r]}: {ROLES[r]}." for r in dict.fromkeys(f.role for f in other)), "",
                _table(other, ["key", "role", *base[1:]]), ""]
    if claims:
        out += ["## The essays' claims", "", _table(claims, [*base, "role", "origin"]), ""]
        missed = [f for f in claims if f.verdict != "borne out"]
        if missed:
            out += ["Not borne out, or only in part: "
                    + "; ".join(f"`{f.key}` ({f.verdict}: {f.measured})" for f in missed) + ".", ""]
    return out


def finding_section(f: Finding, figures: set[str]) -> list[str]:
    """One finding in detail: what is tested, how the answer arises, the numbers, plot and data."""
    out = [
        f"### {f.title} (`{f.key}`)",
        "",
        f"- Source: {f.source}",
        f"- Tests: {ROLES.get(f.role, f.role)}",
        f"- Expected: {f.expected}",
        f"- Measured: {f.measured}",
        f"- Interval: {f.interval}",
        f"- Verdict: **{f.verdict}**",
    ]
    if f.origin:
        out.append(f"- How the effect arises: {f.origin}")
    if f.basis:
        out.append(f"- Basis: {f.basis}")
    out += ["", f.notes, ""]
    if f.key in figures:
        out += [f"![{f.title}]({FIGURES}/{f.key}.png)", ""]
    if not f.rows.empty:
        out += [markdown_table(f.rows), ""]
    return out


DETAILS = (
    ("Published results in detail", lambda f: f.kind == "check" and f.role == "derived"),
    ("Other checks in detail", lambda f: f.kind == "check" and f.role != "derived"),
    ("The essays' claims in detail", lambda f: f.kind == "claim"),
)
"""The detailed sections, in the order of `EXPERIMENTS`."""


def report_markdown(findings: list[Finding], reps: int, seed: int, figures: set[str]) -> str:
    """The theory report as Markdown."""
    out = [
        "# Theory fidelity: published results and the essays' claims",
        "",
        f"Generated by `{COMMAND.format(reps=reps, seed=seed)}` (`make theory`); do not edit by hand.",
        f"Replications per condition: {reps} ({equilibrium_claims.SCALE * reps} for the claims on the crisis "
        f"alone, which is cheap to play); root seed: {seed}; {sum(f.runs for f in findings)} runs.",
        "",
        introduction(),
        "",
        *summary_sections(findings),
    ]
    for title, member in DETAILS:
        group = [f for f in findings if member(f)]
        if group:
            out += [f"## {title}", ""]
            for f in group:
                out += finding_section(f, figures)
    return "\n".join(out)

def write_report(findings: list[Finding], out: Path, reps: int, seed: int) -> list[Path]:
    """Write ``theory.md``, ``theory.json``, plots and per-finding data under `out`, as one unit.

    Every file is first written to a hidden temporary beside its place; only when all are
    written are they renamed into place in quick succession, ``theory.md`` last, and the
    figures and data of the earlier report in `out` that this one lacks (listed in the earlier
    ``theory.json``) removed at once (`batch.files.write_files`, `batch.files.remove_files`). A
    kill leaves the earlier report or the new one, except inside those last renames (about 0.1
    ms). Nothing else in `out` is touched. Returns the paths written.
    """
    out = Path(out)
    check_output_dir(out)
    previous = previous_files(out)
    files: dict[str, Callable[[Path], Any]] = {}
    figures = set()
    for f in findings:
        if f.plot is not None and not f.rows.empty:
            files[f"{FIGURES}/{f.key}.png"] = lambda p, f=f: draw(f, p)
            figures.add(f.key)
        if not f.rows.empty:
            files[f"{DATA}/{f.key}.csv"] = lambda p, f=f: f.rows.to_csv(p, index=False, float_format="%.6g")
    listed = list(files)
    document = report_markdown(findings, reps, seed, figures)
    table = {"reps": reps, "seed": seed, "results": table_rows(findings), "files": listed}
    text = json.dumps(table, indent=2, ensure_ascii=False) + "\n"
    files["theory.json"] = lambda p: p.write_text(text, encoding="utf-8")
    files["theory.md"] = lambda p: p.write_text(document, encoding="utf-8")
    stale = [out / name for name in sorted(previous - set(listed)) if (out / name).is_file()]
    written = write_files(out, files, then=lambda: remove_files(stale))
    tidy(out, stale)
    return written


NAMES = {FIGURES: r"[A-Za-z0-9_-]+\.png", DATA: r"[A-Za-z0-9_-]+\.csv"}
"""The only names a report's figures and data have, and so the only ones ever removed."""
REPORT_FILE = re.compile("|".join(f"{re.escape(folder)}/{name}" for folder, name in NAMES.items()))


def previous_files(out: Path) -> set[str]:
    """Figures and data of the report already in `out`, from its ``theory.json`` (empty if none).

    A ``theory.json`` without a ``files`` list (written before it had one) names them by its keys.
    Entries that are not a report's figure or data name are ignored.
    """
    try:
        table = json.loads((out / "theory.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(table, dict):
        return set()
    files = table.get("files")
    if not isinstance(files, list):
        results = table.get("results")
        rows = results if isinstance(results, list) else []
        keys = [row["key"] for row in rows if isinstance(row, dict) and isinstance(row.get("key"), str)]
        files = [f"{FIGURES}/{key}.png" for key in keys] + [f"{DATA}/{key}.csv" for key in keys]
    return {entry for entry in files if isinstance(entry, str) and REPORT_FILE.fullmatch(entry)}


def tidy(out: Path, removed: list[Path]) -> None:
    """Remove killed writers' temporaries in the report's folders, and the folders `removed` emptied.

    Best effort: what cannot be removed is left (the report is complete either way).
    """
    emptied = {path.parent for path in removed}
    for folder, name in NAMES.items():
        try:
            remove_stale_partials(out / folder, pattern=name)
            if out / folder in emptied:
                (out / folder).rmdir()
        except OSError:
            continue
