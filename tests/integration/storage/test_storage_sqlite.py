"""SQLite reliability: concurrent writers, killed writers, corrupted rows, schemas, indexes.

The contract suite (``test_storage.py``) checks what every adapter promises; this module checks
what only a real database file shared by threads and processes can break. Worker functions are
module-level so that ``spawn``-ed processes can import them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import random
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import hypothesis
import pytest

import leadmodel as lm
from leadmodel import ContactPoint, Lead, LeadId, Page, match_keys
from leadmodel._kernel.copy import replace as _kernel_replace
from leadmodel.errors import (
    ConcurrencyError,
    StorageError,
    UnreadableRowWarning,
    ValidationError,
)
from leadmodel.storage import SQLiteUnitOfWork, _rows
from leadmodel.storage.sqlite import MIGRATIONS, SCHEMA_VERSION
from leadmodel.testing import strategies as lst
from tests import factories

LEADS = 100
THREADS = 8
PROCESSES = 4
ATTEMPTS = 60  # read-modify-save attempts per thread or process
WAIT = 120.0  # seconds a test waits for its workers before it gives up

_SPAWN = multiprocessing.get_context("spawn")  # no fork while threads are alive


def _lead(n: int) -> Lead:
    return factories.lead(
        id=LeadId(f"lead-{n:06d}"),
        contact_points=(ContactPoint.email(f"person{n}@example.com"),),
        owner="anna",
        custom={"counter": 0},
        created_at=factories.AT + timedelta(minutes=n),
    )


def _stored_keys(path: Path) -> set[tuple[str, str, str]]:
    with sqlite3.connect(path) as raw:
        rows = raw.execute("SELECT kind, key, id FROM leadmodel_keys").fetchall()
    raw.close()
    return {(kind, key, entity_id) for kind, key, entity_id in rows}


def _integrity(path: Path) -> list[tuple[str]]:
    raw = sqlite3.connect(path)
    try:
        return raw.execute("PRAGMA integrity_check").fetchall()
    finally:
        raw.close()


# -- concurrency: read-modify-save from threads and processes at once ------------------------------
@dataclass
class Tally:
    """What one worker saw: saves that went through, conflicts, and anything else raised."""

    successes: Counter[str] = field(default_factory=Counter)
    conflicts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def read_modify_save(path: str, seed: int, start: Any) -> Tally:
    """``ATTEMPTS`` times: read a lead in one unit, save it with its counter + 1 in another."""
    rng = random.Random(seed)
    tally = Tally()
    uow = SQLiteUnitOfWork(path)
    try:
        start.wait(WAIT)
        for _ in range(ATTEMPTS):
            lead_id = f"lead-{rng.randrange(LEADS):06d}"
            try:
                with uow:
                    lead = uow.leads.get(lead_id)
                time.sleep(rng.random() / 1000)  # the app's own work between read and save
                with uow:
                    counter = lead.custom["counter"]
                    assert isinstance(counter, int)
                    uow.leads.save(attrs.evolve(lead, custom={"counter": counter + 1}))
                    uow.commit()
            except ConcurrencyError:
                tally.conflicts[lead_id] += 1
            except Exception as exc:  # the test reports whatever else escapes
                tally.errors.append(f"{type(exc).__name__}: {exc}")
            else:
                tally.successes[lead_id] += 1
    except Exception as exc:  # e.g. a broken start barrier
        tally.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        uow.close()
    return tally


def read_modify_save_process(path: str, seed: int, start: Any, results: Any) -> None:
    """:func:`read_modify_save` in a child process; the tally goes back through ``results``."""
    results.put(read_modify_save(path, seed, start))


def test_concurrent_read_modify_save_loses_no_update(tmp_path: Path) -> None:
    """8 threads and 4 processes save the same 100 leads: every conflicting save raises
    ConcurrencyError, nothing else escapes, and each lead's counter and version equal the
    number of saves that went through."""
    path = tmp_path / "crm.sqlite"
    with SQLiteUnitOfWork(path) as uow:
        uow.leads.add_many(_lead(n) for n in range(LEADS))
        uow.commit()
    uow.close()

    start = _SPAWN.Barrier(THREADS + PROCESSES, timeout=WAIT)
    results = _SPAWN.Queue()
    processes = [
        _SPAWN.Process(target=read_modify_save_process, args=(str(path), 1000 + i, start, results))
        for i in range(PROCESSES)
    ]
    thread_tallies: list[Tally] = []

    def run_thread(seed: int) -> None:
        thread_tallies.append(read_modify_save(str(path), seed, start))

    threads = [threading.Thread(target=run_thread, args=(i,)) for i in range(THREADS)]
    for process in processes:
        process.start()
    for thread in threads:
        thread.start()
    process_tallies = [results.get(timeout=WAIT) for _ in processes]
    for thread in threads:
        thread.join(WAIT)
    for process in processes:
        process.join(WAIT)

    tallies = {"threads": thread_tallies, "processes": process_tallies}
    successes: dict[str, Counter[str]] = {
        g: sum((t.successes for t in ts), Counter()) for g, ts in tallies.items()
    }
    conflicts: dict[str, Counter[str]] = {
        g: sum((t.conflicts for t in ts), Counter()) for g, ts in tallies.items()
    }
    report = ", ".join(
        f"{g}: {successes[g].total()} saved, {conflicts[g].total()} conflicts" for g in tallies
    )
    errors = [e for ts in tallies.values() for t in ts for e in t.errors]
    assert len(thread_tallies) == THREADS, report
    assert [p.exitcode for p in processes] == [0] * PROCESSES, report
    assert errors == [], f"{report}; besides ConcurrencyError: {errors[:5]}"
    attempts = (THREADS + PROCESSES) * ATTEMPTS
    total = successes["threads"] + successes["processes"]
    assert total.total() + sum(c.total() for c in conflicts.values()) == attempts, report
    with SQLiteUnitOfWork(path) as uow:
        stored = {lead.id: lead for lead in uow.leads.iter_all()}
    uow.close()
    lost = {
        lead_id: (lead.custom["counter"], lead.version, total[lead_id])
        for lead_id, lead in stored.items()
        if (lead.custom["counter"], lead.version) != (total[lead_id], total[lead_id])
    }
    assert len(stored) == LEADS, report
    assert lost == {}, f"{report}; (counter, version, saves) that disagree: {lost}"
    assert sum(c.total() for c in conflicts.values()) > 0, f"no conflict happened: {report}"
    assert all(s.total() > 0 for s in successes.values()), report


# -- faults: a writer killed with SIGKILL ---------------------------------------------------------
BIG_BATCH = 20_000  # leads in the add_many that is killed; far more than SQLite's page cache


def write_until_killed(
    path: str, big_batch: bool, committed: Any, ready: Any, in_batch: Any
) -> None:
    """Commit small units (add a lead; change the email of the one before) until killed, or
    with ``big_batch``: after 5 of them, one big ``add_many`` that never commits — it sets
    ``in_batch`` when 40% is inserted and stops at 80% to wait for the kill."""
    uow = SQLiteUnitOfWork(path)
    n = 0
    while not (big_batch and ready.is_set()):
        with uow:
            uow.leads.add(_lead(n))
            if n:
                before = uow.leads.get(f"lead-{n - 1:06d}")
                moved = (ContactPoint.email(f"moved{n - 1}@example.com"),)
                uow.leads.save(attrs.evolve(before, contact_points=moved))
            uow.commit()
        n += 1
        committed.value = n
        if n == 5:
            ready.set()
    inserts = 0

    def trace(sql: str) -> None:
        nonlocal inserts
        if sql.startswith("INSERT INTO leadmodel_leads"):
            inserts += 1
            if inserts == BIG_BATCH * 2 // 5:
                in_batch.set()  # the parent kills now, mid-batch
            if inserts == BIG_BATCH * 4 // 5:
                time.sleep(WAIT)  # never reach the commit, whatever the parent's delay

    with uow:
        uow.connection.set_trace_callback(trace)
        uow.leads.add_many(_lead(n + i) for i in range(BIG_BATCH))
        uow.commit()  # pragma: no cover - killed before


@pytest.mark.parametrize("moment", ["mid big add_many", "between small units"])
def test_a_killed_writer_leaves_the_database_consistent(tmp_path: Path, moment: str) -> None:
    """SIGKILL of a writer, inside a big uncommitted batch or at a random moment among small
    committed units: the file passes integrity_check, every lead decodes, the keys table
    matches the leads, and a new unit can write."""
    path = tmp_path / "crm.sqlite"
    big_batch = moment == "mid big add_many"
    committed = _SPAWN.Value("q", 0)
    ready, in_batch = _SPAWN.Event(), _SPAWN.Event()
    writer = _SPAWN.Process(
        target=write_until_killed, args=(str(path), big_batch, committed, ready, in_batch)
    )
    writer.start()
    try:
        assert ready.wait(WAIT), "the writer never committed 5 units"
        if big_batch:
            assert in_batch.wait(WAIT), "the writer never got inside its big batch"
        else:
            time.sleep(random.uniform(0.01, 0.2))
    finally:
        writer.kill()  # SIGKILL
        writer.join(WAIT)
    assert writer.exitcode == -signal.SIGKILL
    done = committed.value
    if big_batch:  # the case to recover from: the dead batch's pages are in the WAL file
        wal = Path(f"{path}-wal").stat().st_size
        assert wal > 2**21, f"the killed batch left only {wal} bytes of WAL"
    assert _integrity(path) == [("ok",)]
    with SQLiteUnitOfWork(path) as uow:
        leads = list(uow.leads.iter_all())  # every stored lead decodes
    uow.close()
    # the unit in flight may have committed just before the kill, not yet counted
    assert len(leads) in ({done} if big_batch else {done, done + 1}), (done, len(leads))
    assert [lead.id for lead in leads] == [f"lead-{n:06d}" for n in range(len(leads))]
    expected = {("leads", str(key), lead.id) for lead in leads for key in match_keys(lead)}
    assert _stored_keys(path) == expected
    with SQLiteUnitOfWork(path) as uow:
        uow.leads.add(_lead(len(leads)))
        uow.commit()
    with uow:
        assert uow.leads.count() == len(leads) + 1
    uow.close()
    assert _integrity(path) == [("ok",)]


# -- corrupted rows, schema versions, opening ---------------------------------------------------
CORRUPTIONS = {
    "truncated JSON": '\'{"id": "lead-\'',
    "not an object": "'[1, 2]'",
    "a number": "42",
    "a lead without its fields": "'{}'",
    "a field of the wrong type": "'{\"id\": 7}'",
    "not UTF-8": "CAST(x'ff7b7d' AS TEXT)",
    "a blob with NUL": "x'7b00'",
}


@pytest.mark.parametrize("sql_value", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_get_of_an_unreadable_row_raises_and_listings_skip_it_with_a_warning(
    tmp_path: Path, sql_value: str
) -> None:
    """A document changed behind leadmodel's back: get of its id raises a ValidationError
    naming the row; find and iter_all return the other rows and warn, naming the row."""
    path = tmp_path / "crm.sqlite"
    with SQLiteUnitOfWork(path) as uow:
        uow.leads.add_many([_lead(1), _lead(2), _lead(3)])
        uow.commit()
    with sqlite3.connect(path) as raw:
        raw.execute(f"UPDATE leadmodel_leads SET doc = {sql_value} WHERE id = 'lead-000002'")  # noqa: S608
    raw.close()
    listings: dict[str, tuple[Callable[[], list[Lead]], list[Lead]]] = {
        "find": (lambda: uow.leads.find(owner="anna"), [_lead(1), _lead(3)]),
        "find by key": (lambda: uow.leads.find(key="email:person2@example.com"), []),
        "find with a limit": (lambda: uow.leads.find(limit=2), [_lead(1), _lead(3)]),
        "page": (lambda: list(uow.leads.page(owner="anna", limit=2).items), [_lead(1), _lead(3)]),
        "iter_all": (lambda: list(uow.leads.iter_all(page_size=2)), [_lead(1), _lead(3)]),
    }
    with uow:
        with pytest.raises(ValidationError, match="leads row 'lead-000002'") as caught:
            uow.leads.get("lead-000002")
        for name, (listing, good) in listings.items():
            with pytest.warns(UnreadableRowWarning, match="leads row 'lead-000002'") as warned:
                assert listing() == good, name
            assert len(warned) == 1, name
            warning = warned[0].message
            assert isinstance(warning, UnreadableRowWarning)
            assert (warning.kind, warning.id) == ("leads", "lead-000002"), name
            assert warning.problems == caught.value.problems, name
            assert warned[0].filename == __file__, name  # the line that listed, not leadmodel's
        assert uow.leads.count() == 3  # the row is still stored, to be repaired
        assert uow.leads.get("lead-000003") == _lead(3)
    uow.close()


def test_unreadable_rows_do_not_shorten_a_limited_find(tmp_path: Path) -> None:
    """find(limit=n) and page(limit=n) skip unreadable rows and read on: n readable leads
    while n are stored, even past a run of bad rows longer than n (a regression: the rows
    skipped used to count toward n)."""
    path = tmp_path / "crm.sqlite"
    uow = SQLiteUnitOfWork(path)
    with uow:
        uow.leads.add_many(_lead(n) for n in range(1, 10))
        uow.commit()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE leadmodel_leads SET doc = '{}' WHERE id BETWEEN ? AND ?", _BAD_RUN)
    raw.close()
    calls: dict[str, Callable[[], object]] = {
        "find": lambda: uow.leads.find(limit=3),
        "find after": lambda: uow.leads.find(owner="anna", after="lead-000001", limit=1),
        "page": lambda: uow.leads.page(owner="anna", limit=3),
        "last page": lambda: uow.leads.page(owner="anna", after="lead-000008", limit=3),
    }
    with uow:
        with pytest.warns(UnreadableRowWarning) as warned:
            got = {name: call() for name, call in calls.items()}
        assert uow.leads.count(owner="anna") == 9  # the bad rows are stored, to be repaired
    uow.close()
    good = [_lead(1), _lead(7), _lead(8)]
    assert got == {
        "find": good,
        "find after": [_lead(7)],
        "page": Page(items=tuple(good), next="lead-000008"),
        "last page": Page(items=(_lead(9),), next=None),
    }
    unreadable = {w.message.id for w in warned if isinstance(w.message, UnreadableRowWarning)}
    assert unreadable == {f"lead-{n:06d}" for n in range(2, 7)}


_BAD_RUN = ("lead-000002", "lead-000006")


def _files(folder: Path) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir())}


def _newer_made_by_leadmodel(path: Path) -> None:
    uow = SQLiteUnitOfWork(path)
    with uow:
        uow.leads.add(_lead(1))
        uow.commit()
    uow.close()
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO leadmodel_schema (version) VALUES (?)", (SCHEMA_VERSION + 1,))
    raw.close()


def _newer_in_rollback_journal_mode(path: Path) -> None:
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE leadmodel_schema (version INTEGER NOT NULL)")
        raw.execute("INSERT INTO leadmodel_schema (version) VALUES (?)", (SCHEMA_VERSION + 1,))
        raw.execute("CREATE TABLE leadmodel_leads_v2 (id TEXT PRIMARY KEY, doc BLOB)")
    raw.close()


@pytest.mark.parametrize("make", [_newer_made_by_leadmodel, _newer_in_rollback_journal_mode])
def test_a_newer_schema_is_refused_and_left_untouched(
    tmp_path: Path, make: Callable[[Path], None]
) -> None:
    """A database whose schema version is above SCHEMA_VERSION raises StorageError, and no
    byte of it changes (no table made, no journal mode switched)."""
    path = tmp_path / "crm.sqlite"
    make(path)
    before = _files(tmp_path)
    uow = SQLiteUnitOfWork(path)
    for _ in range(2):  # refused again on the next try, not half-opened by the first
        with pytest.raises(StorageError, match=f"version {SCHEMA_VERSION + 1}, newer"), uow:
            uow.leads.count()
    uow.close()
    assert _files(tmp_path) == before


def test_an_empty_file_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    """An empty file (or none) gets the schema at SCHEMA_VERSION, each migration recorded
    once, in WAL mode."""
    path = tmp_path / "crm.sqlite"
    path.touch()
    for _ in range(2):  # a second opening finds the schema current and adds nothing
        with SQLiteUnitOfWork(path) as uow:
            assert uow.leads.count() == 0
        uow.close()
    raw = sqlite3.connect(path)
    try:
        recorded = raw.execute("SELECT version FROM leadmodel_schema ORDER BY version").fetchall()
        assert recorded == [(version,) for version, _ in MIGRATIONS]
        assert recorded[-1] == (SCHEMA_VERSION,)
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        raw.close()
    kinds = ("interests", "leads", "contacts", "companies", "customers", "keys", "outbox")
    assert {f"leadmodel_{kind}" for kind in (*kinds, "states")} <= tables


def test_a_version_1_file_gets_the_paging_indexes(tmp_path: Path) -> None:
    """A file at schema version 1 (indexes without id) is migrated on opening: its owner,
    status and pipeline indexes end in id, and its leads stay where they were."""
    path = tmp_path / "crm.sqlite"
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in MIGRATIONS[0][1]:
            assert isinstance(statement, str)  # version 1 is SQL only
            raw.execute(statement)
        raw.execute("CREATE TABLE leadmodel_schema (version INTEGER NOT NULL)")
        raw.execute("INSERT INTO leadmodel_schema (version) VALUES (1)")
    finally:
        raw.close()
    uow = SQLiteUnitOfWork(path)
    with uow:
        uow.leads.add_many(_lead(n) for n in range(1, 4))
        uow.commit()
    with uow:
        assert [x.id for x in uow.leads.page(owner="anna", after="lead-000001").items] == [
            "lead-000002",
            "lead-000003",
        ]
        indexed = {
            name: [row[2] for row in uow.connection.execute(f"PRAGMA index_info({name})")]
            for name in ("ix_leads_owner", "ix_leads_status", "ix_leads_pipeline")
        }
        version = uow.connection.execute("SELECT max(version) FROM leadmodel_schema").fetchone()
    uow.close()
    assert indexed == {
        "ix_leads_owner": ["owner", "id"],
        "ix_leads_status": ["status", "id"],
        "ix_leads_pipeline": ["pipeline", "status", "id"],
    }
    assert version == (SCHEMA_VERSION,)


def test_a_version_2_file_gains_the_state_table(tmp_path: Path) -> None:
    """A file at schema version 2 (no state store) is migrated on opening: it gains
    leadmodel_states (name, version, document), version 3 is recorded, and its leads stay."""
    path = tmp_path / "crm.sqlite"
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        raw.execute("CREATE TABLE leadmodel_schema (version INTEGER NOT NULL)")
        for version, statements in MIGRATIONS[:2]:
            for statement in statements:
                assert isinstance(statement, str)  # versions 1 and 2 are SQL only
                raw.execute(statement)
            raw.execute("INSERT INTO leadmodel_schema (version) VALUES (?)", (version,))
    finally:
        raw.close()
    uow = SQLiteUnitOfWork(path)
    with uow:
        uow.leads.add(_lead(1))
        uow.commit()
    with uow:
        uow.states.put("routing:sales", {"cursor": "anna"}, expected_version=None)
        uow.commit()
    with uow:
        assert uow.leads.count() == 1
        stored = uow.states.get("routing:sales")
        columns = [
            row[1:3] for row in uow.connection.execute("PRAGMA table_info(leadmodel_states)")
        ]
        recorded = uow.connection.execute("SELECT version FROM leadmodel_schema").fetchall()
    uow.close()
    assert stored is not None
    assert (stored.version, stored.doc) == (0, {"cursor": "anna"})
    assert columns == [("name", "TEXT"), ("version", "INTEGER"), ("doc", "TEXT")]
    assert (
        recorded
        == [(1,), (2,), (3,), (4,), (5,), (6,)]
        == [(version,) for version, _ in MIGRATIONS]
    )


def test_a_version_3_file_gains_the_timeline_columns_filled_from_its_leads(
    tmp_path: Path,
) -> None:
    """A file at schema version 3 is migrated on opening: the leads gain owed and idle,
    filled in from the documents stored before (an answered lead owes nothing; an unreadable
    document keeps them empty and stays unreadable), so find(owed_to=...) finds the old
    leads at once."""
    path = tmp_path / "crm.sqlite"
    waiting, answered = _lead(1), lm.respond(_lead(2), at=factories.AT + timedelta(hours=1))
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        raw.execute("CREATE TABLE leadmodel_schema (version INTEGER NOT NULL)")
        for version, statements in MIGRATIONS[:3]:
            for statement in statements:
                assert isinstance(statement, str)
                raw.execute(statement)
            raw.execute("INSERT INTO leadmodel_schema (version) VALUES (?)", (version,))
        for lead in (waiting, answered):
            raw.execute(
                "INSERT INTO leadmodel_leads (id, version, doc) VALUES (?, 0, ?)",
                (lead.id, lm.to_json(lead)),
            )
        raw.execute("INSERT INTO leadmodel_leads (id, version, doc) VALUES ('broken', 0, '{')")
    finally:
        raw.close()
    late = factories.AT + timedelta(days=1)
    uow = SQLiteUnitOfWork(path)
    with uow:
        owed = [lead.id for lead in uow.leads.find(owed_to=late)]
        idle = [lead.id for lead in uow.leads.find(idle_to=late)]
        columns = uow.connection.execute(
            "SELECT id, owed, idle FROM leadmodel_leads ORDER BY id"
        ).fetchall()
        recorded = uow.connection.execute("SELECT max(version) FROM leadmodel_schema").fetchone()
    uow.close()
    assert owed == [waiting.id]
    assert idle == [waiting.id, answered.id]
    assert columns[0] == ("broken", None, None)
    assert recorded == (SCHEMA_VERSION,) == (6,)


def _migrate_to(raw: sqlite3.Connection, last: int) -> None:
    """Make the schema of a file as leadmodel's migrations up to version ``last`` left it."""
    raw.execute("CREATE TABLE leadmodel_schema (version INTEGER NOT NULL)")
    for version, statements in MIGRATIONS[:last]:
        for statement in statements:
            if isinstance(statement, str):
                raw.execute(statement)
            else:
                statement(raw)
        raw.execute("INSERT INTO leadmodel_schema (version) VALUES (?)", (version,))


