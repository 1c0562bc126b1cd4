"""Strict (un)structuring hooks: no silent coercion, every rejection says what was expected."""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from typing import Any

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, list_structure_factory
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn

from leadmodel.domain.values.custom_json import JSON, MAX_JSON_INT, FrozenMap, freeze, thaw
from leadmodel.errors import Problem, ValidationError

_JSON_SCALARS = {type(None), bool, int, float, str}


def is_union(t: Any) -> bool:
    """``t`` is a union, written ``Union[...]`` or ``X | Y``."""
    return typing.get_origin(t) in (typing.Union, types.UnionType)


def require_list(value: object) -> list[Any]:
    """``value`` itself if it is a JSON array (a list); tuples and sets come only from arrays."""
    if type(value) is list:
        return value
    raise BadValue("expected a JSON array", value)


def is_json(t: Any) -> bool:
    """``t`` is the :data:`~leadmodel.JSON` union, however its forward refs resolved."""
    args = typing.get_args(t)
    return is_union(t) and len(args) == len(typing.get_args(JSON)) and (set(args) >= _JSON_SCALARS)


def is_json_map(t: Any) -> bool:
    args = typing.get_args(t)
    return typing.get_origin(t) is Mapping and args[:1] == (str,) and is_json(args[-1])


class BadValue(ValueError):
    """A value a hook rejects; carries the message for the error list."""

    def __init__(self, message: str, value: object) -> None:
        super().__init__(message)
        self.message = message
        self.value = value


def _str(value: object, t: type) -> Any:
    # also reached for str-based enums: singledispatch finds ``str`` before ``Enum`` in their MRO
    if t is not str:
        return _enum(value, t)
    if type(value) is str:
        return value
    raise BadValue("expected a string", value)


@cache
def _enum_values(cls: type[Enum]) -> tuple[dict[object, Enum], str]:
    return {m.value: m for m in cls}, ", ".join(repr(m.value) for m in cls)


def _enum(value: object, cls: Any) -> Enum:
    by_value, allowed = _enum_values(cls)
    try:
        return by_value[value]
    except (KeyError, TypeError):
        raise BadValue(f"expected one of {allowed}", value) from None


def _int(value: object, _: type) -> int:
    if type(value) is int and -MAX_JSON_INT <= value <= MAX_JSON_INT:
        return value
    raise BadValue("expected an integer (within ±2**63)", value)


def _float(value: object, _: type) -> float:
    if type(value) is float and math.isfinite(value):
        return value
    if type(value) is int and -MAX_JSON_INT <= value <= MAX_JSON_INT:
        return float(value)
    raise BadValue("expected a finite number", value)


def _bool(value: object, _: type) -> bool:
    if type(value) is bool:
        return value
    raise BadValue("expected true or false", value)


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
                return result
            raise BadValue(
                "the timestamp has no UTC offset; add one, e.g. '2026-03-01T09:30:00+02:00'", value
            )
    raise BadValue(
        "expected an ISO 8601 timestamp with offset, e.g. '2026-03-01T09:30:00+02:00'", value
    )


def json_map(value: object, _: Any = None) -> FrozenMap[JSON]:
    if type(value) is not dict:
        raise BadValue("expected a JSON object", value)
    return freeze(value)


def json_value(value: object, _: Any = None) -> JSON:
    return freeze({"": value})[""] if value is not None else None


def _collection_factory(
    converter: cattrs.Converter,
) -> Callable[[Any], Callable[[object, type], Any]]:
    def factory(t: Any) -> Callable[[object, type], Any]:
        origin = typing.get_origin(t)
        if origin is tuple:
            inner = homogenous_tuple_structure_factory(t, converter)
        else:
            as_list = list_structure_factory(list[typing.get_args(t)[0]], converter)  # type: ignore[arg-type,misc]

            def inner(value: Any, _: Any) -> Any:
                return frozenset(as_list(value, _))

        def structure(value: object, _: type) -> Any:
            return inner(require_list(value), t)

        return structure

    return factory


def _is_collection(t: Any) -> bool:
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    if origin is tuple:
        return args[1:] == (Ellipsis,)  # tuple[X, ...]
    return origin is frozenset


def _is_frozenset(t: Any) -> bool:
    return t is frozenset or typing.get_origin(t) is frozenset


