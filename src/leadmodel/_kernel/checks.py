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
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from functools import cache, lru_cache
from typing import Any, NamedTuple, NoReturn

from leadmodel.errors import Problem, ValidationError

Problems = list[Problem]

MAX_VERSION = 2**63 - 1

MAX_PROBLEMS = 100
"""The most problems one reading of a document collects (``hooks.MAX_PROBLEMS``, and
:func:`~leadmodel._kernel.frozen_json.freeze`): past it, reading stops."""

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
NOT_UNICODE = (
    "holds a lone surrogate (such as '\\ud800'), which is not Unicode text and cannot be "
    "stored or written as JSON; decode the input with errors='strict' or remove the character"
)
OUT_OF_RANGE = (
    "the UTC instant is outside the years 1 to 9999 that datetimes hold; "
    "use a date within that range"
)
_AWARE_HINT = "pass a timezone-aware datetime, e.g. datetime(2026, 1, 2, tzinfo=timezone.utc)"


class MaxItems(NamedTuple):
    """The most items one collection of a class may hold, and the words for more.

    An element class declares it as its ``__max_items__`` (:data:`MAX_ITEMS`); the document
    converter then refuses a longer array by its length alone, before any item is read (the
    cost of reading the items is what the cap bounds), and the class's owner runs the same check
    (:func:`max_items`) on construction, so both say the one ``message(count)``.
    """

    most: int
    message: Callable[[int], str]


MAX_ITEMS = "__max_items__"
"""The class attribute naming an element class's :class:`MaxItems`."""

MAX_NODES = "__max_nodes__"
"""The attrs metadata key under which a JSON field declares a :class:`MaxItems` on the values
its tree holds (every object, array and scalar counts one), below ``MAX_CUSTOM_NODES``: the
spec hooks count the document's tree before it is frozen (``frozen_json.nodes_within``)."""


def max_items(p: Problems, name: str, value: object, cap: MaxItems) -> bool:
    """Whether ``value``, a tuple or a mapping, holds no more than ``cap.most`` items; records
    it if not (anything else passes, for the class's own check to report)."""
    if isinstance(value, tuple | Mapping) and len(value) > cap.most:
        p.append(Problem(name, cap.message(len(value))))
        return False
    return True


class MaxTotal(NamedTuple):
    """The most items some lists of a collection's items hold together, and the words for more.

    A cap bounds one list; this bounds lists spread over a collection (the ``on_enter`` of every
    status). A field declares it in its attrs ``metadata`` under :data:`MAX_TOTALS`, ``paths``
    naming the lists within one item by attribute (``"requires.fields"``); the document
    converter counts their lengths before an item is read, the owner's check
    (:func:`max_totals`) counts the built items, and both say the one ``message(count)``.
    """

    most: int
    paths: tuple[str, ...]
    message: Callable[[int], str]


MAX_TOTALS = "__max_totals__"
"""The attrs metadata key under which a field declares its tuple of :class:`MaxTotal`."""


def max_totals(p: Problems, name: str, items: object, totals: tuple[MaxTotal, ...]) -> bool:
    """Whether the lists ``totals`` name in ``items``, a tuple of built objects, hold no more
    than each total allows; records each total passed (anything else passes, for the class's
    own check to report)."""
    if type(items) is not tuple:
        return True
    within = True
    for total in totals:
        count = sum(_lengths(items, path) for path in total.paths)
        if count > total.most:
            p.append(Problem(name, total.message(count)))
            within = False
    return within


def _lengths(items: tuple[object, ...], path: str) -> int:
    """How many items the tuples at attribute ``path`` of ``items`` hold together (an item
    without one, such as a gap in a draft, holds none)."""
    values: Iterable[object] = items
    for name in path.split("."):
        values = [getattr(value, name, None) for value in values]
    return sum([len(value) for value in values if type(value) is tuple])


