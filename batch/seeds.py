"""Run seeds derived from one root seed with `numpy.random.SeedSequence`."""

from __future__ import annotations

import numpy as np


def run_seed(root_seed: int, replication: int) -> int:
    """The seed of replication `replication` under `root_seed`.

    Drawn from the `replication`-th child of ``SeedSequence(root_seed).spawn(...)`` as a 63-bit
    number (so a million replications practically never share a seed, and it fits a signed
    64-bit column). It depends only on the root seed and the index, so any worker, engine or
    resumed run computes it alike, and every cell of a sweep runs on the same seeds (common
    random numbers).

    Raises:
        ValueError: A negative root seed or replication.
    """
    if root_seed < 0 or replication < 0:
        raise ValueError(f"seeds must be non-negative, not {root_seed} and {replication}")
    sequence = np.random.SeedSequence(root_seed, spawn_key=(replication,))
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def run_seeds(root_seed: int, reps: int) -> list[int]:
    """Seeds of replications ``0 .. reps - 1`` (see `run_seed`)."""
    return [run_seed(root_seed, i) for i in range(reps)]


ENSEMBLE_STREAM = 2**32
"""First spawn-key entry of the ensemble's seeds, which no replication index reaches."""


def ensemble_seed(root_seed: int, first_replication: int) -> int:
    """The seed of the ensemble task that starts at replication `first_replication`.

    The ensemble engine draws a whole task's replications from one generator, so a run's
    result depends on its task (the sweep's ``chunk``), not on a seed of its own. Like
    `run_seed`, it depends only on the root seed and the replication index, so every cell of a
    sweep gets the same streams.

    Raises:
        ValueError: A negative root seed or replication.
    """
    if root_seed < 0 or first_replication < 0:
        raise ValueError(f"seeds must be non-negative, not {root_seed} and {first_replication}")
    sequence = np.random.SeedSequence(root_seed, spawn_key=(ENSEMBLE_STREAM, first_replication))
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
