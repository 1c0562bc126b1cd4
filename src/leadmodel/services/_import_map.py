"""The words of an import that a user writes and reads (issue #21).

:data:`IMPORT_TARGETS` lists the fields a column may feed, by kind; :class:`ImportMap` says how
a file's columns become a record's fields (data, loadable from TOML); :class:`ImportMode` what
becomes of a row that matches a stored record and of one that does not; :class:`ImportReport`
what an import did, with a :class:`RowError` for each row it left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Final

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.documents import Spec
from leadmodel.domain.capture.payloads import UnknownFields
from leadmodel.domain.capture.touches import frozen_map
from leadmodel.domain.values import normalise as n
from leadmodel.errors import Problem

__all__ = [
    "IMPORT_TARGETS",
    "POINTS",
    "SOURCE",
    "ImportMap",
    "ImportMode",
    "ImportReport",
    "RowError",
]

_PERSON = ("name", "first_name", "last_name")
POINTS = ("email", "phone", "telegram", "instagram", "website", "contact_points")
SOURCE = ("channel", "source", "campaign", "medium")

IMPORT_TARGETS: Final[Mapping[str, tuple[str, ...]]] = {
    "interests": (
        *("id", "occurred_at", *SOURCE, "topic", "message", *_PERSON, *POINTS),
        *("company", "owner", "idempotency_key", "custom"),
    ),
    "leads": (
        *("id", "created_at", *SOURCE, "topic", *_PERSON, *POINTS, "company", "company_id"),
        *("owner", "pipeline", "status", "status_at", "history", "lost_reason", "lost_at"),
        *("expected_value", "currency", "time_zone", "tags", "consent", "do_not_contact"),
        "custom",
    ),
    "contacts": (
        *("id", *_PERSON, *POINTS, "company_id", "role", "time_zone", "consent"),
        *("do_not_contact", "custom"),
    ),
    "customers": ("id", "since", *_PERSON, *POINTS, "order_refs", "custom"),
}
"""What a column may feed, by kind (besides ``custom.<key>``, a custom field of the record)."""

_ALL_TARGETS = tuple(sorted({t for targets in IMPORT_TARGETS.values() for t in targets}))
_KEY_KINDS = ("email", "phone", "handle")


class ImportMode(StrEnum):
    """What an import does with a row, given the stored record it matches (if any).

    * ``create``: a row that matches nothing becomes a new record; a matched row is left
      alone (``unchanged`` when the record holds its values, else ``skipped``);
    * ``upsert``: a matched row updates its record, any other becomes a new one;
    * ``update-only``: a matched row updates its record; any other is ``skipped``.
    """

    create = "create"
    upsert = "upsert"
    update_only = "update-only"


def _target_problem(target: object) -> str | None:
    return c.target_problem(target, _ALL_TARGETS)


@attrs.frozen(kw_only=True)
class ImportMap(Spec):
    """How a file's columns become a record's fields: data, not code (a TOML file, or
    ``--map COLUMN=FIELD`` on the command line).

    ``columns`` maps a column to its field (:data:`IMPORT_TARGETS`, or ``custom.<key>``); a
    column named as a field of the kind feeds that field without being mapped, and a mapped
    column the file lacks feeds nothing (one map serves exports with and without it). ``defaults``
    gives a field's value for rows whose cell is blank (``channel = "phone_call"``,
    ``pipeline = "requests"``). ``ignore`` lists columns to leave out; ``unknown`` says what
    becomes of any other column: kept as a custom field of its name, dropped, or refused.

    Times: ISO 8601 (``2026-03-02T09:30+02:00``, ``2026-03-02``), else the ``strptime``
    formats of ``time_formats`` tried in order. ``time_zone`` is the policy for a time
    written without an offset: read in that IANA zone (a wall time the clocks skip or repeat
    there is a row error); ``None`` makes such a time a row error. ``region`` reads national
    phone numbers (``050 123 4567`` in ``"UA"``). ``match_on`` lists the keys that find a
    row's stored record when the file has no ``id`` column (``email``, ``phone``, ``handle``).

    >>> spec = ImportMap(columns={"E-mail": "email", "Дата": "created_at"},
    ...     defaults={"pipeline": "requests"}, time_zone="Europe/Kyiv", region="UA")
    >>> ImportMap.from_toml(spec.to_toml()) == spec
    True
    >>> ImportMap(columns={"Tel": "mobile"}, region="Ukraine")
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: 2 problems:
      ImportMap.columns.Tel: expected one of 'campaign', ...
      ImportMap.region: ...
    """

    columns: Mapping[str, str] = attrs.field(factory=dict, converter=frozen_map)
    defaults: Mapping[str, str] = attrs.field(factory=dict, converter=frozen_map)
    ignore: tuple[str, ...] = attrs.field(default=(), converter=c.as_tuple)
    unknown: UnknownFields = UnknownFields.keep
    time_formats: tuple[str, ...] = attrs.field(default=(), converter=c.as_tuple)
    time_zone: str | None = None
    region: str | None = None
    match_on: tuple[str, ...] = attrs.field(default=_KEY_KINDS, converter=c.as_tuple)

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        self._check_tables(p)
        c.texts(p, "ignore", self.ignore, "a column's name")
        c.member(p, "unknown", self.unknown, UnknownFields)
        c.texts(p, "time_formats", self.time_formats, "a strptime format")
        for i, form in enumerate(self.time_formats if type(self.time_formats) is tuple else ()):
            if type(form) is str and "%" not in form:
                p.append(Problem(f"time_formats[{i}]", "a strptime format: '%d.%m.%Y %H:%M'", form))
        c.time_zone(p, "time_zone", self.time_zone)
        c.opt_text(p, "region", self.region, "the region")
        if type(self.region) is str and (why := n.region_problem(self.region)):
            p.append(Problem("region", why, self.region))
        c.texts(p, "match_on", self.match_on, "a key kind")
        for i, kind in enumerate(self.match_on if type(self.match_on) is tuple else ()):
            if kind not in _KEY_KINDS:
                p.append(Problem(f"match_on[{i}]", c.one_of(_KEY_KINDS), kind))
        if p:
            c.fail("ImportMap", p)

    def _check_tables(self, p: c.Problems) -> None:
        for name, value in (("columns", self.columns), ("defaults", self.defaults)):
            if not isinstance(value, Mapping):
                p.append(Problem(name, "a table of names to texts", value))
        if p:
            return
        for column, target in self.columns.items():
            c.text(p, "columns", column, "a column's name")
            if why := _target_problem(target):
                p.append(Problem(f"columns.{column}", why, target))
        for target, default in self.defaults.items():
            if why := _target_problem(target):
                p.append(Problem(f"defaults.{target}", why, target))
            elif target == "id":
                p.append(Problem("defaults.id", "ids differ row by row: map a column"))
            c.text(p, f"defaults.{target}", default, "a default value")


@attrs.frozen(kw_only=True)
class RowError:
    """Why a row was not imported: its ``row`` number, the ``field`` (a path such as
    ``history[1].at``), the ``column`` that fed it, the cell's ``value`` and the ``message``.
    For a revert, ``row`` is ``None`` and ``field`` names the record (``leads:L-1``).

    >>> str(RowError(row=17, field="email", column="E-mail", value="olena@",
    ...     message="not an email address"))
    "row 17, email (column 'E-mail'): not an email address; got 'olena@'"
    """

    row: int | None
    field: str
    message: str
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        parts = [f"row {self.row}" if self.row is not None else "", self.field]
        where = ", ".join(part for part in parts if part)
        if self.column is not None and self.column != self.field:
            where += f" (column {self.column!r})"
        got = f"; got {self.value!r}" if self.value is not None else ""
        return f"{where}: {self.message}{got}"


@attrs.frozen(kw_only=True)
class ImportReport:
    """What an import did: its id, kind and mode, when and by whom, the rows read and how
    many were ``created``, ``updated``, left ``unchanged``, ``skipped`` (as the mode says) or
    ``failed`` (``errors`` says why, row by row: listed by :func:`import_rows` only). After a
    revert, ``reverted_at`` is set, ``removed`` and ``restored`` count the records deleted and
    put back, and ``errors`` lists those left as they were (changed since the import).

    >>> report = ImportReport(import_id="imp-1", kind="leads", mode=ImportMode.upsert,
    ...     rows=3, created=2, failed=1)
    >>> report.summary()
    'import imp-1: 3 leads rows — 2 created, 0 updated, 0 unchanged, 0 skipped, 1 failed'
    """

    import_id: str
    kind: str
    mode: ImportMode
    at: datetime | None = None
    by: str | None = None
    source: str | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    errors: tuple[RowError, ...] = ()
    reverted_at: datetime | None = None
    removed: int = 0
    restored: int = 0

    def summary(self) -> str:
        """One line saying what the import did (and its revert, if it was reverted).

        >>> ImportReport(import_id="imp-1", kind="contacts", mode=ImportMode.create, rows=1,
        ...     unchanged=1).summary()
        'import imp-1: 1 contacts rows — 0 created, 0 updated, 1 unchanged, 0 skipped, 0 failed'
        """
        line = (
            f"import {self.import_id}: {self.rows} {self.kind} rows — {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped, "
            f"{self.failed} failed"
        )
        if self.reverted_at is not None:
            line += f"; reverted: {self.removed} removed, {self.restored} restored"
        return line
