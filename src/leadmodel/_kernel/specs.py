"""The converter's hooks for spec classes (declared in :mod:`leadmodel._kernel.shapes`).

Reading has two paths. The fast one builds the object with cattrs' generated code. When it
fails, the detailed one reads the document again field by field: every field that loads is
kept, the class's own checks run over what loaded (a field that did not load is a stand-in the
checks refuse at its own path, and cross-field checks skip), and every problem is reported with
its path in document terms, in field order. A draft of the parts that loaded goes up to the
object holding this one, so its checks run too: a status with a misspelt kind still counts when
a pipeline looks for duplicate keys. Writing gives the compact form; a value that cannot be
written (a Python callable where a condition belongs) is located and refused.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from enum import Enum
from functools import cache
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from leadmodel._kernel import checks as c
from leadmodel._kernel.frozen_json import nodes_within
from leadmodel._kernel.hooks import Incomplete, join, problems_of
from leadmodel._kernel.scalars import BadValue, is_union
from leadmodel._kernel.shapes import (
    Field,
    capped_fields,
    covered,
    declared_shape,
    document_path,
    document_total,
    fields_of,
    index_of,
    is_spec,
    item_type,
    tag_of,
)
from leadmodel.errors import Problem, ValidationError

# -- reading ---------------------------------------------------------------------------------


class _StandIn:
    """In place of a field that did not load: every check of its type refuses it (at a path
    that is a gap), and checks across fields, which read only well-typed values, skip it."""

    def __repr__(self) -> str:
        return "<not loaded>"


_STAND_IN = _StandIn()


@cache
def _names_by_key(cls: type) -> dict[str, str]:
    """The names of spec class ``cls``'s fields by their document keys (spread fields aside)."""
    return {f.key: f.name for f in fields_of(cls) if not f.flat}


def _split(
    cls: type, value: dict[str, Any], found: list[tuple[int, Problem]], *, forbid: bool
) -> dict[str, Any]:
    """The document's values by field name; a wrong tag, unexpected keys (when ``forbid``) and
    fields past a cap or a total are noted in ``found`` (such a field's value is a stand-in)."""
    shape = declared_shape(cls)
    doc = shape.load(value) if shape.load is not None else value
    tag = shape.tag
    if tag is not None and tag.key in doc and doc[tag.key] != tag.value:
        found.append((-1, Problem(tag.key, c.one_of([tag.value]), doc[tag.key])))
    names = _names_by_key(cls)
    raw: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for key, item in doc.items():
        if key in names:
            raw[names[key]] = item
        elif tag is not None and key == tag.key:
            continue
        elif shape.flatten is not None:
            rest[key] = item
        elif forbid:
            found.append((-1, Problem(key, c.UNEXPECTED)))
    if rest:
        raw[shape.flatten] = rest  # type: ignore[index]
    capped = capped_fields(cls)
    if capped:
        _refuse_past_caps(capped, raw, found)
    return raw


def _refuse_past_caps(
    capped: tuple[tuple[int, Field], ...], raw: dict[str, Any], found: list[tuple[int, Problem]]
) -> None:
    """Note in ``found`` the fields of ``raw`` past a cap or a total, and make each a stand-in.

    Refused by lengths alone, before an item is read (the cost the caps bound), and a JSON tree
    with a cap on its values (``checks.MAX_NODES``) by counting them, stopping past the cap,
    before it is frozen; the class's own checks say the same words (``checks.max_items``,
    ``checks.max_totals``, ``frozen_json.nodes_within``) when it is built in code.
    """
    for i, field in capped:
        item, cap = raw.get(field.name), field.cap
        if cap is not None and isinstance(item, list | dict) and len(item) > cap.most:
            found.append((i, Problem(field.key, cap.message(len(item)))))
            raw[field.name] = _STAND_IN
            continue
        if field.nodes is not None and type(item) is dict:  # a JSON tree: counted, not frozen
            count = nodes_within(item, field.nodes.most)
            if count > field.nodes.most:
                found.append((i, Problem(field.key, field.nodes.message(count))))
                raw[field.name] = _STAND_IN
            continue
        if type(item) is not list:
            continue
        for total in field.totals:
            count = document_total(field, item, total)
            if count > total.most:
                found.append((i, Problem(field.key, total.message(count))))
                raw[field.name] = _STAND_IN


def _fast_structure(converter: cattrs.Converter) -> Callable[[Any], Callable[[object, Any], Any]]:
    def factory(cls: Any) -> Callable[[object, Any], Any]:
        inner = make_dict_structure_fn(
            cls,
            converter,
            _cattrs_forbid_extra_keys=False,  # _split has sorted every key already
            _cattrs_detailed_validation=False,
        )
        forbid = converter.forbid_extra_keys

        def structure(value: object, _: Any = None) -> Any:
            if type(value) is not dict:
                raise BadValue(c.EXPECTED_OBJECT, value)
            found: list[tuple[int, Problem]] = []
            raw = _split(cls, value, found, forbid=forbid)
            if found:
                raise ValidationError([p for _, p in found])
            return inner(raw, cls)

        return structure

    return factory


