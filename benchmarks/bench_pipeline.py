"""Moving Leads through a pipeline: leadmodel against ``transitions`` and ``python-statemachine``.

One run, one 8-status pipeline (new, contacted, qualified, proposal, negotiation, contract, won,
lost with reasons; leadmodel's default ``forward_only`` policy), the same 1,000 entered Lead
records, each moved new → contacted → qualified → proposal → negotiation → contract → won
(6 moves, timestamps one hour apart, ``by`` the same user). What is timed, per move:

* (a) in memory: the record is already at hand. leadmodel: ``pipeline.move(lead, to, at=...,
  by=...)``, returning the new Lead (kept in a list in place of the old one).
  ``transitions``: the ``to_<status>`` trigger on a model already bound to one shared Machine.
  ``python-statemachine``: the ``to_<status>`` event on a machine instance already bound to
  the record.
* (b) load + move, as a CRM does per request: fetch the record from a dict by id, move it,
  put the result back. leadmodel moves the fetched Lead directly. The peers get a fresh model
  object over the stored data (``Card.fresh``: three attributes copied, as a storage layer
  hands out a new object per request; needed because ``transitions`` leaves its trigger
  methods on a model) and must bind a machine to it in its current state first:
  ``transitions`` as a new ``Machine(model=card, initial=card.state, ...)`` per request, or
  (its idiom for many models, also timed) ``add_model`` + trigger + ``remove_model`` on one
  shared Machine; ``python-statemachine`` by instantiating its machine class on the card.
* (c) bare baseline: the straightforward move of an immutable, validated Lead: a dict lookup
  of the allowed targets + ``attrs.evolve(lead, status=to, history=(*history, change))`` with
  a new ``StatusChange`` (``evolve`` runs all of the Lead's checks again, the StatusChange its
  own).
* spec compile: ``Pipeline.from_dict`` (read, check, compile) of a 50-status spec (48 open
  + won + lost), and of the 8-status one for orientation.

Targets, judged on the ratio of the mins: (a) leadmodel ≥ 5× faster than the faster peer;
(b) ≥ 20× faster than the faster peer (variant); leadmodel ≤ 1.5× the bare baseline, in
(a) and in (b) alike (a move should re-validate only what it changes); the 50-status spec
validated and compiled in under 10 ms.

Fairness rules (the house rules for benchmarks):

* Ratios of libraries measured in the same run, never absolute times. Libraries are
  interleaved within each repeat in a rotating order; the table gives the min and the median
  of the repeats. Each timed batch is one whole round: every record of the round moved once
  per step of the path, step after step. The records of a round are prepared outside the
  timing (fresh entered Leads, fresh cards, bound machines). The garbage collector stays on
  (allocation is part of the cost) and is emptied before every timed batch.
* Equal work. The peers are built from what the leadmodel pipeline allows (asked through
  ``Pipeline.allowed``; see ``_peers_pipeline.py``) and each of their moves records the same
  history entry (pipeline, from, to, at, by) on the record, in the library's after-transition
  hook. The peers mutate a plain record and append a tuple; leadmodel returns a new immutable
  Lead holding a new ``StatusChange``, and checks the entry's values, lost reasons,
  requirements and that time does not go backwards, which the peers do not: they do less
  work per move than leadmodel, so the ratios lean in the peers' favour.
* Workload size. A timed round moves the first n of the same 1,000 leads along the path, n
  set per contender so that a round takes about 0.05-0.5 s: 1,000 for leadmodel, the bare
  baseline and the ``transitions`` bound trigger; 200 for the shared ``transitions`` Machine
  in (b); 100 for ``python-statemachine`` and for a new ``transitions`` Machine per request
  (20-100x slower per move). (a) runs 17 rounds (102,000 moves for the fast contenders), (b)
  7. A per-move time is a whole-round average, so n changes how many moves are sampled, not
  what a move costs; the tables list the moves timed.
* Before timing, the script proves it: from each of the 8 statuses to each of the 8, the
  four contenders allow and refuse exactly the same moves (a refused move leaves the peers'
  records unchanged); and every timed round, run once untimed, ends each lead in won with the
  expected 7-entry history, the same in every library. A failed check is an error (exit 1);
  a missed target is a result (printed as ``TARGET MISSED``, exit 0).

Run from the repository root: ``python benchmarks/bench_pipeline.py``. With ``--profile`` it
prints instead a cProfile of leadmodel's in-memory move over 20,000 moves (top 15 by tottime).
"""

