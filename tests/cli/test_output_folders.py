"""Output folders are written into, never replaced; a single run's provenance replays it.

`brink.api.write_outputs` (what `brink run --out` calls) must keep the user's folder itself: its
inode, mode, owner and sticky bit, a symbolic link to it, a mount point, the caller's working
directory and every file already in it, even when the writer is killed with SIGKILL at any moment.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from batch.files import check_output_dir, remove_stale_partials
from batch.runner import scenario_hash, versions
from brink.api import OUTPUT_FILES, PROVENANCE, RunResult, load, run, write_outputs
from scenarios import ScenarioError

REPO = Path(__file__).resolve().parents[2]
OVERRIDES = {"states.USA.fear": 0.7, "alliances.RUS-PRK.active": False}

# Builds the two results the killed writers alternate between; the test runs the same text to
# get the bytes every output file must have (the outputs are byte-identical for the same inputs).
BUILD = """
import numpy as np
import pandas as pd
from brink.api import run

def big_result(seed, rows):
    result = run("moscow-strike", seed=seed, steps=30)
    noise = np.random.default_rng(seed).random(rows)
    result.agents = pd.DataFrame({"row": np.arange(rows), "noise": noise, "seed": seed})
    return result
"""

# Imports the writer once, then for each line "FOLDER N" on stdin forks N writers that write the
# two results in turn into FOLDER until killed; prints their pids, then their exit statuses.
SERVER = (
    BUILD
    + """
import os, sys
from brink.api import write_outputs
results = [big_result(1, int(sys.argv[1])), big_result(2, int(sys.argv[1]))]
for line in sys.stdin:
    out, count = line.split()
    pids = []
    for first in range(int(count)):
        pid = os.fork()
        if pid == 0:
            k = first
            while True:
                write_outputs(results[k % 2], out, force=True)
                k += 1
        pids.append(pid)
    print(*pids, flush=True)
    print(*(os.waitpid(pid, 0)[1] for pid in pids), flush=True)
