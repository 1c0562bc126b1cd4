"""What every adapter stores for an entity: a JSON document plus a few indexed columns.

One definition for all adapters, so the in-memory store filters exactly as the SQL ones do:
the kinds and their repositories, the indexed columns (owner, pipeline, status, creation time
in UTC microseconds; for leads, the two timeline facts the SLA sweep reads), the match keys
(one row per key), the filter checks, and decoding a row
with an error that names it (``get``) or, in a listing, skipping it with a warning that names it;
the SQL adapters' seals (schema version 6: a sealed document is read without re-checking it).
The state store's rows too: its checks, its stored form and its errors. And the leads' flat
analytics projection (schema version 5): one row per lead, one per status change.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, cast

import attrs

from leadmodel import serde
from leadmodel._kernel import checks as c
from leadmodel._kernel import documents, json_text
from leadmodel._kernel.copy import replace
from leadmodel.domain.events import DomainEvent, event_type
from leadmodel.domain.intake import CAPTURE_KEY, QUARANTINE_KEY
from leadmodel.domain.ladder import reply_owed_since
from leadmodel.domain.matching import MatchKey, match_keys
from leadmodel.domain.model import Company, Contact, Customer, Direction, Interest, Lead
from leadmodel.domain.routing import idle_since
from leadmodel.errors import (
    ConcurrencyError,
    NotFoundError,
    Problem,
    UnreadableRowWarning,
    ValidationError,
)
from leadmodel.storage.protocols import Indexed, StoredState, state_name_problem

KEYS_TABLE: Final = "leadmodel_keys"
OUTBOX_TABLE: Final = "leadmodel_outbox"
SCHEMA_TABLE: Final = "leadmodel_schema"


def table(kind: str) -> str:
    """The SQL table of a kind of entity: ``leadmodel_leads``..."""
    return f"leadmodel_{kind}"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(at: datetime) -> int:
    """An aware datetime as integer microseconds since the Unix epoch (sortable, exact)."""
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def instant(stored: int | None) -> datetime | None:
    """The UTC datetime of :func:`micros` (``None`` for ``None``)."""
    return None if stored is None else _EPOCH + timedelta(microseconds=stored)


@attrs.frozen
class Kind:
    """How one kind of entity is stored and which filters it has."""

    name: str
    cls: type[Any]
    created: str | None  # the attribute holding the creation time
    owner: bool  # has ``owner``
    status: bool  # has ``pipeline``/``status``
    keys: bool  # has match keys
    timeline: bool = False  # has activities: the ``owed`` and ``idle`` columns (leads)
    projected: bool = False  # kept in the analytics projection (leads; schema version 5)

    @property
    def noun(self) -> str:
        """One entity of the kind, for messages: ``lead``, ``company``..."""
        return self.cls.__name__.lower()

    @property
    def filters(self) -> frozenset[str]:
        """The :meth:`~leadmodel.storage.Repository.find` filters this kind accepts."""
        names = {"after", "limit"}
        if self.created:
            names |= {"created_from", "created_to"}
        if self.owner:
            names.add("owner")
        if self.status:
            names |= {"status", "pipeline"}
        if self.keys:
            names.add("key")
        if self.timeline:
            names |= {"owed_from", "owed_to", "idle_from", "idle_to"}
        return frozenset(names)

    @property
    def indexes(self) -> dict[str, tuple[str, ...]]:
        """The indexed columns of the kind's table since schema version 2, by the index's
        name suffix. Each equality filter's index ends in ``id``: a page of ``find(...,
        after=..., limit=...)`` by owner, status, or pipeline and status is then one range of
        one index, already in id order — no sort of every match on every page."""
        out: dict[str, tuple[str, ...]] = {}
        if self.owner:
            out["owner"] = ("owner", "id")
        if self.status:
            out["status"] = ("status", "id")
            out["pipeline"] = ("pipeline", "status", "id")
        if self.created:
            out["created"] = ("created",)
        if self.timeline:  # schema version 4
            out["owed"] = ("owed",)
            out["idle"] = ("pipeline", "status", "idle")
        return out


KIND: Final = {
    "interests": Kind("interests", Interest, "occurred_at", owner=True, status=False, keys=True),
    "leads": Kind(
        "leads",
        Lead,
        "created_at",
        owner=True,
        status=True,
        keys=True,
        timeline=True,
        projected=True,
    ),
    "contacts": Kind("contacts", Contact, None, owner=False, status=False, keys=True),
    "companies": Kind("companies", Company, None, owner=False, status=False, keys=True),
    "customers": Kind("customers", Customer, "since", owner=False, status=False, keys=True),
}


def keys_of(entity: Any) -> tuple[str, ...]:
    """The lookup keys stored for an entity, sorted: its match keys (:func:`match_keys`), and
    for a customer, which has no contact data of its own, the records it links to
    (``contact_id:…``, ``company_id:…``, ``lead_id:…``); for an interest, its idempotency key
    (``capture:…``) and, while it is quarantined, ``quarantine:held``."""
    if isinstance(entity, Customer):
        links = [f"lead_id:{lead_id}" for lead_id in entity.lead_ids]
        if entity.contact_id is not None:
            links.append(f"contact_id:{entity.contact_id}")
        if entity.company_id is not None:
            links.append(f"company_id:{entity.company_id}")
        return tuple(sorted(set(links)))
    keys = {str(k) for k in match_keys(entity)}
    if isinstance(entity, Interest):  # the front door's: its idempotency key, its quarantine
        if entity.idempotency_key is not None:
            keys.add(f"{CAPTURE_KEY}:{entity.idempotency_key}")
        if entity.quarantine is not None:
            keys.add(QUARANTINE_KEY)
    return tuple(sorted(keys))


KEYED: Final[dict[type, tuple[str, ...]]] = {
    Interest: ("person_name", "company_name", "contact_points", "idempotency_key", "quarantine"),
    Lead: ("person_name", "company_id", "company_name", "contact_points"),
    Contact: ("name", "company_id", "contact_points"),
    Company: ("name", "legal_name", "tax_id", "domain", "contact_points"),
    Customer: ("lead_ids", "contact_id", "company_id"),
}
"""The fields :func:`keys_of` reads, by class: an entity that holds the very objects another
held in them has its keys (see :func:`kept`)."""

PROJECTED: Final = (
    "id",
    "pipeline",
    "status",
    "history",
    "activities",
    "created_at",
    "owner",
    "source",
    "expected_value",
    "time_zone",
    "lost",
    "converted",
)
"""The fields of a lead :func:`projection` reads (see :func:`kept`)."""


def kept(kind: Kind, read: Any, entity: Any) -> tuple[bool, bool]:
    """Whether saving ``entity`` where ``read`` is stored keeps its key rows and its
    projection rows: each field they are made from holds the same object in both (``is``,
    not ``==``: equal values may be written differently, ``Decimal("1.0")`` and ``"1.00"``).
    An edit copies the fields it does not change, so a save that changed only, say, the tags
    needs neither its keys nor its projection made, read back and compared."""
    keys = not kind.keys or _same(KEYED[kind.cls], read, entity)
    rows = not kind.projected or _same(PROJECTED, read, entity)
    return keys, rows


def _same(fields: tuple[str, ...], read: Any, entity: Any) -> bool:
    return all(getattr(read, name) is getattr(entity, name) for name in fields)


@attrs.frozen
class Row:
    """The stored form of one entity: id, version, document and indexed columns."""

    id: str
    version: int
    doc: str
    owner: str | None
    pipeline: str | None
    status: str | None
    created: int | None
    keys: tuple[str, ...]
    owed: int | None = None  # leads: reply_owed_since, UTC microseconds
    idle: int | None = None  # leads: idle_since, UTC microseconds


INDEXED_COLUMNS: Final = ("id", "version", "owner", "pipeline", "status", "created")
"""The indexed columns :func:`indexed` reads, in its order (leads add ``owed``, ``idle``)."""


def indexed(values: tuple[Any, ...]) -> Indexed:
    """The :class:`~leadmodel.storage.Indexed` of stored column values in the order of
    :data:`INDEXED_COLUMNS` (then ``owed`` and ``idle`` for leads), instants as UTC micros."""
    row_id, version, owner, pipeline, status, created, *timeline = values
    owed, idle = timeline or (None, None)
    return Indexed(
        row_id, version, owner, pipeline, status, instant(created), instant(owed), instant(idle)
    )


def indexed_of(row: Row) -> Indexed:
    """What :class:`Row` ``row`` indexes."""
    columns = (row.id, row.version, row.owner, row.pipeline, row.status, row.created)
    return indexed((*columns, row.owed, row.idle))


def check_entity(kind: Kind, entity: Any) -> None:
    """Refuse ``entity`` unless it is of the kind's class (a ValidationError naming both)."""
    if type(entity) is not kind.cls:
        expected = kind.cls.__name__
        msg = f"the {kind.name} repository stores {expected} objects; use the matching repository"
        raise ValidationError([Problem("entity", msg, entity)], model=kind.name)