def test_a_version_4_file_gains_the_analytics_projection_filled_from_its_leads(
    tmp_path: Path,
) -> None:
    """A file at schema version 4 is migrated on opening: it gains leadmodel_lead_facts and
    leadmodel_status_changes, filled in from the lead documents stored before (one fact row
    per lead, one change row per history entry; an unreadable document gets none and stays
    unreadable), and later saves and removals keep them in step."""
    path = tmp_path / "crm.sqlite"
    simple = lm.pipelines.SIMPLE
    hour, day = factories.AT + timedelta(hours=1), factories.AT + timedelta(days=1)
    entered = simple.enter(_lead(1), at=hour)
    won = simple.move(simple.enter(_lead(2), at=hour), "won", at=day)
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        _migrate_to(raw, 4)
        for lead in (entered, won):
            raw.execute(
                "INSERT INTO leadmodel_leads (id, version, doc, pipeline, status) "
                "VALUES (?, 0, ?, ?, ?)",
                (lead.id, lm.to_json(lead), lead.pipeline, lead.status),
            )
        raw.execute("INSERT INTO leadmodel_leads (id, version, doc) VALUES ('broken', 0, '{')")
    finally:
        raw.close()
    uow = SQLiteUnitOfWork(path)
    with uow:
        facts = uow.connection.execute(
            "SELECT id, pipeline, status, into_from, created FROM leadmodel_lead_facts ORDER BY id"
        ).fetchall()
        changes = uow.connection.execute(
            "SELECT id, seq, from_status, to_status FROM leadmodel_status_changes ORDER BY id, seq"
        ).fetchall()
        recorded = uow.connection.execute("SELECT max(version) FROM leadmodel_schema").fetchone()
        uow.leads.save(simple.move(uow.leads.get(entered.id), "in_progress", at=day))
        uow.leads.remove(won.id)
        uow.commit()
    with uow:
        after = uow.connection.execute(
            "SELECT id, status FROM leadmodel_lead_facts ORDER BY id"
        ).fetchall()
        moves = uow.connection.execute(
            "SELECT id, seq, to_status FROM leadmodel_status_changes ORDER BY id, seq"
        ).fetchall()
    uow.close()
    created = _rows.micros(factories.AT)
    assert facts == [
        (entered.id, "simple", "new", None, created + 60_000_000),
        (won.id, "simple", "won", "new", created + 120_000_000),
    ]
    assert changes == [
        (entered.id, 0, None, "new"),
        (won.id, 0, None, "new"),
        (won.id, 1, "new", "won"),
    ]
    assert recorded == (SCHEMA_VERSION,) == (6,)
    assert after == [(entered.id, "in_progress")]
    assert moves == [(entered.id, 0, "new"), (entered.id, 1, "in_progress")]


