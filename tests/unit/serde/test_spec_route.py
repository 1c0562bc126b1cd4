"""One route for spec data: every spec type goes through the one converter.

``lm.to_dict(spec) == spec.to_dict()`` and ``from_dict(cls, to_dict(x)) == x`` for pipeline
specs and their parts, frameworks with their criteria and rules, score models with their rules
and conditions, and match rules; a spec validates itself when it is built; a bad document gets
the same problems through every door that reads it, named in document terms (and, from TOML,
with their line).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import Pipeline, PipelineSpecError, ValidationError, pipelines
from leadmodel.testing import strategies as lst
from tests.unit.pipeline._spec_model import raw_specs, valid_specs

SPEC_TYPES = (
    lm.PipelineSpec,
    lm.StatusSpec,
    lm.ActionSpec,
    lm.Requirements,
    lm.Transition,
    lm.Framework,
    lm.Criterion,
    lm.AllOf,
    lm.AtLeast,
    lm.Weighted,
    lm.ScoreModel,
    lm.FitRule,
    lm.EngagementRule,
    lm.FieldIs,
    lm.FieldBetween,
    lm.HasTag,
    lm.FreeMail,
    lm.MatchRule,
    lm.Similar,
)
PRESET_PIPELINES = (pipelines.SIMPLE, pipelines.KEYCRM_REQUESTS, pipelines.B2B_DEALS)
PRESET_FRAMEWORKS = (lm.BANT, lm.GPCT, lm.GPCT_BA_CI, lm.CHAMP, lm.ANUM, lm.MEDDIC, lm.MEDDPICC)


def _one_document(spec: Any) -> dict[str, Any]:
    """The spec's document, checked to be the same through both doors and to read back."""
    doc: dict[str, Any] = spec.to_dict()
    assert lm.to_dict(spec) == doc
    assert doc["schema_version"] == lm.SCHEMA_VERSION
    assert lm.from_dict(type(spec), doc) == spec
    assert type(spec).from_dict(doc) == spec
    if _is_unicode(doc):  # JSON text is UTF-8: a lone surrogate has no place in it
        assert lm.from_json(type(spec), lm.to_json(spec)) == spec
        assert json.loads(lm.to_json(spec)) == doc
    return doc


def _is_unicode(doc: dict[str, Any]) -> bool:
    try:
        json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parts(spec: lm.PipelineSpec) -> list[Any]:
    statuses = list(spec.statuses)
    return [
        spec,
        *statuses,
        *(s.requires for s in statuses),
        *(a for s in statuses for a in s.on_enter),
        *spec.transitions,
    ]


def _framework_parts(framework: lm.Framework) -> list[Any]:
    return [framework, framework.rule, *framework.criteria]


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in error.problems]


# -- the one document ------------------------------------------------------------------------


@pytest.mark.parametrize("cls", SPEC_TYPES, ids=lambda cls: cls.__name__)
def test_every_spec_type_reads_and_writes_itself_through_the_converter(cls: type[Any]) -> None:
    assert attrs.has(cls)
    assert callable(getattr(cls, "to_dict", None))
    assert callable(getattr(cls, "from_dict", None))


@pytest.mark.parametrize("pipeline", PRESET_PIPELINES, ids=lambda p: p.key)
def test_a_preset_pipeline_is_one_document_whichever_door(pipeline: Pipeline) -> None:
    assert pipeline.to_dict() == lm.to_dict(pipeline.spec) == pipeline.spec.to_dict()
    assert Pipeline.from_dict(pipeline.to_dict()) == pipeline
    assert Pipeline.from_toml(pipeline.to_toml()) == pipeline
    for part in _parts(pipeline.spec):
        _one_document(part)


def test_the_compact_form_leaves_defaults_out_and_writes_enums_by_value() -> None:
    doc = pipelines.SIMPLE.to_dict()
    assert doc["statuses"][0] == {"key": "new", "label": "New"}
    assert doc["statuses"][2] == {"key": "won", "label": "Won", "kind": "won"}
    assert type(doc["statuses"][2]["kind"]) is str
    assert "policy" not in doc
    assert "transitions" not in doc
    assert lm.StatusSpec(key="new").to_dict() == {"schema_version": 1, "key": "new"}


def test_an_action_writes_its_parameters_beside_it() -> None:
    action = lm.ActionSpec(action="send_email", params={"template": "qualified"})
    assert action.to_dict() == {
        "schema_version": 1,
        "action": "send_email",
        "template": "qualified",
    }
    assert lm.ActionSpec.from_dict({"action": "send_email", "template": "qualified"}) == action


