"""Run seeds derived from one root seed with `numpy.random.SeedSequence`."""

from __future__ import annotations

import numpy as np


def run_seed(root_seed: int, replication: int) -> int:
    """The seed of replication `replication` under `root_seed`.

    Equal to the seed of the `replication`-th child of ``SeedSequence(root_seed).spawn(...)``; it
    depends only on the root seed and the index, so any worker, engine or resumed run computes
    it alike, and every cell of a sweep runs on the same seeds (common random numbers).
    """
    sequence = np.random.SeedSequence(root_seed, spawn_key=(replication,))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def run_seeds(root_seed: int, reps: int) -> list[int]:
    """Seeds of replications ``0 .. reps - 1`` (see `run_seed`)."""
    return [run_seed(root_seed, i) for i in range(reps)]
