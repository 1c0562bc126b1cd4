"""Routing and working time: leadmodel against hand-written baselines, in one run (issue 18).

Two measurements, each against what a careful host app would write without leadmodel:

* **calendar** — a ``WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")`` with 17 public
  holidays (2026–2027); ``calendar.add(at, duration)`` and ``calendar.between(start, end)`` over
  2,000 seeded samples: starts anywhere in 2026 to the minute (a fifth of them on 09:00 or 18:00
  exactly, on any day, DST days included), given in UTC, Kyiv or Tokyo time; durations from 1 h
  to 2,000 business hours, log-uniform to the minute (15 % whole working days); ``between``
  spans the same duration scaled to calendar time (× 168 / 45, forward only). The baseline is
  ``dateutil.rrule`` (``DAILY``, ``byweekday=MO..FR`` from the start's local day, built per
  call) with the holidays skipped in a plain loop that turns each day's 09:00 and 18:00 into UTC
  instants with ``zoneinfo`` (so DST is zoneinfo's), cuts the start's partial day, and adds or
  sums the 9-hour days. A calendar remembers the days it walked, so leadmodel gets a fresh copy
  of the calendar for every call (made before timing): each call walks its days from nothing,
  as the baseline's does. The same calls on one calendar, warm, are printed apart (no target).
  Target: leadmodel at least as fast as the baseline (baseline time /
  leadmodel time ≥ 1) for ``add`` and for ``between``, on all samples; results are also shown
  by duration band (1–9 h, 9–90 h, 90–2,000 h) as a diagnostic.
* **routing decision** — ``lm.route(lead, router, state, at=...)`` over 10,000 leads (seeded:
  every 3 minutes on average from 08:00 to 20:00 in Kyiv, every 10 at night, from 2026-03-23
  for a month, weekends and DST included), the state carried from one decision to the next,
  for a router of 3 teams × 10 members: weights, daily capacities (the last 24 hours), an
  inactive member per team, absences, team and member calendars (Kyiv office hours with
  holidays, messengers 08:00–22:00 daily, a night shift, a Warsaw member), rules on
  ``source.channel`` and ``expected_value.amount``, strategies ``weighted`` and
  ``round_robin``, fallback ``next_rule`` (then the queue). The baseline is a plain-Python
  picker with mutable dicts and deques: the same rules written as ``if``\\s, the same
  eligibility checks in the same order (active, absent on the member's local day, capacity
  over the last 24 hours, on shift by the same ``WorkCalendar.is_open``, which is shared work)
  and the same strategies (cursor round robin, smooth weighted round robin). No target beyond
  reporting: ``route`` costs more because it buys more — a ``why`` in words, every skipped
  member with the reason and its detail (the absence, the quota, when the shift opens: a
  ``next_open`` per member off shift), argument validation, and purity: the state is an
  immutable, validated value rebuilt per decision (the last 24 hours copied, each time
  checked), so a decision can be replayed and the state stored, where the baseline mutates in
  place.

Equal work: both sides get the same inputs (samples, lead objects, times) built before timing
and return the same results; the loops around the calls are the same.

Fairness: contenders are interleaved, in a rotating order, inside every repeat; the garbage
collector stays on and is emptied before each timed run; results are the min and the median of
the repeats, targets judged on the mins. The load average and the share of wall time this process
got the CPU are printed. Before timing, the script checks that both sides give identical results
on every sample (the same instants and UTC offsets, the same durations) and the same owner and
team for every lead (exit 1 if not). A missed target is a result (``TARGET MISSED``, exit 0).

Run from the repository root: ``python benchmarks/bench_routing.py`` (``--repeats 1`` for a
quick look).
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import platform
import random
import statistics
import time as clock
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
from dateutil.rrule import DAILY, FR, MO, TH, TU, WE, rrule

import leadmodel as lm

TARGET = 1.0  # baseline time / leadmodel time, at least (calendar add and between)
KYIV = ZoneInfo("Europe/Kyiv")
OPENS, CLOSES = time(9), time(18)
HOLIDAYS = frozenset(
    date.fromisoformat(day)
    for day in (
        "2026-01-01", "2026-01-07", "2026-03-09", "2026-04-13", "2026-06-01", "2026-06-29",
        "2026-08-24", "2026-10-14", "2026-12-25", "2027-01-01", "2027-01-07", "2027-03-08",
        "2027-05-03", "2027-06-21", "2027-06-28", "2027-08-24", "2027-10-14",
    )
)  # fmt: skip
OFFICE = attrs.evolve(
    lm.WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00", key="office"), holidays=HOLIDAYS
)
WORKDAYS = (MO, TU, WE, TH, FR)
BANDS = ("1–9 h", "9–90 h", "90–2,000 h")


# --------------------------------------------------------------------------- calendar: data
@dataclass(frozen=True)
class Sample:
    """One start and duration, and the end of the span ``between`` measures."""

    at: datetime
    duration: timedelta
    end: datetime
    band: str


def samples(count: int, seed: int) -> list[Sample]:
    rng = random.Random(seed)
    zones = (UTC, KYIV, ZoneInfo("Asia/Tokyo"))
    year = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for _ in range(count):
        at = year + timedelta(minutes=rng.randrange(365 * 24 * 60))
        if rng.random() < 0.2:  # the edges of a working day, where off-by-one bugs live
            local = at.astimezone(KYIV).date()
            at = datetime.combine(local, rng.choice((OPENS, CLOSES)), tzinfo=KYIV)
        at = at.astimezone(rng.choice(zones))
        if rng.random() < 0.15:
            minutes = 9 * 60 * rng.randint(1, 222)
        else:
            minutes = round(60 * 2000 ** rng.random())
        duration = timedelta(minutes=minutes)
        band = BANDS[(minutes >= 9 * 60) + (minutes >= 90 * 60)]
        end = at + timedelta(minutes=round(minutes * 168 / 45))
        out.append(Sample(at=at, duration=duration, end=end, band=band))
    return out


# --------------------------------------------------------------------------- calendar: by hand
def working_hours(first: date, last: date | None = None) -> Iterator[tuple[datetime, datetime]]:
    """Each working day's 09:00 and 18:00 in Kyiv, as UTC instants, from ``first`` on."""
    until = None if last is None else datetime.combine(last, OPENS)
    for day in rrule(
        DAILY, byweekday=WORKDAYS, dtstart=datetime.combine(first, OPENS), until=until
    ):
        if day.date() in HOLIDAYS:
            continue
        opens = day.replace(tzinfo=KYIV).astimezone(UTC)
        closes = datetime.combine(day.date(), CLOSES, tzinfo=KYIV).astimezone(UTC)
        yield opens, closes


