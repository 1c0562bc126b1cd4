"""Pipeline specifications as data: statuses, their kinds, requirements, actions, policies.

Each class is a spec: it validates itself on construction (a whole :class:`PipelineSpec` also
checks that every status can be reached and can end), and the one converter reads and writes
it, so ``spec.to_dict() == lm.to_dict(spec)``. The document is the compact form: settings at
their default are left out, and a label equal to its key too.

>>> spec = PipelineSpec(
...     key="requests",
...     statuses=(
...         StatusSpec(key="new", label="Нова"),
...         StatusSpec(key="won", kind=StatusKind.won),
...         StatusSpec(key="lost", kind=StatusKind.lost, lost_reasons=("no_budget",)),
...     ),
...     transitions=(Transition(source="lost", target="new"),),
... )
>>> spec.to_dict()["statuses"][:2], spec.to_dict()["transitions"]
([{'key': 'new', 'label': 'Нова'}, {'key': 'won', 'kind': 'won'}], [{'from': 'lost', 'to': 'new'}])
>>> StatusSpec(key="", label="")
Traceback (most recent call last):
...
leadmodel.errors.ValidationError: StatusSpec.key: the status key must not be blank; got ''

The compiled, usable form is :class:`~leadmodel.domain.pipeline.machine.Pipeline`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, ClassVar, Final

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.documents import Spec
from leadmodel._kernel.frozen_json import EMPTY, JSON, FrozenMap, freeze, nodes_within
from leadmodel.domain.capture.consent import PURPOSE_CHANNELS, Purpose
from leadmodel.domain.model.paths import requirement_problem
from leadmodel.domain.pipeline import checks
from leadmodel.domain.pipeline.kinds import Policy, StatusKind
from leadmodel.domain.values.contact import ContactKind
from leadmodel.errors import Problem, ValidationError

__all__ = [
    "ACTION_PARAMS",
    "ACTION_REACH",
    "MAX_ACTIONS",
    "MAX_ACTION_PARAMS",
    "MAX_LOST_REASONS",
    "MAX_PIPELINE_ACTIONS",
    "MAX_PIPELINE_LOST_REASONS",
    "MAX_PIPELINE_REQUIREMENTS",
    "MAX_REQUIREMENTS",
    "MAX_STATUSES",
    "MAX_TRANSITIONS",
    "ActionSpec",
    "PipelineSpec",
    "Policy",
    "Requirements",
    "StatusKind",
    "StatusSpec",
    "Transition",
]

ACTION_PARAMS: Mapping[str, tuple[frozenset[str], frozenset[str]]] = {
    # action: (required parameters, optional parameters)
    "send_email": (
        frozenset({"template"}),
        frozenset({"to", "subject", "delay_minutes", "purpose"}),
    ),
    "send_message": (frozenset({"template"}), frozenset({"channel", "delay_minutes", "purpose"})),
    "schedule_call": (frozenset({"in_minutes"}), frozenset({"assignee", "note", "purpose"})),
    "create_task": (frozenset({"title"}), frozenset({"assignee", "due_in_minutes", "note"})),
    "webhook": (frozenset({"url"}), frozenset({"method", "payload"})),
    "custom": (frozenset({"name"}), frozenset()),
}
"""The actions ``on_enter`` may name, with their required and optional parameters.