def test_an_unreadable_state_row_is_named_and_can_be_removed(tmp_path: Path) -> None:
    """A state document changed behind leadmodel's back: get raises ValidationError naming
    the row; names still lists it, and remove deletes it."""
    path = tmp_path / "crm.sqlite"
    uow = SQLiteUnitOfWork(path)
    with uow:
        uow.states.put("routing:sales", {"cursor": "anna"}, expected_version=None)
        uow.commit()
    with uow:
        uow.connection.execute("UPDATE leadmodel_states SET doc = ?", ('{"cursor": NaN}',))
        uow.commit()
    with uow:
        with pytest.raises(ValidationError, match="states row 'routing:sales'"):
            uow.states.get("routing:sales")
        assert uow.states.names() == ["routing:sales"]
        uow.states.remove("routing:sales")
        uow.commit()
    with uow:
        assert uow.states.names() == []
    uow.close()


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    """Opening a file that is not SQLite raises StorageError naming it, and leaves it as it was."""
    path = tmp_path / "notes.txt"
    path.write_text("not a database, " * 100)
    before = _files(tmp_path)
    with pytest.raises(StorageError, match=r"notes\.txt"), SQLiteUnitOfWork(path) as uow:
        uow.leads.count()
    assert _files(tmp_path) == before


@pytest.mark.parametrize("connected", [False, True], ids=["first use", "open connection"])
def test_a_lock_held_too_long_is_a_storage_error(tmp_path: Path, connected: bool) -> None:
    """A unit that cannot get the write lock within ``timeout`` raises StorageError saying
    another connection held the write lock — on its first use as well as later."""
    path = tmp_path / "crm.sqlite"
    with SQLiteUnitOfWork(path) as uow:
        uow.leads.count()
    uow.close()
    uow = SQLiteUnitOfWork(path, timeout=0.05)
    if connected:
        assert uow.connection is not None
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageError, match="another connection held the write lock") as e, uow:
            uow.leads.add(_lead(1))
        assert "not an SQLite database" not in str(e.value)
    finally:
        raw.execute("ROLLBACK")
        raw.close()
        uow.close()