def add_by_hand(at: datetime, duration: timedelta) -> datetime:
    moment = at.astimezone(UTC)
    left = duration
    for opens, closes in working_hours(at.astimezone(KYIV).date()):
        if closes <= moment:
            continue
        begins = max(opens, moment)
        if left <= closes - begins:
            return (begins + left).astimezone(KYIV)
        left -= closes - begins
    raise AssertionError("unreachable: the rule has no end")


def between_by_hand(start: datetime, end: datetime) -> timedelta:
    a, b = start.astimezone(UTC), end.astimezone(UTC)
    total = timedelta(0)
    for opens, closes in working_hours(a.astimezone(KYIV).date(), b.astimezone(KYIV).date()):
        lo, hi = max(opens, a), min(closes, b)
        if hi > lo:
            total += hi - lo
    return total


Calendars = Sequence[lm.WorkCalendar]
"""One calendar per sample, for leadmodel: fresh copies of ``OFFICE`` made before timing (a
calendar remembers the days it walked; a fresh one walks every day, as the baseline does)."""

CALENDAR_RUNS: dict[tuple[str, str], Callable[[Sequence[Sample], Calendars], list[object]]] = {
    ("add", "leadmodel"): lambda work, cals: [
        cal.add(s.at, s.duration) for s, cal in zip(work, cals, strict=True)
    ],
    ("add", "by hand"): lambda work, _: [add_by_hand(s.at, s.duration) for s in work],
    ("between", "leadmodel"): lambda work, cals: [
        cal.between(s.at, s.end) for s, cal in zip(work, cals, strict=True)
    ],
    ("between", "by hand"): lambda work, _: [between_by_hand(s.at, s.end) for s in work],
}


