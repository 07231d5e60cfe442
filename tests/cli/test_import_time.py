"""Fast start: the command line, `brink validate` and a batch worker do not load Mesa, SciPy, Solara or Dask.

Each check runs a fresh interpreter under ``python -X importtime`` and reads which modules it
imported; a failure names the chain of imports that pulled the heavy package in (module <- the
module that imported it <- ...), which is what to make lazy. An agent-model task may import Mesa
when it runs, so the batch modules are checked on import only.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scenarios import shipped_scenarios

BRINK = str(Path(sys.executable).with_name("brink"))
HEAVY = ("mesa", "scipy", "solara", "dask")


def imported(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], list[tuple[int, str]]]:
    """Run ``python -X importtime ARGS``; return the process and its imports as (depth, module), in order.

    ``-X importtime`` prints a module after everything it imported, one indent deeper per level.
    """
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    modules = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2 and not line.endswith("| imported package"):
            name = line.rsplit("|", 1)[1]
            modules.append(((len(name) - len(name.lstrip(" "))) // 2, name.strip()))
    return done, modules


def heavy_chains(modules: list[tuple[int, str]]) -> dict[str, str]:
    """For each heavy package imported, the chain of imports that brought it in (it first, our module last)."""
    chains = {}
    for index, (depth, name) in enumerate(modules):
        package = name.split(".")[0]
        if package not in HEAVY or package in chains:
            continue
        chain = [name]
        for later_depth, later in modules[index + 1 :]:
            if later_depth < depth:
                chain.append(later)
                depth = later_depth
        chains[package] = " <- ".join(chain)
    return chains


def assert_light(modules: list[tuple[int, str]]) -> None:
    assert modules, "no -X importtime output"
    chains = heavy_chains(modules)
    assert not chains, "heavy imports:\n" + "\n".join(f"{package}: {chain}" for package, chain in chains.items())


def test_the_chain_finder_names_who_imported_a_heavy_package():
    # `-X importtime` order: children first, each one level deeper than the module importing it.
    modules = [(3, "scipy.linalg"), (2, "scipy"), (2, "numpy"), (1, "mesa"), (0, "agents"), (0, "json")]
    assert heavy_chains(modules) == {"scipy": "scipy.linalg <- scipy <- mesa <- agents", "mesa": "mesa <- agents"}
    assert heavy_chains([(1, "numpy"), (0, "json")]) == {}


def test_brink_help_is_light(tmp_path):
    done, modules = imported([BRINK, "--help"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Usage" in done.stdout and "validate" in done.stdout
    assert_light(modules)


@pytest.mark.parametrize("command", ["run", "validate", "ladder", "sweep", "dashboard"])
def test_help_of_a_command_is_light(tmp_path, command):
    done, modules = imported([BRINK, command, "--help"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"brink {command}" in done.stdout
    assert_light(modules)


def test_validate_of_every_shipped_scenario_and_a_file_is_light(tmp_path):
    names = list(shipped_scenarios())
    path = shipped_scenarios()["moscow-strike"]
    done, modules = imported([BRINK, "validate", *names, str(path)], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(done.stdout.splitlines()) == len(names) + 1
    assert all(line.startswith("ok: ") for line in done.stdout.splitlines())
    assert_light(modules)


@pytest.mark.parametrize("module", ["brink", "ensemble.engine", "ensemble.rows", "batch.runner", "batch.rows"])
def test_importing_a_worker_module_is_light(tmp_path, module):
    done, modules = imported(["-c", f"import {module}"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert module in [name for _, name in modules]
    assert_light(modules)
