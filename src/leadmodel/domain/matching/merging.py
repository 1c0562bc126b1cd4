"""Merging duplicates: one survivor keeps everything the others knew.

``merge(primary, *others, at=..., by=...)`` merges Leads (or Contacts) into ``primary``.
Nothing is lost: every contact point (one per match key), interest id, assessment, tag and
custom field is kept; the status histories and the activities (each contact once) are merged
in time order; empty fields are filled from the others; where two records disagree the
primary's value stays and the disagreement is reported in :attr:`Merged.conflicts` with every
value by source id; :attr:`Merged.provenance` says which record each kept value came from;
and what cannot go into the survivor without breaking a rule of the Lead (a history that ends
in another status, a second conversion, a loss next to a conversion) is kept whole in
:attr:`Merged.set_aside`. The survivor keeps all of this in its ``merges`` (a
:class:`~leadmodel.MergeRecord` per merge), so a stored survivor still holds it.

>>> from datetime import datetime, timezone
>>> from leadmodel import Channel, ContactPoint, Lead, LeadId, Source
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> first = Lead(
...     id=LeadId("lead-1"), person_name="Олена Коваль", topic="Офісні меблі",
...     contact_points=(ContactPoint.email("olena@mebli.ua"),),
...     source=Source(channel=Channel.form), created_at=at, tags=frozenset({"b2b"}),
... )
>>> second = Lead(
...     id=LeadId("lead-2"), person_name="Olena Koval", topic="Office chairs",
...     contact_points=(ContactPoint.email("OLENA@mebli.ua"), ContactPoint.phone("+380501234567")),
...     source=Source(channel=Channel.telegram), created_at=at, owner="anna",
... )
>>> merged = merge(first, second, at=at, by="anna")
>>> [point.key for point in merged.survivor.contact_points]
['olena@mebli.ua', '+380501234567']
>>> merged.survivor.owner, merged.provenance["owner"], merged.absorbed_ids
('anna', 'lead-2', ('lead-2',))
>>> [conflict.field for conflict in merged.conflicts]  # also how each wrote the email
['contact_points[0]', 'person_name', 'source', 'topic']
>>> merged.survivor.merges[-1].conflicts == merged.conflicts  # kept on the survivor
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from operator import attrgetter
from typing import Any, Generic, TypeVar

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.frozen_json import MAX_CUSTOM_NODES, nodes
from leadmodel.domain.capture.consent import rehome
from leadmodel.domain.matching._timelines import merge_activities
from leadmodel.domain.model.entities import Contact, Customer, Lead
from leadmodel.domain.model.merges import Conflict, MergeRecord, SetAside
from leadmodel.domain.model.records import StatusChange
from leadmodel.domain.model.timeline import check_not_before
from leadmodel.domain.values.custom_json import JSON, FrozenMap
from leadmodel.errors import Problem, ValidationError

__all__ = ["Conflict", "MergeRecord", "Merged", "SetAside", "merge", "repoint_customer"]

E = TypeVar("E", Lead, Contact)


@attrs.frozen(kw_only=True)
class Merged(Generic[E]):
    """The result of :func:`merge`.

    ``survivor``: the primary with everything merged in (same id, same ``version``: storage
    bumps it). ``absorbed_ids``: the ids that now point to the survivor, sorted.
    ``conflicts``: fields the records disagree on, sorted by field. ``provenance``: for each
    kept value, the id of the record it came from (``owner``, ``contact_points[1]``,
    ``custom.utm``, ``tags[vip]``...). ``set_aside``: what the survivor could not hold.
    ``at`` and ``by``: when and by whom the merge was made. All of it is also kept on the
    survivor, in :attr:`record` (the last of its ``merges``), so storage keeps it.
    """

    survivor: E
    absorbed_ids: tuple[str, ...]
    conflicts: tuple[Conflict, ...]
    provenance: Mapping[str, str]
    set_aside: tuple[SetAside, ...]
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None

    @property
    def record(self) -> MergeRecord:
        """What the survivor keeps of this merge: the last of its ``merges``."""
        return self.survivor.merges[-1]


class _Merge:
    """The state of one merge: the records in merge order, and what was found so far."""

    def __init__(self, records: tuple[Any, ...]) -> None:  # Leads, or Contacts
        self.records = records
        self.values: dict[str, Any] = {}
        self.provenance: dict[str, str] = {}
        self.conflicts: dict[str, dict[str, object]] = {}
        self.set_aside: list[SetAside] = []

    def conflict(self, field: str, values: dict[str, object]) -> None:
        distinct = []
        for value in values.values():
            if value not in distinct:
                distinct.append(value)
        if len(distinct) > 1:
            self.conflicts[field] = values

    def first(self, field: str) -> None:
        """The first value that is set (not ``None``); a conflict when others differ."""
        found = {str(r.id): getattr(r, field) for r in self.records}
        found = {rid: value for rid, value in found.items() if value is not None}
        if found:
            rid, value = next(iter(found.items()))
            self.values[field] = value
            self.provenance[field] = rid
            self.conflict(field, found)

    def earliest(self, field: str) -> None:
        record = min(self.records, key=lambda r: getattr(r, field))
        self.values[field] = getattr(record, field)
        self.provenance[field] = str(record.id)

    def union(self, field: str, key: Callable[[Any], object] = lambda item: item) -> None:
        """Every item of every record once (by ``key``), the primary's first."""
        kept: list[Any] = []
        seen: set[object] = set()
        for record in self.records:
            for item in getattr(record, field):
                if (k := key(item)) not in seen:
                    seen.add(k)
                    self.provenance[f"{field}[{len(kept)}]"] = str(record.id)
                    kept.append(item)
        self.values[field] = tuple(kept)

    def contact_points(self) -> None:
        """One point per identity (the first written); other spellings or labels conflict."""
        kept: list[Any] = []
        written: dict[object, dict[str, object]] = {}
        for record in self.records:
            for point in record.contact_points:
                variants = written.get(point.identity)
                if variants is None:
                    written[point.identity] = {str(record.id): point}
                    self.provenance[f"contact_points[{len(kept)}]"] = str(record.id)
                    kept.append(point)
                else:
                    variants.setdefault(str(record.id), point)
        for i, point in enumerate(kept):
            self.conflict(f"contact_points[{i}]", written[point.identity])
        self.values["contact_points"] = tuple(kept)

    def tags(self) -> None:
        tags: set[str] = set()
        for record in self.records:
            for tag in sorted(record.tags - tags):
                self.provenance[f"tags[{tag}]"] = str(record.id)
            tags |= record.tags
        self.values["tags"] = frozenset(tags)

    def custom(self) -> None:
        custom: dict[str, JSON] = {}
        for key in sorted({k for record in self.records for k in record.custom}):
            found = {str(r.id): r.custom[key] for r in self.records if key in r.custom}
            rid, value = next(iter(found.items()))
            custom[key] = value
            self.provenance[f"custom.{key}"] = rid
            self.conflict(f"custom.{key}", dict(found))
        # each record's custom is within the cap, their union may not be: refused, never cut
        count = 1 + sum(nodes(value) for value in custom.values())
        if count > MAX_CUSTOM_NODES:
            raise ValidationError([Problem("custom", _too_big(count))], model="merge")
        self.values["custom"] = FrozenMap(custom)

    def privacy(self) -> None:
        """The most careful answer wins: do-not-contact if any says so; consent False first."""
        records = self.records
        flagged = [r for r in records if r.do_not_contact]
        self.values["do_not_contact"] = bool(flagged)
        self.provenance["do_not_contact"] = str((flagged or records)[0].id)
        answers = {str(r.id): r.consent for r in records if r.consent is not None}
        for wanted in (False, True):
            if rid := next((k for k, v in answers.items() if v is wanted), None):
                self.values["consent"] = wanted
                self.provenance["consent"] = rid
                self.conflict("consent", dict(answers))
                break

    def consents(self) -> None:
        """Every consent record of every record, now about the survivor (``person`` is its
        id), each once; an erased record's consents stay erased, so the person is never
        contacted again for them."""
        survivor = str(self.records[0].id)
        kept: list[Any] = []
        for record in self.records:
            for moved in rehome(record.consents, survivor):
                if moved not in kept:
                    self.provenance[f"consents[{len(kept)}]"] = str(record.id)
                    kept.append(moved)
        self.values["consents"] = tuple(kept)

    def touches(self) -> None:
        """Every touch of every record once, in time order (of one instant, in merge order)."""
        kept: dict[Any, str] = {}  # touch: the id of the first record holding it
        for record in self.records:
            for touch in record.touches:
                kept.setdefault(touch, str(record.id))
        ordered = sorted(kept.items(), key=lambda pair: pair[0].at)
        for i, (_, rid) in enumerate(ordered):
            self.provenance[f"touches[{i}]"] = rid
        self.values["touches"] = tuple(touch for touch, _ in ordered)

    def lead_state(self, status_from: str | None) -> str:
        """Pipeline, status, history and outcome (see :func:`merge`); the donor's id."""
        records: tuple[Lead, ...] = self.records
        if status_from is not None:
            donor = next(r for r in records if r.id == status_from)
        else:
            donor = next((r for r in records if r.pipeline is not None), records[0])
        self.values["pipeline"], self.values["status"] = donor.pipeline, donor.status
        self.provenance["status"] = str(donor.id)
        self._history(donor, records)
        links = {str(r.id): r.converted for r in records if r.converted is not None}
        converted = next(iter(links.values()), None)
        if links:
            self.provenance["converted"] = next(iter(links))
            self.conflict("converted", dict(links))
        self.values["converted"] = converted
        self.values["lost"] = donor.lost if converted is None else None
        if self.values["lost"] is not None:
            self.provenance["lost"] = str(donor.id)
        for record in records:
            if record.lost is not None and record.lost is not self.values["lost"]:
                self.set_aside.append(
                    SetAside(source_id=record.id, field="lost", value=record.lost)
                )
        return str(donor.id)

    def activities(self) -> None:
        """Every record's activities in time order, each contact once (see ``_timelines``)."""
        self.values["activities"], provenance, aside = merge_activities(self.records)
        self.provenance.update(provenance)
        self.set_aside.extend(aside)

    def _history(self, donor: Lead, records: tuple[Lead, ...]) -> None:
        base = donor.history
        taken: list[tuple[StatusChange, str]] = [(e, str(donor.id)) for e in base[:-1]]
        seen = set(base)
        for record in records:
            if record is donor or not record.history:
                continue
            if base and all(e.at <= base[-1].at for e in record.history):
                taken.extend((e, str(record.id)) for e in record.history if e not in seen)
                equal = tuple(e for e in record.history if e in seen)
                if equal:  # the same move, recorded in both: kept once, and reported here
                    self.set_aside.append(
                        SetAside(source_id=record.id, field="history", value=equal)
                    )
                seen.update(record.history)
            else:  # it would not end where the survivor is: kept whole, aside
                self.set_aside.append(
                    SetAside(source_id=record.id, field="history", value=record.history)
                )
        taken.sort(key=lambda pair: pair[0].at)  # stable: equal times keep merge order
        if base:
            taken.append((base[-1], str(donor.id)))
        self.values["history"] = tuple(entry for entry, _ in taken)
        for i, (_, rid) in enumerate(taken):
            self.provenance[f"history[{i}]"] = rid