def _detailed_structure(
    converter: cattrs.Converter,
) -> Callable[[Any], Callable[[object, Any], Any]]:
    def factory(cls: Any) -> Callable[[object, Any], Any]:
        def structure(value: object, _: Any = None) -> Any:
            if type(value) is not dict:
                raise BadValue(c.EXPECTED_OBJECT, value)
            return _read_in_detail(converter, cls, value)

        return structure

    return factory


def _read_in_detail(converter: cattrs.Converter, cls: type, value: dict[str, Any]) -> Any:
    found: list[tuple[int, Problem]] = []
    raw = _split(cls, value, found, forbid=converter.forbid_extra_keys)
    values: dict[str, Any] = {}
    stand_ins: list[str] = []  # fields that did not load and have no draft
    gaps: list[str] = []
    for i, field in enumerate(fields_of(cls)):
        if raw.get(field.name) is _STAND_IN:  # over its cap: refused in _split, not read
            gaps.append(field.key)
            stand_ins.append(field.name)
            continue
        if field.name not in raw:
            if field.required:
                hint = declared_shape(cls).hints.get(field.key)
                found.append((i, Problem(field.key, f"{c.MISSING}; {hint}" if hint else c.MISSING)))
                gaps.append(field.key)
                stand_ins.append(field.name)
            continue
        try:
            values[field.name] = converter.structure(raw[field.name], field.type)
        except Exception as exc:
            where = "" if field.flat else field.key
            problems = problems_of(exc, where)
            found += [(i, p) for p in problems]
            gaps += [p.path for p in problems]
            draft = getattr(exc, "draft", None)
            if draft is None:
                gaps.append(field.key)
                stand_ins.append(field.name)
            else:
                values[field.name] = draft
                gaps += [join(where, gap) for gap in getattr(exc, "gaps", ())]
    checked = _checks(cls, values, stand_ins)
    obj = _draft(cls, values)
    for problem in checked:
        path = document_path(cls, problem.path)
        if not covered(path, gaps):
            found.append((index_of(cls, path), Problem(path, problem.message, problem.value)))
    if not found:
        return obj
    found.sort(key=lambda item: item[0])  # stable: within a field, loading before checking
    raise Incomplete([p for _, p in found], obj, gaps)


def _checks(cls: type, values: dict[str, Any], stand_ins: list[str]) -> list[Problem]:
    """The problems the class's own checks find in ``values``."""
    try:
        cls(**values, **dict.fromkeys(stand_ins, _STAND_IN))
    except ValidationError as exc:
        return list(exc.problems)
    except Exception:  # a check that trips over a stand-in reports nothing
        return []
    return []


def _draft(cls: type, values: dict[str, Any]) -> Any:
    """The object made of ``values`` (fields missing from it at their default, or ``None``),
    for the checks of the object that holds it; unchecked when the class refuses it."""
    given = {f.name: None for f in fields_of(cls) if f.required} | values
    try:
        return cls(**given)
    except Exception:
        return _unchecked(cls, given)


def _unchecked(cls: type, values: dict[str, Any]) -> Any:
    # a draft for the checks of the object that holds it; it never leaves this module's callers
    obj: Any = object.__new__(cls)
    later = []
    for a in attrs.fields(cls):
        if a.name in values:
            object.__setattr__(obj, a.name, values[a.name])
        elif isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            if a.default.takes_self:
                later.append(a)
            else:
                object.__setattr__(obj, a.name, a.default.factory())
        else:
            object.__setattr__(obj, a.name, a.default)
    for a in later:
        object.__setattr__(obj, a.name, a.default.factory(obj))
    return obj


# -- unions of spec classes --------------------------------------------------------------------


def _members(t: Any) -> list[type]:
    return [a for a in typing.get_args(t) if is_spec(a)]


def _is_spec_union(t: Any) -> bool:
    args = typing.get_args(t)
    return (
        is_union(t)
        and type(None) not in args
        and any(declared_shape(m).tag is not None for m in _members(t))
    )


def _union_structure(converter: cattrs.Converter) -> Callable[[Any], Callable[[object, Any], Any]]:
    def factory(t: Any) -> Callable[[object, Any], Any]:
        members = [m for m in _members(t) if declared_shape(m).tag is not None]
        tags = {m: tag_of(m) for m in members}
        key = next(iter(tags.values())).key
        by_value = {tag.value: m for m, tag in tags.items()}
        default = next((m for m, tag in tags.items() if tag.default), None)

        def structure(value: object, _: Any = None) -> Any:
            if type(value) is not dict:
                raise BadValue(c.EXPECTED_OBJECT, value)
            name = value.get(key, attrs.NOTHING)
            if name is attrs.NOTHING and default is None:
                raise ValidationError([Problem(key, f"{c.MISSING}; {c.one_of(by_value)}")])
            member = default if name is attrs.NOTHING else _lookup(by_value, name)
            if member is None:
                raise ValidationError([Problem(key, c.one_of(by_value), name)])
            hook = converter.get_structure_hook(member)
            if not converter.detailed_validation:
                return hook(value, member)
            try:
                return hook(value, member)
            except Incomplete as exc:
                problems = _belongs(exc.problems, member, members)
                raise Incomplete(problems, exc.draft, exc.gaps) from None
            except ValidationError as exc:
                raise ValidationError(_belongs(exc.problems, member, members)) from None

        return structure

    return factory