from __future__ import annotations

import cProfile
import gc
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from importlib.metadata import version
from typing import Any

import attrs
import transitions
from _peers_pipeline import Card, Entry, TransitionsSetup, allowed_moves, event_name
from _peers_pipeline import statemachine_class as make_statemachine_class
from statemachine.exceptions import TransitionNotAllowed
from transitions import MachineError

import leadmodel as lm
from leadmodel._kernel.copy import replace, unchecked

# Leads moved per timed round (6 moves each): a round takes about 0.05-0.5 s whatever the library.
LEADS, LEADS_SLOW, LEADS_SLOWEST = 1000, 200, 100
REPEATS_MEMORY = 17  # (a): 17 rounds x 6,000 moves = 102,000 moves per fast library
REPEATS_LOAD = 7  # (b)
COMPILE_REPEATS, COMPILE_LOOPS = 15, 5
PROFILE_MOVES = 20_000

SPEED_TARGETS = {"a": 5.0, "b": 20.0}  # the faster peer's time / leadmodel's, at least
BARE_TARGET = 1.5  # leadmodel's time / the bare baseline's, at most
COMPILE_TARGET_MS = 10.0  # the 50-status spec, at most

LEADMODEL, BARE, FLOOR = "leadmodel", "bare baseline", "immutable copy"

# --------------------------------------------------------------------------- the pipeline

OPEN = ("new", "contacted", "qualified", "proposal", "negotiation", "contract")
LOST_REASONS = ["price", "no_budget", "competitor", "no_response"]
SPEC: dict[str, Any] = {
    "key": "deals",
    "label": "Deals",
    "entity": "Deals",
    "statuses": [
        *({"key": key, "label": key.capitalize()} for key in OPEN),
        {"key": "won", "label": "Won", "kind": "won"},
        {"key": "lost", "label": "Lost", "kind": "lost", "lost_reasons": LOST_REASONS},
    ],
}
PIPELINE = lm.Pipeline.from_dict(SPEC)
KEY = PIPELINE.key

KYIV = timezone(timedelta(hours=2))
ENTERED = datetime(2026, 3, 2, 9, 30, tzinfo=KYIV)
ENTERED_BY, BY = "web-form", "anna.m"
PATH = (*OPEN[1:], "won")
STEPS = tuple((to, ENTERED + timedelta(hours=i + 1)) for i, to in enumerate(PATH))
EVENT_STEPS = tuple((event_name(to), at) for to, at in STEPS)


def spec_of_size(n_open: int) -> dict[str, Any]:
    """A spec with ``n_open`` open statuses + won + lost, some with actions and requirements."""
    statuses: list[dict[str, Any]] = []
    for i in range(n_open):
        status: dict[str, Any] = {"key": f"stage_{i:02d}", "label": f"Stage {i}"}
        if i % 6 == 5:
            status["on_enter"] = [{"action": "create_task", "title": f"Follow up stage {i}"}]
        if i % 8 == 7:
            status["requires"] = {"fields": ["owner", "expected_value"]}
        statuses.append(status)
    statuses.append(
        {
            "key": "won",
            "label": "Won",
            "kind": "won",
            "on_enter": [{"action": "send_email", "template": "thanks"}],
        }
    )
    statuses.append({"key": "lost", "label": "Lost", "kind": "lost", "lost_reasons": LOST_REASONS})
    return {"key": f"big_{n_open}", "label": "Big funnel", "statuses": statuses}


# --------------------------------------------------------------------------- the records


def make_leads(count: int) -> list[lm.Lead]:
    """``count`` distinct leads, as a CRM holds them, entered into the pipeline."""
    leads = []
    for i in range(count):
        lead = lm.Lead(
            id=lm.LeadId(f"lead-{i:05d}"),
            person_name=f"Олена Коваль {i}",
            contact_points=(
                lm.ContactPoint.email(f"olena.koval.{i}@example.com", label="робоча"),
                lm.ContactPoint.phone(f"+38050{1_000_000 + i}"),
            ),
            topic="Офісні меблі для нового офісу",
            source=lm.Source(channel=lm.Channel.form, campaign="spring-sale-2026"),
            created_at=ENTERED - timedelta(minutes=5),
            owner=BY,
            expected_value=lm.Money.of(Decimal("48000.00"), "UAH"),
            time_zone="Europe/Kyiv",
            tags=frozenset({"b2b", "furniture"}),
            custom={"utm_content": "banner-3", "budget_band": "10k-50k"},
        )
        leads.append(PIPELINE.enter(lead, at=ENTERED, by=ENTERED_BY))
    return leads


