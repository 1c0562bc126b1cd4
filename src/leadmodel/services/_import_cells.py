"""Reading one cell of an imported row into the value of the field it feeds (issue #21).

:func:`reader` gives the reader of a field, as an :class:`~leadmodel.services.ImportMap`
says: text, lists split on ``;`` or ``,``, yes or no, a channel, JSON (a lead's history,
custom fields), an amount with its currency, a time (ISO 8601, else the map's
``time_formats``, read in its ``time_zone`` when written without an offset) and contact
points (phones read in its ``region``). A cell that does not read raises
:class:`~leadmodel.errors.ValidationError` (:func:`bad`): one problem, for the caller to
place at its row and field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from leadmodel._kernel import checks as c
from leadmodel._kernel import documents
from leadmodel.domain.model import StatusChange
from leadmodel.domain.values.contact import ContactPoint, ContactPoints
from leadmodel.domain.values.localtime import localise
from leadmodel.domain.values.source import Channel
from leadmodel.errors import Problem, ValidationError
from leadmodel.services._import_map import POINTS, ImportMap

__all__ = ["bad", "reader"]

_LIST_SPLIT = re.compile(r"[;,]")


def bad(message: str, value: object = None) -> ValidationError:
    return ValidationError([Problem("", message, value)])


def _text(cell: str) -> str:
    return cell


def _texts(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in _LIST_SPLIT.split(cell) if part.strip())


_TRUE = frozenset({"true", "yes", "y", "1", "так", "+"})
_FALSE = frozenset({"false", "no", "n", "0", "ні", "-"})


def _flag(cell: str) -> bool:
    low = cell.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise bad("expected yes or no (true/false, 1/0)", cell)


def _channel(cell: str) -> Channel:
    try:
        return Channel(cell.lower())
    except ValueError:
        raise bad(c.one_of(member.value for member in Channel), cell) from None


def _json(cell: str, shape: type, what: str) -> Any:
    try:
        data = json.loads(cell)
    except (ValueError, RecursionError):
        raise bad(f"expected {what} as JSON", cell) from None
    if not isinstance(data, shape):
        raise bad(f"expected {what} as JSON", cell)
    return data


def _history(cell: str) -> tuple[StatusChange, ...]:
    data = _json(cell, list, "a list of status changes")
    history: tuple[StatusChange, ...] = documents.structure(tuple[StatusChange, ...], data)
    return history


def _custom(cell: str) -> dict[str, Any]:
    found: dict[str, Any] = _json(cell, dict, "an object of custom fields")
    return found


def _amount(cell: str) -> tuple[Decimal, str | None]:
    parts = cell.split()
    currency = None
    if len(parts) > 1 and parts[-1].isalpha():
        currency = parts.pop().upper()
    text = "".join(parts)
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        return Decimal(text), currency
    except InvalidOperation:
        raise bad("expected an amount such as 45000 or '45000 UAH'", cell) from None


def _time_reader(formats: tuple[str, ...], zone: str | None) -> Callable[[str], datetime]:
    def read(cell: str) -> datetime:
        try:
            at = datetime.fromisoformat(cell)
        except ValueError:
            for form in formats:
                try:
                    at = datetime.strptime(cell, form)  # naive: the zone comes below
                    break
                except ValueError:
                    continue
            else:
                msg = "not a date and time: write 2026-03-02T09:30 (ISO 8601)"
                raise bad(f"{msg}, or list its format in time_formats", cell) from None
        if at.tzinfo is not None:
            return at
        if zone is None:
            msg = (
                "no time zone: write the offset (2026-03-02T09:30+02:00) or say the zone of "
                "times without one (time_zone, --time-zone Europe/Kyiv)"
            )
            raise bad(msg, cell)
        try:
            return localise(at, zone)
        except ValidationError as exc:
            why = exc.problems[0].message.split(";")[0]
            raise bad(f"{why}; write it with its UTC offset", cell) from None

    return read


def _points_reader(target: str, region: str | None) -> Callable[[str], tuple[ContactPoint, ...]]:
    maker = ContactPoints(region=region)

    def read(cell: str) -> tuple[ContactPoint, ...]:
        if target == "contact_points":
            docs = _json(cell, list, "a list of contact points")
            return maker.read(docs)
        points = []
        for value in _texts(cell) if target != "website" else (cell,):
            try:
                points.append(maker.field(target, value))
            except ValidationError as exc:
                raise bad(exc.problems[0].message, value) from None
        return tuple(points)

    return read


def reader(target: str, spec: ImportMap) -> Callable[[str], Any]:
    if target in POINTS:
        return _points_reader(target, spec.region)
    if target in ("occurred_at", "created_at", "since", "status_at", "lost_at"):
        return _time_reader(spec.time_formats, spec.time_zone)
    readers: dict[str, Callable[[str], Any]] = {
        "channel": _channel,
        "history": _history,
        "custom": _custom,
        "expected_value": _amount,
        "currency": str.upper,
        "tags": _texts,
        "order_refs": _texts,
        "consent": _flag,
        "do_not_contact": _flag,
    }
    return readers.get(target, _text)
