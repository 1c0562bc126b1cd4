"""Immutable JSON values: checked, deep-frozen and hashable (the containers every layer shares).

:func:`freeze` validates a plain JSON-like value (``dict``/``list`` nesting of ``str``, ``int``,
``float``, ``bool`` and ``None``) and returns it frozen: mappings become :class:`FrozenMap`, lists
become tuples. :func:`thaw` goes back. The public names are re-exported by
:mod:`leadmodel.domain.values.custom_json`.

A tree holds at most :data:`MAX_CUSTOM_NODES` values, counted as it is read: each container's
length is added before any of its items is read, so a bigger tree is refused after about that
many values, whatever its size.

>>> m = freeze({"utm": {"source": "instagram"}, "visits": [1, 2]})
>>> m["utm"]["source"], m["visits"]
('instagram', (1, 2))
>>> thaw(m)
{'utm': {'source': 'instagram'}, 'visits': [1, 2]}
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized
from typing import Any, TypeAlias, TypeVar, cast

from leadmodel._kernel.checks import MAX_PROBLEMS, NOT_UNICODE, is_unicode
from leadmodel.errors import Problem, ValidationError

__all__ = [
    "EMPTY",
    "JSON",
    "MAX_CUSTOM_NODES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_INT",
    "FrozenMap",
    "freeze",
    "freeze_value",
    "nodes",
    "nodes_within",
    "thaw",
    "too_many_nodes",
]

JSON: TypeAlias = bool | int | float | str | Sequence["JSON"] | Mapping[str, "JSON"] | None
"""A JSON value: scalars, sequences and string-keyed mappings of JSON values."""

MAX_JSON_DEPTH = 32
"""Deepest nesting accepted in a custom field (deeper input is rejected, not truncated)."""

MAX_JSON_INT = 2**63 - 1
"""Largest magnitude of a number in a custom field (fits a 64-bit column everywhere)."""

MAX_CUSTOM_NODES = 10_000
"""The most JSON values one custom value tree holds: every object, array and scalar counts
one, the outermost included (``{"utm": {"source": "ads"}}`` holds 3).

