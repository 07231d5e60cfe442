"""A two-sided crisis played through the one crisis game, and what its moves do to the world.

The rules of the crisis (moves, slips, allies called, decisive fighting, an ally's own
escalation, the horizon) live once in `rules.crisis_game`; this module never re-implements them.
When a crisis opens it becomes a game (`rules.scenario_game.crisis_game`, built from the scenario
as loaded), solved when a lead plays ``equilibrium`` (`rules.solve_cache.solved`), and one run of
it (`rules.crisis_play.Crises`): the leads' private types are drawn, and each step the mover's move
and its chance outcome are played by `rules.crisis_play.play_move` with uniforms from the crisis's
counter-based streams (`ensemble.streams`, keyed by the run's seed), so that a Mesa run and the
ensemble row of the same seed play the same crisis draw for draw. A lead whose policy is
``equilibrium`` moves through the game's equilibrium (``forced=-1``); any other policy chooses among
the game's moves and its choice is forced. The world effects read off each move's record follow
docs/odd.md 7.8-7.13: damage, treaty partners called when the game's ally is called
(`rules.crisis_effects.partner_joins`), the ending, every uncalled partner's clause at all-out war,
and the public posterior that each lead is obstinate.

Model sides are ordered first mover first; the game's sides are the scenario's order
(`GamePlay.game_side` maps one to the other).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.policies import CrisisView, Move, SideView, Stage, Turn
from agents.policies.equilibrium import EquilibriumPolicy
from ensemble import streams
from model.outcomes import ALLY, CHOICE, DEFEAT, DELIBERATE, SLIP
from rules.alliance import bloc_image
from rules.bargaining import concession_value
from rules.belief_equilibrium import build_layout
from rules.beliefs import image_update_weight, update_image, update_resolve
from rules.crisis_effects import clause_calls, partner_joins
from rules.crisis_game import YIELD as YIELD_TARGET
from rules.crisis_play import ALLY as ALLY_KIND
from rules.crisis_play import DELIBERATE as DELIBERATE_KIND
from rules.crisis_play import FIGHT, YIELDED, draw_types, play_move, slot_of, transitions
from rules.crisis_play import SLIP as SLIP_KIND
from rules.crisis_play import STALEMATE as STALEMATE_KIND
from rules.risk import critical_risk, destruction
from rules.scenario_game import crisis_game, crisis_sides, logit_precision, true_obstinate_chances
from rules.solve_cache import solved

if TYPE_CHECKING:
    from agents import StateAgent
    from model.alliance import Alliance
    from model.brinkmanship import BrinkmanshipModel
    from rules.belief_equilibrium import BeliefSolution, Layout
    from rules.crisis_game import CrisisGame, CrisisState
    from rules.crisis_play import Crises, MoveRecord, Transitions
    from rules.scenario_game import TreatyAlly
    from scenarios.schema import SideSpec

PENDING, ACTIVE = "pending", "active"
YIELD, CATASTROPHE, STALEMATE = "yield", "catastrophe", "stalemate"


@dataclass
class Side:
    """One side of a crisis: a lead state that decides, and the states fighting with it.

    Attributes:
        lead: The state whose policy chooses the side's moves.
        members: Belligerents: the lead, co-belligerents and treaty partners that joined.
        spec: Payoffs from the scenario.
        declined: Treaty partners that were called on and stayed out.
    """

    lead: StateAgent
    members: list[StateAgent]
    spec: SideSpec
    declined: list[StateAgent] = field(default_factory=list)

    @property
    def code(self) -> str:
        """The lead state's code."""
        return self.lead.code


