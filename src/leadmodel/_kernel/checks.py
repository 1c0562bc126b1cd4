"""The one validation vocabulary: field checks shared by the domain classes, and their words.

Each check appends a :class:`~leadmodel.errors.Problem` to a list instead of raising, so a
class can report every problem of an object at once. Checks are plain functions: they run
on every construction (including ``attrs.evolve``) and are kept cheap. The messages below are
the words every rejection uses, whether a constructor or the document converter
(:mod:`leadmodel._kernel.hooks`) finds the problem: "expected a string", "must not be blank".

>>> p: Problems = []
>>> text(p, "key", " ", "the key"); text(p, "label", 5, "the label")
>>> [str(problem) for problem in p]
["key: the key must not be blank; got ' '", 'label: expected a string; got 5']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, NoReturn

from leadmodel.errors import Problem, ValidationError

Problems = list[Problem]

MAX_VERSION = 2**63 - 1

EXPECTED_STRING = "expected a string"
EXPECTED_STRING_OR_NULL = "expected a string or null"
EXPECTED_BOOL = "expected true or false"
EXPECTED_INTEGER = "expected an integer (within ±2**63)"
EXPECTED_NUMBER = "expected a finite number"
EXPECTED_OBJECT = "expected a JSON object"
EXPECTED_ARRAY = "expected a JSON array"
MISSING = "required field is missing"
UNEXPECTED = "unexpected field; remove it (or load with extra='ignore')"
CODE_NOT_DATA = "holds a function, which is code, not data, so it cannot be dumped"
_AWARE_HINT = "pass a timezone-aware datetime, e.g. datetime(2026, 1, 2, tzinfo=timezone.utc)"


def blank(what: str) -> str:
    """The message for an empty or all-whitespace string."""
    return f"{what} must not be blank"


def one_of(values: Iterable[object]) -> str:
    """The message for a value outside ``values`` (enum members are shown by value).

    >>> one_of(["open", "won"])
    "expected one of 'open', 'won'"
    """
    return f"expected one of {listed(values)}"


def listed(values: Iterable[object]) -> str:
    """``'open', 'won'``: values as messages show them (enum members by value)."""
    return ", ".join(repr(v.value if isinstance(v, Enum) else v) for v in values)


def fail(model: str, problems: Problems) -> NoReturn:
    """Raise one :class:`ValidationError` carrying every problem found."""
    raise ValidationError(problems, model=model)


def text(p: Problems, path: str, value: object, what: str) -> None:
    """A required, non-blank string."""
    if type(value) is not str:
        p.append(Problem(path, EXPECTED_STRING, value))
    elif not value.strip():
        p.append(Problem(path, blank(what), value))


def opt_text(p: Problems, path: str, value: object, what: str) -> None:
    """``None`` or a non-blank string."""
    if value is not None:
        text(p, path, value, what)


def aware(p: Problems, path: str, value: object) -> None:
    """A timezone-aware datetime (naive datetimes are never assumed to be UTC)."""
    if not isinstance(value, datetime):
        p.append(Problem(path, f"expected a datetime; {_AWARE_HINT}", value))
    elif value.utcoffset() is None:  # None for naive datetimes (and for tzinfos without offset)
        p.append(Problem(path, f"naive datetime (no time zone); {_AWARE_HINT}", value))


def opt_aware(p: Problems, path: str, value: object) -> None:
    """``None`` or a timezone-aware datetime."""
    if value is not None:
        aware(p, path, value)


def instance(p: Problems, path: str, value: object, cls: type[Any] | tuple[type[Any], ...]) -> bool:
    """``value`` is an instance of ``cls``; returns whether it is."""
    if isinstance(value, cls):
        return True
    names = " or ".join(c.__name__ for c in (cls if isinstance(cls, tuple) else (cls,)))
    p.append(Problem(path, f"expected {names}", value))
    return False


def opt_instance(p: Problems, path: str, value: object, cls: type[Any]) -> bool:
    """``None`` or an instance of ``cls``."""
    return value is None or instance(p, path, value, cls)


def flag(p: Problems, path: str, value: object) -> None:
    """``True`` or ``False`` (never 0, 1 or a string)."""
    if type(value) is not bool:
        p.append(Problem(path, EXPECTED_BOOL, value))


def member(p: Problems, path: str, value: object, enum: type[Enum]) -> None:
    """A member of ``enum``."""
    if not isinstance(value, enum):
        p.append(Problem(path, f"expected a {enum.__name__} (one of {listed(enum)})", value))


def each(
    p: Problems, path: str, value: object, check: Callable[[Problems, str, object], None]
) -> None:
    """``value`` is a tuple and ``check`` passes for each item (paths ``path[i]``)."""
    if type(value) is not tuple:
        p.append(Problem(path, "expected a tuple", value))
        return
    for i, item in enumerate(value):
        check(p, f"{path}[{i}]", item)


def tuple_of(p: Problems, path: str, value: object, cls: type[Any]) -> None:
    """A tuple whose items are instances of ``cls``."""
    if type(value) is not tuple:
        p.append(Problem(path, f"expected a tuple of {cls.__name__}", value))
        return
    for i, item in enumerate(value):
        if not isinstance(item, cls):
            p.append(Problem(f"{path}[{i}]", f"expected {cls.__name__}", item))


def texts(p: Problems, path: str, value: object, what: str) -> None:
    """A tuple of non-blank strings."""
    if type(value) is not tuple:
        p.append(Problem(path, "expected a tuple of strings", value))
        return
    for i, item in enumerate(value):
        text(p, f"{path}[{i}]", item, what)


def distinct(p: Problems, path: str, value: object, what: str) -> None:
    """A tuple that lists each item once (checked only when it is a tuple of hashables)."""
    if type(value) is not tuple or not all(isinstance(v, str) for v in value):
        return
    if len(set(value)) != len(value):
        p.append(Problem(path, f"list each {what} once", value))


def non_negative(p: Problems, path: str, value: Decimal | int | float, what: str) -> None:
    """A number that is not below zero."""
    if value < 0:
        p.append(Problem(path, f"{what} cannot be negative", value))


def version(p: Problems, value: object) -> None:
    """An entity version: an int ≥ 0 (storage increments it on every save)."""
    if type(value) is not int or not 0 <= value <= MAX_VERSION:
        p.append(Problem("version", "the version is an int ≥ 0 (new entities start at 0)", value))


_IANA_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*$")
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@lru_cache(maxsize=1)
def _iana_zones() -> frozenset[str]:
    import zoneinfo

    return frozenset(zoneinfo.available_timezones()) - _NOT_ZONES


@lru_cache(maxsize=1024)
def _known_zone(name: str) -> bool:
    """An IANA zone name; never a file path, a POSIX TZ string or the machine's local zone."""
    zones = _iana_zones()
    if zones:
        return name in zones
    # no time zone database listing (a minimal system): a well-formed name dateutil can load
    from dateutil import tz

    try:
        return (
            bool(_IANA_NAME.match(name)) and name not in _NOT_ZONES and tz.gettz(name) is not None
        )
    except ValueError:
        return False


def time_zone(p: Problems, path: str, value: object) -> None:
    """``None`` or an IANA time zone name such as ``"Europe/Kyiv"``."""
    if value is not None and (type(value) is not str or not _known_zone(value)):
        p.append(
            Problem(path, "not a time zone name; use an IANA name such as 'Europe/Kyiv'", value)
        )
