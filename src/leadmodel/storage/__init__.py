"""Storage behind protocols: repositories, units of work, and the adapters leadmodel ships.

* :class:`Repository` and :class:`UnitOfWork` — the contract (:mod:`.protocols`); a
  :class:`Page` is one page of a repository's entities (``Repository.page``); a
  :class:`StateStore` (``uow.states``) keeps named, versioned JSON values, each a
  :class:`StoredState`.
* :class:`MemoryUnitOfWork` — in memory, copy-on-commit (tests, notebooks).
* :class:`SQLiteUnitOfWork` — the embedded default, on the standard library's ``sqlite3``;
  its ``reseal()`` (and ``SqlUnitOfWork.reseal()``) answers with a :class:`Resealed`.
* ``leadmodel.storage.sql.SqlUnitOfWork`` — any SQLAlchemy database, tested on PostgreSQL
  (extra ``sql``; imported from its module so the core stays free of SQLAlchemy).

Every adapter passes the same contract suite, :mod:`leadmodel.testing.contract`.
"""

from __future__ import annotations

from leadmodel.storage._rows import Resealed
from leadmodel.storage.memory import MemoryStore, MemoryUnitOfWork
from leadmodel.storage.protocols import (
    DEFAULT_PAGE_SIZE,
    KINDS,
    Entity,
    EntityT,
    FindFilters,
    Indexed,
    Outbox,
    Page,
    Repository,
    StateStore,
    StoredEvent,
    StoredState,
    UnitOfWork,
)
from leadmodel.storage.sqlite import SQLiteUnitOfWork

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "KINDS",
    "Entity",
    "EntityT",
    "FindFilters",
    "Indexed",
    "MemoryStore",
    "MemoryUnitOfWork",
    "Outbox",
    "Page",
    "Repository",
    "Resealed",
    "SQLiteUnitOfWork",
    "StateStore",
    "StoredEvent",
    "StoredState",
    "UnitOfWork",
]