def test_readers_do_not_wait_for_readers_or_the_writer(tmp_path: Path) -> None:
    """Two read-only units open at once on one file both read at once (< 0.2 s, though the
    timeout is 2 s), and so does a reader while another unit holds the write lock."""
    path = tmp_path / "crm.sqlite"
    with SQLiteUnitOfWork(path) as uow:
        uow.leads.add_many([_lead(1), _lead(2)])
        uow.commit()
    uow.close()
    first, second, writer = (SQLiteUnitOfWork(path, timeout=2.0) for _ in range(3))
    try:
        with first:
            assert first.leads.count() == 2
            started = time.perf_counter()
            with second:
                assert [lead.id for lead in second.leads.iter_all()] == [
                    "lead-000001",
                    "lead-000002",
                ]
            assert time.perf_counter() - started < 0.2
            with writer:
                writer.leads.add(_lead(3))  # holds the write lock until the block ends
                started = time.perf_counter()
                with second:
                    assert second.leads.count() == 2  # the committed state
                assert time.perf_counter() - started < 0.2
                writer.commit()
    finally:
        for unit in (first, second, writer):
            unit.close()


def test_a_writer_still_excludes_another_writer(tmp_path: Path) -> None:
    """While one unit holds the write lock, another unit's first write waits for it: up to
    ``timeout``, then StorageError; a unit that read first and then writes waits the same way
    and commits once the first writer is done, with nothing overwritten."""
    path = tmp_path / "crm.sqlite"
    with SQLiteUnitOfWork(path) as uow:
        uow.leads.add(_lead(1))
        uow.commit()
    uow.close()
    holder, blocked = SQLiteUnitOfWork(path, timeout=2.0), SQLiteUnitOfWork(path, timeout=0.1)
    try:
        with holder:
            holder.leads.add(_lead(2))
            with pytest.raises(StorageError, match="write lock"), blocked:
                blocked.leads.add(_lead(3))
            read: dict[str, Lead] = {}
            done = threading.Event()

            def read_then_write() -> None:
                later = SQLiteUnitOfWork(path, timeout=5.0)  # one unit object per thread
                with later:
                    read["lead"] = later.leads.get("lead-000001")
                    later.leads.add(_lead(4))  # waits for the holder to commit
                    later.commit()
                later.close()
                done.set()

            worker = threading.Thread(target=read_then_write)
            worker.start()
            time.sleep(0.3)
            assert not done.is_set(), "the second writer did not wait for the first"
            holder.commit()
        worker.join(WAIT)
        assert done.is_set()
        with holder:
            assert [lead.id for lead in holder.leads.iter_all()] == [
                f"lead-{n:06d}" for n in (1, 2, 4)
            ]
    finally:
        holder.close()
        blocked.close()