@dataclass
class GamePlay:
    """The game a crisis is played through and its one run (`rules.crisis_play`).

    Attributes:
        number: The crisis's position in the scenario's ``crises`` (its stream slots).
        game: The crisis game.
        layout: Its public states.
        sol: The solved game, or None when no lead plays the equilibrium.
        tr: Every move's chance outcomes.
        crises: The run (one row): public state, posteriors, true types, ending.
        base: The counter-based stream base of the run's seed, (1,).
        partners: Each game side's treaty partners outside the crisis (`rules.scenario_game.TreatyAlly`).
    """

    number: int
    game: CrisisGame
    layout: Layout
    sol: BeliefSolution | None
    tr: Transitions
    crises: Crises
    base: np.ndarray
    partners: tuple[tuple[TreatyAlly, ...], tuple[TreatyAlly, ...]]

    def game_side(self, index: int) -> int:
        """The game side of model side ``index`` (model sides are first mover first), and back."""
        return index if self.game.first_mover == 0 else 1 - index

    @property
    def index(self) -> int:
        """Index of the run's public state in the layout."""
        return int(self.crises.state[0])

    def state(self) -> CrisisState:
        """The run's public state (its ``elapsed`` is the layout's 0; moves made: ``crises.elapsed``)."""
        return self.layout.states[self.index]


@dataclass
class Crisis:
    """A crisis between two sides; side 0 moves first.

    Attributes:
        id: Key in the scenario.
        sides: The two sides.
        rung: Current rung.
        mover: Index of the side to move.
        status: pending, active, yield, catastrophe or stalemate.
        start_step: Step at which it opens.
        start_rung: Rung it opens on.
        allow_hold: Whether staying on a rung is a move.
        number: Its position in the scenario's ``crises``.
        history: Moves so far as (side, move).
        yielder: Code of the lead that yielded, if any.
        yield_cause: "choice" or "defeat".
        first_deliberate_nuclear_user: Code of the first side whose own move (a hold or an
            escalation) was onto a nuclear rung; a slip into all-out war is nobody's move.
        catastrophe_cause: "slip", "deliberate" or "ally" (`model.outcomes`), if it ended in catastrophe.
        slip_holder: Code of the side whose move onto (or hold on) the rung preceded the slip.
        slip_rung: The rung at which the crisis slipped out of control.
        max_rung: Highest rung reached.
        opened_at: Step it opened, ended_at step it ended.
        play: The game it is played through, once open.
    """

    id: str
    sides: tuple[Side, Side]
    start_rung: int
    start_step: int
    allow_hold: bool
    number: int = 0
    rung: int = 0
    mover: int = 0
    status: str = PENDING
    history: list[tuple[int, Move]] = field(default_factory=list)
    yielder: str | None = None
    yield_cause: str | None = None
    first_deliberate_nuclear_user: str | None = None
    catastrophe_cause: str | None = None
    slip_holder: str | None = None
    slip_rung: int | None = None
    max_rung: int = 0
    opened_at: int | None = None
    ended_at: int | None = None
    play: GamePlay | None = None

    @property
    def is_open(self) -> bool:
        """Whether the crisis is under way."""
        return self.status == ACTIVE

    def side_of(self, state: StateAgent) -> int | None:
        """Index of the side `state` fights on, or None."""
        for index, side in enumerate(self.sides):
            if state in side.members:
                return index
        return None

    def mover_code(self) -> str:
        """Code of the lead to move next, or "" once the crisis is over."""
        return self.sides[self.mover].code if self.is_open else ""


def plays_equilibrium(state: StateAgent) -> bool:
    """Whether a lead's policy is the equilibrium (its moves are the game's, ``forced=-1``)."""
    return isinstance(state.policy, EquilibriumPolicy)


def start_game(model: BrinkmanshipModel, crisis: Crisis) -> GamePlay:
    """Build, solve if a lead plays the equilibrium, and open the crisis's game; draw the leads' types.

    The game comes from the scenario as loaded (`rules.scenario_game.crisis_game`); the types are
    drawn from stream `TYPES` at the opening step (Kreps & Wilson 1982: each lead's private type,
    with the true chances of `rules.scenario_game.true_obstinate_chances`). No ally is called at
    the opening: the game has no call at its root.
    """
    spec, c = model.spec, crisis.number
    game = crisis_game(spec, crisis.id)
    if any(plays_equilibrium(side.lead) for side in crisis.sides):
        sol = solved(game, logit_precision(spec), spec.params.game.belief_points)
        layout, source = sol.layout, sol
    else:
        sol, layout = None, build_layout(game)
        source = layout
    base = streams.bases([model.crisis_seed])
    u_types = streams.opening_draws(base, model.clock, c)
    crises = draw_types(source, u_types, np.asarray(true_obstinate_chances(spec, crisis.id)))
    partners = tuple(side.allies for side in crisis_sides(spec, crisis.id))
    return GamePlay(c, game, layout, sol, transitions(source), crises, base, partners)  # type: ignore[arg-type]


