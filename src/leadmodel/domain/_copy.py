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

_set = object.__setattr__


@cache
def _layout(cls: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    names = tuple(a.name for a in attrs.fields(cls))
    return names, attrgetter(*names)  # several names: it returns a tuple


def replace(obj: T, **changes: Any) -> T:
    """A copy of ``obj`` with ``changes`` set, skipping validation (see the module docstring)."""
    cls = type(obj)
    names, values = _layout(cls)  # type: ignore[arg-type] # classes are hashable
    new: T = object.__new__(cls)
    deque(map(_set, repeat(new), names, values(obj)), maxlen=0)  # the loop runs in C
    for name, value in changes.items():
        _set(new, name, value)
    return new


def build(cls: type[T], **values: Any) -> T:
    """An instance of ``cls`` from values the caller has validated, without running checks."""
    new = object.__new__(cls)
    for name, value in values.items():
        _set(new, name, value)
    return new