def bumped(kind: Kind, entity: Any, *, keys: bool = True) -> tuple[Row, Any]:
    """What ``save`` stores: the row and the entity at ``version + 1`` (the row's ``keys``
    left empty for ``keys=False``: the caller keeps the stored ones, see :func:`kept`)."""
    check_entity(kind, entity)
    if entity.version >= c.MAX_VERSION:
        msg = "the version cannot grow past 2**63 - 1; copy the entity under a new id"
        raise ValidationError([Problem("version", msg, entity.version)], model=kind.name)
    saved = replace(entity, version=entity.version + 1)  # only the version changes
    return row_of(kind, saved, keys=keys), saved


def row_of(kind: Kind, entity: Any, *, keys: bool = True) -> Row:
    """The row for ``entity`` (checked to be of the kind's class); its ``keys`` left empty for
    ``keys=False``."""
    check_entity(kind, entity)
    created = getattr(entity, kind.created) if kind.created else None
    owed = reply_owed_since(entity) if kind.timeline else None
    idle = idle_since(entity) if kind.timeline else None
    return Row(
        id=entity.id,
        version=entity.version,
        doc=serde.to_json(entity),
        owner=entity.owner if kind.owner else None,
        pipeline=entity.pipeline if kind.status else None,
        status=entity.status if kind.status else None,
        created=None if created is None else micros(created),
        keys=keys_of(entity) if kind.keys and keys else (),
        owed=None if owed is None else micros(owed),
        idle=None if idle is None else micros(idle),
    )