def optional_inner(t: Any) -> Any | None:
    """``X`` for ``X | None``, else ``None``."""
    args = typing.get_args(t)
    if is_union(t) and len(args) == 2 and type(None) in args:  # noqa: PLR2004 - X | None
        return args[0] if args[1] is type(None) else args[1]
    return None


def _optional_structure(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    # cattrs' own optional hook looks the inner hook up on every call; resolve it once
    def factory(t: Any) -> Callable[..., Any]:
        inner_type = optional_inner(t)
        inner = converter.get_structure_hook(inner_type)
        if inner is _str and inner_type is str:
            return _opt_str

        def structure(value: object, _: Any = None) -> Any:
            return None if value is None else inner(value, inner_type)

        return structure

    return factory


def _opt_str(value: object, _: Any = None) -> str | None:
    if value is None or type(value) is str:
        return value
    raise BadValue("expected a string or null", value)


def _optional_unstructure(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    # an identity hook lets cattrs inline the attribute access in its generated code
    def factory(t: Any) -> Callable[..., Any]:
        inner = converter.get_unstructure_hook(optional_inner(t))
        if inner is identity:
            return identity

        def unstructure(value: Any) -> Any:
            return None if value is None else inner(value)

        return unstructure

    return factory


def _is_optional(t: Any) -> bool:
    return optional_inner(t) is not None


def _objects_only(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    # without this, a list where an object belongs fails deep inside cattrs with an AttributeError
    def factory(cls: Any) -> Callable[..., Any]:
        inner = make_dict_structure_fn(
            cls,
            converter,
            _cattrs_forbid_extra_keys=converter.forbid_extra_keys,
            _cattrs_detailed_validation=converter.detailed_validation,
        )

        def structure(value: object, _: Any = None) -> Any:
            if not isinstance(value, dict):
                raise BadValue("expected a JSON object", value)
            return inner(value, cls)

        return structure

    return factory


def configure(converter: cattrs.Converter) -> cattrs.Converter:
    """Register leadmodel's strict hooks on ``converter`` and return it."""
    for cls, fn in ((str, _str), (int, _int), (float, _float), (bool, _bool), (Enum, _enum)):
        converter.register_structure_hook(cls, fn)
    converter.register_structure_hook(Decimal, structure_decimal)
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(datetime, structure_datetime)
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook_func(is_json_map, json_map)
    converter.register_unstructure_hook_func(is_json_map, thaw)
    converter.register_structure_hook_func(is_json, json_value)
    converter.register_unstructure_hook_func(is_json, thaw)
    converter.register_structure_hook_factory(_is_collection, _collection_factory(converter))
    converter.register_unstructure_hook_func(_is_frozenset, sorted)
    converter.register_structure_hook_factory(_is_optional, _optional_structure(converter))
    if converter.detailed_validation:  # the fast path fails anyway and is re-run in detail
        converter.register_structure_hook_factory(attrs.has, _objects_only(converter))
    converter.register_unstructure_hook_factory(_is_optional, _optional_unstructure(converter))
    return converter


def problems_of(exc: BaseException, path: str = "") -> list[Problem]:  # noqa: PLR0911
    """Flatten a (possibly nested) structuring failure into problems with paths."""
    if isinstance(exc, ValidationError):
        return [p.within(path) for p in exc.errors]
    if isinstance(exc, BadValue):
        return [Problem(path, exc.message, exc.value)]
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        msg = "unexpected field; remove it (or load with extra='ignore')"
        return [Problem(_join(path, str(key)), msg) for key in sorted(exc.extra_fields, key=str)]
    if isinstance(exc, cattrs.ClassValidationError):
        found: list[Problem] = []
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            found += problems_of(sub, _join(path, note.name))
        for sub in without:
            found += problems_of(sub, path)
        return found
    if isinstance(exc, cattrs.IterableValidationError):
        found = []
        with_index, without = exc.group_exceptions()
        for sub, inote in with_index:
            found += problems_of(sub, f"{path}[{inote.index}]")
        for sub in without:
            found += problems_of(sub, path)
        return found
    if isinstance(exc, KeyError):
        return [Problem(path, "required field is missing")]
    if isinstance(exc, BaseExceptionGroup):
        return [p for sub in exc.exceptions for p in problems_of(sub, path)]
    return [Problem(path, f"invalid value ({type(exc).__name__}: {exc})")]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
