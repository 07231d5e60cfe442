"""Crisis games built as extensive forms in Gambit (pygambit 16.7), to check `rules.equilibrium`.

Gambit's tree is the full game tree: chance draws both sides' types at the root, then every
public history is repeated under each type profile, and a side's information set at a history
pools the nodes of its own type across the other side's types. Obstinate types take their
fixed move without a decision node. `haynes_by_hand` writes Haynes's game from its rules
(rounds, risk k/10) without `rules.crisis_game`; `from_crisis_game` converts any game by
walking its moves and chance outcomes.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from fractions import Fraction

import pygambit as gbt

from rules.crisis_game import YIELD, CrisisGame, CrisisState
from rules.game_tree import chance_label


@dataclass
class GambitGame:
    """A Gambit game and the map from (public history, side, type index) to its information sets."""

    game: gbt.Game
    infosets: dict[tuple[tuple[str, ...], int, int], gbt.Infoset] = field(default_factory=dict)
    type_nodes: dict[tuple[int, int], gbt.Node] = field(default_factory=dict)
    priors: tuple[tuple[float, ...], tuple[float, ...]] = ((1.0,), (1.0,))
    outcomes: int = 0

    def payoff(self, node: gbt.Node, values: tuple[float, float]) -> None:
        """Add ``values`` to the outcome at ``node`` (labels must be unique in Gambit).

        A node may carry a move's costs and then an obstinate type's fixed move from the same
        node (no decision node of its own): the costs add up rather than replace each other.
        """
        players = list(self.game.players)
        with contextlib.suppress(KeyError):  # pygambit 16.7: reading a missing outcome's payoffs raises
            values = (values[0] + float(node.outcome[players[0]]), values[1] + float(node.outcome[players[1]]))
        self.outcomes += 1
        outcome = self.game.add_outcome(f"o{self.outcomes}", [float(values[0]), float(values[1])])
        self.game.set_outcome(node, outcome)

    def decide(self, node: gbt.Node, key: tuple[tuple[str, ...], int, int], labels: list[str]) -> None:
        """Give ``node`` the move of information set ``key``, creating the set at its first node."""
        if key in self.infosets:
            self.game.append_infoset(node, self.infosets[key])
        else:
            self.game.append_move(node, list(self.game.players)[key[1]], labels)
            self.infosets[key] = node.infoset


def _exact(probs: list[float]) -> list[Fraction]:
    """Chance probabilities as fractions that sum to exactly one (Gambit requires it)."""
    out = [Fraction(p) for p in probs[:-1]]
    return [*out, 1 - sum(out)]


def _draw_types(gg: GambitGame, priors: tuple[tuple[float, ...], tuple[float, ...]]) -> list[tuple[int, int]]:
    """Chance move at the root over type profiles; returns the profiles in child order."""
    profiles = [(a, b) for a in range(len(priors[0])) for b in range(len(priors[1]))]
    gg.priors = priors
    if len(profiles) == 1:
        gg.type_nodes[profiles[0]] = gg.game.root
        return profiles
    gg.game.append_move(gg.game.root, gg.game.players.chance, [f"types {a},{b}" for a, b in profiles])
    gg.game.set_chance_probs(gg.game.root.infoset, _exact([priors[0][a] * priors[1][b] for a, b in profiles]))
    for prof in profiles:
        gg.type_nodes[prof] = gg.game.root.children[f"types {prof[0]},{prof[1]}"]
    return profiles


def haynes_by_hand(p_obstinate: float = 0.0, cutoff: int = 11) -> GambitGame:
    """Haynes (2019) from its rules, without `rules.crisis_game`.

    At round k = 1..10 the mover (P1 in odd rounds) concedes (+1 to the other) or stands firm,
    risking disaster (-2 each) with probability k/10; with ``p_obstinate`` P2 may be a type that
    always stands firm. From round ``cutoff`` on, normal movers are replaced by their dominant
    move, conceding (standing firm in round k >= 4 is worth at most 1 - 3k/10 < 0), as the
    reference solver needs (platform notes: logit_solve stalls on the full ten rounds). History
    labels follow `rules.crisis_game` (``to k`` = firm in round k).
    """
    gg = GambitGame(gbt.Game.new_tree(players=["P1", "P2"], title="Haynes"))
    priors = ((1.0,), (1.0 - p_obstinate, p_obstinate) if p_obstinate else (1.0,))
    for prof in _draw_types(gg, priors):
        _haynes_round(gg, gg.type_nodes[prof], prof, 1, (), cutoff)
    return gg


def _conceding_tail(k: int, obstinate_p2: bool) -> tuple[float, float]:
    """Expected payoffs from round k when normal movers concede and an obstinate P2 stands firm."""
    mover = (k - 1) % 2
    if mover == 0 or not obstinate_p2:
        return (0.0, 1.0) if mover == 0 else (1.0, 0.0)
    risk = k / 10
    rest = _conceding_tail(k + 1, obstinate_p2) if risk < 1 else (0.0, 0.0)
    return (risk * -2 + (1 - risk) * rest[0], risk * -2 + (1 - risk) * rest[1])


def _haynes_round(gg: GambitGame, node: gbt.Node, prof: tuple[int, int], k: int, history: tuple, cutoff: int) -> None:
    """Round ``k`` of Haynes's game below ``node``."""
    mover = (k - 1) % 2
    firm = f"to {k}"
    if k >= cutoff:
        gg.payoff(node, _conceding_tail(k, prof[1] == 1))
        return
    obstinate = mover == 1 and prof[1] == 1
    if obstinate:
        after = node
    else:
        gg.decide(node, (history, mover, prof[mover]), ["yield", firm])
        gg.payoff(node.children["yield"], (0.0, 1.0) if mover == 0 else (1.0, 0.0))
        after = node.children[firm]
    risk = k / 10
    if risk >= 1.0:
        gg.payoff(after, (-2.0, -2.0))
        return
    gg.game.append_move(after, gg.game.players.chance, ["slip", "on"])
    gg.game.set_chance_probs(after.infoset, _exact([risk, 1 - risk]))
    gg.payoff(after.children["slip"], (-2.0, -2.0))
    _haynes_round(gg, after.children["on"], prof, k + 1, (*history, firm), cutoff)