@attrs.frozen(kw_only=True)
class Resealed:
    """What ``reseal()`` of an SQL unit of work did, over every entity table: the rows it
    sealed (``sealed``), those already sealed by this leadmodel (``kept``), and those it left
    to be read in full — unreadable ones (``unreadable``: docs/storage.md, "Unreadable rows")
    and readable ones this leadmodel writes otherwise (``outdated``: their next save seals
    them).

    >>> Resealed(sealed=2, kept=1)
    Resealed(sealed=2, kept=1, unreadable=0, outdated=0)
    """

    sealed: int = 0
    kept: int = 0
    unreadable: int = 0
    outdated: int = 0


def reseal(kind: Kind, row_id: str, doc: str | bytes, seal: object) -> tuple[str, bytes | None]:
    """What ``reseal()`` does with one stored row: ``(outcome, seal to store or None)``, the
    outcome a field name of :class:`Resealed`. A row is sealed only when it decodes, checked
    in full, and this leadmodel writes its entity as exactly the stored document."""
    text = doc.encode("utf-8") if isinstance(doc, str) else doc
    fresh = seal_of(text)
    if seal == fresh:
        return "kept", None
    try:
        entity = decode(kind, row_id, text)  # no seal: checked in full
    except ValidationError:
        return "unreadable", None
    if serde.to_json(entity).encode("utf-8") != text:
        return "outdated", None
    return "sealed", fresh


StoredRow = tuple[str, str | bytes] | tuple[str, str | bytes, bytes | None]
"""A stored entity as an adapter reads it: ``(id, JSON document)``, and its seal
(:func:`seal_of`) when the adapter stores one."""


def timeline_columns(row_id: str, doc: str | bytes) -> tuple[int | None, int | None]:
    """``(owed, idle)`` of a stored lead ``(id, document)``: what schema version 4 fills in for
    the leads stored before it. An unreadable document keeps both empty (it is listed nowhere
    anyway until repaired, and the repair's ``save`` writes them)."""
    kind = KIND["leads"]
    try:
        row = row_of(kind, decode(kind, row_id, doc))
    except ValidationError:
        return None, None
    return row.owed, row.idle


@functools.cache
def _sealer() -> Any:
    """The hash every seal continues: SHA-256 begun with the source of every module of this
    leadmodel (its version included), read once. A leadmodel whose checks differ in any way
    begins it otherwise, so it checks every row another one sealed. Without its sources (a
    frozen app), a key of this process alone: its seals are trusted by nobody else."""
    root = Path(__file__).resolve().parents[1]  # the leadmodel package
    sources = sorted(root.rglob("*.py"))
    sealer = hashlib.sha256(f"leadmodel documents {serde.SCHEMA_VERSION}\0".encode())
    if not sources:  # pragma: no cover - an installed leadmodel has its sources
        sealer.update(os.urandom(32))
    for path in sources:
        sealer.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape"))
        sealer.update(b"\0")
        sealer.update(hashlib.sha256(path.read_bytes()).digest())
    sealer.update(b"\0document\0")
    return sealer


SEAL_SIZE: Final = 16
"""The bytes of a seal (:func:`seal_of`)."""


def seal_of(doc: str | bytes) -> bytes:
    """The seal an SQL adapter stores with a document it writes: the first :data:`SEAL_SIZE`
    bytes of a SHA-256 of the document's UTF-8 text, begun with this leadmodel's code
    (:func:`_sealer`). :func:`decode` rebuilds a document whose seal matches without running
    the classes' checks again: they passed when it was written, under the same code. A
    checksum against accidents — a row edited by hand or by another tool, written by another
    leadmodel, or damaged — not a signature against someone who can write the file (they can
    write anything into it)."""
    sealer = _sealer().copy()
    sealer.update(doc.encode("utf-8") if isinstance(doc, str) else doc)
    return bytes(sealer.digest()[:SEAL_SIZE])


