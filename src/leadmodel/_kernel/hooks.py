r"""Strict hooks for containers (tuples, sets, optionals, maps, objects), and the error list.

Single values are :mod:`leadmodel._kernel.scalars`. With detailed validation, collections (and
spec classes, see :mod:`leadmodel._kernel.specs`) report a failure as :class:`Incomplete`: the
problems, plus a draft built from the items that did load, so the object holding them can still
run its own checks over what is there and report every problem at once. :func:`problems_of`
folds any failure into :class:`~leadmodel.errors.Problem`\ s with paths.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, list_structure_factory
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn

from leadmodel._kernel import checks as c
from leadmodel._kernel import scalars
from leadmodel._kernel.frozen_json import FrozenMap
from leadmodel._kernel.scalars import BadValue, is_json, is_union
from leadmodel.errors import Problem, ValidationError

MAX_PROBLEMS = c.MAX_PROBLEMS
"""The most problems a document is checked for: loading stops there, so rejecting bad input
costs at most this many failures, however many bad items the input holds."""

_BUDGET: ContextVar[list[int] | None] = ContextVar("leadmodel_problem_budget", default=None)


@contextmanager
def problem_budget() -> Iterator[list[int]]:
    """Count the failed items of one detailed reading: ``[failed, stopped]`` (0 or 1)."""
    budget = [0, 0]
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def _spend() -> bool:
    """Count one failed item; whether the reading should stop (the budget is spent).

    An item that failed inside another counts for both: the budget only ever stops early.
    """
    budget = _BUDGET.get()
    if budget is None:
        return False
    budget[0] += 1
    if budget[0] >= MAX_PROBLEMS:
        budget[1] = 1
        return True
    return False


class Incomplete(ValidationError):
    """What did not load, with a ``draft`` of what did (or ``None``).

    ``gaps`` are the paths (relative, in document terms) whose value in the draft is a
    stand-in: a default or ``None``. Checks run over the draft skip problems found there.
    """

    def __init__(self, problems: list[Problem], draft: object, gaps: list[str]) -> None:
        super().__init__(problems)
        self.draft = draft
        self.gaps = gaps


def require_list(value: object) -> list[Any]:
    """``value`` itself if it is a JSON array (a list); tuples and sets come only from arrays."""
    if type(value) is list:
        return value
    raise BadValue(c.EXPECTED_ARRAY, value)


def _is_str_map(t: Any) -> bool:
    """``Mapping[str, X]`` for an ``X`` other than JSON (those are frozen whole by ``freeze``)."""
    args = typing.get_args(t)
    return typing.get_origin(t) is Mapping and args[:1] == (str,) and not is_json(args[-1])


def _str_map(converter: cattrs.Converter) -> Callable[[Any], Callable[[object, Any], Any]]:
    def factory(t: Any) -> Callable[[object, Any], Any]:
        item_type = typing.get_args(t)[1]
        item = converter.get_structure_hook(item_type)

        def structure(value: object, _: Any = None) -> Any:
            if type(value) is not dict:
                raise BadValue(c.EXPECTED_OBJECT, value)
            if not converter.detailed_validation:
                return FrozenMap({_key(k): item(v, item_type) for k, v in value.items()})
            loaded, problems, gaps = {}, [], []
            for key, raw in value.items():
                try:
                    _key(key)
                    loaded[key] = item(raw, item_type)
                except Exception as exc:
                    where = key if type(key) is str and c.is_unicode(key) else repr(key)
                    problems += problems_of(exc, where)
                    gaps.append(where)
                    if _spend():
                        break
            if problems:
                raise Incomplete(problems, FrozenMap(loaded), gaps)
            return FrozenMap(loaded)

        return structure

    return factory


def _key(key: object) -> str:
    """A key of a ``Mapping[str, X]``: Unicode text, like every string the converter reads."""
    if type(key) is str and c.is_unicode(key):
        return key
    raise BadValue(c.NOT_UNICODE if type(key) is str else "object keys must be strings", key)


def _unstructure_str_map(converter: cattrs.Converter) -> Callable[[Any], Callable[[Any], Any]]:
    def factory(t: Any) -> Callable[[Any], Any]:
        item = converter.get_unstructure_hook(typing.get_args(t)[1])
        return lambda value: {k: item(v) for k, v in value.items()}

    return factory


def _capped(t: Any) -> Callable[[object], list[Any]]:
    """``require_list``, refusing more items than the element class's ``__max_items__``.

    Only the length is read: an over-long array costs its ``len``, not the reading of its items.
    """
    cap: c.MaxItems | None = getattr(typing.get_args(t)[0], c.MAX_ITEMS, None)
    if cap is None:
        return require_list

    def capped(value: object) -> list[Any]:
        items = require_list(value)
        if len(items) > cap.most:
            raise ValidationError([Problem("", cap.message(len(items)))])
        return items

    return capped


def _collection_factory(
    converter: cattrs.Converter,
) -> Callable[[Any], Callable[[object, type], Any]]:
    def factory(t: Any) -> Callable[[object, type], Any]:
        origin = typing.get_origin(t)
        if converter.detailed_validation:
            return _detailed_collection(converter, t, tuple if origin is tuple else frozenset)
        items = _capped(t)
        empty: tuple[()] | frozenset[Any]
        if origin is tuple:
            inner, empty = homogenous_tuple_structure_factory(t, converter), ()
        else:
            as_list = list_structure_factory(list[typing.get_args(t)[0]], converter)  # type: ignore[arg-type,misc]
            empty = frozenset()

            def inner(value: Any, _: Any) -> Any:
                return frozenset(as_list(value, _))

        def structure(value: object, _: type) -> Any:
            if value == [] and type(value) is list:  # most of a record's lists are empty
                return empty
            return inner(items(value), t)

        return structure

    return factory


def _detailed_collection(
    converter: cattrs.Converter, t: Any, make: Callable[[list[Any]], Any]
) -> Callable[[object, type], Any]:
    # every item is tried; the draft keeps the items' places (None where one has no draft)
    item_type = typing.get_args(t)[0]
    item = converter.get_structure_hook(item_type)
    items = _capped(t)

    def structure(value: object, _: type) -> Any:
        loaded: list[Any] = []
        problems: list[Problem] = []
        gaps: list[str] = []
        for i, raw in enumerate(items(value)):
            try:
                loaded.append(item(raw, item_type))
            except Exception as exc:
                found = problems_of(exc, f"[{i}]")
                problems += found
                draft = getattr(exc, "draft", None)
                loaded.append(draft)
                if draft is None:
                    gaps.append(f"[{i}]")
                else:
                    gaps += [p.path for p in found]
                    gaps += [join(f"[{i}]", gap) for gap in getattr(exc, "gaps", ())]
                if _spend():
                    break
        if problems:
            raise Incomplete(problems, make(loaded) if make is tuple else None, gaps)
        return make(loaded)

    return structure


def _is_collection(t: Any) -> bool:
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    if origin is tuple:
        return args[1:] == (Ellipsis,)  # tuple[X, ...]
    return origin is frozenset


def _is_frozenset(t: Any) -> bool:
    return t is frozenset or typing.get_origin(t) is frozenset


def optional_inner(t: Any) -> Any | None:
    """``X`` for ``X | None``, else ``None``."""
    args = typing.get_args(t)
    if is_union(t) and len(args) == 2 and type(None) in args:  # noqa: PLR2004 - X | None
        return args[0] if args[1] is type(None) else args[1]
    return None


def _optional_structure(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    # cattrs' own optional hook looks the inner hook up on every call; resolve it once
    def factory(t: Any) -> Callable[..., Any]:
        inner_type = optional_inner(t)
        inner = converter.get_structure_hook(inner_type)
        if inner is scalars.structure_str and inner_type is str:
            return _opt_str

        def structure(value: object, _: Any = None) -> Any:
            return None if value is None else inner(value, inner_type)

        return structure

    return factory


def _opt_str(value: object, _: Any = None) -> str | None:
    if value is None:
        return None
    if type(value) is str:
        return value  # its class checks it is Unicode text (see ``structure_str``)
    raise BadValue(c.EXPECTED_STRING_OR_NULL, value)


def _optional_unstructure(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    # an identity hook lets cattrs inline the attribute access in its generated code
    def factory(t: Any) -> Callable[..., Any]:
        inner = converter.get_unstructure_hook(optional_inner(t))
        if inner is identity:
            return identity

        def unstructure(value: Any) -> Any:
            return None if value is None else inner(value)

        return unstructure

    return factory


def _is_optional(t: Any) -> bool:
    return optional_inner(t) is not None


def object_structure(converter: cattrs.Converter, cls: Any, **overrides: Any) -> Any:
    """cattrs' generated structure function for the attrs class ``cls``, under ``converter``'s
    own settings (extra keys, detailed validation); ``overrides`` as ``make_dict_structure_fn``
    takes them."""
    return make_dict_structure_fn(
        cls,
        converter,
        _cattrs_forbid_extra_keys=converter.forbid_extra_keys,
        _cattrs_detailed_validation=converter.detailed_validation,
        **overrides,
    )


def _objects_only(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    # without this, a list where an object belongs fails deep inside cattrs with an AttributeError
    def factory(cls: Any) -> Callable[..., Any]:
        inner = object_structure(converter, cls)

        def structure(value: object, _: Any = None) -> Any:
            if not isinstance(value, dict):
                raise BadValue(c.EXPECTED_OBJECT, value)
            return inner(value, cls)

        return structure

    return factory


VALUE_TYPE = "__value_type__"
"""A class whose ``value`` (or ``values``, a map of them) is typed by its ``field`` has this
class method: ``field -> type`` (raising :class:`ValidationError` for an unknown field)."""


def _typed_by_field(t: Any) -> bool:
    return attrs.has(t) and hasattr(t, VALUE_TYPE)


def _typed_structure(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    # why: the type of a merge's set-aside or conflicting value depends on the field it came
    # from, which a static annotation cannot say; the class names it, the converter reads it
    def factory(cls: Any) -> Callable[..., Any]:
        inner = object_structure(converter, cls)

        def structure(value: object, _: Any = None) -> Any:
            if type(value) is not dict:
                raise BadValue(c.EXPECTED_OBJECT, value)
            data = dict(value)
            t = getattr(cls, VALUE_TYPE)(data.get("field"))
            if "value" in data:
                data["value"] = _typed(converter, data["value"], t, "value")
            if "values" in data:
                raw = data["values"]
                if type(raw) is not dict:
                    raise ValidationError([Problem("values", c.EXPECTED_OBJECT, raw)])
                data["values"] = {
                    k: _typed(converter, v, t, join("values", k)) for k, v in raw.items()
                }
            return inner(data, cls)

        return structure

    return factory


def _typed(converter: cattrs.Converter, value: object, t: Any, path: str) -> Any:
    try:
        return converter.structure(value, t)
    except Exception as exc:
        raise ValidationError(problems_of(exc, path) or [Problem(path, str(exc))]) from None


def _typed_unstructure(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    def factory(cls: Any) -> Callable[..., Any]:
        names = [a.name for a in attrs.fields(cls)]

        def unstructure(obj: Any) -> Any:
            t = getattr(cls, VALUE_TYPE)(obj.field)
            out: dict[str, Any] = {}
            for name in names:
                item = getattr(obj, name)
                if name == "value":
                    out[name] = converter.unstructure(item, t)
                elif name == "values":
                    out[name] = {k: converter.unstructure(v, t) for k, v in item.items()}
                else:
                    out[name] = converter.unstructure(item)
            return out

        return unstructure

    return factory


WRITTEN_AS = "__written_as__"
"""A class whose document is another class's (a spec) names that class in this attribute, and
converts with ``obj._to_document()`` and ``cls._from_document(document)``: a registry holds
compiled pipelines, and its document their specs."""


def _written_as(t: Any) -> bool:
    return isinstance(t, type) and hasattr(t, WRITTEN_AS)


def _written_as_structure(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    def factory(cls: Any) -> Callable[..., Any]:
        document = getattr(cls, WRITTEN_AS)
        return lambda value, _=None: cls._from_document(converter.structure(value, document))

    return factory


def _written_as_unstructure(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    def factory(cls: Any) -> Callable[..., Any]:
        return lambda obj: converter.unstructure(obj._to_document())

    return factory


def configure(converter: cattrs.Converter) -> cattrs.Converter:
    """Register leadmodel's strict hooks for values and containers on ``converter``."""
    scalars.configure(converter)
    converter.register_structure_hook_factory(_is_str_map, _str_map(converter))
    converter.register_unstructure_hook_factory(_is_str_map, _unstructure_str_map(converter))
    converter.register_structure_hook_factory(_is_collection, _collection_factory(converter))
    converter.register_unstructure_hook_func(_is_frozenset, sorted)
    converter.register_structure_hook_factory(_is_optional, _optional_structure(converter))
    if converter.detailed_validation:  # the fast path fails anyway and is re-run in detail
        converter.register_structure_hook_factory(attrs.has, _objects_only(converter))
    converter.register_unstructure_hook_factory(_is_optional, _optional_unstructure(converter))
    converter.register_structure_hook_factory(_typed_by_field, _typed_structure(converter))
    converter.register_unstructure_hook_factory(_typed_by_field, _typed_unstructure(converter))
    converter.register_structure_hook_factory(_written_as, _written_as_structure(converter))
    converter.register_unstructure_hook_factory(_written_as, _written_as_unstructure(converter))
    return converter


