"""Spec classes as documents: how a spec class declares its document, and paths within it.

A spec class (a pipeline, a framework, a score model, a match rule: data a user writes) derives
from :class:`~leadmodel._kernel.documents.Spec`. Its document is the compact form: fields left
at their default are omitted and enums are written by value. Where the document reads
differently from the fields, the class says so where it is declared, and nowhere else:

* ``rename={"source": "from"}``: a field's key in the document;
* ``flatten="params"``: a field whose own document is spread into this one, so
  ``{"action": "send_email", "template": "hi"}`` holds ``params={"template": "hi"}``;
* ``tag=Tag("rule", "at_least")``: the key and value that name this class among the members of
  a union (``rule = "at_least"``); one member may be the ``default`` when the key is absent;
* ``hints={"statuses": "list the statuses in funnel order"}``: what to write for a missing field;
* ``load`` / ``dump``: pure ``dict -> dict`` transforms for anything else, applied to the document
  before it is read and after it is written.

A field whose items are strings (or a map) cannot say its cap through its element class's
``__max_items__``; it says it in its attrs ``metadata`` under the same name
(:data:`~leadmodel._kernel.checks.MAX_ITEMS`), and the document is refused by that field's
length before the field is read. A field holding a collection may also cap the items some lists
of its items hold together (:data:`~leadmodel._kernel.checks.MAX_TOTALS`, every status's
``on_enter``); :func:`document_total` counts them in the document, before an item is read.

The converter's hooks for spec classes are :mod:`leadmodel._kernel.specs`. A class's own checks
name problems in object terms (``transitions[0].target``); :func:`document_path` says where that
is in the document (``transitions[0].to``).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import attrs

from leadmodel._kernel.checks import MAX_ITEMS, MAX_NODES, MAX_TOTALS, MaxItems, MaxTotal
from leadmodel._kernel.hooks import join, optional_inner

SHAPE = "__document_shape__"
"""The class attribute that holds a spec class's :class:`Shape`."""

Transform = Callable[[dict[str, Any]], dict[str, Any]]


@attrs.frozen(kw_only=True)
class Tag:
    """The ``key`` and ``value`` that name a spec class among the members of a union."""

    key: str
    value: str
    default: bool = False


@attrs.frozen(kw_only=True)
class Shape:
    """How a spec class's document differs from its fields (see the module docstring)."""

    rename: Mapping[str, str] = attrs.field(factory=dict)
    flatten: str | None = None
    tag: Tag | None = None
    hints: Mapping[str, str] = attrs.field(factory=dict)
    load: Transform | None = None
    dump: Transform | None = None


@attrs.frozen
class Field:
    """A field of a spec class as its document sees it."""

    name: str
    key: str  # in the document
    type: Any
    required: bool
    flat: bool
    cap: MaxItems | None = None  # the most items the field's array (or object) may hold
    totals: tuple[MaxTotal, ...] = ()  # the most items lists within its items hold together
    nodes: MaxItems | None = None  # the most JSON values the field's tree holds


def shape_of(t: Any) -> Shape | None:
    """The shape of spec class ``t``, or ``None`` when ``t`` is not a spec class."""
    shape = t.__dict__.get(SHAPE) if isinstance(t, type) else None
    return shape if isinstance(shape, Shape) else None


def is_spec(t: Any) -> bool:
    """``t`` is a spec class."""
    return shape_of(t) is not None


@cache
def fields_of(cls: type) -> tuple[Field, ...]:
    """The fields of spec class ``cls``, in order, with their document keys and types."""
    shape = declared_shape(cls)
    attrs.resolve_types(cls)
    return tuple(
        Field(
            a.name,
            shape.rename.get(a.name, a.name),
            a.type,
            a.default is attrs.NOTHING,
            a.name == shape.flatten,
            a.metadata.get(MAX_ITEMS),
            a.metadata.get(MAX_TOTALS, ()),
            a.metadata.get(MAX_NODES),
        )
        for a in attrs.fields(cls)
    )


