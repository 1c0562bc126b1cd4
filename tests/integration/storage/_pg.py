"""A throwaway PostgreSQL server for the tests, and the read-modify-save workload they run on it.

:func:`server` yields the URL of a database for the tests: the server that the environment
variable ``LEADMODEL_TEST_PG_URL`` names, or else a cluster made with ``initdb`` in a temporary
directory, started with ``pg_ctl`` on a free loopback port (as the ``postgres`` user when the
tests run as root: PostgreSQL refuses root) and deleted at the end. Either way the tests work
in their own PostgreSQL schema, ``leadmodel_tests`` (dropped and made again at the start), so a
server given by the variable keeps the rest of its data.

Without server binaries :func:`server` raises :class:`Unavailable`, whose message says how to
get them; the tests skip on it, or fail when ``CI=true``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import attrs
import psycopg
import sqlalchemy as sa

from leadmodel import Lead
from leadmodel.errors import ConcurrencyError
from leadmodel.storage.sql import SqlUnitOfWork

ENV: Final = "LEADMODEL_TEST_PG_URL"
SCHEMA: Final = "leadmodel_tests"
DATABASE: Final = "leadmodel_test"
HOW_TO_ENABLE: Final = (
    "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin: "
    f"`apt-get install postgresql`, or set {ENV} to a database URL "
    "(postgresql+psycopg://user@host:port/db) to run the PostgreSQL tests"
)
# Durability is pointless for a cluster deleted after the run; speed is not.
_FAST: Final = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class Unavailable(RuntimeError):
    """No PostgreSQL to test on; the message says how to get one."""


def find_binary(name: str) -> str | None:
    """``name`` on PATH, else in the newest /usr/lib/postgresql/<version>/bin (Debian's place)."""
    found = shutil.which(name)
    if found:
        return found
    versions = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    versions.sort(key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return versions[-1] if versions else None


@contextlib.contextmanager
def server() -> Iterator[str]:
    """The URL of an empty test schema on a PostgreSQL server (see the module docs)."""
    given = os.environ.get(ENV)
    if given:
        yield _with_test_schema(given)
        return
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise Unavailable(HOW_TO_ENABLE)
    with _cluster(initdb, pg_ctl) as port:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/{DATABASE}"
        _create_database(port)
        yield _with_test_schema(url)


def _as_postgres() -> list[str]:
    """The command prefix that runs a server binary as a user PostgreSQL accepts."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise Unavailable("running as root needs `runuser` to start PostgreSQL as `postgres`")
    return [runuser, "-u", "postgres", "--"]


@contextlib.contextmanager
def _cluster(initdb: str, pg_ctl: str) -> Iterator[int]:
    root = Path(tempfile.mkdtemp(prefix="leadmodel-pg-"))
    data, log = root / "data", root / "server.log"
    try:
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable(
                    "no `postgres` user (apt-get install postgresql makes it)"
                ) from None
            os.chown(root, user.pw_uid, user.pw_gid)
        prefix = _as_postgres()
        init = [initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "-N"]
        _run([*prefix, *init, "--locale=C"])
        port = _start(prefix, pg_ctl, data, log, root)
        try:
            yield port
        finally:
            _run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _start(prefix: list[str], pg_ctl: str, data: Path, log: Path, root: Path) -> int:
    """Start on a free port (retried: another process may take the port first)."""
    for _ in range(3):
        port = _free_port()
        options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root}"
        start = [pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o"]
        done = subprocess.run(
            [*prefix, *start, f"{options} {_FAST}", "start"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0:
            return port
    text = log.read_text(errors="replace") if log.exists() else ""
    raise RuntimeError(f"pg_ctl could not start PostgreSQL: {done.stderr}\n{text[-2000:]}")


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr[-2000:]}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _create_database(port: int) -> None:
    """The test database; with ICU's en-US order when the server has ICU, so that an id column
    without ``COLLATE "C"`` would sort ``"B"`` after ``"a"`` and the order tests would see it."""
    dsn = f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        try:
            conn.execute(
                f"CREATE DATABASE {DATABASE} TEMPLATE template0 LOCALE_PROVIDER icu "
                "ICU_LOCALE 'en-US' LOCALE 'C'"
            )
        except psycopg.Error:  # PostgreSQL < 15, or built without ICU
            conn.execute(f"CREATE DATABASE {DATABASE}")


def _with_test_schema(url: str) -> str:
    """Make the schema ``leadmodel_tests`` anew; the URL whose connections work in it."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    finally:
        engine.dispose()
    return (
        sa.make_url(url)
        .update_query_dict({"options": f"-csearch_path={SCHEMA}"})
        .render_as_string(hide_password=False)
    )


# -- the workload of the reliability tests ------------------------------------------------------
def bump_in_process(url: str, ids: list[str], rounds: int, ready: Any, results: Any) -> None:
    """Run :func:`bump_with` in a worker process, starting at ``ready`` (a Barrier) once
    connected; put ``(saved per lead, conflicts)`` or a traceback string on ``results``."""
    uow = SqlUnitOfWork(url, migrate=False)
    try:
        with uow:
            uow.leads.count()  # connected and warm before the race starts
        ready.wait(120)
        results.put(bump_with(lambda: uow, ids, rounds))
    except BaseException:  # the parent fails the test with it
        results.put(traceback.format_exc())
    finally:
        uow.close()


def bump_with(
    unit: Callable[[], SqlUnitOfWork], ids: list[str], rounds: int
) -> tuple[dict[str, int], int]:
    """:func:`bump` with units from ``unit()``."""
    saved = dict.fromkeys(ids, 0)
    conflicts = 0
    for _ in range(rounds):
        for lead_id in ids:
            with unit() as uow:
                lead = uow.leads.get(lead_id)
                bumped = _incremented(lead)
                try:
                    uow.leads.save(bumped)
                    uow.commit()
                except ConcurrencyError:
                    conflicts += 1
                    continue
            saved[lead_id] += 1
    return saved, conflicts


def _incremented(lead: Lead) -> Lead:
    count = lead.custom.get("count", 0)
    assert isinstance(count, int)
    return attrs.evolve(lead, custom={**lead.custom, "count": count + 1})
