"""Fields that hold code (a function) rather than data, and how documents treat them.

Such a field is for ad-hoc use in a running program. A domain class marks it with
:data:`NOT_DATA` in the field's attrs metadata, saying how to write the same thing as data.
Documents (:mod:`leadmodel._kernel.documents`) leave the field out: dumping an object in which
it is set is refused with that hint — it would load back without the function and behave
differently — and a document that holds the field is refused as having an unexpected field.

>>> import attrs
>>> @attrs.frozen(kw_only=True)
... class Rule:
...     name: str
...     check: object = attrs.field(default=None, metadata={NOT_DATA: "name a check"})
>>> print(refusals(Rule(name="vip", check=len))[0].message)
Rule.check holds a function, which is code, not data, so it cannot be dumped; name a check
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

from leadmodel._kernel import checks as c
from leadmodel._kernel.hooks import object_structure
from leadmodel.errors import Problem, ValidationError

__all__ = ["NOT_DATA", "configure", "refusals"]

NOT_DATA = "leadmodel.not_data"
"""The attrs metadata key of a field that holds code; its value tells how to say it as data.

Use it as ``attrs.field(default=None, metadata={NOT_DATA: "build the field from ... instead"})``.
"""

_NOT_DUMPED = c.CODE_NOT_DATA


def _code_fields(cls: Any) -> list[attrs.Attribute[Any]]:
    return [a for a in attrs.fields(cls) if NOT_DATA in a.metadata]


def holds_code(t: Any) -> bool:
    """``t`` is an attrs class with a field marked :data:`NOT_DATA`."""
    return attrs.has(t) and bool(_code_fields(t))


def refusals(obj: Any) -> list[Problem]:
    """A problem for each field of ``obj`` that holds code and is set (not ``None``).

    The problem names the class and the field in its message: its path in the document being
    written is not known here.
    """
    name = type(obj).__name__
    return [
        Problem("", f"{name}.{a.name} {_NOT_DUMPED}; {a.metadata[NOT_DATA]}", getattr(obj, a.name))
        for a in _code_fields(type(obj))
        if getattr(obj, a.name) is not None
    ]


def _left_out(cls: Any) -> dict[str, Any]:
    return {a.name: override(omit=True) for a in _code_fields(cls)}


def _unstructure(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    def factory(cls: Any) -> Callable[..., Any]:
        inner = make_dict_unstructure_fn(cls, converter, **_left_out(cls))

        def unstructure(obj: Any) -> Any:
            if problems := refusals(obj):
                raise ValidationError(problems, model=cls.__name__)
            return inner(obj)

        return unstructure

    return factory


def _structure(converter: cattrs.Converter) -> Callable[[Any], Callable[..., Any]]:
    def factory(cls: Any) -> Callable[..., Any]:
        inner = object_structure(converter, cls, **_left_out(cls))

        def structure(value: object, _: Any = None) -> Any:
            if not isinstance(value, dict):
                raise ValidationError([Problem("", c.EXPECTED_OBJECT, value)])
            return inner(value, cls)

        return structure

    return factory


def configure(converter: cattrs.Converter) -> cattrs.Converter:
    """Register the hooks for classes that hold code on ``converter`` and return it.

    Call it after the hooks for attrs classes in general, so that these take precedence.
    """
    converter.register_structure_hook_factory(holds_code, _structure(converter))
    converter.register_unstructure_hook_factory(holds_code, _unstructure(converter))
    return converter