``custom`` takes any further parameters; the host app decides what a custom action does.
"""

MESSAGING_ACTIONS = frozenset({"send_email", "send_message", "schedule_call"})
"""Actions that contact the person: reported for a lead only when its consent records allow
(:func:`~leadmodel.may_contact`), never for a do-not-contact lead."""

ACTION_REACH: Final[Mapping[str, ContactKind]] = {
    "send_email": ContactKind.email,
    "send_message": ContactKind.messenger,
    "schedule_call": ContactKind.phone,
}
"""The channel each contacting action reaches the person through. Its ``purpose`` parameter
(a :class:`~leadmodel.Purpose`; default ``service``: a reply to the person's request) is what
the lead's consent records must allow; ``send_message``'s ``channel`` names the network."""

# The caps keep the cost of reading a spec bounded: a longer list is refused by its length (by
# the document converter before an item is read, and by the constructor with the same words).

MAX_STATUSES = 1_000
"""The most statuses one pipeline holds; a kanban with a thousand columns is far past any
real funnel (a spec with this many loads in about 10 ms)."""

MAX_TRANSITIONS = 5_000
"""The most explicit transitions one pipeline lists (five per status at the cap on statuses;
about 3 µs each to load, so a spec at every cap and budget at once stays near 35 ms)."""

MAX_LOST_REASONS = 1_000
"""The most lost reasons one lost status lists."""

MAX_ACTIONS = 100
"""The most actions entering one status triggers (its ``on_enter``)."""

MAX_ACTION_PARAMS = 20
"""The most JSON values one action's parameters hold, counted as
:data:`~leadmodel.MAX_CUSTOM_NODES` counts them: every object, array and scalar one, the
parameters' own object included (``{ action = "send_email", template = "qualified" }`` holds 2).
An action names what the host app does (a template, a delay, a URL); its data stays there."""

MAX_REQUIREMENTS = 100
"""The most fields, and the most guards, one status requires (each list)."""

# The budgets bound what the caps cannot: items spread over many statuses, each list within its
# cap. A spec at every budget at once (and at the cap on statuses) loads in about 20 ms.

MAX_PIPELINE_ACTIONS = 1_000
"""The most ``on_enter`` actions all the statuses of one pipeline trigger together (an action
costs about 8 µs to load: its parameters are frozen and checked)."""

MAX_PIPELINE_REQUIREMENTS = 2_000
"""The most required fields and guards all the statuses of one pipeline name together."""

MAX_PIPELINE_LOST_REASONS = 5_000
"""The most lost reasons all the lost statuses of one pipeline list together."""

_MAX_ROT_AFTER: Final = timedelta(days=365)
"""The longest a status's ``rot_after`` may be: a card untouched for a year is stale by any
measure."""


def _statuses(count: int) -> str:
    return (
        f"{count:,} statuses; a pipeline holds at most {MAX_STATUSES:,} (MAX_STATUSES): keep"
        " the stages a card moves through, and record finer detail in a field or a tag"
    )


def _transitions(count: int) -> str:
    return (
        f"{count:,} transitions; a pipeline lists at most {MAX_TRANSITIONS:,}"
        " (MAX_TRANSITIONS): choose the policy that allows most moves (policy = 'any' allows"
        " every one) and list only the moves it does not"
    )


def _lost_reasons(count: int) -> str:
    return (
        f"{count:,} lost reasons; a lost status lists at most {MAX_LOST_REASONS:,}"
        " (MAX_LOST_REASONS): group them, and write the detail in the loss's note"
    )


def _actions(count: int) -> str:
    return (
        f"{count:,} actions; entering a status triggers at most {MAX_ACTIONS:,} (MAX_ACTIONS):"
        " let one custom action do the rest in the host app"
    )


def _too_many_params(count: int) -> str:
    return (
        f"at least {count:,} parameter values (each object, array and scalar counts one); an"
        f" action's parameters hold at most {MAX_ACTION_PARAMS:,} (MAX_ACTION_PARAMS): pass a"
        " reference (a template name, an id or a URL) and keep the data in the host app"
    )


def _requirements(what: str, fix: str) -> c.MaxItems:
    def message(count: int) -> str:
        return (
            f"{count:,} {what}; a status requires at most {MAX_REQUIREMENTS:,}"
            f" (MAX_REQUIREMENTS): {fix}"
        )

    return c.MaxItems(MAX_REQUIREMENTS, message)


_PARAMS = c.MaxItems(MAX_ACTION_PARAMS, _too_many_params)
_LOST_REASONS = c.MaxItems(MAX_LOST_REASONS, _lost_reasons)
_FIELDS = _requirements("required fields", "check the rest in a guard")
_GUARDS = _requirements("guards", "let one guard make several checks")


def _total(most: int, name: str, paths: tuple[str, ...], what: str, fix: str) -> c.MaxTotal:
    def message(count: int) -> str:
        return (
            f"{count:,} {what} over all statuses; a pipeline's statuses hold at most {most:,}"
            f" together ({name}): {fix}"
        )

    return c.MaxTotal(most, paths, message)


_STATUS_TOTALS = (
    _total(MAX_PIPELINE_ACTIONS, "MAX_PIPELINE_ACTIONS", ("on_enter",), "on_enter actions",
           "let one custom action per status do the rest in the host app"),
    _total(MAX_PIPELINE_REQUIREMENTS, "MAX_PIPELINE_REQUIREMENTS",
           ("requires.fields", "requires.guards"), "required fields and guards",
           "require a qualification framework, or let one guard make several checks"),
    _total(MAX_PIPELINE_LOST_REASONS, "MAX_PIPELINE_LOST_REASONS", ("lost_reasons",),
           "lost reasons", "group them, and write the detail in the loss's note"),
)  # fmt: skip


def _key(spec: Any) -> Any:
    return spec.key


def _label(p: c.Problems, spec: Any) -> None:
    if spec.label != spec.key:  # a label left to default is the key, checked already
        c.text(p, "label", spec.label, "the label")


@attrs.frozen(kw_only=True)
class ActionSpec(Spec, flatten="params"):
    """A follow-up that entering a status triggers; the library reports it, the host performs it.

    In a document the parameters sit beside the action: ``{ action = "send_email", template =
    "qualified" }``. Each action takes the parameters :data:`ACTION_PARAMS` lists, holding at
    most :data:`MAX_ACTION_PARAMS` JSON values together.
    """

    action: str
    params: Mapping[str, JSON] = attrs.field(default=EMPTY, metadata={c.MAX_NODES: _PARAMS})

    __max_items__: ClassVar[c.MaxItems] = c.MaxItems(MAX_ACTIONS, _actions)
    """A status's ``on_enter``: at most :data:`MAX_ACTIONS` (read by the converter)."""

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "action", self.action, "the action")
        count = nodes_within(self.params, MAX_ACTION_PARAMS)  # counted before it is frozen
        if count > MAX_ACTION_PARAMS:
            p.append(Problem("params", _PARAMS.message(count)))
            c.fail("ActionSpec", p)
        try:
            frozen = freeze(self.params, path="params")
        except ValidationError as exc:
            p += exc.problems
        else:
            object.__setattr__(self, "params", frozen)  # stored deep-frozen
            _check_params(p, self.action, frozen)
        if p:
            c.fail("ActionSpec", p)

    @property
    def contacts_person(self) -> bool:
        """Whether performing the action reaches out to the person (email, message, call)."""
        return self.action in MESSAGING_ACTIONS

    @property
    def reach(self) -> tuple[Purpose, ContactKind, str | None] | None:
        """What a contacting action needs the person's consent for: its purpose, channel and
        (for a message) network; ``None`` for an action that contacts nobody.

        >>> ActionSpec(action="send_email", params={"template": "news",
        ...     "purpose": "marketing_email"}).reach
        (<Purpose.marketing_email: 'marketing_email'>, <ContactKind.email: 'email'>, None)
        >>> ActionSpec(action="create_task", params={"title": "Call back"}).reach is None
        True
        """
        kind = ACTION_REACH.get(self.action)
        if kind is None:
            return None
        purpose = Purpose(str(self.params.get("purpose", Purpose.service.value)))
        network = self.params.get("channel") if kind is ContactKind.messenger else None
        return purpose, kind, str(network).strip().lower() if network else None


