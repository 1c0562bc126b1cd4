"""Erasure in the store: every record of one person, found by key, ids and links."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

import attrs

from leadmodel.domain.events import PersonErased
from leadmodel.domain.matching import KeyKind, MatchKey
from leadmodel.domain.model import Contact, Interest, Lead
from leadmodel.domain.privacy import erase
from leadmodel.errors import Problem, ValidationError
from leadmodel.services._clock import Clock, now, utc_now
from leadmodel.services._links import linked
from leadmodel.storage.protocols import EntityT, Repository, UnitOfWork

P = TypeVar("P", Interest, Lead, Contact)

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


def _erased(repository: Repository[P], records: dict[str, P], at: datetime) -> list[P]:
    """Erase and save (in id order) the records not erased before; the erased records."""
    todo = [records[record_id] for record_id in sorted(records)]
    return [repository.save(erase(record, at=at)) for record in todo if record.erased_at is None]


def erase_person(
    uow: UnitOfWork,
    *,
    key: MatchKey | str | None = None,
    lead_ids: Iterable[str] = (),
    contact_ids: Iterable[str] = (),
    interest_ids: Iterable[str] = (),
    by: str | None = None,
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
    at = now(clock)
    with uow:
        found = _Person(
            interests=_gather(uow.interests, wanted, listed[0]),
            leads=_gather(uow.leads, wanted, listed[1]),
            contacts=_gather(uow.contacts, wanted, listed[2]),
        )
        _follow_links(uow, found)
        erased: list[Interest | Lead | Contact] = [
            *_erased(uow.interests, found.interests, at),
            *_erased(uow.leads, found.leads, at),
            *_erased(uow.contacts, found.contacts, at),
        ]
        event = PersonErased.of(erased, at=at, by=by)
        uow.emit(event)
        uow.commit()
    return event