def test_a_transition_is_written_from_and_to() -> None:
    move = lm.Transition(source="lost", target="new")
    assert _one_document(move) == {"schema_version": 1, "from": "lost", "to": "new"}


@pytest.mark.parametrize("framework", PRESET_FRAMEWORKS, ids=lambda f: f.key)
def test_a_preset_framework_is_one_document(framework: lm.Framework) -> None:
    for part in _framework_parts(framework):
        _one_document(part)


def test_a_framework_writes_its_rule_flat_beside_its_keys() -> None:
    framework = lm.Framework(
        key="LITE",
        criteria=(lm.Criterion(key="budget"), lm.Criterion(key="need", label="Need")),
        rule=lm.AtLeast(k=1, mandatory=("budget",)),
    )
    assert _one_document(framework) == {
        "schema_version": 1,
        "key": "LITE",
        "criteria": [{"key": "budget"}, {"key": "need", "label": "Need"}],
        "rule": "at_least",
        "k": 1,
        "mandatory": ["budget"],
    }


@pytest.mark.parametrize("rule", lm.DEFAULT_RULES, ids=lambda r: r.name)
def test_a_default_match_rule_is_one_document(rule: lm.MatchRule) -> None:
    _one_document(rule)
    if rule.similar is not None:
        _one_document(rule.similar)


# -- property tests --------------------------------------------------------------------------


@given(valid_specs())
def test_a_valid_pipeline_spec_and_its_parts_are_one_document(
    generated: tuple[dict[str, Any], Pipeline],
) -> None:
    _, pipeline = generated
    assert pipeline.to_dict() == lm.to_dict(pipeline.spec)
    for part in _parts(pipeline.spec):
        _one_document(part)


def _read(read: Callable[[], object]) -> object:
    """What ``read`` returns, or the path and message of each problem it raises."""
    try:
        return read()
    except ValidationError as exc:
        return _problems(exc)


@given(raw_specs(tidy=0.5))
def test_both_doors_accept_and_refuse_the_same_pipeline_documents(spec: dict[str, Any]) -> None:
    """``lm.from_dict(PipelineSpec, d)`` and ``Pipeline.from_dict(d)`` (no guards named)."""
    through_the_pipeline = _read(lambda: Pipeline.from_dict(spec).spec)
    assert _read(lambda: lm.from_dict(lm.PipelineSpec, spec)) == through_the_pipeline


@given(lst.frameworks())
def test_a_framework_and_its_parts_are_one_document(framework: lm.Framework) -> None:
    for part in _framework_parts(framework):
        _one_document(part)


@given(lst.action_specs())
def test_an_action_is_one_document(action: lm.ActionSpec) -> None:
    _one_document(action)


_FIELDS = st.sampled_from(("owner", "tags", "source.channel", "custom.employees", "custom.роль"))
_SCALARS = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=8)
_NUMBERS = st.integers(-1000, 1000) | st.floats(-1e6, 1e6, allow_nan=False)
_CONDITIONS = st.one_of(
    st.builds(
        lm.FieldIs, field=_FIELDS, values=st.lists(_SCALARS, min_size=1, max_size=3).map(tuple)
    ),
    st.builds(lm.FieldBetween, field=_FIELDS, low=_NUMBERS, high=st.none()),
    st.builds(lm.FieldBetween, field=_FIELDS, low=st.none(), high=_NUMBERS),
    st.builds(lm.HasTag, tag=st.text(min_size=1, max_size=8).filter(str.strip)),
    st.just(lm.FreeMail()),
)
_NAMES = st.text(min_size=1, max_size=10).filter(str.strip)
_DURATIONS = st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=10**4))


@st.composite
def score_models(draw: st.DrawFn) -> lm.ScoreModel:
    names = draw(st.lists(_NAMES, unique=True, max_size=6))
    cut = draw(st.integers(0, len(names)))
    fit = tuple(
        lm.FitRule(name=name, points=draw(_NUMBERS), when=draw(_CONDITIONS)) for name in names[:cut]
    )
    engagement = tuple(
        lm.EngagementRule(
            kind=name,
            points=draw(_NUMBERS),
            half_life=draw(_DURATIONS),
            cap=draw(st.none() | st.floats(0.5, 1e6)),
        )
        for name in names[cut:]
    )
    return lm.ScoreModel(fit=fit, engagement=engagement, max_points=draw(st.floats(1, 1e6)))


@given(score_models())
def test_a_score_model_and_its_rules_are_one_document(model: lm.ScoreModel) -> None:
    for part in (model, *model.fit, *(r.when for r in model.fit), *model.engagement):
        _one_document(part)


