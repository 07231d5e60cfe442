"""Run seeds derived from one root seed with `numpy.random.SeedSequence`, computed for many runs at once."""

from __future__ import annotations

import numpy as np

POOL_SIZE = 4
INIT_A, MULT_A = 0x43B0D7E5, 0x931E8875
INIT_B, MULT_B = 0x8B51F9DD, 0x58F38DED
MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
MASK32 = 0xFFFFFFFF
"""The constants of numpy's `SeedSequence` (O'Neill's ``seed_seq_fe`` hash, numpy/random/bit_generator.pyx)."""


def run_seed(root_seed: int, replication: int) -> int:
    """The seed of replication `replication` under `root_seed`.

    The first 64-bit word of ``SeedSequence(root_seed, spawn_key=(replication,))`` (the
    `replication`-th child of ``SeedSequence(root_seed).spawn(...)``), shifted to 63 bits (so a
    million replications practically never share a seed, and it fits a signed 64-bit column). It
    depends only on the root seed and the index, so any worker, engine or resumed run computes it
    alike, and every cell of a sweep runs on the same seeds (common random numbers). Both
    simulators seed a replication with it: the agent model as ``BrinkmanshipModel(rng=seed)``,
    the ensemble engine as that replication's streams (`ensemble.streams`), so a row of either
    replays from its ``seed`` column alone.

    Raises:
        ValueError: A negative root seed or replication.
    """
    return run_seeds(root_seed, 1, replication)[0]


def run_seeds(root_seed: int, reps: int, first: int = 0) -> list[int]:
    """Seeds of replications ``first .. first + reps - 1`` (see `run_seed`), all at once.

    numpy's `SeedSequence` hash run on arrays, one lane per replication: a sweep task needs
    thousands of seeds, and building a `SeedSequence` for each costs about 8 microseconds (a
    million seeds, 8 s). The tests check it word for word against `numpy.random.SeedSequence`.

    Raises:
        ValueError: A negative root seed or replication.
    """
    if root_seed < 0 or first < 0:
        raise ValueError(f"seeds must be non-negative, not {root_seed} and {first}")
    root = _words(root_seed)
    seeds = np.zeros(reps, dtype=np.uint64)
    short = max(0, min(first + reps, 2**32) - first)  # replications below 2**32: keys of one word
    if short:
        seeds[:short] = _first_word(_pool(root, np.arange(first, first + short, dtype=np.uint32)[:, None]))
    for lane in range(short, reps):  # longer keys, one replication at a time
        seeds[lane] = _first_word(_pool(root, np.array([_words(first + lane)], dtype=np.uint32)))[0]
    return [int(s) for s in seeds >> np.uint64(1)]


def _words(value: int) -> list[int]:
    """A non-negative integer as 32-bit words, least significant first ([0] for 0), as `SeedSequence` reads it."""
    words = []
    while True:
        words.append(value & MASK32)
        value >>= 32
        if not value:
            return words


def _hashmix(value: np.ndarray, const: int) -> tuple[np.ndarray, int]:
    """`SeedSequence`'s ``hashmix`` on each lane; returns the value and the next hash constant."""
    value = value ^ np.uint32(const)
    const = (const * MULT_A) & MASK32
    value = value * np.uint32(const)
    return value ^ (value >> np.uint32(16)), const


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """`SeedSequence`'s ``mix`` of two words on each lane."""
    result = np.uint32(MIX_MULT_L) * x - np.uint32(MIX_MULT_R) * y
    return result ^ (result >> np.uint32(16))


def _pool(root: list[int], spawn: np.ndarray) -> np.ndarray:
    """The entropy pool of ``SeedSequence(root, spawn_key=key)`` for each row of `spawn` (lanes x words).

    The root's words, padded with zeros to the pool size (a spawn key is given), then the key's.
    """
    lanes = len(spawn)
    padded = root + [0] * max(0, POOL_SIZE - len(root))
    entropy = [np.full(lanes, w, dtype=np.uint32) for w in padded] + [spawn[:, j] for j in range(spawn.shape[1])]
    const = INIT_A
    pool = []
    for i in range(POOL_SIZE):
        word, const = _hashmix(entropy[i], const)
        pool.append(word)
    for src in range(POOL_SIZE):
        for dst in range(POOL_SIZE):
            if src != dst:
                hashed, const = _hashmix(pool[src], const)
                pool[dst] = _mix(pool[dst], hashed)
    for src in range(POOL_SIZE, len(entropy)):
        for dst in range(POOL_SIZE):
            hashed, const = _hashmix(entropy[src], const)
            pool[dst] = _mix(pool[dst], hashed)
    return np.stack(pool, axis=1)


def _first_word(pool: np.ndarray) -> np.ndarray:
    """``generate_state(1, dtype=np.uint64)[0]`` of each lane's pool: two 32-bit outputs, low word first."""
    const = INIT_B
    halves = []
    for i in range(2):
        value = pool[:, i] ^ np.uint32(const)
        const = (const * MULT_B) & MASK32
        value = value * np.uint32(const)
        halves.append((value ^ (value >> np.uint32(16))).astype(np.uint64))
    return halves[0] | (halves[1] << np.uint64(32))
