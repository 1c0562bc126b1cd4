"""Bulk import of rows (a CSV file's) as interests, leads, contacts or customers, and its revert
(issue #21): the engine.

An import maps each row's cells to fields (:class:`ImportMap`: data, loadable from TOML),
matches the row to a stored record (by ``id`` when the file has an id column, else by the
one-person match keys: email, phone, handle; interests by their idempotency key), and creates,
updates or leaves it as :class:`ImportMode` says. Rows are written in batches, one unit of work
each; a bad row is reported with its number and field (:class:`RowError`) and skipped, never
aborting the rest. Every import has an id and a record in the unit's state store (what it
created, and the documents of what it updated as they were before): :func:`revert_import`
undoes it. Re-running the same file changes nothing: a row whose values the stored record
already holds is ``unchanged``.

Here: planning which column feeds which field, reading rows, matching them to stored records,
writing them in batches, listing imports and reverting one. The words of an import
(:class:`ImportMap`, :class:`ImportMode`, :class:`RowError`, :class:`ImportReport`) are in
``_import_map``, reading a cell in ``_import_cells``, the export in ``_export``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Literal, TypeAlias

import attrs

from leadmodel import serde
from leadmodel._kernel import checks as c
from leadmodel.domain.capture.payloads import UnknownFields
from leadmodel.domain.events import EntityUpdated, InterestCaptured, LeadCreated
from leadmodel.domain.intake import CAPTURE_KEY
from leadmodel.domain.ladder import customer_from_import
from leadmodel.domain.matching import ROLE_MAILBOXES, MatchModel, match_keys
from leadmodel.domain.model import (
    Contact,
    Customer,
    Interest,
    Lead,
    LossInfo,
    StatusChange,
    changed_fields,
)
from leadmodel.domain.pipeline import Pipeline, StatusKind
from leadmodel.domain.registry import Registry
from leadmodel.domain.values.contact import ContactKind, ContactPoint, merge_points
from leadmodel.domain.values.ids import ContactId, IdFactory, InterestId, LeadId, uuid7
from leadmodel.domain.values.money import Money
from leadmodel.domain.values.source import Channel, Source
from leadmodel.errors import NotFoundError, Problem, RuleViolation, ValidationError, shorten
from leadmodel.services._clock import Clock, now, utc_now
from leadmodel.services._import_cells import bad, reader
from leadmodel.services._import_map import (
    IMPORT_TARGETS,
    POINTS,
    ImportMap,
    ImportMode,
    ImportReport,
    RowError,
)
from leadmodel.services._matches import candidates_by_keys, likely
from leadmodel.storage.protocols import Repository, UnitOfWork

__all__ = ["import_rows", "imports", "revert_import"]

_MODEL = "import_rows"
_STATE = "import:"
_CUSTOM = c.CUSTOM
_MAX_ID = 100
_SHOWN = 100  # characters of a bad cell a RowError keeps
_PART = 1000  # records per state of an import's record (a state holds 10,000 values)

_MANY = frozenset({"email", "phone", "telegram", "instagram", "website", "tags", "order_refs"})
_REQUIRED = {"interests": "occurred_at", "leads": "created_at", "customers": "since"}


# -- the plan: which column feeds what -----------------------------------------------------------


@attrs.frozen
class _Column:
    name: str
    target: str
    read: Callable[[str], Any]


@attrs.frozen
class _Plan:
    kind: str
    columns: tuple[_Column, ...]
    defaults: Mapping[str, Any]
    column_of: Mapping[str, str]
    by_id: bool
    key_kinds: frozenset[str]


def _target_of(p: c.Problems, name: str, spec: ImportMap, kind: str) -> str | None:
    """What column ``name`` feeds (``None``: nothing); a problem when it cannot feed it."""
    allowed = IMPORT_TARGETS[kind]
    target = spec.columns.get(name)
    if target is None:
        if name in allowed and name not in spec.ignore:
            return name
        if name in spec.ignore or spec.unknown is UnknownFields.drop or not name.strip():
            return None  # a blank name: the empty column after a trailing separator
        if spec.unknown is UnknownFields.keep:
            return f"{_CUSTOM}{name}"
        fix = "map it (columns), ignore it (ignore), or keep it (unknown = 'keep')"
        p.append(Problem(f"columns.{name}", f"a column this import does not know; {fix}"))
        return None
    if not target.startswith(_CUSTOM) and target not in allowed:
        p.append(Problem(f"columns.{name}", f"{kind} have no {target!r}: {c.one_of(allowed)}"))
        return None
    return target


def _defaults(p: c.Problems, spec: ImportMap, kind: str) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for target, value in spec.defaults.items():
        if not target.startswith(_CUSTOM) and target not in IMPORT_TARGETS[kind]:
            p.append(Problem(f"defaults.{target}", f"{kind} have no {target!r}"))
            continue
        try:
            defaults[target] = reader(target, spec)(value.strip())
        except ValidationError as exc:
            p.extend(problem.within(f"defaults.{target}") for problem in exc.problems)
    return defaults


def _plan(kind: str, spec: ImportMap, header: Iterable[str], mode: ImportMode) -> _Plan:
    """The columns of ``header`` and what each feeds, checked for ``kind``: every problem of
    the mapping at once, as one :class:`ValidationError`."""
    p: c.Problems = []
    columns: list[_Column] = []
    fed: dict[str, str] = {}
    for name in header:
        if type(name) is not str:
            p.append(Problem("columns", "a column's name is text", name))
            continue
        target = _target_of(p, name, spec, kind)
        if target is None:
            continue
        if target in fed and target not in _MANY:
            msg = f"{target!r} is fed by column {fed[target]!r} already: map one column to it"
            p.append(Problem(f"columns.{name}", msg))
            continue
        fed.setdefault(target, name)
        columns.append(_Column(name, target, reader(target, spec)))
    defaults = _defaults(p, spec, kind)
    required = _REQUIRED.get(kind)
    if required and mode is not ImportMode.update_only and required not in {*fed, *defaults}:
        msg = f"no column gives {required}: map one, or set a default (defaults.{required})"
        p.append(Problem("columns", msg))
    if p:
        c.fail("ImportMap", p)
    return _Plan(
        kind=kind,
        columns=tuple(columns),
        defaults=defaults,
        column_of=fed,
        by_id="id" in fed,
        key_kinds=frozenset(spec.match_on),
    )


@attrs.define(slots=True)
class _Row:
    """One row read: its number, its values by field, contact points and custom fields."""

    n: int
    values: dict[str, Any]
    points: list[ContactPoint]
    custom: dict[str, Any]
    raw: Mapping[str, Any]

    def get(self, target: str) -> Any:
        return self.values.get(target)

    def name(self) -> str | None:
        given: str | None = self.values.get("name")
        if given:
            return given
        parts = [self.values.get("first_name"), self.values.get("last_name")]
        return " ".join(part for part in parts if part) or None


def _read_row(plan: _Plan, n: int, raw: Mapping[str, Any], errors: list[RowError]) -> _Row | None:
    """The row's values, or ``None`` (its problems appended to ``errors``)."""
    row = _Row(n=n, values={}, points=[], custom={}, raw=raw)
    failed = False
    if not isinstance(raw, Mapping):
        msg = "expected a row: a mapping of column to cell"
        errors.append(RowError(row=n, field="", message=msg, value=shorten(raw)))
        return None
    if None in raw:
        errors.append(RowError(row=n, field="", message="more cells than the header has columns"))
        return None
    for column in plan.columns:
        cell = raw.get(column.name)
        if cell is None:
            continue
        try:
            if type(cell) is not str:
                raise bad(c.EXPECTED_STRING, cell)
            cell = cell.strip()
            if cell:
                _put(row, column.target, column.read(cell))
        except ValidationError as exc:
            errors.extend(_error(plan, n, column.target, problem) for problem in exc.problems)
            failed = True
    if failed:
        return None
    _fill_defaults(plan, row)
    return row