def _check_params(p: c.Problems, action: object, params: Mapping[str, JSON]) -> None:
    if type(action) is not str or not action.strip():
        return
    if action not in ACTION_PARAMS:
        p.append(Problem("action", f"unknown action; {c.one_of(ACTION_PARAMS)}", action))
        return
    required, optional = ACTION_PARAMS[action]
    for name in sorted(required - params.keys()):
        p.append(Problem(f"params.{name}", f"{action} needs the parameter {name!r}"))
    if action != "custom":
        allowed = ", ".join(sorted(required | optional))
        for name in sorted(params.keys() - required - optional):
            p.append(Problem(f"params.{name}", f"{action} takes only: {allowed}"))
    for path in _null_paths(params, "params"):
        p.append(Problem(path, "null is not a parameter value (TOML has none): leave it out"))
    if "purpose" in params and action in ACTION_REACH:
        _check_purpose(p, action, params["purpose"])


def _check_purpose(p: c.Problems, action: str, purpose: object) -> None:
    kind = ACTION_REACH[action]
    fits = [x.value for x in Purpose if kind in PURPOSE_CHANNELS[x]]
    if purpose not in fits:
        msg = f"{action} reaches the person by {kind.value}; its purpose is one of {fits}"
        p.append(Problem("params.purpose", msg, purpose))


def _null_paths(value: object, path: str) -> list[str]:
    if not _has_null(value):  # the usual case: no path is built
        return []
    if value is None:
        return [path]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in _null_paths(v, f"{path}.{k}")]
    if isinstance(value, tuple):
        return [p for i, v in enumerate(value) for p in _null_paths(v, f"{path}[{i}]")]
    return []


