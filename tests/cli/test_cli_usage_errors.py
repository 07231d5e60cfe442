"""Usage errors of the installed `brink` command are one line and exit status 2, like bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BRINK = str(Path(sys.executable).with_name("brink"))


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["run", "--steps", "0"], ["--steps", "greater than or equal to 1"]),
        (["run", "--seed", "x"], ["--seed", "integer"]),
        (["run", "--nope"], ["--nope"]),
        (["sweep", "--reps", "0", "--out", "never-written"], ["--reps"]),
        (["run", "--seed", "-3"], ["--seed", "0 or more"]),
        (["run", "--simulator", "bogus"], ["--simulator", "bogus", "agents", "ensemble"]),
        (["ladder", "--format", "html"], ["--format", "html"]),
        (["validate"], ["Missing argument", "SCENARIO"]),
    ],
)
def test_usage_error_is_one_line_and_exit_2(tmp_path, args, names):
    done = subprocess.run([BRINK, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert all(name in lines[0] for name in names)
    assert done.stdout == "" and not any(tmp_path.iterdir())


def test_help_and_a_good_command_still_exit_0(tmp_path):
    for args in (["--help"], ["run", "--help"], ["scenarios"]):
        done = subprocess.run([BRINK, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "Usage" in done.stdout or "moscow-strike" in done.stdout
