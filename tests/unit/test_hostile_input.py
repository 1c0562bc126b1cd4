"""Hostile input to every public loader and entry point: only LeadModelError escapes.

Each class of input the trial attacks used (lone surrogates, invalid UTF-8, deep nesting,
huge numbers, extreme dates, wrong types) goes to ``lm.from_dict`` / ``lm.from_json`` for each
public type, to the pipeline, framework, score model and match rule loaders, to the entity
constructors and to ``Pipeline.enter/move/transfer``. Storage entry points are in
``tests/integration/storage/test_hostile_storage.py`` and the storage contract suite.
"""

from __future__ import annotations

import contextlib
import json
import reprlib
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel.errors import LeadModelError, PipelineSpecError, ValidationError

from .serde._types import SAFE

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
SURROGATE = "\ud800"


class _NoOffset(tzinfo):
    """A tzinfo that knows no offset: such a datetime is naive in all but name."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None

    def dst(self, dt: datetime | None) -> None:
        return None

    def tzname(self, dt: datetime | None) -> None:
        return None


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


DEEP = {"deep 1,000": _nested(1_000), "deep 100,000": _nested(100_000)}
WRONG_TYPES: tuple[object, ...] = (None, 5, [], {}, b"", object())
HUGE_NUMBERS: tuple[object, ...] = (2**63, -(2**63) - 1, 10**400, 1e309, float("nan"))
EXTREME_DATES: tuple[object, ...] = (
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
    datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
    datetime(2026, 3, 2),  # naive
    datetime(2026, 3, 2, tzinfo=_NoOffset()),
    date(2026, 3, 2),
    "2026-03-02T00:00:00+00:00",
    0,
)
EXTREME_DATE_TEXTS = (
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:00-14:00",
    "0000-01-01T00:00:00+00:00",
    "10000-01-01T00:00:00+00:00",
    "2026-03-01T00:00:00+25:00",
)
HOSTILE_VALUES: tuple[object, ...] = (
    SURROGATE,
    f"x{SURROGATE}y",
    *WRONG_TYPES,
    *HUGE_NUMBERS,
    *EXTREME_DATES,
    *EXTREME_DATE_TEXTS,
    _nested(1_000),
)


def _lead(**overrides: Any) -> lm.Lead:
    fields: dict[str, Any] = {
        "id": "lead-1",
        "person_name": "Олена Коваль",
        "contact_points": (lm.ContactPoint.email("olena@example.com"),),
        "topic": "windows",
        "source": lm.Source(channel=lm.Channel.form),
        "created_at": AT,
    }
    fields.update(overrides)
    return lm.Lead(**fields)


def _score_model() -> lm.ScoreModel:
    return lm.ScoreModel(
        fit=(
            lm.FitRule(
                name="form", points=10, when=lm.FieldIs(field="source.channel", values=("form",))
            ),
        ),
        engagement=(lm.EngagementRule(kind="email_opened", points=5, half_life=timedelta(7)),),
    )


def _loaders() -> dict[str, Callable[[object], object]]:
    """Every public loader of a document, by name; each takes a dict."""

    def loader(cls: type) -> Callable[[object], object]:
        return lambda d: lm.from_dict(cls, d)

    out: dict[str, Callable[[object], object]] = {
        f"lm.from_dict({cls.__name__})": loader(cls) for cls in SAFE
    }
    out |= {
        "Pipeline.from_dict": lm.Pipeline.from_dict,  # type: ignore[dict-item]
        "lm.from_dict(PipelineSpec)": loader(lm.PipelineSpec),
        "Framework.from_dict": lm.Framework.from_dict,  # type: ignore[dict-item]
        "ScoreModel.from_dict": lm.ScoreModel.from_dict,  # type: ignore[dict-item]
        "MatchRule.from_dict": lm.MatchRule.from_dict,  # type: ignore[dict-item]
        "Registry.from_dict": lm.Registry.from_dict,  # type: ignore[dict-item]
    }
    return out


def _documents() -> dict[str, dict[str, Any]]:
    """A valid document for the spec loaders (the entity documents are drawn)."""
    return {
        "Pipeline.from_dict": lm.pipelines.KEYCRM_REQUESTS.to_dict(),
        "lm.from_dict(PipelineSpec)": lm.pipelines.B2B_DEALS.to_dict(),
        "Framework.from_dict": lm.to_dict(lm.BANT),
        "ScoreModel.from_dict": _score_model().to_dict(),
        "MatchRule.from_dict": lm.to_dict(lm.DEFAULT_RULES[1]),
        "Registry.from_dict": lm.Registry(
            pipelines=[lm.pipelines.B2B_DEALS],
            frameworks=[lm.BANT],
            score_models=[attrs.evolve(_score_model(), key="inbound")],
        ).to_dict(),
    }


def _only_leadmodel_errors(call: Callable[[], object]) -> None:
    """``call`` returns, or raises a LeadModelError; anything else fails the test."""
    with contextlib.suppress(LeadModelError):
        call()


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to every string (value or key) in a document: a key path ends in ``("key", k)``."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield (*path, ("key", key))
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))


def _with_surrogate(doc: Any, path: tuple[Any, ...]) -> Any:
    """A copy of ``doc`` with a lone surrogate added to the string (or key) at ``path``."""
    copy = json.loads(json.dumps(doc))
    *parents, last = path if path else (None,)
    holder = copy
    for step in parents:
        holder = holder[step]
    if isinstance(last, tuple):  # a key
        holder[last[1] + SURROGATE] = holder.pop(last[1])
    else:
        holder[last] = holder[last] + SURROGATE
    return copy


# -- lone surrogates ---------------------------------------------------------------------------
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_lone_surrogate_in_any_string_of_any_document_is_refused(data: st.DataObject) -> None:
    """A lone surrogate is not text: from_dict and from_json refuse it anywhere in a document,
    for every public type (strings and keys), as ValidationError."""
    cls = data.draw(st.sampled_from(sorted(SAFE, key=lambda c: c.__name__)))
    doc = lm.to_dict(data.draw(SAFE[cls]))
    paths = list(_leaves(doc))
    path = data.draw(st.sampled_from(paths))
    bad = _with_surrogate(doc, path)
    with pytest.raises(ValidationError):
        lm.from_dict(cls, bad)
    with pytest.raises(ValidationError):
        lm.from_json(cls, json.dumps(bad))  # "\ud800" escapes, as a browser might send


@pytest.mark.parametrize("name", sorted(_documents()))
def test_a_lone_surrogate_in_any_string_of_a_spec_is_refused(name: str) -> None:
    """Pipelines, frameworks, score models and match rules refuse a lone surrogate in every
    string and key of their documents (and in JSON and TOML text)."""
    doc = _documents()[name]
    loader = _loaders()[name]
    for path in _leaves(doc):
        with pytest.raises(ValidationError):
            loader(_with_surrogate(doc, path))
    bad_label = _with_surrogate(lm.pipelines.SIMPLE.to_dict(), ("label",))
    with pytest.raises(PipelineSpecError):
        lm.Pipeline.from_json(json.dumps(bad_label))
    with pytest.raises(PipelineSpecError):
        lm.Pipeline.from_toml(f'key = "x{SURROGATE}"\n')


@settings(max_examples=5, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_a_lone_surrogate_is_refused_by_every_text_field_of_a_constructor(
    data: st.DataObject,
) -> None:
    """Every string field of every public value and entity refuses a lone surrogate, so
    nothing that cannot be written as JSON or stored can be built."""
    checked = 0
    for cls, strategy in SAFE.items():
        example = data.draw(strategy, label=cls.__name__)
        for field in attrs.fields(type(example)):
            value = getattr(example, field.name)
            if field.init and type(value) is str:
                checked += 1
                with pytest.raises(ValidationError):
                    attrs.evolve(example, **{field.name: value + SURROGATE})
        assert cls is type(example)
    assert checked > 30


def test_a_lone_surrogate_in_custom_data_or_a_move_is_refused() -> None:
    """Custom JSON values and keys, and a move's who/why/note, refuse lone surrogates."""
    for custom in ({"k": SURROGATE}, {SURROGATE: 1}, {"k": [{"n": f"a{SURROGATE}"}]}):
        with pytest.raises(ValidationError):
            _lead(custom=custom)
    requests = lm.pipelines.KEYCRM_REQUESTS
    lead = requests.enter(_lead(), at=AT, by="anna")
    for kw in ({"by": SURROGATE}, {"note": SURROGATE}):
        with pytest.raises(ValidationError):
            requests.move(lead, "in_work", at=AT, **{"by": "anna", **kw})
    with pytest.raises(LeadModelError):
        requests.move(lead, SURROGATE, at=AT, by="anna")