def entries(lead: lm.Lead) -> list[Entry]:
    """A Lead's history as the peers record it."""
    return [(c.pipeline, c.from_status, c.to_status, c.at, c.by) for c in lead.history]


# --------------------------------------------------------------------------- the contenders

MOVES = allowed_moves(PIPELINE, make_leads(1)[0])
BARE_TARGETS = {status: frozenset(targets) for status, targets in MOVES.items()}
TRANSITIONS = TransitionsSetup(KEY, MOVES)
StateMachineClass = make_statemachine_class(KEY, MOVES, PIPELINE.first)


def bare_move(lead: lm.Lead, to: str, *, at: datetime, by: str | None) -> lm.Lead:
    """The bare baseline: allowed-target lookup + evolve of the Lead with the new entry."""
    current = lead.status
    if to not in BARE_TARGETS[current]:  # type: ignore[index]
        raise lm.TransitionError(
            f"cannot move from {current!r} to {to!r}",
            from_status=current,
            to_status=to,
            why="not_allowed",
        )
    change = lm.StatusChange(pipeline=KEY, from_status=current, to_status=to, at=at, by=by)
    return attrs.evolve(lead, status=to, history=(*lead.history, change))


def floor_move(lead: lm.Lead, to: str, *, at: datetime, by: str | None) -> lm.Lead:
    """Diagnostic, not a contender for the targets: only the immutable copy, no check at all.

    A move of a frozen Lead must at least build the new entry and copy the record; this is
    that cost alone (leadmodel's own copy helper), the floor under any immutable move.
    """
    change = unchecked(lm.StatusChange)(
        pipeline=KEY,
        from_status=lead.status,
        to_status=to,
        at=at,
        by=by,
        reason=None,
        note=None,
        from_pipeline=None,
    )
    return replace(lead, status=to, history=(*lead.history, change))


Finals = list[tuple[str | None, list[Entry]]]


@dataclass(frozen=True)
class Contender:
    """One way of moving records: its untimed set-up and its timed round.

    ``prepare`` turns the round's entered Leads into the library's starting state, ``round``
    moves every record along the path (the timed part), ``finals`` reads each record's final
    status and history back for the checks.
    """

    name: str
    how: str
    records: int
    prepare: Callable[[list[lm.Lead]], Any]
    round: Callable[[Any], None]
    finals: Callable[[Any], Finals]


# -- (a) in memory


def _lead_round(move: Callable[..., lm.Lead]) -> Callable[[list[lm.Lead]], None]:
    def run(leads: list[lm.Lead]) -> None:
        for to, at in STEPS:
            for i, lead in enumerate(leads):
                leads[i] = move(lead, to, at=at, by=BY)

    return run


def _lead_finals(leads: list[lm.Lead]) -> Finals:
    return [(lead.status, entries(lead)) for lead in leads]


def _transitions_bound(leads: list[lm.Lead]) -> list[Card]:
    cards = [Card.of(lead) for lead in leads]
    assert all(card.state == PIPELINE.first for card in cards)
    TRANSITIONS.bind(cards, PIPELINE.first)  # one Machine, every card bound to it
    return cards


def _transitions_round(cards: list[Card]) -> None:
    for event, at in EVENT_STEPS:
        for card in cards:
            getattr(card, event)(at=at, by=BY)


def _card_finals(cards: list[Card]) -> Finals:
    return [(card.state, card.history) for card in cards]


def _statemachine_bound(leads: list[lm.Lead]) -> list[Any]:
    return [StateMachineClass(model=Card.of(lead)) for lead in leads]


def _statemachine_round(machines: list[Any]) -> None:
    for event, at in EVENT_STEPS:
        for machine in machines:
            getattr(machine, event)(at=at, by=BY)


def _machine_finals(machines: list[Any]) -> Finals:
    return _card_finals([machine.model for machine in machines])