def _too_big(count: int) -> str:
    return (
        f"the merged custom would hold {count:,} JSON values (each object, array and scalar"
        f" counts one); a custom value holds at most {MAX_CUSTOM_NODES:,} (MAX_CUSTOM_NODES),"
        " so nothing was merged: move big data out of the records' custom (store a reference"
        " to it), then merge again"
    )


_LEAD_FIRST = (
    "person_name", "topic", "source", "lifecycle", "company_name", "company_id", "owner",
    "expected_value", "time_zone", "score", "customer_id", "previous_lead_id",
)  # fmt: skip
_CONTACT_FIRST = ("name", "company_id", "role", "time_zone")


def _check(
    primary: object, others: tuple[object, ...], at: object, by: object, status_from: object
) -> None:
    p: c.Problems = []
    kind = type(primary)
    if kind not in (Lead, Contact):
        p.append(Problem("primary", "merge takes Leads or Contacts", primary))
    if not others:
        p.append(Problem("others", "give at least one record to merge into the primary"))
    ids = {getattr(primary, "id", None)}
    for i, other in enumerate(others):
        if type(other) is not kind:
            what = f"cannot merge a {type(other).__name__} into a {kind.__name__}"
            p.append(Problem(f"others[{i}]", f"{what}: merge records of one type", other))
        elif other.id == primary.id:  # type: ignore[attr-defined]
            msg = "a record cannot be merged with itself; pass only its duplicates"
            p.append(Problem(f"others[{i}].id", msg, other.id))  # type: ignore[attr-defined]
        elif other.id in ids:  # type: ignore[attr-defined]
            msg = "this record is given twice; pass each duplicate once"
            p.append(Problem(f"others[{i}].id", msg, other.id))  # type: ignore[attr-defined]
        ids.add(getattr(other, "id", None))
    c.aware(p, "at", at)
    c.opt_text(p, "by", by, "who merged them")
    if status_from is not None and kind is Contact:
        p.append(Problem("status_from", "contacts have no status; leave it out", status_from))
    elif status_from is not None and status_from not in ids:
        msg = "the survivor takes the status of one of the merged records; give one of their ids"
        p.append(Problem("status_from", msg, status_from))
    if p:
        c.fail("merge", p)


