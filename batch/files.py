"""Writing results safely into the user's folder: refuse a bad one, and write each file whole.

The user's folder is written into, never replaced: it is created when missing, but never moved,
deleted or re-created, so its mode, owner and sticky bit, a symbolic link to it, a mount point on
it and a shell standing in it all survive. Each file is written to a hidden temporary beside its
destination and renamed into place (``rename(2)`` is atomic within a file system), so an
interruption, even ``kill -9``, leaves every file either as it was or complete.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from scenarios import ScenarioError

PARTIAL = ".partial-"
"""Marks our temporaries: ``.<name>.partial-<pid>-<n>``."""
REPLACED = ".replaced-"
"""Marks a second link to a file being replaced: ``.<name>.replaced-<pid>-<n>`` (see `write_files`)."""
_counter = itertools.count()


def check_output_dir(out: Path, *, empty: bool = False) -> None:
    """Refuse an output path that is, or lies below, something other than a directory.

    Args:
        out: The folder to write into (it may not exist yet).
        empty: Also refuse an existing folder that holds anything (``--force`` turns this off).

    Raises:
        ScenarioError: `out` or one of its parents exists and is not a directory, is a
            symbolic link to nothing, or (with `empty`) is a folder that is not empty.
    """
    out = Path(out)
    for place in (out, *out.parents):
        if place.is_symlink() and not place.exists():
            raise ScenarioError(str(out), "--out", f"{place} is a symbolic link to nothing")
        if place.exists() and not place.is_dir():
            raise ScenarioError(str(out), "--out", f"{place} exists and is not a directory")
    if not empty or not out.exists():
        return
    try:
        with os.scandir(out) as entries:
            occupied = next(entries, None) is not None
    except OSError as error:
        raise ScenarioError(str(out), "--out", f"cannot read the folder: {error.strerror or error}") from None
    if occupied:
        raise ScenarioError(str(out), "", "folder is not empty; pass --force to write into it")


def is_temporary(name: str) -> bool:
    """Whether a file name is one of our temporaries (`partial_name`), a writer's or a holder's."""
    return re.fullmatch(rf"\..+(?:{re.escape(PARTIAL)}|{re.escape(REPLACED)})\d+(-\d+)?", name) is not None


def partial_name(path: Path, marker: str = PARTIAL) -> Path:
    """A hidden temporary beside `path`, unique to this process and call."""
    return path.with_name(f".{path.name}{marker}{os.getpid()}-{next(_counter)}")


def _alive(pid: int) -> bool:
    """Whether process `pid` may still be writing (unknown counts as alive)."""
    if pid == os.getpid() or os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


def remove_stale_partials(folder: Path, names: Iterable[str] = (), pattern: str = "") -> None:
    """Remove temporaries left in `folder` by killed writers of `names` or of names matching `pattern`.

    Only our own pattern (`partial_name`) is touched, and only when its process is gone, so a
    concurrent writer's temporaries and every other file in the folder are left alone.
    """
    target = "|".join([*map(re.escape, names), *([pattern] if pattern else [])])
    if not target:
        return
    marker = f"(?:{re.escape(PARTIAL)}|{re.escape(REPLACED)})"
    match = re.compile(rf"\.(?:{target}){marker}(?P<pid>\d+)(-\d+)?").fullmatch
    with os.scandir(folder) as entries:
        for entry in entries:
            found = match(entry.name)
            if found and not _alive(int(found["pid"])) and not entry.is_dir(follow_symlinks=False):
                Path(entry.path).unlink(missing_ok=True)


def atomic_write(path: Path, write: Callable[[Path], Any]) -> None:
    """Call ``write(temporary)`` on a hidden sibling of `path`, then rename it to `path`.

    An interruption leaves `path` either as it was or complete, never half-written; the
    temporary is removed if `write` fails.
    """
    temporary = partial_name(path)
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        discard(temporary)


def discard(path: Path) -> None:
    """Remove a temporary of ours if it is there, best effort.

    On a read-only file system ``unlink`` fails with EROFS even for a file that does not exist,
    which would hide the error that stopped the write. A temporary that cannot be removed is left
    for `remove_stale_partials` to remove once this process has ended.
    """
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def cannot_write(error: OSError) -> str:
    """What an `OSError` of a write says, in words: ``cannot write: No space left on device``.

    The words are the system's for the error number (pyarrow's own text wraps them in more).
    """
    words = os.strerror(error.errno) if isinstance(error.errno, int) and error.errno > 0 else ""
    return f"cannot write: {words or error.strerror or error}"


def failed_path(error: OSError, fallback: Path) -> Path:
    """The file an `OSError` is about, named as the user knows it (a temporary of ours as its destination).

    Args:
        error: The error (its ``filename`` may be unset, as in pyarrow's).
        fallback: Named when the error names no file.
    """
    if not error.filename:
        return fallback
    path = Path(os.fsdecode(error.filename))
    found = re.fullmatch(rf"\.(?P<name>.+)(?:{re.escape(PARTIAL)}|{re.escape(REPLACED)})\d+-\d+", path.name)
    return path.with_name(found["name"]) if found else path


def hold(path: Path) -> Path | None:
    """A second hard link to the file at `path` (None if there is none, or links are refused).

    Renaming a new file over `path` then only drops a link instead of freeing the old file's
    blocks, which ext4 does inside the rename (measured: 8 renames over 60 kB files took a
    median 0.8-3.9 ms, 0.13 ms with the old files held), so the moment at which a set of files
    is half renamed stays short. The holder is removed after the renames.
    """
    link = partial_name(path, REPLACED)
    try:
        os.link(path, link, follow_symlinks=False)
    except OSError:
        return None
    return link


def remove_files(paths: Iterable[Path]) -> None:
    """Remove files nearly at once: rename each to a hidden holder first, then delete the holders.

    The renames take microseconds (deleting frees blocks, which takes milliseconds; see `hold`),
    so the files vanish together; holders a kill leaves behind are killed writers' leftovers
    that `remove_stale_partials` removes. A file that cannot be removed is left (best effort).
    """
    holders = []
    for path in paths:
        holder = partial_name(path, REPLACED)
        try:
            os.replace(path, holder)
        except OSError:
            continue
        holders.append(holder)
    for holder in holders:
        holder.unlink(missing_ok=True)


def write_files(
    out: Path, files: Mapping[str, Callable[[Path], Any]], then: Callable[[], Any] | None = None
) -> list[Path]:
    """Write a set of files into the folder `out`, each whole, and rename them into place in order.

    Every writer is called on its own hidden temporary (see `partial_name`) first; only when all
    have succeeded are they renamed into place, in the order of `files` and in quick succession
    (see `hold`), so the last one marks the set complete. Temporaries of killed earlier writers
    are removed first; ours are removed on any error. Other files in `out` are never touched.

    Args:
        out: The folder (created with its parents if missing; never re-created).
        files: Path relative to `out` (it may name a subfolder) -> ``write(path)``.
        then: Called as soon as every file is in place (before our leftovers are deleted),
            e.g. to remove files the new set replaces, in the same instant.

    Returns:
        The paths written, in order.

    Raises:
        ScenarioError: `out` is not a usable folder (see `check_output_dir`).
        OSError: A file cannot be written; nothing of ours is left behind.
    """
    out = Path(out)
    check_output_dir(out)
    targets = [out / name for name in files]
    for folder in dict.fromkeys(target.parent for target in targets):
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_partials(folder, [t.name for t in targets if t.parent == folder])
    for target in targets:
        if target.is_dir() and not target.is_symlink():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    temporaries: list[Path] = []
    holders: list[Path | None] = []
    try:
        for target, write in zip(targets, files.values(), strict=True):
            temporaries.append(partial_name(target))
            write(temporaries[-1])
        holders = [hold(target) for target in targets]
        for temporary, target in zip(temporaries, targets, strict=True):
            os.replace(temporary, target)
        if then is not None:
            then()
    finally:
        for leftover in [*temporaries, *holders]:
            if leftover is not None:
                discard(leftover)
    return targets