def decode(kind: Kind, row_id: str, doc: str | bytes, seal: bytes | None = None) -> Any:
    """Load a stored document; a corrupted one raises :class:`ValidationError` naming the row
    (so does a document whose id is not its row's: it was written there by hand).

    A document stored with the seal :func:`seal_of` gives it is rebuilt without its classes'
    checks (:func:`~leadmodel._kernel.documents.trusted`); any other — no seal, another seal,
    or one that does not rebuild — is read and checked in full."""
    entity = None
    if seal is not None and seal == seal_of(doc):
        with contextlib.suppress(Exception):  # read again below, in full, naming its problems
            entity = documents.trusted(kind.cls, json_text.loads(doc))
    if entity is None:
        try:
            entity = serde.from_json(kind.cls, doc)
        except ValidationError as exc:
            raise ValidationError(exc.problems, model=f"{kind.name} row {row_id!r}") from None
    if entity.id != row_id:
        msg = "the stored document has another id than its row; restore the row from a backup"
        problem = Problem("id", msg, entity.id)
        raise ValidationError([problem], model=f"{kind.name} row {row_id!r}")
    return entity


def readable(kind: Kind, rows: Iterable[StoredRow]) -> Iterator[Any]:
    """What a listing (``find``, ``iter_all``) yields for stored ``(id, document)`` rows: the
    entity of each row that decodes. A row that does not is skipped with an
    :class:`UnreadableRowWarning` naming it and its problems, so one bad row never hides the
    others and is never lost silently (``get`` of its id raises the :class:`ValidationError`)."""
    for row_id, doc, *seal in rows:
        try:
            entity = decode(kind, row_id, doc, *seal)
        except ValidationError as exc:
            _warn_outside(
                UnreadableRowWarning(
                    f"{kind.name} row {row_id!r} cannot be read and was left out of this "
                    f"listing; get({row_id!r}) raises the same problems — repair or remove the "
                    f"row (docs/storage.md, 'Unreadable rows'): {exc}",
                    kind=kind.name,
                    id=row_id,
                    problems=exc.problems,
                )
            )
            continue
        yield entity


def _warn_outside(warning: Warning) -> None:
    """Emit ``warning`` at the first caller outside leadmodel: the host's line that listed
    (the depth differs by adapter and by method, so no fixed ``stacklevel`` fits)."""
    level, frame = 2, sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("leadmodel."):
        level += 1
        frame = frame.f_back
    warnings.warn(warning, stacklevel=level)


def encode_event(event: DomainEvent) -> tuple[str, str]:
    """``(type, JSON document)`` of an event, as the outbox stores it."""
    return event.type, serde.to_json(event)


def is_erasure(events: Iterable[DomainEvent]) -> bool:
    """Whether a unit with ``events`` erased a person (its commit must not leave the values in
    a journal: the SQLite adapters checkpoint the WAL after it)."""
    return any(event.type == "PersonErased" for event in events)


def decode_event(seq: int, type_name: str, doc: str | bytes) -> DomainEvent:
    """Load an outbox entry; a corrupted one raises :class:`ValidationError` naming it."""
    try:
        return serde.from_json(event_type(type_name), doc)
    except ValidationError as exc:
        raise ValidationError(exc.problems, model=f"outbox entry {seq}") from None


@attrs.frozen
class Filters:
    """Checked :meth:`~leadmodel.storage.Repository.find` filters, in stored form, and the
    page: only ids above ``after``, at most ``limit`` rows (each when set)."""

    status: str | None = None
    pipeline: str | None = None
    owner: str | None = None
    key: str | None = None
    created_from: int | None = None
    created_to: int | None = None
    owed_from: int | None = None
    owed_to: int | None = None
    idle_from: int | None = None
    idle_to: int | None = None
    after: str | None = None
    limit: int | None = None

    def accepts(self, row: Row) -> bool:
        """Whether a row passes every filter and ``after`` (the in-memory adapter's ``WHERE``)."""
        return (
            (self.after is None or row.id > self.after)
            and (self.status is None or row.status == self.status)
            and (self.pipeline is None or row.pipeline == self.pipeline)
            and (self.owner is None or row.owner == self.owner)
            and (self.key is None or self.key in row.keys)
            and (
                self.created_from is None
                or (row.created is not None and row.created >= self.created_from)
            )
            and (
                self.created_to is None
                or (row.created is not None and row.created < self.created_to)
            )
            and _within(row.owed, self.owed_from, self.owed_to)
            and _within(row.idle, self.idle_from, self.idle_to)
        )


def _within(value: int | None, start: int | None, end: int | None) -> bool:
    """Whether a stored instant is in ``[start, end)`` (a missing bound: no bound); an empty
    column is in no range, as SQL's ``NULL >= x`` is not true."""
    if start is None and end is None:
        return True
    return value is not None and (start is None or value >= start) and (end is None or value < end)


