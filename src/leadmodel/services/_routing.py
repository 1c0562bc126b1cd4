"""Routing as services: give a stored lead an owner (:func:`assign`) or another one
(:func:`reassign`), by a :class:`~leadmodel.Router`, keeping the router's state in the store.

The state (a :class:`~leadmodel.RoutingState`: round-robin cursors, recent assignments) is
kept in the unit's state store under ``routing:<router.key>``, written with the version read
in the same transaction as the lead and the event: two units that routed from the same state
cannot both commit (the second raises :class:`~leadmodel.errors.ConcurrencyError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

from leadmodel.domain.events import LeadAssigned, LeadReassigned
from leadmodel.domain.model import Lead, edit
from leadmodel.domain.routing import Assignment, Router, RoutingState, route
from leadmodel.errors import RuleViolation
from leadmodel.services._clock import Clock, now, utc_now
from leadmodel.services._versions import load_expected
from leadmodel.storage.protocols import UnitOfWork

_CURRENT = "the current owner"


def _state_name(router: Router) -> str:
    """Where the state of ``router`` is stored: ``routing:<key>``."""
    return f"routing:{router.key}"


def _decide(
    uow: UnitOfWork,
    lead: Lead,
    router: Router,
    *,
    at: datetime,
    loads: Mapping[str, int] | None,
) -> tuple[Assignment, int | None]:
    """The decision for ``lead`` and the version of the state it started from."""
    stored = uow.states.get(_state_name(router))
    state = RoutingState() if stored is None else stored.load(RoutingState)
    return route(lead, router, state, at=at, loads=loads), (
        None if stored is None else stored.version
    )


def _give(
    uow: UnitOfWork,
    lead: Lead,
    router: Router,
    decision: Assignment,
    read: int | None,
) -> Lead:
    """Store ``lead`` with the chosen owner and the router's next state (at the version read)."""
    saved = uow.leads.save(edit(lead, owner=decision.owner))
    uow.states.put(_state_name(router), decision.state.to_dict(), expected_version=read)
    return saved


def _without(router: Router, owner: str) -> Router:
    """``router`` with the member ``owner`` inactive in every team (for one decision)."""
    teams = [
        attrs.evolve(
            team,
            members=[attrs.evolve(m, active=False) if m.key == owner else m for m in team.members],
        )
        for team in router.teams
    ]
    return attrs.evolve(router, teams=teams)


def _named(decision: Assignment, owner: str) -> Assignment:
    """``decision`` with the skips of ``owner`` saying they are the current owner."""
    skipped = tuple(
        attrs.evolve(skip, detail=_CURRENT) if skip.member == owner else skip
        for skip in decision.skipped
    )
    return attrs.evolve(decision, skipped=skipped)


