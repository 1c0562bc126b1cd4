"""What the value of an answer to a qualification criterion may hold (``Criterion.value_type``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from leadmodel.domain.values.custom_json import JSON
from leadmodel.domain.values.money import Money
from leadmodel.errors import ValidationError

__all__ = ["ValueType", "value_problem"]


class ValueType(StrEnum):
    """What the ``value`` of an answer to a criterion holds; checked by ``evaluate``/``assess``.

    ``text``: a non-blank string. ``number``: an int or a float. ``money``: an object
    ``{"amount": "45000", "currency": "UAH"}`` (a decimal string or an int, and an ISO 4217
    code). ``date``: ``"2026-06-30"`` (ISO 8601, YYYY-MM-DD). ``bool``: true or false.
    ``choice``: one of the criterion's ``choices``. An answer may always leave ``value`` out.
    """

    text = "text"
    number = "number"
    money = "money"
    date = "date"
    bool = "bool"
    choice = "choice"


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TAKES = {
    ValueType.text: "text (a non-blank string)",
    ValueType.number: "a number",
    ValueType.money: 'money, an object such as {"amount": "45000", "currency": "UAH"}',
    ValueType.date: 'a date written YYYY-MM-DD, such as "2026-06-30"',
    ValueType.bool: "true or false",
}


def _money_problem(value: object) -> str | None:
    if not isinstance(value, Mapping) or set(value) != {"amount", "currency"}:
        return "give exactly the keys amount and currency"
    amount = value["amount"]
    if type(amount) not in (str, int):
        return "the amount is a decimal string such as '45000.00' (floats lose cents)"
    try:
        Money.of(amount, value["currency"])
    except ValidationError as exc:
        return "; ".join(p.message for p in exc.problems)
    return None


def _date_ok(value: object) -> bool:
    if type(value) is not str or not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def value_problem(key: str, kind: ValueType, choices: tuple[str, ...], value: JSON) -> str | None:
    """What is wrong with ``value`` for criterion ``key`` of type ``kind``, or ``None``.

    >>> print(value_problem("timeline", ValueType.date, (), "next spring"))
    'timeline' takes a date written YYYY-MM-DD, such as "2026-06-30"
    """
    if kind is ValueType.money:
        why = _money_problem(value)
        return None if why is None else f"{key!r} takes {_TAKES[kind]}: {why}"
    if kind is ValueType.choice:
        if type(value) is str and value in choices:
            return None
        return f"{key!r} takes one of: {', '.join(map(repr, choices))}"
    ok = (
        (kind is ValueType.text and type(value) is str and bool(value.strip()))
        or (kind is ValueType.number and type(value) in (int, float))
        or (kind is ValueType.bool and type(value) is bool)
        or (kind is ValueType.date and _date_ok(value))
    )
    return None if ok else f"{key!r} takes {_TAKES[kind]}"
