"""Documents: the one configured converter between leadmodel objects and JSON-ready dicts.

Every layer goes through it: :mod:`leadmodel.serde` (the public face: JSON text) for values,
entities and events, and the domain's spec classes (pipelines, frameworks, score models, match
rules) for their ``to_dict`` / ``from_dict``. So ``lm.to_dict(spec) == spec.to_dict()``.

A spec class derives from :class:`Spec`; its document shape is declared with the class (see
:mod:`leadmodel._kernel.shapes`).

>>> import attrs
>>> @attrs.frozen(kw_only=True)
... class Edge(Spec, rename={"source": "from", "target": "to"}):
...     source: str
...     target: str
...     weight: float = 1.0
>>> Edge(source="new", target="won").to_dict()
{'schema_version': 1, 'from': 'new', 'to': 'won'}
>>> Edge.from_dict({"from": "new", "to": 5, "colour": "red"})
Traceback (most recent call last):
...
leadmodel.errors.ValidationError: 2 problems:
  Edge.colour: unexpected field; remove it (or load with extra='ignore')
  Edge.to: expected a string; got 5
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any, Literal, Self, TypeVar

import attrs
import cattrs

from leadmodel._kernel import code, hooks, shapes, specs, toml
from leadmodel._kernel.copy import unchecked
from leadmodel._kernel.shapes import Tag, Transform
from leadmodel.errors import Problem, ValidationError

__all__ = [
    "SCHEMA_VERSION",
    "Extra",
    "Spec",
    "Tag",
    "draft",
    "from_document",
    "structure",
    "to_document",
    "trusted",
    "unstructure",
]

SCHEMA_VERSION = 1
"""The version of the document layout written by :func:`to_document`."""

Extra = Literal["forbid", "ignore"]
"""What loading does with fields the type does not have: reject them (default) or drop them."""

T = TypeVar("T")


def _converter(*, forbid: bool, detailed: bool) -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=forbid, detailed_validation=detailed)
    return specs.configure(code.configure(hooks.configure(converter)))


# Fast converters structure valid input; the detailed ones run only after a failure, to
# list every problem with its path (bad input is rare, so its cost does not matter).
_FAST = {
    "forbid": _converter(forbid=True, detailed=False),
    "ignore": _converter(forbid=False, detailed=False),
}
_DETAILED = {
    "forbid": _converter(forbid=True, detailed=True),
    "ignore": _converter(forbid=False, detailed=True),
}
_UNSTRUCTURE = _FAST["forbid"]


DERIVED = "__derived__"
"""A class whose ``__init__`` derives some fields (``init=False``) from the others names, in
this attribute, the function ``obj -> {field: value}`` that derives them (raising where it
cannot): :func:`trusted` sets them with it, without the class's checks."""


def _plain(t: Any) -> bool:
    """An attrs class that :func:`trusted` rebuilds without its checks: every field is set by
    its ``__init__`` or by its :data:`DERIVED` function, and no hook of its own reads it (not
    a spec, no code, no field-typed values, not written as another class)."""
    return (
        isinstance(t, type)
        and attrs.has(t)
        and not shapes.is_spec(t)
        and not code.holds_code(t)
        and not hasattr(t, hooks.VALUE_TYPE)
        and not hasattr(t, hooks.WRITTEN_AS)
        and "__slots__" in vars(t)  # unchecked() sets slots
        and (hasattr(t, DERIVED) or all(a.init for a in attrs.fields(t)))
    )