def open_crisis(model: BrinkmanshipModel, crisis: Crisis) -> None:
    """Open a crisis on its start rung as its game's start; seed the heuristic's resolve beliefs."""
    crisis.status = ACTIVE
    crisis.rung = crisis.max_rung = crisis.start_rung
    crisis.opened_at = model.clock
    crisis.play = start_game(model, crisis)
    crisis.mover = crisis.play.game_side(int(crisis.play.tr.mover[crisis.play.index]))
    for index, side in enumerate(crisis.sides):  # the heuristic policy's ratchet (`rules.beliefs`)
        public = prior_resolve(model, crisis, index)
        for observer in model.states:
            model.belief_resolve[observer.index, side.lead.index] = model.starting_belief(
                observer, side.lead, "resolve", public
            )
    record_posteriors(model, crisis)
    opener, first = crisis.sides[1 - crisis.mover].code, crisis.mover_code()
    model.log(
        crisis=crisis.id,
        actor=opener,
        action="opens",
        rung=crisis.rung,
        detail=f"{opener} side has reached this rung; {first} moves first",
        next_mover=first,
    )


def record_posteriors(model: BrinkmanshipModel, crisis: Crisis) -> None:
    """Every observer holds the public posterior that each lead is obstinate (`Crises.mu`)."""
    for index, side in enumerate(crisis.sides):
        model.belief_obstinate[:, side.lead.index] = obstinate_posterior(crisis, index)


def obstinate_posterior(crisis: Crisis, index: int) -> float:
    """The public posterior that side ``index``'s lead is obstinate (NaN before the crisis opens)."""
    if crisis.play is None:
        return float("nan")
    return float(crisis.play.crises.mu[0, crisis.play.game_side(index)])


def disaster_value(model: BrinkmanshipModel, crisis: Crisis, index: int) -> float:
    """Side `index`'s value of catastrophe in the heuristic's view: given, or value at risk times destruction.

    The computed value is capped at the side's concession value, so catastrophe is never
    preferred to yielding (an enemy without warheads cannot destroy the side's value at risk).
    The game's own value of catastrophe is `rules.scenario_game.disaster_value`.
    """
    side = crisis.sides[index]
    if side.spec.disaster is not None:
        return side.spec.disaster
    enemy = crisis.sides[1 - index]
    survivable = sum(m.survivable_warheads for m in enemy.members)
    share = float(destruction(survivable, model.params.warheads_for_devastation))
    return min(-side.lead.value_at_risk * share, side.spec.concede)


def side_view(model: BrinkmanshipModel, crisis: Crisis, index: int) -> SideView:
    """Payoffs, traits and exposure of side `index` as they stand now (the policies' view)."""
    side = crisis.sides[index]
    lead = side.lead
    elapsed = model.clock - (crisis.opened_at or model.clock)
    disaster = disaster_value(model, crisis, index)
    # Audience costs grow with time but never make backing down worse than catastrophe.
    concede = max(float(concession_value(side.spec.concede, lead.audience_cost, elapsed)), disaster)
    stalemate = side.spec.stalemate
    if stalemate is None:
        stalemate = 0.5 * (side.spec.prevail + side.spec.concede)
    own = sum(m.conventional for m in side.members)
    total = own + sum(m.conventional for m in crisis.sides[1 - index].members)
    arrays = model.ladder.arrays
    return SideView(
        prevail=side.spec.prevail,
        concede=concede,
        disaster=disaster,
        stalemate=stalemate,
        fear=lead.fear,
        recklessness=lead.recklessness,
        share=own / total if total > 0 else 0.5,
        cost=arrays["damage_self"] * lead.value_at_risk,
        exposure=arrays["damage_target"] * lead.value_at_risk,
    )