def _fill_defaults(plan: _Plan, row: _Row) -> None:
    for target, value in plan.defaults.items():
        if target in POINTS:
            if not any(col.target == target and row.raw.get(col.name) for col in plan.columns):
                row.points.extend(value)
        elif target.startswith(_CUSTOM):
            row.custom.setdefault(target[len(_CUSTOM) :], value)
        elif target == "custom":
            for key, item in value.items():
                row.custom.setdefault(key, item)
        else:
            row.values.setdefault(target, value)


def _put(row: _Row, target: str, value: Any) -> None:
    if target in POINTS:
        row.points.extend(value)
    elif target.startswith(_CUSTOM):
        row.custom[target[len(_CUSTOM) :]] = value
    elif target == "custom":
        row.custom = {**value, **row.custom}
    elif target in _MANY:
        row.values[target] = (*row.values.get(target, ()), *value)
    else:
        row.values[target] = value


_FIELD_TARGETS = {
    "person_name": "name",
    "company_name": "company",
    "contact_points": "contact_points",
    "source": "channel",
    "lost": "lost_reason",
}


def _error(plan: _Plan, n: int, target: str, problem: Problem) -> RowError:
    if target:
        head, field = target, problem.within(target).path
    else:
        first = re.split(r"[.\[]", problem.path, maxsplit=1)[0]
        head = _FIELD_TARGETS.get(first, first)
        field = problem.path if head == first else head
    column = plan.column_of.get(head)
    if head == "contact_points" and column is None:
        column = next((plan.column_of[t] for t in POINTS if t in plan.column_of), None)
    value = problem.value if problem.has_value else None
    if type(value) is str:
        shown: str | None = value if len(value) <= _SHOWN else f"{value[:_SHOWN]}…"
    else:
        shown = None if value is None else shorten(value)
    return RowError(row=n, field=field or head, message=problem.message, column=column, value=shown)


# -- kinds: building, matching and updating records ----------------------------------------------


_Group: TypeAlias = tuple[Any, ...]
"""The records one row stands for: (interest,), (lead,), (contact,), (contact, customer)."""