@cache
def capped_fields(cls: type) -> tuple[tuple[int, Field], ...]:
    """The fields of spec class ``cls`` that declare a cap or totals, with their places."""
    return tuple(
        (i, f)
        for i, f in enumerate(fields_of(cls))
        if f.cap is not None or f.totals or f.nodes is not None
    )


def document_total(field: Field, items: list[Any], total: MaxTotal) -> int:
    """How many items the lists ``total`` names hold together in ``items``, the document's
    array for ``field``.

    Only lengths are read, never an item. What a cap refuses unread is not counted: the array
    itself when it is past its own cap (0), and any list within it past its own.
    """
    cap = _own_cap(field.type, field.cap)
    if cap is not None and len(items) > cap:
        return 0
    count = 0
    for path in total.paths:
        keys, most = _document_list(item_type(field.type), path)
        values = items
        for key in keys:
            values = [value.get(key) if type(value) is dict else None for value in values]
        lengths = [len(value) for value in values if type(value) is list]
        count += sum(n for n in lengths if most is None or n <= most)
    return count


@cache
def _document_list(cls: type, path: str) -> tuple[tuple[str, ...], int | None]:
    """The document keys of the list at object ``path`` within a ``cls``, and its own cap."""
    keys: list[str] = []
    t: Any = cls
    cap: int | None = None
    for name in path.split("."):
        fields = fields_of(t) if is_spec(t) else ()
        field = next((f for f in fields if f.name == name and not f.flat), None)
        if field is None:
            raise TypeError(f"{cls!r} has no list at {path!r} (a total counts lists of specs)")
        keys.append(field.key)
        t = optional_inner(field.type) or field.type
        cap = _own_cap(field.type, field.cap)
    return tuple(keys), cap


def _own_cap(t: Any, cap: MaxItems | None) -> int | None:
    """The most items a field of type ``t`` holds: its declared ``cap``, else its element
    class's ``__max_items__``."""
    cap = cap or getattr(item_type(t), MAX_ITEMS, None)
    return None if cap is None else cap.most


def declared_shape(cls: type) -> Shape:
    """The shape of spec class ``cls``; raises ``TypeError`` for any other class."""
    shape = shape_of(cls)
    if shape is None:
        raise TypeError(f"{cls!r} is not a spec class")
    return shape


def tag_of(cls: type) -> Tag:
    """The tag of spec class ``cls``; raises ``TypeError`` when it has none."""
    tag = declared_shape(cls).tag
    if tag is None:
        raise TypeError(f"{cls!r} has no tag")
    return tag


def covered(path: str, gaps: list[str]) -> bool:
    """``path`` is one of ``gaps`` or lies within one."""
    return any(gap and (path == gap or path.startswith((gap + ".", gap + "["))) for gap in gaps)


PART = re.compile(r"\[[^\]]*\]|[^.\[]+")
"""A segment of a path: ``statuses``, ``[1]``, ``key``."""


def index_of(cls: type, path: str) -> int:
    """Where a problem at ``path`` sorts: the place of the field its first segment names."""
    head = PART.match(path)
    fields = fields_of(cls)
    for i, field in enumerate(fields):
        if head is not None and field.key == head.group(0) and not field.flat:
            return i
    flat = [i for i, field in enumerate(fields) if field.flat]
    return flat[0] if flat and path else len(fields)


def document_path(cls: type, path: str) -> str:
    """An object path (``transitions[0].target``) in document terms (``transitions[0].to``)."""
    out = ""
    t: Any = cls
    parts = PART.findall(path)
    for n, part in enumerate(parts):
        if part.startswith("["):
            out += part
            t = item_type(t)
            continue
        field = next((f for f in fields_of(t) if f.name == part), None) if is_spec(t) else None
        if field is None:
            out, t = join(out, part), None
            continue
        t = optional_inner(field.type) or field.type
        if not (field.flat and n + 1 < len(parts)):  # a spread field's keys sit right here
            out = join(out, field.key)
    return out


def item_type(t: Any) -> Any:
    """``X`` for ``tuple[X, ...]`` (and for ``tuple[X | None, ...]``), else ``None``."""
    args = typing.get_args(t)
    return optional_inner(args[0]) or args[0] if args[1:] == (Ellipsis,) else None