# -- lookups use indexes --------------------------------------------------------------------------
LOOKUPS: dict[str, Callable[[SQLiteUnitOfWork], object]] = {
    "leads.get": lambda u: u.leads.get("lead-000001"),
    "leads.find(key)": lambda u: u.leads.find(key="email:person1@example.com"),
    "leads.find(status)": lambda u: u.leads.find(status="new"),
    "leads.find(pipeline)": lambda u: u.leads.find(pipeline="requests"),
    "leads.find(owner)": lambda u: u.leads.find(owner="anna"),
    "leads.find(created_from)": lambda u: u.leads.find(created_from=factories.AT),
    "leads.find(created_to)": lambda u: u.leads.find(created_to=factories.AT),
    "leads.find(created_from, limit)": lambda u: u.leads.find(created_from=factories.AT, limit=5),
    "leads.find(owner, created_from)": lambda u: u.leads.find(
        owner="anna", created_from=factories.AT
    ),
    "leads.find(key, created_from)": lambda u: u.leads.find(
        key="email:person1@example.com", created_from=factories.AT
    ),
    "interests.find(created_from)": lambda u: u.interests.find(created_from=factories.AT),
    "customers.find(created_to)": lambda u: u.customers.find(created_to=factories.AT),
    "contacts.find(key)": lambda u: u.contacts.find(key="email:person1@example.com"),
    "leads.find(after, limit)": lambda u: u.leads.find(after="lead-000010", limit=5),
    "leads.find(pipeline, status, after, limit)": lambda u: u.leads.find(
        pipeline="requests", status="new", after="lead-000010", limit=5
    ),
    "leads.find(status, after, limit)": lambda u: u.leads.find(
        status="new", after="lead-000010", limit=5
    ),
    "leads.page(owner, after)": lambda u: u.leads.page(owner="anna", after="lead-000010", limit=5),
    "leads.page(key, after)": lambda u: u.leads.page(
        key="email:person1@example.com", after="lead-000000"
    ),
    "leads.page(created_from, after)": lambda u: u.leads.page(
        created_from=factories.AT, after="lead-000010"
    ),
    "leads.count(pipeline, status)": lambda u: u.leads.count(pipeline="requests", status="new"),
    "leads.count(owner, created_from)": lambda u: u.leads.count(
        owner="anna", created_from=factories.AT
    ),
    "leads.count(key)": lambda u: u.leads.count(key="email:person1@example.com"),
}