"""
)
ROWS = 400_000


@pytest.fixture(scope="module")
def result() -> RunResult:
    return run("moscow-strike", seed=4, steps=40, overrides=OVERRIDES)


def names(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_writes_the_outputs_and_a_provenance_that_replays_them_byte_for_byte(result, tmp_path):
    out = tmp_path / "a"
    written = write_outputs(result, out)
    assert [p.name for p in written] == list(OUTPUT_FILES)
    assert names(out) == sorted(OUTPUT_FILES)
    document = json.loads((out / PROVENANCE).read_text(encoding="utf-8"))
    assert document == {
        "format": 1,
        "scenario": "moscow-strike",
        "scenario_sha256": scenario_hash(load("moscow-strike", {**OVERRIDES, "params.max_steps": 40})),
        "overrides": OVERRIDES,
        "steps": 40,
        "seed": 4,
        "simulator": "agents",
        "files": ["summary.json", "timeseries.parquet", "agents.parquet", "beliefs.parquet", "events.csv"],
        "versions": versions(),
    }
    assert document["scenario_sha256"] != scenario_hash(load("moscow-strike", {"params.max_steps": 40}))
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["simulator"] == "agents"
    again = run(
        document["scenario"],
        seed=document["seed"],
        overrides=document["overrides"],
        steps=document["steps"],
        simulator=document["simulator"],
    )
    write_outputs(again, tmp_path / "b")
    for name in OUTPUT_FILES:
        assert (out / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_the_same_inputs_give_byte_identical_files_and_other_inputs_do_not(result, tmp_path):
    write_outputs(result, tmp_path / "first")
    write_outputs(run("moscow-strike", seed=4, steps=40, overrides=OVERRIDES), tmp_path / "second")
    write_outputs(run("moscow-strike", seed=5, steps=40, overrides=OVERRIDES), tmp_path / "other")
    for name in OUTPUT_FILES:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name
    assert json.loads((tmp_path / "other" / PROVENANCE).read_text())["seed"] == 5
    assert (tmp_path / "first" / PROVENANCE).read_bytes() != (tmp_path / "other" / PROVENANCE).read_bytes()


def test_a_non_empty_folder_is_refused_without_force_and_written_into_with_it(result, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "summary.json").write_text("stale")
    with pytest.raises(ScenarioError) as caught:
        write_outputs(result, out)
    assert str(caught.value) == f"{out}: folder is not empty; pass --force to write into it"
    assert names(out) == ["notes.txt", "summary.json"]
    assert (out / "summary.json").read_text() == "stale"
    with pytest.raises(ScenarioError, match="not empty"):
        check_output_dir(out, empty=True)
    write_outputs(result, out, force=True)
    assert names(out) == sorted([*OUTPUT_FILES, "notes.txt"])
    assert (out / "notes.txt").read_text() == "mine"
    assert json.loads((out / "summary.json").read_text())["seed"] == 4
    assert names(tmp_path) == ["out"]


def test_an_empty_existing_folder_needs_no_force(result, tmp_path):
    write_outputs(result, tmp_path)
    assert names(tmp_path) == sorted(OUTPUT_FILES)


@pytest.mark.parametrize("mode", [0o700, 0o1777, 0o2750])
def test_the_folder_keeps_its_inode_mode_and_owner(result, tmp_path, mode):
    out = tmp_path / "out"
    out.mkdir()
    os.chmod(out, mode)
    if os.geteuid() == 0:
        os.chown(out, 4321, 4322)  # a folder owned by another user, as a shared sticky folder is
    before = os.stat(out)
    write_outputs(result, out)
    write_outputs(result, out, force=True)
    after = os.stat(out)
    assert (after.st_ino, after.st_dev, after.st_uid, after.st_gid) == (
        before.st_ino,
        before.st_dev,
        before.st_uid,
        before.st_gid,
    )
    assert stat.S_IMODE(after.st_mode) == mode
    assert names(out) == sorted(OUTPUT_FILES)


def test_a_symlinked_folder_is_followed_and_its_target_keeps_its_files(result, tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    link = tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    write_outputs(result, link, force=True)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert names(target) == sorted([*OUTPUT_FILES, "keep.txt"])
    assert (target / "keep.txt").read_text() == "mine"
    assert names(tmp_path) == ["link", "target"]


def test_a_symlink_to_nothing_is_refused_in_one_line(result, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "gone")
    with pytest.raises(ScenarioError, match="symbolic link to nothing"):
        write_outputs(result, link)
    assert names(tmp_path) == ["link"]


def test_out_dot_writes_into_the_working_directory_which_survives(result, tmp_path, monkeypatch):
    (tmp_path / "mine.txt").write_text("mine")
    monkeypatch.chdir(tmp_path)
    inode = os.stat(".").st_ino
    with pytest.raises(ScenarioError, match=r"^\.: folder is not empty"):
        write_outputs(result, Path("."))
    write_outputs(result, Path("."), force=True)
    assert os.getcwd() == str(tmp_path) and os.stat(".").st_ino == inode == os.stat(tmp_path).st_ino
    assert names(tmp_path) == sorted([*OUTPUT_FILES, "mine.txt"])


def test_a_mount_point_is_written_into(tmp_path):
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("mounting a file system needs root and unshare")
    mount = tmp_path / "mnt"
    mount.mkdir()
    # A private mount namespace: the tmpfs disappears with the process, whatever happens.
    check = (
        "import os, sys; from pathlib import Path; from brink.api import run, write_outputs;"
        "out = Path(sys.argv[1]); assert os.path.ismount(out); (out / 'mine.txt').write_text('mine');"
        "write_outputs(run('moscow-strike', seed=1, steps=5), out, force=True);"
        "print(sorted(os.listdir(out)), os.path.ismount(out))"
    )
    script = f'mount -t tmpfs brink-test "$1" && exec {sys.executable} -c "{check}" "$1"'
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", str(mount)], cwd=REPO, capture_output=True, text=True
    )
    if "mount:" in done.stderr and done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()[:80]}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{sorted([*OUTPUT_FILES, 'mine.txt'])} True"
    assert names(mount) == []  # the mount was private to the child


def test_a_failing_writer_leaves_the_old_files_and_none_of_its_temporaries(result, tmp_path):
    out = tmp_path / "out"
    write_outputs(result, out)
    before = {name: (out / name).read_bytes() for name in OUTPUT_FILES}
    broken = RunResult(
        {**result.summary, "seed": 99},
        result.timeseries,
        pd.DataFrame({"mixed": [1, "two"]}),  # pyarrow refuses a column of int and str
        result.events,
        None,
        result.spec,
        result.inputs,
    )
    with pytest.raises(pa.ArrowException):
        write_outputs(broken, out, force=True)
    assert {name: (out / name).read_bytes() for name in names(out)} == before


def test_a_destination_that_is_a_folder_is_refused_before_anything_is_written(result, tmp_path):
    out = tmp_path / "out"
    (out / "events.csv").mkdir(parents=True)
    with pytest.raises(IsADirectoryError):
        write_outputs(result, out, force=True)
    assert names(out) == ["events.csv"]


def test_only_dead_writers_temporaries_are_removed(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        stale = f".summary.json.partial-{dead.pid}-3"
        live = f".summary.json.partial-{alive.pid}-0"
        old_style = f".events.csv.partial-{dead.pid}"
        mine = [".summary.json.partial-notes", "summary.json.partial-1-1", ".other.partial-1-1", "summary.json"]
        for name in [stale, live, old_style, *mine]:
            (tmp_path / name).write_text(name)
        remove_stale_partials(tmp_path, ["summary.json", "events.csv"])
        assert names(tmp_path) == sorted([live, *mine])
    finally:
        alive.kill()
        alive.wait()


def test_one_ensemble_replication_runs_and_writes_its_summary_with_empty_tables(tmp_path):
    from ensemble.rows import replay_summary

    result = run("moscow-strike", seed=12345, overrides=OVERRIDES, simulator="ensemble")
    expected = replay_summary(load("moscow-strike", OVERRIDES), 12345)
    assert result.summary == {**expected, "simulator": "ensemble"}
    assert list(result.summary)[:3] == ["scenario", "seed", "simulator"]
    assert result.model is None and result.timeseries.empty and result.agents.empty and result.events.empty
    out = tmp_path / "out"
    write_outputs(run("moscow-strike", seed=1, steps=40), out)  # an agent run's tables, then --force
    write_outputs(result, out, force=True)
    assert json.loads((out / "summary.json").read_text()) == json.loads(json.dumps(result.summary))
    assert pd.read_parquet(out / "timeseries.parquet").empty and pd.read_parquet(out / "agents.parquet").empty
    assert (out / "events.csv").read_text().count("\n") == 1  # the header only
    document = json.loads((out / PROVENANCE).read_text())
    assert (document["simulator"], document["seed"], document["steps"]) == ("ensemble", 12345, None)
    again = run(document["scenario"], seed=document["seed"], overrides=document["overrides"], simulator="ensemble")
    write_outputs(again, tmp_path / "again")
    for name in OUTPUT_FILES:
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


def test_the_agent_summary_says_its_simulator_and_a_bad_simulator_is_one_line(result):
    assert list(result.summary)[:3] == ["scenario", "seed", "simulator"]
    assert result.summary["simulator"] == "agents" and result.model is not None
    with pytest.raises(ScenarioError) as caught:
        run("moscow-strike", seed=1, simulator="mesa")
    assert str(caught.value) == "--simulator: mesa: choose from agents, ensemble"
    with pytest.raises(ScenarioError, match="not supported by the ensemble engine: scheduled events"):
        run("alliance-after-war", seed=1, simulator="ensemble")


def test_importing_the_api_loads_none_of_the_heavy_modules():
    heavy = ("mesa", "scipy", "solara", "dask", "pandas", "pyarrow", "model.brinkmanship", "batch.runner")
    code = f"import sys, brink.api; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_brink_run_out_dot_refuses_without_force_in_one_line_and_writes_with_it(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from brink.cli import app

    (tmp_path / "mine.txt").write_text("mine")
    monkeypatch.chdir(tmp_path)
    refused = CliRunner().invoke(app, ["run", "moscow-strike", "--steps", "5", "--out", "."])
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr == "error: .: folder is not empty; pass --force to write into it\n"
    assert names(tmp_path) == ["mine.txt"]
    written = CliRunner().invoke(app, ["run", "moscow-strike", "--steps", "5", "--out", ".", "--force"])
    assert written.exit_code == 0, written.output
    assert names(tmp_path) == sorted([*OUTPUT_FILES, "mine.txt"]) and os.getcwd() == str(tmp_path)
    assert json.loads((tmp_path / PROVENANCE).read_text())["steps"] == 5


def user_files(folder: Path, count: int) -> dict[str, bytes]:
    """`count` files of the user's (some hidden, some named like outputs, some in a subfolder)."""
    (folder / "sub").mkdir()
    files = {}
    for i in range(count):
        name = [f"f{i:04d}.txt", f".hidden{i}", f"sub/g{i}", f"summary.json.{i}", f".summary.json.partial-x{i}"][i % 5]
        files[name] = f"user file {i}\n".encode()
        (folder / name).write_bytes(files[name])
    return files