def blank(what: str) -> str:
    """The message for an empty or all-whitespace string."""
    return f"{what} must not be blank"


def one_of(values: Iterable[object]) -> str:
    """The message for a value outside ``values`` (enum members are shown by value).

    >>> one_of(["open", "won"])
    "expected one of 'open', 'won'"
    """
    return f"expected one of {listed(values)}"


CUSTOM = "custom."
"""The prefix of a field target that is a custom field: ``custom.<key>``."""


def target_problem(target: object, targets: Collection[str]) -> str | None:
    """Why ``target`` is not a field target (one of ``targets``, or ``custom.<key>``), for a
    mapping of columns or form fields to fields; ``None`` when it is one.

    >>> target_problem("custom.city", ["name"]) is None, target_problem("mobile", ["name"])
    (True, "expected one of 'name', or 'custom.<key>'")
    """
    if type(target) is not str:
        return EXPECTED_STRING
    if target in targets or (target.startswith(CUSTOM) and target[len(CUSTOM) :].strip()):
        return None
    return f"{one_of(targets)}, or 'custom.<key>'"


def listed(values: Iterable[object]) -> str:
    """``'open', 'won'``: values as messages show them (enum members by value)."""
    return ", ".join(repr(v.value if isinstance(v, Enum) else v) for v in values)


def fail(model: str, problems: Problems) -> NoReturn:
    """Raise one :class:`ValidationError` carrying every problem found."""
    raise ValidationError(problems, model=model)


_SURROGATE = re.compile("[\ud800-\udfff]")


def is_unicode(value: str) -> bool:
    """Whether ``value`` is Unicode text: no lone surrogate, so it encodes as UTF-8 (and JSON).

    The one check of text every string field and the converter use.

    >>> is_unicode("Олена 👩"), is_unicode("a\\ud800")
    (True, False)
    """
    return value.isascii() or _SURROGATE.search(value) is None


def unicode(p: Problems, path: str, value: object) -> None:
    """A string, if ``value`` is one, is Unicode text (see :func:`is_unicode`)."""
    if type(value) is str and not is_unicode(value):
        p.append(Problem(path, NOT_UNICODE, value))


def text(p: Problems, path: str, value: object, what: str) -> None:
    """A required, non-blank string of Unicode text."""
    if type(value) is not str:
        p.append(Problem(path, EXPECTED_STRING, value))
    elif not (value.isascii() or is_unicode(value)):  # most text is ASCII: no call
        p.append(Problem(path, NOT_UNICODE, value))
    elif not value.strip():
        p.append(Problem(path, blank(what), value))


def opt_free_text(p: Problems, path: str, value: object, what: str) -> None:
    """``None`` or a string of Unicode text, blank allowed (a note, a message)."""
    if value is None:
        return
    if type(value) is not str:
        p.append(Problem(path, f"{what} must be a string", value))
    else:
        unicode(p, path, value)


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
    elif not in_range(value):
        p.append(Problem(path, OUT_OF_RANGE, value))


def in_range(value: datetime) -> bool:
    """Whether an aware datetime's UTC instant is a datetime too (years 1 to 9999).

    ``0001-01-01T00:00+14:00`` is not: it is in year 0 in UTC, and every comparison with
    a time elsewhere, and every conversion to UTC, would overflow.
    """
    if 1 < value.year < 9999:  # noqa: PLR2004 - only the first and last years can overflow
        return True
    try:
        value.astimezone(UTC)
    except OverflowError:
        return False
    return True


def opt_aware(p: Problems, path: str, value: object) -> None:
    """``None`` or a timezone-aware datetime."""
    if value is not None:
        aware(p, path, value)