@st.composite
def match_rules(draw: st.DrawFn) -> lm.MatchRule:
    similar = st.builds(
        lm.Similar,
        field=st.sampled_from(lm.SimilarField),
        at_least=st.floats(0, 1),
        if_missing=st.booleans(),
    )
    return lm.MatchRule(
        name=draw(_NAMES),
        party=draw(st.sampled_from(lm.Party)),
        keys=tuple(
            draw(st.lists(st.sampled_from(lm.KeyKind), min_size=1, max_size=3, unique=True))
        ),
        weight=draw(st.floats(0.01, 1)),
        similar=draw(st.none() | similar),
        unless_differ=tuple(draw(st.lists(st.sampled_from(lm.KeyKind), max_size=2, unique=True))),
        max_block=draw(st.none() | st.integers(2, 1000)),
    )


@given(match_rules())
def test_a_match_rule_is_one_document(rule: lm.MatchRule) -> None:
    _one_document(rule)


@given(_DURATIONS)
def test_a_half_life_is_written_as_an_iso_8601_duration(half_life: timedelta) -> None:
    rule = lm.EngagementRule(kind="visit", points=1, half_life=half_life)
    assert _one_document(rule)["half_life"].startswith("P")


# -- specs check themselves ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "path", "message"),
    [
        (lambda: lm.StatusSpec(key="", label=""), "key", "must not be blank"),
        (lambda: lm.StatusSpec(key="a b"), "key", "no spaces"),
        (lambda: lm.StatusSpec(key="new", label=5), "label", "expected a string"),  # type: ignore[arg-type]
        (lambda: lm.StatusSpec(key="lost", kind=lm.StatusKind.lost), "lost_reasons", "reasons"),
        (lambda: lm.ActionSpec(action="send_fax"), "action", "unknown action"),
        (lambda: lm.ActionSpec(action="send_email"), "params.template", "needs the parameter"),
        (lambda: lm.Requirements(fields=("budget",)), "fields[0]", "not a Lead field"),
        (lambda: lm.Transition(source="new", target=" "), "target", "must not be blank"),
        (
            lambda: lm.PipelineSpec(
                key="p", statuses=(lm.StatusSpec(key="a"), lm.StatusSpec(key="a"))
            ),
            "statuses[1].key",
            "duplicate status 'a'",
        ),
        (lambda: lm.PipelineSpec(key="p", statuses=()), "statuses", "at least one status"),
        (lambda: lm.AtLeast(k=0), "k", "whole number"),
        (lambda: lm.FieldIs(field="budget", values=(1,)), "field", "not a Lead field"),
    ],
)
def test_a_spec_refuses_to_be_built_invalid(
    build: Callable[[], object], path: str, message: str
) -> None:
    with pytest.raises(ValidationError) as info:
        build()
    assert path in [p.path for p in info.value.problems]
    assert message in str(info.value)


def test_a_pipeline_spec_checks_the_whole_funnel() -> None:
    with pytest.raises(ValidationError) as info:
        lm.PipelineSpec(
            key="p",
            statuses=(lm.StatusSpec(key="new"), lm.StatusSpec(key="open_too")),
            transitions=(lm.Transition(source="new", target="nowhere"),),
        )
    assert [p.path for p in info.value.problems] == [
        "statuses",  # no won status
        "transitions[0].target",  # unknown status
        "statuses[0]",  # dead end
        "statuses[1]",  # dead end
    ]


def test_a_fit_rule_with_a_python_callable_cannot_be_written() -> None:
    model = lm.ScoreModel(
        fit=(
            lm.FitRule(name="mail", points=1, when=lm.FreeMail()),
            lm.FitRule(name="vip", points=5, when=lambda lead: "vip" in lead.tags),
        )
    )
    with pytest.raises(ValidationError) as info:
        model.to_dict()
    assert [p.path for p in info.value.problems] == ["fit[1].when"]
    assert "holds a function, which is code, not data" in str(info.value)
    with pytest.raises(ValidationError, match="callable"):
        lm.to_dict(model)


# -- bad documents: the same problems, in document terms -------------------------------------

GOOD: dict[str, Any] = pipelines.SIMPLE.to_dict()


def _bad(**changes: Any) -> dict[str, Any]:
    return {**GOOD, **changes}