def problems_of(exc: BaseException, path: str = "") -> list[Problem]:  # noqa: PLR0911
    """Flatten a (possibly nested) structuring failure into problems with paths."""
    if isinstance(exc, ValidationError):
        return [p.within(path) for p in exc.problems]
    if isinstance(exc, BadValue):
        return [Problem(path, exc.message, exc.value)]
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return [
            Problem(join(path, str(key)), c.UNEXPECTED) for key in sorted(exc.extra_fields, key=str)
        ]
    if isinstance(exc, cattrs.ClassValidationError):
        found: list[Problem] = []
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            found += problems_of(sub, join(path, note.name))
        for sub in without:
            found += problems_of(sub, path)
        return found
    if isinstance(exc, cattrs.IterableValidationError):
        found = []
        with_index, without = exc.group_exceptions()
        for sub, inote in with_index:
            found += problems_of(sub, f"{path}[{inote.index}]")
        for sub in without:
            found += problems_of(sub, path)
        return found
    if isinstance(exc, KeyError):
        return [Problem(path, c.MISSING)]
    if isinstance(exc, BaseExceptionGroup):
        return [p for sub in exc.exceptions for p in problems_of(sub, path)]
    return [Problem(path, f"invalid value ({type(exc).__name__}: {exc})")]


def join(path: str, name: str) -> str:
    """``path.name`` (or ``name`` at the top); ``[i]`` segments attach without a dot."""
    if not path:
        return name
    return path + name if name.startswith("[") else f"{path}.{name}"
