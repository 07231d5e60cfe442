"""Counter-based random numbers: every draw is a function of (replication seed, stream, step, slot).

The ensemble steps many replications at once, and a replication must give the same result
whichever task, chunk or neighbours it runs with, so that one row of a sweep replays alone from
its own seed (`ensemble.rows.replay_summary`). So no generator carries state from draw to draw:
a draw is a hash of its coordinates, the counter-based design of Salmon, Moraes, Dror and Shaw
(2011, "Parallel random numbers: as easy as 1, 2, 3", SC'11), as Starsim draws its common random
numbers per agent slot (Starsim 3.5, ``ss.distributions.hash_uniforms``: splitmix64 keyed by the
distribution's seed and the draw index). The mixing function is the splitmix64 finaliser of
Steele, Lea and Flood (2014, "Fast splittable pseudorandom number generators", OOPSLA), a bijection
of 64-bit words with full avalanche.

A replication's seed is first mixed once into a base word; a draw adds to it a key mixed from
(stream, step, slot) and mixes the sum again; the top 53 bits give a uniform in [0, 1). Streams
name the decisions (`LEADER_EXIT`, `SLIP`, ...), the step is the model's step, and the slot tells
apart the draws of one decision in one step (a state, an alliance, an ally called). Normal draws
use the Box-Muller transform on two uniforms of adjacent slots.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15
"""The golden-ratio increment of splitmix64."""
MIX_1, MIX_2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
"""The multipliers of the splitmix64 finaliser."""
SEED_SALT = 0x5EED5EED5EED5EED
"""Mixed into a seed before it becomes a base, so that a seed and a key never coincide."""

# Streams: one per kind of draw (the step and slot tell draws apart within it). Numbers 3, 4, 6, 7 and 8
# were the old heuristic crisis's own ally, slip and fighting draws; the game's chance events are `CHANCE` now.
LEADER_EXIT = 1
"""Whether a leader leaves office this step; slot: the state."""
SUCCESSOR = 2
"""A successor's trait shift (normal); slot: 3 x state + trait, two uniforms each."""
CHOICE = 5
"""The softmax choice of a lead that plays the heuristic policy."""
COHESION = 9
"""Cohesion noise (normal); slot: the alliance, two uniforms each."""
TYPES = 10
"""Each crisis lead's private type, drawn when the crisis opens; slot: the side."""
PLAY = 11
"""The equilibrium move of the side to move (`rules.crisis_play`)."""
CHANCE = 12
"""The chance outcome of an equilibrium move: slip, an ally joining, a fight, an ally's own escalation."""
PARTNERS = 13
"""Which treaty partners of a side join when the game's ally is called (`rules.crisis_effects.partner_joins`);
slot: ``partner_slot(crisis, side, partner)``."""
CLAUSE = 14
"""Whether a treaty partner not yet called honours its clause when the crisis ends in all-out war;
slot: ``partner_slot(crisis, side, partner)``."""
BELIEF = 15
"""The grid lottery of each public posterior after a move (`rules.crisis_play.belief_lottery`);
slot: ``crisis_slot(crisis, side)``."""
STREAMS = (
    LEADER_EXIT, SUCCESSOR, CHOICE, COHESION, TYPES, PLAY, CHANCE, PARTNERS, CLAUSE, BELIEF,
)


def partner_slot(crisis: int, side: int, partner: int) -> int:
    """The slot of a treaty partner's draw.

    Keyed by the crisis (its place in the scenario), the game side and the partner (its place in the side's allies).
    """
    return 1024 * crisis + 256 * side + partner


def crisis_slot(crisis: int, slot: int = 0) -> int:
    """The slot of a crisis's draw of `TYPES` (slot: the game side), `PLAY` and `CHANCE` (slot 0)."""
    return 2 * crisis + slot


def opening_draws(base: np.ndarray, step: int, crisis: int = 0) -> np.ndarray:
    """The draws of crisis ``crisis`` when it opens at ``step``: the leads' types' uniforms, (R, 2).

    With `move_draws`, the one definition of a crisis's draws for the Mesa model, the ensemble engine and
    `ensemble.crisis_runs`, so that all three play the same crisis from the same seed.
    """
    return uniforms(base, TYPES, step, (crisis_slot(crisis, 0), crisis_slot(crisis, 1)))


