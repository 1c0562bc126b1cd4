"""Working time as data: shifts, the days of the week, and the rules a schedule keeps.

A :class:`Shift` is a working interval in local wall time. Its ``end`` at or before its
``start`` means it runs past midnight into the next day: ``22:00–06:00`` is an overnight shift,
and ``00:00–00:00`` (``start == end``) is a whole day, 24 hours of wall time from ``start``. So a
shift is never empty. Times are whole minutes, written ``"HH:MM"`` (24-hour) in documents.

A schedule never lets two shifts overlap, on one day or across midnight (an overnight shift and
the next morning's), so a calendar's working time is one set of disjoint intervals.

>>> shift = Shift(start="22:00", end="06:00")
>>> str(shift), shift.overnight, shift.length
('22:00–06:00', True, datetime.timedelta(seconds=28800))
>>> Shift(start="9:00", end="24:00")
Traceback (most recent call last):
...
leadmodel.errors.ValidationError: 2 problems:
  Shift.start: expected a time of day 'HH:MM' (24-hour), such as '09:00'; got '9:00'
  Shift.end: midnight is '00:00' (a shift that ends at or before its start ends the next day);
  got '24:00'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.documents import Spec
from leadmodel.errors import Problem

__all__ = [
    "DAY_NAMES",
    "DAY_WORDS",
    "MINUTES_A_DAY",
    "Shift",
    "ShiftDocument",
    "is_date",
    "parse_date",
    "schedule_problems",
]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The days of the week as documents name them; a day's number (0 = Monday) is its index."""

DAY_WORDS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
"""The days of the week as messages name them."""

MINUTES_A_DAY = 24 * 60

_HH_MM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_TIME_HINT = "expected a time of day 'HH:MM' (24-hour), such as '09:00'"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _as_time(value: time | str) -> Any:
    """An attrs converter: ``"HH:MM"`` as a ``time``; anything else unchanged, for the check."""
    if type(value) is str and (found := _HH_MM.fullmatch(value)):
        return time(int(found.group(1)), int(found.group(2)))
    return value


def _time_problem(value: object) -> str | None:
    """What is wrong with ``value`` as a shift's start or end, or ``None``."""
    if type(value) is time:
        if value.tzinfo is not None:
            return "a shift is in the calendar's wall time: pass a time without tzinfo"
        if value.second or value.microsecond or value.fold:
            return "a shift starts and ends on a whole minute (HH:MM)"
        return None
    if value == "24:00":
        return "midnight is '00:00' (a shift that ends at or before its start ends the next day)"
    return _TIME_HINT


def _native_times(document: dict[str, Any]) -> dict[str, Any]:
    # TOML has times of its own (``start = 09:00:00``); a document holds them as "HH:MM"
    return {
        k: f"{v:%H:%M}" if type(v) is time and _time_problem(v) is None else v
        for k, v in document.items()
    }


@attrs.frozen(kw_only=True)
class ShiftDocument(Spec, load=_native_times):
    """A shift as a document: ``{ start = "09:00", end = "18:00" }``."""

    start: str
    end: str

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "start", self.start, "the start")
        c.text(p, "end", self.end, "the end")
        if p:
            c.fail("Shift", p)


@attrs.frozen(kw_only=True)
class Shift:
    """A working interval in local wall time, from ``start`` to ``end``.

    ``end`` at or before ``start`` runs into the next day (``22:00–06:00``); ``start == end``
    is a whole day from ``start``. Pass ``datetime.time`` values or ``"HH:MM"`` text; times are
    whole minutes without tzinfo (the calendar's zone gives them their instants).
    """

    start: time = attrs.field(converter=_as_time)
    end: time = attrs.field(converter=_as_time)

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        for name in ("start", "end"):
            value = getattr(self, name)
            if (problem := _time_problem(value)) is not None:
                p.append(Problem(name, problem, value))
        if p:
            c.fail("Shift", p)

    @property
    def overnight(self) -> bool:
        """Whether the shift runs past midnight into the next day (``end <= start``)."""
        return self.end <= self.start

    @property
    def length(self) -> timedelta:
        """How long the shift is in wall time (a DST change on its day makes it shorter or
        longer in real time)."""
        start, end = self.minutes
        return timedelta(minutes=end - start)

    @property
    def minutes(self) -> tuple[int, int]:
        """``(start, end)`` in minutes from the midnight that starts the shift's day; the end
        is past ``MINUTES_A_DAY`` for an overnight shift."""
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return start, end if end > start else end + MINUTES_A_DAY

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    # -- the converter's side (leadmodel._kernel.hooks.WRITTEN_AS) ----------------------------
    __written_as__: ClassVar[type[ShiftDocument]] = ShiftDocument

    def _to_document(self) -> ShiftDocument:
        return ShiftDocument(start=f"{self.start:%H:%M}", end=f"{self.end:%H:%M}")

    @classmethod
    def _from_document(cls, document: ShiftDocument) -> Shift:
        return cls(start=document.start, end=document.end)


def is_date(value: object) -> bool:
    """Whether ``value`` is a date and not a datetime (a ``datetime`` is a ``date`` subclass).

    >>> is_date(date(2026, 5, 1)), is_date(datetime(2026, 5, 1))
    (True, False)
    """
    return isinstance(value, date) and not isinstance(value, datetime)