def in_memory() -> list[Contender]:
    return [
        Contender(
            LEADMODEL,
            "Pipeline.move",
            LEADS,
            list,
            _lead_round(PIPELINE.move),
            _lead_finals,
        ),
        Contender(
            "transitions",
            "trigger, model bound",
            LEADS,
            _transitions_bound,
            _transitions_round,
            _card_finals,
        ),
        Contender(
            "python-statemachine",
            "event, machine bound",
            LEADS_SLOWEST,
            _statemachine_bound,
            _statemachine_round,
            _machine_finals,
        ),
        Contender(BARE, "lookup + evolve", LEADS, list, _lead_round(bare_move), _lead_finals),
        Contender(
            FLOOR, "copy only (diagnostic)", LEADS, list, _lead_round(floor_move), _lead_finals
        ),
    ]


# -- (b) load + move


@dataclass
class Store:
    """The records by id, the ids in the order a round visits them, a shared Machine if any."""

    records: dict[str, Any]
    ids: list[str]
    machine: Any = None


def _lead_store(leads: list[lm.Lead]) -> Store:
    return Store({lead.id: lead for lead in leads}, [lead.id for lead in leads])


def _card_store(leads: list[lm.Lead]) -> Store:
    return Store({lead.id: Card.of(lead) for lead in leads}, [lead.id for lead in leads])


def _card_store_shared(leads: list[lm.Lead]) -> Store:
    store = _card_store(leads)
    store.machine = TRANSITIONS.bind(None, PIPELINE.first)  # one Machine, no model yet
    return store


def _lead_load_round(move: Callable[..., lm.Lead]) -> Callable[[Store], None]:
    def run(store: Store) -> None:
        records, ids = store.records, store.ids
        for to, at in STEPS:
            for key in ids:
                records[key] = move(records[key], to, at=at, by=BY)

    return run


def _store_finals(store: Store) -> Finals:
    out: Finals = []
    for key in store.ids:
        record = store.records[key]
        if isinstance(record, lm.Lead):
            out.append((record.status, entries(record)))
        else:
            out.append((record.state, record.history))
    return out


def _transitions_new_machine(store: Store) -> None:
    records, ids, bind = store.records, store.ids, TRANSITIONS.bind
    for event, at in EVENT_STEPS:
        for key in ids:
            card = records[key].fresh()
            bind(card, card.state)
            getattr(card, event)(at=at, by=BY)
            records[key] = card


def _transitions_shared(store: Store) -> None:
    records, ids = store.records, store.ids
    add, remove = store.machine.add_model, store.machine.remove_model
    for event, at in EVENT_STEPS:
        for key in ids:
            card = records[key].fresh()
            add(card, initial=card.state)
            getattr(card, event)(at=at, by=BY)
            remove(card)
            records[key] = card


def _statemachine_load(store: Store) -> None:
    records, ids = store.records, store.ids
    for event, at in EVENT_STEPS:
        for key in ids:
            card = records[key].fresh()
            getattr(StateMachineClass(model=card), event)(at=at, by=BY)
            records[key] = card


def load_and_move() -> list[Contender]:
    return [
        Contender(
            LEADMODEL,
            "get + Pipeline.move",
            LEADS,
            _lead_store,
            _lead_load_round(PIPELINE.move),
            _store_finals,
        ),
        Contender(
            "transitions",
            "get + new Machine",
            LEADS_SLOWEST,
            _card_store,
            _transitions_new_machine,
            _store_finals,
        ),
        Contender(
            "transitions shared",
            "get + add/remove_model",
            LEADS_SLOW,
            _card_store_shared,
            _transitions_shared,
            _store_finals,
        ),
        Contender(
            "python-statemachine",
            "get + new instance",
            LEADS_SLOWEST,
            _card_store,
            _statemachine_load,
            _store_finals,
        ),
        Contender(
            BARE,
            "get + lookup + evolve",
            LEADS,
            _lead_store,
            _lead_load_round(bare_move),
            _store_finals,
        ),
    ]


@dataclass(frozen=True)
class Workload:
    """One comparison: its contenders and how many repeats (timed rounds) each gets."""

    letter: str
    title: str
    contenders: list[Contender]
    repeats: int


