"""What a merge keeps on its survivor: conflicts, values set aside, provenance, who and when.

Each value here is typed by the field it came from (``owner`` is a string, ``source`` a
:class:`~leadmodel.Source`, ``history`` a tuple of :class:`~leadmodel.StatusChange`), checked on
construction and read back as that type by the converter, so a stored merge round-trips.

>>> from datetime import datetime, timezone
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> record = MergeRecord(at=at, by="anna", absorbed_ids=("L-2",),
...     conflicts=(Conflict(field="owner", values={"L-1": "anna", "L-2": "boris"}),))
>>> record.conflicts[0].values["L-2"], record.status_from
('boris', None)
>>> Conflict(field="owner", values={"L-1": 5})
Traceback (most recent call last):
...
leadmodel.errors.ValidationError: Conflict.values.L-1: a value of 'owner' is a str; got 5
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.model.activities import Activity
from leadmodel.domain.model.records import ConversionLinks, LossInfo, StatusChange
from leadmodel.domain.model.stages import LifecycleStage, StageChange
from leadmodel.domain.values.contact import ContactPoint
from leadmodel.domain.values.custom_json import JSON, FrozenMap, freeze
from leadmodel.domain.values.money import Money
from leadmodel.domain.values.source import Source
from leadmodel.errors import Problem, ValidationError

__all__ = ["Conflict", "MergeRecord", "SetAside"]

_CONFLICT_TYPES: Mapping[str, Any] = {
    **dict.fromkeys(
        ("person_name", "name", "topic", "company_name", "company_id", "owner", "time_zone",
         "customer_id", "previous_lead_id", "role"),
        str,
    ),
    "source": Source,
    "lifecycle": LifecycleStage,
    "expected_value": Money,
    "score": float,
    "converted": ConversionLinks,
    "consent": bool,
}  # fmt: skip
_SET_ASIDE_TYPES: Mapping[str, Any] = {
    "history": tuple[StatusChange, ...],
    "stages": tuple[StageChange, ...],
    "lost": LossInfo,
    "converted": ConversionLinks,
    "previous_lead_id": str,
    "erased_at": datetime,
    "activities": tuple[Activity, ...],
}
_TUPLES = tuple(_SET_ASIDE_TYPES[field] for field in ("history", "stages", "activities"))


def _unknown(model: str, field: object, known: str) -> ValidationError:
    problem = Problem("field", f"{model} keeps {known}", field)
    return ValidationError([problem], model=model)


def _conflict_type(field: object) -> Any:
    if type(field) is str:
        if field.startswith("custom."):
            return JSON
        if field.startswith("contact_points["):
            return ContactPoint
        if field in _CONFLICT_TYPES:
            return _CONFLICT_TYPES[field]
    known = f"one of {', '.join(sorted(_CONFLICT_TYPES))}, contact_points[i] or custom.<key>"
    raise _unknown("Conflict", field, known)


def _set_aside_type(field: object) -> Any:
    if type(field) is str and field in _SET_ASIDE_TYPES:
        return _SET_ASIDE_TYPES[field]
    raise _unknown("SetAside", field, f"one of {', '.join(sorted(_SET_ASIDE_TYPES))}")


def _typed(p: c.Problems, path: str, field: str, value: object, t: Any) -> object:
    """``value`` if it is a ``t`` (JSON deep-frozen); else a problem, and ``value``."""
    if t is JSON:
        try:
            return freeze({"v": value})["v"]
        except ValidationError as exc:
            p.extend(q.within(path) for q in exc.problems)
            return value
    item = t.__args__[0] if t in _TUPLES else None
    if item is not None:
        ok = type(value) is tuple and all(type(v) is item for v in value)
        name = f"a tuple of {item.__name__}"
    else:
        ok = type(value) is t or (t is float and type(value) is int)
        ok = ok or (t is not bool and t is not float and isinstance(value, t))
        name = f"a {t.__name__}"
    if not ok:
        p.append(Problem(path, f"a value of {field!r} is {name}", value))
    else:
        c.unicode(p, path, value)  # a text value (an owner, a name) is Unicode text
    return value


@attrs.frozen(kw_only=True)
class Conflict:
    """Records that disagree on ``field``: each differing value, by the id of its record.

    The survivor keeps the value of the first record in merge order that has one. ``field``
    is a field of the record (``owner``, ``source``...), ``custom.<key>``, or
    ``contact_points[i]`` for the survivor's i-th contact point when another record wrote the
    same point otherwise (its spelling or label).
    """

    field: str
    values: Mapping[str, Any]

    @classmethod
    def __value_type__(cls, field: object) -> Any:
        """The type of this conflict's values: that of ``field``."""
        return _conflict_type(field)

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.unicode(p, "field", self.field)
        t = _conflict_type(self.field)
        if not isinstance(self.values, Mapping):
            p.append(Problem("values", "expected a mapping of record id to value", self.values))
        else:
            frozen = {}
            for rid, value in self.values.items():
                c.text(p, "values", rid, "a record id")
                frozen[rid] = _typed(p, f"values.{rid}", self.field, value, t)
            object.__setattr__(self, "values", FrozenMap(frozen))
        if p:
            c.fail("Conflict", p)


