"""Properties of business time, over calendars with overnight and whole-day shifts, holidays and
exceptions, in zones with DST (Kyiv, New York, Lord Howe's 30-minute change, Santiago's at
midnight) and without, and instants in any zone, DST overlaps and gaps included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from hypothesis import assume, given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import WorkCalendar
from leadmodel.testing import strategies as lst

ZONES = (
    "Europe/Kyiv",
    "America/New_York",
    "Asia/Tokyo",
    "Australia/Lord_Howe",
    "America/Santiago",
    "UTC",
)
CALENDARS = lst.work_calendars(
    time_zones=ZONES, dates=st.dates(date(2025, 9, 1), date(2028, 4, 30))
)
INSTANTS = lst.aware_datetimes(min_value=datetime(2025, 10, 1), max_value=datetime(2028, 3, 1))
DURATIONS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=2000))
MICROSECOND = timedelta(microseconds=1)


def _same(a: datetime, b: datetime) -> bool:
    """The same instant (Python never calls a time in a DST overlap equal to one in another
    zone, PEP 495)."""
    return a.astimezone(UTC) == b.astimezone(UTC)


def _weekly(calendar: WorkCalendar) -> timedelta:
    return sum((s.length for shifts in calendar.week.values() for s in shifts), timedelta(0))


def _reachable(calendar: WorkCalendar, duration: timedelta) -> bool:
    """Whether the week's hours work ``duration`` off well within the span cap (a calendar
    with a minute a week needs centuries for a thousand hours)."""
    weekly = _weekly(calendar)
    return weekly > timedelta(0) and duration <= weekly * 200


@given(calendar=CALENDARS, at=INSTANTS, duration=DURATIONS)
def test_the_working_time_between_at_and_add_is_the_duration(
    calendar: WorkCalendar, at: datetime, duration: timedelta
) -> None:
    assume(_reachable(calendar, duration))
    due = calendar.add(at, duration)
    assert calendar.between(at, due) == duration
    assert due >= at


@given(calendar=CALENDARS, at=INSTANTS, durations=st.lists(DURATIONS, min_size=2, max_size=2))
def test_add_is_monotonic_in_the_duration(
    calendar: WorkCalendar, at: datetime, durations: list[timedelta]
) -> None:
    shorter, longer = sorted(durations)
    assume(_reachable(calendar, longer))
    assert calendar.add(at, shorter) <= calendar.add(at, longer)


@given(calendar=CALENDARS, at=INSTANTS, duration=DURATIONS)
def test_add_never_ends_in_closed_time(
    calendar: WorkCalendar, at: datetime, duration: timedelta
) -> None:
    """Zero: the next open instant. Positive: inside a working interval or at its end (the
    instant the duration is used up), so the microsecond before it is open."""
    assume(_reachable(calendar, duration))
    due = calendar.add(at, duration)
    if duration:
        assert calendar.is_open(due - MICROSECOND)
    else:
        assert calendar.is_open(due)
        assert due == calendar.next_open(at)


@given(calendar=CALENDARS, at=INSTANTS)
def test_next_open_is_at_itself_or_the_next_working_instant(
    calendar: WorkCalendar, at: datetime
) -> None:
    assume(_weekly(calendar) > timedelta(0))
    found = calendar.next_open(at)
    assert found >= at
    assert calendar.is_open(found)
    assert calendar.between(at, found) == timedelta(0)
    assert _same(found, at) == calendar.is_open(at)


@given(calendar=CALENDARS, instants=st.lists(INSTANTS, min_size=3, max_size=3))
def test_between_adds_up_over_consecutive_spans(
    calendar: WorkCalendar, instants: list[datetime]
) -> None:
    """Reversed spans count negative, so this holds for any three instants."""
    a, b, c = instants
    assert calendar.between(a, b) + calendar.between(b, c) == calendar.between(a, c)
    assert calendar.between(b, a) == -calendar.between(a, b)


@given(calendar=CALENDARS, instants=st.lists(INSTANTS, min_size=2, max_size=2))
def test_intervals_are_ordered_disjoint_open_and_add_up_to_between(
    calendar: WorkCalendar, instants: list[datetime]
) -> None:
    start, end = sorted(instants, key=lambda moment: moment.astimezone(UTC))
    found = list(calendar.intervals(start, end))
    assert sum((b - a for a, b in found), timedelta(0)) == calendar.between(start, end)
    assert calendar.between(start, end) <= end.astimezone(UTC) - start.astimezone(UTC)
    for (a, b), (c, _) in pairwise(found):
        assert a < b < c  # ordered, and those that meet are joined
    for a, b in found:
        assert start <= a < b <= end
        assert calendar.is_open(a)
        assert calendar.is_open(b - MICROSECOND)


def _exact(calendar: WorkCalendar, start: datetime, end: datetime) -> timedelta:
    """The working time in [start, end), the slow way: every shift of every day placed by
    ``lm.localise`` (first occurrence; the clocks' jump for skipped times)."""
    zone = calendar.time_zone
    first = start.astimezone(UTC).date() - timedelta(days=2)
    last = end.astimezone(UTC).date() + timedelta(days=2)
    total = timedelta(0)
    day = first
    while day <= last:
        if day in calendar.exceptions:
            shifts = calendar.exceptions[day]
        elif day in calendar.holidays:
            shifts = ()
        else:
            shifts = calendar.week.get(day.weekday(), ())
        midnight = datetime(day.year, day.month, day.day)
        for shift in shifts:
            begin_minute, end_minute = shift.minutes
            # in UTC: Python subtracts two times of one zone by their wall clocks
            begins, ends = (
                lm.localise(wall, zone, fold=0, nonexistent="shift_forward").astimezone(UTC)
                for wall in (midnight + timedelta(minutes=m) for m in (begin_minute, end_minute))
            )
            overlap = min(ends, end) - max(begins, start)
            total += max(overlap, timedelta(0))
        day += timedelta(days=1)
    return total


@given(calendar=CALENDARS, instants=st.lists(INSTANTS, min_size=2, max_size=2))
def test_between_equals_placing_every_shift_one_by_one(
    calendar: WorkCalendar, instants: list[datetime]
) -> None:
    """The fast path (a day's offset looked up once) and the weeks counted whole agree with
    placing each start and end by itself."""
    start, end = sorted(moment.astimezone(UTC) for moment in instants)
    assume(end - start < timedelta(days=120))
    assert calendar.between(start, end) == _exact(calendar, start, end)
