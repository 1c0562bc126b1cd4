"""A calendar's fields as code passes them: days by number or name, dates, lists of shifts.

The attrs converters of :class:`~leadmodel.domain.worktime.calendar.WorkCalendar` (lists and
sets in, tuples and frozensets kept; anything else left for the checks) and the checks that read
each field, naming every problem with its path in object terms (``week[7]``, ``week['mon'][1]``,
``exceptions[2026-05-01]``). The rules across fields are
:func:`~leadmodel.domain.worktime.shifts.schedule_problems`; a document's fields are read by
:mod:`~leadmodel.domain.worktime.document`.

>>> p = []
>>> days, paths = read_week(p, as_days({"mon": [Shift(start="09:00", end="18:00")], 7: []}))
>>> list(days), paths, [str(problem) for problem in p]
([0], {0: "week['mon']"}, ["week[7]: a day is 0 (Monday) to 6 (Sunday), or 'mon' to 'sun'; got 7"])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeVar, cast

from leadmodel._kernel import checks as c
from leadmodel._kernel.frozen_json import FrozenMap
from leadmodel.domain.worktime.shifts import DAY_NAMES, DAY_WORDS, Shift, is_date
from leadmodel.errors import Problem

__all__ = [
    "as_dated",
    "as_dates",
    "as_days",
    "frozen",
    "ordered",
    "read_exceptions",
    "read_holidays",
    "read_week",
]

K = TypeVar("K")
V = TypeVar("V")

_DAYS_HINT = "a day is 0 (Monday) to 6 (Sunday), or 'mon' to 'sun'"
_SHIFTS_HINT = "expected the day's shifts in a list, such as [Shift(start='09:00', end='18:00')]"


def as_days(value: Mapping[int, Iterable[Shift]] | Mapping[str, Iterable[Shift]]) -> Any:
    """An attrs converter: each day's (or date's) shifts as a tuple; anything else unchanged."""
    if isinstance(value, Mapping):
        return {key: c.as_tuple(shifts) for key, shifts in value.items()}
    return value


def as_dated(value: Mapping[date, Iterable[Shift]]) -> Any:
    return as_days(value)  # type: ignore[arg-type]


def as_dates(value: Iterable[date]) -> Any:
    return c.as_frozenset(value)


def _shifts(p: c.Problems, path: str, shifts: object) -> tuple[Shift, ...]:
    if type(shifts) is not tuple:
        p.append(Problem(path, _SHIFTS_HINT, shifts))
        return ()
    for i, shift in enumerate(shifts):
        if not isinstance(shift, Shift):
            p.append(Problem(f"{path}[{i}]", "expected a Shift", shift))
    return shifts


def read_week(p: c.Problems, value: object) -> tuple[dict[int, tuple[Shift, ...]], dict[int, str]]:
    """The week's shifts by day number, and the path of each day as the caller wrote it."""
    days: dict[int, tuple[Shift, ...]] = {}
    paths: dict[int, str] = {}
    if not isinstance(value, Mapping):
        hint = "expected the shifts by day, such as {0: [Shift(...)]} (0 = Monday) or {'mon': ...}"
        p.append(Problem("week", hint, value))
        return days, paths
    for key, shifts in value.items():
        path = f"week[{key!r}]"
        if type(key) is int and 0 <= key < len(DAY_NAMES):
            day = key
        elif type(key) is str and key in DAY_NAMES:
            day = DAY_NAMES.index(key)
        else:
            p.append(Problem(path, _DAYS_HINT, key))
            continue
        if day in days:
            message = f"{DAY_WORDS[day]} is listed twice ({paths[day]} too): list its shifts once"
            p.append(Problem(path, message))
            continue
        days[day], paths[day] = _shifts(p, path, shifts), path
    return days, paths


def read_holidays(p: c.Problems, value: object) -> frozenset[date]:
    if type(value) is not frozenset:
        hint = "expected the holidays' dates in a set or a list, such as [date(2026, 8, 24)]"
        p.append(Problem("holidays", hint, value))
        return frozenset()
    for day in value:
        if not is_date(day):
            p.append(Problem("holidays", "a holiday is a date (datetime.date), not a time", day))
    return frozenset(day for day in value if is_date(day))


def read_exceptions(p: c.Problems, value: object) -> dict[date, tuple[Shift, ...]]:
    if not isinstance(value, Mapping):
        hint = "expected the hours by date, such as {date(2026, 12, 31): [Shift(...)]}"
        p.append(Problem("exceptions", hint, value))
        return {}
    dated: dict[date, tuple[Shift, ...]] = {}
    for key, shifts in value.items():
        if not is_date(key):
            message = "an exception is keyed by its date (datetime.date), such as date(2026, 5, 1)"
            p.append(Problem(f"exceptions[{key!r}]", message, key))
            continue
        dated[key] = _shifts(p, f"exceptions[{key}]", shifts)
    return dated


def ordered(shifts: tuple[Shift, ...]) -> tuple[Shift, ...]:
    return tuple(sorted(shifts, key=lambda shift: shift.minutes))


def frozen(items: dict[K, V]) -> Mapping[K, V]:
    # FrozenMap is typed for documents' string keys; it holds any hashable key as well
    return cast(Mapping[K, V], FrozenMap(cast(Any, items)))
