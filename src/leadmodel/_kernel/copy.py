"""Copy or make a frozen object from validated values, without re-validating them.

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


def unchecked(cls: type[T]) -> Callable[..., T]:
    """The constructor of ``cls`` that takes every field by keyword and checks nothing.

    For validated values only (see the module docstring). A field left out or unknown
    raises :class:`TypeError` naming it, as any call does, and keywords keep a call right
    when the fields are reordered. Made once per class: a function with one keyword-only
    parameter per field that sets each slot directly (faster than a loop over the slots,
    and than the checked ``__init__``).

    >>> from datetime import datetime, timezone
    >>> from leadmodel.domain.model import StatusChange
    >>> unchecked(StatusChange)(pipeline="deals", from_status="new", to_status="won",
    ...     at=datetime(2026, 3, 2, tzinfo=timezone.utc), by=None, reason=None, note=None,
    ...     from_pipeline=None).to_status
    'won'
    """
    made = _UNCHECKED.get(cls)
    if made is None:
        made = _UNCHECKED[cls] = _make_unchecked(cls)
    return made


_UNCHECKED: dict[type, Callable[..., Any]] = {}


def _make_unchecked(cls: type) -> Callable[..., Any]:
    names = [a.name for a in attrs.fields(cls)]
    space: dict[str, Any] = {"_new_": object.__new__, "_cls_": cls}
    lines = [f"def make(*, {', '.join(names)}):", "    _obj_ = _new_(_cls_)"]
    for name in names:
        space[f"_set_{name}_"] = cls.__dict__[name].__set__  # the slot's member descriptor
        lines.append(f"    _set_{name}_(_obj_, {name})")
    lines.append("    return _obj_")
    if set(names) & {"_new_", "_cls_", "_obj_", *(f"_set_{name}_" for name in names)}:
        raise TypeError(f"{cls.__name__} has a field named like a local of the constructor")
    exec("\n".join(lines), space)  # noqa: S102 - names are the class's own field names
    make: Callable[..., Any] = space["make"]
    make.__qualname__ = make.__name__ = f"unchecked_{cls.__name__}"
    return make
