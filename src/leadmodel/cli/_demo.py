"""``leadmodel demo``: a quarter of a furniture business on embedded SQLite, end to end.

1. **Simulate** the quarter with :func:`leadmodel.simulate`: ``--leads`` requests (20,000 by
   default) over 90 days from eight sources (search ads paid per lead, an Instagram campaign
   and a trade show with budgets, free channels), deal values, three owners in Kyiv and one in
   New York, each card's moves and contacts through the KeyCRM-like ``requests`` pipeline.
2. **Import** most of them as the history of the old CRM (``leads.add_many``, in pages), with
   a double entry for about one person in a hundred (the same email or phone on a second card).
3. **Front door**: one request in twenty (at least a hundred, when there are that many) comes
   in through the services instead, in time order, a day per :func:`~leadmodel.services.batch`:
   :func:`~leadmodel.services.capture` with a :class:`~leadmodel.KnownPersonPolicy` (one request
   in ten is from a person who came before: attached, a repeat lead, a new attempt),
   ``update_lead`` (time zone, deal value), ``assign`` by a router (a team per time zone, off
   shift: whoever opens first), ``respond`` / ``log_activity``, ``move``, ``assess`` (BANT) on
   the way to ``qualified``, ``convert`` when won.
4. **Duplicates**: :func:`~leadmodel.duplicate_report` over every stored lead; the groups
   :attr:`~leadmodel.DuplicateReport.safe` to merge are merged with
   :func:`~leadmodel.services.merge`, except those the front door linked on purpose.
5. **SLA sweep** at the end of the quarter (:func:`~leadmodel.services.sweep`): the replies late
   and still owed get ``SlaBreached`` and their escalations.
6. **Report** (:mod:`leadmodel.cli._report`, the tables of ``leadmodel report``): funnel,
   losses, owners, sources, SLA; the charts (extra ``plot``) and ``report.html`` in ``--out``.

``--db PATH`` keeps the database (a new file: an existing path is refused); ``leadmodel report
PATH`` prints the same tables from it later.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Final

import attrs

import leadmodel as lm
from leadmodel import services
from leadmodel.cli import _report
from leadmodel.cli._common import UserError, open_store, progress

__all__ = ["add", "run"]

SEED: Final = 2026
LEADS: Final = 20_000
OUT: Final = Path(tempfile.gettempdir()) / "leadmodel-demo"

_LIVE_EVERY: Final = 20  # one request in twenty comes in through the front door ...
_LIVE_AT_LEAST: Final = 100  # ... and at least this many (all of them for a small demo)
_RETURNING_EVERY: Final = 10  # one front-door request in ten is from a person seen before
_DOUBLE_EVERY: Final = 100  # one imported person in a hundred has a double entry
_IMPORT_PAGE: Final = 1000
_BOT: Final = "crm-bot"

KYIV: Final = lm.WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00", key="Kyiv office")
NEW_YORK: Final = lm.WorkCalendar.weekdays(
    "America/New_York", "09:00", "17:00", key="New York office"
)
_IN_AMERICA: Final = lm.FieldIs(field="time_zone", values=("America/New_York",))

OWNERS: Final = (
    lm.SimOwner(key="anna", time_zone="Europe/Kyiv", skill=1.25,
                calendar=lm.WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00", key="anna")),
    lm.SimOwner(key="taras", time_zone="Europe/Kyiv", skill=0.85,
                calendar=lm.WorkCalendar.weekdays("Europe/Kyiv", "10:00", "19:00", key="taras")),
    lm.SimOwner(key="olha", time_zone="Europe/Kyiv",
                calendar=lm.WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00", key="olha")),
    lm.SimOwner(key="mike", time_zone="America/New_York", skill=1.1,
                calendar=lm.WorkCalendar.weekdays("America/New_York", "09:00", "17:00",
                                                  key="mike")),
)  # fmt: skip
"""The business's owners: three managers in Kyiv, one in New York, each with a skill."""

ROUTER: Final = lm.Router(
    key="desk",
    teams=[
        lm.Team(
            key="kyiv",
            calendar=KYIV,
            members=[
                lm.Member(key=owner.key, calendar=owner.calendar)
                for owner in OWNERS
                if owner.time_zone == "Europe/Kyiv"
            ],
        ),
        lm.Team(
            key="new-york",
            calendar=NEW_YORK,
            members=[
                lm.Member(key=owner.key, calendar=owner.calendar)
                for owner in OWNERS
                if owner.time_zone == "America/New_York"
            ],
        ),
    ],
    rules=[
        lm.RoutingRule(key="americas", team="new-york", when=[_IN_AMERICA]),
        lm.RoutingRule(key="everyone-else", team="kyiv"),
    ],
    fallback="when_open",
)
"""Leads in New York's time zone to the New York team, the rest to Kyiv; round robin among
those on shift, and off shift to whoever opens first."""