def fresh(count: int) -> list[lm.WorkCalendar]:
    """``count`` copies of ``OFFICE`` that have walked no day (made before timing)."""
    return [attrs.evolve(OFFICE) for _ in range(count)]


def same(a: object, b: object) -> bool:
    """Equal results: for instants, the same instant at the same UTC offset."""
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a == b and a.utcoffset() == b.utcoffset()
    return a == b


def check_calendar(work: Sequence[Sample]) -> list[str]:
    problems = []
    for operation in ("add", "between"):
        ours = CALENDAR_RUNS[(operation, "leadmodel")](work, fresh(len(work)))
        theirs = CALENDAR_RUNS[(operation, "by hand")](work, ())
        wrong = [(s, a, b) for s, a, b in zip(work, ours, theirs, strict=True) if not same(a, b)]
        problems += [
            f"{operation}({s.at.isoformat()}, {s.duration if operation == 'add' else s.end}): "
            f"leadmodel {a}, by hand {b}"
            for s, a, b in wrong[:5]
        ]
        if len(wrong) > 5:
            problems.append(f"{operation}: … and {len(wrong) - 5} more")
    return problems


# --------------------------------------------------------------------------- routing: data
MESSENGERS = ("telegram", "viber", "instagram_dm", "whatsapp", "facebook_messenger")
CHANNELS = (*MESSENGERS, "form", "phone_call", "email", "live_chat", "form", "phone_call")
BIG = 100_000  # UAH: expected value from which a lead goes to the enterprise team
ROUTED_FROM = datetime(2026, 3, 23, 6, 0, tzinfo=UTC)  # a Monday, 08:00 in Kyiv


def every_day(start: str, end: str) -> lm.WorkCalendar:
    """Seven days a week, in Kyiv (an ``end`` before ``start`` runs into the next morning)."""
    shift = (lm.Shift(start=start, end=end),)
    return lm.WorkCalendar(time_zone="Europe/Kyiv", week=dict.fromkeys(range(7), shift))


CALENDARS = {
    "office": OFFICE,
    "messengers": every_day("08:00", "22:00"),
    "night": every_day("22:00", "08:00"),
    "warsaw": lm.WorkCalendar.weekdays("Europe/Warsaw", "08:00", "16:00"),
}
# key, strategy, the team calendar, {member number: their own calendar}
TEAMS: tuple[tuple[str, str, str, dict[int, str]], ...] = (
    ("enterprise", "weighted", "office", {}),
    ("messengers", "round_robin", "messengers", {8: "night", 9: "night"}),
    ("sales", "weighted", "office", {9: "warsaw"}),
)


def member(team: str, n: int, calendar: str | None) -> lm.Member:
    away = {
        2: [lm.Absence(start=date(2026, 3, 30), end=date(2026, 4, 5), reason="vacation")],
        5: [lm.Absence(start=date(2026, 4, 13), end=date(2026, 4, 17), reason="sick leave")],
    }
    return lm.Member(
        key=f"{team}-{n}",
        weight=1 + n % 3,
        capacity=(None, 8, 14, 20)[n % 4],
        active=n != 7,
        absences=away.get(n, ()),
        calendar=None if calendar is None else CALENDARS[calendar],
    )


def router() -> lm.Router:
    teams = [
        lm.Team(
            key=key,
            strategy=strategy,
            calendar=CALENDARS[calendar],
            members=[member(key, n, own.get(n)) for n in range(10)],
        )
        for key, strategy, calendar, own in TEAMS
    ]
    rules = [
        lm.RoutingRule(
            key="big",
            team="enterprise",
            when=[lm.FieldBetween(field="expected_value.amount", low=BIG)],
        ),
        lm.RoutingRule(
            key="chats",
            team="messengers",
            when=[lm.FieldIs(field="source.channel", values=MESSENGERS)],
        ),
        lm.RoutingRule(key="rest", team="sales"),
    ]
    return lm.Router(teams=teams, rules=rules, fallback="next_rule")