def bloc_weights(model: BrinkmanshipModel, crisis: Crisis, index: int) -> list[tuple[StateAgent, float]]:
    """Members of side `index`'s bloc with their weight: 1 if fighting, else their join chance."""
    side = crisis.sides[index]
    weighted = [(m, 1.0) for m in side.members]
    for alliance, ally in prospective_allies(model, crisis, index):
        weighted.append((ally, alliance.join_chance(ally, model.params.cohesion.consultation_weight)))
    return weighted


def prospective_allies(model: BrinkmanshipModel, crisis: Crisis, index: int) -> list[tuple[Alliance, StateAgent]]:
    """Treaty allies of side `index` not yet in the crisis and not yet called on."""
    side = crisis.sides[index]
    found: list[tuple[Alliance, StateAgent]] = []
    seen: set[str] = set()
    for alliance in model.alliances:
        if not alliance.active or not any(m in side.members for m in alliance.members):
            continue
        for ally in alliance.members:
            if crisis.side_of(ally) is not None or ally in side.declined or ally.code in seen:
                continue
            seen.add(ally.code)
            found.append((alliance, ally))
    return found


def reckless_image(model: BrinkmanshipModel, crisis: Crisis, observer: StateAgent, index: int) -> float:
    """How reckless `observer` sees side `index`'s bloc (`rules.alliance.bloc_image`; the heuristic's ratchet)."""
    weighted = bloc_weights(model, crisis, index)
    images = np.array([model.belief_recklessness[observer.index, m.index] for m, _ in weighted])
    weights = np.array([w for _, w in weighted])
    return float(bloc_image(images, weights))


def options_for(model: BrinkmanshipModel, crisis: Crisis, index: int, rung: int) -> tuple[int, ...]:
    """Rungs side `index` may move to from `rung`: the targets of the game's moves (`CrisisGame.moves`).

    The game's moves already hold the doctrine's jumps, holding where allowed and the nuclear
    rungs a side without warheads may not reach (`rules.scenario_game`). The crisis must be open.
    """
    play = crisis.play
    if play is None:
        raise ValueError(f"crisis {crisis.id!r} has not opened: it has no game yet")
    state = play.state()._replace(rung=rung, mover=play.game_side(index))
    return tuple(move.target for move in play.game.moves(state)[1:])


def stage_for(crisis: Crisis) -> Stage | None:
    """The stage game the mover faces in equilibrium (`BeliefSolution.decide`), or None if unsolved."""
    play = crisis.play
    if play is None or play.sol is None:
        return None
    g = int(play.tr.mover[play.index])
    mu = play.crises.mu[:1]
    decided = play.sol.decide(int(play.crises.elapsed[0]), np.array([play.index]), mu)
    n = len(play.game.moves(play.state()))
    return Stage(
        probabilities=tuple(float(p) for p in decided.probabilities[0, :n]),
        values=tuple(float(v) for v in decided.values[0, :n, g]),
        obstinate=bool(play.crises.obstinate[0, g]),
        obstinate_move=int(decided.obstinate_move[0]),
        belief=float(mu[0, 1 - g]),
    )


def view_for(model: BrinkmanshipModel, crisis: Crisis) -> CrisisView:
    """What the side to move knows; its options are the game's moves in the current public state."""
    me, them = crisis.mover, 1 - crisis.mover
    play = crisis.play
    assert play is not None
    k = len(model.ladder.rungs)
    allowed = np.zeros((2, k, k), dtype=bool)
    for position, index in enumerate((me, them)):
        for r in range(k):
            if not play.game.rungs[r].catastrophe:
                allowed[position, r, list(options_for(model, crisis, index, r))] = True
    lead = crisis.sides[me].lead
    history = tuple(Turn(mine=s == me, kind=m.kind, rung=m.rung) for s, m in crisis.history)
    params = model.params
    steps_left = params.max_steps - model.clock + 1
    if play.game.horizon is not None:
        steps_left = min(steps_left, play.game.horizon - int(play.crises.elapsed[0]))
    return CrisisView(
        rung=crisis.rung,
        options=options_for(model, crisis, me, crisis.rung),
        slip=model.slip,
        decisive=model.ladder.arrays["decisive"],
        catastrophe=model.ladder.arrays["catastrophe"],
        allowed=allowed,
        me=side_view(model, crisis, me),
        them=side_view(model, crisis, them),
        resolve_estimate=float(model.belief_resolve[lead.index, crisis.sides[them].lead.index]),
        reckless_image=reckless_image(model, crisis, lead, them),
        history=history,
        elapsed=model.clock - (crisis.opened_at or model.clock),
        steps_left=max(steps_left, 1),
        risk_sensitivity=params.risk_sensitivity,
        standfast_spread=params.standfast_spread,
        decision_noise=params.decision_noise,
        stage=stage_for(crisis),
    )


