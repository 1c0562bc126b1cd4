"""Property tests of pipelines: random specs, random move sequences, round trips, diagrams.

Leadmodel is checked against a small independent model of the rules (``_edges``,
``_spec_problems`` and ``_refusals`` below, written from the docs of ``Policy``,
``PipelineSpec`` and ``TransitionError``, not from ``checks.py``). The last tests pin
down leadmodel bugs these properties found, now fixed.

``--hypothesis-show-statistics`` shows how often each refusal and each kind of accepted move
came up.
"""

from __future__ import annotations

import itertools
import json
import re
import string
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, NamedTuple, TypeAlias

import attrs
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import Pipeline, PipelineSpecError, TransitionError

from .factories import AT, lead

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
    | st.text(st.characters(exclude_characters=_LINE_BREAKS), min_size=1, max_size=12)
).filter(str.strip)  # no line breaks: see test_a_label_with_a_line_break_stays_on_its_line
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


# -- specs -----------------------------------------------------------------------------


@settings(max_examples=200)
@given(raw_specs(tidy=0.3))
def test_a_spec_is_accepted_exactly_when_every_status_is_reachable_and_can_end(
    spec: Spec,
) -> None:
    problems = _spec_problems(spec)
    event(f"problems at {sorted({p.split('[')[0] for p in problems})}")
    _, compiled = _compile(spec)
    if isinstance(compiled, PipelineSpecError):
        assert problems
        assert {p.path for p in compiled.problems} == problems
        return
    assert not problems
    assert compiled._targets == _edges(spec)
    assert [s.key for s in compiled.statuses] == [s["key"] for s in spec["statuses"]]
    assert [s.label for s in compiled.statuses] == [
        s.get("label", s["key"]) for s in spec["statuses"]
    ]


@settings(max_examples=150)
@given(valid_specs())
def test_a_spec_round_trips_through_dict_toml_and_json(generated: tuple[Spec, Pipeline]) -> None:
    _, pipeline = generated
    as_dict = pipeline.to_dict()
    assert Pipeline.from_dict(as_dict) == pipeline
    assert Pipeline.from_toml(pipeline.to_toml()) == pipeline
    assert Pipeline.from_json(json.dumps(as_dict)) == pipeline
    assert Pipeline.from_dict(as_dict).to_dict() == as_dict


def _mermaid_text(text: str) -> str:
    """Mermaid has no backslash escapes: quotes become ``#quot;``, line breaks spaces."""
    return re.sub(r"\r\n|\r|\n", " ", text.replace('"', "#quot;"))


def _dot_text(text: str) -> str:
    """DOT escapes backslashes and quotes, and writes line breaks as ``\\n``."""
    return re.sub(r"\r\n|\r|\n", r"\\n", text.replace("\\", "\\\\").replace('"', '\\"'))


@settings(max_examples=150)
@given(valid_specs())
def test_diagrams_draw_every_status_once_with_its_label_and_every_allowed_move(
    generated: tuple[Spec, Pipeline],
) -> None:
    spec, pipeline = generated
    index = {s.key: i for i, s in enumerate(pipeline.statuses)}
    moves = {(index[a], index[b]) for a, targets in _edges(spec).items() for b in targets}
    labels = [_mermaid_text(s.label) for s in pipeline.statuses]
    dot_labels = [_dot_text(s.label) for s in pipeline.statuses]

    mermaid = pipeline.to_mermaid().splitlines()
    states = [m for line in mermaid if (m := re.fullmatch(r'    state "(.*)" as s(\d+)', line))]
    assert sorted(int(m[2]) for m in states) == list(range(len(labels)))
    assert all(m[1].startswith(labels[int(m[2])]) for m in states)
    arrows = [re.fullmatch(r"    s(\d+) --> s(\d+)", line) for line in mermaid]
    assert {(int(m[1]), int(m[2])) for m in arrows if m} == moves

    dot = pipeline.to_dot().splitlines()
    node = r'    s(\d+) \[label="(.*)"(, .*)?\];'
    nodes = [m for line in dot if (m := re.fullmatch(node, line))]
    assert sorted(int(m[1]) for m in nodes) == list(range(len(labels)))
    assert all(m[2].startswith(dot_labels[int(m[1])]) for m in nodes)
    arrows = [re.fullmatch(r"    s(\d+) -> s(\d+);", line) for line in dot]
    assert {(int(m[1]), int(m[2])) for m in arrows if m} == moves