def arrivals(count: int, seed: int) -> list[tuple[lm.Lead, datetime]]:
    """``count`` leads and the instants they are routed: every 3 minutes on average from 08:00
    to 20:00 in Kyiv, every 10 minutes at night."""
    rng = random.Random(seed)
    at = ROUTED_FROM
    out = []
    for n in range(count):
        mean = 180 if 8 <= at.astimezone(KYIV).hour < 20 else 600
        at += timedelta(seconds=round(rng.expovariate(1 / mean)))
        value = None
        if rng.random() < 0.7:
            amount = Decimal(round(1_000 * 500 ** rng.random(), -2))  # 1,000 to 500,000
            value = lm.Money.of(amount, "UAH")
        lead = lm.Lead(
            id=lm.LeadId(f"lead-{n:05d}"),
            person_name=f"Buyer {n}",
            topic="Office chairs",
            contact_points=(lm.ContactPoint.email(f"buyer{n}@shop{n % 97}.ua"),),
            source=lm.Source(channel=lm.Channel(rng.choice(CHANNELS))),
            created_at=at,
            expected_value=value,
        )
        out.append((lead, at))
    return out


def route_all(spec: lm.Router, work: Sequence[tuple[lm.Lead, datetime]]) -> list[lm.Assignment]:
    state = lm.RoutingState()
    made = []
    for lead, at in work:
        decision = lm.route(lead, spec, state, at=at)
        made.append(decision)
        state = decision.state
    return made


# --------------------------------------------------------------------------- routing: by hand
DAY = timedelta(hours=24)


@dataclass(slots=True)
class Seat:
    """A member as a host app keeps one: plain fields, and their last 24 hours of leads."""

    key: str
    weight: int
    capacity: int | None
    active: bool
    away: tuple[tuple[date, date], ...]
    calendar: lm.WorkCalendar
    zone: ZoneInfo
    recent: deque[datetime] = field(default_factory=deque)

    def can_take(self, at: datetime) -> bool:
        if not self.active:
            return False
        day = at.astimezone(self.zone).date()
        if any(start <= day <= end for start, end in self.away):
            return False
        if self.capacity is not None:
            recent, horizon = self.recent, at - DAY
            while recent and recent[0] <= horizon:
                recent.popleft()
            if len(recent) >= self.capacity:
                return False
        return self.calendar.is_open(at)


@dataclass(slots=True)
class Desk:
    """A team: its seats in order, its strategy, its cursor and weighted credits."""

    key: str
    strategy: str
    seats: list[Seat]
    cursor: int = -1
    credits: dict[str, int] = field(default_factory=dict)

    def pick(self, eligible: list[Seat]) -> Seat:
        if self.strategy == "round_robin":
            chosen = self._next_in_turn(eligible)
        else:  # smooth weighted round robin: all earn their weight, the richest pays the total
            credits, total = self.credits, 0
            chosen = eligible[0]
            for seat in eligible:
                total += seat.weight
                credits[seat.key] = credits.get(seat.key, 0) + seat.weight
                if credits[seat.key] > credits[chosen.key]:
                    chosen = seat
            credits[chosen.key] -= total
        self.cursor = self.seats.index(chosen)
        return chosen

    def _next_in_turn(self, eligible: list[Seat]) -> Seat:
        keys = {seat.key for seat in eligible}
        size = len(self.seats)
        for i in range(1, size + 1):
            seat = self.seats[(self.cursor + i) % size]
            if seat.key in keys:
                return seat
        raise AssertionError("unreachable: the eligible are the team's")


class ByHand:
    """The picker a host app writes: rules as ``if``\\s, mutable state, no record of why."""

    def __init__(self, spec: lm.Router) -> None:
        self.desks = {team.key: desk_of(team) for team in spec.teams}

    def route(self, lead: lm.Lead, at: datetime) -> tuple[str | None, str | None]:
        value = lead.expected_value
        channel = lead.source.channel
        rules = (
            (value is not None and value.amount >= BIG, "enterprise"),
            (channel in MESSENGERS, "messengers"),
            (True, "sales"),
        )
        for matches, team in rules:
            if not matches:
                continue
            desk = self.desks[team]
            eligible = [seat for seat in desk.seats if seat.can_take(at)]
            if eligible:  # else the next rule (fallback next_rule), then nobody
                seat = desk.pick(eligible)
                seat.recent.append(at)
                return seat.key, team
        return None, None


