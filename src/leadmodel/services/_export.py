"""The flat export that reads back in (issue #21).

:func:`export_rows` writes every stored record of a kind as a row of text cells, the columns
of :data:`EXPORT_COLUMNS`: each one a field :func:`~leadmodel.services.import_rows` reads by
its name, so importing an export into the store it came from changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final

from leadmodel._kernel import checks as c
from leadmodel._kernel import documents
from leadmodel.domain.model import Contact, Interest, Lead, StatusChange
from leadmodel.domain.values.contact import ContactKind, ContactPoint
from leadmodel.domain.values.source import Source
from leadmodel.errors import NotFoundError, Problem
from leadmodel.services._import_map import SOURCE
from leadmodel.storage.protocols import Repository, UnitOfWork

__all__ = ["EXPORT_COLUMNS", "export_rows"]

_POINT_COLUMNS = ("email", "phone", "telegram", "instagram", "website", "contact_points")

EXPORT_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "interests": (
        *("id", "occurred_at", *SOURCE, "topic", "message", "name", *_POINT_COLUMNS),
        *("company", "owner", "idempotency_key", "custom"),
    ),
    "leads": (
        *("id", "created_at", *SOURCE, "topic", "name", *_POINT_COLUMNS, "company"),
        *("company_id", "owner", "pipeline", "status", "history", "lost_reason", "lost_at"),
        *("expected_value", "currency", "time_zone", "tags", "consent", "do_not_contact"),
        "custom",
    ),
    "contacts": (
        *("id", "name", *_POINT_COLUMNS, "company_id", "role", "time_zone", "consent"),
        *("do_not_contact", "custom"),
    ),
    "customers": ("id", "since", "name", *_POINT_COLUMNS, "order_refs", "custom"),
}
"""The columns :func:`export_rows` writes, by kind: each one a field :func:`import_rows`
reads by its name, so an exported file imports back unchanged."""


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _points(points: Iterable[ContactPoint]) -> dict[str, str]:
    columns: dict[str, list[str]] = {name: [] for name in _POINT_COLUMNS}
    rest: list[Any] = []
    for point in points:
        if point.label is not None:
            rest.append(documents.unstructure(point))
        elif point.kind is ContactKind.email:
            columns["email"].append(point.value)
        elif point.kind is ContactKind.phone:
            columns["phone"].append(point.key)
        elif point.kind is ContactKind.website:
            columns["website"].append(point.value)
        elif (point.kind, point.network) in (
            (ContactKind.messenger, "telegram"),
            (ContactKind.social, "instagram"),
        ):
            columns[point.network or ""].append(point.value)
        else:
            rest.append(documents.unstructure(point))
    flat = {name: "; ".join(values) for name, values in columns.items() if values}
    if len(columns["website"]) > 1:  # a website cell holds one address
        rest.extend({"kind": "website", "value": url} for url in columns["website"][1:])
        flat["website"] = columns["website"][0]
    if rest:
        flat["contact_points"] = _json_cell(rest)
    return flat


def _json_cell(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _change(change: StatusChange) -> dict[str, Any]:
    """A status change's document without the fields it leaves empty."""
    doc: dict[str, Any] = documents.unstructure(change)
    return {key: value for key, value in doc.items() if value is not None or key == "from_status"}


def _custom_cell(custom: Mapping[str, Any]) -> str:
    return _json_cell(documents.unstructure(custom)) if custom else ""


def _source_cells(source: Source) -> dict[str, Any]:
    return {
        "channel": source.channel.value,
        "source": source.name,
        "campaign": source.campaign,
        "medium": source.medium,
    }


def _flat(kind: str, record: Any, contact: Contact | None) -> dict[str, str]:
    if kind == "leads":
        lead: Lead = record
        history = [_change(change) for change in lead.history]
        values: dict[str, Any] = {
            "id": lead.id,
            "created_at": lead.created_at,
            **_source_cells(lead.source),
            "topic": lead.topic,
            "name": lead.person_name,
            **_points(lead.contact_points),
            "company": lead.company_name,
            "company_id": lead.company_id,
            "owner": lead.owner,
            "pipeline": lead.pipeline,
            "status": lead.status,
            "history": _json_cell(history) if history else None,
            "lost_reason": lead.lost.reason if lead.lost else None,
            "lost_at": lead.lost.at if lead.lost else None,
            "expected_value": lead.expected_value.amount if lead.expected_value else None,
            "currency": lead.expected_value.currency if lead.expected_value else None,
            "time_zone": lead.time_zone,
            "tags": "; ".join(sorted(lead.tags)),
            "consent": lead.consent,
            "do_not_contact": lead.do_not_contact,
            "custom": _custom_cell(lead.custom),
        }
    elif kind == "interests":
        interest: Interest = record
        values = {
            "id": interest.id,
            "occurred_at": interest.occurred_at,
            **_source_cells(interest.source),
            "topic": interest.topic,
            "message": interest.message,
            "name": interest.person_name,
            **_points(interest.contact_points),
            "company": interest.company_name,
            "owner": interest.owner,
            "idempotency_key": interest.idempotency_key,
            "custom": _custom_cell(interest.custom),
        }
    elif kind == "contacts":
        values = {
            "id": record.id,
            "name": record.name,
            **_points(record.contact_points),
            "company_id": record.company_id,
            "role": record.role,
            "time_zone": record.time_zone,
            "consent": record.consent,
            "do_not_contact": record.do_not_contact,
            "custom": _custom_cell(record.custom),
        }
    else:
        values = {
            "id": record.id,
            "since": record.since,
            "name": contact.name if contact else None,
            **(_points(contact.contact_points) if contact else {}),
            "order_refs": "; ".join(record.order_refs),
            "custom": _custom_cell(record.custom),
        }
    return {column: _cell(values.get(column)) for column in EXPORT_COLUMNS[kind]}


def export_rows(uow: UnitOfWork, kind: str, *, page_size: int = 500) -> Iterator[dict[str, str]]:
    """Every stored record of ``kind`` as a flat row of text cells (the columns of
    :data:`EXPORT_COLUMNS`), in id order, read ``page_size`` at a time in one unit of work:
    what a CSV or Parquet file holds. Lists are joined with ``"; "``, a lead's history and
    custom fields are JSON, times ISO 8601 with their offset, phones in international form.
    A customer's name and contact points are its contact's. :func:`import_rows` reads the
    rows back: importing an export into the store it came from changes nothing.

    >>> import leadmodel as lm
    >>> uow = lm.MemoryUnitOfWork()
    >>> _ = lm.services.import_rows(uow, [{"name": "Olena Koval", "phone": "050 123 4567"}],
    ...     kind="contacts", mapping=lm.services.ImportMap(region="UA"), ids=lm.sequential_ids("C"))
    >>> [row] = lm.services.export_rows(uow, "contacts")
    >>> row["id"], row["name"], row["phone"], row["consent"]
    ('C-2', 'Olena Koval', '+380501234567', '')
    """
    if kind not in EXPORT_COLUMNS:
        c.fail("export_rows", [Problem("kind", c.one_of(EXPORT_COLUMNS), kind)])
    with uow:
        repository: Repository[Any] = getattr(uow, kind)
        for record in repository.iter_all(page_size=page_size):
            contact = None
            if kind == "customers" and record.contact_id is not None:
                try:
                    contact = uow.contacts.get(record.contact_id)
                except NotFoundError:
                    contact = None
            yield _flat(kind, record, contact)
