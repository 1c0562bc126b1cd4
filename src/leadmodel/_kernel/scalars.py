"""Strict hooks for single values: no silent coercion, every rejection says what was expected.

The words come from :mod:`leadmodel._kernel.checks`, so a document and a constructor reject a
value the same way: ``expected a string``, ``expected true or false``, ``expected one of ...``.

>>> structure_timedelta("PT1H30M"), unstructure_timedelta(timedelta(days=7))
(datetime.timedelta(seconds=5400), 'P7D')
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum, StrEnum
from functools import cache
from operator import attrgetter
from typing import Any

import cattrs
from cattrs.fns import identity

from leadmodel._kernel import checks as c
from leadmodel._kernel.frozen_json import JSON, MAX_JSON_INT, FrozenMap, freeze, freeze_value, thaw

_JSON_SCALARS = {type(None), bool, int, float, str}


class BadValue(ValueError):
    """A value a hook rejects; carries the message for the error list."""

    def __init__(self, message: str, value: object) -> None:
        super().__init__(message)
        self.message = message
        self.value = value


def is_union(t: Any) -> bool:
    """``t`` is a union, written ``Union[...]`` or ``X | Y``."""
    return typing.get_origin(t) in (typing.Union, types.UnionType)


def is_json(t: Any) -> bool:
    """``t`` is the :data:`~leadmodel.JSON` union, however its forward refs resolved."""
    args = typing.get_args(t)
    return is_union(t) and len(args) == len(typing.get_args(JSON)) and (set(args) >= _JSON_SCALARS)


def is_json_map(t: Any) -> bool:
    args = typing.get_args(t)
    return typing.get_origin(t) is Mapping and args[:1] == (str,) and is_json(args[-1])


def structure_str(value: object, t: type) -> Any:
    """A string, as it is (never a number turned into one)."""
    # also reached for str-based enums: singledispatch finds ``str`` before ``Enum`` in their MRO
    if t is not str:
        return _enum(value, t)
    if type(value) is str:
        # a lone surrogate is refused by the class the string belongs to (every text field is
        # checked by its class, through ``checks``): checking here too would read it twice
        return value
    raise BadValue(c.EXPECTED_STRING, value)


@cache
def _enum_values(cls: type[Enum]) -> tuple[dict[object, Enum], str]:
    return {m.value: m for m in cls}, c.one_of(cls)


def _enum(value: object, cls: Any) -> Enum:
    by_value, message = _enum_values(cls)
    try:
        return by_value[value]
    except (KeyError, TypeError):
        raise BadValue(message, value) from None


def _int(value: object, _: type) -> int:
    if type(value) is int and -MAX_JSON_INT <= value <= MAX_JSON_INT:
        return value
    raise BadValue(c.EXPECTED_INTEGER, value)


def _float(value: object, _: type) -> float:
    if type(value) is float and math.isfinite(value):
        return value
    if type(value) is int and -MAX_JSON_INT <= value <= MAX_JSON_INT:
        return float(value)
    raise BadValue(c.EXPECTED_NUMBER, value)


def _bool(value: object, _: type) -> bool:
    if type(value) is bool:
        return value
    raise BadValue(c.EXPECTED_BOOL, value)


def structure_decimal(value: object, _: Any = None) -> Decimal:
    if type(value) is str:
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise BadValue(
                "not a decimal number; send amounts as strings such as '12.50'", value
            ) from None
        if result.is_finite():
            return result
    elif type(value) is int:
        return Decimal(value)
    raise BadValue(
        "expected a decimal amount as a string, such as '12.50' (floats lose cents)", value
    )


def structure_datetime(value: object, _: Any = None) -> datetime:
    if type(value) is str:
        try:
            result = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if result.tzinfo is not None:
                if c.in_range(result):
                    return result
                raise BadValue(c.OUT_OF_RANGE, value)
            raise BadValue(
                "the timestamp has no UTC offset; add one, e.g. '2026-03-01T09:30:00+02:00'", value
            )
    raise BadValue(
        "expected an ISO 8601 timestamp with offset, e.g. '2026-03-01T09:30:00+02:00'", value
    )


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def structure_date(value: object, _: Any = None) -> date:
    """A calendar day written ``YYYY-MM-DD`` (a timestamp is not a day: refused)."""
    if type(value) is str and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise BadValue("expected a date written YYYY-MM-DD, such as '2026-05-01'", value)


def _iso_date(value: date) -> str:
    return value.isoformat()


_DURATION = re.compile(
    r"(-?)P(?:(\d{1,9})W)?(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9}(?:\.\d{1,6})?)S)?)?"
)
_DURATION_HINT = "expected an ISO 8601 duration such as 'P7D' (7 days) or 'PT12H' (12 hours)"


def structure_timedelta(value: object, _: Any = None) -> timedelta:
    """An ISO 8601 duration of weeks, days, hours, minutes and seconds (``P7D``, ``PT1H30M``)."""
    text = value if type(value) is str else ""
    found = _DURATION.fullmatch(text)
    if found is None or text.lstrip("-") in ("P", "PT") or text.endswith("T"):
        raise BadValue(_DURATION_HINT, value)
    sign, *parts = found.groups()
    weeks, days, hours, minutes, seconds = (float(part) if part else 0.0 for part in parts)
    try:
        length = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise BadValue(_DURATION_HINT, value) from None
    return -length if sign else length


def unstructure_timedelta(value: timedelta) -> str:
    """``value`` as an ISO 8601 duration: ``P7D``, ``PT12H``, ``P1DT0.5S`` (``-PT1H`` before)."""
    days, rest, micros = value.days, value.seconds, value.microseconds
    if days < 0:  # a timedelta's seconds and microseconds are never negative: only its days
        return "-" + unstructure_timedelta(-value)
    if not rest and not micros:
        return f"P{days}D" if days else "PT0S"
    text = f"P{days}DT" if days else "PT"
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if micros:
        return text + f"{seconds}.{micros:06d}".rstrip("0") + "S"
    return text + f"{seconds}S" if seconds else text


def json_map(value: object, _: Any = None) -> FrozenMap[JSON]:
    if type(value) is not dict:
        raise BadValue(c.EXPECTED_OBJECT, value)
    return freeze(value)


def json_value(value: object, _: Any = None) -> JSON:
    return freeze_value(value) if value is not None else None


def _is_scalar_union(t: Any) -> bool:
    """``str | int | float | bool | None`` and the like: a union of JSON scalars only."""
    args = set(typing.get_args(t))
    return is_union(t) and len(args) > 2 and args <= _JSON_SCALARS  # noqa: PLR2004 - X | None is optional


def _scalar_union(t: Any) -> Callable[[object, Any], Any]:
    allowed = set(typing.get_args(t))
    if float in allowed:
        allowed.add(int)  # a JSON number without a fraction is still a number
    words = ((str, "a string"), (int, "a number"), (bool, "true or false"), (type(None), "null"))
    message = "expected " + ", ".join(word for kind, word in words if kind in allowed)

    def structure(value: object, _: Any = None) -> Any:
        if type(value) in allowed and _finite(value):
            return value
        raise BadValue(message, value)

    return structure


def _finite(value: object) -> bool:
    if type(value) is float:
        return math.isfinite(value)
    return type(value) is not int or -MAX_JSON_INT <= value <= MAX_JSON_INT


# ``_value_`` is what ``Enum.value`` returns; read directly, without the property's descriptor
_enum_value = attrgetter("_value_")


def configure(converter: cattrs.Converter) -> cattrs.Converter:
    """Register the strict hooks for single values on ``converter`` and return it."""
    for cls, fn in (
        (str, structure_str),
        (int, _int),
        (float, _float),
        (bool, _bool),
        (Enum, _enum),
    ):
        converter.register_structure_hook(cls, fn)
    # enums go out as their values (documents are plain JSON data); registered on StrEnum
    # itself because their MRO puts ``str`` (passed through as is) before ``Enum``
    converter.register_unstructure_hook(StrEnum, _enum_value)
    converter.register_unstructure_hook(Enum, _enum_value)
    converter.register_structure_hook(Decimal, structure_decimal)
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(datetime, structure_datetime)
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(date, structure_date)
    converter.register_unstructure_hook(date, _iso_date)
    converter.register_structure_hook(timedelta, structure_timedelta)
    converter.register_unstructure_hook(timedelta, unstructure_timedelta)
    converter.register_structure_hook_func(is_json_map, json_map)
    converter.register_unstructure_hook_func(is_json_map, thaw)
    converter.register_structure_hook_func(is_json, json_value)
    converter.register_unstructure_hook_func(is_json, thaw)
    converter.register_structure_hook_factory(_is_scalar_union, _scalar_union)
    converter.register_unstructure_hook_func(_is_scalar_union, identity)
    return converter