def conditions(wanted: Filters) -> list[tuple[str, str, Any]]:
    """The filters and ``after`` as ``(column, operator, value)`` for the SQL adapters'
    ``WHERE`` (``limit`` is theirs to add).

    The column ``"key"`` with operator ``"has"`` means: one of the entity's rows in the keys
    table holds this match key. ``after`` is ``("id", ">", after)``: with the equality filters
    before it, a range of an index that ends in id (:attr:`Kind.indexes`).
    """
    out: list[tuple[str, str, Any]] = [
        (column, "=", getattr(wanted, column))
        for column in ("status", "pipeline", "owner")
        if getattr(wanted, column) is not None
    ]
    if wanted.after is not None:
        out.append(("id", ">", wanted.after))
    if wanted.created_from is not None:
        out.append(("created", ">=", wanted.created_from))
    if wanted.created_to is not None:
        out.append(("created", "<", wanted.created_to))
    for column in ("owed", "idle"):
        start, end = getattr(wanted, f"{column}_from"), getattr(wanted, f"{column}_to")
        if start is not None:
            out.append((column, ">=", start))
        if end is not None:
            out.append((column, "<", end))
    if wanted.key is not None:
        out.append(("key", "has", wanted.key))
    return out


def newer_schema(found: int, known: int) -> str:
    """The message for a database whose schema a newer leadmodel made."""
    return (
        f"the database schema is at version {found}, newer than this leadmodel knows "
        f"({known}); upgrade leadmodel to open it"
    )


_FILTER_NAMES: Final = frozenset(f.name for f in attrs.fields(Filters))
_PAGE: Final = frozenset({"after", "limit"})
_WHOLE_COUNT = "count counts every match, so it takes no after or limit (a page's: find, page)"
_FULL_PAGE = "a page holds at least one entity: pass a limit of 1 or more"


def filters(kind: Kind, given: dict[str, Any], *, method: str = "find") -> Filters:
    """Check the filters passed to ``method`` of ``kind``'s repository; every problem at once.

    ``find`` takes every filter of the kind (:attr:`Kind.filters`), ``count`` all but
    ``after`` and ``limit``, and ``page`` needs a ``limit`` of 1 or more.
    """
    p: c.Problems = []
    out: dict[str, Any] = {}
    allowed = kind.filters - _PAGE if method == "count" else kind.filters
    for name, value in given.items():
        if value is None and name in _FILTER_NAMES:
            continue  # a filter left at its default
        if name not in allowed:
            have = ", ".join(sorted(allowed))
            why = _WHOLE_COUNT if name in _PAGE else f"{kind.name} cannot be filtered by {name}"
            p.append(Problem(name, f"{why}; use {have}", value))
            continue
        out[name] = _filter_value(p, name, value)
    if method == "page" and (given.get("limit") is None or out.get("limit") == 0):
        p.append(Problem("limit", _FULL_PAGE, given.get("limit")))
    if p:
        c.fail(f"{kind.name}.{method}", p)
    return Filters(**out)


def _filter_value(p: c.Problems, name: str, value: Any) -> Any:
    checks: dict[str, Callable[[], Any]] = {
        "key": lambda: _key(p, value),
        "created_from": lambda: _time(p, name, value),
        "created_to": lambda: _time(p, name, value),
        "owed_from": lambda: _time(p, name, value),
        "owed_to": lambda: _time(p, name, value),
        "idle_from": lambda: _time(p, name, value),
        "idle_to": lambda: _time(p, name, value),
        "after": lambda: _after(p, value),
        "limit": lambda: _limit(p, value),
    }
    if name in checks:
        return checks[name]()
    c.text(p, name, value, f"the {name}")
    return value


def _key(p: c.Problems, value: Any) -> str | None:
    if isinstance(value, MatchKey):
        return str(value)
    if type(value) is str and ":" in value:
        if c.is_unicode(value):
            return value
        p.append(Problem("key", c.NOT_UNICODE, value))
        return None
    msg = "pass a MatchKey from match_keys(...) or its text, such as 'email:anna@example.com'"
    p.append(Problem("key", msg, value))
    return None


def _after(p: c.Problems, value: Any) -> str | None:
    if type(value) is str and value:
        if c.is_unicode(value):
            return value
        p.append(Problem("after", c.NOT_UNICODE, value))
        return None
    msg = (
        "pass the id of the last entity of the page before (Page.next), a non-empty string, "
        "or None for the first page"
    )
    p.append(Problem("after", msg, value))
    return None


def _time(p: c.Problems, name: str, value: Any) -> int | None:
    c.aware(p, name, value)
    return micros(value) if isinstance(value, datetime) and value.utcoffset() is not None else None


