"""The arithmetic of working time: a calendar's intervals, walked day by day, as UTC microseconds.

A :class:`Plan` is a calendar made ready to walk: for each weekday its shifts as ``(start, end)``
seconds from local midnight, the same for each dated day (an exception, or a holiday with none),
and the zone. :func:`intervals` yields the working intervals of the local days ``first`` up to
``until`` (proleptic Gregorian ordinals) as ``(start, end)`` microseconds since the Unix epoch, in
order, none empty and none overlapping: a schedule lets no two shifts overlap, and wall time maps
to instants without going back.

Wall time to instants. On a day whose UTC offset is the same at the three midnights that bound
its shifts (an overnight shift ends the next day) — every day but about two a year — a shift's
instants are the day's midnight plus its seconds: no zone lookup per shift. Around a change of
offset each start and end is placed on its own, as ``lm.localise(wall, zone, fold=0,
nonexistent="shift_forward")`` does: a wall time that happens twice is its first occurrence, and
one the clocks skip is the moment they jump (the first instant after the gap). So a shift that
spans the skipped hour is an hour shorter, one that spans the repeated hour an hour longer, and
one wholly inside the skipped hour is empty that day. The sampling assumes a zone changes its
offset at most once in two days: in the tz database from 1900 to 2100 the closest two changes
are three days apart (Africa/Freetown, 1939), and six for the latest (Brazil, 2000).

Cost: one offset lookup per day walked and a few integer operations per shift, the first time:
a plan remembers the intervals of the days it walked (up to :data:`_REMEMBERED`; the clocks
of a sweep walk the same few weeks for every lead). :func:`add` and
:func:`between` go a week at a time where they can: a week with no dated day and one offset all
through works the week's total (precomputed), so their cost is about five offset lookups a week.
The callers bound the days (:data:`~leadmodel.domain.worktime.calendar.MAX_CALENDAR_SPAN`), so
nothing walks forever.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from leadmodel._kernel import checks as c
from leadmodel.domain.values.localtime import localise
from leadmodel.domain.worktime.shifts import Shift
from leadmodel.errors import Problem, ValidationError

__all__ = [
    "EPOCH",
    "LAST_DAY",
    "MICRO",
    "Plan",
    "add",
    "between",
    "instants",
    "intervals",
    "is_open",
    "local_day",
    "local_time",
    "merged",
    "next_open",
]

Seconds = tuple[tuple[int, int], ...]
"""A day's shifts as ``(start, end)`` seconds from its local midnight (``end`` may pass a day)."""
Intervals = tuple[tuple[int, int], ...]
"""A day's working intervals as ``(start, end)`` microseconds since the Unix epoch, in order."""

_REMEMBERED = 4096
"""The most days (and weeks) a :class:`Plan` remembers having walked: eleven years of a lead's
clocks; past it, it begins again. A memo of a pure function: the answers never depend on it."""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICRO = timedelta(microseconds=1)
_SECOND = timedelta(seconds=1)
_DAY = 86_400
_US = 1_000_000
_EPOCH_DAY = EPOCH.toordinal()
LAST_DAY = date.max.toordinal() - 2
"""The last local day a walk reaches: two days short of the end of time, for overnight shifts."""


def seconds(shifts: tuple[Shift, ...]) -> Seconds:
    """``shifts`` as ``(start, end)`` seconds from local midnight, in order of start."""
    return tuple(sorted((start * 60, end * 60) for start, end in (s.minutes for s in shifts)))


