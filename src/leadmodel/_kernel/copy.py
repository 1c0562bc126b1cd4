"""Copy a validated frozen object with a few fields replaced, without re-validating the rest.

``attrs.evolve`` runs every check of the class again. Hot paths (a pipeline move) change one
or two fields whose validity they have established themselves; for them, the unchanged
fields are valid because the object they come from was, so copying is enough. Use only where
the caller checks every value it sets, and every invariant those values take part in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from functools import cache
from itertools import repeat
from operator import attrgetter
from typing import Any, TypeVar

import attrs

T = TypeVar("T")


class _Layout:
    """The slots of an attrs class, in field order, with what copying needs precomputed."""

    __slots__ = ("descriptors", "get_all", "index", "set_slot")

    def __init__(self, cls: type) -> None:
        names = tuple(a.name for a in attrs.fields(cls))
        self.index = {name: i for i, name in enumerate(names)}
        self.descriptors = tuple(cls.__dict__[name] for name in names)  # slot member descriptors
        self.set_slot: Callable[[Any, Any, Any], None] = type(self.descriptors[0]).__set__
        self.get_all: Callable[[Any], tuple[Any, ...]] = attrgetter(*names)  # several: a tuple

    def fill(self, new: object, values: Any) -> None:
        # one C-level pass over the slots: no Python loop per field
        deque(map(self.set_slot, self.descriptors, repeat(new), values), maxlen=0)


@cache
def _layout(cls: type) -> _Layout:
    return _Layout(cls)


def replace(obj: T, **changes: Any) -> T:
    """A copy of ``obj`` with ``changes`` set, skipping validation (see the module docstring)."""
    cls = type(obj)
    layout = _layout(cls)  # type: ignore[arg-type] # classes are hashable
    values = list(layout.get_all(obj))
    for name, value in changes.items():
        values[layout.index[name]] = value
    new: T = object.__new__(cls)
    layout.fill(new, values)
    return new


def build(cls: type[T], *values: Any) -> T:
    """An instance of ``cls`` from validated values given in field order, without checks."""
    new: T = object.__new__(cls)
    _layout(cls).fill(new, values)  # type: ignore[arg-type]
    return new