# -- pipeline loaders --------------------------------------------------------------------------
PIPELINE_TEXTS: dict[str, object] = {
    "invalid UTF-8": b'key = "\xff"',
    "a TOML array 600 deep": "x = " + "[" * 600 + "]" * 600,
    "a TOML inline table 600 deep": "x = " + "{a=" * 600 + "1" + "}" * 600,
    "a TOML array 100,000 deep": "x = " + "[" * 100_000 + "]" * 100_000,
    "an int": 5,
    "None": None,
    "a list": [],
    "an object": object(),
    "a path that does not exist": Path("/nonexistent/leadmodel/spec.toml"),
}


@pytest.mark.parametrize("name", sorted(PIPELINE_TEXTS))
def test_pipeline_text_loaders_raise_only_pipeline_spec_errors(name: str) -> None:
    """Pipeline.from_toml and from_json raise PipelineSpecError for text that is not UTF-8,
    nested too deep, or not text at all (and a path that cannot be read)."""
    text = PIPELINE_TEXTS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(PipelineSpecError):
            lm.Pipeline.from_toml(text)  # type: ignore[arg-type]
    if not isinstance(text, str | Path) or "TOML" not in name:
        with pytest.raises(PipelineSpecError):
            lm.Pipeline.from_json(text)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        lm.Framework.from_toml(text)  # type: ignore[arg-type]