def forced_slot(model: BrinkmanshipModel, crisis: Crisis) -> int:
    """The move slot the mover's policy chose, or -1 for an equilibrium lead (the game's own move)."""
    play = crisis.play
    assert play is not None
    lead = crisis.sides[crisis.mover].lead
    if plays_equilibrium(lead):
        return -1
    move = lead.decide(view_for(model, crisis))
    target = YIELD_TARGET if move.kind == "yield" else move.rung
    slot = int(slot_of(play.tr, np.array([play.index]), np.array([target]))[0])
    if slot < 0:
        raise ValueError(f"{lead.code}'s policy chose {move}, which is not a move of crisis {crisis.id!r}")
    return slot


def play_turn(model: BrinkmanshipModel, crisis: Crisis) -> None:
    """The side to move makes its move through the game (`rules.crisis_play.play_move`); apply it.

    The move's uniforms come from `ensemble.streams.move_draws` at this step (docs/odd.md 7.8).
    """
    play = crisis.play
    assert play is not None
    forced = forced_slot(model, crisis)
    before = play.state()
    u_move, u_chance, u_belief = streams.move_draws(play.base, model.clock, play.number)
    record = play_move(play.sol, play.tr, play.crises, u_move, u_chance, np.array([forced]), u_belief)
    apply_record(model, crisis, record, before)


def move_of(target: int, previous: int) -> Move:
    """The model's record of a game move to rung ``target`` (`rules.crisis_game.YIELD` for a yield)."""
    if target == YIELD_TARGET:
        return Move("yield", previous)
    return Move("hold" if target == previous else "escalate", target)


def reasons(play: GamePlay, record: MoveRecord, before: CrisisState) -> dict[str, Any]:
    """Why-fields of a move (`model.outcomes.WHY_FIELDS`): beliefs, the mover's type, the stage game.

    The stage game is written ``label p=P v=V`` per move (the normal type's equilibrium probability
    and value, `rules.belief_equilibrium.Play`), empty when the game was not solved.
    """
    g = int(record.mover[0])
    why: dict[str, Any] = {
        "belief": round(float(record.belief[0, 1 - g]), 6),
        "posterior": round(float(record.posterior[0]), 6),
        "mover_type": "obstinate" if play.crises.obstinate[0, g] else "normal",
        "options": "",
    }
    if record.play is not None:
        moves = play.game.moves(before)
        p, v = record.play.probabilities[0], record.play.values[0, :, g]
        why["options"] = "; ".join(f"{m.label} p={p[a]:.3f} v={v[a]:.3g}" for a, m in enumerate(moves))
    return why


def update_ratchet(model: BrinkmanshipModel, side: Side, move: Move, previous: int) -> None:
    """Observers revise the mover's reckless image and resolve (`rules.beliefs`; the heuristic's view only)."""
    arrays = model.ladder.arrays
    observers = np.array([s.index != side.lead.index for s in model.states])
    skipped = max(move.rung - previous - 1, 0)
    weight = image_update_weight(
        move.code,
        arrays["civilian"][move.rung],
        arrays["nuclear"][move.rung],
        skipped,
        model.params.beliefs.learning_rate,
        model.params.beliefs.shock_bonus,
    )
    column = side.lead.index
    images = model.belief_recklessness[:, column]
    model.belief_recklessness[:, column] = np.where(observers, update_image(images, move.code, weight), images)
    resolves = model.belief_resolve[:, column]
    revised = update_resolve(resolves, move.code, model.slip[move.rung])
    model.belief_resolve[:, column] = np.where(observers, revised, resolves)