def fixed_offset(value: datetime) -> datetime:
    """The datetime rule: an aware datetime held by an entity, record or event is kept as the
    same instant and the same wall time with a fixed UTC offset (``timezone(offset)``).

    Python compares two datetimes that share a tzinfo by wall clock and ignores ``fold``
    (PEP 495), so with a zone such as ``ZoneInfo("Europe/Kyiv")`` a time in the autumn
    overlap compares wrongly with its neighbours. With fixed offsets every comparison is a
    comparison of instants, and the ISO 8601 text a store keeps reads back as an equal value.
    The offset (not UTC) is kept because it is what the user saw, and it needs no conversion
    that could overflow at the ends of the calendar. Used as the attrs converter of every
    datetime field; anything that is not an aware datetime is returned unchanged for the
    class's own check (:func:`aware`) to report.

    >>> from zoneinfo import ZoneInfo
    >>> later = fixed_offset(datetime(2026, 10, 25, 3, 10, fold=1, tzinfo=ZoneInfo("Europe/Kyiv")))
    >>> later.isoformat()
    '2026-10-25T03:10:00+02:00'
    >>> fixed_offset(datetime(2026, 10, 25, 3, 50, tzinfo=ZoneInfo("Europe/Kyiv"))) < later
    True
    """
    if type(value) is datetime and type(value.tzinfo) is timezone and not value.fold:
        return value  # already fixed: the common case, kept cheap
    if not isinstance(value, datetime):
        return value
    try:
        offset = value.utcoffset()
    except (TypeError, ValueError):  # a broken tzinfo: the check reports it
        return value
    if offset is None:
        return value
    return datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        tzinfo=_zone(offset),
    )


def opt_fixed_offset(value: datetime | None) -> datetime | None:
    """:func:`fixed_offset` for a datetime field that may be ``None``."""
    return None if value is None else fixed_offset(value)


@lru_cache(maxsize=256)
def _zone(offset: timedelta) -> timezone:
    return timezone(offset)  # timezone(timedelta(0)) is timezone.utc itself


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


def as_member(enum: type[Enum], value: object) -> Any:
    """An attrs converter: a member's value (``"email"``) as the member of ``enum``; anything
    else as given, for the class's own check (:func:`member`) to name.

    >>> from enum import StrEnum
    >>> class Kind(StrEnum):
    ...     email = "email"
    >>> as_member(Kind, "email"), as_member(Kind, "fax")
    (<Kind.email: 'email'>, 'fax')
    """
    if isinstance(value, str) and not isinstance(value, enum) and value in _values(enum):
        return enum(value)
    return value


@cache
def _values(enum: type[Enum]) -> frozenset[object]:
    return frozenset(item.value for item in enum)


def each(
    p: Problems, path: str, value: object, check: Callable[[Problems, str, object], None]
) -> None:
    """``value`` is a tuple and ``check`` passes for each item (paths ``path[i]``)."""
    if type(value) is not tuple:
        p.append(Problem(path, "expected a tuple", value))
        return
    for i, item in enumerate(value):
        check(p, f"{path}[{i}]", item)


def _iterable(value: object) -> bool:
    """Whether ``value`` is a collection of items to store in order: a list, a generator...,
    not a text (a string is not a list of letters), a mapping or an unordered set."""
    return isinstance(value, Iterable) and not isinstance(
        value, str | bytes | bytearray | Mapping | set | frozenset
    )


def as_tuple(value: object) -> Any:
    """An attrs converter: any ordered iterable (a list, a generator) as a tuple; anything
    else unchanged, for the class's own check to report."""
    if type(value) is tuple or not _iterable(value):
        return value
    return tuple(value)  # type: ignore[arg-type]


def as_frozenset(value: object) -> Any:
    """An attrs converter: any iterable of items (a list, a set) as a frozenset; a text, a
    mapping or anything else unchanged, for the class's own check to report."""
    if type(value) is frozenset:
        return value
    if isinstance(value, set) or _iterable(value):
        try:
            return frozenset(value)  # type: ignore[call-overload]
        except TypeError:  # an item that cannot be in a set (a list): the check names it
            return value
    return value


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
