"""JSON and dict (de)serialisation of every public type, through one configured cattrs converter.

Documents are plain JSON: decimals as strings, datetimes as ISO 8601 with offset, enums by
value, and a ``schema_version`` at the top. Loading is strict: wrong types, missing
fields, unknown fields (unless ``extra="ignore"``), malformed JSON, huge numbers and deep
nesting raise :class:`~leadmodel.errors.ValidationError`, whose ``errors`` lists every
problem with its path.

>>> from datetime import datetime, timezone
>>> from leadmodel import Money, StatusChange
>>> to_dict(Money.of("12.50", "EUR"))
{'schema_version': 1, 'amount': '12.50', 'currency': 'EUR'}
>>> from_json(Money, '{"amount": 12.5, "currency": "EUR", "rate": 1}')
Traceback (most recent call last):
...
leadmodel.errors.ValidationError: 2 problems:
  Money.amount: expected a decimal amount as a string, such as '12.50' (floats lose cents); got 12.5
  Money.rate: unexpected field; remove it (or load with extra='ignore')
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

import cattrs

from leadmodel.errors import Problem, ValidationError
from leadmodel.serde import _json
from leadmodel.serde._hooks import configure, problems_of

__all__ = ["SCHEMA_VERSION", "Extra", "from_dict", "from_json", "to_dict", "to_json"]

SCHEMA_VERSION = 1
"""The version of the document layout written by :func:`to_dict` and :func:`to_json`."""

Extra = Literal["forbid", "ignore"]
"""What loading does with fields the type does not have: reject them (default) or drop them."""

T = TypeVar("T")


def _converter(*, forbid: bool, detailed: bool) -> cattrs.Converter:
    return configure(cattrs.Converter(forbid_extra_keys=forbid, detailed_validation=detailed))


# Fast converters structure valid input; the detailed ones run only after a failure, to
# list every problem with its path (bad input is rare, so its cost does not matter).
_FAST = {
    "forbid": _converter(forbid=True, detailed=False),
    "ignore": _converter(forbid=False, detailed=False),
}
_DETAILED = {
    "forbid": _converter(forbid=True, detailed=True),
    "ignore": _converter(forbid=False, detailed=True),
}
_UNSTRUCTURE = _FAST["forbid"]


def to_dict(obj: object) -> dict[str, Any]:
    """Return ``obj`` as a JSON-ready dict with ``schema_version`` first."""
    data = _UNSTRUCTURE.unstructure(obj)
    if not isinstance(data, dict):
        raise ValidationError([Problem("", "to_dict takes a leadmodel object", obj)])
    return {"schema_version": SCHEMA_VERSION, **data}


def to_json(obj: object, *, indent: int | None = None) -> str:
    """Return ``obj`` as a JSON document (UTF-8 text; Cyrillic and emoji stay readable)."""
    return _json.dumps(to_dict(obj), indent=indent)


def from_dict(cls: type[T], data: object, *, extra: Extra = "forbid") -> T:
    """Build a ``cls`` from a dict made by :func:`to_dict` (or by hand, or by ``json.loads``).

    ``schema_version`` may be omitted (the current version is assumed); a newer version than
    this library knows is refused. Raises :class:`ValidationError` listing every problem.
    """
    name = getattr(cls, "__name__", str(cls))
    if extra not in _FAST:
        problem = Problem("extra", "use extra='forbid' or extra='ignore'", extra)
        raise ValidationError([problem], model="from_dict")
    if not isinstance(data, Mapping):
        raise ValidationError([Problem("", "expected a JSON object", data)], model=name)
    if "schema_version" in data:
        data = dict(data)
        _check_version(data.pop("schema_version"), name)
    with contextlib.suppress(Exception):  # any failure is re-examined in detail below
        return _FAST[extra].structure(data, cls)
    try:
        result = _DETAILED[extra].structure(data, cls)
    except Exception as exc:
        raise ValidationError(problems_of(exc) or [Problem("", str(exc))], model=name) from None
    return result  # pragma: no cover - the fast path failed but the detailed one did not


def from_json(cls: type[T], text: str | bytes, *, extra: Extra = "forbid") -> T:
    """Parse a JSON document and build a ``cls`` (see :func:`from_dict`).

    Malformed JSON, invalid UTF-8, NaN/Infinity, lone surrogates, absurdly large numbers and
    nesting too deep for the parser all raise :class:`ValidationError`.
    """
    name = getattr(cls, "__name__", str(cls))
    try:
        data = _json.loads(text)
    except _json.NotJSON as exc:
        raise ValidationError([Problem("", str(exc))], model=name) from None
    return from_dict(cls, data, extra=extra)


def _check_version(version: object, name: str) -> None:
    if type(version) is not int or not 1 <= version <= SCHEMA_VERSION:
        msg = (
            f"this leadmodel reads schema_version 1 to {SCHEMA_VERSION}; "
            "upgrade leadmodel to read newer documents"
        )
        raise ValidationError([Problem("schema_version", msg, version)], model=name)
