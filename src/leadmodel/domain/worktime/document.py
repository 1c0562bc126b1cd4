"""A work calendar as a document: days by name, dates as ISO text, shifts as ``"HH:MM"``.

:class:`~leadmodel.domain.worktime.calendar.WorkCalendar` holds days as numbers (0 = Monday),
dates as ``date`` values and shifts as ``time`` values; its document, read and written by the one
converter, holds them as text (here in TOML)::

    key = "support"
    time_zone = "Europe/Kyiv"
    holidays = ["2026-08-24"]

    [week]
    mon = [{ start = "09:00", end = "13:00" }, { start = "14:00", end = "18:00" }]
    sat = [{ start = "22:00", end = "06:00" }]

    [exceptions]
    2026-12-31 = [{ start = "09:00", end = "14:00" }]
    2026-05-01 = []

The document checks itself with the calendar's own rules
(:func:`~leadmodel.domain.worktime.shifts.schedule_problems`), naming each problem in document
terms (``week.mon[1].start``, ``exceptions.2026-05-01``), so a bad document reports every
problem at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.documents import Spec
from leadmodel._kernel.frozen_json import FrozenMap
from leadmodel.domain.worktime.shifts import (
    DAY_NAMES,
    Shift,
    is_date,
    parse_date,
    schedule_problems,
)
from leadmodel.errors import Problem

__all__ = ["DATE_HINT", "CalendarDocument", "WeekDocument"]

DATE_HINT = "expected a date 'YYYY-MM-DD', such as '2026-05-01'"
_WEEK_HINT = "list the working hours by day, such as week = { mon = [{ start = '09:00', ... }] }"
_NO_SHIFTS: Mapping[str, tuple[Shift, ...]] = FrozenMap()


def _native_dates(document: dict[str, Any]) -> dict[str, Any]:
    # TOML has dates of its own (``holidays = [2026-08-24]``); a document holds them as text
    holidays = document.get("holidays")
    if type(holidays) is list:
        written = [h.isoformat() if is_date(h) else h for h in holidays]
        return {**document, "holidays": written}
    return document


@attrs.frozen(kw_only=True)
class WeekDocument(Spec):
    """A week's shifts by day, ``mon`` to ``sun``; a day left out is closed."""

    mon: tuple[Shift, ...] = ()
    tue: tuple[Shift, ...] = ()
    wed: tuple[Shift, ...] = ()
    thu: tuple[Shift, ...] = ()
    fri: tuple[Shift, ...] = ()
    sat: tuple[Shift, ...] = ()
    sun: tuple[Shift, ...] = ()


@attrs.frozen(kw_only=True)
class CalendarDocument(Spec, hints={"week": _WEEK_HINT}, load=_native_dates):
    """A work calendar as data (see the module docstring)."""

    key: str | None = None
    time_zone: str
    week: WeekDocument
    holidays: frozenset[str] = frozenset()
    exceptions: Mapping[str, tuple[Shift, ...]] = _NO_SHIFTS

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.opt_text(p, "key", self.key, "the calendar key")
        c.time_zone(p, "time_zone", self.time_zone)
        week = self.days()
        holidays = self.holiday_dates(p)
        exceptions = self.dated(p)
        p += schedule_problems(
            week,
            exceptions,
            holidays,
            day_path=lambda day: f"week.{DAY_NAMES[day]}",
            date_path=lambda day: f"exceptions.{day}",
        )
        if p:
            c.fail("WorkCalendar", p)

    def days(self) -> dict[int, tuple[Shift, ...]]:
        """The week's shifts by day number (0 = Monday), closed days left out."""
        if not isinstance(self.week, WeekDocument):  # a stand-in for a week that did not load
            return {}
        days = {day: getattr(self.week, name) for day, name in enumerate(DAY_NAMES)}
        return {day: shifts for day, shifts in days.items() if type(shifts) is tuple and shifts}

    def holiday_dates(self, p: c.Problems) -> frozenset[date]:
        """The holidays as dates; text that is not a date is a problem."""
        if type(self.holidays) is not frozenset:
            return frozenset()
        found = set()
        for text in sorted(self.holidays, key=str):
            day = parse_date(text)
            if day is None:
                p.append(Problem("holidays", DATE_HINT, text))
            else:
                found.add(day)
        return frozenset(found)

    def dated(self, p: c.Problems) -> dict[date, tuple[Shift, ...]]:
        """The exceptions by date; a key that is not a date is a problem."""
        dated: dict[date, tuple[Shift, ...]] = {}
        if not isinstance(self.exceptions, Mapping):
            return dated
        for text, shifts in self.exceptions.items():
            day = parse_date(text)
            if day is None:
                p.append(Problem(f"exceptions.{text}", DATE_HINT, text))
            else:
                dated[day] = shifts
        return dated