A custom field carries a few facts about a record (UTM tags, a form's extra answers); ten
thousand values is far beyond that, and keeps the cost of reading, storing and merging a record
bounded. A bigger tree is refused with a :class:`~leadmodel.errors.ValidationError` naming the
field, the count reached and this cap, after about this many values are read (by the
constructor and the document converter alike): keep big data outside the lead and store a
reference to it.
"""


def too_many_nodes(count: int) -> str:
    """The message for a tree found to hold ``count`` values when the cap was passed."""
    return (
        f"at least {count:,} JSON values (each object, array and scalar counts one); a custom"
        f" value holds at most {MAX_CUSTOM_NODES:,} (MAX_CUSTOM_NODES): keep big data outside"
        " the lead and store a reference to it (an id or a URL)"
    )


V = TypeVar("V")


class FrozenMap(Mapping[str, V]):
    """An immutable, hashable mapping with string keys; equal to a ``dict`` with the same items.

    >>> FrozenMap({"a": 1}) == {"a": 1}
    True
    >>> len({FrozenMap({"a": 1}), FrozenMap({"a": 1})})
    1
    """

    __slots__ = ("_data", "_hash", "_json")

    def __init__(self, data: Mapping[str, V] | None = None) -> None:
        self._data: dict[str, V] = dict(data) if data else {}
        self._hash: int | None = None
        self._json = False  # set by freeze() once every value is checked and frozen

    def __getitem__(self, key: str) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


EMPTY: FrozenMap[JSON] = FrozenMap()
EMPTY._json = True


def freeze(value: object, *, path: str = "") -> FrozenMap[JSON]:
    """Validate a JSON object (a mapping) and return it deep-frozen.

    Raises :class:`ValidationError` listing every value that is not JSON: non-string keys,
    NaN or infinite floats, numbers beyond ±(2**63-1), nesting deeper than
    :data:`MAX_JSON_DEPTH`, or other Python types; and a tree of more than
    :data:`MAX_CUSTOM_NODES` values (at ``path``, with the count reached).
    """
    if type(value) is FrozenMap and value._json:
        return value
    if not isinstance(value, Mapping):
        raise ValidationError([Problem(path, "expected a JSON object (a mapping)", value)])
    return cast(FrozenMap[JSON], _freeze_tree(value, path))  # a mapping freezes to a FrozenMap


def freeze_value(value: object, *, path: str = "") -> JSON:
    """Validate any JSON value (an object, an array or a scalar) and return it deep-frozen.

    :func:`freeze` for a field that holds one JSON value, such as an answer's ``value``; it
    raises the same problems, at paths under ``path``.

    >>> freeze_value([1, {"a": None}])
    (1, FrozenMap({'a': None}))
    """
    return _freeze_tree(value, path)


def nodes(value: JSON) -> int:
    """How many values the frozen JSON tree ``value`` holds, itself included (see
    :data:`MAX_CUSTOM_NODES`).

    >>> nodes(freeze({"utm": {"source": "ads"}, "visits": (1, 2)}))
    6
    """
    if isinstance(value, Mapping):
        return 1 + sum(nodes(item) for item in value.values())
    if type(value) is tuple:
        return 1 + sum(nodes(item) for item in value)
    return 1


def nodes_within(value: object, most: int) -> int:
    """How many values the JSON tree ``value`` holds (plain or frozen), counted as
    :func:`freeze` counts them but without freezing: each container's length is added before
    any of its items is read, and counting stops once past ``most``, with the count reached then
    (the count :func:`freeze` would report for that cap). For a cap smaller than
    :data:`MAX_CUSTOM_NODES`, checked before freezing (an action's parameters).

    >>> nodes_within({"a": [1, 2, 3]}, 100), nodes_within({"a": [1, 2, 3]}, 3)
    (5, 5)
    """
    left = [most - 1]
    try:
        _tally(value, 0, left, most)
    except _TooMany as exc:
        return exc.count
    return most - left[0]


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _tally(value: object, depth: int, left: list[int], most: int) -> None:
    # as _freeze: a container nested too deep is not read (nor counted past its parent's length)
    kind = type(value)
    if kind in _SCALARS:  # the usual case first: no isinstance against an ABC
        return
    if kind is dict or kind is FrozenMap or isinstance(value, Mapping):
        items: Iterable[object] = cast(Mapping[str, object], value).values()
    elif kind is list or kind is tuple or isinstance(value, (list, tuple)):
        items = cast(Sequence[object], value)
    else:
        return
    if depth >= MAX_JSON_DEPTH:
        return
    left[0] -= len(cast(Sized, value))
    if left[0] < 0:
        raise _TooMany(most - left[0])
    for item in items:
        if type(item) not in _SCALARS:
            _tally(item, depth + 1, left, most)


class _TooMany(Exception):
    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


def _freeze_tree(value: object, path: str) -> JSON:
    # ``left``: how many more values the tree may hold; the outermost one is counted here
    with contextlib.suppress(_NotJSON):  # valid input: one pass, no paths built
        try:
            return cast(JSON, _quick(value, 0, [MAX_CUSTOM_NODES - 1]))
        except _TooMany as exc:
            raise ValidationError([Problem(path, too_many_nodes(exc.count))]) from None
    problems: list[Problem] = []  # invalid: again, naming the problems
    try:
        frozen = _freeze(value, path, 0, problems, [MAX_CUSTOM_NODES - 1])
    except _TooMany as exc:
        problems.append(Problem(path, too_many_nodes(exc.count)))
        raise ValidationError(problems, complete=False) from None
    if problems:
        # past MAX_PROBLEMS the reading stopped: the cost of rejecting is capped
        raise ValidationError(problems, complete=len(problems) <= MAX_PROBLEMS)
    return frozen


class _NotJSON(Exception):
    pass


def _count(left: list[int], items: int) -> None:
    """Count a container's ``items`` against the tree's budget, before any is read."""
    left[0] -= items
    if left[0] < 0:
        raise _TooMany(MAX_CUSTOM_NODES - left[0])


def _quick(value: Any, depth: int, left: list[int]) -> Any:
    # the cost of a valid document is this loop: no path strings, no casts, no problem list
    kind = type(value)
    if kind is str:
        if value.isascii() or is_unicode(value):
            return value
        raise _NotJSON
    if kind is int or kind is float:
        if -MAX_JSON_INT <= value <= MAX_JSON_INT:  # False for NaN
            return value
        raise _NotJSON
    if value is None or kind is bool:
        return value
    if depth >= MAX_JSON_DEPTH:
        raise _NotJSON
    depth += 1
    if kind is dict or kind is FrozenMap:
        _count(left, len(value))
        items = {}
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or is_unicode(key)):
                raise _NotJSON
            items[key] = _quick(item, depth, left)
        frozen = FrozenMap(items)
        frozen._json = True
        return frozen
    if kind is list or kind is tuple:
        _count(left, len(value))
        return tuple([_quick(item, depth, left) for item in value])
    raise _NotJSON  # other mappings and sequences: the detailed pass reads them


def _freeze(  # noqa: PLR0911, PLR0912 - one branch per JSON kind
    value: object, path: str, depth: int, problems: list[Problem], left: list[int]
) -> JSON:
    kind = type(value)
    if value is None or kind is bool:
        return cast(JSON, value)
    if kind is str:
        if is_unicode(cast(str, value)):
            return cast(str, value)
        problems.append(Problem(path, NOT_UNICODE, value))
        return None
    if kind is int:
        if -MAX_JSON_INT <= cast(int, value) <= MAX_JSON_INT:
            return cast(int, value)
        problems.append(Problem(path, f"integer beyond ±{MAX_JSON_INT}; store it as a string"))
        return None
    if kind is float:
        if -MAX_JSON_INT <= cast(float, value) <= MAX_JSON_INT:  # False for NaN
            return cast(float, value)
        problems.append(Problem(path, f"numbers are finite and within ±{MAX_JSON_INT}", value))
        return None
    if depth >= MAX_JSON_DEPTH:
        problems.append(Problem(path, f"nested deeper than {MAX_JSON_DEPTH} levels"))
        return None
    if isinstance(value, Mapping):
        _count(left, len(value))  # counted as the quick pass counts: the same count reached
        items: dict[str, JSON] = {}
        for key, item in value.items():
            if len(problems) > MAX_PROBLEMS:
                break
            if type(key) is not str:
                problems.append(Problem(path, "JSON object keys must be strings", key))
                continue
            if not is_unicode(key):
                problems.append(Problem(path, NOT_UNICODE, key))
                continue
            where = f"{path}.{key}" if path else key
            items[key] = _freeze(item, where, depth + 1, problems, left)
        frozen = FrozenMap(items)
        frozen._json = True
        return frozen
    if isinstance(value, (list, tuple)):
        _count(left, len(value))
        return tuple(
            _freeze(item, f"{path}[{i}]", depth + 1, problems, left)
            for i, item in enumerate(value)
            if len(problems) <= MAX_PROBLEMS
        )
    problems.append(Problem(path, f"{type(value).__name__} is not a JSON value", value))
    return None


def thaw(value: JSON) -> object:
    """Return plain ``dict``/``list`` copies of a frozen JSON value (for ``json.dumps``)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(v) for v in value]
    return value