def workloads() -> list[Workload]:
    return [
        Workload(
            "a",
            "in memory: move a record already at hand (peers: machine already bound)",
            in_memory(),
            REPEATS_MEMORY,
        ),
        Workload(
            "b",
            "load + move: get the record by id, (peers: bind a machine,) move, put it back",
            load_and_move(),
            REPEATS_LOAD,
        ),
    ]


# --------------------------------------------------------------------------- correctness


class CheckFailed(Exception):
    """The comparison is not fair or a library misbehaves: the results would mean nothing."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


LATER = ENTERED + timedelta(days=30)


def _placed(lead: lm.Lead, status: str) -> lm.Lead:
    change = lm.StatusChange(pipeline=KEY, from_status=None, to_status=status, at=ENTERED)
    return attrs.evolve(lead, status=status, history=(change,))


def _leadmodel_move(lead: lm.Lead, to: str, *, at: datetime, by: str | None) -> lm.Lead:
    """``Pipeline.move``, with a lost reason when moving to a lost status (leadmodel needs one)."""
    lost = PIPELINE.kind(to) is lm.StatusKind.lost
    return PIPELINE.move(lead, to, at=at, by=by, reason=LOST_REASONS[0] if lost else None)


def _lead_accepts(move: Callable[..., lm.Lead], lead: lm.Lead, to: str) -> bool:
    try:
        moved = move(lead, to, at=LATER, by=BY)
    except lm.TransitionError:
        return False
    change = moved.history[-1]
    _require(
        (moved.status, change.from_status, change.to_status, change.at, change.by)
        == (to, lead.status, to, LATER, BY),
        f"a move to {to} recorded {change}",
    )
    return True


def _card_accepts(
    card: Card, fire: Callable[[], object], to: str, refused: type[Exception]
) -> bool:
    before = (card.state, list(card.history))
    try:
        fire()
    except refused:
        _require((card.state, card.history) == before, "a refused move changed the record")
        return False
    _require(card.state == to, f"a move to {to} ended in {card.state}")
    _require(card.history[-1] == (KEY, before[0], to, LATER, BY), "wrong history entry")
    return True


def _transitions_accepts(source: str, to: str) -> bool:
    card = Card("lead-x", source, [])
    TRANSITIONS.bind(card, source)
    fire = getattr(card, event_name(to), None)
    if fire is None:  # no move of the pipeline ends in ``to``
        return False
    return _card_accepts(card, lambda: fire(at=LATER, by=BY), to, MachineError)


def _statemachine_accepts(source: str, to: str) -> bool:
    card = Card("lead-x", source, [])
    machine = StateMachineClass(model=card)
    fire = getattr(machine, event_name(to), None)
    if fire is None:
        return False
    return _card_accepts(card, lambda: fire(at=LATER, by=BY), to, TransitionNotAllowed)


def check_moves(lead: lm.Lead) -> tuple[int, int]:
    """Every status to every status: all four allow the same moves. Returns (allowed, all)."""
    statuses = [s.key for s in PIPELINE.statuses]
    verdicts: dict[str, set[tuple[str, str]]] = {}
    for source in statuses:
        placed = _placed(lead, source)
        for to in statuses:
            for name, accepts in (
                (LEADMODEL, _lead_accepts(_leadmodel_move, placed, to)),
                (BARE, _lead_accepts(bare_move, placed, to)),
                ("transitions", _transitions_accepts(source, to)),
                ("python-statemachine", _statemachine_accepts(source, to)),
            ):
                if accepts:
                    verdicts.setdefault(name, set()).add((source, to))
    reference = verdicts[LEADMODEL]
    for name, allowed in verdicts.items():
        _require(
            allowed == reference,
            f"{name} differs from leadmodel: allows {sorted(allowed - reference)}, "
            f"refuses {sorted(reference - allowed)}",
        )
    _require(len(verdicts) == 4, "a contender allowed no move at all")
    _require(("proposal", "contacted") not in reference, "forward_only allowed a move back")
    _require(not any(s == "won" for s, _ in reference), "won is not final")
    return len(reference), len(statuses) ** 2


def expected_history() -> tuple[lm.StatusChange, ...]:
    """The history every lead ends with: entered, then the path, each step an hour later."""
    sources = (PIPELINE.first, *PATH[:-1])
    return (
        lm.StatusChange(
            pipeline=KEY, from_status=None, to_status=PIPELINE.first, at=ENTERED, by=ENTERED_BY
        ),
        *(
            lm.StatusChange(pipeline=KEY, from_status=source, to_status=to, at=at, by=BY)
            for source, (to, at) in zip(sources, STEPS, strict=True)
        ),
    )


def check_rounds(groups: list[list[Contender]], leads: list[lm.Lead]) -> None:
    """Each contender's round, run once untimed, moves every lead to won, as expected."""
    history = expected_history()
    lead = leads[0]
    for to, at in STEPS:
        lead = PIPELINE.move(lead, to, at=at, by=BY)
    _require(lead.status == "won", f"leadmodel ends the path in {lead.status}")
    _require(lead.history == history, "leadmodel's history is not the expected path")
    expected = [("won", entries(lead))] * len(leads)
    for contenders in groups:
        for c in contenders:
            state = c.prepare(leads[: c.records])
            c.round(state)
            got = c.finals(state)
            _require(got == expected[: c.records], f"{c.name} ({c.how}): wrong status or history")