class Plan:
    """A calendar made ready to walk (see the module docstring).

    ``last`` is the last day with working time when the week has none (0: no working time at
    all), and ``None`` when the week has some (working time never ends).
    """

    __slots__ = ("_days", "_weeks", "dated", "dated_days", "last", "name", "week", "weekly", "zone")

    def __init__(
        self,
        name: str,
        week: Mapping[int, tuple[Shift, ...]],
        dated: Mapping[date, tuple[Shift, ...]],
    ) -> None:
        self.name = name
        self.zone = ZoneInfo(name)
        self.week = tuple(seconds(week.get(day, ())) for day in range(7))
        self.dated = {day.toordinal(): seconds(shifts) for day, shifts in dated.items()}
        self.dated_days = sorted(self.dated)
        self.weekly = sum(end - start for day in self.week for start, end in day) * _US
        self.last: int | None = None
        if not any(self.week):
            self.last = max((n for n, s in self.dated.items() if s), default=0)
        self._days: dict[int, Intervals] = {}
        self._weeks: dict[int, bool] = {}

    def shifts(self, day: int) -> Seconds:
        """The shifts of local day ``day`` (an ordinal): its dated hours, or its weekday's."""
        dated = self.dated.get(day)
        return self.week[(day - 1) % 7] if dated is None else dated  # day 1 was a Monday

    def day(self, day: int) -> Intervals:
        """The working intervals of local day ``day`` (a day walked once is remembered)."""
        found = self._days.get(day)
        return _remember(self, self._days, day, _day) if found is None else found

    def regular(self, day: int) -> bool:
        """Whether the week from local day ``day`` works its weekly total (:func:`_regular`;
        remembered as :meth:`day` is)."""
        found = self._weeks.get(day)
        return _remember(self, self._weeks, day, _regular) if found is None else found


_T = TypeVar("_T")


def _remember(plan: Plan, memo: dict[int, _T], day: int, make: Callable[[Plan, int], _T]) -> _T:
    """``make(plan, day)``, kept in ``memo`` (emptied when full: :data:`_REMEMBERED`)."""
    if len(memo) >= _REMEMBERED:
        memo.clear()
    found = memo[day] = make(plan, day)
    return found


