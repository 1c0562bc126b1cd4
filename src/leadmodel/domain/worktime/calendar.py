"""Work calendars: when a team works, and business-time arithmetic over it.

A :class:`WorkCalendar` is a weekly schedule of shifts in one IANA time zone, with holidays and
dated exceptions. It answers whether it is open at an instant, when it next opens, the instant a
duration of working time has passed (``add``, for SLA due times), and the working time between
two instants (``between``, for SLA clocks). Instants may be in any zone: a lead in Tokyo is
answered by a team in Kyiv.

>>> from datetime import datetime, timedelta
>>> from zoneinfo import ZoneInfo
>>> kyiv = WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")
>>> friday_evening = datetime(2026, 3, 6, 17, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
>>> kyiv.add(friday_evening, timedelta(hours=2)).isoformat()
'2026-03-09T10:00:00+02:00'
>>> tokyo_night = datetime(2026, 3, 7, 3, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # Friday 20:00 Kyiv
>>> kyiv.is_open(tokyo_night), kyiv.next_open(tokyo_night).isoformat()
(False, '2026-03-09T09:00:00+02:00')

Rules:

* A day's hours are the shifts that *start* on it: an overnight shift belongs to the day it
  starts, and runs into the next one. A holiday closes the shifts that start on its date (the
  night shift from the evening before still ends in the morning); an exception replaces them
  (an empty list closes the day). A date is a holiday or an exception, not both.
* Wall times are the calendar zone's. On a day the clocks change, a wall time that happens twice
  is its first occurrence and one the clocks skip is the moment they jump: a shift spanning the
  skipped hour is an hour shorter, one spanning the repeated hour an hour longer.
* Inputs are aware datetimes (naive ones are refused, never assumed UTC); results are aware
  datetimes in the calendar's zone, with its UTC offset at that instant as a fixed offset (the
  library's datetime rule), so they compare as instants even in the repeated hour.
* One call walks at most :data:`MAX_CALENDAR_SPAN` (100 years) of calendar days; a longer span is
  refused, and a calendar without working time is told, never looped over.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar, Self

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel import documents, toml
from leadmodel._kernel.frozen_json import FrozenMap
from leadmodel.domain.worktime import _walk
from leadmodel.domain.worktime.document import CalendarDocument, WeekDocument
from leadmodel.domain.worktime.fields import (
    as_dated,
    as_dates,
    as_days,
    frozen,
    ordered,
    read_exceptions,
    read_holidays,
    read_week,
)
from leadmodel.domain.worktime.shifts import DAY_NAMES, Shift, schedule_problems
from leadmodel.errors import Problem, ValidationError

__all__ = ["MAX_CALENDAR_SPAN", "WorkCalendar"]

MAX_CALENDAR_SPAN = timedelta(days=36_525)
"""The most calendar time one call walks: 100 years (36,525 days). ``between`` and ``intervals``
refuse a longer span, and ``add`` a duration it would take longer to work through; walking is
day by day, so the cost of a call is bounded by this."""

_MODEL = "WorkCalendar"
_TOO_LONG = (
    "working that long takes more than 100 years of this calendar (MAX_CALENDAR_SPAN), more "
    "than one call walks: ask for less, or check the calendar's hours"
)
_TOO_WIDE = (
    "more than 100 years after start (MAX_CALENDAR_SPAN), more than one call walks: split the "
    "span into shorter ones"
)


@attrs.frozen(kw_only=True)
class WorkCalendar:
    """When a team works: weekly shifts in an IANA ``time_zone``, holidays and exceptions.

    ``week`` maps days (0 = Monday … 6 = Sunday, or ``"mon"`` … ``"sun"``) to their shifts;
    days not listed are closed. ``holidays`` are dates closed all day; ``exceptions`` map dates
    to the shifts that replace the week's that day (an empty list closes it). ``key`` names the
    calendar (a team's, a member's). Lists and sets are accepted where tuples and frozensets are
    kept; a calendar is stored in order (days, shifts by start), so equal schedules are equal.

    Raises :class:`~leadmodel.errors.ValidationError` listing every problem: an unknown zone,
    a day that is not one, shifts that overlap (on one day, or an overnight shift and the next
    morning's), a date both a holiday and an exception. See the module docstring for the rules.
    """

    time_zone: str
    week: Mapping[int, tuple[Shift, ...]] = attrs.field(converter=as_days)
    holidays: frozenset[date] = attrs.field(default=frozenset(), converter=as_dates)
    exceptions: Mapping[date, tuple[Shift, ...]] = attrs.field(factory=dict, converter=as_dated)
    key: str | None = None
    _plan: _walk.Plan = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        if self.time_zone is None:
            p.append(
                Problem("time_zone", "a calendar needs its IANA time zone, e.g. 'Europe/Kyiv'")
            )
        c.time_zone(p, "time_zone", self.time_zone)
        week, paths = read_week(p, self.week)
        holidays = read_holidays(p, self.holidays)
        exceptions = read_exceptions(p, self.exceptions)
        p += schedule_problems(
            week,
            exceptions,
            holidays,
            day_path=paths.__getitem__,
            date_path=lambda day: f"exceptions[{day}]",
        )
        c.opt_text(p, "key", self.key, "the calendar key")
        if p:
            c.fail(_MODEL, p)
        # stored in order, so that equal schedules are equal and documents are stable
        kept = frozen({d: ordered(week[d]) for d in sorted(week) if week[d]})
        dated = frozen({d: ordered(exceptions[d]) for d in sorted(exceptions)})
        object.__setattr__(self, "week", kept)
        object.__setattr__(self, "exceptions", dated)
        object.__setattr__(self, "holidays", holidays)
        closed: dict[date, tuple[Shift, ...]] = dict.fromkeys(holidays, ())
        object.__setattr__(self, "_plan", _walk.Plan(self.time_zone, kept, {**dated, **closed}))

    # -- ready-made calendars -------------------------------------------------------------------
    @classmethod
    def always(cls) -> Self:
        """A calendar open all the time, in UTC: every day one 24-hour shift from midnight.

        >>> from datetime import datetime, timedelta, timezone
        >>> always = WorkCalendar.always()
        >>> saturday_night = datetime(2026, 3, 7, 23, 30, tzinfo=timezone.utc)
        >>> always.is_open(saturday_night), always.add(saturday_night, timedelta(hours=1))
        (True, datetime.datetime(2026, 3, 8, 0, 30, tzinfo=datetime.timezone.utc))
        """
        whole_day = (Shift(start=time(0), end=time(0)),)
        return cls(time_zone="UTC", week=dict.fromkeys(range(7), whole_day))

    @classmethod
    def weekdays(
        cls, time_zone: str, start: time | str, end: time | str, *, key: str | None = None
    ) -> Self:
        """Monday to Friday, one shift a day from ``start`` to ``end`` (``"HH:MM"`` or a
        ``time``), in ``time_zone``.

        >>> calendar = WorkCalendar.weekdays("America/New_York", "09:00", "17:00", key="us")
        >>> sorted(calendar.week), str(calendar.week[4][0]), calendar.key
        ([0, 1, 2, 3, 4], '09:00–17:00', 'us')
        """
        shift = (Shift(start=start, end=end),)
        return cls(time_zone=time_zone, week=dict.fromkeys(range(5), shift), key=key)

    # -- documents ------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a calendar from a document (a dict, e.g. parsed from JSON or TOML).

        Keys: ``time_zone``, ``week`` (days ``mon`` … ``sun``, each a list of ``{ start, end }``
        shifts in ``"HH:MM"``), ``holidays`` (``"YYYY-MM-DD"`` dates), ``exceptions`` (dates to
        shift lists) and ``key``. Raises :class:`~leadmodel.errors.ValidationError` listing
        every problem with its path (``week.mon[1].start``).

        >>> data = {"time_zone": "Europe/Kyiv", "holidays": ["2026-08-24"],
        ...         "week": {"mon": [{"start": "09:00", "end": "18:00"}]}}
        >>> calendar = WorkCalendar.from_dict(data)
        >>> str(calendar.week[0][0]), calendar.holidays
        ('09:00–18:00', frozenset({datetime.date(2026, 8, 24)}))
        >>> WorkCalendar.from_dict({"time_zone": "Europe/Kiev2", "week": {
        ...     "mon": [{"start": "9:00", "end": "18:00"}], "monday": []}})
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: 3 problems:
          WorkCalendar.time_zone: not a time zone name; use an IANA name such as 'Europe/Kyiv';
          got 'Europe/Kiev2'
          WorkCalendar.week.monday: unexpected field; remove it (or load with extra='ignore')
          WorkCalendar.week.mon[0].start: expected a time of day 'HH:MM' (24-hour), such as
          '09:00'; got '9:00'
        """
        return documents.from_document(cls, data)

    @classmethod
    def from_toml(cls, text: str | bytes) -> Self:
        """Read a calendar from TOML text (``str`` or UTF-8 ``bytes``; the domain reads no
        files). Problems name the line they were found on.

        >>> text = '''
        ... time_zone = "Europe/Kyiv"
        ... holidays = [2026-08-24]
        ... [week]
        ... mon = [{ start = "09:00", end = "13:00" }, { start = "12:00", end = "18:00" }]
        ... sat = [{ start = "10:00", end = "14:00" }]
        ... '''
        >>> WorkCalendar.from_toml(text.replace('"12:00"', '"14:00"')).holidays
        frozenset({datetime.date(2026, 8, 24)})
        >>> WorkCalendar.from_toml(text)
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: line 5: week.mon: the shift 09:00–13:00 on Monday
        overlaps 12:00–18:00 on Monday: shifts never overlap; end one where the other starts
        (or join them into one)
        """
        try:
            data = toml.parse(text)
        except ValidationError as exc:
            raise ValidationError(exc.problems, model=_MODEL) from None
        try:
            return cls.from_dict(data)
        except ValidationError as exc:
            located = toml.with_lines(exc.problems, text)
            raise ValidationError(located, complete=exc.complete) from None

    def to_dict(self) -> dict[str, Any]:
        """The calendar as a document (``schema_version`` first, empty fields left out) that
        :meth:`from_dict` reads back to an equal calendar; the same as ``lm.to_dict``.

        >>> WorkCalendar.weekdays("Asia/Tokyo", "10:00", "19:00").to_dict()["week"]["fri"]
        [{'start': '10:00', 'end': '19:00'}]
        """
        return documents.to_document(self)  # through _to_document, as lm.to_dict(calendar)

    def to_toml(self) -> str:
        """The calendar as TOML text that :meth:`from_toml` reads back to an equal calendar.

        >>> calendar = WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00", key="support")
        >>> print(calendar.to_toml())
        schema_version = 1
        key = "support"
        time_zone = "Europe/Kyiv"
        <BLANKLINE>
        [week]
        mon = [{ start = "09:00", end = "18:00" }]
        tue = [{ start = "09:00", end = "18:00" }]
        wed = [{ start = "09:00", end = "18:00" }]
        thu = [{ start = "09:00", end = "18:00" }]
        fri = [{ start = "09:00", end = "18:00" }]
        <BLANKLINE>
        >>> WorkCalendar.from_toml(calendar.to_toml()) == calendar
        True
        """
        document = self.to_dict()
        # the days and the dates are tables of their own, one line each, not one long line
        tables = {name: document.pop(name) for name in ("week", "exceptions") if document.get(name)}
        text = toml.dump(document, depth=0)
        for name, table in tables.items():
            text += f"\n[{name}]\n" + toml.dump(table, depth=0)
        return text

    # -- the converter's side (leadmodel._kernel.hooks.WRITTEN_AS) ----------------------------
    __written_as__: ClassVar[type[CalendarDocument]] = CalendarDocument

    def _to_document(self) -> CalendarDocument:
        return CalendarDocument(
            key=self.key,
            time_zone=self.time_zone,
            week=WeekDocument(**{DAY_NAMES[day]: shifts for day, shifts in self.week.items()}),
            holidays=frozenset(day.isoformat() for day in self.holidays),
            exceptions=FrozenMap({day.isoformat(): s for day, s in self.exceptions.items()}),
        )

    @classmethod
    def _from_document(cls, document: CalendarDocument) -> Self:
        p: c.Problems = []  # the document has checked them: nothing is found here
        return cls(
            time_zone=document.time_zone,
            week=document.days(),
            holidays=document.holiday_dates(p),
            exceptions=document.dated(p),
            key=document.key,
        )

    # -- business time --------------------------------------------------------------------------
    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` (an aware datetime, in any zone) is in working time.

        A shift includes its start and excludes its end.

        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> kyiv = WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")
        >>> monday = datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
        >>> kyiv.is_open(monday), kyiv.is_open(monday.replace(hour=18))
        (True, False)
        >>> kyiv.is_open(datetime(2026, 3, 9, 9, 0))
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: WorkCalendar.is_open.at: naive datetime (no time zone);
        pass a timezone-aware datetime, e.g. datetime(2026, 1, 2, tzinfo=timezone.utc);
        got datetime.datetime(2026, 3, 9, 9, 0)
        """
        [moment] = self._instants("is_open", at=at)
        return _walk.is_open(self._plan, moment, self._day(moment) - 1)

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself when the calendar is open then, else the start of its next working
        interval, in the calendar's zone.

        Raises :class:`~leadmodel.errors.ValidationError` for a calendar with no working time
        at or after ``at`` (none at all, or only dated hours before it).

        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> kyiv = WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")
        >>> saturday = datetime(2026, 3, 7, 12, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
        >>> kyiv.next_open(saturday).isoformat()
        '2026-03-09T09:00:00+02:00'
        >>> WorkCalendar(time_zone="Europe/Kyiv", week={}).next_open(saturday)
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: WorkCalendar.next_open.week: this calendar has no
        working time at all: list shifts in week, or dated hours in exceptions
        """
        [moment] = self._instants("next_open", at=at)
        return self._moment("next_open", self._next_open("next_open", moment, at))

    def add(self, at: datetime, duration: timedelta) -> datetime:
        """The instant when ``duration`` of working time has passed after ``at``.

        Only open time counts: a lead that arrives on Saturday with a 1-hour target is due an
        hour after Monday's first working minute. A duration of zero gives :meth:`next_open`;
        a positive one ends inside a working interval or at its end (the instant the duration
        is used up). ``between(at, add(at, d)) == d``. A negative duration, or one that would
        take more than :data:`MAX_CALENDAR_SPAN` to work through, raises
        :class:`~leadmodel.errors.ValidationError`, as :meth:`next_open` does for a calendar
        without working time.

        >>> from datetime import datetime, timedelta
        >>> from zoneinfo import ZoneInfo
        >>> kyiv = WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")
        >>> saturday = datetime(2026, 3, 7, 12, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
        >>> kyiv.add(saturday, timedelta(hours=1)).isoformat()
        '2026-03-09T10:00:00+02:00'
        >>> kyiv.add(saturday, timedelta(hours=9)).isoformat()  # all of Monday: its end
        '2026-03-09T18:00:00+02:00'
        >>> kyiv.add(saturday, timedelta(hours=-1))
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: WorkCalendar.add.duration: working time to add cannot
        be negative; got datetime.timedelta(days=-1, seconds=82800)
        """
        p: c.Problems = []
        c.aware(p, "at", at)
        if not isinstance(duration, timedelta):
            p.append(
                Problem("duration", "expected a timedelta, such as timedelta(hours=4)", duration)
            )
        elif duration < timedelta(0):
            p.append(Problem("duration", "working time to add cannot be negative", duration))
        elif duration > MAX_CALENDAR_SPAN:
            p.append(Problem("duration", _TOO_LONG, duration))
        if p:
            raise ValidationError(p, model=f"{_MODEL}.add")
        [moment] = self._instants("add", at=at)
        if not duration:
            return self._moment("add", self._next_open("add", moment, at))
        self._has_hours("add")
        first = self._day(moment) - 1
        found = _walk.add(self._plan, moment, duration // _walk.MICRO, first, self._until(first))
        if found is None:
            raise self._ran_out("add", first, Problem("duration", _TOO_LONG, duration))
        return self._moment("add", found)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The working time in ``[start, end)``; negative when ``end`` is before ``start``
        (``between(b, a) == -between(a, b)``, so ``between(a, b) + between(b, c) ==
        between(a, c)`` for any three instants).

        Raises :class:`~leadmodel.errors.ValidationError` for naive datetimes and for a span
        longer than :data:`MAX_CALENDAR_SPAN`.

        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> kyiv = WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")
        >>> friday = datetime(2026, 3, 6, 17, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
        >>> monday = datetime(2026, 3, 9, 10, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
        >>> kyiv.between(friday, monday), kyiv.between(monday, friday)
        (datetime.timedelta(seconds=7200), datetime.timedelta(days=-1, seconds=79200))
        """
        start_at, end_at = self._span("between", start, end)
        if end_at < start_at:
            return -self.between(end, start)
        first, until = self._day(start_at) - 1, self._day(end_at) + 1
        worked = _walk.between(self._plan, start_at, end_at, first, until)
        return timedelta(microseconds=worked)

    def intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The working intervals within ``[start, end)``, as ``(start, end)`` pairs in the
        calendar's zone, in order, cut to the span; intervals that meet (an overnight shift and
        the next morning's) are one. Nothing when ``end`` is not after ``start``.

        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> kyiv = WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")
        >>> friday = datetime(2026, 3, 6, 17, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
        >>> monday = datetime(2026, 3, 9, 10, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
        >>> [(a.isoformat(), b.isoformat()) for a, b in kyiv.intervals(friday, monday)]
        [('2026-03-06T17:00:00+02:00', '2026-03-06T18:00:00+02:00'),
         ('2026-03-09T09:00:00+02:00', '2026-03-09T10:00:00+02:00')]
        """
        start_at, end_at = self._span("intervals", start, end)
        if end_at <= start_at:
            return iter(())
        first, until = self._day(start_at) - 1, self._day(end_at) + 1
        pieces = _walk.merged(self._plan, start_at, end_at, first, until)
        return ((self._moment("intervals", a), self._moment("intervals", b)) for a, b in pieces)

    # -- helpers --------------------------------------------------------------------------------
    def _span(self, model: str, start: datetime, end: datetime) -> tuple[int, int]:
        start_at, end_at = self._instants(model, start=start, end=end)
        if abs(end_at - start_at) > MAX_CALENDAR_SPAN // _walk.MICRO:
            problem = Problem("end", _TOO_WIDE, end)
            raise ValidationError([problem], model=f"{_MODEL}.{model}")
        return start_at, end_at

    def _until(self, first: int) -> int:
        return first + MAX_CALENDAR_SPAN.days + 2

    def _day(self, moment: int) -> int:
        return _walk.local_day(self._plan, moment)

    def _moment(self, model: str, moment: int) -> datetime:
        return _walk.local_time(self._plan, moment, model=f"{_MODEL}.{model}")

    def _instants(self, model: str, **given: object) -> list[int]:
        return _walk.instants(given, model=f"{_MODEL}.{model}")

    def _has_hours(self, model: str) -> None:
        if self._plan.last == 0:
            message = (
                "this calendar has no working time at all: list shifts in week, "
                "or dated hours in exceptions"
            )
            raise ValidationError([Problem("week", message)], model=f"{_MODEL}.{model}")

    def _next_open(self, model: str, moment: int, at: datetime) -> int:
        self._has_hours(model)
        first = self._day(moment) - 1
        found = _walk.next_open(self._plan, moment, first, self._until(first))
        if found is None:
            problem = Problem(
                "at", "no working time within 100 years (MAX_CALENDAR_SPAN) after it", at
            )
            raise self._ran_out(model, first, problem)
        return found

    def _ran_out(self, model: str, first: int, otherwise: Problem) -> ValidationError:
        """The error for a walk that found too little: the calendar's working time ends (its
        week is empty, its last dated hours are past), or ``otherwise``."""
        last = self._plan.last
        if last is not None and last < self._until(first):
            day = date.fromordinal(last)
            message = (
                f"this calendar has no working time after {day}, the last day in exceptions "
                "with hours (its week has none): list shifts in week"
            )
            return ValidationError([Problem("week", message)], model=f"{_MODEL}.{model}")
        return ValidationError([otherwise], model=f"{_MODEL}.{model}")