@attrs.frozen(kw_only=True)
class SetAside:
    """A value of an absorbed record that the survivor cannot hold, kept here whole.

    ``field`` is ``history`` (a status history that would not end in the survivor's status,
    or entries equal to ones the survivor holds, which collapse into one), ``activities``
    (activities equal to ones the survivor holds, kept once, or holding an ``id`` it holds
    for another activity), ``stages``
    (another record's lifecycle history: the survivor keeps the primary's), ``converted``,
    ``lost``, ``previous_lead_id`` or ``erased_at`` (an absorbed record had been erased);
    ``source_id`` is the record it came from.
    """

    source_id: str
    field: str
    value: Any

    @classmethod
    def __value_type__(cls, field: object) -> Any:
        """The type of the value set aside: that of ``field``."""
        return _set_aside_type(field)

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "source_id", self.source_id, "the id of the record it came from")
        c.unicode(p, "field", self.field)
        _typed(p, "value", self.field, self.value, _set_aside_type(self.field))
        if p:
            c.fail("SetAside", p)


@attrs.frozen(kw_only=True)
class MergeRecord:
    """One merge a survivor went through: what it absorbed, and what it could not hold.

    ``absorbed_ids``: the records merged into it (removed from storage); ``status_from``: the
    record whose status the survivor took; ``conflicts``, ``set_aside`` and ``provenance``
    as in :class:`~leadmodel.Merged`; ``at`` and ``by``: when and by whom.
    """

    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None
    absorbed_ids: tuple[str, ...] = ()
    status_from: str | None = None
    conflicts: tuple[Conflict, ...] = ()
    set_aside: tuple[SetAside, ...] = ()
    provenance: Mapping[str, str] = attrs.field(factory=lambda: FrozenMap({}))

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.aware(p, "at", self.at)
        c.opt_text(p, "by", self.by, "who merged them")
        c.texts(p, "absorbed_ids", self.absorbed_ids, "an absorbed record's id")
        c.opt_text(p, "status_from", self.status_from, "the id of the record")
        c.tuple_of(p, "conflicts", self.conflicts, Conflict)
        c.tuple_of(p, "set_aside", self.set_aside, SetAside)
        if not isinstance(self.provenance, Mapping) or not all(
            type(k) is str and type(v) is str for k, v in self.provenance.items()
        ):
            p.append(Problem("provenance", "expected a mapping of text to record id"))
        else:
            for name, source in self.provenance.items():
                c.unicode(p, "provenance", name)
                c.unicode(p, f"provenance.{name}", source)
            if type(self.provenance) is not FrozenMap:
                object.__setattr__(self, "provenance", FrozenMap(dict(self.provenance)))
        if p:
            c.fail("MergeRecord", p)