def desk_of(team: lm.Team) -> Desk:
    """A team's plain copy (setup, not timed)."""
    seats = []
    for m in team.members:
        calendar = team.calendar_of(m)
        away = tuple((a.start, a.end) for a in m.absences)
        zone = ZoneInfo(calendar.time_zone)
        seats.append(Seat(m.key, m.weight, m.capacity, m.active, away, calendar, zone))
    return Desk(team.key, team.strategy.value, seats)


def route_by_hand(spec: lm.Router, work: Sequence[tuple[lm.Lead, datetime]]) -> list[object]:
    picker = ByHand(spec)
    return [picker.route(lead, at) for lead, at in work]


def check_routing(spec: lm.Router, work: Sequence[tuple[lm.Lead, datetime]]) -> list[str]:
    ours = route_all(spec, work)
    theirs = route_by_hand(spec, work)
    problems = [
        f"{lead.id} at {at.isoformat()}: leadmodel {(d.owner, d.team)}, by hand {b}"
        for (lead, at), d, b in zip(work, ours, theirs, strict=True)
        if (d.owner, d.team) != b
    ]
    if problems:
        return [*problems[:5], f"{len(problems):,} leads in all"]
    queued = sum(d.queued for d in ours)
    teams = Counter(d.team for d in ours if d.team)
    skips = Counter(s.reason.value for d in ours for s in d.skipped)
    print(
        f"check: the same owner and team for all {len(work):,} leads; "
        f"{queued:,} queued, by team {dict(sorted(teams.items()))}"
    )
    print(f"  members skipped, by reason: {dict(skips.most_common())}")
    return []


# --------------------------------------------------------------------------- timing
@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def timed(run: Callable[[], object]) -> tuple[float, float]:
    gc.collect()
    wall, cpu = clock.perf_counter(), clock.process_time()
    run()
    return clock.perf_counter() - wall, clock.process_time() - cpu


def rotated(names: Sequence[str], r: int) -> list[str]:
    return [*names[r % len(names) :], *names[: r % len(names)]]


def measure(
    work: Sequence[Sample], spec: lm.Router, leads: Sequence[tuple[lm.Lead, datetime]], repeats: int
) -> dict[tuple[str, str, str], Timing]:
    """(operation, band, contender) → times; the band "all" sums a repeat's bands."""
    by_band = {band: [s for s in work if s.band == band] for band in BANDS}
    contenders = ("leadmodel", "by hand")
    routes: dict[str, Callable[[], object]] = {
        "leadmodel": lambda: route_all(spec, leads),
        "by hand": lambda: route_by_hand(spec, leads),
    }
    results: dict[tuple[str, str, str], Timing] = {}
    for r in range(repeats):
        for operation in ("add", "between"):
            for name in contenders:
                results.setdefault((operation, "all", name), Timing()).wall.append(0.0)
                results[(operation, "all", name)].cpu.append(0.0)
            for band, part in by_band.items():
                for name in rotated(contenders, r):
                    cals = fresh(len(part)) if name == "leadmodel" else ()
                    wall, cpu = timed(
                        functools.partial(CALENDAR_RUNS[(operation, name)], part, cals)
                    )
                    timing = results.setdefault((operation, band, name), Timing())
                    timing.wall.append(wall)
                    timing.cpu.append(cpu)
                    results[(operation, "all", name)].wall[-1] += wall
                    results[(operation, "all", name)].cpu[-1] += cpu
        for name in rotated(contenders, r):
            wall, cpu = timed(routes[name])
            timing = results.setdefault(("route", "all", name), Timing())
            timing.wall.append(wall)
            timing.cpu.append(cpu)
        for operation in ("add", "between"):  # reported apart: one calendar for every call
            one = [OFFICE] * len(work)
            CALENDAR_RUNS[(operation, "leadmodel")](work, one)  # it has walked these days
            wall, cpu = timed(functools.partial(CALENDAR_RUNS[(operation, "leadmodel")], work, one))
            timing = results.setdefault((operation, "all", "leadmodel, one calendar"), Timing())
            timing.wall.append(wall)
            timing.cpu.append(cpu)
        print(f"  repeat {r + 1}/{repeats} done, load average {os.getloadavg()[0]:.2f}")
    return results


