"""Import (``services.import_rows``), its revert and the export that reads back, on every
adapter: bad rows reported by row and field while the rest go in, matching and modes, a
second run changing nothing, statuses and histories as facts, the time-zone policy,
customers born by import, and reverts that leave what changed since alone."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

import leadmodel as lm
from leadmodel.services import ImportMap, ImportMode, ImportReport
from leadmodel.storage import UnitOfWork
from tests.factories import typo_model

from ._services import AT, LATER, MakeUnit, events, snapshot

ROOT = Path(__file__).resolve().parents[3]
LEADS = ImportMap(
    columns={"Name": "name", "E-mail": "email", "Phone": "phone", "Created": "created_at"},
    defaults={"topic": "Office chairs", "channel": "phone_call"},
    time_zone="Europe/Kyiv",
    region="UA",
)
OLENA = {"Name": "Olena Koval", "E-mail": "olena@mebli.ua", "Phone": "", "Created": "2025-06-01"}
IVAN = {"Name": "Ivan Petrenko", "E-mail": "", "Phone": "067 765 4321", "Created": "2025-06-02"}


def _import(
    uow: UnitOfWork,
    rows: Iterable[Mapping[str, str | None]],
    kind: str = "leads",
    mapping: ImportMap | None = LEADS,
    **options: Any,
) -> ImportReport:
    options.setdefault("at", AT)
    return lm.services.import_rows(uow, rows, kind=kind, mapping=mapping, first_row=2, **options)


def _leads(uow: UnitOfWork) -> list[lm.Lead]:
    with uow:
        return list(uow.leads.iter_all())


# -- rows in, errors out ----------------------------------------------------------------------


def test_valid_rows_go_in_and_each_bad_one_is_reported_by_row_and_field(
    make_uow: MakeUnit,
) -> None:
    uow = make_uow()
    bad = {"Name": "", "E-mail": "olena@", "Phone": "12", "Created": "yesterday"}
    naive = {**IVAN, "Created": "2026-03-29T03:30"}  # the clocks skip 03:00-04:00 in Kyiv
    report = _import(uow, [OLENA, bad, IVAN, naive])
    assert (report.rows, report.created, report.failed) == (4, 2, 2)
    assert [(e.row, e.field, e.column) for e in report.errors] == [
        (3, "email", "E-mail"),
        (3, "phone", "Phone"),
        (3, "created_at", "Created"),
        (5, "created_at", "Created"),
    ]
    assert str(report.errors[0]).startswith("row 3, email (column 'E-mail'): not an email")
    assert "does not exist in Europe/Kyiv" in report.errors[3].message
    ivan, olena = sorted(_leads(uow), key=lambda lead: lead.person_name)
    assert ivan.contact_points[0].key == "+380677654321"
    assert olena.created_at.isoformat() == "2025-06-01T00:00:00+03:00"
    assert olena.source.channel is lm.Channel.phone_call
    assert (olena.pipeline, olena.status, olena.history) == (None, None, ())


def test_a_time_without_offset_needs_the_time_zone_policy(make_uow: MakeUnit) -> None:
    uow = make_uow()
    strict = ImportMap(columns=LEADS.columns, defaults=LEADS.defaults, region="UA")
    report = _import(uow, [OLENA, {**IVAN, "Created": "2025-06-02T10:00+02:00"}], mapping=strict)
    assert report.created == 1
    [error] = report.errors
    assert (error.row, error.field) == (2, "created_at")
    assert "no time zone" in error.message


def test_entity_rules_name_the_field_and_its_column(make_uow: MakeUnit) -> None:
    uow = make_uow()
    report = _import(uow, [{**OLENA, "Name": ""}])
    [error] = report.errors
    assert (error.row, error.field, error.column) == (2, "name", "Name")
    assert "a lead needs a person's name" in error.message


def test_a_mapping_that_does_not_fit_is_refused_before_any_row(make_uow: MakeUnit) -> None:
    uow = make_uow()
    spec = ImportMap(columns={"Name": "name", "Mail": "email", "Phone": "role"})
    with pytest.raises(lm.ValidationError) as raised:
        _import(uow, [OLENA], mapping=spec)
    messages = str(raised.value)
    assert "columns.Phone: leads have no 'role'" in messages
    assert "no column gives created_at" in messages
    assert snapshot(uow)["leads"] == []
    with pytest.raises(lm.ValidationError, match="a column this import does not know"):
        _import(uow, [OLENA], mapping=ImportMap(unknown=lm.UnknownFields.refuse))


def test_bad_arguments_are_named_at_once() -> None:
    uow = lm.MemoryUnitOfWork()
    with pytest.raises(lm.ValidationError) as raised:
        lm.services.import_rows(uow, [], kind="deals", mode="merge", import_id="a:b", batch_size=0)
    assert [problem.path for problem in raised.value.problems] == [
        "kind",
        "mode",
        "import_id",
        "batch_size",
    ]
    _import(uow, [], import_id="taken", header=list(OLENA))
    with pytest.raises(lm.RuleViolation, match="import taken exists"):
        _import(uow, [], import_id="taken", header=list(OLENA))


def test_a_row_that_is_no_row_is_an_error() -> None:
    rows: list[Any] = [OLENA, ["x"], {**OLENA, None: ["extra"]}]  # as DictReader keeps extras
    report = _import(lm.MemoryUnitOfWork(), rows)
    assert [str(error) for error in report.errors] == [
        "row 3: expected a row: a mapping of column to cell; got \"['x']\"",
        "row 4: more cells than the header has columns",
    ]


def test_an_unmapped_column_is_kept_as_a_custom_field(make_uow: MakeUnit) -> None:
    uow = make_uow()
    _import(uow, [{**OLENA, "City": "Lviv"}])
    [lead] = _leads(uow)
    assert dict(lead.custom) == {"City": "Lviv"}


# -- matching, modes, and a second run --------------------------------------------------------


@pytest.mark.parametrize("mode", list(ImportMode))
def test_importing_the_same_rows_again_changes_nothing(
    mode: ImportMode, make_uow: MakeUnit
) -> None:
    uow = make_uow()
    rows = [OLENA, IVAN, {**OLENA, "E-mail": "bad@"}]
    _import(uow, rows, mode=ImportMode.upsert)
    before = snapshot(uow)
    again = _import(uow, rows, mode=mode, at=LATER)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 2, 1)
    assert snapshot(uow) == before


def test_upsert_updates_matched_records_and_keeps_what_a_row_leaves_blank(
    make_uow: MakeUnit,
) -> None:
    uow = make_uow()
    _import(uow, [OLENA])
    changed = {**OLENA, "Name": "Olena Koval-Shevchenko", "Phone": "050 123 4567", "Created": ""}
    report = _import(uow, [changed], mode="upsert")
    assert (report.updated, report.created) == (1, 0)
    [lead] = _leads(uow)
    assert lead.person_name == "Olena Koval-Shevchenko"
    assert [point.key for point in lead.contact_points] == ["olena@mebli.ua", "+380501234567"]
    assert lead.created_at.isoformat() == "2025-06-01T00:00:00+03:00"  # blank: left alone
    assert lead.version == 1
    assert events(uow) == []  # an import announces nothing record by record by default


def test_create_and_update_only_leave_what_is_not_theirs(make_uow: MakeUnit) -> None:
    uow = make_uow()
    _import(uow, [OLENA])
    renamed = {**OLENA, "Name": "Olena K."}
    created = _import(uow, [renamed, IVAN], mode="create")
    assert (created.created, created.skipped) == (1, 1)
    updated = _import(uow, [renamed, {**IVAN, "Phone": "063 000 0000"}], mode="update-only")
    assert (updated.updated, updated.skipped) == (1, 1)
    assert sorted(lead.person_name for lead in _leads(uow)) == ["Ivan Petrenko", "Olena K."]


def test_a_row_matching_two_records_or_an_earlier_row_is_an_error(make_uow: MakeUnit) -> None:
    uow = make_uow()
    _import(uow, [OLENA, IVAN])
    both = {**OLENA, "Phone": "067 765 4321"}  # Olena's email, Ivan's phone
    report = _import(uow, [both], mode="upsert")
    [error] = report.errors
    assert error.field == "id"
    assert "matches 2 stored leads" in error.message
    twice = _import(uow, [{**IVAN, "E-mail": "ivan@x.ua"}, IVAN], mode="upsert")
    assert twice.errors[0].row == 3
    assert "the same record as row 2 (+380677654321)" in twice.errors[0].message


def test_a_row_with_nothing_to_match_on_is_an_error(make_uow: MakeUnit) -> None:
    uow = make_uow()
    rows = [
        {"name": "Olena Koval", "website": "mebli.ua", "email": ""},
        {"name": "Ivan", "website": "", "email": "i@x.ua"},
    ]
    report = _import(uow, rows, kind="contacts", mapping=None)
    assert report.created == 1
    [error] = report.errors
    assert (error.row, error.field, error.column) == (2, "contact_points", "website")
    assert "nothing to match this row on (no email or handle or phone)" in error.message
    with_ids = _import(uow, [{"id": "", "name": "Olena"}], kind="contacts", mapping=None)
    assert with_ids.errors[0].message.startswith("blank: the file has an id column")


def test_an_id_column_matches_by_id(make_uow: MakeUnit) -> None:
    uow = make_uow()
    spec = ImportMap(columns={**LEADS.columns, "Ref": "id"}, defaults=LEADS.defaults,
                     time_zone="Europe/Kyiv", region="UA")  # fmt: skip
    _import(uow, [{**OLENA, "Ref": "crm-7"}], mapping=spec)
    moved = _import(uow, [{**OLENA, "Ref": "crm-7", "E-mail": "olena@koval.ua"}], mapping=spec,
                    mode="upsert")  # fmt: skip
    assert moved.updated == 1
    [lead] = _leads(uow)
    assert lead.id == "crm-7"
    assert [point.key for point in lead.contact_points] == ["olena@mebli.ua", "olena@koval.ua"]


def test_the_keys_matched_on_are_the_one_person_match_keys() -> None:
    points = [
        lm.ContactPoint.email("Olena+news@Mebli.ua"),
        lm.ContactPoint.email("sales@mebli.ua"),  # a role mailbox: no key
        lm.ContactPoint.phone("050 123 4567", "UA"),
        lm.ContactPoint.messenger("telegram", "@Olena_K"),
        lm.ContactPoint.social("instagram", "mebli.koval"),
        lm.ContactPoint.website("mebli.ua"),
    ]
    uow = lm.MemoryUnitOfWork()
    docs = [{k: v for k, v in lm.to_dict(p).items() if k != "schema_version"} for p in points]
    cells = {"name": "Olena", "contact_points": json.dumps(docs)}
    _import(uow, [cells], kind="contacts", mapping=None)
    with uow:
        [contact] = list(uow.contacts.iter_all())
        expected = sorted(
            str(key)
            for key in lm.match_keys(contact)
            if key.kind.value in ("email", "phone", "handle")
        )
        found = [k for k in expected if uow.contacts.ids(key=k) == [contact.id]]
    assert found == expected
    assert len(expected) == 4
    again = _import(uow, [cells], kind="contacts", mapping=None)
    assert again.unchanged == 1


# -- facts, not moves -------------------------------------------------------------------------

STATUS = ImportMap(
    columns={**LEADS.columns, "Stage": "status", "When": "status_at", "Why": "lost_reason"},
    defaults={**LEADS.defaults, "pipeline": "requests"},
    time_zone="Europe/Kyiv",
    region="UA",
)


def test_closed_statuses_are_facts_with_the_time_they_were_reached(make_uow: MakeUnit) -> None:
    uow = make_uow()
    won = {**OLENA, "Stage": "won", "When": "2025-06-10", "Why": ""}
    lost = {**IVAN, "Stage": "lost", "When": "2025-06-20T10:00+03:00", "Why": "no_budget"}
    unknown = {**OLENA, "E-mail": "o@x.ua", "Stage": "paid", "When": "", "Why": ""}
    report = _import(uow, [won, lost, unknown], mapping=STATUS)
    assert report.created == 2
    assert [(e.row, e.field) for e in report.errors] == [(4, "status")]
    ivan, olena = sorted(_leads(uow), key=lambda lead: lead.person_name)
    assert (olena.status, [(c.from_status, c.to_status) for c in olena.history]) == (
        "won",
        [(None, "won")],
    )
    assert olena.history[0].at.isoformat() == "2025-06-10T00:00:00+03:00"
    assert ivan.lost is not None
    assert (ivan.lost.reason, ivan.lost.at) == ("no_budget", ivan.history[-1].at)
    assert events(uow) == []  # no move was made


def test_a_history_is_stored_as_given_and_replayed_when_it_begins_at_the_start(
    make_uow: MakeUnit,
) -> None:
    uow = make_uow()
    spec = ImportMap(columns={**LEADS.columns, "Path": "history"}, defaults=LEADS.defaults,
                     time_zone="Europe/Kyiv", region="UA")  # fmt: skip

    def path(*steps: tuple[str | None, str, str]) -> str:
        return json.dumps([
            {"pipeline": "requests", "from_status": a, "to_status": b, "at": at}
            for a, b, at in steps
        ])  # fmt: skip

    good = path((None, "new", "2025-06-01T10:00Z"), ("new", "won", "2025-06-05T10:00Z"))
    backwards = path((None, "new", "2025-06-01T10:00Z"), ("new", "in_work", "2025-06-02T10:00Z"),
                     ("in_work", "new", "2025-06-03T10:00Z"))  # fmt: skip
    report = _import(uow, [{**OLENA, "Path": good}, {**IVAN, "Path": backwards}], mapping=spec)
    assert report.created == 1
    [error] = report.errors
    assert (error.row, error.field) == (3, "history")
    assert "cannot move from 'in_work' to 'new'" in error.message
    [lead] = _leads(uow)
    assert (lead.pipeline, lead.status, len(lead.history)) == ("requests", "won", 2)


def test_a_stored_lead_takes_a_later_status_as_a_fact_and_refuses_a_rewrite(
    make_uow: MakeUnit,
) -> None:
    uow = make_uow()
    first = {**OLENA, "Stage": "in_work", "When": "2025-06-02", "Why": ""}
    _import(uow, [first], mapping=STATUS)
    later = _import(uow, [{**first, "Stage": "won", "When": "2025-06-09"}], mapping=STATUS,
                    mode="upsert")  # fmt: skip
    assert later.updated == 1
    [lead] = _leads(uow)
    assert [(c.from_status, c.to_status) for c in lead.history] == [
        (None, "in_work"),
        ("in_work", "won"),
    ]
    rewrite = _import(uow, [{**first, "Stage": "new", "When": ""}], mapping=STATUS, mode="upsert")
    [error] = rewrite.errors
    assert error.field == "status"
    assert "it does not move stored leads" in error.message


def test_a_later_status_is_checked_against_the_pipeline(make_uow: MakeUnit) -> None:
    uow = make_uow()
    first = {**OLENA, "Stage": "in_work", "When": "2025-06-02", "Why": ""}
    _import(uow, [first], mapping=STATUS)
    lost = {**first, "Stage": "lost", "When": "2025-06-09", "Why": "too_expensive"}
    refused = _import(uow, [lost], mapping=STATUS, mode="upsert")
    assert "'too_expensive' is not a reason here" in refused.errors[0].message
    taken = _import(uow, [{**lost, "Why": "no_budget"}], mapping=STATUS, mode="upsert")
    assert taken.updated == 1
    [lead] = _leads(uow)
    assert (lead.status, lead.history[-1].reason, lead.lost is not None) == (
        "lost",
        "no_budget",
        True,
    )


# -- other kinds ------------------------------------------------------------------------------


def test_customers_are_born_by_import_with_their_contact(make_uow: MakeUnit) -> None:
    uow = make_uow()
    rows = [{"name": "Olena Koval", "email": "olena@mebli.ua", "since": "2025-01-01T00:00Z",
             "order_refs": "A-1; A-2"}]  # fmt: skip
    assert _import(uow, rows, kind="customers", mapping=None).created == 1
    with uow:
        [customer] = list(uow.customers.iter_all())
        [contact] = list(uow.contacts.iter_all())
    assert customer.origin is lm.CustomerOrigin.from_import
    assert (customer.contact_id, customer.order_refs) == (contact.id, ("A-1", "A-2"))
    more = _import(uow, [{**rows[0], "order_refs": "A-3"}], kind="customers", mapping=None,
                   mode="upsert")  # fmt: skip
    assert more.updated == 1
    assert [row["order_refs"] for row in lm.services.export_rows(uow, "customers")] == [
        "A-1; A-2; A-3"
    ]


def test_interests_are_matched_by_their_idempotency_key(make_uow: MakeUnit) -> None:
    uow = make_uow()
    rows = [
        {"occurred_at": "2026-01-01T10:00Z", "topic": "Chairs", "email": "a@b.ua"},
        {"occurred_at": "2026-01-02T10:00Z", "topic": "Desks", "email": "a@b.ua"},
    ]
    assert _import(uow, rows, kind="interests", mapping=None).created == 2
    assert _import(uow, rows, kind="interests", mapping=None).unchanged == 2
    keyed = [{**row, "idempotency_key": f"form-{n}"} for n, row in enumerate(rows)]
    assert _import(uow, keyed, kind="interests", mapping=None).created == 2
    edited = _import(uow, [{**keyed[0], "topic": "Armchairs"}], kind="interests", mapping=None,
                     mode="upsert")  # fmt: skip
    assert edited.updated == 1


def test_events_are_emitted_when_asked(make_uow: MakeUnit) -> None:
    uow = make_uow()
    _import(uow, [OLENA], events=True, by="anna")
    _import(uow, [{**OLENA, "Name": "Olena K."}], mode="upsert", events=True, by="anna")
    assert [event.type for event in events(uow)] == ["LeadCreated", "EntityUpdated"]


# -- revert -----------------------------------------------------------------------------------


def test_revert_removes_what_an_import_made_and_restores_what_it_changed(
    make_uow: MakeUnit,
) -> None:
    uow = make_uow()
    _import(uow, [OLENA])
    before = snapshot(uow)
    report = _import(uow, [{**OLENA, "Name": "Olena K."}, IVAN], mode="upsert", batch_size=1)
    assert (report.created, report.updated) == (1, 1)
    undone = lm.services.revert_import(uow, report.import_id, at=LATER)
    assert (undone.removed, undone.restored, undone.errors) == (1, 1, ())
    after = snapshot(uow)
    assert [lead["person_name"] for lead in after["leads"]] == ["Olena Koval"]
    assert after["leads"][0]["version"] == 2  # restored: a new version of the old document
    assert {**after["leads"][0], "version": 0} == {**before["leads"][0], "version": 0}
    listed = {r.import_id: r for r in lm.services.imports(uow)}
    assert listed[report.import_id].reverted_at == LATER
    with pytest.raises(lm.RuleViolation, match="was reverted at"):
        lm.services.revert_import(uow, report.import_id)
    with pytest.raises(lm.NotFoundError, match="no import 'nope'"):
        lm.services.revert_import(uow, "nope")


def test_imports_reverted_last_first_undo_everything(make_uow: MakeUnit) -> None:
    uow = make_uow()
    empty = snapshot(uow)
    first = _import(uow, [OLENA, IVAN])
    second = _import(uow, [{**OLENA, "Name": "Olena K."}], mode="upsert")
    lm.services.revert_import(uow, second.import_id)
    undone = lm.services.revert_import(uow, first.import_id)
    assert (undone.removed, undone.errors) == (2, ())
    assert snapshot(uow) == empty


def test_revert_leaves_a_record_changed_since_the_import(make_uow: MakeUnit) -> None:
    uow = make_uow()
    report = _import(uow, [OLENA, IVAN])
    olena = next(lead for lead in _leads(uow) if lead.person_name == "Olena Koval")
    lm.services.update_lead(uow, olena.id, owner="anna", at=LATER)
    undone = lm.services.revert_import(uow, report.import_id)
    assert undone.removed == 1
    [error] = undone.errors
    assert error.field == f"leads:{olena.id}"
    assert "changed since the import" in str(error)
    assert [lead.owner for lead in _leads(uow)] == ["anna"]


# -- export -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["interests", "leads", "contacts", "customers"])
def test_an_export_imports_back_unchanged(kind: str, make_uow: MakeUnit) -> None:
    uow = make_uow()
    rows: dict[str, list[dict[str, str]]] = {
        "interests": [{"occurred_at": "2026-01-01T10:00+02:00", "message": "Chairs?",
                       "telegram": "@olena_k", "custom.utm": "spring"}],
        "leads": [{**OLENA, "Stage": "lost", "When": "2025-06-20", "Why": "no_budget",
                   "Tags": "vip; b2b", "Value": "45000 UAH", "Site": "mebli.ua"}],
        "contacts": [{"name": "Olena Koval", "phone": "050 123 4567; 067 765 4321",
                      "consent": "yes", "role": "buyer"}],
        "customers": [{"name": "Olena Koval", "email": "olena@mebli.ua",
                       "since": "2025-01-01T00:00Z", "order_refs": "A-1"}],
    }  # fmt: skip
    spec = ImportMap(
        columns={**STATUS.columns, "Tags": "tags", "Value": "expected_value", "Site": "website"},
        defaults=STATUS.defaults,
        time_zone="Europe/Kyiv",
        region="UA",
    )
    _import(uow, rows[kind], kind=kind, mapping=spec if kind == "leads" else ImportMap(region="UA"))
    before = snapshot(uow)
    exported = list(lm.services.export_rows(uow, kind))
    assert list(exported[0]) == list(lm.services.EXPORT_COLUMNS[kind])
    again = _import(uow, exported, kind=kind, mapping=None, mode="upsert")
    assert (again.unchanged, again.errors) == (1, ())
    assert snapshot(uow) == before
    fresh = lm.MemoryUnitOfWork()  # another store
    assert _import(fresh, exported, kind=kind, mapping=None).created == 1
    assert list(lm.services.export_rows(fresh, kind)) == exported


def test_the_example_mapping_loads() -> None:
    text = (ROOT / "examples" / "import_mapping.toml").read_bytes()
    spec = ImportMap.from_toml(text)
    assert spec.time_zone == "Europe/Kyiv"
    assert ImportMap.from_toml(spec.to_toml()) == spec


# -- the probabilistic matcher: what no key matches --------------------------------------------
_MODEL = typo_model()
_PEOPLE = ImportMap(
    columns={"Name": "name", "E-mail": "email"},
    defaults={"topic": "Chairs", "created_at": "2026-03-02T09:00+00:00"},
)


def test_with_a_model_a_mistyped_mailbox_updates_the_person_instead_of_a_twin(
    make_uow: MakeUnit,
) -> None:
    uow = make_uow()
    first = [{"Name": "Olena Koval", "E-mail": "olena.koval@gmail.com"}]
    lm.services.import_rows(uow, first, kind="leads", mapping=_PEOPLE, at=AT,
                            ids=lm.sequential_ids("L"))  # fmt: skip
    typo = [{"Name": "Olena Koval", "E-mail": "olena.kova1@gmail.com"}]
    matched = lm.services.import_rows(
        uow, typo, kind="leads", mapping=_PEOPLE, mode="upsert", model=_MODEL, at=LATER
    )
    assert (matched.created, matched.updated) == (0, 1)
    with uow:
        [olena] = uow.leads.iter_all()
    assert sorted(p.key for p in olena.contact_points) == [
        "olena.kova1@gmail.com",
        "olena.koval@gmail.com",
    ]
    namesake = [{"Name": "Olena Koval", "E-mail": "o.k@ukr.net"}]  # the name alone: not sure
    made = lm.services.import_rows(
        uow, namesake, kind="leads", mapping=_PEOPLE, mode="upsert", model=_MODEL, at=LATER
    )
    assert made.created == 1
    again = [{"Name": "Olena Koval", "E-mail": "olena.kova2@gmail.com"}]
    plain = lm.services.import_rows(
        uow, again, kind="leads", mapping=_PEOPLE, mode="upsert", at=LATER
    )
    assert plain.created == 1  # without a model only keys match: another typo, another twin