def _lookup(by_value: dict[str, type], name: object) -> type | None:
    return by_value.get(name) if isinstance(name, str) else None


def _belongs(problems: tuple[Problem, ...], chosen: type, members: list[type]) -> list[Problem]:
    """Say where a key that is unexpected here belongs: ``k belongs to rule = 'at_least'``."""
    out = []
    for problem in problems:
        owner = next((m for m in members if m is not chosen and problem.path in _keys(m)), None)
        if problem.message != c.UNEXPECTED or owner is None:
            out.append(problem)
            continue
        mine, theirs = tag_of(chosen), tag_of(owner)
        message = (
            f"{problem.path} belongs to {theirs.key} = {theirs.value!r}, "
            f"not to {mine.key} = {mine.value!r}"
        )
        out.append(Problem(problem.path, message))
    return out


def _keys(cls: type) -> set[str]:
    return {f.key for f in fields_of(cls)}


def _union_unstructure(
    converter: cattrs.Converter,
) -> Callable[[Any], Callable[[Any], Any]]:
    def factory(t: Any) -> Callable[[Any], Any]:
        members = tuple(_members(t))
        *others, last = (m.__name__ for m in members)
        names = f"{', '.join(others)} or {last}" if others else last

        def unstructure(value: Any) -> Any:
            if type(value) in members:
                return converter.get_unstructure_hook(type(value))(value)
            if callable(value):
                message = f"{c.CODE_NOT_DATA}; use {names}"
            else:
                message = f"a {type(value).__name__} cannot be dumped; use {names}"
            raise ValidationError([Problem("", message, value)])

        return unstructure

    return factory


# -- writing ---------------------------------------------------------------------------------


def _unstructure(converter: cattrs.Converter) -> Callable[[Any], Callable[[Any], Any]]:
    def factory(cls: Any) -> Callable[[Any], Any]:
        shape = declared_shape(cls)
        renames = {f.name: override(rename=f.key) for f in fields_of(cls) if f.key != f.name}
        inner = make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True, **renames)  # type: ignore[arg-type]

        fields = fields_of(cls)

        def unstructure(obj: Any) -> Any:
            try:
                written = inner(obj)
            except ValidationError:
                raise ValidationError(_locate(converter, obj)) from None
            doc = {shape.tag.key: shape.tag.value} if shape.tag is not None else {}
            for field in fields:  # in field order, enums by value
                if field.key not in written:
                    continue
                if field.flat:
                    doc.update(written[field.key])
                else:
                    doc[field.key] = _plain(written[field.key])
            return shape.dump(doc) if shape.dump is not None else doc

        return unstructure

    return factory


def _plain(value: Any) -> Any:
    # str-based enums pass through cattrs as themselves; a spec document holds their values
    if isinstance(value, Enum):
        return value.value
    if type(value) is list:
        return [_plain(item) for item in value]
    return value


def _locate(converter: cattrs.Converter, obj: Any) -> list[Problem]:
    """Where in ``obj`` the value that cannot be written is (the detailed path of writing)."""
    found: list[Problem] = []
    cls: Any = type(obj)
    for field in fields_of(cls):
        value = getattr(obj, field.name)
        items = enumerate(value) if type(value) is tuple else [(None, value)]
        as_type = item_type(field.type) if type(value) is tuple else field.type
        for i, item in items:
            try:
                converter.unstructure(item, unstructure_as=as_type)
            except ValidationError as exc:
                where = field.name if i is None else f"{field.name}[{i}]"
                prefix = "" if field.flat else document_path(type(obj), where)
                found += [p.within(prefix) for p in exc.problems]
    return found


def configure(converter: cattrs.Converter) -> cattrs.Converter:
    """Register the hooks of spec classes and their unions on ``converter`` and return it."""
    converter.register_unstructure_hook_factory(is_spec, _unstructure(converter))
    if converter.detailed_validation:
        converter.register_structure_hook_factory(is_spec, _detailed_structure(converter))
    else:
        converter.register_structure_hook_factory(is_spec, _fast_structure(converter))
    converter.register_structure_hook_factory(_is_spec_union, _union_structure(converter))
    converter.register_unstructure_hook_factory(_is_spec_union, _union_unstructure(converter))
    return converter