@pytest.mark.parametrize("lookup", LOOKUPS.values(), ids=LOOKUPS.keys())
def test_lookups_use_an_index(tmp_path: Path, lookup: Callable[[SQLiteUnitOfWork], object]) -> None:
    """The SQL the adapter runs for get and for each find filter searches an index: its
    query plan has no full scan of an entity table."""
    with SQLiteUnitOfWork(tmp_path / "crm.sqlite") as uow:
        uow.leads.add_many(_lead(n) for n in range(50))
        uow.commit()
        ran: list[str] = []
        uow.connection.set_trace_callback(ran.append)
        lookup(uow)
        uow.connection.set_trace_callback(None)
        selects = [sql for sql in ran if sql.startswith("SELECT")]
        assert selects, ran
        for sql in selects:
            plan = [row[3] for row in uow.connection.execute(f"EXPLAIN QUERY PLAN {sql}")]
            scans = [step for step in plan if step.startswith("SCAN leadmodel_")]
            assert scans == [], f"{sql}\n{plan}"
            assert any("USING" in step and "INDEX" in step for step in plan), f"{sql}\n{plan}"
    uow.close()


# -- paging a kanban column ------------------------------------------------------------------------
COLUMN_CARDS = 50_000
PAGE = 50


def _column(n: int, place: tuple[str, str]) -> Lead:
    return attrs.evolve(_lead(0), id=LeadId(f"lead-{n:06d}"), pipeline=place[0], status=place[1])


def _plans(uow: SQLiteUnitOfWork, page: Callable[[], object]) -> list[list[str]]:
    """The query plan of every SELECT that ``page()`` runs."""
    ran: list[str] = []
    uow.connection.set_trace_callback(ran.append)
    page()
    uow.connection.set_trace_callback(None)
    selects = [sql for sql in ran if sql.startswith("SELECT")]
    assert selects, ran
    return [[row[3] for row in uow.connection.execute(f"EXPLAIN QUERY PLAN {s}")] for s in selects]