_ESCALATION: Final = (
    lm.EscalationStep(after=timedelta(0), action="notify", to="head-of-sales"),
    lm.EscalationStep(after=timedelta(hours=8), action="raise_priority"),
)
POLICIES: Final = (
    lm.SlaPolicy(
        key="americas",
        when=[_IN_AMERICA],
        first_response=timedelta(hours=1),
        rolling_response=timedelta(hours=4),
        calendar=NEW_YORK,
        escalation=_ESCALATION,
    ),
    lm.SlaPolicy(
        key="standard",
        first_response=timedelta(hours=1),
        rolling_response=timedelta(hours=4),
        calendar=KYIV,
        escalation=_ESCALATION,
    ),
)
"""A first response within a working hour and each reply within four, in the office hours of
the lead's team; late: tell the head of sales, a working day late: tag the lead urgent."""

KNOWN: Final = lm.KnownPersonPolicy(
    pipeline="requests",
    # the simulated names repeat (a few hundred names for thousands of people): namesakes
    # say nothing here, so they are not flagged
    flag_possible_duplicates=False,
)
"""A person seen before with an open lead is attached to it; a customer gets a repeat lead; a
lead lost a month ago or more is reopened as a new attempt, a more recent loss gives a new lead
flagged as its possible duplicate."""

# Why no inquiry basis: reopening a lost lead the door made fails today when the lead holds
# consent records (``recycle`` keeps them with the old lead's id as their ``person``: a
# ValidationError), and the inquiry basis is one. The demo's requests record no consent.
DOOR: Final = lm.CapturePolicy(inquiry_basis=False)


