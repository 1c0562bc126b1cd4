"""Pipeline specifications as data: statuses, their kinds, requirements, actions, policies.

A spec is read from a plain dict (the same shape as TOML or JSON), checked for every problem
at once, and written back with :func:`spec_to_dict`. The compiled, usable form is
:class:`~leadmodel.domain.pipeline.machine.Pipeline`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import attrs

from leadmodel.domain.values.custom_json import EMPTY, JSON, FrozenMap, freeze
from leadmodel.errors import Problem, ValidationError

__all__ = [
    "ACTION_PARAMS",
    "ActionSpec",
    "PipelineSpec",
    "Policy",
    "Requirements",
    "StatusKind",
    "StatusSpec",
    "Transition",
]


class StatusKind(StrEnum):
    """Open statuses are columns a card moves through; won and lost end the funnel."""

    open = "open"
    won = "won"
    lost = "lost"


class Policy(StrEnum):
    """Which moves between open statuses a pipeline allows (plus its explicit transitions).

    ``forward_only``: to any later open status. ``adjacent``: to the next or previous open
    status. ``any``: to any other open status. ``explicit``: only the listed transitions.
    """

    forward_only = "forward_only"
    adjacent = "adjacent"
    any = "any"
    explicit = "explicit"


ACTION_PARAMS: Mapping[str, tuple[frozenset[str], frozenset[str]]] = {
    # action: (required parameters, optional parameters)
    "send_email": (frozenset({"template"}), frozenset({"to", "subject", "delay_minutes"})),
    "send_message": (frozenset({"template"}), frozenset({"channel", "delay_minutes"})),
    "schedule_call": (frozenset({"in_minutes"}), frozenset({"assignee", "note"})),
    "create_task": (frozenset({"title"}), frozenset({"assignee", "due_in_minutes", "note"})),
    "webhook": (frozenset({"url"}), frozenset({"method", "payload"})),
    "custom": (frozenset({"name"}), frozenset()),
}
"""The actions ``on_enter`` may name, with their required and optional parameters.