def _has_null(value: object) -> bool:
    # frozen params: only FrozenMap and tuple hold values
    if type(value) is tuple:
        items: Iterable[object] = value
    elif isinstance(value, Mapping):
        items = value.values()
    else:
        return value is None
    return any(item is None or (type(item) in _CONTAINERS and _has_null(item)) for item in items)


_CONTAINERS = frozenset({tuple, FrozenMap})


@attrs.frozen(kw_only=True)
class Requirements(Spec):
    """What must hold before a lead may enter a status.

    ``fields``: Lead field paths that must be set (``expected_value``, ``source.campaign``,
    ``custom.budget``), as :func:`~leadmodel.domain.model.paths.requirement_problem` allows;
    ``framework``: a qualification framework whose latest assessment must be qualified;
    ``guards``: names of checks the host app registers on :class:`Guards`; ``converted``:
    the lead must have been converted into a customer first (for a won status only: a sale
    counts once the customer exists).
    """

    fields: tuple[str, ...] = attrs.field(default=(), metadata={c.MAX_ITEMS: _FIELDS})
    framework: str | None = None
    guards: tuple[str, ...] = attrs.field(default=(), metadata={c.MAX_ITEMS: _GUARDS})
    converted: bool = False

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        if c.max_items(p, "fields", self.fields, _FIELDS):
            c.texts(p, "fields", self.fields, "a field name")
            c.distinct(p, "fields", self.fields, "field")
        c.opt_text(p, "framework", self.framework, "the framework")
        if c.max_items(p, "guards", self.guards, _GUARDS):
            c.texts(p, "guards", self.guards, "a guard name")
            c.distinct(p, "guards", self.guards, "guard")
        c.flag(p, "converted", self.converted)
        if not p:
            for j, name in enumerate(self.fields):
                if (problem := requirement_problem(name)) is not None:
                    p.append(Problem(f"fields[{j}]", problem, name))
        if p:
            c.fail("Requirements", p)

    def __bool__(self) -> bool:
        return bool(self.fields or self.framework or self.guards or self.converted)


@attrs.frozen(kw_only=True)
class StatusSpec(Spec):
    """One column of the funnel; ``label`` defaults to the key.

    A lost status lists the ``lost_reasons`` a card may be lost for (and only a lost one does);
    ``on_enter`` lists the actions entering it triggers. ``rot_after`` (open statuses only):
    how long a card may sit in the status untouched before :func:`~leadmodel.stale` reports
    it, above zero and at most 365 days (an ISO 8601 duration in documents: ``"P3D"``).
    """

    key: str
    label: str = attrs.field(default=attrs.Factory(_key, takes_self=True))
    kind: StatusKind = StatusKind.open
    requires: Requirements = Requirements()
    lost_reasons: tuple[str, ...] = attrs.field(default=(), metadata={c.MAX_ITEMS: _LOST_REASONS})
    on_enter: tuple[ActionSpec, ...] = ()
    rot_after: timedelta | None = None

    __max_items__: ClassVar[c.MaxItems] = c.MaxItems(MAX_STATUSES, _statuses)
    """A pipeline's statuses: at most :data:`MAX_STATUSES` (read by the converter)."""

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "key", self.key, "the status key")
        if type(self.key) is str and any(ch.isspace() for ch in self.key):
            message = f"a status key has no spaces (got {self.key!r}); put words in label"
            p.append(Problem("key", message))
        _label(p, self)
        c.member(p, "kind", self.kind, StatusKind)
        c.instance(p, "requires", self.requires, Requirements)
        reasons = c.max_items(p, "lost_reasons", self.lost_reasons, _LOST_REASONS)
        if reasons:
            c.texts(p, "lost_reasons", self.lost_reasons, "a lost reason")
            c.distinct(p, "lost_reasons", self.lost_reasons, "reason")
        if c.max_items(p, "on_enter", self.on_enter, ActionSpec.__max_items__):
            c.tuple_of(p, "on_enter", self.on_enter, ActionSpec)
        if reasons and isinstance(self.kind, StatusKind) and type(self.lost_reasons) is tuple:
            if self.kind is StatusKind.lost and not self.lost_reasons:
                message = "a lost status lists the reasons a card may be lost for"
                p.append(Problem("lost_reasons", message))
            if self.kind is not StatusKind.lost and self.lost_reasons:
                p.append(Problem("lost_reasons", "only lost statuses have lost reasons"))
        converted = isinstance(self.requires, Requirements) and self.requires.converted is True
        if converted and self.kind is not StatusKind.won:
            msg = "only a won status may require a conversion; set converted = false here"
            p.append(Problem("requires.converted", msg, True))
        _rot_after(p, self.kind, self.rot_after)
        if p:
            c.fail("StatusSpec", p)