def _limit(p: c.Problems, value: Any) -> int | None:
    if type(value) is not int or not 0 <= value <= c.MAX_VERSION:
        msg = f"the limit must be a non-negative int (at most {c.MAX_VERSION})"
        p.append(Problem("limit", msg, value))
        return None
    return value


def check_page_size(page_size: object) -> int:
    """``iter_all``'s page size: a positive int."""
    if type(page_size) is not int or not 1 <= page_size <= c.MAX_VERSION:
        problem = Problem("page_size", "the page size must be a positive int", page_size)
        raise ValidationError([problem], model="iter_all")
    return page_size


def check_id(kind: Kind, value: object) -> str:
    """An id passed to ``get``/``remove``: a non-blank string."""
    if type(value) is not str or not value:
        msg = f"{kind.name} ids are non-empty strings"
        raise ValidationError([Problem("id", msg, value)], model=kind.name)
    if not c.is_unicode(value):
        raise ValidationError([Problem("id", c.NOT_UNICODE, value)], model=kind.name)
    return value


def check_limit(limit: object) -> int:
    """The outbox's ``pending`` limit: a positive int."""
    if type(limit) is not int or not 1 <= limit <= c.MAX_VERSION:
        problem = Problem("limit", "the limit must be a positive int", limit)
        raise ValidationError([problem], model="outbox.pending")
    return limit


def check_seqs(seqs: object) -> list[int]:
    """The outbox sequence numbers passed to ``mark_published``."""
    if isinstance(seqs, str | bytes) or not isinstance(seqs, list | tuple | set | frozenset):
        problem = Problem("seqs", "pass a list of StoredEvent.seq numbers", seqs)
        raise ValidationError([problem], model="outbox.mark_published")
    bad = [s for s in seqs if type(s) is not int or not -c.MAX_VERSION <= s <= c.MAX_VERSION]
    if bad:
        problem = Problem("seqs", "sequence numbers are ints (StoredEvent.seq)", bad[0])
        raise ValidationError([problem], model="outbox.mark_published")
    return list(seqs)


def not_found(kind: Kind, entity_id: str) -> NotFoundError:
    """The :class:`NotFoundError` for an id the store does not hold (``get``, ``save``,
    ``remove``): every adapter raises this one."""
    return NotFoundError(
        f"no {kind.noun} with id {entity_id!r} in this store; check the id, or find() it by "
        "a match key",
        kind=kind.name,
        id=entity_id,
    )


def stale(kind: Kind, entity: Any, stored_version: int) -> ConcurrencyError:
    """The :class:`ConcurrencyError` for a save of an outdated entity."""
    return ConcurrencyError(
        f"{kind.name} entry {entity.id!r} is at version {stored_version} in the store, but "
        f"version {entity.version} is being saved: someone saved it first — reload it, "
        "apply the change again and save",
        kind=kind.name,
        id=entity.id,
        expected=entity.version,
        found=stored_version,
    )


def taken(kind: Kind, entity_id: str, stored_version: int | None) -> ConcurrencyError:
    """The :class:`ConcurrencyError` for adding an id that is already stored, at
    ``stored_version`` (``None``: not stored, but twice in one ``add_many`` batch)."""
    if stored_version is None:
        problem = "comes twice in one add_many batch; nothing was added — give each its own id"
    else:
        problem = "is already stored; nothing was added — use save() to change a stored entity"
    return ConcurrencyError(
        f"{kind.name} entry {entity_id!r} {problem}",
        kind=kind.name,
        id=entity_id,
        expected=None,
        found=stored_version,
    )


def changed_since_read(
    kind: str, entity_id: str, read: int | None, now: int | None
) -> ConcurrencyError:
    """The :class:`ConcurrencyError` of a commit that finds an entry (an entity of ``kind``, or
    a state: kind ``"states"``) changed by another unit of work since this one read it at
    version ``read`` (``None``: not stored then or now)."""
    return ConcurrencyError(
        f"{kind} entry {entity_id!r} was changed by another unit of work since this one "
        "read it; nothing was committed — reload and try again",
        kind=kind,
        id=entity_id,
        expected=read,
        found=now,
    )


# -- the state store ------------------------------------------------------------------------------
STATES_TABLE: Final = "leadmodel_states"
STATES: Final = "states"
"""The state store's ``kind`` in its errors."""


def check_state_name(value: object, method: str) -> str:
    """A state name passed to ``states.<method>`` (:func:`state_name_problem`)."""
    problem = state_name_problem(value)
    if problem is not None:
        raise ValidationError([Problem("name", problem, value)], model=f"{STATES}.{method}")
    return cast(str, value)