``custom`` takes any further parameters; the host app decides what a custom action does.
"""

MESSAGING_ACTIONS = frozenset({"send_email", "send_message", "schedule_call"})
"""Actions that contact the person (never reported for a do-not-contact lead)."""


@attrs.frozen(kw_only=True)
class ActionSpec:
    """A follow-up that entering a status triggers; the library reports it, the host performs it."""

    action: str
    params: Mapping[str, JSON] = EMPTY

    @property
    def contacts_person(self) -> bool:
        """Whether performing the action reaches out to the person (email, message, call)."""
        return self.action in MESSAGING_ACTIONS


@attrs.frozen(kw_only=True)
class Requirements:
    """What must hold before a lead may enter a status.

    ``fields``: lead fields that must be set (``expected_value``, ``owner``, ``custom.budget``);
    ``framework``: a qualification framework whose latest assessment must be qualified;
    ``guards``: names of checks the host app registers on :class:`Guards`.
    """

    fields: tuple[str, ...] = ()
    framework: str | None = None
    guards: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.fields or self.framework or self.guards)


@attrs.frozen(kw_only=True)
class StatusSpec:
    """One column of the funnel."""

    key: str
    label: str
    kind: StatusKind = StatusKind.open
    requires: Requirements = Requirements()
    lost_reasons: tuple[str, ...] = ()
    on_enter: tuple[ActionSpec, ...] = ()


@attrs.frozen(kw_only=True)
class Transition:
    """An explicit allowed move, added to what the policy allows."""

    source: str
    target: str


@attrs.frozen(kw_only=True)
class PipelineSpec:
    """A whole funnel: its statuses in order, the move policy and the explicit transitions.

    ``entity`` is what the business calls its cards ("Заявки", "Requests", "Deals").
    ``close_from_any``: moves to won and lost statuses are allowed from every open status.
    ``allow_reopen``: a lost card may move back to an open status. ``reopen_won``: a won card
    may too (won is final otherwise).
    """

    key: str
    label: str
    statuses: tuple[StatusSpec, ...]
    entity: str | None = None
    policy: Policy = Policy.forward_only
    allow_reopen: bool = True
    reopen_won: bool = False
    close_from_any: bool = True
    transitions: tuple[Transition, ...] = ()


def _str_problem(value: object) -> str | None:
    if type(value) is not str:
        return "expected a string"
    if not value.strip():
        return "must not be blank"
    return None


class SpecReader:
    """Reads a spec dict, collecting every problem with its path instead of stopping at one."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str, value: object = None, *, show: bool = True) -> None:
        if show:
            self.problems.append(Problem(path, message, value))
        else:
            self.problems.append(Problem(path, message))

    def table(self, data: object, path: str, allowed: frozenset[str]) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            self.problem(path, "expected a table (mapping)", data)
            return {}
        for key in data:
            if key not in allowed:
                names = ", ".join(sorted(allowed))
                self.problem(
                    _join(path, str(key)), f"unknown key; expected one of: {names}", show=False
                )
        return dict(data)

    def text(
        self, data: Mapping[str, Any], path: str, key: str, *, default: str | None = None
    ) -> str:
        value = data.get(key, default)
        if value is None:
            self.problem(_join(path, key), "required", show=False)
            return ""
        why = _str_problem(value)
        if why:
            self.problem(_join(path, key), why, value)
            return ""
        return str(value)

    def opt_text(self, data: Mapping[str, Any], path: str, key: str) -> str | None:
        if data.get(key) is None:
            return None
        return self.text(data, path, key)

    def texts(self, data: Mapping[str, Any], path: str, key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        where = _join(path, key)
        if not isinstance(value, list | tuple):
            self.problem(where, "expected a list of strings", value)
            return ()
        out = []
        for i, item in enumerate(value):
            why = _str_problem(item)
            if why:
                self.problem(f"{where}[{i}]", why, item)
            else:
                out.append(item)
        if len(set(out)) != len(out):
            self.problem(where, "lists each value once", value)
        return tuple(out)

    def flag(self, data: Mapping[str, Any], path: str, key: str, default: bool) -> bool:
        value = data.get(key, default)
        if type(value) is not bool:
            self.problem(_join(path, key), "expected true or false", value)
            return default
        return value

    def choice(
        self, data: Mapping[str, Any], path: str, key: str, enum: type[StrEnum], default: StrEnum
    ) -> Any:
        value = data.get(key, default.value)
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            self.problem(_join(path, key), f"expected one of: {allowed}", value)
            return default

    def items(self, data: Mapping[str, Any], path: str, key: str) -> list[tuple[str, Any]]:
        value = data.get(key, [])
        where = _join(path, key)
        if not isinstance(value, list | tuple):
            self.problem(where, "expected a list (an array of tables in TOML: [[...]])", value)
            return []
        return [(f"{where}[{i}]", item) for i, item in enumerate(value)]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


_PIPELINE_KEYS = frozenset(
    {
        "key",
        "label",
        "entity",
        "policy",
        "allow_reopen",
        "reopen_won",
        "close_from_any",
        "statuses",
        "transitions",
    }
)
_STATUS_KEYS = frozenset({"key", "label", "kind", "requires", "lost_reasons", "on_enter"})
_REQUIRES_KEYS = frozenset({"fields", "framework", "guards"})


def read_spec(data: object, reader: SpecReader) -> PipelineSpec:
    """Read a spec dict into a :class:`PipelineSpec`; problems go to ``reader.problems``."""
    top = reader.table(data, "", _PIPELINE_KEYS)
    key = reader.text(top, "", "key")
    statuses = tuple(
        _read_status(item, path, reader) for path, item in reader.items(top, "", "statuses")
    )
    if "statuses" in top and not statuses:
        reader.problem("statuses", "a pipeline needs at least one status", show=False)
    elif "statuses" not in top:
        reader.problem("statuses", "required: list the statuses in funnel order", show=False)
    return PipelineSpec(
        key=key or "?",
        label=reader.text(top, "", "label", default=key or "?"),
        entity=reader.opt_text(top, "", "entity"),
        policy=reader.choice(top, "", "policy", Policy, Policy.forward_only),
        allow_reopen=reader.flag(top, "", "allow_reopen", True),
        reopen_won=reader.flag(top, "", "reopen_won", False),
        close_from_any=reader.flag(top, "", "close_from_any", True),
        statuses=statuses,
        transitions=tuple(
            _read_transition(item, path, reader)
            for path, item in reader.items(top, "", "transitions")
        ),
    )


def _read_status(data: object, path: str, reader: SpecReader) -> StatusSpec:
    table = reader.table(data, path, _STATUS_KEYS)
    key = reader.text(table, path, "key")
    kind = reader.choice(table, path, "kind", StatusKind, StatusKind.open)
    requires = Requirements()
    if "requires" in table:
        req = reader.table(table["requires"], f"{path}.requires", _REQUIRES_KEYS)
        requires = Requirements(
            fields=reader.texts(req, f"{path}.requires", "fields"),
            framework=reader.opt_text(req, f"{path}.requires", "framework"),
            guards=reader.texts(req, f"{path}.requires", "guards"),
        )
    return StatusSpec(
        key=key or "?",
        label=reader.text(table, path, "label", default=key or "?"),
        kind=kind,
        requires=requires,
        lost_reasons=reader.texts(table, path, "lost_reasons"),
        on_enter=tuple(
            _read_action(item, item_path, reader)
            for item_path, item in reader.items(table, path, "on_enter")
        ),
    )


def _read_action(data: object, path: str, reader: SpecReader) -> ActionSpec:
    if not isinstance(data, Mapping):
        reader.problem(
            path, 'expected a table such as { action = "send_email", template = "hi" }', data
        )
        return ActionSpec(action="?")
    action = reader.text(data, path, "action")
    params = {k: v for k, v in data.items() if k != "action"}
    if action and action not in ACTION_PARAMS:
        names = ", ".join(ACTION_PARAMS)
        reader.problem(f"{path}.action", f"unknown action; expected one of: {names}", action)
    elif action:
        required, optional = ACTION_PARAMS[action]
        for name in sorted(required - params.keys()):
            reader.problem(f"{path}.{name}", f"{action} needs the parameter {name!r}", show=False)
        if action != "custom":
            for name in sorted(params.keys() - required - optional):
                allowed = ", ".join(sorted(required | optional))
                reader.problem(f"{path}.{name}", f"{action} takes only: {allowed}", show=False)
    for where in _null_paths(params, path):
        reader.problem(
            where, "null is not a parameter value (TOML has none): leave it out", show=False
        )
    try:
        frozen: FrozenMap[JSON] = freeze(params)
    except ValidationError as exc:
        reader.problems.extend(p.within(path) for p in exc.errors)
        frozen = FrozenMap()
    return ActionSpec(action=action or "?", params=frozen)


def _null_paths(value: object, path: str) -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in _null_paths(v, f"{path}.{k}")]
    if isinstance(value, list | tuple):
        return [p for i, v in enumerate(value) for p in _null_paths(v, f"{path}[{i}]")]
    return []


