"""Erasure in the store: every record of one person, found by key, ids and links.

The person's records are a closure: start from the key and the listed ids, follow links
(an interest's lead; a lead's interests, its previous lead, the contact its conversion made)
and every one-person key (email, phone, handle) of every record found, until nothing new
turns up. Then the person's own companies (a sole proprietor's, by
:func:`~leadmodel.is_personal_company_name`) and the customers that are the person or such a
company are erased too. Each round costs one ``find`` per new key per kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

import attrs

from leadmodel.domain.events import PersonErased
from leadmodel.domain.matching import KeyKind, MatchKey, match_keys
from leadmodel.domain.model import Company, Contact, Customer, CustomerKind, Interest, Lead
from leadmodel.domain.privacy import erase, is_personal_company_name
from leadmodel.errors import Problem, ValidationError
from leadmodel.services._clock import Clock, now, utc_now
from leadmodel.services._links import linked
from leadmodel.storage.protocols import EntityT, Repository, UnitOfWork

P = TypeVar("P", Interest, Lead, Contact, Company, Customer)

_ONE_PERSON = frozenset({KeyKind.email, KeyKind.phone, KeyKind.handle})


def _person_key(key: MatchKey | str | None) -> str | None:
    """The text of a key that identifies one person (email, phone, handle), or ``None``."""
    if key is None:
        return None
    text = str(key) if isinstance(key, MatchKey) else key
    if type(text) is str:
        kind, _, value = text.partition(":")
        if kind in _ONE_PERSON and value:
            return text
    msg = (
        "give a key of one person, 'email:…', 'phone:…' or 'handle:…' as match_keys() makes "
        "them (a name, domain or company key is shared by many people)"
    )
    raise ValidationError([Problem("key", msg, key)], model="erase_person")


def _listed(name: str, ids: Iterable[str]) -> tuple[str, ...]:
    if isinstance(ids, str):
        problem = Problem(name, f"give a list of ids: {name}=[{ids!r}]", ids)
        raise ValidationError([problem], model="erase_person")
    return tuple(ids)


@attrs.frozen(kw_only=True)
class _Person:
    """The records of one person, by id."""

    interests: dict[str, Interest]
    leads: dict[str, Lead]
    contacts: dict[str, Contact]
    companies: dict[str, Company] = attrs.field(factory=dict)
    customers: dict[str, Customer] = attrs.field(factory=dict)

    def people(self) -> list[Interest | Lead | Contact]:
        """The records that are the person (not their companies or customers)."""
        return [*self.interests.values(), *self.leads.values(), *self.contacts.values()]

    def names(self) -> list[str | None]:
        """Every name the person is recorded under."""
        return [
            *(i.person_name for i in self.interests.values()),
            *(lead.person_name for lead in self.leads.values()),
            *(contact.name for contact in self.contacts.values()),
        ]


def _new(
    seen: dict[str, EntityT], repository: Repository[EntityT], entity_id: str | None
) -> list[EntityT]:
    """``[the stored record]`` when ``entity_id`` is not in ``seen`` yet (it is put there)."""
    if entity_id is None or entity_id in seen:
        return []
    found = linked(repository, entity_id)
    if found is None:
        return []
    seen[entity_id] = found
    return [found]


def _follow_links(uow: UnitOfWork, found: _Person) -> None:
    """Add the records linked to those found, which are the same person's: an interest's
    lead; a lead's interests, the lead it was recycled from, the contact its conversion made."""
    todo: list[Interest | Lead] = [*found.interests.values(), *found.leads.values()]
    while todo:
        record = todo.pop()
        if isinstance(record, Interest):
            todo += _new(found.leads, uow.leads, record.lead_id)
            continue
        for interest_id in record.interest_ids:
            todo += _new(found.interests, uow.interests, interest_id)
        todo += _new(found.leads, uow.leads, record.previous_lead_id)
        links = record.converted
        _new(found.contacts, uow.contacts, links.contact_id if links else None)


def _gather(
    repository: Repository[EntityT], key: str | None, entity_ids: Iterable[str]
) -> dict[str, EntityT]:
    """The listed records (each must exist) and those with ``key``, by id."""
    found = {entity_id: repository.get(entity_id) for entity_id in entity_ids}
    if key is not None:
        for record in repository.find(key=key):
            found.setdefault(record.id, record)
    return found


def _person_keys(records: Iterable[Interest | Lead | Contact | Company]) -> set[str]:
    """The one-person keys (email, phone, handle) of ``records``."""
    return {str(k) for r in records for k in match_keys(r) if k.kind in _ONE_PERSON}


def _find_into(repository: Repository[EntityT], into: dict[str, EntityT], key: str) -> None:
    for record in repository.find(key=key):
        into.setdefault(record.id, record)


def _add_keyed(uow: UnitOfWork, found: _Person, keys: Iterable[str]) -> None:
    for key in sorted(keys):
        _find_into(uow.interests, found.interests, key)
        _find_into(uow.leads, found.leads, key)
        _find_into(uow.contacts, found.contacts, key)


def _company_ids(found: _Person) -> set[str]:
    ids = {lead.company_id for lead in found.leads.values()}
    ids |= {lead.converted.company_id for lead in found.leads.values() if lead.converted}
    ids |= {contact.company_id for contact in found.contacts.values()}
    return {company_id for company_id in ids if company_id is not None}


def _own_companies(uow: UnitOfWork, found: _Person) -> None:
    """Add the companies linked to the person that bear the person's name."""
    names = found.names()
    for company_id in sorted(_company_ids(found) - found.companies.keys()):
        company = linked(uow.companies, company_id)
        if company is not None and any(
            is_personal_company_name(name, names) for name in (company.name, company.legal_name)
        ):
            found.companies[company.id] = company