class _Conflict(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _source(row: _Row, base: Source | None) -> Source:
    channel = row.get("channel")
    changes = {
        "channel": channel,
        "name": row.get("source"),
        "campaign": row.get("campaign"),
        "medium": row.get("medium"),
    }
    given = {key: value for key, value in changes.items() if value is not None}
    if base is None:
        return Source(**{"channel": Channel.other, **given})
    return attrs.evolve(base, **given) if given else base


def _opt(row: _Row, changes: Mapping[str, str]) -> dict[str, Any]:
    """The entity's fields (``changes``: field → target) the row gives a value."""
    return {
        field: row.get(target) for field, target in changes.items() if row.get(target) is not None
    }


def _money(row: _Row) -> Money | None:
    given = row.get("expected_value")
    if given is None:
        return None
    amount, currency = given
    currency = currency or row.get("currency")
    if currency is None:
        msg = "give the currency: a currency column or default, or write '45000 UAH'"
        raise ValidationError([Problem("expected_value", msg, str(amount))])
    try:
        return Money.of(amount, currency)
    except ValidationError as exc:
        shown = f"{amount} {currency}"
        problems = [Problem("expected_value", q.message, shown) for q in exc.problems]
        raise ValidationError(problems) from None


class _Status:
    """A lead's pipeline, status, history and loss as the row gives them (facts, never moves)."""

    def __init__(self, row: _Row, pipelines: Mapping[str, Pipeline]) -> None:
        self.history: tuple[StatusChange, ...] | None = row.get("history")
        self.pipeline: str | None = row.get("pipeline")
        self.status: str | None = row.get("status")
        self.status_at: datetime | None = row.get("status_at")
        if self.history:
            last = self.history[-1]
            self.pipeline = self.pipeline or last.pipeline
            self.status = self.status or last.to_status
        elif self.status is None:
            self.pipeline = None  # a pipeline (a default, say) without a status: no card yet
        self.given = self.status is not None or self.pipeline is not None or bool(self.history)
        self._pipelines = pipelines
        self._row = row

    def check(self, history: tuple[StatusChange, ...]) -> None:
        """Check the facts against the pipeline, when it is a known one: its statuses, and
        the moves of a history that begins where cards enter it (``Pipeline.replay``: an open
        status); a history that begins further on (a record kept since a closed status) is
        not replayed."""
        known = self._pipelines.get(self.pipeline or "")
        if known is None:
            return
        keys = known.status_keys
        for i, change in enumerate(history):
            if change.pipeline == known.key and change.to_status not in keys:
                msg = f"pipeline {known.key!r} has no status {change.to_status!r}: {c.one_of(keys)}"
                raise ValidationError([Problem(f"history[{i}].to_status", msg, change.to_status)])
        if self.status is not None and self.status not in keys:
            msg = f"pipeline {known.key!r} has no status {self.status!r}: {c.one_of(keys)}"
            raise ValidationError([Problem("status", msg, self.status)])
        first = history[0] if history else None
        enters = first is not None and first.from_status is None and first.pipeline == known.key
        if first is not None and enters and known.kind(first.to_status) is StatusKind.open:
            known.replay(history)

    def fresh(self) -> tuple[StatusChange, ...]:
        if self.history:
            return self.history
        if self.pipeline and self.status and self.status_at:
            change = StatusChange(
                pipeline=self.pipeline,
                from_status=None,
                to_status=self.status,
                at=self.status_at,
                reason=self._row.get("lost_reason"),
            )
            return (change,)
        return ()

    def lost(self, history: tuple[StatusChange, ...], stored: LossInfo | None) -> LossInfo | None:
        reason = self._row.get("lost_reason")
        if reason is None:
            return stored
        at = self._row.get("lost_at") or self.status_at or (history[-1].at if history else None)
        if at is None:
            msg = "say when it was lost: a lost_at column, or status_at"
            raise ValidationError([Problem("lost_at", msg)])
        status = self.status or (stored.status if stored else "")
        if stored is not None and (stored.status, stored.reason, stored.at) == (status, reason, at):
            return stored
        return LossInfo(status=status, reason=reason, at=at)

    def onto(self, lead: Lead) -> dict[str, Any]:
        """The changes of a stored ``lead``: the row's facts when they extend its history."""
        if not self.given:
            return {}
        stored = lead.history
        if self.history:
            new = self.history
            ok = new[: len(stored)] == stored or (not stored and lead.status is None)
        elif (self.pipeline or lead.pipeline, self.status or lead.status) == (
            lead.pipeline,
            lead.status,
        ):
            return {}
        elif self.status_at is not None and (not stored or self.status_at >= stored[-1].at):
            pipeline = self.pipeline or lead.pipeline or ""
            same = pipeline == lead.pipeline
            change = StatusChange(
                pipeline=pipeline,
                from_status=lead.status if same else None,
                to_status=self.status or "",
                at=self.status_at,
                reason=self._row.get("lost_reason"),
                from_pipeline=None if same else lead.pipeline,
            )
            new, ok = (*stored, change), True
        else:
            ok, new = lead.status is None, self.fresh()
        if not ok:
            msg = (
                f"the stored lead is at {lead.pipeline}/{lead.status}: an import records a "
                "status as a fact, it does not move stored leads — give the whole history "
                "(a history column beginning with the stored one), or the time of the new "
                "status (status_at), or move it with services.move"
            )
            raise _Conflict("status", msg)
        self.check(new)
        last = new[-1] if new else None
        return {
            "history": new,
            "pipeline": last.pipeline if last else self.pipeline,
            "status": last.to_status if last else self.status,
        }


_LEAD_FIELDS = {
    "person_name": "name",
    "topic": "topic",
    "created_at": "created_at",
    "company_name": "company",
    "company_id": "company_id",
    "owner": "owner",
    "time_zone": "time_zone",
    "consent": "consent",
    "do_not_contact": "do_not_contact",
}
_CONTACT_FIELDS = {
    "name": "name",
    "company_id": "company_id",
    "role": "role",
    "time_zone": "time_zone",
    "consent": "consent",
    "do_not_contact": "do_not_contact",
}
_INTEREST_FIELDS = {
    "occurred_at": "occurred_at",
    "topic": "topic",
    "message": "message",
    "person_name": "name",
    "company_name": "company",
    "owner": "owner",
}


def _named(row: _Row) -> None:
    name = row.name()
    if name is not None:
        row.values["name"] = name


class _Kind:
    """Build, find and update the records of one kind."""

    def __init__(
        self,
        plan: _Plan,
        registry: Registry,
        ids: IdFactory,
        model: MatchModel | None = None,
        merge_at: float = 0.99,
    ) -> None:
        self.plan = plan
        self.pipelines = registry.pipelines
        self.ids = ids
        self.model = model
        self.merge_at = merge_at

    # -- matching

    def keys(self, row: _Row) -> list[str]:
        """The row's keys to match on: its one-person match keys (as
        :func:`~leadmodel.match_keys` makes them: no role mailbox), or an interest's
        idempotency key."""
        if self.plan.kind == "interests":
            return [f"{CAPTURE_KEY}:{self.idempotency_key(row)}"]
        wanted = self.plan.key_kinds
        keys = []
        for point in row.points:
            if point.kind is ContactKind.email:
                local = point.key.rpartition("@")[0].partition("+")[0]
                if "email" in wanted and local not in ROLE_MAILBOXES:
                    keys.append(f"email:{point.key}")
            elif point.kind is ContactKind.phone:
                if "phone" in wanted:
                    keys.append(f"phone:{point.key}")
            elif point.kind is not ContactKind.website and "handle" in wanted:
                keys.append(f"handle:{point.key}")
        return sorted(set(keys))

    def idempotency_key(self, row: _Row) -> str:
        given: str | None = row.get("idempotency_key")
        if given is not None:
            return given
        cells = "\x1e".join(
            f"{col.name}\x1f{str(row.raw.get(col.name) or '').strip()}" for col in self.plan.columns
        )
        defaults = json.dumps(dict(self.plan.defaults), default=str, sort_keys=True)
        return "import:" + hashlib.sha256(f"{cells}\x1d{defaults}".encode()).hexdigest()[:32]

    def find(self, uow: UnitOfWork, row: _Row, keys: list[str]) -> _Group | None:
        kind = self.plan.kind
        if kind == "customers":
            return self._find_customer(uow, row, keys)
        repository: Repository[Any] = getattr(uow, kind)
        if self.plan.by_id:
            return _get(repository, row.get("id"))
        found = _one(repository, keys, kind)
        if found is None and self.model is not None and kind in ("leads", "contacts"):
            found = self._likely(repository, row)
        return None if found is None else (found,)

    def _likely(self, repository: Repository[Any], row: _Row) -> Any:
        """With a model: the stored record surely the same person as the row's (at
        ``merge_at`` or above; candidates by the record's match keys, no scan); ``None``
        when none is; a row error when several are."""
        if self.model is None:
            return None
        record = self.build(row)[0]
        keys = sorted(str(key) for key in match_keys(record))
        candidates = candidates_by_keys(repository, keys, _PER_KEY)
        if not candidates:
            return None
        kind: Literal["leads", "contacts"] = "leads" if self.plan.kind == "leads" else "contacts"
        sure = likely(record, kind, candidates, self.model, self.merge_at, limit=2)
        if len(sure) > 1:
            listed = ", ".join(f"{m.id} (p={m.probability:.3f})" for m in sure)
            msg = f"is likely the same person as {listed}; merge them, or give an id column"
            raise _Conflict("id", msg)
        return repository.get(sure[0].id) if sure else None

    def _find_customer(self, uow: UnitOfWork, row: _Row, keys: list[str]) -> _Group | None:
        if self.plan.by_id:
            customer = _get(uow.customers, row.get("id"))
            if customer is None:
                return None
            contact = _get(uow.contacts, customer[0].contact_id)
            return (contact[0] if contact else None, customer[0])
        contact = _one(uow.contacts, keys, "contacts")
        if contact is None:
            return None
        listed = uow.customers.ids(key=f"contact_id:{contact.id}", limit=1)
        return (contact, uow.customers.get(listed[0]) if listed else None)

    # -- building

    def build(self, row: _Row) -> _Group:
        kind = self.plan.kind
        _named(row)
        if kind == "interests":
            return (self._interest(row),)
        if kind == "leads":
            return (self._lead(row),)
        if kind == "contacts":
            return (self._contact(row),)
        born = customer_from_import(
            at=row.get("since"),
            name=row.get("name"),
            contact_points=row.points,
            ids=self.ids,
        )
        customer = attrs.evolve(
            born.customer,
            id=row.get("id") or born.customer.id,
            order_refs=row.get("order_refs") or (),
            custom=row.custom,
        )
        return (born.contact, customer)

    def _interest(self, row: _Row) -> Interest:
        return Interest(
            id=InterestId(row.get("id") or self.ids()),
            source=_source(row, None),
            contact_points=tuple(row.points),
            custom=row.custom,
            idempotency_key=self.idempotency_key(row),
            **_opt(row, _INTEREST_FIELDS),
        )

    def _lead(self, row: _Row) -> Lead:
        status = _Status(row, self.pipelines)
        history = status.fresh()
        status.check(history)
        fields = _opt(row, _LEAD_FIELDS)
        return Lead(
            id=LeadId(row.get("id") or self.ids()),
            person_name=fields.pop("person_name", ""),
            topic=fields.pop("topic", ""),
            created_at=fields.pop("created_at", None),
            contact_points=tuple(row.points),
            source=_source(row, None),
            pipeline=status.pipeline,
            status=status.status,
            history=history,
            lost=status.lost(history, None),
            expected_value=_money(row),
            tags=frozenset(row.get("tags") or ()),
            custom=row.custom,
            **fields,
        )

    def _contact(self, row: _Row) -> Contact:
        fields = _opt(row, _CONTACT_FIELDS)
        return Contact(
            id=ContactId(row.get("id") or self.ids()),
            name=fields.pop("name", ""),
            contact_points=tuple(row.points),
            custom=row.custom,
            **fields,
        )

    # -- updating

    def apply(self, stored: _Group, row: _Row) -> _Group:
        """The stored records with the row's values (those it gives) set on them."""
        _named(row)
        kind = self.plan.kind
        record = stored[0]
        if kind == "interests":
            changes = _opt(row, _INTEREST_FIELDS)
            return (attrs.evolve(record, **changes, **self._common(row, record)),)
        if kind == "contacts":
            changes = _opt(row, _CONTACT_FIELDS)
            return (attrs.evolve(record, **changes, **self._common(row, record)),)
        if kind == "leads":
            return (self._update_lead(record, row),)
        return self._update_customer(stored, row)

    def _common(self, row: _Row, record: Any) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if row.points:
            changes["contact_points"] = merge_points(record.contact_points, row.points)
        if row.custom:
            changes["custom"] = {**record.custom, **row.custom}
        if hasattr(record, "source"):
            changes["source"] = _source(row, record.source)
        return changes

    def _update_lead(self, lead: Lead, row: _Row) -> Lead:
        changes = _opt(row, _LEAD_FIELDS)
        changes.update(self._common(row, lead))
        status = _Status(row, self.pipelines)
        changes.update(status.onto(lead))
        lost = status.lost(changes.get("history", lead.history), lead.lost)
        if lost is not lead.lost:
            changes["lost"] = lost
        money = _money(row)
        if money is not None and money != lead.expected_value:
            changes["expected_value"] = money
        if row.get("tags"):
            changes["tags"] = lead.tags | frozenset(row.get("tags"))
        return attrs.evolve(lead, **changes)

    def _update_customer(self, stored: _Group, row: _Row) -> _Group:
        contact, customer = stored
        if contact is not None:
            changes = _opt(row, {"name": "name"})
            if row.points:
                changes["contact_points"] = merge_points(contact.contact_points, row.points)
            contact = attrs.evolve(contact, **changes)
        if customer is None:
            since = row.get("since")
            if since is None:
                raise ValidationError([Problem("since", "required to make the customer")])
            born = customer_from_import(at=since, contact=contact, ids=self.ids)
            customer = attrs.evolve(born.customer, id=row.get("id") or born.customer.id)
        changes = {}
        if row.get("since") is not None:
            changes["since"] = row.get("since")
        if row.get("order_refs"):
            changes["order_refs"] = tuple(
                dict.fromkeys((*customer.order_refs, *row.get("order_refs")))
            )
        if row.custom:
            changes["custom"] = {**customer.custom, **row.custom}
        return (contact, attrs.evolve(customer, **changes))


def _get(repository: Repository[Any], record_id: str | None) -> _Group | None:
    if record_id is None:
        return None
    try:
        return (repository.get(record_id),)
    except NotFoundError:
        return None


def _one(repository: Repository[Any], keys: list[str], kind: str) -> Any:
    found: dict[str, str] = {}
    for key in keys:
        for record_id in repository.ids(key=key, limit=3):
            found.setdefault(record_id, key)
    if len(found) > 1:
        listed = ", ".join(f"{record_id} ({key})" for record_id, key in sorted(found.items()))
        msg = f"matches {len(found)} stored {kind}: {listed}; merge them, or give an id column"
        raise _Conflict("id", msg)
    return repository.get(next(iter(found))) if found else None


# -- the import ----------------------------------------------------------------------------------

_PER_KEY = 50  # candidates read per match key for the model: a key shared by more says little


_ORDER = ("interests", "contacts", "leads", "customers")
_MARK_FIELDS = {CAPTURE_KEY: "idempotency_key", "handle": "telegram"}
_COUNTS = ("rows", "created", "updated", "unchanged", "skipped", "failed")
_KIND_OF = {Interest: "interests", Lead: "leads", Contact: "contacts", Customer: "customers"}


@attrs.define
class _Run:
    """What an import has done so far, and what its current batch must write."""

    import_id: str
    plan: _Plan
    kind: _Kind
    mode: ImportMode
    events: bool
    at: datetime
    by: str | None
    counts: dict[str, int] = attrs.field(factory=lambda: dict.fromkeys(_COUNTS, 0))
    errors: list[RowError] = attrs.field(factory=list)
    seen: dict[str, int] = attrs.field(factory=dict)
    new: dict[str, list[Any]] = attrs.field(factory=dict)
    done: list[list[str]] = attrs.field(factory=list)
    parts: int = 0

    def row(self, uow: UnitOfWork, row: _Row) -> None:
        keys = self.kind.keys(row)
        if self.plan.by_id and row.get("id") is None:
            raise _Conflict("id", "blank: the file has an id column, each row needs its id")
        if not self.plan.by_id and not keys:
            kinds = " or ".join(sorted(self.plan.key_kinds))
            msg = (
                f"nothing to match this row on (no {kinds}): give one, or import the file "
                "with an id column (a second import would make another record)"
            )
            raise _Conflict("contact_points", msg)
        marks = [*keys, *([f"id:{row.get('id')}"] if self.plan.by_id else [])]
        for mark in marks:
            if mark in self.seen:
                field, _, what = mark.partition(":")
                msg = f"the same record as row {self.seen[mark]} ({what}): one row per record"
                raise _Conflict(_MARK_FIELDS.get(field, field), msg)
        found = self.kind.find(uow, row, keys)
        if found is None and self.mode is ImportMode.update_only:
            outcome = "skipped"
        elif found is None:
            self._create(uow, self.kind.build(row))
            outcome = "created"
        else:
            changed = self.kind.apply(found, row)
            if changed == found:
                outcome = "unchanged"
            elif self.mode is ImportMode.create:
                outcome = "skipped"
            else:
                self._update(uow, found, changed)
                outcome = "updated"
        for mark in marks:
            self.seen[mark] = row.n
        self.counts[outcome] += 1

    def _create(self, uow: UnitOfWork, group: _Group) -> None:
        for record in group:
            kind = _KIND_OF[type(record)]
            self.new.setdefault(kind, []).append(record)
            if self.events and kind == "leads":
                uow.emit(LeadCreated.of(record, by=self.by))
            elif self.events and kind == "interests":
                uow.emit(InterestCaptured.of(record, by=self.by, reason="imported"))

    def _update(self, uow: UnitOfWork, found: _Group, changed: _Group) -> None:
        for before, after in zip(found, changed, strict=True):
            if before is None and after is not None:
                self._create(uow, (after,))
            elif after is not None and after != before:
                kind = _KIND_OF[type(after)]
                stored = getattr(uow, kind).save(after)
                self.done.append(
                    ["updated", kind, stored.id, _digest(stored), serde.to_json(before)]
                )
                if self.events and kind != "interests":
                    fields = changed_fields(before, after)
                    uow.emit(EntityUpdated.of(stored, fields, at=self.at, by=self.by))

    def flush(self, uow: UnitOfWork) -> None:
        """Add the batch's new records and record what it did (in the batch's unit): a state
        per :data:`_PART` records, each a list of ``[what, kind, id, digest, before?]``."""
        for kind in _ORDER:
            if self.new.get(kind):
                getattr(uow, kind).add_many(self.new[kind])
                self.done += [["created", kind, r.id, _digest(r)] for r in self.new[kind]]
        for start in range(0, len(self.done), _PART):
            name = f"{_STATE}{self.import_id}:{self.parts:06d}"
            uow.states.put(name, {"done": self.done[start : start + _PART]}, expected_version=None)
            self.parts += 1
        self.new, self.done = {}, []


def _digest(record: Any) -> str:
    """What tells a record as an import left it from one changed since (its version aside:
    it is the last field of every entity's document)."""
    text = serde.to_json(record).rpartition('"version"')[0]
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _summary_doc(report: ImportReport) -> dict[str, Any]:
    doc: dict[str, Any] = {"kind": report.kind, "mode": report.mode.value}
    doc["at"] = report.at.isoformat() if report.at else None
    doc.update(by=report.by, source=report.source)
    doc.update({name: getattr(report, name) for name in (*_COUNTS, "removed", "restored")})
    doc["reverted_at"] = report.reverted_at.isoformat() if report.reverted_at else None
    return doc


def _report_of(import_id: str, doc: Mapping[str, Any]) -> ImportReport:
    def when(key: str) -> datetime | None:
        value = doc.get(key)
        return datetime.fromisoformat(value) if value else None

    report = ImportReport(
        import_id=import_id,
        kind=doc["kind"],
        mode=ImportMode(doc["mode"]),
        at=when("at"),
        by=doc.get("by"),
        source=doc.get("source"),
        reverted_at=when("reverted_at"),
        removed=int(doc.get("removed", 0)),
        restored=int(doc.get("restored", 0)),
    )
    return _counted(report, {name: int(doc.get(name, 0)) for name in _COUNTS})


def _counted(report: ImportReport, counts: Mapping[str, int]) -> ImportReport:
    return attrs.evolve(
        report,
        rows=counts["rows"],
        created=counts["created"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        skipped=counts["skipped"],
        failed=counts["failed"],
    )


def _check_args(
    kind: object, mode: object, mapping: object, import_id: object, batch_size: object
) -> ImportMode:
    p: c.Problems = []
    if kind not in IMPORT_TARGETS:
        p.append(Problem("kind", c.one_of(IMPORT_TARGETS), kind))
    try:
        chosen = ImportMode(mode if isinstance(mode, str) else "")
    except ValueError:
        p.append(Problem("mode", c.one_of(m.value for m in ImportMode), mode))
        chosen = ImportMode.create
    if mapping is not None and not isinstance(mapping, ImportMap):
        p.append(
            Problem("mapping", "an ImportMap (None: the columns are named as fields)", mapping)
        )
    c.text(p, "import_id", import_id, "the import's id")
    if type(import_id) is str and (":" in import_id or len(import_id) > _MAX_ID):
        msg = f"an id of at most {_MAX_ID} characters, without ':'"
        p.append(Problem("import_id", msg, import_id))
    if type(batch_size) is not int or not 1 <= batch_size <= 100_000:  # noqa: PLR2004
        p.append(Problem("batch_size", "a whole number from 1 to 100,000", batch_size))
    if p:
        c.fail(_MODEL, p)
    return chosen


def _chunks(rows: Iterator[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    chunk: list[Mapping[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def import_rows(
    uow: UnitOfWork,
    rows: Iterable[Mapping[str, str | None]],
    *,
    kind: str,
    mapping: ImportMap | None = None,
    header: Iterable[str] | None = None,
    mode: ImportMode | str = ImportMode.create,
    import_id: str | None = None,
    source: str | None = None,
    registry: Registry | None = None,
    batch_size: int = 1000,
    first_row: int = 1,
    events: bool = False,
    model: MatchModel | None = None,
    merge_at: float = 0.99,
    by: str | None = None,
    at: datetime | None = None,
    clock: Clock = utc_now,
    ids: IdFactory = uuid7,
) -> ImportReport:
    """Import ``rows`` (mappings of column to cell, as ``csv.DictReader`` reads a file) as
    records of ``kind`` (``interests``, ``leads``, ``contacts``, ``customers``), read as
    ``mapping`` says; returns the :class:`ImportReport`. The columns are ``header`` (a CSV
    file's, which a file without rows has too), else the first row's keys.

    **Matching.** With an ``id`` column a row's record is the stored one of that id; without,
    the one sharing a one-person match key (``mapping.match_on``: email, phone, handle) —
    interests by their idempotency key (the ``idempotency_key`` column, else a hash of the
    row's cells). A row matching several records, or a record an earlier row of this import
    had, is a row error, and so is a row with nothing to match on (no key, a blank id):
    importing it again would make another record. ``mode`` (:class:`ImportMode`) says what
    becomes of matched and unmatched rows. With ``model`` (a trained
    :class:`~leadmodel.MatchModel`; the ``match`` extra), a lead or contact row that no key
    matches is scored against the stored records sharing any of its match keys (a name, a
    company, a domain: no scan), and matches the one the model finds the same person at
    ``merge_at`` or above (default 0.99: typos, swapped names, a mistyped mailbox). An update
    sets the fields the row gives (a blank cell leaves a field as it is), adds contact points,
    tags and order references, and merges custom fields; a row whose values the record holds
    already leaves it ``unchanged``, so importing a file again changes nothing.

    **Facts, not moves.** A lead's ``pipeline`` and ``status`` are stored as given, with the
    ``history`` column's status changes (JSON, as :func:`export_rows` writes them), or one
    change at ``status_at``, or none; closed statuses included, no import-time move is made.
    A pipeline ``registry`` knows (default: the presets) checks them (``Pipeline.replay``).
    A stored lead takes a history that extends its own, or a new status at a later
    ``status_at``; anything else is a row error. Customers are born by import
    (:func:`~leadmodel.customer_from_import`): a contact and a person customer.

    **Batches.** Rows are written ``batch_size`` at a time, one unit of work each; a bad row
    (its number counted from ``first_row``) is left out with its :class:`RowError`, never
    aborting the rest. The import is recorded in the unit's state store as
    ``import:<id>``: :func:`revert_import` undoes it. Records are made with ``ids`` (default
    :func:`~leadmodel.uuid7`), as is the import's id unless ``import_id`` is given;
    ``source`` (a file name) is kept with the record. With ``events``, new leads and
    interests emit ``LeadCreated`` and ``InterestCaptured``, updates ``EntityUpdated``; by
    default an import announces nothing record by record (last year's leads must not start
    this year's follow-ups). A mapping that does not fit raises
    :class:`~leadmodel.errors.ValidationError` before any row is read.

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> uow, at = lm.MemoryUnitOfWork(), datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> rows = [{"Name": "Olena Koval", "E-mail": "olena@mebli.ua", "Since": "2025-06-01"},
    ...         {"Name": "Ivan Petrenko", "E-mail": "ivan@", "Since": "2025-07-15"}]
    >>> spec = lm.services.ImportMap(columns={"Name": "name", "E-mail": "email",
    ...     "Since": "created_at"}, defaults={"topic": "Office chairs"}, time_zone="Europe/Kyiv")
    >>> report = lm.services.import_rows(uow, rows, kind="leads", mapping=spec, first_row=2,
    ...     at=at, ids=lm.sequential_ids("L"))
    >>> report.created, report.failed, [str(e) for e in report.errors]
    (1, 1, ["row 3, email (column 'E-mail'): not an email address...; got 'ivan@'"])
    >>> again = lm.services.import_rows(uow, rows[:1], kind="leads", mapping=spec, at=at)
    >>> again.created, again.unchanged
    (0, 1)
    """
    the_id = import_id if import_id is not None else ids()
    chosen = _check_args(kind, mode, mapping, the_id, batch_size)
    spec = mapping if mapping is not None else ImportMap()
    when = now(clock, at)
    name = f"{_STATE}{the_id}"
    with uow:
        taken = uow.states.get(name) is not None
    if taken:
        raise RuleViolation(f"import {the_id} exists; give another import_id (or revert it)")
    walk = iter(rows)
    first = next(walk, None) if header is None else None
    columns = header if header is not None else first.keys() if first is not None else ()
    plan = _plan(kind, spec, columns, chosen)
    kinds = _Kind(
        plan, registry if registry is not None else Registry.default(), ids, model, merge_at
    )
    run = _Run(the_id, plan, kinds, chosen, events, when, by)
    report = ImportReport(import_id=the_id, kind=kind, mode=chosen, at=when, by=by, source=source)
    version: int | None = None
    everything = walk if first is None else _prepend(first, walk)
    number = first_row
    for chunk in _chunks(everything, batch_size):
        with uow:
            for raw in chunk:
                run.counts["rows"] += 1
                _one_row(uow, run, plan, number, raw)
                number += 1
            run.flush(uow)
            report = _counted(report, run.counts)
            version = uow.states.put(name, _summary_doc(report), expected_version=version).version
            uow.commit()
    if version is None:  # no rows: the import is recorded all the same
        with uow:
            uow.states.put(name, _summary_doc(report), expected_version=None)
            uow.commit()
    return attrs.evolve(report, errors=tuple(run.errors))


def _prepend(first: Mapping[str, Any], rest: Iterator[Mapping[str, Any]]) -> Iterator[Any]:
    yield first
    yield from rest


def _one_row(uow: UnitOfWork, run: _Run, plan: _Plan, n: int, raw: Mapping[str, Any]) -> None:
    before = len(run.errors)
    row = _read_row(plan, n, raw, run.errors)
    if row is not None:
        try:
            run.row(uow, row)
        except ValidationError as exc:
            run.errors.extend(_error(plan, n, "", problem) for problem in exc.problems)
        except RuleViolation as exc:
            field = "history" if "history" in plan.column_of else "status"
            run.errors.append(RowError(row=n, field=field, message=str(exc).splitlines()[0],
                                       column=plan.column_of.get(field)))  # fmt: skip
        except _Conflict as exc:
            column = plan.column_of.get(exc.field)
            if exc.field == "contact_points" and column is None:
                given = [c.name for c in plan.columns if c.target in POINTS and raw.get(c.name)]
                column = given[0] if given else None
            run.errors.append(RowError(row=n, field=exc.field, message=exc.message, column=column))
    if len(run.errors) > before:
        run.counts["failed"] += 1


# -- revert and listing --------------------------------------------------------------------------


def imports(uow: UnitOfWork) -> list[ImportReport]:
    """The imports recorded in the store, oldest id first (their counts; no row errors).

    >>> import leadmodel as lm
    >>> uow = lm.MemoryUnitOfWork()
    >>> _ = lm.services.import_rows(uow, [{"name": "Olena Koval", "email": "olena@mebli.ua"}],
    ...     kind="contacts", import_id="imp-1")
    >>> [(r.import_id, r.kind, r.created) for r in lm.services.imports(uow)]
    [('imp-1', 'contacts', 1)]
    """
    with uow:
        names = [name for name in uow.states.names(_STATE) if name.count(":") == 1]
        found = [(name, uow.states.get(name)) for name in names]
    return [_report_of(name[len(_STATE) :], s.doc) for name, s in found if s is not None]


def revert_import(
    uow: UnitOfWork,
    import_id: str,
    *,
    at: datetime | None = None,
    clock: Clock = utc_now,
) -> ImportReport:
    """Undo import ``import_id``: remove the records it created and put back the documents of
    those it updated, batch by batch (one unit of work each, so an interrupted revert goes on
    where it stopped when run again). A record changed since the import is left as it is and
    listed in ``errors``. Emits no events. Raises :class:`~leadmodel.errors.NotFoundError`
    for an unknown id and :class:`~leadmodel.errors.RuleViolation` for an import reverted
    already.

    >>> import leadmodel as lm
    >>> uow = lm.MemoryUnitOfWork()
    >>> _ = lm.services.import_rows(uow, [{"name": "Olena Koval", "email": "olena@mebli.ua"}],
    ...     kind="contacts", import_id="imp-1")
    >>> lm.services.revert_import(uow, "imp-1").removed
    1
    >>> with uow:
    ...     uow.contacts.count()
    0
    >>> lm.services.revert_import(uow, "imp-1")
    Traceback (most recent call last):
    ...
    leadmodel.errors.RuleViolation: import imp-1 was reverted at ...; nothing is left to undo
    """
    when = now(clock, at)
    name = f"{_STATE}{import_id}"
    with uow:
        stored = uow.states.get(name) if type(import_id) is str and import_id else None
        if stored is None:
            msg = f"no import {import_id!r} in this store; list them with services.imports"
            raise NotFoundError(msg, kind="imports", id=str(import_id))
        report = _report_of(import_id, stored.doc)
        if report.reverted_at is not None:
            msg = f"import {import_id} was reverted at {report.reverted_at.isoformat()}"
            raise RuleViolation(f"{msg}; nothing is left to undo")
        batches = sorted(uow.states.names(f"{name}:"), reverse=True)
    errors: list[RowError] = []
    removed = restored = 0
    for batch in batches:
        with uow:
            state = uow.states.get(batch)
            if state is None:  # reverted by a run that stopped before the end
                continue
            done = _revert_part(uow, state.doc, errors)
            removed, restored = removed + done[0], restored + done[1]
            uow.states.remove(batch)
            uow.commit()
    with uow:
        current = uow.states.get(name)
        report = _report_of(import_id, current.doc if current else stored.doc)
        report = attrs.evolve(
            report,
            reverted_at=when,
            removed=report.removed + removed,
            restored=report.restored + restored,
        )
        uow.states.put(
            name, _summary_doc(report), expected_version=current.version if current else None
        )
        uow.commit()
    return attrs.evolve(report, errors=tuple(errors))


def _revert_part(
    uow: UnitOfWork, doc: Mapping[str, Any], errors: list[RowError]
) -> tuple[int, int]:
    removed = restored = 0
    for what, kind, record_id, digest, *before in reversed(doc["done"]):
        repository: Repository[Any] = getattr(uow, kind)
        try:
            current = repository.get(record_id)
        except NotFoundError:
            if what == "updated":
                msg = "removed since the import: not restored"
                errors.append(RowError(row=None, field=f"{kind}:{record_id}", message=msg))
            continue
        if _digest(current) != digest:
            left = "not removed" if what == "created" else "not restored"
            msg = f"changed since the import (now at version {current.version}): {left}"
            errors.append(RowError(row=None, field=f"{kind}:{record_id}", message=msg))
        elif what == "created":
            repository.remove(record_id)
            removed += 1
        else:
            old = serde.from_json(type(current), before[0])
            repository.save(attrs.evolve(old, version=current.version))
            restored += 1
    return removed, restored
