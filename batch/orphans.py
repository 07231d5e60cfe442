"""Local pool workers that exit when the process that started them dies.

A ``kill -9`` of ``brink sweep`` gives its process pool no chance to stop its workers: they wait
on their task queue, or finish the task in hand, long after the sweep is gone. Each worker runs
`die_with_parent` first (``ProcessPoolExecutor(**pool_initializer())``), which does two things:

- on Linux, asks the kernel to send it SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``,
  man 2 prctl), so it goes at once;
- everywhere, starts a daemon thread that compares ``os.getppid()`` with the parent's pid every
  half second and ends the worker with ``os._exit`` once they differ (an orphan is adopted by
  another process, so its parent pid changes; POSIX ``getppid``).

The multiprocessing resource tracker, which a "spawn" pool starts for the semaphores of its
queues, needs nothing: it reads a pipe whose write end the sweep and each worker hold, and exits
when the last of them closes it (CPython ``multiprocessing/resource_tracker.py``), that is once the
workers are gone.

The kernel's signal comes when the *thread* that started the worker ends (man 2 prctl). A process
pool starts its workers from the thread that submits tasks, so a pool must be used from a thread
that outlives it, as the command line's main thread does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

PR_SET_PDEATHSIG = 1
"""The ``prctl`` option that sets the signal a process gets when its parent dies (linux/prctl.h)."""
POLL_SECONDS = 0.5
"""How often the watching thread compares the parent's pid."""
ORPHAN_EXIT = 128 + signal.SIGTERM
"""Exit status of a worker whose parent died: as if SIGTERM had ended it (the shell's convention)."""


def ask_kernel(signum: int = signal.SIGTERM) -> bool:
    """Ask Linux to send `signum` to this process when its parent dies; whether it agreed.

    False off Linux, and when the C library or ``prctl`` cannot be reached (man 2 prctl).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def watch_parent(
    parent: int, interval: float = POLL_SECONDS, leave: Callable[[int], Any] = os._exit
) -> threading.Thread:
    """Start a daemon thread that calls ``leave(ORPHAN_EXIT)`` once this process's parent is not `parent`.

    Args:
        parent: The pid of the process that must outlive this one.
        interval: Seconds between checks.
        leave: What ends the process (``os._exit``: no clean-up runs, as none is owed to a dead parent).
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        leave(ORPHAN_EXIT)

    thread = threading.Thread(target=watch, name="brink-parent-watch", daemon=True)
    thread.start()
    return thread


def die_with_parent(parent: int | None = None) -> None:
    """Make this process exit when `parent` (by default, its parent now) dies: a pool worker's initializer.

    Asks the kernel for SIGTERM (`ask_kernel`) and starts the pid watch (`watch_parent`); a parent
    that died before this ran is caught by the watch at its first check.
    """
    expected = os.getppid() if parent is None else parent
    ask_kernel(signal.SIGTERM)
    watch_parent(expected)


def pool_initializer() -> dict[str, Any]:
    """Keyword arguments of ``ProcessPoolExecutor`` whose workers die with the calling process."""
    return {"initializer": die_with_parent, "initargs": (os.getpid(),)}