@pytest.mark.parametrize("depth", [500, 1_000, 100_000])
def test_deeply_nested_action_parameters_are_a_pipeline_spec_error(depth: int) -> None:
    """An on_enter action parameter nested deeper than custom data allows is a problem with
    a path, in dict, JSON and TOML forms (never a RecursionError)."""
    doc = lm.pipelines.KEYCRM_REQUESTS.to_dict()
    doc["statuses"][3]["on_enter"][0]["note"] = _nested(depth)
    with pytest.raises(PipelineSpecError):
        lm.Pipeline.from_dict(doc)
    text = '{"key":"k","statuses":[{"key":"a","on_enter":[{"action":"custom","name":"n","p":'
    text += "[" * depth + "]" * depth + "}]}]}"
    with pytest.raises(PipelineSpecError):
        lm.Pipeline.from_json(text)


def test_action_keys_that_are_not_strings_are_a_pipeline_spec_error() -> None:
    """An action table whose keys mix int and str is a problem, not a TypeError."""
    doc = lm.pipelines.KEYCRM_REQUESTS.to_dict()
    doc["statuses"][3]["on_enter"][0].update({1: "x", "zz": "y"})
    with pytest.raises(PipelineSpecError):
        lm.Pipeline.from_dict(doc)


# -- every loader, every class of hostile value ------------------------------------------------
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_loader_raises_only_leadmodel_errors_for_hostile_values(
    data: st.DataObject,
) -> None:
    """Any field of any document replaced by a hostile value (a surrogate, a huge number, an
    extreme date, a wrong type, deep nesting): the loader accepts it or raises a
    LeadModelError; from_json gets the same document as text."""
    loaders = _loaders()
    name = data.draw(st.sampled_from(sorted(loaders)))
    documents = _documents()
    if name in documents:
        doc = documents[name]
    else:
        cls = next(c for c in SAFE if f"({c.__name__})" in name)
        doc = lm.to_dict(data.draw(SAFE[cls]))
    paths = [p for p in _leaves(doc) if p and not isinstance(p[-1], tuple)]
    bad = json.loads(json.dumps(doc))
    if paths:
        *parents, last = data.draw(st.sampled_from(paths))
        holder = bad
        for step in parents:
            holder = holder[step]
        holder[last] = data.draw(st.sampled_from(HOSTILE_VALUES))
    _only_leadmodel_errors(lambda: loaders[name](bad))
    if name.startswith("lm.from_dict(") and name != "lm.from_dict(PipelineSpec)":
        cls = next(c for c in SAFE if f"({c.__name__})" in name)
        try:
            text = json.dumps(bad, default=repr)
        except (ValueError, RecursionError):
            return
        _only_leadmodel_errors(lambda: lm.from_json(cls, text))


NOT_DOCUMENTS = tuple(v for v in HOSTILE_VALUES + tuple(DEEP.values()) if v != {})


@pytest.mark.parametrize("value", NOT_DOCUMENTS, ids=reprlib.repr)
def test_whole_document_loaders_refuse_what_is_not_a_document(value: object) -> None:
    """A whole document that is a hostile value is a LeadModelError for every loader (an empty
    object is a document: each loader takes or refuses it by its own rules)."""
    for name, loader in _loaders().items():
        with pytest.raises(LeadModelError):
            loader(value)
        assert name
    with pytest.raises(LeadModelError):
        lm.from_json(lm.Lead, value)  # type: ignore[arg-type]


# -- dates -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", EXTREME_DATE_TEXTS)
def test_a_datetime_whose_utc_instant_is_out_of_range_is_refused(text: str) -> None:
    """A timestamp whose UTC instant is outside years 1 to 9999 is refused by the loaders
    and the constructors alike, so scoring never overflows later."""
    doc = lm.to_dict(_lead())
    doc["created_at"] = text
    with pytest.raises(ValidationError):
        lm.from_dict(lm.Lead, doc)
    with pytest.raises(ValidationError):
        lm.from_json(lm.Lead, json.dumps(doc))