BAD_PIPELINES = [
    _bad(policy="sideways"),
    _bad(colour="red"),
    _bad(statuses=[]),
    _bad(statuses=[{"key": "new"}, {"key": "new", "kind": "won"}]),
    _bad(transitions=[{"from": "new", "to": "nowhere"}]),
    _bad(transitions=[{"source": "new", "target": "won"}]),
    _bad(statuses=[*GOOD["statuses"][:1], {"key": "x", "on_enter": [{"action": "send_email"}]}]),
    _bad(statuses=["new", *GOOD["statuses"][1:]]),
    _bad(key=" ", allow_reopen="yes", schema_version=1),
    {"label": "no key"},
]


@pytest.mark.parametrize("doc", BAD_PIPELINES)
def test_a_bad_pipeline_document_gets_the_same_problems_through_every_door(
    doc: dict[str, Any],
) -> None:
    with pytest.raises(PipelineSpecError) as through_pipeline:
        Pipeline.from_dict(doc)
    with pytest.raises(ValidationError) as through_serde:
        lm.from_dict(lm.PipelineSpec, doc)
    with pytest.raises(ValidationError) as through_the_class:
        lm.PipelineSpec.from_dict(doc)
    assert _problems(through_pipeline.value) == _problems(through_serde.value)
    assert _problems(through_serde.value) == _problems(through_the_class.value)
    assert through_serde.value.problems


def test_problem_paths_are_in_document_terms() -> None:
    doc = _bad(
        statuses=[
            {"key": "new"},
            {"key": "won", "kind": "won", "on_enter": [{"action": "send_email", "to": 1}]},
        ],
        transitions=[{"from": "new", "to": "nowhere"}],
    )
    with pytest.raises(ValidationError) as info:
        lm.from_dict(lm.PipelineSpec, doc)
    assert [p.path for p in info.value.problems] == [
        "statuses[1].on_enter[0].template",
        "transitions[0].to",
    ]


def test_every_problem_is_reported_even_where_parts_did_not_load() -> None:
    """A status that does not load still takes part in the whole-funnel checks."""
    doc = _bad(
        statuses=[
            {"key": "new"},
            {"key": "new", "kind": "wonn"},
            {"key": "lost", "kind": "lost", "on_enter": [{"action": "send_email"}]},
            {"key": "won", "kind": "won"},
        ],
        transitions=[{"from": "new", "to": "offer"}],
    )
    with pytest.raises(PipelineSpecError) as info:
        Pipeline.from_dict(doc)
    assert [p.path for p in info.value.problems] == [
        "statuses[1].kind",
        "statuses[2].lost_reasons",
        "statuses[2].on_enter[0].template",
        "statuses[1].key",
        "transitions[0].to",
    ]


def test_a_newer_schema_version_is_refused_and_the_current_one_accepted() -> None:
    assert Pipeline.from_dict({**GOOD, "schema_version": 1}) == pipelines.SIMPLE
    with pytest.raises(PipelineSpecError, match="schema_version"):
        Pipeline.from_dict({**GOOD, "schema_version": 99})
    with pytest.raises(ValidationError, match="schema_version"):
        lm.Framework.from_dict({**lm.BANT.to_dict(), "schema_version": 99})


TOML_WITH_MISTAKES = """\
key = "requests"
policy = "sideways"

[[statuses]]
key = "new"

[[statuses]]
key = "won"
kind = "won"
on_enter = [{ action = "send_fax" }]

[[transitions]]
from = "new"
to = "offer"
"""


def test_toml_problems_keep_their_lines_and_paths() -> None:
    with pytest.raises(PipelineSpecError) as info:
        Pipeline.from_toml(TOML_WITH_MISTAKES)
    assert [(p.line, p.path) for p in info.value.problems] == [
        (2, "policy"),
        (10, "statuses[1].on_enter[0].action"),
        (14, "transitions[0].to"),
    ]
    with pytest.raises(ValidationError) as framework:
        lm.Framework.from_toml('key = "F"\n\n[[criteria]]\nkey = "a"\nvalue_type = "colour"\n')
    assert [(p.line, p.path) for p in framework.value.problems] == [(5, "criteria[0].value_type")]


def test_framework_toml_comes_in_as_text_never_as_a_path(tmp_path: Any) -> None:
    with pytest.raises(ValidationError, match="read_text"):
        lm.Framework.from_toml(tmp_path / "spec.toml")


def test_pipeline_toml_from_a_path_is_deprecated_not_refused(tmp_path: Any) -> None:
    """A path worked before the domain stopped reading files: it still does, with a warning."""
    path = tmp_path / "spec.toml"
    path.write_text(lm.pipelines.SIMPLE.to_toml(), encoding="utf-8")
    with pytest.warns(DeprecationWarning, match="reads no files"):
        assert Pipeline.from_toml(path) == lm.pipelines.SIMPLE
