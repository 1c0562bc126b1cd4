"""Caps on long collections: past its cap a collection is refused by its length, at once.

Each cap is declared once (an element class's ``__max_items__``, a field's metadata, or
``MAX_CUSTOM_NODES`` for a custom JSON tree, ``MAX_ACTION_PARAMS`` for an action's parameters);
the constructor and the document converter use
that declaration, so a refusal says the same words either way: the field, the count and the cap.
The budgets over a whole document (``MAX_PIPELINE_ACTIONS``...: the items that lists spread
over a collection's items hold together) are caps too, declared in a field's metadata, and
counted from the lengths of the lists before any item is read.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel.testing.strategies import json_objects

SLOW = 0.5
"""Seconds: a generous bound for what ``benchmarks/bench_limits.py`` measures under 50 ms."""

AT = datetime(2026, 3, 1, tzinfo=UTC)


def _lead(**fields: Any) -> lm.Lead:
    return lm.Lead(
        id=lm.LeadId(fields.pop("id", "lead-1")),
        person_name="Olena Koval",
        contact_points=(lm.ContactPoint.email("olena@example.com"),),
        topic="t",
        source=lm.Source(channel=lm.Channel.form),
        created_at=AT,
        **fields,
    )


def _statuses(n: int) -> list[dict[str, object]]:
    statuses: list[dict[str, object]] = [{"key": f"s{i}"} for i in range(n - 2)]
    lost: dict[str, object] = {"key": "lost", "kind": "lost", "lost_reasons": ["r"]}
    return [*statuses, {"key": "won", "kind": "won"}, lost]


def _status_objects(n: int) -> tuple[lm.StatusSpec, ...]:
    """``_statuses(n)``, built by the constructor."""
    won = lm.StatusSpec(key="won", kind=lm.StatusKind.won)
    lost = lm.StatusSpec(key="lost", kind=lm.StatusKind.lost, lost_reasons=("r",))
    return (*(lm.StatusSpec(key=f"s{i}") for i in range(n - 2)), won, lost)


_OPEN = 101  # open statuses in the transitions case: 101 * 100 ordered pairs > MAX_TRANSITIONS


def _moves(n: int) -> list[dict[str, str]]:
    pairs = ((a, b) for a in range(_OPEN) for b in range(_OPEN) if a != b)
    return [{"from": f"s{a}", "to": f"s{b}"} for _, (a, b) in zip(range(n), pairs, strict=False)]


def _pipeline_with_moves(n: int) -> lm.PipelineSpec:
    moves = tuple(lm.Transition(source=m["from"], target=m["to"]) for m in _moves(n))
    return lm.PipelineSpec(key="p", statuses=_status_objects(_OPEN + 2), transitions=moves)


def _actions(n: int) -> list[dict[str, str]]:
    return [{"action": "custom", "name": f"a{i}"} for i in range(n)]


def _status_with_actions(n: int) -> lm.StatusSpec:
    actions = tuple(lm.ActionSpec(action="custom", params={"name": f"a{i}"}) for i in range(n))
    return lm.StatusSpec(key="new", on_enter=actions)


def _params(n: int) -> dict[str, lm.JSON]:
    """An action's parameters of ``n`` JSON values: the object, ``name`` and an array."""
    return {"name": "x", "p": [0] * (n - 3)}