@pytest.mark.parametrize("at", EXTREME_DATES[:2])
def test_constructors_refuse_a_datetime_out_of_range_in_utc(at: datetime) -> None:
    """``0001-01-01T00:00+14:00`` is a datetime, but its UTC instant is not: refused."""
    with pytest.raises(ValidationError):
        _lead(created_at=at)
    with pytest.raises(ValidationError):
        lm.Engagement(kind="email_opened", at=at)


# -- moves -------------------------------------------------------------------------------------
@pytest.mark.parametrize("at", [*EXTREME_DATES, None], ids=reprlib.repr)
def test_transfer_refuses_an_at_that_is_not_an_aware_datetime(at: object) -> None:
    """Pipeline.transfer checks ``at`` before comparing it: a naive datetime, a date, a string,
    a number, None or a tzinfo without offset is a ValidationError, never a TypeError."""
    requests = lm.pipelines.KEYCRM_REQUESTS
    lead = requests.enter(_lead(), at=AT, by="anna")
    with pytest.raises(ValidationError):
        requests.transfer(lead, lm.pipelines.B2B_DEALS, at=at, by="anna")  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(
    which=st.sampled_from(["enter", "move", "transfer"]),
    arg=st.sampled_from(["lead", "status", "at", "by", "note", "to_pipeline"]),
    value=st.sampled_from(HOSTILE_VALUES),
)
def test_enter_move_and_transfer_raise_only_leadmodel_errors(
    which: str, arg: str, value: object
) -> None:
    """Any argument of enter, move or transfer replaced by a hostile value: a LeadModelError."""
    requests = lm.pipelines.KEYCRM_REQUESTS
    lead = _lead()
    args: dict[str, Any] = {"lead": lead, "at": AT, "by": "anna"}
    if which != "enter":
        args["lead"] = requests.enter(lead, at=AT, by="anna")
    if arg != "to_pipeline" or which == "transfer":
        args[arg] = value
    if which == "enter":
        args.pop("note", None)
        args.pop("to_pipeline", None)
        _only_leadmodel_errors(lambda: requests.enter(**args))
    elif which == "move":
        args.pop("to_pipeline", None)
        status = args.pop("status", "in_work")
        _only_leadmodel_errors(lambda: requests.move(args.pop("lead"), status, **args))
    else:
        to = args.pop("to_pipeline", lm.pipelines.B2B_DEALS)
        _only_leadmodel_errors(lambda: requests.transfer(args.pop("lead"), to, **args))


def test_scoring_never_overflows_on_dates_the_constructors_accept() -> None:
    """Dates at the edge of the range that load can be scored: no OverflowError."""
    edge = datetime(1, 1, 1, 14, tzinfo=timezone(timedelta(hours=14)))
    lead = _lead(created_at=edge)
    events = [lm.Engagement(kind="email_opened", at=edge)]
    lm.temperature(lead, events, at=AT)
    _score_model().score(lead, events, at=AT)


def test_a_lone_surrogate_can_never_reach_to_json() -> None:
    """Since nothing with a lone surrogate can be built, to_json of any loaded value works."""
    event = {"lead_id": f"lead-8128{SURROGATE}", "interest_ids": [], "at": AT.isoformat()}
    with pytest.raises(ValidationError):
        lm.from_dict(lm.LeadCreated, {**event, "by": "x"})
    assert lm.to_json(lm.from_dict(lm.Lead, lm.to_dict(_lead())))
    assert lm.to_json(lm.pipelines.KEYCRM_REQUESTS.spec)
    assert date(2026, 1, 1)  # keeps the date import honest for the parametrised cases


def test_a_lone_surrogate_anywhere_in_a_merge_record_is_refused() -> None:
    """What a merge keeps (conflicting values, fields, provenance) is text like any other."""
    base = {
        "at": "2026-03-02T09:00:00+00:00",
        "absorbed_ids": ["lead-2"],
        "conflicts": [{"field": "owner", "values": {"lead-1": "anna", "lead-2": "boris"}}],
        "provenance": {"owner": "lead-1"},
    }
    assert lm.from_dict(lm.MergeRecord, base).provenance == {"owner": "lead-1"}
    bad_documents = (
        {**base, "provenance": {f"owner{SURROGATE}": "lead-1"}},
        {**base, "provenance": {"owner": f"lead-1{SURROGATE}"}},
        {**base, "conflicts": [{"field": "owner", "values": {"lead-1": f"a{SURROGATE}"}}]},
        {**base, "conflicts": [{"field": f"custom.k{SURROGATE}", "values": {"lead-1": 1}}]},
    )
    for document in bad_documents:
        with pytest.raises(ValidationError):
            lm.from_dict(lm.MergeRecord, document)