def test_paging_a_column_of_50000_cards_reads_one_index_range_per_page(tmp_path: Path) -> None:
    """A kanban column (pipeline and status) of 50,000 leads among others, paged 50 at a time:
    every page, the first as the last, is one range of the (pipeline, status, id) index in id
    order — no scan and no sort of the column per page (EXPLAIN QUERY PLAN), with or without
    ANALYZE's statistics — and the pages hold every card once, in id order."""
    others = [("requests", "contacted"), ("deals", "new")]
    uow = SQLiteUnitOfWork(tmp_path / "crm.sqlite")

    def page(after: str | None) -> Page[Lead]:
        return uow.leads.page(pipeline="requests", status="new", after=after, limit=PAGE)

    with uow:
        uow.leads.add_many(
            _column(n, ("requests", "new") if n % 6 else others[n % 12 // 6])
            for n in range(COLUMN_CARDS * 6 // 5)
        )
        uow.commit()
    try:
        with uow:
            assert uow.leads.count(pipeline="requests", status="new") == COLUMN_CARDS
            pages = [page(None)]
            while pages[-1].next is not None:
                pages.append(page(pages[-1].next))
        seen = [lead.id for one in pages for lead in one.items]
        assert len(pages) == COLUMN_CARDS // PAGE
        assert seen == sorted(set(seen))
        assert len(seen) == COLUMN_CARDS
        index = "SEARCH leadmodel_leads USING INDEX ix_leads_pipeline"
        expected = {
            None: [[f"{index} (pipeline=? AND status=?)"]],
            seen[-PAGE - 1]: [[f"{index} (pipeline=? AND status=? AND id>?)"]],
        }
        for statistics in (False, True):
            with uow:
                if statistics:
                    uow.connection.execute("ANALYZE")
                plans = {after: _plans(uow, functools.partial(page, after)) for after in expected}
            assert plans == expected, f"ANALYZE: {statistics}"
    finally:
        uow.close()


# -- a save writes only what changed, and leaves the rows a fresh add would -----------------------
def _stored_rows(path: Path, lead_id: str) -> tuple[list[Any], ...]:
    """The indexed columns of ``lead_id``'s row, and its key, fact and history rows, as SQLite
    holds them."""
    conn = sqlite3.connect(path)
    try:
        columns = "owner, pipeline, status, created, owed, idle"
        row = conn.execute(f"SELECT {columns} FROM leadmodel_leads WHERE id = ?", (lead_id,))  # noqa: S608
        tables = (_rows.KEYS_TABLE, _rows.LEAD_FACTS_TABLE, _rows.STATUS_CHANGES_TABLE)
        return (
            row.fetchall(),
            *(
                sorted(conn.execute(f"SELECT * FROM {name} WHERE id = ?", (lead_id,)).fetchall())  # noqa: S608
                for name in tables
            ),
        )
    finally:
        conn.close()


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(first=lst.leads(), then=lst.leads())
def test_a_save_leaves_the_columns_key_and_projection_rows_a_fresh_add_leaves(
    first: Lead, then: Lead, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Saving a lead whose indexed columns, keys, status and history all changed (a history
    rewritten, as a merge does, or extended, as a move does) leaves exactly the rows of storing
    it afresh (a save sets only the columns that changed)."""
    folder = tmp_path_factory.mktemp("sync")
    first = _kernel_replace(first, version=first.version % 1000)  # a save below the cap
    held = [attrs.evolve(c, person=first.id) for c in then.consents]
    later = attrs.evolve(then, id=first.id, version=first.version, consents=held)
    saved, fresh = folder / "saved.sqlite", folder / "fresh.sqlite"
    for path, steps in ((saved, (first, later)), (fresh, (later,))):
        uow = SQLiteUnitOfWork(path)
        with uow:
            uow.leads.add(steps[0])
            for step in steps[1:]:
                uow.leads.save(step)
            uow.commit()
        uow.close()
    assert _stored_rows(saved, first.id) == _stored_rows(fresh, first.id)


_FIELD_NAMES = hypothesis.strategies.sampled_from(
    [f.name for f in attrs.fields(Lead) if f.name not in ("id", "version")]
)


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(
    first=lst.leads(),
    then=lst.leads(),
    last=lst.leads(),
    taken=hypothesis.strategies.lists(_FIELD_NAMES, max_size=6),
    again=hypothesis.strategies.lists(_FIELD_NAMES, max_size=6),
)
def test_a_save_over_a_lead_read_in_its_transaction_leaves_the_rows_a_fresh_add_leaves(
    *,
    first: Lead,
    then: Lead,
    last: Lead,
    taken: list[str],
    again: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A lead read, changed in some fields (the others the very objects read, as an edit
    leaves them) and saved, then changed in others and saved again in the same unit, leaves
    the rows of storing its last form afresh: the key and projection rows a save skips are
    those it keeps."""
    folder = tmp_path_factory.mktemp("kept")
    first = _kernel_replace(first, version=first.version % 1000)  # two saves below the cap
    saved, fresh = folder / "saved.sqlite", folder / "fresh.sqlite"
    uow = SQLiteUnitOfWork(saved)
    with uow:
        uow.leads.add(first)
        uow.commit()
    with uow:
        read = uow.leads.get(first.id)
        once = uow.leads.save(_kernel_replace(read, **{n: getattr(then, n) for n in taken}))
        twice = uow.leads.save(_kernel_replace(once, **{n: getattr(last, n) for n in again}))
        uow.commit()
    uow.close()
    uow = SQLiteUnitOfWork(fresh)
    with uow:
        uow.leads.add(_kernel_replace(twice, version=0))
        uow.commit()
    uow.close()
    assert _stored_rows(saved, first.id) == _stored_rows(fresh, first.id)


def test_a_save_after_another_writer_replaced_the_row_writes_every_row(tmp_path: Path) -> None:
    """A lead read, then removed and added again by another writer with other contact points
    at the same version: the unit's write begins its transaction again and forgets what it
    read, so its save writes the key rows of what it saves, not those it read."""
    path = tmp_path / "leads.sqlite"
    lead = _lead(1)
    other = attrs.evolve(lead, contact_points=(ContactPoint.email("someone.else@example.org"),))
    setup, ours, theirs = SQLiteUnitOfWork(path), SQLiteUnitOfWork(path), SQLiteUnitOfWork(path)
    with setup:
        setup.leads.add(lead)
        setup.commit()
    with ours:
        read = ours.leads.get(lead.id)
        with theirs:
            theirs.leads.remove(lead.id)
            theirs.leads.add(other)
            theirs.commit()
        ours.leads.save(lm.edit(read, tags=read.tags | {"urgent"}))
        ours.commit()
    with setup:
        found = {found.id for found in setup.leads.find(key="email:person1@example.com")}
        assert found == {lead.id}
        assert not setup.leads.find(key="email:someone.else@example.org")
    for unit in (setup, ours, theirs):
        unit.close()


# --------------------------------------------------------------------------- sealed documents


def _edit_document(path: Path, lead_id: str, change: Callable[[dict[str, Any]], None]) -> str:
    """Change a lead's stored document in SQL, behind leadmodel (its seal left as it was)."""
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        (text,) = raw.execute("SELECT doc FROM leadmodel_leads WHERE id = ?", (lead_id,)).fetchone()
        doc = json.loads(text)
        change(doc)
        edited = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        raw.execute("UPDATE leadmodel_leads SET doc = ? WHERE id = ?", (edited, lead_id))
    finally:
        raw.close()
    return edited


def _set(name: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc.__setitem__(name, value)


def test_every_document_written_is_stored_with_its_seal(tmp_path: Path) -> None:
    """add, add_many and save each store the seal of the document they write."""
    uow = SQLiteUnitOfWork(tmp_path / "crm.sqlite")
    with uow:
        uow.leads.add(_lead(1))
        uow.leads.add_many([_lead(2), _lead(3)])
        uow.leads.save(lm.edit(uow.leads.get(_lead(3).id), owner="ivan"))
        uow.commit()
    with uow:
        rows = uow.connection.execute("SELECT id, doc, seal FROM leadmodel_leads").fetchall()
    uow.close()
    assert len(rows) == 3
    assert all(seal == _rows.seal_of(doc) for _, doc, seal in rows)
    assert len({seal for *_, seal in rows}) == 3


def test_a_document_edited_behind_leadmodel_is_read_in_full(tmp_path: Path) -> None:
    """A document changed in SQL no longer matches the seal leadmodel stored with it, so it is
    read and checked in full: an edit that breaks a rule is named (get raises, a listing
    warns and skips it), an edit that breaks none is read as edited."""
    path = tmp_path / "crm.sqlite"
    uow = SQLiteUnitOfWork(path)
    with uow:
        uow.leads.add_many([_lead(1), _lead(2)])
        uow.commit()
    broken, edited = _lead(1).id, _lead(2).id
    _edit_document(path, broken, _set("owner", ""))
    _edit_document(path, edited, _set("topic", "Standing desks"))
    with uow:
        with pytest.raises(ValidationError, match=f"leads row '{broken}'.*owner"):
            uow.leads.get(broken)
        assert uow.leads.get(edited).topic == "Standing desks"
        with pytest.warns(UnreadableRowWarning, match=broken):
            listed = uow.leads.find()
    uow.close()
    assert [lead.id for lead in listed] == [edited]


def test_a_seal_vouches_for_a_document_only_under_the_code_that_made_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a seal buys and where it stops: a document whose seal matches is rebuilt without
    its classes' checks (here one that breaks a rule, sealed by hand as if leadmodel wrote
    it); a leadmodel whose code differs makes other seals, so it checks that document in full
    and names the broken rule — a new rule re-checks the rows sealed before it."""
    path = tmp_path / "crm.sqlite"
    uow = SQLiteUnitOfWork(path)
    with uow:
        uow.leads.add(_lead(1))
        uow.commit()
    lead_id = _lead(1).id
    forged = _edit_document(path, lead_id, _set("owner", ""))
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("UPDATE leadmodel_leads SET seal = ?", (_rows.seal_of(forged),))
    raw.close()
    with uow:
        assert uow.leads.get(lead_id).owner == ""  # trusted: the checks were not run
    other_code = hashlib.sha256(b"a leadmodel with other rules")
    monkeypatch.setattr(_rows, "_sealer", lambda: other_code)
    with uow, pytest.raises(ValidationError, match="owner"):
        uow.leads.get(lead_id)
    uow.close()


def test_a_version_5_file_gains_seals_its_old_rows_read_in_full_until_saved(
    tmp_path: Path,
) -> None:
    """A file at schema version 5 is migrated on opening: every entity table gains the seal
    column, empty for the rows stored before; those are read and checked in full (an
    unreadable one stays named), and a save seals its document."""
    path = tmp_path / "crm.sqlite"
    old = _lead(1)
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        _migrate_to(raw, 5)
        raw.execute(
            "INSERT INTO leadmodel_leads (id, version, doc) VALUES (?, 0, ?)",
            (old.id, lm.to_json(old)),
        )
        raw.execute("INSERT INTO leadmodel_leads (id, version, doc) VALUES ('broken', 0, '{')")
    finally:
        raw.close()
    uow = SQLiteUnitOfWork(path)
    with uow:
        tables = [
            table
            for (table,) in uow.connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
                "(SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c "
                "WHERE c.name = 'seal')"
            )
        ]
        before = uow.connection.execute("SELECT seal FROM leadmodel_leads").fetchall()
        read = uow.leads.get(old.id)
        with pytest.raises(ValidationError, match="leads row 'broken'"):
            uow.leads.get("broken")
        uow.leads.save(lm.edit(read, owner="ivan"))
        uow.commit()
    with uow:
        doc, seal = uow.connection.execute(
            "SELECT doc, seal FROM leadmodel_leads WHERE id = ?", (old.id,)
        ).fetchone()
        recorded = uow.connection.execute("SELECT max(version) FROM leadmodel_schema").fetchone()
    uow.close()
    assert sorted(tables) == sorted(_rows.table(kind) for kind in lm.storage.KINDS)
    assert before == [(None,), (None,)]
    assert read == old
    assert seal == _rows.seal_of(doc)
    assert recorded == (SCHEMA_VERSION,) == (6,)


def test_reseal_seals_what_this_leadmodel_writes_and_leaves_the_rest_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """reseal() seals each row that decodes, checked in full, into exactly its stored document
    (a row without a seal, or sealed by another leadmodel), keeps the seals that match, and
    leaves unreadable rows and documents this leadmodel writes otherwise (read in full until
    saved); page after page, and a second run has nothing to do."""
    path = tmp_path / "crm.sqlite"
    uow = SQLiteUnitOfWork(path)
    with uow:
        uow.leads.add_many([_lead(n) for n in range(1, 6)])
        uow.commit()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute(
        "UPDATE leadmodel_leads SET seal = NULL WHERE id IN (?, ?)", (_lead(1).id, _lead(2).id)
    )
    raw.execute("UPDATE leadmodel_leads SET doc = '{' WHERE id = ?", (_lead(3).id,))
    spaced = json.dumps(json.loads(lm.to_json(_lead(4))), ensure_ascii=False)  # ", " and ": "
    raw.execute(
        "UPDATE leadmodel_leads SET doc = ?, seal = NULL WHERE id = ?", (spaced, _lead(4).id)
    )
    raw.close()
    assert uow.reseal(page_size=2) == _rows.Resealed(sealed=2, kept=1, unreadable=1, outdated=1)
    assert uow.reseal() == _rows.Resealed(kept=3, unreadable=1, outdated=1)
    with uow:
        rows = uow.connection.execute("SELECT doc, seal FROM leadmodel_leads").fetchall()
        assert uow.leads.get(_lead(4).id) == _lead(4)  # read in full
    assert sum(seal == _rows.seal_of(doc) for doc, seal in rows) == 3
    other_code = hashlib.sha256(b"a leadmodel with other rules")
    monkeypatch.setattr(_rows, "_sealer", lambda: other_code)
    assert uow.reseal(page_size=3) == _rows.Resealed(sealed=3, unreadable=1, outdated=1)
    uow.close()
