"""Fixtures of the service tests: ``make_uow``, one fresh store per test on each adapter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ._services import ADAPTERS, MakeUnit, Stores


@pytest.fixture(params=ADAPTERS)
def make_uow(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeUnit]:
    """A new unit of work object on one fresh store per test, on each adapter."""
    stores = Stores(request.param, tmp_path)
    store = stores.new()
    yield lambda: stores.unit(store)
    stores.close()