def _rebuild(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    """The structure hook of a plain class (:func:`_plain`) for :func:`trusted`: each field
    read from the document by its type's hook (types are still checked), the object made by
    :func:`~leadmodel._kernel.copy.unchecked` (the class's own checks are not run)."""

    def factory(cls: Any) -> Callable[..., Any]:
        fields = attrs.fields(attrs.resolve_types(cls))
        space: dict[str, Any] = {"_make_": unchecked(cls), "_set_": object.__setattr__}
        args = []
        for i, field in enumerate(fields):
            if not field.init:  # derived below
                args.append(f"{field.name}=None")
                continue
            space[f"_h{i}_"] = converter.get_structure_hook(field.type)
            space[f"_t{i}_"] = field.type
            args.append(f"{field.name}=_h{i}_(o[{field.name!r}], _t{i}_)")
        lines = ["def rebuild(o, _=None):", f"    obj = _make_({', '.join(args)})"]
        if any(not field.init for field in fields):
            space["_derive_"] = getattr(cls, DERIVED)
            lines += [
                "    for name, value in _derive_(obj).items():",
                "        _set_(obj, name, value)",
            ]
        lines.append("    return obj")
        exec("\n".join(lines), space)  # noqa: S102 - the class's own field names and hooks
        rebuild: Callable[..., Any] = space["rebuild"]
        rebuild.__qualname__ = rebuild.__name__ = f"rebuild_{cls.__name__}"
        return rebuild

    return factory


def _trusted_converter() -> cattrs.Converter:
    converter = _converter(forbid=True, detailed=False)
    converter.register_structure_hook_factory(_plain, _rebuild(converter))
    return converter


_TRUSTED = _trusted_converter()


def trusted(cls: type[T], data: object) -> T:
    """Rebuild a ``cls`` from a document its own store wrote and sealed (checked unchanged
    since, under the same rules): the values' types are read as :func:`structure` reads them,
    but the classes' own checks, run when the document was written, are not run again; the
    fields a class derives on construction are derived by its :data:`DERIVED` function (a
    contact point's match key: a phone number is parsed again), never read from the document.

    ``data`` is consumed (its ``schema_version`` taken out): pass a freshly parsed document.
    Any failure raises: the caller then reads the document with :func:`from_document`, which
    names its problems.

    >>> import attrs
    >>> @attrs.frozen
    ... class Stay:
    ...     days: int
    ...     def __attrs_post_init__(self) -> None:
    ...         if self.days < 0:
    ...             raise ValueError("days: 0 or more")
    >>> trusted(Stay, {"schema_version": 1, "days": -1})  # the seal vouched for it: not checked
    Stay(days=-1)
    >>> trusted(Stay, {"days": "two"})  # types are still read strictly
    Traceback (most recent call last):
    ...
    leadmodel._kernel.scalars.BadValue: ...
    """
    if type(data) is not dict or data.pop("schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise ValueError("not a document of this schema version")
    result: T = _TRUSTED.structure(data, cls)
    return result


def _name(cls: object) -> str:
    return getattr(cls, "__name__", str(cls))


def structure(cls: type[T], data: object, *, extra: Extra = "forbid") -> T:
    """Build a ``cls`` from plain data; raises :class:`ValidationError` listing every problem."""
    with contextlib.suppress(Exception):  # any failure is re-examined in detail below
        return _FAST[extra].structure(data, cls)
    # the detailed reading stops after hooks.MAX_PROBLEMS failed items: the cost of rejecting
    # a document is capped, however many bad items it holds
    with hooks.problem_budget() as budget:
        try:
            result = _DETAILED[extra].structure(data, cls)
        except Exception as exc:
            problems = hooks.problems_of(exc) or [Problem("", str(exc))]
            stopped = bool(budget[1]) or len(problems) > hooks.MAX_PROBLEMS
            raise ValidationError(
                problems[: hooks.MAX_PROBLEMS], model=_name(cls), complete=not stopped
            ) from None
    return result  # pragma: no cover - the fast path failed but the detailed one did not


def draft(cls: type[T], data: object, *, extra: Extra = "forbid") -> T | None:
    """The best a document that does not load makes: a ``cls`` of the parts that load.

    For the checks of a caller that knows more (a pipeline's registered guards). The draft
    may break the class's rules; it must not leave the caller. ``None`` when nothing loads.
    """
    try:
        with hooks.problem_budget():
            return _DETAILED[extra].structure(data, cls)
    except hooks.Incomplete as exc:
        return exc.draft if isinstance(exc.draft, cls) else None
    except Exception:
        return None


def unstructure(obj: object) -> Any:
    """``obj`` as plain data (dicts, lists, strings, numbers, booleans and None)."""
    try:
        return _UNSTRUCTURE.unstructure(obj)
    except ValidationError as exc:
        raise ValidationError(exc.problems, model=_name(type(obj))) from None


def to_document(obj: object) -> dict[str, Any]:
    """``obj`` as a JSON-ready dict with ``schema_version`` first."""
    data = unstructure(obj)
    if not isinstance(data, dict):
        raise ValidationError([Problem("", "to_dict takes a leadmodel object", obj)])
    return {"schema_version": SCHEMA_VERSION, **data}


def from_document(cls: type[T], data: object, *, extra: Extra = "forbid") -> T:
    """Build a ``cls`` from a document made by :func:`to_document` (or by hand).

    ``schema_version`` may be omitted (the current version is assumed); a newer version than
    this library knows is refused. Raises :class:`ValidationError` listing every problem.
    """
    name = _name(cls)
    if extra not in _FAST:
        problem = Problem("extra", "use extra='forbid' or extra='ignore'", extra)
        raise ValidationError([problem], model="from_dict")
    if not isinstance(data, Mapping):
        raise ValidationError([Problem("", "expected a JSON object", data)], model=name)
    if "schema_version" in data or type(data) is not dict:
        data = dict(data)
        _check_version(data.pop("schema_version", SCHEMA_VERSION), name)
    return structure(cls, data, extra=extra)


def _check_version(version: object, name: str) -> None:
    if type(version) is not int or not 1 <= version <= SCHEMA_VERSION:
        msg = (
            f"this leadmodel reads schema_version 1 to {SCHEMA_VERSION}; "
            "upgrade leadmodel to read newer documents"
        )
        raise ValidationError([Problem("schema_version", msg, version)], model=name)


class Spec:
    """Marks an attrs class as a spec: data a user writes, read and written by the one converter.

    The class keywords declare where its document differs from its fields: ``rename``,
    ``flatten``, ``tag``, ``hints`` and the pure transforms ``load`` / ``dump`` (see
    :mod:`leadmodel._kernel.shapes`). A spec validates itself on construction.
    """

    __slots__ = ()

    def __init_subclass__(
        cls,
        *,
        rename: Mapping[str, str] | None = None,
        flatten: str | None = None,
        tag: Tag | None = None,
        hints: Mapping[str, str] | None = None,
        load: Transform | None = None,
        dump: Transform | None = None,
    ) -> None:
        super().__init_subclass__()
        declared = (rename, flatten, tag, hints, load, dump) != (None,) * 6
        # attrs re-creates slotted classes (without the keywords): keep what was declared
        if declared or shapes.SHAPE not in cls.__dict__:
            shape = shapes.Shape(
                rename=rename or {},
                flatten=flatten,
                tag=tag,
                hints=hints or {},
                load=load,
                dump=dump,
            )
            setattr(cls, shapes.SHAPE, shape)

    def to_dict(self) -> dict[str, Any]:
        """This spec as a document (``schema_version`` first, defaults left out).

        The same document as ``lm.to_dict(spec)``; :meth:`from_dict` reads it back.
        """
        return to_document(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a spec from a document: a dict, e.g. parsed from JSON or TOML.

        Raises :class:`~leadmodel.errors.ValidationError` listing every problem with its path.
        """
        return from_document(cls, data)

    @classmethod
    def from_toml(cls, text: str | bytes) -> Self:
        """Read a spec from TOML text (``str`` or UTF-8 ``bytes``; the domain reads no files);
        problems name the line they were found on. :meth:`to_toml` writes one.

        >>> import attrs
        >>> @attrs.frozen(kw_only=True)
        ... class Window(Spec):
        ...     minutes: int = 10
        >>> Window.from_toml(Window(minutes=5).to_toml())
        Window(minutes=5)
        >>> Window.from_toml("minutes = 'five'")
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: line 1: minutes: expected an integer ...; got 'five'
        """
        try:
            data = toml.parse(text)
        except ValidationError as exc:
            raise ValidationError(exc.problems, model=cls.__name__) from None
        try:
            return cls.from_dict(data)
        except ValidationError as exc:
            located = toml.with_lines(exc.problems, text)
            raise ValidationError(located, complete=exc.complete) from None

    def to_toml(self) -> str:
        """This spec as TOML text (:meth:`from_toml` reads it back equal).

        >>> import attrs
        >>> @attrs.frozen(kw_only=True)
        ... class Window(Spec):
        ...     minutes: int = 10
        >>> print(Window(minutes=5).to_toml())
        schema_version = 1
        minutes = 5
        <BLANKLINE>
        """
        return toml.dump(self.to_dict())
