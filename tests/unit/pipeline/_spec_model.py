"""Random pipeline specs for the pipeline property tests, and a small independent model of
the rules they are checked against.

The model (``_edges``, ``_spec_problems`` and ``_refusals`` below) is written from the docs of
``Policy``, ``PipelineSpec`` and ``TransitionError``, not from ``checks.py``.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple, TypeAlias

from hypothesis import assume
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import Pipeline, PipelineSpecError

Spec: TypeAlias = dict[str, Any]
Edges: TypeAlias = dict[str, frozenset[str]]

WHYS = frozenset(
    {
        "not_allowed",
        "requirement_missing",
        "reason_required",
        "reason_not_allowed",
        "terminal",
        "other_pipeline",
        "unknown_status",  # in docs/pipelines.md, not in the TransitionError docstring
        "time_backwards",
    }
)
"""The values of ``TransitionError.why`` that docs/pipelines.md documents."""

DEFAULTS: Mapping[str, Any] = {
    "policy": "forward_only",
    "allow_reopen": True,
    "reopen_won": False,
    "close_from_any": True,
}
"""The pipeline settings and their documented defaults."""

BOGUS_REASON = "no such reason"  # has a space: never one of the generated lost reasons
UNKNOWN = "not a status"  # has spaces: never a status key
REQUIRABLE = ("owner", "custom.budget", "expected_value")  # fields a status may require

# -- strategies ------------------------------------------------------------------------

_CYRILLIC = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ"
_KEY_CHARS = string.ascii_lowercase + string.digits + "_-" + _CYRILLIC[:16]
_LABEL_CHARS = _CYRILLIC + string.ascii_letters + string.digits + " -_'\"\\()&<>{}|:;#/.,!?"
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines() splits at

_idents = st.text(_KEY_CHARS, min_size=1, max_size=10) | st.text(
    st.characters(exclude_categories=("Z", "Cc", "Cs")), min_size=1, max_size=8
).filter(lambda k: not any(ch.isspace() for ch in k))
_labels = (
    st.text(_LABEL_CHARS, min_size=1, max_size=16)
    | st.text(
        st.characters(exclude_characters=_LINE_BREAKS, exclude_categories=["Cs"]),
        min_size=1,
        max_size=12,
    )
).filter(str.strip)  # no line breaks: see test_a_label_with_a_line_break_stays_on_its_line;
# no lone surrogates: text that is not Unicode is refused (tests/unit/test_hostile_input.py)
_reasons = st.sampled_from(("no_budget", "no_answer", "competitor", "не_цільовий")) | _idents
_params = st.recursive(  # no None: TOML has no null (to_toml refuses it, as documented)
    st.booleans()
    | st.integers(-(2**63) + 1, 2**63 - 1)
    | st.floats(-(2.0**63), 2.0**63, exclude_min=True, exclude_max=True)
    | _labels,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_idents, inner, max_size=3),
    max_leaves=5,
)
_actions = st.one_of(
    st.builds(lambda t: {"action": "send_email", "template": t}, _labels),
    st.builds(
        lambda t, m: {"action": "create_task", "title": t, "due_in_minutes": m},
        _labels,
        st.integers(0, 10**6),
    ),
    st.builds(
        lambda n, extra: {"action": "custom", "name": n, **extra},
        _idents,
        st.dictionaries(_idents.filter(lambda k: k not in {"action", "name"}), _params, max_size=2),
    ),
)


def _setting(spec: Spec, name: str) -> Any:
    return spec.get(name, DEFAULTS[name])


def _kinds(spec: Spec) -> dict[str, str]:
    return {s["key"]: s.get("kind", "open") for s in spec["statuses"]}


def _can_leave(spec: Spec, kind: str) -> bool:
    """Whether the reopen flags let a card leave a status of this kind."""
    if kind == "won":
        return bool(_setting(spec, "reopen_won"))
    return kind == "open" or bool(_setting(spec, "allow_reopen"))


@st.composite
def _status_list(draw: st.DrawFn) -> list[Spec]:
    """2-12 statuses with unique keys: the first open, at least one won, lost with reasons."""
    n = draw(st.integers(2, 12))
    keys = draw(
        st.just([f"s{i}" for i in range(n)])
        | st.lists(_idents, min_size=n, max_size=n, unique=True)
    )
    later = st.lists(
        st.sampled_from(("open", "open", "won", "lost")), min_size=n - 1, max_size=n - 1
    )
    kinds = ["open", *draw(later)]
    if "won" not in kinds:
        kinds[draw(st.integers(1, n - 1))] = "won"
    statuses: list[Spec] = []
    for i, (key, kind) in enumerate(zip(keys, kinds, strict=True)):
        status: Spec = {"key": key}
        if draw(st.integers(0, 4)):  # else the label defaults to the key
            status["label"] = draw(_labels)
        if kind != "open" or draw(st.booleans()):
            status["kind"] = kind
        if kind == "lost":
            status["lost_reasons"] = draw(st.lists(_reasons, min_size=1, max_size=3, unique=True))
        if i > 0 and draw(st.integers(0, 5)) == 0:  # the first one would refuse most leads
            fields = st.lists(st.sampled_from(REQUIRABLE), min_size=1, max_size=2, unique=True)
            status["requires"] = {"fields": draw(fields)}
        if draw(st.integers(0, 5)) == 0:
            status["on_enter"] = draw(st.lists(_actions, min_size=1, max_size=2))
        statuses.append(status)
    return statuses


@st.composite
def _transitions(draw: st.DrawFn, spec: Spec, *, tidy: bool) -> list[Spec]:
    """Explicit transitions; when ``tidy``, ones that make a valid spec likely.

    Tidy transitions chain every open status (under ``explicit``), lead into every won and
    lost status (without ``close_from_any``) and leave only statuses a card may leave.
    """
    kinds = _kinds(spec)
    keys = list(kinds)
    opened = [k for k, kind in kinds.items() if kind == "open"]
    pairs: list[tuple[str, str]] = []
    sources = keys
    if tidy:
        if _setting(spec, "policy") == "explicit":
            pairs.extend(itertools.pairwise(opened))
        if not _setting(spec, "close_from_any"):
            closing = [k for k, kind in kinds.items() if kind != "open"]
            pairs.extend((draw(st.sampled_from(opened)), c) for c in closing)
            pairs.append((opened[-1], draw(st.sampled_from(closing))))
        sources = [k for k, kind in kinds.items() if _can_leave(spec, kind)]
    extra = st.tuples(st.sampled_from(sources), st.sampled_from(keys))
    pairs = draw(st.permutations([*pairs, *draw(st.lists(extra, max_size=4))]))
    return [{"from": source, "to": target} for source, target in pairs]


@st.composite
def raw_specs(draw: st.DrawFn, *, tidy: float = 0.9) -> Spec:
    """Well-formed spec dicts, valid or not; ``tidy`` is the chance of tidy transitions."""
    spec: Spec = {"key": draw(_idents)}
    if draw(st.booleans()):
        spec["label"] = draw(_labels)
    if draw(st.booleans()):
        spec["entity"] = draw(_labels)
    settings_ = {
        "policy": draw(st.sampled_from(("forward_only", "adjacent", "any", "explicit"))),
        "allow_reopen": draw(st.booleans()),
        "reopen_won": draw(st.booleans()),
        "close_from_any": draw(st.booleans()),
    }
    for name, value in settings_.items():  # a default is written out only sometimes
        if value != DEFAULTS[name] or draw(st.booleans()):
            spec[name] = value
    spec["statuses"] = draw(_status_list())
    transitions = draw(_transitions(spec, tidy=draw(st.floats(0, 1)) < tidy))
    write_empty = draw(st.booleans())
    if transitions or write_empty:
        spec["transitions"] = transitions
    return spec


@st.composite
def valid_specs(draw: st.DrawFn) -> tuple[Spec, Pipeline]:
    """Spec dicts that ``Pipeline.from_dict`` accepts, with the pipeline they compile to."""
    compiled = _compile(draw(raw_specs()))
    assume(isinstance(compiled[1], Pipeline))
    spec, pipeline = compiled
    assert isinstance(pipeline, Pipeline)
    return spec, pipeline


def _compile(spec: Spec) -> tuple[Spec, Pipeline | PipelineSpecError]:
    try:
        return spec, Pipeline.from_dict(spec)
    except PipelineSpecError as exc:
        return spec, exc


# -- the model -------------------------------------------------------------------------


def _edges(spec: Spec) -> Edges:
    """Every allowed move by source status, from the documented policies and flags."""
    kinds = _kinds(spec)
    opened = [k for k, kind in kinds.items() if kind == "open"]
    closing = {k for k, kind in kinds.items() if kind != "open"}
    policy = _setting(spec, "policy")
    edges: dict[str, set[str]] = {k: set() for k in kinds}
    for (i, source), (j, target) in itertools.product(enumerate(opened), repeat=2):
        if (
            (policy == "forward_only" and j > i)
            or (policy == "adjacent" and abs(i - j) == 1)
            or (policy == "any" and i != j)
        ):
            edges[source].add(target)
    for t in spec.get("transitions", []):
        edges[t["from"]].add(t["to"])
    for key, kind in kinds.items():
        if kind == "open" and _setting(spec, "close_from_any"):
            edges[key] |= closing
        if kind != "open" and _can_leave(spec, kind):
            edges[key] |= set(opened)
    return {k: frozenset(v - {k}) for k, v in edges.items()}


def _closure(start: str, edges: Edges) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for nxt in edges[stack.pop()] - seen:
            seen.add(nxt)
            stack.append(nxt)
    return seen


def _spec_problems(spec: Spec) -> set[str]:
    """Where a generated spec has problems: leaving final statuses, unreachable, dead ends."""
    kinds = _kinds(spec)
    found = {
        f"transitions[{i}].from"
        for i, t in enumerate(spec.get("transitions", []))
        if not _can_leave(spec, kinds[t["from"]])
    }
    edges = _edges(spec)
    keys = list(kinds)
    reached = _closure(keys[0], edges)
    ends = {k for k, kind in kinds.items() if kind != "open"}
    for i, key in enumerate(keys):
        if key not in reached or (kinds[key] == "open" and not _closure(key, edges) & ends):
            found.add(f"statuses[{i}]")
    return found


class Move(NamedTuple):
    to: str
    reason: str | None
    at: datetime
    by: str | None


def _lacks_requirements(pipeline: Pipeline, card: lm.Lead, to: str) -> bool:
    present = {
        "owner": card.owner is not None,
        "custom.budget": "budget" in card.custom,
        "expected_value": card.expected_value is not None,
    }
    return not all(present[f] for f in pipeline.status(to).requires.fields)


def _edge_refusals(spec: Spec, current: str, to: str) -> set[str]:
    """Why a move along no edge is refused: ``terminal`` from a status a card cannot leave."""
    kinds = _kinds(spec)
    if not _can_leave(spec, kinds[current]):
        # Bug: a lost status the spec does not reopen refuses moves to won and lost statuses
        # as not_allowed (test_leaving_a_final_lost_status_is_terminal_whatever_the_target).
        return {"terminal"} if kinds[to] == "open" else {"terminal", "not_allowed"}
    if kinds[current] == "won":
        # Unclear: with reopen_won set, a won status refuses a move to itself or to a won or
        # lost status as terminal (docs: "leaving won"), though the spec lets cards leave it.
        return {"not_allowed", "terminal"}
    return {"not_allowed"}


def _history_refusals(spec: Spec, pipeline: Pipeline, card: lm.Lead, move: Move) -> set[str]:
    """What is wrong with the move as a history entry: its edge, its reason, its time.

    The order leadmodel checks these in is not documented: a refusal may name any of them.
    """
    assert card.status is not None
    found = {"time_backwards"} if move.at < card.history[-1].at else set()
    if move.to == UNKNOWN:
        return found | {"unknown_status"}
    target = pipeline.status(move.to)
    if move.to not in _edges(spec)[card.status]:
        found |= _edge_refusals(spec, card.status, move.to)
    elif target.kind is lm.StatusKind.lost and move.reason is None:
        found.add("reason_required")
    elif target.kind is lm.StatusKind.lost and move.reason not in target.lost_reasons:
        found.add("reason_not_allowed")
    return found


def _refusals(spec: Spec, pipeline: Pipeline, card: lm.Lead, move: Move) -> set[str]:
    """Every ``why`` the move may be refused for; empty when it must succeed."""
    found = _history_refusals(spec, pipeline, card, move)
    assert card.status is not None
    if move.to in _edges(spec)[card.status]:  # what the lead itself lacks
        if _lacks_requirements(pipeline, card, move.to):
            found.add("requirement_missing")
        if card.converted is not None and pipeline.kind(move.to) is lm.StatusKind.lost:
            found.add("not_allowed")  # a lead is never both converted and lost
    return found