def report(
    results: dict[tuple[str, str, str], Timing], work: Sequence[Sample], decisions: int
) -> list[str]:
    counts = Counter(s.band for s in work)
    counts["all"] = len(work)
    print("\nµs per call, min (median); by hand / leadmodel = baseline time / leadmodel time")
    print(f"{'':<22}{'leadmodel':>20}{'by hand':>20}{'by hand / leadmodel':>24}{'cpu':>6}")
    rows = [(op, band) for op in ("add", "between") for band in (*BANDS, "all")]
    ratios = {}
    for operation, band in [*rows, ("route", "all")]:
        n = decisions if operation == "route" else counts[band]
        ours, theirs = (
            results[(operation, band, "leadmodel")],
            results[(operation, band, "by hand")],
        )
        cells = [
            f"{min(t.wall) / n * 1e6:9.1f} ({statistics.median(t.wall) / n * 1e6:8.1f})"
            for t in (ours, theirs)
        ]
        ratio = ratios[(operation, band)] = min(theirs.wall) / min(ours.wall)
        typical = statistics.median(theirs.wall) / statistics.median(ours.wall)
        share = (sum(ours.cpu) + sum(theirs.cpu)) / (sum(ours.wall) + sum(theirs.wall))
        label = "route (per decision)" if operation == "route" else f"{operation} {band}"
        both = f"{ratio:.2f} ({typical:.2f})"
        print(f"{label:<22}{cells[0]:>20}{cells[1]:>20}{both:>24}{share:6.0%}")
    print("\ntargets (on the mins, all samples):")
    missed = []
    for operation in ("add", "between"):
        ratio = ratios[(operation, "all")]
        verdict = "met" if ratio >= TARGET else "TARGET MISSED"
        said = f"calendar {operation}: by hand / leadmodel = {ratio:.2f} (target ≥ {TARGET})"
        print(f"  {said}: {verdict}")
        if ratio < TARGET:
            missed.append(said)
    print(f"  route: by hand / leadmodel = {ratios[('route', 'all')]:.2f} (no target: reported)")
    print("\none calendar for every call, warm (it remembers the days it walked; no target):")
    for operation in ("add", "between"):
        warm = results[(operation, "all", "leadmodel, one calendar")]
        per_call = min(warm.wall) / counts["all"] * 1e6
        ratio = min(results[(operation, "all", "by hand")].wall) / min(warm.wall)
        print(f"  {operation}: {per_call:.1f} µs a call, by hand / leadmodel = {ratio:.2f}")
    return missed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--samples", type=int, default=2_000)
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print("bench_routing: WorkCalendar.add / between and route() against hand-written baselines")
    print(
        f"python {platform.python_version()} · leadmodel {lm.__version__} · {os.cpu_count()} CPUs"
        " · load average at start " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    work = samples(args.samples, args.seed)
    spec = router()
    leads = arrivals(args.leads, args.seed)
    problems = check_calendar(work)
    if problems:
        print("CHECK FAILED:", *problems, sep="\n  ")
        return 1
    print(f"check: add and between agree on all {len(work):,} samples")
    problems = check_routing(spec, leads)
    if problems:
        print("CHECK FAILED:", *problems, sep="\n  ")
        return 1
    results = measure(work, spec, leads, args.repeats)
    bands = Counter(s.band for s in work)
    print(
        f"\n{len(work):,} calendar samples ({', '.join(f'{b}: {bands[b]}' for b in BANDS)}); "
        f"{len(leads):,} routing decisions; {args.repeats} repeats"
    )
    missed = report(results, work, len(leads))
    print("load average at end " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print("\n".join(f"TARGET MISSED: {m}" for m in missed) if missed else "all targets met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
