"""The SLA sweep as a service: find late replies and stale cards, act on them, announce each
once (:func:`sweep`).

What the sweep reads: only the leads that can be late or newly stale. The stores index two
facts of every lead's timeline (:func:`~leadmodel.reply_owed_since`,
:func:`~leadmodel.idle_since`), so a sweep asks for

* the leads owed a reply since before ``at`` minus the shortest target (no reply owed for less
  than its target is late: business time never runs faster than the clock);
* per open status with a ``rot_after``, the cards idle since before ``at`` minus it — and not
  before the same horizon of the last sweep: only the cards gone stale since.

It lists the late replies' ids once from the indexed columns (:meth:`Repository.ids
<leadmodel.storage.Repository.ids>`: no document read), then reads those leads by id,
``page_size`` at a time (a clock needs the timeline). Stale cards need no lead: their status,
idle time and owner are indexed (:meth:`Repository.indexed
<leadmodel.storage.Repository.indexed>`). Its cost follows the replies late and still owed, and
the cards gone stale since the last sweep — not the open leads.

What it remembers, in the unit's state store: per late reply, ``sweep:<name>:sla:<lead id>``
(the policy, kind and start of the reply, the escalation steps taken), removed once the reply
is given or the lead closes; per pipeline, ``sweep:<name>:stale:<pipeline>`` (the horizon each
status has reached). A reply or a stay already announced is not announced again. A move or an
activity logged with a time before the last sweep's horizon (a backdated import) starts a stay
the sweep does not announce: :func:`~leadmodel.stale` lists every stale card.

How it commits: one unit of work per ``page_size`` leads, each storing its events, its marks
and the leads it changed together, so a sweep stopped half-way keeps the chunks it finished,
and the next run goes on from there without announcing anything twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar, cast

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.frozen_json import thaw
from leadmodel.domain.events import (
    CardStale,
    DomainEvent,
    EntityUpdated,
    Escalated,
    LeadAssigned,
    LeadReassigned,
    SlaBreached,
)
from leadmodel.domain.model import Lead, edit
from leadmodel.domain.pipeline import Pipeline, StatusKind, StatusSpec
from leadmodel.domain.registry import Registry
from leadmodel.domain.routing import (
    EscalationAction,
    Router,
    RoutingRule,
    SlaClock,
    SlaKind,
    SlaPolicy,
    SlaState,
    StaleCard,
    sla_clock,
)
from leadmodel.errors import NotFoundError, Problem, ValidationError
from leadmodel.services._clock import Clock, now, utc_now
from leadmodel.services._resolve import pipeline_of
from leadmodel.services._routing import _decide, _give, _named, _without
from leadmodel.storage.protocols import (
    DEFAULT_PAGE_SIZE,
    MAX_STATE_NAME,
    Indexed,
    StoredState,
    UnitOfWork,
)

__all__ = ["URGENT", "Sweep", "sweep"]

URGENT: Final = "urgent"
"""The tag a ``raise_priority`` escalation step puts on a lead."""

_T = TypeVar("_T")
_MAX_NAME: Final = 40
_NAME_HINT = (
    f"the sweep's name: a key of at most {_MAX_NAME} characters without ':', such as 'support'"
)


@attrs.frozen(kw_only=True)
class Sweep:
    """What one :func:`sweep` did at ``at``: the events it emitted, by kind, in the order it
    emitted them — replies found late (``breached``), escalation steps taken (``escalated``),
    leads given another owner by a ``reassign`` step (``reassigned``; ``assigned`` for a lead
    that had none), leads tagged :data:`URGENT` by a ``raise_priority`` step (``updated``),
    cards found stale (``stale``) — and how many leads it ``read`` (the candidates the
    indexes gave).

    >>> from datetime import datetime, timezone
    >>> done = Sweep(at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
    >>> done.events, done.read
    ((), 0)
    """

    at: datetime
    breached: tuple[SlaBreached, ...] = ()
    escalated: tuple[Escalated, ...] = ()
    reassigned: tuple[LeadReassigned, ...] = ()
    assigned: tuple[LeadAssigned, ...] = ()
    updated: tuple[EntityUpdated, ...] = ()
    stale: tuple[CardStale, ...] = ()
    read: int = 0

    @property
    def events(self) -> tuple[DomainEvent, ...]:
        """Every event the sweep emitted, by kind: breaches, escalations, (re)assignments,
        updates, stale cards."""
        return (
            *self.breached,
            *self.escalated,
            *self.reassigned,
            *self.assigned,
            *self.updated,
            *self.stale,
        )


@attrs.define
class _Found:
    """What a sweep has done so far (mutable while it runs)."""

    breached: list[SlaBreached] = attrs.Factory(list)
    escalated: list[Escalated] = attrs.Factory(list)
    reassigned: list[LeadReassigned] = attrs.Factory(list)
    assigned: list[LeadAssigned] = attrs.Factory(list)
    updated: list[EntityUpdated] = attrs.Factory(list)
    stale: list[CardStale] = attrs.Factory(list)
    read: int = 0

    def result(self, at: datetime) -> Sweep:
        return Sweep(
            at=at,
            breached=tuple(self.breached),
            escalated=tuple(self.escalated),
            reassigned=tuple(self.reassigned),
            assigned=tuple(self.assigned),
            updated=tuple(self.updated),
            stale=tuple(self.stale),
            read=self.read,
        )


@attrs.frozen
class _Run:
    """The arguments of one sweep, checked."""

    policies: tuple[SlaPolicy, ...]
    pipelines: tuple[Pipeline, ...]
    router: Router | None
    name: str
    at: datetime
    by: str | None
    page_size: int

    def mark(self, what: str, lead_id: str) -> str:
        """The state name of ``what`` (``sla``, ``stale``) announced for ``lead_id``: the id
        itself, or its SHA-256 when the name would pass :data:`MAX_STATE_NAME`."""
        prefix = self.prefix(what)
        if len(prefix) + len(lead_id) > MAX_STATE_NAME:
            digest = hashlib.sha256(lead_id.encode("utf-8", "surrogatepass")).hexdigest()
            return f"{prefix}#{digest}"
        return prefix + lead_id

    def prefix(self, what: str) -> str:
        return f"sweep:{self.name}:{what}:"


def sweep(
    uow: UnitOfWork,
    policies: Iterable[SlaPolicy] = (),
    *,
    pipelines: Iterable[Pipeline | str] = (),
    registry: Registry | None = None,
    router: Router | None = None,
    name: str = "default",
    by: str | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> Sweep:
    """Find the replies late under ``policies`` and the stale cards of ``pipelines`` at ``at``
    (default: now, from ``clock``), act on them and emit each event once, however often the
    sweep runs.

    * **Late replies.** For each open lead, the reply it is owed now under the first policy
      that applies (:func:`~leadmodel.sla_clocks`). The first sweep that finds it late emits
      ``SlaBreached``; each escalation step due by then is taken once, in order, with an
      ``Escalated`` event: ``notify`` only announces (the host tells ``to``, or the owner);
      ``raise_priority`` tags the lead :data:`URGENT`; ``reassign`` gives the lead to the next
      eligible member of team ``to`` (none: the team of the current owner) by ``router``,
      the current owner excluded, with ``LeadReassigned`` — without a router, or when nobody
      is eligible, the event is all, for the host to act on. A reply given late before any
      sweep saw it is not announced (:func:`~leadmodel.sla_clocks` reports it), and a reply
      logged ahead of time (a scheduled call) holds the sweep off as if given
      (:func:`~leadmodel.reply_owed_since`).
    * **Stale cards.** :func:`~leadmodel.stale` in each of ``pipelines`` (objects, or keys in
      ``registry``): ``CardStale`` once per stay, when it goes stale (a move or an activity
      starts a new stay).

    ``name`` keeps separate sweeps apart (their marks, see the module docstring). Runs one
    unit of work per page of ``page_size`` leads. Raises
    :class:`~leadmodel.errors.ValidationError` for bad arguments, and
    :class:`~leadmodel.errors.ConcurrencyError` when another sweep of the same name (or a
    service) changed what a page read: the pages before it stay committed; run it again.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> dm = lm.services.capture_interest(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Office chairs", person_name="Olena Koval",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], at=at, ids=ids)
    >>> lead = lm.services.promote(uow, dm.id, at=at, ids=ids, owner="anna")
    >>> policy = lm.SlaPolicy(key="standard", first_response=timedelta(hours=1),
    ...     escalation=[lm.EscalationStep(after=timedelta(0), action="notify", to="head"),
    ...                 lm.EscalationStep(after=timedelta(hours=1), action="raise_priority")])
    >>> done = lm.services.sweep(uow, [policy], at=at + timedelta(minutes=90))
    >>> [event.type for event in done.events]
    ['SlaBreached', 'Escalated']
    >>> lm.services.sweep(uow, [policy], at=at + timedelta(minutes=95)).events  # nothing new
    ()
    >>> later = lm.services.sweep(uow, [policy], at=at + timedelta(hours=3))
    >>> [(event.type, event.action.value) for event in later.escalated]
    [('Escalated', 'raise_priority')]
    >>> with uow:
    ...     sorted(uow.leads.get(lead.id).tags)
    ['urgent']
    """
    run = _checked(
        policies,
        pipelines,
        registry=registry,
        router=router,
        name=name,
        by=by,
        page_size=page_size,
        at=now(clock, at),
    )
    sweeper = _Sweeper(uow, run)
    if run.policies:
        sweeper.replies()
    for pipeline in run.pipelines:
        sweeper.cards(pipeline)
    return sweeper.found.result(run.at)


def _checked(
    policies: Iterable[SlaPolicy],
    pipelines: Iterable[Pipeline | str],
    *,
    registry: Registry | None,
    router: Router | None,
    name: str,
    by: str | None,
    page_size: int,
    at: datetime,
) -> _Run:
    p: c.Problems = []
    chosen = c.as_tuple(policies)
    c.tuple_of(p, "policies", chosen, SlaPolicy)
    given = c.as_tuple(pipelines)
    c.opt_instance(p, "router", router, Router)
    if type(name) is not str or not name or ":" in name or len(name) > _MAX_NAME:
        p.append(Problem("name", _NAME_HINT, name))
    c.opt_text(p, "by", by, "who runs the sweep")
    if type(page_size) is not int or page_size < 1:
        p.append(Problem("page_size", "leads per unit of work: 1 or more", page_size))
    if p:
        c.fail("sweep", p)
    resolved = tuple(pipeline_of(pipeline, registry) for pipeline in given)
    return _Run(chosen, resolved, router, name, c.fixed_offset(at), by, page_size)


class _Sweeper:
    """One sweep while it runs: the store, the checked arguments and what it has done."""

    def __init__(self, uow: UnitOfWork, run: _Run) -> None:
        self.uow = uow
        self.run = run
        self.found = _Found()
        self.marked: set[str] = set()  # the names of the late-reply marks when the sweep began

    def _pages(self, handle: Callable[[list[Lead]], None], **filters: Any) -> None:
        """Call ``handle`` with the leads passing ``filters``, ``page_size`` at a time, each
        chunk in a unit of work of its own that commits what ``handle`` did (events, marks,
        leads). The ids are listed first from the indexed columns (one query, no document
        read), then the leads read by id: a range filter is never re-read page after page."""
        with self.uow:
            ids = self.uow.leads.ids(**filters)
        for chunk in _chunks(ids, self.run.page_size):
            with self.uow:
                handle(self._read(chunk))
                self.uow.commit()

    def _read(self, ids: list[str]) -> list[Lead]:
        """The leads of ``ids`` still stored and readable (one removed or unreadable since it
        was listed is left to the next sweep: ``get`` names an unreadable row)."""
        found = []
        for lead_id in ids:
            try:
                found.append(self.uow.leads.get(lead_id))
            except (NotFoundError, ValidationError):
                continue
        self.found.read += len(found)
        return found

    def _prune(self, prefix: str, seen: set[str]) -> None:
        """Remove the marks under ``prefix`` of the leads this sweep found no longer late or
        stale (a reply given, a card moved): they are never needed again."""
        with self.uow:
            gone = [name for name in self.uow.states.names(prefix) if name not in seen]
            for name in gone:
                self.uow.states.remove(name)
            self.uow.commit()

    # -- late replies ---------------------------------------------------------------------

    def replies(self) -> None:
        """Every late reply still owed, announced and escalated once."""
        run = self.run
        shortest = min(
            target
            for policy in run.policies
            for target in (policy.first_response, policy.rolling_response)
            if target is not None
        )
        seen: set[str] = set()
        with self.uow:  # one listing instead of a read per late reply (none, the first time)
            self.marked = set(self.uow.states.names(run.prefix("sla")))

        def handle(leads: list[Lead]) -> None:
            for lead in leads:
                # the reply owed now: the last clock under the first policy that applies (as
                # sla_clocks(lead, run.policies)[-1], without the clocks of earlier replies)
                policy = next((p for p in run.policies if p.applies_to(lead)), None)
                late = None if policy is None else sla_clock(lead, policy, at=run.at)
                if (
                    late is None
                    or late.state is not SlaState.breached
                    or late.answered_at is not None
                    or late.closed_at is not None
                ):
                    continue
                seen.add(run.mark("sla", lead.id))
                self._late(lead, late)

        self._pages(handle, owed_to=run.at - shortest)
        self._prune(run.prefix("sla"), seen)

    def _late(self, lead: Lead, late: SlaClock) -> None:
        """Announce what is new about the late reply ``late`` of ``lead``, take its new
        escalation steps, and remember both."""
        uow, run = self.uow, self.run
        name = run.mark("sla", lead.id)
        # a mark put since the listing (by a sweep of the same name running alongside) makes
        # the put below a ConcurrencyError: this page is undone, nothing announced twice
        stored = uow.states.get(name) if name in self.marked else None
        reply: dict[str, Any] = {
            "lead_id": lead.id,
            "policy": late.policy,
            "kind": late.kind.value,
            "started_at": late.started_at.isoformat(),
        }
        taken = 0
        if stored is not None and {key: stored.doc.get(key) for key in reply} == reply:
            taken = _steps_taken(stored.doc)
            if taken >= len(late.escalations):
                return  # nothing new since the last sweep
        else:
            breach = SlaBreached.of(lead, late, at=run.at, by=run.by)
            uow.emit(breach)
            self.found.breached.append(breach)
        current = lead
        for step in range(taken, len(late.escalations)):
            event = Escalated.of(current, late, step, at=run.at, by=run.by)
            uow.emit(event)
            self.found.escalated.append(event)
            current = self._act(current, late, step)
        doc = {**reply, "steps": len(late.escalations)}
        uow.states.put(name, doc, expected_version=None if stored is None else stored.version)

    def _act(self, lead: Lead, late: SlaClock, step: int) -> Lead:
        """Take escalation step ``step`` of ``late`` on ``lead``; the lead as now stored."""
        action = late.escalations[step].action
        if action is EscalationAction.raise_priority and URGENT not in lead.tags:
            saved = self.uow.leads.save(edit(lead, tags=lead.tags | {URGENT}))
            updated = EntityUpdated.of(saved, ["tags"], at=self.run.at, by=self.run.by)
            self.uow.emit(updated)
            self.found.updated.append(updated)
            return saved
        if action is EscalationAction.reassign and self.run.router is not None:
            return self._reassign(lead, late, step, self.run.router)
        return lead  # notify: the event is the notice

    def _reassign(self, lead: Lead, late: SlaClock, step: int, router: Router) -> Lead:
        """Give ``lead`` to the next eligible member of the step's team (none: the current
        owner's), the owner excluded; ``lead`` unchanged when nobody is eligible."""
        uow, run, owner = self.uow, self.run, lead.owner
        team = late.escalations[step].to or _team_of(router, owner)
        if team is None or team not in {t.key for t in router.teams}:
            return lead
        narrowed = attrs.evolve(router, rules=[RoutingRule(key=f"sla:{late.policy}", team=team)])
        if owner is not None:
            narrowed = _without(narrowed, owner)
        decision, read = _decide(uow, lead, narrowed, at=run.at, loads=None)
        if decision.owner is None:
            return lead
        saved = _give(uow, lead, router, decision, read)
        if owner is None:
            assigned = LeadAssigned.of(saved, decision, at=run.at, by=run.by)
            uow.emit(assigned)
            self.found.assigned.append(assigned)
            return saved
        reason = f"SLA {late.policy}: {_kind_words(late.kind)} {_hours(late.overdue)} overdue"
        event = LeadReassigned.of(
            saved, _named(decision, owner), from_owner=owner, at=run.at, reason=reason, by=run.by
        )
        uow.emit(event)
        self.found.reassigned.append(event)
        return saved

    # -- stale cards ----------------------------------------------------------------------

    def cards(self, pipeline: Pipeline) -> None:
        """The cards of ``pipeline`` gone stale since the last sweep, announced once each."""
        for status in pipeline.statuses:
            if status.kind is StatusKind.open and status.rot_after is not None:
                self._window(pipeline, status, self.run.at - status.rot_after)

    def _window(self, pipeline: Pipeline, status: StatusSpec, horizon: datetime) -> None:
        """Announce the cards of ``status`` idle since before ``horizon`` and not before the
        horizon of the last sweep: those that went stale since (all of them, the first time).
        The cards are listed once from the index (status, idle time and owner are indexed: no
        lead is read), then announced ``page_size`` a unit. A window stopped half-way (its
        progress is written with each chunk's events) is finished before the next begins."""
        uow, run = self.uow, self.run
        name = f"{run.prefix('stale')}{pipeline.key}"
        rot_after = cast(timedelta, status.rot_after)  # only statuses with one are swept
        while True:
            with uow:
                done = _Watermark.read(uow.states.get(name), status.key)
                if done.pending_to is None and done.horizon and done.horizon >= horizon:
                    return  # nothing can have gone stale since the last sweep
                end = done.pending_to or horizon
                rows = uow.leads.indexed(
                    after=done.pending_after,
                    pipeline=pipeline.key,
                    status=status.key,
                    idle_from=done.horizon,
                    idle_to=end,
                )
            chunks = _chunks(rows, run.page_size)
            for n, chunk in enumerate(chunks, start=1):
                with uow:
                    stored = uow.states.get(name)
                    for row in chunk:
                        since = row.idle_since
                        if since is None or not done.within(since, end):
                            continue  # pragma: no cover - the index range holds neither
                        card = StaleCard.of(row.id, status.key, since, rot_after, at=run.at)
                        if card is not None:
                            self._announce(row, pipeline, card)
                    after = chunk[-1].id if n < len(chunks) else None
                    doc = _Watermark.write(stored, status.key, end, after)
                    read = None if stored is None else stored.version
                    uow.states.put(name, doc, expected_version=read)
                    uow.commit()
            if end >= horizon:
                return

    def _announce(self, row: Indexed, pipeline: Pipeline, card: StaleCard) -> None:
        event = CardStale(
            lead_id=card.lead_id,
            pipeline=pipeline.key,
            status=card.status,
            since=card.since,
            idle=card.idle,
            rot_after=card.rot_after,
            at=self.run.at,
            owner=row.owner,
            by=self.run.by,
        )
        self.uow.emit(event)
        self.found.stale.append(event)


@attrs.frozen
class _Watermark:
    """How far the stale-card sweep of one status has gone: the ``horizon`` reached (cards
    idle since before it were announced), and a window begun but not finished: its end
    (``pending_to``) and the page to go on from (``pending_after``).

    Stored per pipeline under ``sweep:<name>:stale:<pipeline>`` as ``{"horizons": {status:
    instant}, "pending": {status: {"to": instant, "after": id}}}``."""

    horizon: datetime | None = None
    pending_to: datetime | None = None
    pending_after: str | None = None

    def within(self, since: datetime, end: datetime) -> bool:
        """Whether a card idle since ``since`` is in the window from ``horizon`` to ``end``."""
        return since < end and (self.horizon is None or since >= self.horizon)

    @classmethod
    def read(cls, stored: StoredState | None, status: str) -> _Watermark:
        if stored is None:
            return cls()
        doc = cast(dict[str, Any], thaw(stored.doc))  # a stored state is a JSON object
        horizon = doc.get("horizons", {}).get(status)
        pending = doc.get("pending", {}).get(status) or {}
        return cls(
            horizon=None if horizon is None else datetime.fromisoformat(horizon),
            pending_to=datetime.fromisoformat(pending["to"]) if pending else None,
            pending_after=pending.get("after"),
        )

    @staticmethod
    def write(
        stored: StoredState | None, status: str, end: datetime, after: str | None
    ) -> dict[str, Any]:
        """The document after a page of the window of ``status`` that ends at ``end``: the
        window still pending (from ``after``), or, done, its end the status's horizon."""
        doc: dict[str, Any] = {"horizons": {}, "pending": {}}
        if stored is not None:
            doc.update(cast(dict[str, Any], thaw(stored.doc)))  # a JSON object
        if after is None:
            doc["horizons"][status] = end.isoformat()
            doc["pending"].pop(status, None)
        else:
            doc["pending"][status] = {"to": end.isoformat(), "after": after}
        return doc


def _chunks(items: list[_T], size: int) -> list[list[_T]]:
    """``items`` in chunks of ``size`` (one empty chunk for none: a window still ends)."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def _steps_taken(doc: Mapping[str, Any]) -> int:
    """How many escalation steps a mark says were taken (0 for a mark that says nothing)."""
    steps = doc.get("steps")
    return steps if type(steps) is int and steps >= 0 else 0


def _team_of(router: Router, owner: str | None) -> str | None:
    """The first team of ``router`` that has ``owner`` as a member."""
    if owner is None:
        return None
    return next((t.key for t in router.teams if any(m.key == owner for m in t.members)), None)


def _kind_words(kind: SlaKind) -> str:
    return kind.value.replace("_", " ")


def _hours(length: timedelta) -> str:
    minutes = int(length.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"