def from_crisis_game(game: CrisisGame) -> GambitGame:
    """The full extensive form of a finite-horizon `CrisisGame`.

    A move's costs are an outcome at the node the move leads to, so Gambit's action values
    (which count payoffs at and below a node) are continuation values like the solver's.
    """
    gg = GambitGame(gbt.Game.new_tree(players=[game.sides[0].name, game.sides[1].name], title="crisis"))
    priors = tuple(tuple(t.prior for t in side.types) for side in game.sides)
    for prof in _draw_types(gg, priors):  # type: ignore[arg-type]
        _decision(gg, game, gg.type_nodes[prof], prof, game.start(), ())
    return gg


def _decision(gg: GambitGame, game: CrisisGame, node, prof, state: CrisisState, history: tuple) -> None:
    """The mover's decision at ``state`` (or its fixed move if its type is obstinate)."""
    moves = game.moves(state)
    kind = game.sides[state.mover].types[prof[state.mover]]
    if kind.obstinate:
        _move(gg, game, node, prof, state, history, moves[game.obstinate_move(state)])
        return
    gg.decide(node, (history, state.mover, prof[state.mover]), [m.label for m in moves])
    for move in moves:
        _move(gg, game, node.children[move.label], prof, state, history, move)


def _move(gg: GambitGame, game: CrisisGame, node, prof, state: CrisisState, history, move) -> None:
    """A move's endings and continuations below ``node``, which carries the move's costs."""
    if move.target == YIELD:
        gg.payoff(node, tuple(game.payoff(s, "yield", state)[prof[s]] for s in (0, 1)))
        return
    cost = tuple(-game.move_cost(s, state, move.target)[prof[s]] for s in (0, 1))
    outcomes = game.step(state, move.target)
    if len(outcomes) > 1:
        gg.game.append_move(node, gg.game.players.chance, [f"c{i}" for i in range(len(outcomes))])
        gg.game.set_chance_probs(node.infoset, _exact([o.probability for o in outcomes]))
        gg.payoff(node, cost)
        cost = (0.0, 0.0)
    for i, o in enumerate(outcomes):
        child = node.children[f"c{i}"] if len(outcomes) > 1 else node
        if o.kind == "continue":
            label = chance_label(game, move.target, o.state, state.joined)
            if any(cost):
                gg.payoff(child, cost)
            _decision(gg, game, child, prof, o.state, (*history, move.label, *([label] if label else [])))
        else:
            pay = [game.payoff(s, o.kind, o.state, o.winner)[prof[s]] for s in (0, 1)]
            gg.payoff(child, (cost[0] + pay[0], cost[1] + pay[1]))


def as_profile(gg: GambitGame, result) -> gbt.MixedBehaviorProfile:
    """A behaviour profile from a logit result (16.7's ``.profile`` raises: read by index)."""
    if isinstance(result, gbt.MixedBehaviorProfile):
        return result
    profile = gg.game.mixed_behavior_profile(rational=False)
    actions = [a for player in gg.game.players for infoset in player.infosets for a in infoset.actions]
    assert len(actions) == len(result)
    for i, action in enumerate(actions):
        profile[action] = float(result[i])
    return profile


def behavior(profile, gg: GambitGame) -> dict[tuple[tuple[str, ...], int, int], list[float]]:
    """Action probabilities of each information set, read by index (16.7's results need it)."""
    return {key: [float(profile[action]) for action in infoset.actions] for key, infoset in gg.infosets.items()}


def action_values(profile, gg: GambitGame) -> dict[tuple[tuple[str, ...], int, int], list[float]]:
    """Each action's value at each reached information set, under Bayes beliefs (Gambit's action_value)."""
    out = {}
    for key, infoset in gg.infosets.items():
        values = [profile.action_value(a) for a in infoset.actions]
        if all(v is not None for v in values):
            out[key] = [float(v) for v in values]
    return out


def type_values(profile, gg: GambitGame) -> tuple[list[float], list[float]]:
    """Each side's ex-ante value by its own type: the prior-weighted value over the other's types."""
    out: tuple[list[float], list[float]] = ([], [])
    for side in (0, 1):
        other = 1 - side
        for j in range(len(gg.priors[side])):
            total = 0.0
            for k, pk in enumerate(gg.priors[other]):
                prof = (j, k) if side == 0 else (k, j)
                total += pk * float(profile.node_value(list(gg.game.players)[side], gg.type_nodes[prof]))
            out[side].append(total)
    assert all(math.isfinite(v) for vs in out for v in vs)
    return out