def take_rung(model: BrinkmanshipModel, crisis: Crisis, index: int, move: Move) -> None:
    """A hold or an escalation by side ``index``: damage (docs/odd.md 7.9) and the first nuclear user."""
    side, other = crisis.sides[index], crisis.sides[1 - index]
    arrays = model.ladder.arrays
    if not arrays["catastrophe"][move.rung]:  # all-out war's damage comes from the arsenals, in `end`
        side.lead.damage = min(1.0, side.lead.damage + arrays["damage_self"][move.rung])
        other.lead.damage = min(1.0, other.lead.damage + arrays["damage_target"][move.rung])
    if arrays["nuclear"][move.rung] and crisis.first_deliberate_nuclear_user is None:
        crisis.first_deliberate_nuclear_user = side.code


def apply_record(model: BrinkmanshipModel, crisis: Crisis, record: MoveRecord, before: CrisisState) -> None:
    """Apply a move's record to the world: history, beliefs, damage, log, partners called, ending."""
    play = crisis.play
    assert play is not None
    index = play.game_side(int(record.mover[0]))
    side = crisis.sides[index]
    previous, outcome, rung = crisis.rung, int(record.outcome[0]), int(record.rung[0])
    move = move_of(int(record.target[0]), previous)
    crisis.history.append((index, move))
    update_ratchet(model, side, move, previous)
    record_posteriors(model, crisis)
    why = reasons(play, record, before)
    # A move another policy chose is read by the game as if it were the equilibrium's; say whose it was.
    chooser = [f"chosen by the {side.lead.policy.name} policy"] if record.chosen[0] and why["options"] else []
    crisis.mover = 1 - index
    if outcome == YIELDED:
        end(model, crisis, YIELD, yielder=side.code, cause=CHOICE, actor=side.code, action="yields",
            detail="; ".join(chooser) or None, why=why)  # fmt: skip
        return
    take_rung(model, crisis, index, move)
    crisis.rung, crisis.max_rung = rung, max(crisis.max_rung, rung)
    skipped = max(move.rung - previous - 1, 0)
    crossed = model.ladder.thresholds_crossed(previous, move.rung)
    notes = chooser + (["crosses: " + "; ".join(crossed)] if crossed else [])
    if rung != move.rung and outcome not in (DELIBERATE_KIND,):
        notes.append(f"a joined ally escalated on its own to rung {rung}")
    model.log(
        crisis=crisis.id,
        actor=side.code,
        action=move.kind if skipped == 0 else f"escalate (skips {skipped})",
        rung=move.rung,
        detail="; ".join(notes),
        next_mover=crisis.sides[crisis.mover].code,
        why=why,
    )
    for g in (0, 1):
        if record.called[0, g]:
            call_partners(model, crisis, g, bool(record.joined[0, g]))
    finish(model, crisis, index, outcome, record.allies_after[0])


def finish(model: BrinkmanshipModel, crisis: Crisis, index: int, outcome: int, allies: np.ndarray) -> None:
    """End the crisis as the game's outcome says (docs/odd.md 7.8); nothing when it continues."""
    play = crisis.play
    assert play is not None
    code, rung = crisis.sides[index].code, crisis.rung
    name = model.ladder.rungs[min(rung, model.ladder.top)].name
    calls = clause_calls(allies[None, :], np.array([outcome]), np.array([play.game_side(index)]))[0]
    if outcome == DELIBERATE_KIND:
        end(model, crisis, CATASTROPHE, cause=DELIBERATE, actor=code, action="all-out war",
            detail=f"{code} chose all-out war", calls=calls)  # fmt: skip
    elif outcome == SLIP_KIND:
        crisis.slip_holder, crisis.slip_rung = code, rung
        detail = f"the crisis slipped out of control while {code} held rung {rung} ({name})"
        end(model, crisis, CATASTROPHE, cause=SLIP, actor=code, action="slips out of control", detail=detail,
            calls=calls)  # fmt: skip
    elif outcome == ALLY_KIND:
        detail = f"a joined ally escalated on its own into all-out war after {code}'s move"
        end(model, crisis, CATASTROPHE, cause=ALLY, actor=code, action="ally escalates", detail=detail,
            calls=calls)  # fmt: skip
    elif outcome == FIGHT:
        loser = crisis.sides[play.game_side(int(play.crises.loser[0]))]
        end(model, crisis, YIELD, yielder=loser.code, cause=DEFEAT, actor=loser.code, action="defeated")
    elif outcome == STALEMATE_KIND:
        detail = f"stalemate: the game's horizon of {play.game.horizon} moves is reached"
        end(model, crisis, STALEMATE, actor="", action="horizon", detail=detail)