# -- moves -----------------------------------------------------------------------------

CONVERTED = lm.ConversionLinks(customer_id=lm.CustomerId("customer-1"), at=AT)

_minutes = st.integers(0, 9).flatmap(  # one move in ten is dated before the last change
    lambda r: st.integers(-180, -1) if r == 0 else st.integers(0, 600)
)
_zones = st.sampled_from((UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5.5))))


def _draw_move(data: st.DataObject, pipeline: Pipeline, card: lm.Lead) -> Move:
    """A move to any status (or none), half the time to one ``allowed`` lists (may succeed)."""
    allowed = pipeline.allowed(card)
    keys = [*(s.key for s in pipeline.statuses), UNKNOWN]
    towards_allowed = data.draw(st.booleans())
    to = data.draw(st.sampled_from(allowed if allowed and towards_allowed else keys), label="to")
    lost_reasons = pipeline.status(to).lost_reasons if to != UNKNOWN else ()
    reasons = (None, BOGUS_REASON, *lost_reasons)
    reason = data.draw(st.sampled_from(reasons), label="reason")
    at = card.history[-1].at + timedelta(minutes=data.draw(_minutes, label="minutes later"))
    at = at.astimezone(data.draw(_zones, label="zone"))
    return Move(to, reason, at, data.draw(st.sampled_from(("a", "b", None)), label="by"))


def _attempt(pipeline: Pipeline, card: lm.Lead, move: Move) -> lm.Lead | TransitionError:
    try:
        return pipeline.move(card, move.to, at=move.at, by=move.by, reason=move.reason)
    except TransitionError as exc:
        return exc


def _replay(pipeline: Pipeline, history: tuple[lm.StatusChange, ...]) -> str | Exception | None:
    try:
        return pipeline.replay(history)
    except TransitionError as exc:
        return exc


def _check_replay_of_refused(spec: Spec, pipeline: Pipeline, card: lm.Lead, move: Move) -> None:
    """A history with the refused move in it replays only if the lead alone was in the way."""
    forged = lm.StatusChange(
        pipeline=pipeline.key,
        from_status=card.status,
        to_status=move.to,
        at=move.at,
        by=move.by,
        reason=move.reason,
    )
    expected = _history_refusals(spec, pipeline, card, move)
    replayed = _replay(pipeline, (*card.history, forged))
    if expected:
        assert isinstance(replayed, TransitionError)
        assert (replayed.from_status, replayed.to_status) == (card.status, move.to)
        assert replayed.why in expected, (replayed.why, expected)
    else:  # requirements and conversion are facts about the lead a history does not record
        assert replayed == move.to


def _check_accepted(
    spec: Spec, pipeline: Pipeline, card: lm.Lead, move: Move, moved: lm.Lead
) -> None:
    assert card.status is not None
    assert move.to in pipeline._targets[card.status]
    assert move.to in _edges(spec)[card.status]
    assert move.to in pipeline.allowed(card)
    change = lm.StatusChange(
        pipeline=pipeline.key,
        from_status=card.status,
        to_status=move.to,
        at=move.at,
        by=move.by,
        reason=move.reason,
    )
    assert moved.history == (*card.history, change)
    assert (moved.pipeline, moved.status) == (pipeline.key, move.to)
    if pipeline.kind(move.to) is lm.StatusKind.lost:
        assert move.reason is not None
        assert moved.lost == lm.LossInfo(status=move.to, reason=move.reason, at=move.at, by=move.by)
    else:
        assert moved.lost is None
    assert attrs.evolve(moved, status=card.status, history=card.history, lost=card.lost) == card
    assert attrs.evolve(moved) == moved  # rebuilding it runs every Lead check


