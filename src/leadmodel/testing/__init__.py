"""Testing kit: Hypothesis strategies for every public type and a pytest plugin.

``leadmodel.testing.strategies`` needs ``hypothesis`` (``pip install hypothesis``); it is
imported on first use, so ``import leadmodel.testing`` works without it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadmodel.testing import strategies as strategies

__all__ = ["strategies"]


def __getattr__(name: str) -> object:
    if name == "strategies":
        return importlib.import_module("leadmodel.testing.strategies")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