def settle_partner(model: BrinkmanshipModel, crisis: Crisis, g: int, partner: TreatyAlly, joins: bool) -> None:
    """A treaty partner of game side ``g`` joins it or stays out (docs/odd.md 7.12-7.13).

    A joiner fights with the side and its alliance gains the honour boost; one that stays out
    shocks its alliance's cohesion (`Alliance.shock`, damped by institutionalisation). A partner
    already fighting in the crisis, or whose alliance is no longer active, is skipped.
    """
    play = crisis.play
    assert play is not None
    state, alliance = model.state(partner.code), model.alliance(partner.alliance)
    if crisis.side_of(state) is not None or not alliance.active:
        return
    side = crisis.sides[play.game_side(g)]
    clause = alliance.clause or "defence clause"
    if joins:
        side.members.append(state)
        if state in side.declined:
            side.declined.remove(state)
        alliance.cohesion = min(1.0, alliance.cohesion + model.params.cohesion.honour_boost)
        detail = f"honours {alliance.id} ({clause}); chance {partner.join:.2f}"
        model.log(crisis=crisis.id, actor=state.code, action="joins", detail=detail)
    else:
        if state not in side.declined:
            side.declined.append(state)
        alliance.shock(model.params.cohesion.abandonment_shock)
        detail = f"fails {alliance.id} ({clause}); chance {partner.join:.2f}"
        model.log(crisis=crisis.id, actor=state.code, action="stays out", detail=detail)


def call_partners(model: BrinkmanshipModel, crisis: Crisis, g: int, bloc_joined: bool) -> None:
    """The game called side ``g``'s ally: which treaty partners join (`rules.crisis_effects.partner_joins`).

    Draws from stream `PARTNERS` at this step, slot `partner_slot(crisis, side, partner)`, with
    each partner's chance at the scenario's start (the game's ally is built from those).
    """
    play = crisis.play
    assert play is not None
    partners = play.partners[g]
    if not partners:
        return
    slots = [streams.partner_slot(play.number, g, k) for k in range(len(partners))]
    u = streams.uniforms(play.base, streams.PARTNERS, model.clock, slots)
    chances = np.array([[p.join for p in partners]])
    joins = partner_joins(chances, np.array([bloc_joined]), u)[0]
    for partner, joined in zip(partners, joins, strict=True):
        settle_partner(model, crisis, g, partner, bool(joined))


def honour_clauses(model: BrinkmanshipModel, crisis: Crisis, calls: np.ndarray) -> None:
    """All-out war calls treaty partners: each honours its clause with its own chance.

    Draws from stream `CLAUSE` at this step, slot `partner_slot(crisis, side, partner)`, for the
    partners of each game side that ``calls`` (2,) names (`rules.crisis_effects.clause_calls`; Snyder 1984).
    """
    play = crisis.play
    assert play is not None
    for g in (0, 1):
        partners = play.partners[g]
        if not calls[g] or not partners:
            continue
        slots = [streams.partner_slot(play.number, g, k) for k in range(len(partners))]
        u = streams.uniforms(play.base, streams.CLAUSE, model.clock, slots)[0]
        for k, partner in enumerate(partners):
            settle_partner(model, crisis, g, partner, bool(u[k] < partner.join))