@settings(max_examples=120)
@given(valid_specs(), st.data())
def test_random_moves_follow_the_spec_and_refusals_change_nothing(
    generated: tuple[Spec, Pipeline], data: st.DataObject
) -> None:
    spec, pipeline = generated
    keys = [s.key for s in pipeline.statuses]
    start = lead(
        owner=data.draw(st.sampled_from((None, "anna")), label="owner"),
        custom=data.draw(st.sampled_from(({}, {"budget": 100})), label="custom"),
        converted=data.draw(st.sampled_from((None, None, None, CONVERTED)), label="converted"),
    )
    card = pipeline.enter(start, at=AT, by="a")
    for _ in range(data.draw(st.integers(0, 30), label="moves")):
        assert card.status is not None
        can_enter = {
            k for k in _edges(spec)[card.status] if not _lacks_requirements(pipeline, card, k)
        }
        assert pipeline.allowed(card) == tuple(k for k in keys if k in can_enter)
        move = _draw_move(data, pipeline, card)
        expected = _refusals(spec, pipeline, card, move)
        before = lm.to_json(card)
        outcome = _attempt(pipeline, card, move)
        if isinstance(outcome, TransitionError):
            event(f"refused: {outcome.why}")
            assert lm.to_json(card) == before
            assert (outcome.from_status, outcome.to_status) == (card.status, move.to)
            assert outcome.why in WHYS
            assert outcome.why in expected, (outcome.why, expected)
            _check_replay_of_refused(spec, pipeline, card, move)
        else:
            event(f"accepted: to {pipeline.kind(move.to)}")
            assert not expected, f"accepted a move refusable for {expected}"
            _check_accepted(spec, pipeline, card, move, outcome)
            card = outcome

    assert pipeline.replay(card.history) == card.status
    for i, change in enumerate(card.history):
        assert pipeline.replay(card.history[: i + 1]) == change.to_status
    times = [change.at for change in card.history]
    assert times == sorted(times)
    last = card.history[-1]
    if pipeline.kind(last.to_status) is lm.StatusKind.lost:
        assert card.lost is not None
        assert (card.lost.status, card.lost.reason) == (last.to_status, last.reason)
    else:
        assert card.lost is None


# -- known bugs ------------------------------------------------------------------------

_TWO_ENDS: Mapping[str, Any] = {
    "key": "deals",
    "statuses": [
        {"key": "new", "label": "Нова"},
        {"key": "won", "label": "Успіх", "kind": "won"},
        {"key": "lost", "label": "Відмова", "kind": "lost", "lost_reasons": ["no_budget"]},
    ],
}


@pytest.mark.parametrize("to", ["lost", "won"])
def test_a_refusal_to_leave_a_reopenable_won_status_does_not_deny_reopen_won(to: str) -> None:
    pipeline = Pipeline.from_dict({**_TWO_ENDS, "reopen_won": True})
    won = pipeline.move(pipeline.enter(lead(), at=AT, by="a"), "won", at=AT, by="a")
    with pytest.raises(TransitionError) as info:
        pipeline.move(won, to, at=AT, by="a", reason="no_budget")
    assert "does not set reopen_won" not in str(info.value)


@pytest.mark.parametrize("to", ["won", "lost"])
def test_leaving_a_final_lost_status_is_terminal_whatever_the_target(to: str) -> None:
    pipeline = Pipeline.from_dict({**_TWO_ENDS, "allow_reopen": False})
    lost = pipeline.enter(lead(), at=AT, by="a")
    lost = pipeline.move(lost, "lost", at=AT, by="a", reason="no_budget")
    with pytest.raises(TransitionError) as info:
        pipeline.move(lost, to, at=AT, by="a", reason="no_budget")
    assert info.value.why == "terminal"  # docs/pipelines.md: "leaving won (or lost, when ...)"


@pytest.mark.parametrize("label", ["Нова\nзаявка", "Нова\r\nзаявка"])
def test_a_label_with_a_line_break_stays_on_its_line(label: str) -> None:
    statuses = [{"key": "new", "label": label}, *_TWO_ENDS["statuses"][1:]]
    pipeline = Pipeline.from_dict({**_TWO_ENDS, "statuses": statuses})
    mermaid, dot = pipeline.to_mermaid().splitlines(), pipeline.to_dot().splitlines()
    assert any(re.fullmatch(r'    state ".*" as s0', line) for line in mermaid)
    assert any(re.fullmatch(r'    s0 \[label=".*"\];', line) for line in dot)