def instants(given: Mapping[str, object], *, model: str) -> list[int]:
    """The aware datetimes ``given`` (by argument name) as microseconds since the epoch;
    naive ones refused, all at once."""
    p: c.Problems = []
    for name, value in given.items():
        c.aware(p, name, value)
    if p:
        raise ValidationError(p, model=model)
    return [(value - EPOCH) // MICRO for value in given.values()]  # type: ignore[operator]


def local_day(plan: Plan, moment: int) -> int:
    """The local day (an ordinal) of the instant ``moment``."""
    utc = EPOCH + timedelta(microseconds=moment)
    try:
        return utc.astimezone(plan.zone).toordinal()
    except OverflowError:  # within a day of the ends of time: a day early walks no less
        return utc.toordinal() - 1


def local_time(plan: Plan, moment: int, *, model: str) -> datetime:
    """The instant ``moment`` in the plan's zone, its offset fixed (the datetime rule)."""
    try:
        local = (EPOCH + timedelta(microseconds=moment)).astimezone(plan.zone)
    except OverflowError:
        raise ValidationError([Problem("", c.OUT_OF_RANGE)], model=model) from None
    return c.fixed_offset(local)


def _offset(zone: ZoneInfo, day: int) -> int:
    """The UTC offset in seconds at the first midnight of local day ``day``."""
    return zone.utcoffset(datetime.fromordinal(day)) // _SECOND  # type: ignore[operator]


def _stop(plan: Plan, until: int) -> int:
    return min(until, LAST_DAY + 1 if plan.last is None else plan.last + 1)


def _regular(plan: Plan, day: int) -> bool:
    """Whether the week from local day ``day`` works its weekly total: no dated day in it, and
    one UTC offset from its first midnight to the one after its last night shift ends."""
    i = bisect_left(plan.dated_days, day)
    if i < len(plan.dated_days) and plan.dated_days[i] < day + 7:
        return False
    # every other midnight is enough: a zone changes its offset at most once in two days
    offset_at, midnight = plan.zone.utcoffset, datetime.fromordinal  # the hot loop of long walks
    offset = offset_at(midnight(day))
    return all(offset_at(midnight(d)) == offset for d in range(day + 2, day + 9, 2))


def intervals(plan: Plan, first: int, until: int) -> Iterator[tuple[int, int]]:
    """The working intervals of local days ``first`` to ``until`` (excluded), in order."""
    for day in range(max(first, 1), _stop(plan, until)):
        yield from plan.day(day)


def _day(plan: Plan, day: int) -> Intervals:
    """The working intervals of local day ``day`` (see :meth:`Plan.day`)."""
    shifts = plan.shifts(day)
    if not shifts:
        return ()
    zone = plan.zone
    today = _offset(zone, day)
    if today == _offset(zone, day + 1) == _offset(zone, day + 2):
        base = (day - _EPOCH_DAY) * _DAY - today
        return tuple(((base + start) * _US, (base + end) * _US) for start, end in shifts)
    return tuple(_placed(plan, day, shifts))


def _placed(plan: Plan, day: int, shifts: Seconds) -> Iterator[tuple[int, int]]:
    """The shifts of a day around a change of offset, each start and end placed on its own."""
    midnight = datetime.fromordinal(day)
    for start, end in shifts:
        begins = _instant(plan, midnight + timedelta(seconds=start))
        ends = _instant(plan, midnight + timedelta(seconds=end))
        if ends > begins:  # a shift inside the skipped hour is empty that day
            yield begins, ends


def _instant(plan: Plan, wall: datetime) -> int:
    placed = localise(wall, plan.name, fold=0, nonexistent="shift_forward")
    return (placed - EPOCH) // MICRO


def next_open(plan: Plan, at: int, first: int, until: int) -> int | None:
    """``at`` when it is in working time, else the start of the next interval; ``None`` when
    the days walked hold none."""
    for start, end in intervals(plan, first, until):
        if end > at:
            return max(start, at)
    return None


def is_open(plan: Plan, at: int, first: int) -> bool:
    """Whether ``at`` (whose local day is ``first + 1``) is in working time."""
    return any(start <= at < end for start, end in intervals(plan, first, first + 2))


_HEAD = 3
"""The days a walk from an instant goes one by one first: the day before its local day (whose
night shift may run into it), the day itself and the next. From the day after, every interval
starts after the instant, and whole weeks may be counted at once."""


def add(plan: Plan, at: int, duration: int, first: int, until: int) -> int | None:
    """The instant ``duration`` (> 0) of working time after ``at`` (whose local day is
    ``first + 1``); ``None`` when the days walked hold less."""
    left = duration
    head = min(first + _HEAD, until)
    for start, end in intervals(plan, first, head):
        if end > at:
            begins = max(start, at)
            if left <= end - begins:
                return begins + left
            left -= end - begins
    day, stop = head, _stop(plan, until)
    while day < stop:
        if left > plan.weekly and day + 9 <= stop and plan.regular(day):
            left -= plan.weekly
            day += 7
            continue
        for start, end in plan.day(day):
            if left <= end - start:
                return start + left
            left -= end - start
        day += 1
    return None


def between(plan: Plan, start: int, end: int, first: int, until: int) -> int:
    """The working time in ``[start, end)``, ``start <= end``; ``start``'s local day is
    ``first + 1``, ``end``'s ``until - 1``."""
    total = 0
    head = min(first + _HEAD, until)
    for begins, ends in intervals(plan, first, head):
        if begins >= end:
            return total
        if ends > start:
            total += min(ends, end) - max(begins, start)
    day, stop = head, _stop(plan, until)
    while day < stop:
        if day + 9 <= until and plan.regular(day):  # the week's night ends before ``end``
            total += plan.weekly
            day += 7
            continue
        for begins, ends in plan.day(day):
            if begins >= end:
                return total
            total += min(ends, end) - begins
        day += 1
    return total


def merged(plan: Plan, start: int, end: int, first: int, until: int) -> Iterator[tuple[int, int]]:
    """The working intervals within ``[start, end)``, those that meet joined into one."""
    held: tuple[int, int] | None = None
    for begins, ends in intervals(plan, first, until):
        if begins >= end:
            break
        if ends <= start:
            continue
        piece = (max(begins, start), min(ends, end))
        if held is not None and piece[0] <= held[1]:
            held = (held[0], max(held[1], piece[1]))
            continue
        if held is not None:
            yield held
        held = piece
    if held is not None:
        yield held