# --------------------------------------------------------------------------- timing


def _rotations(names: list[str], repeats: int) -> Iterator[list[str]]:
    for r in range(repeats):
        k = r % len(names)
        yield names[k:] + names[:k]


def measure(
    contenders: list[Contender], leads: list[lm.Lead], repeats: int
) -> dict[str, list[float]]:
    """µs per move for each contender, one value per repeat (a whole round each)."""
    by_name = {c.name: c for c in contenders}
    times: dict[str, list[float]] = {name: [] for name in by_name}
    for order in _rotations(list(by_name), repeats):
        for name in order:
            c = by_name[name]
            state = c.prepare(leads[: c.records])
            gc.collect()
            start = time.perf_counter_ns()
            c.round(state)
            elapsed = time.perf_counter_ns() - start
            del state
            times[name].append(elapsed / (c.records * len(PATH)) / 1000)
    return times


def compile_times(spec: dict[str, Any]) -> list[float]:
    """ms per ``Pipeline.from_dict(spec)``, one value per repeat."""
    out = []
    for _ in range(COMPILE_REPEATS):
        gc.collect()
        start = time.perf_counter_ns()
        for _ in range(COMPILE_LOOPS):
            lm.Pipeline.from_dict(spec)
        out.append((time.perf_counter_ns() - start) / COMPILE_LOOPS / 1e6)
    return out


# --------------------------------------------------------------------------- report


def _cell(values: list[float], digits: int = 1) -> str:
    return f"{min(values):.{digits}f} ({statistics.median(values):.{digits}f})"


def _table(w: Workload, times: dict[str, list[float]]) -> None:
    print(f"({w.letter}) {w.title}")
    print(f"{'library':<22}{'how':<26}{'µs per move':>17}{'moves timed':>14}")
    for c in w.contenders:
        moves = c.records * len(PATH) * w.repeats
        print(f"{c.name:<22}{c.how:<26}{_cell(times[c.name]):>17}{moves:>14,}")
    print()


def _ratio(times: dict[str, list[float]], top: str, bottom: str) -> tuple[float, float]:
    """``top``'s time over ``bottom``'s: the ratio of the mins and the ratio of the medians."""
    return (
        min(times[top]) / min(times[bottom]),
        statistics.median(times[top]) / statistics.median(times[bottom]),
    )


def _fastest_peer(times: dict[str, list[float]]) -> str:
    peers = [name for name in times if name not in (LEADMODEL, BARE, FLOOR)]
    return min(peers, key=lambda name: min(times[name]))