def _read_transition(data: object, path: str, reader: SpecReader) -> Transition:
    table = reader.table(data, path, frozenset({"from", "to"}))
    return Transition(
        source=reader.text(table, path, "from"), target=reader.text(table, path, "to")
    )


def spec_to_dict(spec: PipelineSpec) -> dict[str, Any]:
    """The spec as a plain dict in the load format; settings left at their default are omitted."""
    out: dict[str, Any] = {"key": spec.key, "label": spec.label}
    if spec.entity is not None:
        out["entity"] = spec.entity
    defaults = PipelineSpec(key="", label="", statuses=())
    for name in ("policy", "allow_reopen", "reopen_won", "close_from_any"):
        value = getattr(spec, name)
        if value != getattr(defaults, name):
            out[name] = value.value if isinstance(value, StrEnum) else value
    out["statuses"] = [_status_to_dict(s) for s in spec.statuses]
    if spec.transitions:
        out["transitions"] = [{"from": t.source, "to": t.target} for t in spec.transitions]
    return out


def _status_to_dict(status: StatusSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"key": status.key, "label": status.label}
    if status.kind is not StatusKind.open:
        out["kind"] = status.kind.value
    req = status.requires
    if req:
        requires: dict[str, Any] = {}
        if req.fields:
            requires["fields"] = list(req.fields)
        if req.framework is not None:
            requires["framework"] = req.framework
        if req.guards:
            requires["guards"] = list(req.guards)
        out["requires"] = requires
    if status.lost_reasons:
        out["lost_reasons"] = list(status.lost_reasons)
    if status.on_enter:
        out["on_enter"] = [{"action": a.action, **_thaw_params(a.params)} for a in status.on_enter]
    return out


def _thaw_params(params: Mapping[str, JSON]) -> dict[str, Any]:
    from leadmodel.domain.values.custom_json import thaw

    return {k: thaw(v) for k, v in params.items()}