def _rot_after(p: c.Problems, kind: object, value: object) -> None:
    """A status's ``rot_after``: ``None``, or above zero and at most a year, on an open status."""
    if value is None:
        return
    if type(value) is not timedelta:
        p.append(Problem("rot_after", "expected a timedelta, such as timedelta(days=3)", value))
    elif value <= timedelta(0):
        p.append(Problem("rot_after", "rot_after is above zero", value))
    elif value > _MAX_ROT_AFTER:
        p.append(Problem("rot_after", "rot_after is at most 365 days", value))
    elif isinstance(kind, StatusKind) and kind is not StatusKind.open:
        msg = f"only open statuses go stale; a {kind.value} card is closed: leave rot_after out"
        p.append(Problem("rot_after", msg, value))


@attrs.frozen(kw_only=True)
class Transition(Spec, rename={"source": "from", "target": "to"}):
    """An explicit allowed move, added to what the policy allows (``from``, ``to`` in documents)."""

    source: str
    target: str

    __max_items__: ClassVar[c.MaxItems] = c.MaxItems(MAX_TRANSITIONS, _transitions)
    """A pipeline's transitions: at most :data:`MAX_TRANSITIONS` (read by the converter)."""

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "source", self.source, "the status a move leaves")
        c.text(p, "target", self.target, "the status a move enters")
        if p:
            c.fail("Transition", p)


@attrs.frozen(kw_only=True)
class PipelineSpec(Spec, hints={"statuses": "list the statuses in funnel order"}):
    """A whole funnel: its statuses in order, the move policy and the explicit transitions.

    ``label`` defaults to the key. ``entity`` is what the business calls its cards ("Заявки",
    "Requests", "Deals"). ``close_from_any``: moves to won and lost statuses are allowed from
    every open status. ``allow_reopen``: a lost card may move back to an open status.
    ``reopen_won``: a won card may too (won is final otherwise). ``convert_to``: the won
    status a conversion moves the card to (:func:`leadmodel.services.convert`), so a converted
    lead and a won card are the same fact; ``None`` leaves the card where it is.

    Raises :class:`~leadmodel.errors.ValidationError` listing every problem, those of the whole
    funnel included: duplicate keys, no won status, transitions between unknown statuses,
    statuses no move reaches, open statuses with no way to won or lost; more than
    :data:`MAX_STATUSES` statuses or :data:`MAX_TRANSITIONS` transitions, and statuses that
    together pass :data:`MAX_PIPELINE_ACTIONS`, :data:`MAX_PIPELINE_REQUIREMENTS` or
    :data:`MAX_PIPELINE_LOST_REASONS`, are refused by their count alone.
    """

    key: str
    label: str = attrs.field(default=attrs.Factory(_key, takes_self=True))
    statuses: tuple[StatusSpec, ...] = attrs.field(metadata={c.MAX_TOTALS: _STATUS_TOTALS})
    entity: str | None = None
    policy: Policy = Policy.forward_only
    allow_reopen: bool = True
    reopen_won: bool = False
    close_from_any: bool = True
    transitions: tuple[Transition, ...] = ()
    convert_to: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "key", self.key, "the pipeline key")
        c.opt_text(p, "convert_to", self.convert_to, "the won status a conversion moves to")
        _label(p, self)
        c.opt_text(p, "entity", self.entity, "the entity name")
        c.member(p, "policy", self.policy, Policy)
        for name in ("allow_reopen", "reopen_won", "close_from_any"):
            c.flag(p, name, getattr(self, name))
        # past a cap, the count alone: the funnel is not walked (that cost is what it bounds)
        statuses = c.max_items(p, "statuses", self.statuses, StatusSpec.__max_items__)
        if statuses:
            c.tuple_of(p, "statuses", self.statuses, StatusSpec)
            statuses = c.max_totals(p, "statuses", self.statuses, _STATUS_TOTALS)
        if self.statuses == ():
            p.append(Problem("statuses", "a pipeline needs at least one status"))
        moves = c.max_items(p, "transitions", self.transitions, Transition.__max_items__)
        if moves:
            c.tuple_of(p, "transitions", self.transitions, Transition)
        if statuses and moves and type(self.statuses) is tuple and type(self.transitions) is tuple:
            p += checks.funnel_problems(self)
        if p:
            c.fail("PipelineSpec", p)