def report(
    results: list[tuple[Workload, dict[str, list[float]]]],
    compiled: dict[int, list[float]],
    allowed: int,
    pairs: int,
) -> None:
    print("bench_pipeline: Leads moving through an 8-status pipeline (6 open + won + lost)")
    print(
        f"python {platform.python_version()} · leadmodel {lm.__version__} · "
        f"transitions {transitions.__version__} · "
        f"python-statemachine {version('python-statemachine')} · attrs {attrs.__version__}"
    )
    print(
        f"records: {LEADS:,} entered Leads (2 contact points, source, owner, value, time zone, "
        f"tags, custom), each moved {' → '.join((PIPELINE.first, *PATH))}"
    )
    print(
        f"checks: of the {pairs} moves between the 8 statuses all four allow the same "
        f"{allowed} and refuse the other {pairs - allowed}; every timed round ends every lead "
        "in won with the expected history"
    )
    print(
        "timing: one round = each lead of the round moved along the path; libraries "
        "interleaved in rotating order; min (median) over the rounds\n"
    )
    for w, times in results:
        _table(w, times)
    print("spec compile: Pipeline.from_dict (read + check + compile), ms per spec, min (median)")
    for size, values in compiled.items():
        print(f"{f'{size} statuses':<22}{_cell(values, 2):>12}")
    print()

    rows: list[tuple[str, tuple[float, float], str, bool]] = []
    missed: list[str] = []
    for w, times in results:
        peer = _fastest_peer(times)
        speed = _ratio(times, peer, LEADMODEL)
        goal = SPEED_TARGETS[w.letter]
        rows.append((f"({w.letter}) {peer} / leadmodel", speed, f">= {goal:g}", speed[0] >= goal))
        if speed[0] < goal:
            missed.append(
                f"TARGET MISSED: ({w.letter}) leadmodel is {speed[0]:.2f}x as fast as {peer} "
                f"(target >= {goal:g}x)"
            )
    for w, times in results:
        bare = _ratio(times, LEADMODEL, BARE)
        ok = bare[0] <= BARE_TARGET
        rows.append(
            (f"(c) leadmodel / bare baseline, in ({w.letter})", bare, f"<= {BARE_TARGET:g}", ok)
        )
        if not ok:
            missed.append(
                f"TARGET MISSED: (c) in ({w.letter}) leadmodel's move takes {bare[0]:.2f}x the "
                f"bare baseline's time (target <= {BARE_TARGET:g}x)"
            )
    size = max(compiled)
    ms = (min(compiled[size]), statistics.median(compiled[size]))
    ok = ms[0] < COMPILE_TARGET_MS
    rows.append((f"{size}-status spec compile, ms", ms, f"< {COMPILE_TARGET_MS:g}", ok))
    if not ok:
        missed.append(
            f"TARGET MISSED: the {size}-status spec takes {ms[0]:.2f} ms to validate and compile "
            f"(target < {COMPILE_TARGET_MS:g} ms)"
        )

    for w, times in results:
        if FLOOR in times:
            peer = _fastest_peer(times)
            most = _ratio(times, peer, FLOOR)[0]
            print(
                f"diagnostic ({w.letter}): the immutable copy alone is {most:.2f}x as fast as "
                f"{peer}: no move of a frozen Lead of this size can be faster than that"
            )
    print(f"{'ratio (judged on the mins)':<44}{'min (median)':>16}   target")
    for label, (best, typical), goal, ok in rows:
        verdict = "met" if ok else "TARGET MISSED"
        print(f"{label:<44}{f'{best:.2f} ({typical:.2f})':>16}   {goal:<7} {verdict}")
    print()
    print("\n".join(missed) if missed else "all targets met")


# --------------------------------------------------------------------------- main


def profile(leads: list[lm.Lead]) -> None:
    """cProfile of leadmodel's in-memory move over about PROFILE_MOVES moves."""
    rounds = 5
    count = -(-PROFILE_MOVES // (rounds * len(PATH)))
    run = _lead_round(PIPELINE.move)
    batches = [list(leads[:count]) for _ in range(rounds)]
    profiler = cProfile.Profile()
    profiler.enable()
    for batch in batches:
        run(batch)
    profiler.disable()
    moves = rounds * count * len(PATH)
    print(f"cProfile: leadmodel Pipeline.move, {moves:,} moves ({rounds} rounds of {count} leads)")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(15)


def main(argv: list[str]) -> int:
    leads = make_leads(LEADS)
    if "--profile" in argv:
        profile(leads)
        return 0
    loads = workloads()
    spec_50 = spec_of_size(48)
    try:
        allowed, pairs = check_moves(leads[0])
        check_rounds([w.contenders for w in loads], leads)
        big = lm.Pipeline.from_dict(spec_50)
        _require(len(big.statuses) == 50, "the big spec does not have 50 statuses")
    except CheckFailed as exc:
        print(f"CHECK FAILED: {exc}", file=sys.stderr)
        return 1
    results = [(w, measure(w.contenders, leads, w.repeats)) for w in loads]
    compiled = {8: compile_times(SPEC), 50: compile_times(spec_50)}
    report(results, compiled, allowed, pairs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