def _close(uow: UnitOfWork, found: _Person, key: str | None) -> None:
    """Grow ``found`` to its closure over links, one-person keys and the person's companies."""
    followed: set[str] = set()
    todo = {key} if key is not None else set()
    while True:
        _add_keyed(uow, found, todo)
        followed |= todo
        _follow_links(uow, found)
        _own_companies(uow, found)
        todo = _person_keys([*found.people(), *found.companies.values()]) - followed
        if not todo:
            return


def _own_customers(uow: UnitOfWork, found: _Person) -> None:
    """Add the customers that are the person, or one of the person's own companies."""
    candidates = [
        linked(uow.customers, lead.converted.customer_id)
        for lead in found.leads.values()
        if lead.converted
    ]
    for contact_id in sorted(found.contacts):
        candidates += uow.customers.find(key=f"contact_id:{contact_id}")
    for company_id in sorted(found.companies):
        candidates += uow.customers.find(key=f"company_id:{company_id}")
    for customer in candidates:
        if customer is None:
            continue
        owner, own = (
            (customer.contact_id, found.contacts)
            if customer.kind is CustomerKind.person
            else (customer.company_id, found.companies)
        )
        if owner in own:
            found.customers.setdefault(customer.id, customer)


def _erased(
    repository: Repository[P], records: dict[str, P], at: datetime, names: list[str | None]
) -> list[P]:
    """Erase and save (in id order) what is still personal in ``records``; those saved.

    People records erased before are left as they are; a company or customer is saved only
    when erasing changes it."""
    saved = []
    for record_id in sorted(records):
        record = records[record_id]
        if isinstance(record, Interest | Lead | Contact) and record.erased_at is not None:
            continue
        erased = erase(record, at=at, names=names)
        if erased != record:
            saved.append(repository.save(erased))
    return saved


def erase_person(
    uow: UnitOfWork,
    *,
    key: MatchKey | str | None = None,
    lead_ids: Iterable[str] = (),
    contact_ids: Iterable[str] = (),
    interest_ids: Iterable[str] = (),
    by: str | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
) -> PersonErased:
    """Forget a person (:func:`leadmodel.erase`): their data goes, the statistics stay.

    Erases every interest, lead and contact with the match ``key`` (an email, phone or
    handle key: ``"email:olena@example.com"``, as :func:`~leadmodel.match_keys` makes it),
    the listed ids, and what those link to (an interest's lead; a lead's interests, the lead
    it was recycled from and the contact its conversion made). Records erased before are
    left as they are. Emits ``PersonErased`` listing the records erased now, also when none
    were found (the request was carried out). Raises
    :class:`~leadmodel.errors.ValidationError` for a key that is not one person's, or no key
    and no ids; :class:`~leadmodel.errors.NotFoundError` for a listed id not stored.

    The records are a closure: every email, phone and handle of every record found is
    followed in turn, so an interest that holds only the person's phone is erased too. A
    company linked to the person whose name is the person's (a sole proprietor's,
    :func:`~leadmodel.is_personal_company_name`) is erased (:func:`~leadmodel.erase`), and so
    are the custom fields of the customer that is the person or such a company; a company
    of other people keeps its name and custom fields. Live rows then hold no personal value;
    what the storage keeps below them (journals, free pages, dead tuples, backups) and what
    the host must do about it is in ``docs/privacy.md``.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow, ids = lm.MemoryUnitOfWork(), lm.sequential_ids("id")
    >>> clock = lambda: datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> dm = lm.services.capture_interest(uow, source=lm.Source(channel=lm.Channel.form),
    ...     topic="Office chairs", person_name="Olena Koval",
    ...     contact_points=[lm.ContactPoint.email("olena@mebli.ua")], clock=clock, ids=ids)
    >>> lead = lm.services.promote(uow, dm.id, clock=clock, ids=ids)
    >>> gone = lm.services.erase_person(uow, key="email:olena@mebli.ua", by="dpo", clock=clock)
    >>> gone.interest_ids, gone.lead_ids
    (('id-1',), ('id-2',))
    >>> with uow:
    ...     erased = uow.leads.get("id-2")
    >>> erased.person_name, erased.contact_points, erased.topic
    ('', (), 'Office chairs')
    >>> lm.services.erase_person(uow, key="name:olena koval")
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: erase_person.key: give a key of one person, ...
    """
    wanted = _person_key(key)
    listed = (
        _listed("interest_ids", interest_ids),
        _listed("lead_ids", lead_ids),
        _listed("contact_ids", contact_ids),
    )
    if wanted is None and not any(listed):
        problem = Problem("key", "say whose data to erase: give a key or record ids")
        raise ValidationError([problem], model="erase_person")
    at = now(clock, at)
    with uow:
        found = _Person(
            interests=_gather(uow.interests, wanted, listed[0]),
            leads=_gather(uow.leads, wanted, listed[1]),
            contacts=_gather(uow.contacts, wanted, listed[2]),
        )
        _close(uow, found, wanted)
        _own_customers(uow, found)
        names = found.names()
        erased: list[Interest | Lead | Contact | Company | Customer] = [
            *_erased(uow.interests, found.interests, at, names),
            *_erased(uow.leads, found.leads, at, names),
            *_erased(uow.contacts, found.contacts, at, names),
            *_erased(uow.companies, found.companies, at, names),
            *_erased(uow.customers, found.customers, at, names),
        ]
        event = PersonErased.of(erased, at=at, by=by)
        uow.emit(event)
        uow.commit()
    return event
