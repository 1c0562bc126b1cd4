"""JSON and dict (de)serialisation of every public type, through one configured cattrs converter.

The converter itself lives below the domain (``leadmodel._kernel.documents``), so the domain's
specs use it too; this module is its public face: ``schema_version``, JSON text, and the
orjson backend when the ``fast`` extra is installed.

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

from typing import Any, TypeVar

from leadmodel._kernel import documents
from leadmodel._kernel import json_text as _json
from leadmodel._kernel.documents import SCHEMA_VERSION, Extra
from leadmodel.errors import Problem, ValidationError

__all__ = ["SCHEMA_VERSION", "Extra", "from_dict", "from_json", "to_dict", "to_json"]

T = TypeVar("T")


def to_dict(obj: object) -> dict[str, Any]:
    """Return ``obj`` as a JSON-ready dict with ``schema_version`` first.

    Specs (pipelines, frameworks, score models, match rules) come out in their compact form,
    the same document as ``spec.to_dict()``.

    >>> import leadmodel as lm
    >>> lm.to_dict(lm.Money.of("45000", "UAH"))
    {'schema_version': 1, 'amount': '45000', 'currency': 'UAH'}
    >>> lm.to_dict(lm.AtLeast(k=2)) == lm.AtLeast(k=2).to_dict()
    True
    """
    return documents.to_document(obj)


def to_json(obj: object, *, indent: int | None = None) -> str:
    """Return ``obj`` as a JSON document (UTF-8 text; Cyrillic and emoji stay readable).

    >>> import leadmodel as lm
    >>> lm.to_json(lm.Source(channel=lm.Channel.form, name="Сайт"))
    '{"schema_version":1,"channel":"form","name":"Сайт","campaign":null,"medium":null,"cost":null}'
    >>> print(lm.to_json(lm.Money.of("45000", "UAH"), indent=2))
    {
      "schema_version": 1,
      "amount": "45000",
      "currency": "UAH"
    }
    """
    return _json.dumps(to_dict(obj), indent=indent)


def from_dict(cls: type[T], data: object, *, extra: Extra = "forbid") -> T:
    """Build a ``cls`` from a dict made by :func:`to_dict` (or by hand, or by ``json.loads``).

    ``schema_version`` may be omitted (the current version is assumed); a newer version than
    this library knows is refused. Raises :class:`ValidationError` listing every problem.

    >>> import leadmodel as lm
    >>> lm.from_dict(lm.Money, {"amount": "45000", "currency": "UAH"})
    Money(amount=Decimal('45000'), currency='UAH')
    >>> lm.from_dict(lm.Money, {"amount": "45000", "currency": "UAH", "rate": 1}, extra="ignore")
    Money(amount=Decimal('45000'), currency='UAH')
    >>> lm.from_dict(lm.Money, {"schema_version": 99, "amount": "45000", "currency": "UAH"})
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: Money.schema_version: this leadmodel reads schema_version 1
    to 1; upgrade leadmodel to read newer documents; got 99
    """
    return documents.from_document(cls, data, extra=extra)


def from_json(cls: type[T], text: str | bytes, *, extra: Extra = "forbid") -> T:
    """Parse a JSON document and build a ``cls`` (see :func:`from_dict`).

    Malformed JSON, invalid UTF-8, NaN/Infinity, lone surrogates, absurdly large numbers and
    nesting too deep for the parser all raise :class:`ValidationError`.

    >>> import leadmodel as lm
    >>> lm.from_json(lm.Money, '{"amount": "45000", "currency": "UAH"}')
    Money(amount=Decimal('45000'), currency='UAH')
    >>> lm.from_json(lm.Money, '{"amount": NaN, "currency": "UAH"}')
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: Money: not valid JSON: NaN is not a JSON number
    """
    name = getattr(cls, "__name__", str(cls))
    try:
        data = _json.loads(text)
    except _json.NotJSON as exc:
        raise ValidationError([Problem("", str(exc))], model=name) from None
    return from_dict(cls, data, extra=extra)