def merge(
    primary: E, *others: E, at: datetime, by: str | None = None, status_from: str | None = None
) -> Merged[E]:
    """Merge the duplicates ``others`` into ``primary``; nothing any of them knew is lost.

    Works on Leads, or on Contacts. The survivor keeps the primary's id and ``version``
    (storage bumps it). Fields are taken in merge order (primary, then ``others`` as given):

    * collections are unions, the primary's items first: ``contact_points`` (one per match
      key), ``interest_ids``, ``assessments``, ``tags``, ``custom`` (keys of all records),
      ``consents`` (each now about the survivor), ``possible_duplicates`` (but the merged
      records); ``touches`` are merged in time order;
    * a single value is the first one set; others that differ are reported in ``conflicts``
      (also a ``custom`` key with different values, and two different conversions);
    * ``created_at`` is the earliest; ``do_not_contact`` is True if any record says so, and
      ``consent`` False if any record says so (the careful answer wins);
    * the status (``pipeline``, ``status``) and its loss are those of the record whose id is
      ``status_from``; by default the primary's, or the first record's that is in a
      pipeline. Another record's history is merged in time order when it all happened
      before the survivor's last move (a Lead's history must end in its status); otherwise
      it is kept whole in ``set_aside``, as are losses the survivor does not carry (it is
      converted, or the loss belongs to another card), the lifecycle histories (``stages``)
      of the other records (the survivor keeps the primary's lifecycle and its stages), a
      ``previous_lead_id`` that points to one of the merged records, the ``erased_at`` of an
      erased record, and the moves of another record equal to one the survivor holds;
    * another spelling or label of a contact point the survivor holds is a conflict
      (``contact_points[i]``);
    * the ``activities`` of all are merged in time order (of one instant, in merge order);
      one equal to an activity of an earlier record (the same contact logged on both) is
      kept once, and it, or one holding an ``id`` an earlier record holds for another
      activity, is reported in ``set_aside`` (``activities``).

    The survivor keeps all of it in ``merges``: a :class:`~leadmodel.MergeRecord` (absorbed
    ids, conflicts, set-aside values, provenance, ``status_from``, ``at``, ``by``) is added
    after the merge records of every merged record, so storage keeps it with the survivor.

    Raises :class:`ValidationError` naming each problem: records of different types, a
    record merged with itself or given twice, no others, a naive ``at``, a ``status_from``
    that is not one of the records' ids (or given for contacts), a merged ``custom`` of more
    than :data:`~leadmodel.MAX_CUSTOM_NODES` values or merged activities past
    :data:`~leadmodel.MAX_ACTIVITIES` (refused whole, nothing dropped);
    :class:`~leadmodel.errors.TimeOrderError` for an ``at`` before a record's last entry.

    >>> import leadmodel as lm
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> first = lm.Contact(id=lm.ContactId("contact-1"), name="Олена Коваль",
    ...     contact_points=(lm.ContactPoint.email("olena@mebli.ua"),))
    >>> second = lm.Contact(id=lm.ContactId("contact-2"), name="Olena Koval", role="закупівлі",
    ...     contact_points=(lm.ContactPoint.phone("+380501234567"),))
    >>> merged = lm.merge(first, second, at=at, by="Андрій")
    >>> [point.key for point in merged.survivor.contact_points], merged.survivor.role
    (['olena@mebli.ua', '+380501234567'], 'закупівлі')
    >>> merged.absorbed_ids, [conflict.field for conflict in merged.conflicts]
    (('contact-2',), ['name'])
    >>> lm.merge(first, first, at=at, by="Андрій")
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: merge.others[0].id: a record cannot be merged with itself;
    pass only its duplicates; got 'contact-1'
    """
    _check(primary, others, at, by, status_from)
    records: tuple[Any, ...] = (primary, *others)  # Leads, or Contacts
    for record in records:
        check_not_before(record, at, "merge")
    m = _Merge(records)
    m.contact_points()
    m.custom()
    m.privacy()
    m.consents()
    if isinstance(primary, Lead):
        for field in _LEAD_FIRST:
            m.first(field)
        m.earliest("created_at")
        m.union("interest_ids")
        m.union("assessments")
        m.activities()
        m.touches()
        m.union("possible_duplicates")
        m.tags()
        status_from = m.lead_state(status_from)
        for record in others:  # the survivor's lifecycle is the primary's, with its stages
            if record.stages and record.stages != primary.stages:
                m.set_aside.append(
                    SetAside(source_id=record.id, field="stages", value=record.stages)
                )
        merged_ids = {str(r.id) for r in records}
        m.values["possible_duplicates"] = tuple(
            rid for rid in m.values["possible_duplicates"] if rid not in merged_ids
        )
        if m.values.get("previous_lead_id") in merged_ids:
            rid = m.provenance.pop("previous_lead_id")
            m.set_aside.append(
                SetAside(
                    source_id=rid, field="previous_lead_id", value=m.values["previous_lead_id"]
                )
            )
            m.values["previous_lead_id"] = None
    else:
        for field in _CONTACT_FIRST:
            m.first(field)
    for record in others:  # an erased duplicate: its mark is reported, its do_not_contact kept
        if record.erased_at is not None:
            m.set_aside.append(
                SetAside(source_id=record.id, field="erased_at", value=record.erased_at)
            )
    conflicts = tuple(
        Conflict(field=field, values=FrozenMap(m.conflicts[field])) for field in sorted(m.conflicts)
    )
    absorbed_ids = tuple(sorted(str(other.id) for other in others))
    record = MergeRecord(
        at=at,
        by=by,
        absorbed_ids=absorbed_ids,
        status_from=status_from,
        conflicts=conflicts,
        set_aside=tuple(m.set_aside),
        provenance=FrozenMap(m.provenance),
    )
    past: list[MergeRecord] = sorted(
        (r for rec in records for r in rec.merges), key=attrgetter("at")
    )
    survivor = attrs.evolve(primary, **m.values, merges=(*past, record))
    return Merged(
        survivor=survivor,
        absorbed_ids=absorbed_ids,
        conflicts=conflicts,
        provenance=FrozenMap(m.provenance),
        set_aside=tuple(m.set_aside),
        at=at,
        by=by,
    )