def strike(model: BrinkmanshipModel, crisis: Crisis, index: int, rung: int, note: str = "") -> None:
    """A scenario's strike: side ``index`` takes the crisis to ``rung`` at once (docs/odd.md 7.23).

    The strike is an event, not a move of the game: it sets the game's public state to ``rung``
    with the other side to move (the move counter advances when the striker was the side to move,
    so the game's turn order is kept), without the chance events of a move (no slip, no ally
    called, no fighting) and without revising the posteriors. The game's rules take over at the
    next move. A strike onto a catastrophe rung is a deliberate catastrophe.
    """
    play = crisis.play
    assert play is not None
    previous = crisis.rung
    rung = min(max(rung, previous), model.ladder.top)
    move = move_of(rung, previous)
    side = crisis.sides[index]
    crisis.history.append((index, move))
    update_ratchet(model, side, move, previous)
    model.log(crisis=crisis.id, actor=side.code, action="strikes", rung=rung, detail=note)
    take_rung(model, crisis, index, move)
    crisis.rung, crisis.max_rung = rung, max(crisis.max_rung, rung)
    state, g = play.state(), play.game_side(index)
    if play.game.rungs[rung].catastrophe:
        allies = play.tr.state_allies[play.index][None, :]
        calls = clause_calls(allies, np.array([DELIBERATE_KIND]), np.array([g]))[0]
        end(model, crisis, CATASTROPHE, cause=DELIBERATE, actor=side.code, action="all-out war",
            detail=f"{side.code} chose all-out war", calls=calls)  # fmt: skip
        return
    if int(play.tr.mover[play.index]) == g:
        play.crises.elapsed[0] += 1
    play.crises.state[0] = play.layout.state_index(rung, 1 - g, state.joined)
    play.crises.rung[0] = rung
    play.crises.max_rung[0] = max(int(play.crises.max_rung[0]), rung)
    crisis.mover = 1 - index
    horizon = play.game.horizon
    if horizon is not None and play.crises.elapsed[0] >= horizon:
        detail = f"stalemate: the game's horizon of {horizon} moves is reached"
        end(model, crisis, STALEMATE, actor="", action="horizon", detail=detail)


def end(
    model: BrinkmanshipModel,
    crisis: Crisis,
    status: str,
    *,
    actor: str,
    action: str,
    yielder: str | None = None,
    cause: str | None = None,
    detail: str | None = None,
    calls: np.ndarray | None = None,
    why: dict[str, Any] | None = None,
) -> None:
    """End the crisis with `status` and log it, with its cause (`model.outcomes`) on the log line.

    A catastrophe first calls every uncalled treaty partner's clause (`honour_clauses`, when the
    game's ally statuses ``allies`` are given); then every member of each side suffers the share
    of its value destroyed by the enemy side's surviving warheads (docs/odd.md 7.7, 7.9).

    Args:
        model: The model.
        crisis: The crisis.
        status: yield, catastrophe or stalemate.
        actor: Who the log line names.
        action: What the log line says happened.
        yielder: The side that yielded (a yield).
        cause: choice or defeat (a yield), slip, deliberate or ally (a catastrophe), None (a stalemate).
        detail: The log line's detail; the status when not given.
        calls: Which game sides' uncalled partners a catastrophe calls (`rules.crisis_effects.clause_calls`).
        why: The yielding mover's why-fields (a yield by choice; `reasons`).
    """
    if status == CATASTROPHE and calls is not None and crisis.play is not None:
        honour_clauses(model, crisis, calls)
    crisis.status = status
    crisis.yielder = yielder
    crisis.ended_at = model.clock
    if status == YIELD:
        crisis.yield_cause = cause
    if status == CATASTROPHE:
        crisis.catastrophe_cause = cause
        crisis.rung = crisis.max_rung = model.ladder.top
        for index, side in enumerate(crisis.sides):
            enemy = crisis.sides[1 - index]
            survivable = sum(m.survivable_warheads for m in enemy.members)
            share = float(destruction(survivable, model.params.warheads_for_devastation))
            for member in side.members:
                member.damage = max(member.damage, share)
    model.log(
        crisis=crisis.id, actor=actor, action=action, rung=crisis.rung, detail=detail or status, cause=cause or "",
        why=why,
    )  # fmt: skip


def prior_resolve(model: BrinkmanshipModel, crisis: Crisis, index: int) -> float:
    """Public estimate of side `index`'s resolve from its stated stakes (the heuristic's ratchet)."""
    side = crisis.sides[index]
    return float(critical_risk(side.spec.prevail, side.spec.concede, disaster_value(model, crisis, index)))