def parse_date(value: object) -> date | None:
    """An ISO date ``"YYYY-MM-DD"`` as a ``date`` (a date stays one), or ``None``.

    >>> parse_date("2026-05-01"), parse_date("1 May"), parse_date("2026-02-30")
    (datetime.date(2026, 5, 1), None, None)
    """
    if is_date(value):
        return value  # type: ignore[return-value]
    if type(value) is not str or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


# -- the rules of a schedule ----------------------------------------------------------------

_WEEK = 7 * MINUTES_A_DAY

# a shift on a line of minutes: (start, end, shift, where) -- "where" names its day in messages
_Entry = tuple[int, int, Shift, str]


def _overlaps(entries: list[_Entry]) -> list[tuple[_Entry, _Entry]]:
    """Every overlapping pair: sorted by start, each entry against the one reaching furthest
    before it (n log n)."""
    found = []
    furthest: _Entry | None = None
    for entry in sorted(entries, key=lambda e: (e[0], e[1])):
        if furthest is not None and entry[0] < furthest[1]:
            found.append((furthest, entry))
        if furthest is None or entry[1] > furthest[1]:
            furthest = entry
    return found


def _overlap_message(first: _Entry, second: _Entry) -> str:
    if first[:2] == second[:2]:
        return f"the shift {first[2]} is listed twice {first[3]}: list it once"
    return (
        f"the shift {first[2]} {first[3]} overlaps {second[2]} {second[3]}: shifts never "
        "overlap; end one where the other starts (or join them into one)"
    )


def _entries(shifts: Iterable[object], day: int, where: str) -> list[_Entry]:
    out = []
    for shift in shifts:
        if isinstance(shift, Shift):  # anything else is reported by the shape checks
            start, end = shift.minutes
            out.append((day * MINUTES_A_DAY + start, day * MINUTES_A_DAY + end, shift, where))
    return out


def _day_of(entry: _Entry) -> int:
    return entry[0] // MINUTES_A_DAY


def schedule_problems(
    week: Mapping[int, Iterable[object]],
    exceptions: Mapping[date, Iterable[object]],
    holidays: frozenset[date],
    *,
    day_path: Callable[[int], str],
    date_path: Callable[[date], str],
) -> c.Problems:
    """The problems of a schedule whose days and dates are read: overlapping shifts (in the
    week, which wraps from Sunday to Monday, and around each dated exception) and dates that
    are both a holiday and an exception. Items that are not shifts are skipped (the caller
    reports them). Paths come from ``day_path`` (day 0 = Monday) and ``date_path``.

    >>> monday = (Shift(start="09:00", end="13:00"), Shift(start="12:00", end="18:00"))
    >>> [str(p) for p in schedule_problems({0: monday}, {}, frozenset(),
    ...     day_path=lambda d: f"week[{d}]", date_path=str)]
    ['week[0]: the shift 09:00–13:00 on Monday overlaps 12:00–18:00 on Monday: shifts never
    overlap; end one where the other starts (or join them into one)']
    """
    p: c.Problems = []
    entries = [e for d, s in week.items() for e in _entries(s, d, f"on {DAY_WORDS[d]}")]
    # Sunday's overnight shifts run into Monday: a copy of each sits before Monday too
    entries += [(s - _WEEK, e - _WEEK, x, w) for s, e, x, w in entries if e > _WEEK]
    for first, second in _overlaps(entries):
        if second[0] >= 0:  # not two copies (their originals are the same pair)
            p.append(Problem(day_path(_day_of(second)), _overlap_message(first, second)))
    for day in sorted(exceptions):
        p += _dated_problems(day, week, exceptions, holidays, date_path)
    for day in sorted(holidays & exceptions.keys()):
        message = (
            f"{day} is a holiday and has dated hours too: remove it from holidays, "
            "or give it no hours in exceptions (an empty list closes the day)"
        )
        p.append(Problem(date_path(day), message))
    return p


def _dated_problems(
    day: date,
    week: Mapping[int, Iterable[object]],
    exceptions: Mapping[date, Iterable[object]],
    holidays: frozenset[date],
    date_path: Callable[[date], str],
) -> c.Problems:
    """Overlaps of a dated day's shifts with each other and with the days either side of it
    (a pair with the next day is left to that day when it is dated too)."""

    def shifts_of(d: date) -> Iterable[object]:
        if d in exceptions:
            return exceptions[d]
        return () if d in holidays else week.get(d.weekday(), ())

    entries: list[_Entry] = []
    for i, d in enumerate(_around(day)):
        if d is not None and (i != 2 or d not in exceptions):  # noqa: PLR2004 - the next day
            entries += _entries(shifts_of(d), i, f"on {d}")
    pairs = [(a, b) for a, b in _overlaps(entries) if 1 in (_day_of(a), _day_of(b))]
    return [Problem(date_path(day), _overlap_message(a, b)) for a, b in pairs]


def _around(day: date) -> tuple[date | None, date, date | None]:
    """The day before ``day``, the day and the day after (``None`` past the ends of time)."""
    try:
        before: date | None = day - timedelta(days=1)
    except OverflowError:
        before = None
    try:
        after: date | None = day + timedelta(days=1)
    except OverflowError:
        after = None
    return before, day, after
