"""Edits of stored leads, contacts, companies and customers (:func:`leadmodel.edit`)."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from leadmodel.domain.events import EntityUpdated
from leadmodel.domain.model import Company, Contact, Customer, Lead, changed_fields, edit
from leadmodel.services._clock import Clock, now, utc_now
from leadmodel.services._versions import load_expected
from leadmodel.storage.protocols import Repository, UnitOfWork

EditT = TypeVar("EditT", Lead, Contact, Company, Customer)


def _update(
    uow: UnitOfWork,
    repository: Repository[EditT],
    entity_id: str,
    changes: dict[str, object],
    *,
    by: str | None,
    expected_version: int | None,
    at: datetime,
) -> EditT:
    current = load_expected(repository, entity_id, expected_version)
    edited = edit(current, **changes)
    fields = changed_fields(current, edited)
    if not fields:
        return current
    stored = repository.save(edited)
    uow.emit(EntityUpdated.of(stored, fields, at=at, by=by))
    return stored


def update_lead(
    uow: UnitOfWork,
    lead_id: str,
    *,
    by: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
    **changes: object,
) -> Lead:
    """Edit a stored lead: owner, expected value, tags, time zone, custom fields, company,
    contact points, name, topic, source, consent (:data:`~leadmodel.EDITABLE`).

    The lead checks the new values as it checks itself (every problem at once, as a
    :class:`~leadmodel.errors.ValidationError` with the field paths: a web handler's 422). A
    field with its own operation (``status``: :func:`move`; ``assessments``: :func:`assess`)
    is refused with the name of that operation. Emits ``EntityUpdated`` naming the fields that
    changed; an edit that changes nothing stores nothing and emits nothing. Raises
    :class:`~leadmodel.errors.ConcurrencyError` when ``expected_version`` is not the stored
    version (409) and :class:`~leadmodel.errors.NotFoundError` for an unknown id (404).

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> dm = lm.services.capture_interest(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Office chairs", person_name="Olena Koval",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], at=at, ids=ids)
    >>> lead = lm.services.promote(uow, dm.id, at=at, ids=ids)
    >>> lead = lm.services.update_lead(uow, lead.id, expected_version=0, owner="anna",
    ...     tags=frozenset({"vip"}), by="anna", at=at)
    >>> lead.owner, sorted(lead.tags), lead.version
    ('anna', ['vip'], 1)
    >>> lm.services.update_lead(uow, lead.id, expected_version=0, owner="ivan")
    Traceback (most recent call last):
    ...
    leadmodel.errors.ConcurrencyError: leads entry 'id-2' is at version 1 in the store, ...
    >>> with uow:
    ...     event = uow.outbox.pending()[-1].event
    >>> event.type, event.fields
    ('EntityUpdated', ('owner', 'tags'))
    """
    when = now(clock, at)
    with uow:
        lead = _update(
            uow, uow.leads, lead_id, changes, by=by, expected_version=expected_version, at=when
        )
        uow.commit()
    return lead


def update_contact(
    uow: UnitOfWork,
    contact_id: str,
    *,
    by: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
    **changes: object,
) -> Contact:
    """Edit a stored contact (name, contact points, company, role, time zone, custom fields,
    consent), as :func:`update_lead` edits a lead.

    >>> import leadmodel as lm
    >>> uow = lm.MemoryUnitOfWork()
    >>> with uow:
    ...     _ = uow.contacts.add(lm.Contact(id=lm.ContactId("C-1"), name="Olena Koval",
    ...         contact_points=(lm.ContactPoint.email("olena@mebli.ua"),)))
    ...     uow.commit()
    >>> lm.services.update_contact(uow, "C-1", role="buyer").role
    'buyer'
    """
    when = now(clock, at)
    with uow:
        contact = _update(
            uow,
            uow.contacts,
            contact_id,
            changes,
            by=by,
            expected_version=expected_version,
            at=when,
        )
        uow.commit()
    return contact


def update_company(
    uow: UnitOfWork,
    company_id: str,
    *,
    by: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
    **changes: object,
) -> Company:
    """Edit a stored company (name, legal name, tax id, web domain, contact points, custom
    fields), as :func:`update_lead` edits a lead.

    >>> import leadmodel as lm
    >>> uow = lm.MemoryUnitOfWork()
    >>> with uow:
    ...     _ = uow.companies.add(lm.Company(id=lm.CompanyId("Co-1"), name="Mebli"))
    ...     uow.commit()
    >>> lm.services.update_company(uow, "Co-1", domain="mebli.ua").domain
    'mebli.ua'
    """
    when = now(clock, at)
    with uow:
        company = _update(
            uow,
            uow.companies,
            company_id,
            changes,
            by=by,
            expected_version=expected_version,
            at=when,
        )
        uow.commit()
    return company


def update_customer(
    uow: UnitOfWork,
    customer_id: str,
    *,
    by: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
    **changes: object,
) -> Customer:
    """Edit a stored customer (its contact or company link, order references, custom
    fields), as :func:`update_lead` edits a lead.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow = lm.MemoryUnitOfWork()
    >>> with uow:
    ...     _ = uow.customers.add(lm.Customer(id=lm.CustomerId("Cu-1"),
    ...         kind=lm.CustomerKind.person, contact_id=lm.ContactId("C-1"),
    ...         origin=lm.CustomerOrigin.from_import,
    ...         since=datetime(2026, 3, 2, tzinfo=timezone.utc)))
    ...     uow.commit()
    >>> lm.services.update_customer(uow, "Cu-1", order_refs=("order-7",)).order_refs
    ('order-7',)
    """
    when = now(clock, at)
    with uow:
        customer = _update(
            uow,
            uow.customers,
            customer_id,
            changes,
            by=by,
            expected_version=expected_version,
            at=when,
        )
        uow.commit()
    return customer