def assign(
    uow: UnitOfWork,
    lead_id: str,
    router: Router,
    *,
    loads: Mapping[str, int] | None = None,
    by: str | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
    expected_version: int | None = None,
) -> Assignment:
    """Give a stored lead without an owner an owner chosen by ``router``
    (:func:`leadmodel.route`), and keep the router's state in the store.

    Reads the router's state (``routing:<router.key>``; none stored: a new
    :class:`~leadmodel.RoutingState`), decides at ``at`` (default: now, from ``clock``) with
    ``loads`` (member → open leads, for ``least_loaded``), and when someone is chosen, stores
    the lead with its owner, the next state and ``LeadAssigned`` (keys and the reason, no
    personal data) together. A queued lead (nobody eligible) stores nothing and emits nothing:
    the decision says why. Returns the decision. Raises
    :class:`~leadmodel.errors.RuleViolation` for a lead that has an owner (use
    :func:`reassign`) or is erased, :class:`~leadmodel.errors.NotFoundError` for an unknown
    id (404) and :class:`~leadmodel.errors.ConcurrencyError` when ``expected_version`` is not
    the lead's stored version or another unit stored the router's state since it was read
    (409: route again).

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> router = lm.Router(teams=[lm.Team(key="kyiv", members=[lm.Member(key="anna"),
    ...     lm.Member(key="olha")])], rules=[lm.RoutingRule(key="all", team="kyiv")])
    >>> dm = lm.services.capture_interest(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Office chairs", person_name="Olena Koval",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], at=at, ids=ids)
    >>> lead = lm.services.promote(uow, dm.id, at=at, ids=ids)
    >>> done = lm.services.assign(uow, lead.id, router, at=at, by="crm-bot")
    >>> done.owner, done.rule
    ('anna', 'all')
    >>> with uow:
    ...     uow.leads.get(lead.id).owner, uow.outbox.pending()[-1].event.type
    ('anna', 'LeadAssigned')
    >>> lm.services.assign(uow, lead.id, router, at=at)
    Traceback (most recent call last):
    ...
    leadmodel.errors.RuleViolation: lead 'id-2' already has an owner (anna): reassign it ...
    """
    when = now(clock, at)
    with uow:
        lead = load_expected(uow.leads, lead_id, expected_version)
        if lead.owner is not None:
            raise RuleViolation(
                f"lead {lead.id!r} already has an owner ({lead.owner}): reassign it with "
                "services.reassign"
            )
        decision, read = _decide(uow, lead, router, at=when, loads=loads)
        if decision.owner is None:
            return decision
        saved = _give(uow, lead, router, decision, read)
        uow.emit(LeadAssigned.of(saved, decision, at=when, by=by))
        uow.commit()
    return decision


def reassign(
    uow: UnitOfWork,
    lead_id: str,
    router: Router,
    *,
    reason: str | None = None,
    exclude_current: bool = True,
    loads: Mapping[str, int] | None = None,
    by: str | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
    expected_version: int | None = None,
) -> Assignment:
    """Give a stored lead that has an owner another owner chosen by ``router``, as
    :func:`assign` gives one.

    With ``exclude_current`` (the default) the current owner is not eligible for this
    decision (their skip says ``the current owner``); without it, a decision that keeps the
    current owner stores nothing and emits nothing. A queued decision stores nothing either.
    Emits ``LeadReassigned`` (``from_owner``, ``to_owner``, the caller's ``reason``). Raises
    :class:`~leadmodel.errors.RuleViolation` for a lead without an owner (use :func:`assign`),
    and the errors :func:`assign` raises.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> router = lm.Router(teams=[lm.Team(key="kyiv", members=[lm.Member(key="anna"),
    ...     lm.Member(key="olha")])], rules=[lm.RoutingRule(key="all", team="kyiv")])
    >>> dm = lm.services.capture_interest(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Office chairs", person_name="Olena Koval",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], at=at, ids=ids)
    >>> lead = lm.services.promote(uow, dm.id, at=at, ids=ids, owner="anna")
    >>> done = lm.services.reassign(uow, lead.id, router, reason="on leave", at=at)
    >>> done.owner, [skip.describe() for skip in done.skipped]
    ('olha', ['anna (kyiv): inactive, the current owner'])
    >>> with uow:
    ...     event = uow.outbox.pending()[-1].event
    >>> event.type, event.from_owner, event.to_owner, event.reason
    ('LeadReassigned', 'anna', 'olha', 'on leave')
    """
    when = now(clock, at)
    with uow:
        lead = load_expected(uow.leads, lead_id, expected_version)
        current = lead.owner
        if current is None:
            raise RuleViolation(
                f"lead {lead.id!r} has no owner to replace: give it one with services.assign"
            )
        if exclude_current:
            decision, read = _decide(uow, lead, _without(router, current), at=when, loads=loads)
            decision = _named(decision, current)
        else:
            decision, read = _decide(uow, lead, router, at=when, loads=loads)
        if decision.owner is None or decision.owner == current:
            return decision
        saved = _give(uow, lead, router, decision, read)
        uow.emit(
            LeadReassigned.of(saved, decision, from_owner=current, at=when, reason=reason, by=by)
        )
        uow.commit()
    return decision
