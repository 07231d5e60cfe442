"""A killed sweep takes its pool workers and the resource tracker with it (batch/orphans.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from batch.orphans import ORPHAN_EXIT, ask_kernel, watch_parent

psutil = pytest.importorskip("psutil")

REPO = Path(__file__).resolve().parents[2]
GONE_WITHIN = 5.0
"""Seconds the children of a killed process have to go."""

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not yet reaped by its new parent, does not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def descendants(pid: int) -> list[psutil.Process]:
    """The live processes below `pid`."""
    try:
        found = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [p for p in found if alive(p.pid)]


def wait_for(condition: Callable[[], bool], seconds: float, step: float = 0.05) -> bool:
    """Poll `condition` until it holds or `seconds` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def start(argv: list[str]) -> subprocess.Popen[bytes]:
    """Start `argv` in the repository with one BLAS thread, its output discarded (a full pipe would stall it)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    quiet = subprocess.DEVNULL
    return subprocess.Popen(argv, cwd=REPO, env=env, stdin=quiet, stdout=quiet, stderr=quiet)


def kill_and_check(parent: subprocess.Popen[bytes], children: list[psutil.Process]) -> list[int]:
    """Kill -9 `parent`; the pids of `children` still running after `GONE_WITHIN` seconds (then killed)."""
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    wait_for(lambda: not any(alive(c.pid) for c in children), GONE_WITHIN)
    left = [c.pid for c in children if alive(c.pid)]
    for pid in left:  # leave nothing behind for the next test, whatever happened
        os.kill(pid, signal.SIGKILL)
    return left


def threads(process: psutil.Process) -> int:
    try:
        return process.num_threads()
    except psutil.Error:
        return 0


def command_line(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def test_a_killed_sweep_leaves_no_pool_worker_or_resource_tracker(tmp_path):
    out = tmp_path / "sweep"
    argv = [sys.executable, "-m", "brink", "sweep", "moscow-strike", "--simulator", "agents"]
    sweep = start([*argv, "--reps", "20000", "--chunk", "4", "--workers", "2", "--out", str(out)])

    def running() -> bool:
        # Both workers have started (their initializer's watch thread runs) or finished a task.
        children = descendants(sweep.pid)
        workers = [c for c in children if "spawn_main" in command_line(c)]
        started = len(workers) == 2 and all(threads(w) >= 2 for w in workers)
        return len(children) >= 3 and (started or any(out.glob("parts/task-*")))

    try:
        ready = wait_for(running, 60)
        children = descendants(sweep.pid)
        assert ready, f"the sweep did not start its pool: {sweep.poll()=}"
        lines = [command_line(c) for c in children]
        assert sum("spawn_main" in line for line in lines) == 2, lines
        assert sum("resource_tracker" in line for line in lines) == 1, lines
        assert kill_and_check(sweep, children) == []
    finally:
        if sweep.poll() is None:
            sweep.kill()
            sweep.wait()


POOL = """
import time
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
from batch.orphans import pool_initializer

if __name__ == "__main__":
    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"), **pool_initializer())
    futures = [pool.submit(time.sleep, 30) for _ in range(4)]
    print("submitted", flush=True)
    time.sleep(60)
"""


def test_the_workers_of_a_pool_started_with_the_initializer_die_with_its_process(tmp_path):
    script = tmp_path / "pool.py"
    script.write_text(POOL)
    owner = start([sys.executable, str(script)])
    try:
        assert wait_for(lambda: len(descendants(owner.pid)) >= 3, 30), owner.poll()
        time.sleep(0.5)  # the workers have taken their tasks: they sleep in them, not in a queue
        assert kill_and_check(owner, descendants(owner.pid)) == []
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()


# A parent that starts a child which watches it by pid only (no prctl), then waits to be killed.
WATCHED = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", '''
import os, time
from batch.orphans import watch_parent
watch_parent(os.getppid(), interval=0.1)
time.sleep(60)
'''])
time.sleep(60)
"""


def test_the_pid_watch_alone_ends_an_orphan():
    parent = start([sys.executable, "-c", textwrap.dedent(WATCHED)])
    try:
        assert wait_for(lambda: len(descendants(parent.pid)) == 1, 20), parent.poll()
        time.sleep(1.0)  # the child has imported the module and started its watch
        assert kill_and_check(parent, descendants(parent.pid)) == []
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_the_watch_leaves_with_the_orphan_status_once_the_parent_pid_changes():
    calls: list[int] = []
    stranger = os.getppid() + 1_000_000  # no process has this pid: the parent "changed"
    watch_parent(stranger, interval=0.01, leave=calls.append).join(timeout=5)
    assert calls == [ORPHAN_EXIT] == [128 + signal.SIGTERM]
    kept: list[int] = []
    watching = watch_parent(os.getppid(), interval=0.01, leave=kept.append)
    watching.join(timeout=0.3)
    assert watching.is_alive() and kept == []  # the true parent lives: it keeps watching


PDEATHSIG = """
import ctypes, ctypes.util, signal
from batch.orphans import ask_kernel
assert ask_kernel(signal.SIGTERM)
libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
got = ctypes.c_int(0)
assert libc.prctl(2, ctypes.byref(got), 0, 0, 0) == 0  # PR_GET_PDEATHSIG
print(got.value)
"""


@linux_only
def test_the_kernel_is_asked_for_sigterm_on_the_parent_s_death():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", PDEATHSIG], cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == signal.SIGTERM
    assert ask_kernel.__defaults__ == (signal.SIGTERM,)