def add(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``demo`` command."""
    demo = commands.add_parser(
        "demo",
        help="simulate a quarter of a business on SQLite, run it through leadmodel, report it",
        description="Simulate a quarter of a furniture business (requests, channels with costs, "
        "owners in two time zones) into an embedded SQLite file; capture, route, move, qualify, "
        "convert, merge duplicates and sweep SLAs; print the funnel, losses, owners, sources "
        "and SLA tables and write the charts and report.html.",
    )
    demo.add_argument(
        "--leads", type=int, default=LEADS, metavar="N", help=f"requests (default {LEADS:,})"
    )
    demo.add_argument("--seed", type=int, default=SEED, help=f"the simulation's seed ({SEED})")
    demo.add_argument("--db", type=Path, metavar="PATH", help="keep the SQLite database here")
    demo.add_argument(
        "--out",
        type=Path,
        default=OUT,
        metavar="DIR",
        help=f"write the charts and report.html here (default {OUT})",
    )
    demo.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo."""
    if args.leads < 1:
        raise UserError(f"--leads: {args.leads} requests? give 1 or more")
    if args.db is not None and args.db.exists():
        raise UserError(f"{args.db}: exists; the demo writes a new database — pass a new path")
    if args.db is not None and args.db.resolve().parent == args.out.resolve():
        raise UserError(f"{args.db}: keep the database out of the report's folder ({args.out})")
    _report.check_out(args.out)  # before the work, not after it
    with tempfile.TemporaryDirectory() as scratch:
        path: Path = args.db if args.db is not None else Path(scratch) / "demo.sqlite"
        with open_store(path, create=True) as uow:
            _demo(uow, leads=args.leads, seed=args.seed, out=args.out)
        if args.db is not None:
            print(f"database: {path} (`leadmodel report {path}` prints the tables again)")
    return 0


def _n(count: int, thing: str) -> str:
    """``count`` and ``thing``, its last word in the plural unless there is one:
    ``_n(2, "double entry")`` is ``2 double entries``."""
    if count != 1:
        thing = thing[:-1] + "ies" if thing.endswith("y") else thing + "s"
    return f"{count:,} {thing}"


def _say(lines: list[str], line: str) -> None:
    lines.append(line)
    print(f"{len(lines)}. {line}")


def _demo(uow: lm.SQLiteUnitOfWork, *, leads: int, seed: int, out: Path) -> None:
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - a simulation, not a secret
    sim = lm.simulate(leads, seed=seed, owners=OWNERS)
    end = sim.at - timedelta(days=1)
    print(
        f"leadmodel {lm.__version__} demo: a furniture business, {sim.start:%Y-%m-%d} to "
        f"{end:%Y-%m-%d} (seed {seed}), in SQLite\n"
    )
    lines: list[str] = []
    _say(lines, _simulated(sim))
    every = max(1, min(_LIVE_EVERY, len(sim.leads) // _LIVE_AT_LEAST))
    live = list(sim.leads[::every])
    history = [lead for i, lead in enumerate(sim.leads) if i % every]
    doubles = _doubles(history, sim.at, rng)
    _import(uow, [*history, *doubles])
    _say(
        lines,
        f"imported {_n(len(history), 'request')} as the old CRM's history (leads.add_many), "
        f"with {_n(len(doubles), 'double entry')} (a second card with the same email or phone)",
    )
    _say(lines, _front_door(uow, sim, live, rng))
    _say(lines, _deduplicate(uow, at=sim.at))
    settings = _report.Settings(
        spend=sim.spend,
        policies=POLICIES,
        calendars={owner.key: owner.calendar for owner in OWNERS},
        as_of=sim.at,
    )
    settings.save(uow)
    _say(lines, _sweep(uow, sim.at))
    print()
    report = _report.build(_report.read_leads(uow), settings=settings, at=sim.at)
    _report.show(report)
    with uow:
        kept = ", ".join(
            f"{getattr(uow, kind).count():,} {kind}"
            for kind in ("interests", "leads", "contacts", "customers")
        )
    print(f"stored: {kept}")
    for told in _report.write(report, out, heading="leadmodel demo", lines=lines):
        print(told)
    print(f"done in {time.perf_counter() - started:.1f} s")


def _simulated(sim: lm.Simulation) -> str:
    sources = sorted({lead.source.name or lead.source.channel.value for lead in sim.leads})
    paid = sorted({lead.source.name or "" for lead in sim.leads if lead.source.cost is not None})
    budgets = ", ".join(f"{s.source} {s.amount.amount:,} {s.amount.currency}" for s in sim.spend)
    zones: dict[str, list[str]] = {}
    for owner in OWNERS:
        zones.setdefault(owner.time_zone, []).append(owner.key)
    owners = " and ".join(f"{zone} ({', '.join(keys)})" for zone, keys in zones.items())
    return (
        f"simulated {_n(len(sim.leads), 'request')} (lm.simulate) from "
        f"{_n(len(sources), 'source')} (paid per lead: {', '.join(paid) or 'none'}; budgets: "
        f"{budgets or 'none'}) for {_n(len(OWNERS), 'owner')} in {owners}: "
        f"{sim.won:,} won, {sim.lost:,} lost, {sim.open:,} open at the end"
    )


# -- 2. the old CRM's history ------------------------------------------------------------------
def _doubles(history: Sequence[lm.Lead], end: datetime, rng: random.Random) -> list[lm.Lead]:
    """A second card for one person in a hundred: the person called, and someone typed a new
    card with the same email or phone (a phone call, status ``new``, never worked on)."""
    if not history:
        return []
    chosen = rng.sample(range(len(history)), k=max(1, len(history) // _DOUBLE_EVERY))
    requests = lm.pipelines.KEYCRM_REQUESTS
    made = []
    for i in sorted(chosen):
        first = history[i]
        at = first.created_at + timedelta(hours=rng.randint(1, 72))
        if at >= end:
            at = first.created_at + (end - first.created_at) / 2
        card = lm.Lead(
            id=lm.LeadId(f"{first.id}-again"),
            person_name=first.person_name,
            contact_points=first.contact_points,
            topic=first.topic,
            source=lm.Source(channel=lm.Channel.phone_call, name="phone", medium="direct"),
            created_at=at,
            owner=first.owner,
            time_zone=first.time_zone,
        )
        made.append(requests.enter(card, at=at))
    return made


def _import(uow: lm.SQLiteUnitOfWork, leads: list[lm.Lead]) -> None:
    pages = [leads[i : i + _IMPORT_PAGE] for i in range(0, len(leads), _IMPORT_PAGE)]
    with uow:
        for page in progress(pages, total=len(pages), label="importing the history"):
            uow.leads.add_many(page)
        uow.commit()


# -- 3. the front door -------------------------------------------------------------------------
@attrs.define
class _Card:
    """A front-door request and the card it became (``lead_id`` None: attached, or no card)."""

    sim: lm.Lead
    person: tuple[str, tuple[lm.ContactPoint, ...], str | None]  # name, contacts, company
    lead_id: str | None = None
    owner: str | None = None
    answered: bool = False
    assessed: bool = False


# a step of a request: when, the request's number, the step's number, the simulated contact or
# move (None: the capture)
_Step = tuple[datetime, int, int, lm.Activity | lm.StatusChange | None]


@attrs.define
class _Door:
    """The front-door requests, walked in time order through the services; what they did."""

    pipeline: lm.Pipeline
    cards: list[_Card] = attrs.Factory(list)
    ids: lm.IdFactory = attrs.Factory(lambda: lm.sequential_ids("web"))
    decisions: Counter[str] = attrs.Factory(Counter)
    owners: Counter[str] = attrs.Factory(Counter)
    contacts: int = 0
    moves: int = 0
    assessed: int = 0
    converted: int = 0
    customers: set[str] = attrs.Factory(set)

    def steps(self, live: Sequence[lm.Lead], rng: random.Random) -> list[_Step]:
        """Every request's capture, contacts and moves, in time order."""
        steps: list[_Step] = []
        for n, lead in enumerate(live):
            person = (lead.person_name, lead.contact_points, lead.company_name)
            if n and n % _RETURNING_EVERY == 0:
                person = self.cards[rng.randrange(n)].person  # someone who came before, again
            self.cards.append(_Card(sim=lead, person=person))
            own: list[tuple[datetime, int, lm.Activity | lm.StatusChange | None]] = [
                (lead.created_at, 0, None),
                *((a.at, 1, a) for a in lead.activities),
                *((change.at, 2, change) for change in lead.history[1:]),
            ]
            own.sort(key=lambda step: (step[0], step[1]))
            steps += [(at, n, k, detail) for k, (at, _, detail) in enumerate(own)]
        steps.sort(key=lambda step: step[:3])
        return steps

    def step(self, unit: services.Batch, step: _Step) -> None:
        """One step of one request, in the day's batch."""
        at, n, _, detail = step
        card = self.cards[n]
        if detail is None:
            self.capture(unit, card, at)
        elif card.lead_id is None:  # attached to an open card: its journey is that card's
            return
        elif isinstance(detail, lm.Activity):
            self.contact(unit, card, card.lead_id, detail)
        elif detail.to_status == "won":
            done = services.convert(unit, card.lead_id, pipeline=self.pipeline,
                                    deal_ref=f"order-{n + 1}", by=card.owner, at=at,
                                    ids=self.ids)  # fmt: skip
            self.converted += 1
            self.customers.add(done.customer.id)
        else:
            if detail.to_status in ("qualified", "offer_sent") and not card.assessed:
                self.assess(unit, card, card.lead_id, at)
            services.move(unit, card.lead_id, self.pipeline, detail.to_status,
                          reason=detail.reason, by=card.owner, at=at)  # fmt: skip
            self.moves += 1

    def capture(self, unit: services.Batch, card: _Card, at: datetime) -> None:
        """The request at the door; a new card gets its time zone and value, and an owner."""
        lead = card.sim
        name, points, company = card.person
        done = services.capture(unit, source=lead.source, topic=lead.topic, person_name=name,
                                contact_points=points, company_name=company, known=KNOWN,
                                policy=DOOR, at=at, ids=self.ids)  # fmt: skip
        self.decisions[done.decision.value] += 1
        made = done.lead
        if made is None or done.decision is lm.Decision.attached or made.status is None:
            return
        card.lead_id = made.id
        services.update_lead(unit, made.id, time_zone=lead.time_zone,
                             expected_value=lead.expected_value, by=_BOT, at=at)  # fmt: skip
        if made.owner is None:
            card.owner = services.assign(unit, made.id, ROUTER, by=_BOT, at=at).owner
        else:
            card.owner = made.owner
        self.owners[card.owner or "(queued)"] += 1

    def contact(
        self, unit: services.Batch, card: _Card, lead_id: str, contact: lm.Activity
    ) -> None:
        """A contact with the person: our first one is ``respond``, the rest are logged."""
        ours = contact.direction is lm.Direction.outbound
        if ours and not card.answered:
            card.answered = True
            services.respond(unit, lead_id, by=card.owner, kind=contact.kind,
                             channel=contact.channel, at=contact.at)  # fmt: skip
        else:
            services.log_activity(unit, lead_id, kind=contact.kind, direction=contact.direction,
                                  channel=contact.channel, by=card.owner if ours else None,
                                  at=contact.at)  # fmt: skip
        self.contacts += 1

    def assess(self, unit: services.Batch, card: _Card, lead_id: str, at: datetime) -> None:
        """BANT on the way to ``qualified``: all met, but the budget of those lost for it."""
        lost = card.sim.lost
        short = lost is not None and lost.reason == "no_budget"
        answers = [
            lm.Answer(criterion=criterion.key, met=not (short and criterion.key == "budget"))
            for criterion in lm.BANT.criteria
        ]
        services.assess(unit, lead_id, lm.BANT, answers, by=card.owner, at=at)
        card.assessed = True
        self.assessed += 1

    def said(self) -> str:
        """What the front door did, in a line."""
        decisions = ", ".join(
            f"{count:,} {decision.replace('_', ' ')}"
            for decision, count in self.decisions.most_common()
        )
        routed = ", ".join(f"{owner} {count:,}" for owner, count in sorted(self.owners.items()))
        return (
            f"front door: {_n(len(self.cards), 'request')} through services.capture "
            f"({decisions}); routed by {ROUTER.key!r} (update_lead, assign): {routed}; "
            f"{_n(self.contacts, 'contact')} logged (respond, log_activity), "
            f"{_n(self.moves, 'move')}, {_n(self.assessed, 'BANT assessment')}, "
            f"{_n(self.converted, 'conversion')} into {_n(len(self.customers), 'customer')}"
        )


def _front_door(
    uow: lm.SQLiteUnitOfWork, sim: lm.Simulation, live: Sequence[lm.Lead], rng: random.Random
) -> str:
    door = _Door(pipeline=sim.pipeline)
    steps = door.steps(live, rng)
    walked = progress(steps, total=len(steps), label="front door")
    for _day, today in groupby(walked, key=lambda step: step[0].date()):
        with services.batch(uow) as unit:  # a day's work, one transaction
            for step in today:
                door.step(unit, step)
    return door.said()


# -- 4. duplicates ----------------------------------------------------------------------------
def _deduplicate(uow: lm.SQLiteUnitOfWork, *, at: datetime) -> str:
    leads = _report.read_leads(uow)
    by_id: dict[str, lm.Lead] = {lead.id: lead for lead in leads}
    found = lm.duplicate_report(leads)
    merged = linked = 0
    with services.batch(uow) as unit:
        for group in progress(found.safe, total=len(found.safe), label="merging duplicates"):
            members = [by_id[i] for i in group.ids]
            if any(m.previous_lead_id is not None or m.possible_duplicates for m in members):
                linked += 1  # the front door linked them on purpose: a repeat, a new attempt
                continue
            survivor = min(members, key=lambda m: (m.created_at, m.id))
            others = [m.id for m in members if m.id != survivor.id]
            services.merge(unit, survivor.id, *others, by="dedupe", at=at)
            merged += 1
    safe_rules = {rule.name for rule in lm.DEFAULT_RULES if rule.safe}
    weak = Counter(rule for group in found.review for rule in group.rules if rule not in safe_rules)
    review = ", ".join(f"{rule} {count:,}" for rule, count in weak.most_common())
    weaker = f" (linked by a weaker rule: {review})" if review else ""
    return (
        f"duplicates: duplicate_report over {_n(len(leads), 'lead')} found "
        f"{_n(len(found.groups), 'group')}: {merged:,} safe to merge, merged (services.merge); "
        f"{linked:,} safe but kept (the front door linked them: repeat leads, new attempts); "
        f"{len(found.review):,} for a person to review{weaker}"
    )


# -- 5. the SLA sweep --------------------------------------------------------------------------
def _sweep(uow: lm.SQLiteUnitOfWork, at: datetime) -> str:
    swept = services.sweep(uow, POLICIES, router=ROUTER, by="sla-bot", at=at)
    actions = Counter(event.action.value for event in swept.escalated)
    taken = ", ".join(f"{action} {count:,}" for action, count in sorted(actions.items()))
    return (
        f"SLA sweep at {at:%Y-%m-%d %H:%M} UTC (services.sweep, {_n(len(POLICIES), 'policy')}): "
        f"{_n(len(swept.breached), 'reply')} late and still owed (SlaBreached), "
        f"{_n(len(swept.escalated), 'escalation')}{f' ({taken})' if taken else ''}, "
        f"{_n(len(swept.updated), 'lead')} tagged urgent"
    )