def check_prefix(value: object) -> str:
    """The prefix passed to ``states.names``: a string of Unicode text, empty for every name."""
    if type(value) is not str:
        problem = Problem("prefix", "pass the text names begin with, or '' for every name", value)
        raise ValidationError([problem], model=f"{STATES}.names")
    if not c.is_unicode(value):
        raise ValidationError([Problem("prefix", c.NOT_UNICODE, value)], model=f"{STATES}.names")
    return value


def checked_put(name: object, doc: object, expected_version: object) -> StoredState:
    """What ``states.put(name, doc, expected_version=...)`` stores: the state at version 0
    for ``None``, else at ``expected_version + 1``; every bad argument at once."""
    p: c.Problems = []
    version = 0
    if expected_version is not None:
        if type(expected_version) is not int or not 0 <= expected_version < c.MAX_VERSION:
            msg = (
                "pass the version you read (StoredState.version, an int from 0 below 2**63 - 1),"
                " or None to store a new name"
            )
            p.append(Problem("expected_version", msg, expected_version))
        else:
            version = expected_version + 1
    try:
        state = StoredState(name=cast(str, name), version=version, doc=cast(Any, doc))
    except ValidationError as exc:
        p[:0] = exc.problems
    if p:
        c.fail(f"{STATES}.put", p)
    return state


def state_document(state: StoredState) -> str:
    """The stored form of a state: its JSON document (:mod:`leadmodel.serde`), name and
    version included, as an entity's document holds its id and version."""
    return serde.to_json(state)


def decode_state(name: str, version: int, doc: str | bytes) -> StoredState:
    """Load a stored state; a corrupted document raises :class:`ValidationError` naming the
    row (so does one whose name or version is not its row's: it was written there by hand)."""
    where = f"{STATES} row {name!r}"
    try:
        state = serde.from_json(StoredState, doc)
    except ValidationError as exc:
        raise ValidationError(exc.problems, model=where) from None
    if (state.name, state.version) != (name, version):
        msg = "the stored document names another state or version than its row; restore the row"
        got = (state.name, state.version)
        raise ValidationError([Problem("name", msg, got)], model=where)
    return state


def prefix_end(prefix: str) -> str | None:
    """The least text above every text that begins with ``prefix`` (``None``: no bound), so
    the names beginning with it are the range ``prefix <= name < prefix_end(prefix)`` of an
    index in code point order. ``"ab"`` gives ``"ac"``; a last character at U+10FFFF is
    dropped and the one before it raised; surrogates are skipped.

    >>> prefix_end("routing:"), prefix_end("a\\U0010ffff"), prefix_end("\\ud7ff"), prefix_end("")
    ('routing;', 'b', '\\ue000', None)
    """
    chars = list(prefix)
    while chars:
        following = ord(chars.pop()) + 1
        if following <= sys.maxunicode:
            if following in _SURROGATES:  # no text holds one: the next character is above them
                following = _SURROGATES.stop
            return "".join(chars) + chr(following)
    return None


_SURROGATES: Final = range(0xD800, 0xE000)


def state_missing(name: str) -> NotFoundError:
    """The :class:`NotFoundError` of ``states.remove`` for a name not stored."""
    return NotFoundError(
        f"no state named {name!r} in this store; check the name, or list them with names()",
        kind=STATES,
        id=name,
    )


def state_conflict(name: str, expected: int | None, found: int | None) -> ConcurrencyError:
    """The :class:`ConcurrencyError` of a put that expected version ``expected`` (``None``:
    no value) where the store holds ``found`` (``None``: no value)."""
    if found is None and expected is None:  # stored and removed again by another unit meanwhile
        problem = "was changed by another unit of work at the same time; nothing was stored"
        fix = "read it again and put it with the version read"
    elif found is None:
        problem = "is not stored; nothing was stored"
        fix = "put it with expected_version=None to store it anew"
    elif expected is None:
        problem = f"is already stored, at version {found}; nothing was stored"
        fix = f"pass expected_version={found} after reading it, to replace it"
    else:
        problem = (
            f"is at version {found} in the store, but expected_version={expected} was given: "
            "someone stored it first; nothing was stored"
        )
        fix = "read it again, apply the change and put it with the version read"
    return ConcurrencyError(
        f"state {name!r} {problem} — {fix}",
        kind=STATES,
        id=name,
        expected=expected,
        found=found,
    )


# -- the analytics projection (schema version 5) --------------------------------------------------
LEAD_FACTS_TABLE: Final = "leadmodel_lead_facts"
STATUS_CHANGES_TABLE: Final = "leadmodel_status_changes"

ColumnType = type[str] | type[int] | type[datetime]
"""A projection column's type: ``str`` text, ``int`` a 64-bit integer, ``datetime`` an instant
stored as a 64-bit integer of UTC microseconds since the epoch (:func:`micros`)."""

