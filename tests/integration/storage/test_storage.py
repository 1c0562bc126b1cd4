"""The contract suite against the in-memory and SQLite adapters, and SQLite specifics."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadmodel.storage import MemoryStore, MemoryUnitOfWork, SQLiteUnitOfWork
from leadmodel.testing.contract import MakeUnit, UnitOfWorkContract


class TestMemoryUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def make_uow(self) -> MakeUnit:
        store = MemoryStore()
        return lambda: MemoryUnitOfWork(store)


class TestSQLiteUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def make_uow(self, tmp_path: Path) -> MakeUnit:
        path = tmp_path / "crm.sqlite"
        return lambda: SQLiteUnitOfWork(path)