def check_after_kill(home: Path, out: Path, before: os.stat_result, mine: dict, versions_: dict, writers: list) -> set:
    """The checks after each kill (see the test below); returns the outputs present."""
    assert names(home) == ["link", "out"] and os.readlink(home / "link") == str(out)
    after = os.stat(out)
    assert (after.st_ino, after.st_mode, after.st_uid, after.st_gid) == (
        before.st_ino,
        before.st_mode,
        before.st_uid,
        before.st_gid,
    )
    assert {name: (out / name).read_bytes() for name in mine} == mine
    extra = set(names(out)) - {name.split("/")[0] for name in mine}
    outputs = extra & set(OUTPUT_FILES)
    pids = "|".join(map(str, writers))
    ours = re.compile(rf"\.({'|'.join(map(re.escape, OUTPUT_FILES))})\.(partial|replaced)-({pids})-\d+")
    for name in extra - outputs:
        assert ours.fullmatch(name), name  # only the killed writers' own temporaries
    for name in outputs:
        assert (out / name).read_bytes() in (versions_[1][name], versions_[2][name]), name
    return outputs


def test_kill_9_at_random_moments_never_loses_or_strands_a_users_file(tmp_path):
    """24 SIGKILLs (12 trials of two concurrent writers into one folder, seeded kill times).

    A `python -c` process builds the results once and forks the writers of each trial.

    After every kill: all 3,000 user files are there, unchanged; nothing else sits beside the
    folder (no renamed-away copy); the folder keeps its inode, mode, owner and sticky bit; every
    output present is one of the two complete versions, byte for byte; the only other entries
    are the killed writers' own temporaries, which the next write removes.
    Today's writer, which renames the folder away, strands it beside the folder on the first kill.
    """
    namespace: dict = {}
    exec(BUILD, namespace)  # the same builder the writers run
    versions_ = {}
    for seed in (1, 2):
        reference = tmp_path / f"ref{seed}"
        write_outputs(namespace["big_result"](seed, ROWS), reference)
        versions_[seed] = {name: (reference / name).read_bytes() for name in OUTPUT_FILES}
    home = tmp_path / "home"
    out = home / "out"
    out.mkdir(parents=True)
    mine = user_files(out, 3000)
    os.chmod(out, 0o1777)
    if os.geteuid() == 0:
        os.chown(out, 4321, 4322)
    (home / "link").symlink_to(out, target_is_directory=True)
    before = os.stat(out)
    rng = random.Random(20251202)
    outputs_seen: set[str] = set()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(ROWS)], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    writers: list[int] = []  # every writer so far: a quickly killed one may not have tidied up yet
    with server:
        for trial in range(12):
            server.stdin.write(f"{home / 'link' if trial % 2 else out} 2\n")
            server.stdin.flush()
            writers += [int(pid) for pid in server.stdout.readline().split()]
            for writer in writers[-2:]:
                time.sleep(rng.uniform(0.0, 0.6))
                os.kill(writer, signal.SIGKILL)
            assert server.stdout.readline().split() == [str(signal.SIGKILL)] * 2  # killed, not failed
            outputs_seen |= check_after_kill(home, out, before, mine, versions_, writers)
        server.stdin.close()
    assert outputs_seen == set(OUTPUT_FILES)  # the kills did land during writing
    write_outputs(namespace["big_result"](1, ROWS), out, force=True)
    assert set(names(out)) == {name.split("/")[0] for name in mine} | set(OUTPUT_FILES)
    assert {name: (out / name).read_bytes() for name in OUTPUT_FILES} == versions_[1]