LEAD_FACT_COLUMNS: Final[tuple[tuple[str, ColumnType], ...]] = (
    ("id", str),  # the lead's id (its stored form: the id column of leadmodel_leads)
    ("pipeline", str),
    ("status", str),
    ("created", datetime),  # created_at, UTC microseconds since the epoch (as every instant here)
    ("owner", str),
    ("channel", str),  # source.channel's value
    ("source", str),  # source.name
    ("campaign", str),
    ("medium", str),
    ("cost_amount", str),  # source.cost: the exact Decimal as text, and its currency
    ("cost_currency", str),
    ("value_amount", str),  # expected_value: the exact Decimal as text, and its currency
    ("value_currency", str),
    ("first_response", datetime),  # the first outbound activity
    ("time_zone", str),
    ("into_at", datetime),  # the last move in the lead's pipeline into its current status
    ("into_from", str),
    ("into_reason", str),
    ("lost_at", datetime),  # lead.lost
    ("lost_from", str),
    ("lost_reason", str),
    ("converted_at", datetime),  # lead.converted.at
)
"""The columns of ``leadmodel_lead_facts`` in order, each with its type (:data:`ColumnType`);
``id`` is the primary key."""

STATUS_CHANGE_COLUMNS: Final[tuple[tuple[str, ColumnType], ...]] = (
    ("id", str),  # the lead's id
    ("seq", int),  # the position in lead.history, from 0
    ("pipeline", str),
    ("from_status", str),
    ("to_status", str),
    ("at", datetime),
    ("reason", str),
)
"""The columns of ``leadmodel_status_changes`` in order; ``(id, seq)`` is the primary key."""

FACTS_INDEX: Final = ("pipeline", "status")
"""The indexed columns of ``leadmodel_lead_facts``: a report reads one pipeline's cards."""


@attrs.frozen
class Projection:
    """A lead's rows in the analytics projection: its fact row and one row per history entry,
    each a tuple in the order of :data:`LEAD_FACT_COLUMNS` / :data:`STATUS_CHANGE_COLUMNS`, text
    as the lead holds it (an adapter whose database cannot hold every string stores a form of
    it)."""

    fact: tuple[Any, ...]
    changes: tuple[tuple[Any, ...], ...]


def _instant(at: datetime | None) -> int | None:
    return None if at is None else micros(at)


def projection(lead: Lead) -> Projection:
    """The rows of ``lead`` in the analytics projection (one pass over its history and, for the
    first response, over its activities until the first outbound one).

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.pipelines.SIMPLE.enter(lm.Lead(id=lm.LeadId("L-1"), person_name="Olena",
    ...     topic="Chairs", contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at,
    ...     expected_value=lm.Money.of("1200.50", "UAH")), at=at)
    >>> rows = projection(lead)
    >>> dict(zip([name for name, _ in LEAD_FACT_COLUMNS], rows.fact))["value_amount"]
    '1200.50'
    >>> rows.changes
    (('L-1', 0, 'simple', None, 'new', 1772442000000000, None),)
    """
    status = lead.status
    into = None
    if lead.pipeline is not None:
        for change in lead.history:
            if change.pipeline == lead.pipeline and change.to_status == status:
                into = change
    first_response = None
    for activity in lead.activities:
        if activity.direction is Direction.outbound:
            first_response = activity.at
            break
    source, cost, value, lost = lead.source, lead.source.cost, lead.expected_value, lead.lost
    fact = (
        lead.id,
        lead.pipeline,
        status,
        micros(lead.created_at),
        lead.owner,
        source.channel.value,
        source.name,
        source.campaign,
        source.medium,
        None if cost is None else str(cost.amount),
        None if cost is None else cost.currency,
        None if value is None else str(value.amount),
        None if value is None else value.currency,
        _instant(first_response),
        lead.time_zone,
        None if into is None else micros(into.at),
        None if into is None else into.from_status,
        None if into is None else into.reason,
        None if lost is None else micros(lost.at),
        None if lost is None else lost.from_status,
        None if lost is None else lost.reason,
        None if lead.converted is None else micros(lead.converted.at),
    )
    changes = tuple(
        (
            lead.id,
            seq,
            move.pipeline,
            move.from_status,
            move.to_status,
            micros(move.at),
            move.reason,
        )
        for seq, move in enumerate(lead.history)
    )
    return Projection(fact=fact, changes=changes)


def projections(leads: Iterable[Any]) -> list[Projection]:
    """The projections of a lead repository's entities (their class checked by :func:`row_of`)."""
    return [projection(lead) for lead in leads]


def stored_projection(row_id: str, doc: str | bytes) -> Projection | None:
    """The projection of a stored lead ``(id, document)``: what schema version 5 fills in for
    the leads stored before it. An unreadable document gets none (it is listed nowhere until
    repaired, and the repair's ``save`` writes it)."""
    try:
        lead = decode(KIND["leads"], row_id, doc)
    except ValidationError:
        return None
    return projection(lead)