def repoint_customer(customer: Customer, merged: Merged[Lead] | Merged[Contact]) -> Customer:
    """The customer with its links to the merged-away records pointing at the survivor.

    For merged leads, the absorbed ids in ``lead_ids`` become the survivor's id (each id
    kept once, in order); for merged contacts, a ``contact_id`` of an absorbed contact
    becomes the survivor's. A customer that links to none of them is returned as it is.

    >>> from datetime import datetime, timezone
    >>> from leadmodel import Channel, ContactPoint, Customer, CustomerId, CustomerKind
    >>> from leadmodel import CustomerOrigin, Lead, LeadId, Source
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> first, second = (Lead(id=LeadId(i), person_name="Olena Koval", topic="Chairs",
    ...     contact_points=(ContactPoint.email("olena@mebli.ua"),),
    ...     source=Source(channel=Channel.form), created_at=at) for i in ("L-1", "L-2"))
    >>> customer = Customer(id=CustomerId("C-1"), kind=CustomerKind.company, since=at,
    ...     origin=CustomerOrigin.from_lead, company_id="Co-1", lead_ids=("L-2", "L-1", "L-9"))
    >>> repoint_customer(customer, merge(first, second, at=at, by="anna")).lead_ids
    ('L-1', 'L-9')
    """
    survivor = merged.survivor
    gone = frozenset(merged.absorbed_ids)
    if isinstance(survivor, Lead):
        if gone.isdisjoint(customer.lead_ids):
            return customer
        lead_ids = tuple(dict.fromkeys(survivor.id if i in gone else i for i in customer.lead_ids))
        return attrs.evolve(customer, lead_ids=lead_ids)
    if customer.contact_id not in gone:
        return customer
    return attrs.evolve(customer, contact_id=survivor.id)