def _names(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def _weights(n: int) -> dict[str, float]:
    return dict.fromkeys(_names("c", n), 1.0)


def _nodes(n: int) -> dict[str, object]:
    """A custom object of ``n`` JSON values: itself and ``n - 1`` numbers."""
    return {f"k{i}": i for i in range(n - 1)}


def _chunks(n: int, per: int) -> list[int]:
    """``n`` items in lists of ``per`` (the last may be shorter)."""
    return [min(per, n - i) for i in range(0, n, per)]


def _pipeline(statuses: list[dict[str, Any]]) -> dict[str, Any]:
    return {"key": "p", "statuses": [*statuses, {"key": "won", "kind": "won"}]}


def _built_pipeline(doc: dict[str, Any]) -> lm.PipelineSpec:
    """The pipeline ``doc`` holds, built by the constructor (each status read on its own)."""
    statuses = tuple(lm.from_dict(lm.StatusSpec, status) for status in doc["statuses"])
    return lm.PipelineSpec(key=doc["key"], statuses=statuses)


def _spread_actions(n: int, per: int = lm.MAX_ACTIONS) -> dict[str, Any]:
    chunks = _chunks(n, per)
    return _pipeline([{"key": f"s{i}", "on_enter": _actions(k)} for i, k in enumerate(chunks)])


def _requiring(k: int) -> dict[str, list[str]]:
    """``k`` requirements: up to ``MAX_REQUIREMENTS`` fields, then guards."""
    fields = _names("custom.f", min(k, lm.MAX_REQUIREMENTS))
    return {"fields": fields, "guards": _names("g", k - len(fields))}


def _spread_requirements(n: int, per: int = 2 * lm.MAX_REQUIREMENTS) -> dict[str, Any]:
    chunks = _chunks(n, per)
    return _pipeline([{"key": f"s{i}", "requires": _requiring(k)} for i, k in enumerate(chunks)])


def _spread_lost_reasons(n: int, per: int = lm.MAX_LOST_REASONS) -> dict[str, Any]:
    lost = [
        {"key": f"l{i}", "kind": "lost", "lost_reasons": _names("r", k)}
        for i, k in enumerate(_chunks(n, per))
    ]
    return _pipeline([{"key": "new"}, *lost])


def _spread_choices(n: int, per: int = lm.MAX_CHOICES) -> dict[str, Any]:
    criteria = [
        {"key": f"c{i}", "value_type": "choice", "choices": _names("x", k)}
        for i, k in enumerate(_chunks(n, per))
    ]
    return {"key": "F", "criteria": criteria}


def _built_framework(doc: dict[str, Any]) -> lm.Framework:
    criteria = tuple(lm.from_dict(lm.Criterion, criterion) for criterion in doc["criteria"])
    return lm.Framework(key=doc["key"], criteria=criteria)


@attrs.frozen(kw_only=True)
class Cap:
    """One cap: the class that holds the collection, its document and its constructor call
    for ``n`` items, the field's path, and the cap's value and name."""

    cls: type
    path: str
    cap: int
    name: str
    doc: Callable[[int], dict[str, Any]]
    build: Callable[[int], object]


CAPS = {
    "statuses": Cap(
        cls=lm.PipelineSpec, path="statuses", cap=lm.MAX_STATUSES, name="MAX_STATUSES",
        doc=lambda n: {"key": "p", "statuses": _statuses(n)},
        build=lambda n: lm.PipelineSpec(key="p", statuses=_status_objects(n)),
    ),
    "transitions": Cap(
        cls=lm.PipelineSpec, path="transitions", cap=lm.MAX_TRANSITIONS, name="MAX_TRANSITIONS",
        doc=lambda n: {"key": "p", "statuses": _statuses(_OPEN + 2), "transitions": _moves(n)},
        build=_pipeline_with_moves,
    ),
    "lost_reasons": Cap(
        cls=lm.StatusSpec, path="lost_reasons", cap=lm.MAX_LOST_REASONS, name="MAX_LOST_REASONS",
        doc=lambda n: {"key": "lost", "kind": "lost", "lost_reasons": _names("r", n)},
        build=lambda n: lm.StatusSpec(
            key="lost", kind=lm.StatusKind.lost, lost_reasons=tuple(_names("r", n))
        ),
    ),
    "on_enter": Cap(
        cls=lm.StatusSpec, path="on_enter", cap=lm.MAX_ACTIONS, name="MAX_ACTIONS",
        doc=lambda n: {"key": "new", "on_enter": _actions(n)},
        build=_status_with_actions,
    ),
    "params": Cap(
        cls=lm.ActionSpec, path="params", cap=lm.MAX_ACTION_PARAMS, name="MAX_ACTION_PARAMS",
        doc=lambda n: {"action": "custom", **_params(n)},
        build=lambda n: lm.ActionSpec(action="custom", params=_params(n)),
    ),
    "requires.fields": Cap(
        cls=lm.Requirements, path="fields", cap=lm.MAX_REQUIREMENTS, name="MAX_REQUIREMENTS",
        doc=lambda n: {"fields": _names("custom.f", n)},
        build=lambda n: lm.Requirements(fields=tuple(_names("custom.f", n))),
    ),
    "requires.guards": Cap(
        cls=lm.Requirements, path="guards", cap=lm.MAX_REQUIREMENTS, name="MAX_REQUIREMENTS",
        doc=lambda n: {"guards": _names("g", n)},
        build=lambda n: lm.Requirements(guards=tuple(_names("g", n))),
    ),
    "criteria": Cap(
        cls=lm.Framework, path="criteria", cap=lm.MAX_CRITERIA, name="MAX_CRITERIA",
        doc=lambda n: {"key": "F", "criteria": [{"key": k} for k in _names("c", n)]},
        build=lambda n: lm.Framework(
            key="F", criteria=tuple(lm.Criterion(key=k) for k in _names("c", n))
        ),
    ),
    "choices": Cap(
        cls=lm.Criterion, path="choices", cap=lm.MAX_CHOICES, name="MAX_CHOICES",
        doc=lambda n: {"key": "c", "value_type": "choice", "choices": _names("x", n)},
        build=lambda n: lm.Criterion(
            key="c", value_type=lm.ValueType.choice, choices=tuple(_names("x", n))
        ),
    ),
    "mandatory": Cap(
        cls=lm.AtLeast, path="mandatory", cap=lm.MAX_CRITERIA, name="MAX_CRITERIA",
        doc=lambda n: {"rule": "at_least", "k": 1, "mandatory": _names("c", n)},
        build=lambda n: lm.AtLeast(k=1, mandatory=tuple(_names("c", n))),
    ),
    "weights": Cap(
        cls=lm.Weighted, path="weights", cap=lm.MAX_CRITERIA, name="MAX_CRITERIA",
        doc=lambda n: {"rule": "weighted", "threshold": 1, "weights": _weights(n)},
        build=lambda n: lm.Weighted(threshold=1, weights=_weights(n)),
    ),
    "custom": Cap(
        cls=lm.Lead, path="custom", cap=lm.MAX_CUSTOM_NODES, name="MAX_CUSTOM_NODES",
        doc=lambda n: {**lm.to_dict(_lead()), "custom": _nodes(n)},
        build=lambda n: _lead(custom=_nodes(n)),
    ),
    "pipeline actions": Cap(
        cls=lm.PipelineSpec, path="statuses", cap=lm.MAX_PIPELINE_ACTIONS,
        name="MAX_PIPELINE_ACTIONS", doc=_spread_actions,
        build=lambda n: _built_pipeline(_spread_actions(n)),
    ),
    "pipeline requirements": Cap(
        cls=lm.PipelineSpec, path="statuses", cap=lm.MAX_PIPELINE_REQUIREMENTS,
        name="MAX_PIPELINE_REQUIREMENTS", doc=_spread_requirements,
        build=lambda n: _built_pipeline(_spread_requirements(n)),
    ),
    "pipeline lost reasons": Cap(
        cls=lm.PipelineSpec, path="statuses", cap=lm.MAX_PIPELINE_LOST_REASONS,
        name="MAX_PIPELINE_LOST_REASONS", doc=_spread_lost_reasons,
        build=lambda n: _built_pipeline(_spread_lost_reasons(n)),
    ),
    "framework choices": Cap(
        cls=lm.Framework, path="criteria", cap=lm.MAX_FRAMEWORK_CHOICES,
        name="MAX_FRAMEWORK_CHOICES", doc=_spread_choices,
        build=lambda n: _built_framework(_spread_choices(n)),
    ),
}  # fmt: skip


def _refusal(load: Callable[[], object]) -> lm.Problem:
    with pytest.raises(lm.ValidationError) as caught:
        load()
    [problem] = caught.value.problems
    return problem


@pytest.mark.parametrize("name", sorted(CAPS))
def test_one_past_a_cap_is_refused_by_its_count_in_the_same_words_either_way(name: str) -> None:
    """N + 1 items: the document and the constructor are refused with one problem at the
    field, naming the count, the cap and its constant."""
    cap = CAPS[name]
    n = cap.cap + 1
    read = _refusal(lambda: lm.from_dict(cap.cls, cap.doc(n)))
    text = _refusal(lambda: lm.from_json(cap.cls, json.dumps(cap.doc(n))))
    built = _refusal(lambda: cap.build(n))
    assert (read.path, read.message) == (text.path, text.message) == (built.path, built.message)
    assert read.path == cap.path
    assert f"{n:,}" in read.message
    assert f"at most {cap.cap:,}" in read.message
    assert f"({cap.name})" in read.message


@pytest.mark.parametrize("name", sorted(CAPS))
def test_a_collection_at_its_cap_is_accepted(name: str) -> None:
    cap = CAPS[name]
    built = cap.build(cap.cap)
    assert lm.from_dict(cap.cls, cap.doc(cap.cap)) == built
    assert lm.from_json(cap.cls, lm.to_json(built)) == built


def _deep_custom() -> dict[str, object]:
    tree: object = 0
    for _ in range(8):  # 3 * 4**8 leaves, 10 levels: ~260k values
        tree = [tree] * 4
    return {"d": [tree] * 3}


BIG = {  # about 1 MB of JSON each, all of it past a cap
    "statuses": lambda: CAPS["statuses"].doc(50_000),
    "transitions": lambda: CAPS["transitions"].doc(10_100) | {"transitions": _moves(10_100) * 3},
    "lost_reasons": lambda: CAPS["lost_reasons"].doc(100_000),
    "on_enter": lambda: CAPS["on_enter"].doc(25_000),
    "params": lambda: CAPS["params"].doc(300_000),
    "requires.fields": lambda: CAPS["requires.fields"].doc(60_000),
    "requires.guards": lambda: CAPS["requires.guards"].doc(100_000),
    "criteria": lambda: CAPS["criteria"].doc(50_000),
    "choices": lambda: CAPS["choices"].doc(100_000),
    "mandatory": lambda: CAPS["mandatory"].doc(100_000),
    "weights": lambda: CAPS["weights"].doc(70_000),
    "custom": lambda: CAPS["custom"].doc(65_000),
    "custom, deep": lambda: {**lm.to_dict(_lead()), "custom": _deep_custom()},
    # every list within its own cap, the items spread over a whole document
    "pipeline actions, 270 statuses x 100": lambda: _spread_actions(27_000),
    "pipeline requirements, 999 statuses x 60 fields": lambda: _spread_requirements(59_940, 60),
    "pipeline lost reasons, 130 statuses x 1,000": lambda: _spread_lost_reasons(130_000),
    "framework choices, 1,000 criteria x 130": lambda: _spread_choices(130_000, 130),
}


@pytest.mark.parametrize("name", sorted(BIG))
def test_a_1_mb_document_past_a_cap_is_refused_at_once(name: str) -> None:
    """Refused by a count, not by reading every item: well under 50 ms in the benchmark."""
    cap = CAPS[name.split(",", maxsplit=1)[0]]
    text = json.dumps(BIG[name]())
    assert 600_000 < len(text.encode()) < 1_100_000
    took = []
    for _ in range(3):  # the best of three: a pause of a loaded machine is not the library's
        start = time.perf_counter()
        problem = _refusal(lambda: lm.from_json(cap.cls, text))
        took.append(time.perf_counter() - start)
    assert min(took) < SLOW
    assert problem.path == cap.path
    assert f"({cap.name})" in problem.message


def test_a_list_past_its_own_cap_is_refused_by_it_not_counted_in_a_budget() -> None:
    """A list its own cap refuses is never read, so it costs nothing and is not counted: the
    problem names that list and its cap, not the budget over the document."""
    doc = _pipeline([{"key": "new", "on_enter": _actions(lm.MAX_PIPELINE_ACTIONS + 1)}])
    problem = _refusal(lambda: lm.from_dict(lm.PipelineSpec, doc))
    assert problem.path == "statuses[0].on_enter"
    assert "(MAX_ACTIONS)" in problem.message


def test_every_budget_a_document_passes_is_reported_at_once() -> None:
    """Budgets are checked together, like every problem of a spec, by the constructor and the
    converter alike; the statuses are then not read one by one."""
    actions = _spread_actions(lm.MAX_PIPELINE_ACTIONS + 1)["statuses"][:-1]
    reasons = _spread_lost_reasons(lm.MAX_PIPELINE_LOST_REASONS + 1)["statuses"][1:-1]
    doc = _pipeline([*actions, *reasons])
    with pytest.raises(lm.ValidationError) as read:
        lm.from_dict(lm.PipelineSpec, doc)
    with pytest.raises(lm.ValidationError) as built:
        _built_pipeline(_pipeline([*actions, *reasons]))
    assert read.value.problems == built.value.problems
    first, second = read.value.problems
    assert (first.path, second.path) == ("statuses", "statuses")
    assert "(MAX_PIPELINE_ACTIONS)" in first.message
    assert "(MAX_PIPELINE_LOST_REASONS)" in second.message


def test_a_pipeline_past_a_budget_is_refused_by_pipeline_loaders_in_the_same_words() -> None:
    doc = _spread_requirements(lm.MAX_PIPELINE_REQUIREMENTS + 1)
    with pytest.raises(lm.PipelineSpecError) as caught:
        lm.Pipeline.from_json(json.dumps(doc))
    [problem] = caught.value.problems
    assert problem == _refusal(lambda: _built_pipeline(doc))


def _count(value: object) -> int:
    """The JSON values of a plain tree, itself included (counted here, not by leadmodel)."""
    if isinstance(value, dict):
        return 1 + sum(_count(item) for item in value.values())
    if isinstance(value, list):
        return 1 + sum(_count(item) for item in value)
    return 1


@settings(max_examples=40, deadline=None)
@given(tree=json_objects(max_depth=6), room=st.integers(0, lm.MAX_CUSTOM_NODES))
def test_any_custom_tree_within_the_cap_is_accepted_and_round_trips(
    tree: dict[str, Any], room: int
) -> None:
    """Any JSON tree of at most ``MAX_CUSTOM_NODES`` values (and within the depth limit) is
    kept whole; one more value is refused, naming the count reached."""
    free = lm.MAX_CUSTOM_NODES - _count(tree) - 2  # the wrapper object and the padding array
    custom = {"tree": tree, "pad": [0] * min(room, free)}
    assert _count(custom) <= lm.MAX_CUSTOM_NODES
    lead = _lead(custom=custom)
    assert lm.to_dict(lead)["custom"] == custom
    assert lm.from_json(lm.Lead, lm.to_json(lead)) == lead
    over = {"tree": tree, "pad": [0] * (free + 1)}
    problem = _refusal(lambda: _lead(custom=over))
    assert f"at least {lm.MAX_CUSTOM_NODES + 1:,} JSON values" in problem.message


def test_a_custom_tree_with_other_problems_is_counted_the_same_way() -> None:
    """A tree that is not JSON is read again to name its problems; that reading counts as the
    first one did, so the cap's problem comes with the same count, after the others."""
    clean = {"a": 1.5, "b": list(range(20_000))}
    counted = _refusal(lambda: _lead(custom=clean))
    with pytest.raises(lm.ValidationError) as caught:
        _lead(custom={**clean, "a": float("nan")})
    nan, cap = caught.value.problems
    assert (nan.path, cap.path) == ("custom.a", "custom")
    assert cap.message == counted.message
    assert "at least 20,003 JSON values" in cap.message


def test_a_merge_whose_custom_would_pass_the_cap_is_refused_not_cut() -> None:
    """Two leads each within the cap may not be together: the merge is refused, naming custom
    and the cap, and no value is dropped to fit."""
    half = lm.MAX_CUSTOM_NODES // 2
    first = _lead(custom={"a": [0] * half})
    second = _lead(id="lead-2", custom={"b": [1] * half})
    with pytest.raises(lm.ValidationError) as caught:
        lm.merge(first, second, at=AT, by="anna")
    [problem] = caught.value.problems
    assert problem.path == "custom"
    assert f"{2 * half + 3:,} JSON values" in problem.message
    assert f"at most {lm.MAX_CUSTOM_NODES:,} (MAX_CUSTOM_NODES)" in problem.message
    assert str(caught.value).startswith("merge.custom: ")


def test_a_merge_whose_custom_reaches_the_cap_keeps_every_value() -> None:
    rest = lm.MAX_CUSTOM_NODES - 3  # the merged object, and the two arrays
    first = _lead(custom={"a": [0] * (rest // 2)})
    second = _lead(id="lead-2", custom={"b": [1] * (rest - rest // 2)})
    survivor = lm.merge(first, second, at=AT, by="anna").survivor
    assert survivor.custom == {"a": (0,) * (rest // 2), "b": (1,) * (rest - rest // 2)}