def move_draws(base: np.ndarray, step: int, crisis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The draws of crisis ``crisis``'s move at ``step``: the move (R,), its outcome (R,), the lotteries (R, 2)."""
    slot = crisis_slot(crisis)
    lottery = uniforms(base, BELIEF, step, (crisis_slot(crisis, 0), crisis_slot(crisis, 1)))
    return uniform(base, PLAY, step, slot), uniform(base, CHANCE, step, slot), lottery


def mix64(words: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser applied in place to an array of ``uint64`` words (Steele et al. 2014)."""
    shifted = np.empty_like(words)
    for shift, multiplier in ((30, MIX_1), (27, MIX_2)):
        np.right_shift(words, np.uint64(shift), out=shifted)
        words ^= shifted
        words *= np.uint64(multiplier)
    np.right_shift(words, np.uint64(31), out=shifted)
    words ^= shifted
    return words


def _unit(words: np.ndarray) -> np.ndarray:
    """The top 53 bits of each word as a float in [0, 1) (`words` is overwritten)."""
    words >>= np.uint64(11)
    unit = words.astype(np.float64)
    unit *= 2.0**-53
    return unit


def _mix(word: int) -> int:
    """`mix64` of one Python integer (for keys, computed once per draw rather than per replication)."""
    word = ((word ^ (word >> 30)) * MIX_1) & MASK
    word = ((word ^ (word >> 27)) * MIX_2) & MASK
    return word ^ (word >> 31)


def bases(seeds: np.ndarray | list[int]) -> np.ndarray:
    """The base word of each replication seed (non-negative integers below 2**64), shape (R,).

    Raises:
        ValueError: A seed that is negative or does not fit 64 bits.
    """
    values = np.asarray(seeds)
    if values.size and (values.dtype.kind not in "iu" or values.min() < 0):
        raise ValueError("replication seeds must be non-negative integers")
    words = values.astype(np.uint64) ^ np.uint64(SEED_SALT)
    return mix64(words + np.uint64(GAMMA))


def key(stream: int, step: int, slot: int) -> int:
    """The 64-bit key of draw (stream, step, slot): each coordinate mixed in turn (splitmix64 chaining)."""
    word = _mix((int(stream) * GAMMA) & MASK)
    word = _mix((word + int(step) * GAMMA) & MASK)
    return _mix((word + (int(slot) + 1) * GAMMA) & MASK)


def uniform(base: np.ndarray, stream: int, step: int, slot: int = 0) -> np.ndarray:
    """One uniform in [0, 1) per replication for draw (stream, step, slot), shape (R,)."""
    return _unit(mix64(base + np.uint64(key(stream, step, slot))))


def uniforms(base: np.ndarray, stream: int, step: int, slots: Sequence[int]) -> np.ndarray:
    """Uniforms for the given slots of draw (stream, step), shape (R, len(slots))."""
    keys = np.array([key(stream, step, slot) for slot in slots], dtype=np.uint64)
    return _unit(mix64(base[:, None] + keys[None, :]))


def normals(base: np.ndarray, stream: int, step: int, slots: int) -> np.ndarray:
    """Standard normals for slots ``0 .. slots - 1``, shape (R, slots).

    The Box and Muller (1958) transform, a pair of normals from a pair of uniforms: uniform slots
    ``2j`` (radius) and ``2j + 1`` (angle) give normal slots ``2j`` (cosine) and ``2j + 1`` (sine).
    """
    pairs = (slots + 1) // 2
    radius = np.sqrt(-2.0 * np.log1p(-uniforms(base, stream, step, range(0, 2 * pairs, 2))))  # 1 - u in (0, 1]
    angle = 2.0 * np.pi * uniforms(base, stream, step, range(1, 2 * pairs, 2))
    z = np.empty((len(base), 2 * pairs))
    z[:, 0::2] = radius * np.cos(angle)
    z[:, 1::2] = radius * np.sin(angle)
    return z[:, :slots]
