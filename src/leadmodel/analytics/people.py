"""The people reports: how each manager performs, and how fast leads are answered (DOMAIN §6,
seed 002), in calendar time and in business hours.

Business time is a :class:`~leadmodel.WorkCalendar`'s: one for the whole team, or one per
owner (a mapping; owners missing from it, and leads without an owner, count in ``default``).
Without a calendar the business-time columns are empty.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

import attrs

from leadmodel._kernel import checks as c
from leadmodel.analytics._groups import NONE, money_mean, money_sum, quantile, share
from leadmodel.analytics._table import Table, money_field
from leadmodel.analytics.facts import LeadFact, LeadFacts, Outcome, facts_of
from leadmodel.domain.ladder import first_response
from leadmodel.domain.model import Lead
from leadmodel.domain.pipeline import Pipeline
from leadmodel.domain.values import Money
from leadmodel.domain.worktime import WorkCalendar
from leadmodel.errors import Problem

__all__ = [
    "OwnerPerformance",
    "OwnerRow",
    "SpeedRow",
    "SpeedToLead",
    "owner_performance",
    "speed_to_lead",
]

Calendars = WorkCalendar | Mapping[str, WorkCalendar] | None
SpeedBy = Literal["hour", "weekday", "channel", "owner"]
Zone = Literal["team", "lead"]

_WEEKDAYS: Final = ("1 Mon", "2 Tue", "3 Wed", "4 Thu", "5 Fri", "6 Sat", "7 Sun")
_DEFAULT_WITHIN: Final = (timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))


@attrs.frozen(kw_only=True, slots=True)
class OwnerRow:
    """One manager's cards (``owner``; ``(none)`` for cards without one): how many
    (``processed``) and how they ended, the won deals' total and average per currency, the
    win rate (won / closed), and medians and 90th percentiles of the time to the first
    response and to the close (closed cards), in calendar time and in business time."""

    owner: str
    processed: int
    won: int
    lost: int
    open: int
    win_rate: float | None
    amount: tuple[Money, ...] = money_field()
    average_deal: tuple[Money, ...] = money_field()
    unanswered: int = 0
    first_response_median: timedelta | None = None
    first_response_p90: timedelta | None = None
    first_response_business_median: timedelta | None = None
    first_response_business_p90: timedelta | None = None
    close_median: timedelta | None = None
    close_p90: timedelta | None = None
    close_business_median: timedelta | None = None
    close_business_p90: timedelta | None = None


@attrs.frozen(kw_only=True)
class OwnerPerformance(Table[OwnerRow]):
    """:func:`owner_performance`: a row per owner, by owner."""

    kind = "owners"
    pipeline: str


@attrs.frozen(kw_only=True, slots=True)
class SpeedRow:
    """The first responses of one group of leads (all leads when not grouped): how many leads,
    how many answered, medians and 90th percentiles in calendar and business time, and the
    share answered within each limit of the table's ``within`` (``answered_within``, in that
    order; of all the group's leads, unanswered ones included; waits in business time when
    every answered lead has a calendar, else in calendar time)."""

    group: str | None
    leads: int
    answered: int
    median: timedelta | None
    p90: timedelta | None
    median_business: timedelta | None
    p90_business: timedelta | None
    answered_within: tuple[float | None, ...]


@attrs.frozen(kw_only=True)
class SpeedToLead(Table[SpeedRow]):
    """:func:`speed_to_lead`: a row per group; ``within`` are the limits of
    ``SpeedRow.answered_within``, in order."""

    kind = "speed"
    within: tuple[timedelta, ...]
    by: SpeedBy | None = None
    zone: Zone = "team"

    def records(self) -> list[dict[str, object]]:
        """Flat rows: ``answered_within`` becomes a column per limit (``within_5m``...)."""
        out = []
        for record in super().records():
            shares = record.pop("answered_within")
            for limit, value in zip(self.within, shares, strict=True):
                record[f"within_{_short(limit)}"] = value
            out.append(record)
        return out


def _short(length: timedelta) -> str:
    minutes = int(length.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def _check_calendars(p: c.Problems, calendar: object, default: object) -> None:
    if isinstance(calendar, Mapping):
        bad = {k: v for k, v in calendar.items() if not isinstance(v, WorkCalendar)}
        if bad or not all(isinstance(k, str) for k in calendar):
            p.append(Problem("calendar", "owner -> WorkCalendar", bad or calendar))
    elif calendar is not None and not isinstance(calendar, WorkCalendar):
        p.append(Problem("calendar", "a WorkCalendar, owner -> WorkCalendar, or None", calendar))
    c.opt_instance(p, "default", default, WorkCalendar)


def _calendar_of(
    owner: str | None, calendar: Calendars, default: WorkCalendar | None
) -> WorkCalendar | None:
    if isinstance(calendar, Mapping):
        return calendar.get(owner or "", default) if owner is not None else default
    return calendar if calendar is not None else default


def owner_performance(
    leads: Iterable[Lead] | LeadFacts,
    pipeline: Pipeline,
    *,
    calendar: Calendars = None,
    default: WorkCalendar | None = None,
) -> OwnerPerformance:
    """Per manager, the cards of ``pipeline`` among ``leads``: processed, won, lost, open, the
    won deals' total and average per currency, the win rate (won of closed), and medians and
    90th percentiles of the time to the first response and of the time to close — calendar
    time, and business time in ``calendar`` (one for the team, or owner → calendar; owners
    missing from the mapping use ``default``).

    The time to close is over closed cards; open cards are left out, which shortens it while
    many cards are open — :func:`~leadmodel.analytics.time_to_close` counts them as censored.

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> monday = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> simple = lm.pipelines.SIMPLE
    >>> def card(n, owner, end=None, value="1000"):
    ...     lead = simple.enter(lm.Lead(id=lm.LeadId(f"L-{n}"), person_name="P", topic="Chairs",
    ...         contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")], owner=owner,
    ...         source=lm.Source(channel=lm.Channel.form), created_at=monday,
    ...         expected_value=lm.Money.of(value, "UAH")), at=monday)
    ...     lead = lm.respond(lead, at=monday + timedelta(minutes=10 * n), by=owner)
    ...     if end:
    ...         lead = simple.move(lead, end, at=monday + timedelta(days=n),
    ...             reason="declined" if end == "lost" else None)
    ...     return lead
    >>> leads = [card(1, "anna", "won", "1500"), card(2, "anna", "lost"), card(3, "anna"),
    ...          card(4, "ivan", "won", "900")]
    >>> report = lm.analytics.owner_performance(leads, simple)
    >>> [(r.owner, r.processed, r.won, r.lost, r.open, r.win_rate) for r in report]
    [('anna', 3, 1, 1, 1, 0.5), ('ivan', 1, 1, 0, 0, 1.0)]
    >>> report[0].amount, report[0].first_response_median
    ((Money(amount=Decimal('1500'), currency='UAH'),), datetime.timedelta(seconds=1200))
    """
    facts = facts_of("owner_performance", leads, pipeline)
    p: c.Problems = []
    _check_calendars(p, calendar, default)
    if p:
        c.fail("owner_performance", p)
    by_owner: dict[str, list[LeadFact]] = defaultdict(list)
    for fact in facts:
        by_owner[fact.owner or NONE].append(fact)
    rows = []
    for owner in sorted(by_owner):
        mine = by_owner[owner]
        cal = _calendar_of(None if owner == NONE else owner, calendar, default)
        won = [f for f in mine if f.outcome is Outcome.won]
        lost = sum(1 for f in mine if f.outcome is Outcome.lost)
        answered = [(f.created_at, f.first_response_at) for f in mine if f.first_response_at]
        closed = [(f.created_at, f.closed_at) for f in mine if f.closed_at is not None]
        responses, responses_business = _durations(answered, cal)
        closes, closes_business = _durations(closed, cal)
        rows.append(
            OwnerRow(
                owner=owner,
                processed=len(mine),
                won=len(won),
                lost=lost,
                open=len(mine) - len(won) - lost,
                win_rate=share(len(won), len(won) + lost),
                amount=money_sum(f.value for f in won),
                average_deal=money_mean(f.value for f in won),
                unanswered=len(mine) - len(answered),
                first_response_median=quantile(responses, 0.5),
                first_response_p90=quantile(responses, 0.9),
                first_response_business_median=quantile(responses_business, 0.5),
                first_response_business_p90=quantile(responses_business, 0.9),
                close_median=quantile(closes, 0.5),
                close_p90=quantile(closes, 0.9),
                close_business_median=quantile(closes_business, 0.5),
                close_business_p90=quantile(closes_business, 0.9),
            )
        )
    return OwnerPerformance(
        rows=tuple(rows), title=f"Owners in {pipeline.key}", pipeline=pipeline.key
    )


def _durations(
    spans: Sequence[tuple[datetime, datetime | None]], calendar: WorkCalendar | None
) -> tuple[list[timedelta], list[timedelta]]:
    """The calendar and business lengths of ``spans`` (business: none without a calendar)."""
    ended = [(start, end) for start, end in spans if end is not None]
    calendar_time = [end - start for start, end in ended]
    if calendar is None:
        return calendar_time, []
    return calendar_time, [calendar.between(start, end) for start, end in ended]


def speed_to_lead(
    leads: Iterable[Lead],
    *,
    calendar: Calendars = None,
    default: WorkCalendar | None = None,
    within: Iterable[timedelta] = _DEFAULT_WITHIN,
    by: SpeedBy | None = None,
    zone: Zone = "team",
) -> SpeedToLead:
    """How fast leads got their first response (:func:`~leadmodel.first_response`): per group,
    medians and 90th percentiles in calendar time and in business time (``calendar``: the
    team's, or owner → calendar with ``default`` for the rest), and the share of leads
    answered within each of ``within`` (of all leads, unanswered ones included).

    ``by`` groups the leads: ``"hour"`` or ``"weekday"`` of arrival, in ``zone``'s time —
    ``"team"`` (the lead's calendar's time zone; UTC without one) or ``"lead"`` (the lead's
    ``time_zone``, else the team's) — or by ``"channel"`` or ``"owner"``. Business time counts
    from the first working minute: a lead that arrives on Saturday and is answered at 09:05 on
    Monday waited five business minutes.

    >>> from datetime import datetime, timedelta
    >>> from zoneinfo import ZoneInfo
    >>> import leadmodel as lm
    >>> kyiv = ZoneInfo("Europe/Kyiv")
    >>> team = lm.WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")
    >>> def lead(n, at, answered):
    ...     made = lm.Lead(id=lm.LeadId(f"L-{n}"), person_name="P", topic="Chairs",
    ...         contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")],
    ...         source=lm.Source(channel=lm.Channel.form), created_at=at)
    ...     return lm.respond(made, at=answered, by="anna") if answered else made
    >>> saturday = datetime(2026, 3, 7, 12, 0, tzinfo=kyiv)
    >>> monday = datetime(2026, 3, 9, 9, 5, tzinfo=kyiv)
    >>> leads = [lead(1, saturday, monday), lead(2, monday, monday + timedelta(minutes=2)),
    ...          lead(3, monday, None)]
    >>> [row] = lm.analytics.speed_to_lead(leads, calendar=team,
    ...     within=[timedelta(minutes=3), timedelta(hours=1)])
    >>> row.leads, row.answered, row.median_business, [round(s, 2) for s in row.answered_within]
    (3, 2, datetime.timedelta(seconds=210), [0.33, 0.67])
    >>> row.p90 > timedelta(days=1)   # in calendar time, the weekend counts
    True
    """
    given: tuple[Lead, ...] = c.as_tuple(leads)
    limits: tuple[timedelta, ...] = c.as_tuple(within)
    p: c.Problems = []
    c.tuple_of(p, "leads", given, Lead)
    _check_calendars(p, calendar, default)
    if not all(isinstance(x, timedelta) and x > timedelta(0) for x in limits):
        p.append(Problem("within", "limits above zero, as timedeltas", limits))
    if by is not None and by not in ("hour", "weekday", "channel", "owner"):
        p.append(Problem("by", "hour, weekday, channel, owner (or None)", by))
    if zone not in ("team", "lead"):
        p.append(Problem("zone", "'team' or 'lead'", zone))
    if p:
        c.fail("speed_to_lead", p)
    groups: dict[str | None, list[tuple[Lead, WorkCalendar | None]]] = defaultdict(list)
    for lead in given:
        cal = _calendar_of(lead.owner, calendar, default)
        groups[_speed_group(lead, by, zone, cal)].append((lead, cal))
    rows = [_speed_row(group, groups[group], limits) for group in sorted(groups, key=_order)]
    title = "Speed to lead" + (f" by {by}" if by else "")
    return SpeedToLead(rows=tuple(rows), title=title, within=limits, by=by, zone=zone)


def _order(group: str | None) -> tuple[bool, str]:
    return group is None, group or ""


def _speed_group(
    lead: Lead, by: SpeedBy | None, zone: Zone, cal: WorkCalendar | None
) -> str | None:
    if by is None:
        return None
    if by == "channel":
        return lead.source.channel.value
    if by == "owner":
        return lead.owner or NONE
    team_zone = cal.time_zone if cal is not None else "UTC"
    name = lead.time_zone if zone == "lead" and lead.time_zone else team_zone
    local = lead.created_at.astimezone(ZoneInfo(name))
    return f"{local.hour:02d}" if by == "hour" else _WEEKDAYS[local.weekday()]


def _speed_row(
    group: str | None,
    members: list[tuple[Lead, WorkCalendar | None]],
    limits: tuple[timedelta, ...],
) -> SpeedRow:
    waits: list[timedelta] = []
    business: list[timedelta] = []
    for lead, cal in members:
        answer = first_response(lead)
        if answer is None:
            continue
        waits.append(answer.at - lead.created_at)
        if cal is not None:
            business.append(cal.between(lead.created_at, answer.at))
    measured = business if business and len(business) == len(waits) else waits
    return SpeedRow(
        group=group,
        leads=len(members),
        answered=len(waits),
        median=quantile(waits, 0.5),
        p90=quantile(waits, 0.9),
        median_business=quantile(business, 0.5),
        p90_business=quantile(business, 0.9),
        answered_within=tuple(
            share(sum(1 for w in measured if w <= limit), len(members)) for limit in limits
        ),
    )
