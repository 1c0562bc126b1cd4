"""Predictive scoring as data: fields name Lead field paths, and a trained scorer dumps, loads
and scores exactly as before."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import Binned, Categorical, DerivedValue, PredictiveScorer, ValueTally
from leadmodel.domain.values import normalise
from leadmodel.errors import ValidationError
from tests.factories import lead

from ._predictive import EDGES, lost_lead, scorer, won_lead

FIELDS = (
    Categorical.channel(),
    Categorical.owner(),
    Categorical.time_zone(),
    Categorical.phone_country(),
    Categorical.has_company(),
    Categorical.tag("vip"),
    Categorical(field="custom.segment"),
    Categorical(field="source.campaign"),
    Binned.custom("size", EDGES),
    Binned.expected_value((1000, 10000), currency="UAH"),
)

PHONES = (
    None,
    lm.ContactPoint.phone("+48 601 234 567"),
    lm.ContactPoint.phone("+380 50 123 4567"),
    lm.ContactPoint.phone("050 123 4567", region="UA"),
)
# 1, 1.0 and True are one category; a dumped scorer must still find it under each
SEGMENTS = ("retail", "wholesale", 1, 1.0, True, False, 0, 2.5, None)


@st.composite
def leads(draw: st.DrawFn, i: int, outcome: bool | None) -> lm.Lead:
    phone = draw(st.sampled_from(PHONES))
    segment = draw(st.sampled_from(SEGMENTS))
    size = draw(st.sampled_from((None, 10, 999.5, 1000, 4000, 5000, 70000)))
    amount = draw(st.sampled_from((None, "500", "1000", "9999.99", "25000")))
    custom: dict[str, Any] = {"segment": segment}
    if size is not None:
        custom["size"] = size
    fields: dict[str, Any] = {
        "source": lm.Source(
            channel=draw(st.sampled_from(list(lm.Channel))),
            campaign=draw(st.sampled_from((None, "spring", "autumn"))),
        ),
        "owner": draw(st.sampled_from((None, "anna", "bohdan"))),
        "time_zone": draw(st.sampled_from((None, "Europe/Kyiv", "Europe/Warsaw"))),
        "tags": draw(st.sampled_from((frozenset(), frozenset({"vip"}), frozenset({"cold"})))),
        "company_name": draw(st.sampled_from((None, "ТОВ Меблі"))),
        "custom": custom,
        "expected_value": None if amount is None else lm.Money.of(amount, "UAH"),
    }
    if phone is not None:
        fields["contact_points"] = (phone, lm.ContactPoint.email(f"lead{i}@example.com"))
    if outcome is None:
        return lead(id=lm.LeadId(f"lead-{i}"), **fields)
    return won_lead(i, **fields) if outcome else lost_lead(i, **fields)


@st.composite
def training_leads(draw: st.DrawFn) -> list[lm.Lead]:
    outcomes = draw(st.lists(st.sampled_from((True, False, None)), max_size=25))
    outcomes = [True, False, *outcomes]  # training needs both outcomes
    return [draw(leads(i, outcome)) for i, outcome in enumerate(outcomes)]


new_leads = st.lists(st.integers(1000, 1100).flatmap(lambda i: leads(i, None)), max_size=8)


def _round_trips(trained: PredictiveScorer) -> list[PredictiveScorer]:
    return [
        lm.from_dict(PredictiveScorer, lm.to_dict(trained)),
        lm.from_json(PredictiveScorer, lm.to_json(trained)),
        lm.from_dict(PredictiveScorer, json.loads(lm.to_json(trained, indent=2))),
    ]


@given(training_leads(), new_leads, st.booleans(), st.sampled_from((1.0, 0.5, 2.5)))
@settings(max_examples=60, deadline=None)
def test_a_dumped_trained_scorer_loads_back_and_scores_identically(
    training: list[lm.Lead], others: list[lm.Lead], vectorised: bool, alpha: float
) -> None:
    """Every probability and explanation of the loaded scorer equals the original's exactly."""
    trained = PredictiveScorer(fields=FIELDS, alpha=alpha).fit(training, vectorised=vectorised)
    columns, _ = trained.extract(training)
    for loaded in _round_trips(trained):
        assert loaded == trained
        assert lm.to_dict(loaded) == lm.to_dict(trained)
        for one in [*training, *others]:
            assert loaded.probability(one) == trained.probability(one)
            assert loaded.explain(one) == trained.explain(one)
        for path in (True, False):
            assert loaded.probabilities(columns, vectorised=path) == trained.probabilities(
                columns, vectorised=path
            )


@given(training_leads(), new_leads.filter(bool))
@settings(max_examples=25, deadline=None)
def test_a_loaded_scorer_goes_on_learning_as_the_original_would(
    training: list[lm.Lead], more: list[lm.Lead]
) -> None:
    trained = PredictiveScorer(fields=FIELDS).fit(training)
    loaded = lm.from_json(PredictiveScorer, lm.to_json(trained))
    closed = [won_lead(2000 + i, owner=one.owner) for i, one in enumerate(more)]
    for one in closed:
        trained, loaded = trained.update(one), loaded.update(one)
    assert loaded == trained
    assert lm.to_dict(loaded) == lm.to_dict(trained)


def test_an_untrained_scorer_round_trips() -> None:
    fresh = PredictiveScorer(fields=FIELDS, alpha=0.5)
    assert lm.from_json(PredictiveScorer, lm.to_json(fresh)) == fresh
    assert lm.to_dict(fresh)["tallies"] == [[] for _ in FIELDS]


def test_the_dump_is_plain_data_a_person_can_read() -> None:
    trained = scorer(Categorical.channel(), Categorical.tag("vip")).fit(
        [won_lead(1, tags=frozenset({"vip"})), lost_lead(2), lost_lead(3)]
    )
    assert lm.to_dict(trained) == {
        "schema_version": 1,
        "fields": [
            {"name": "channel", "field": "source.channel", "derived": None, "tagged": None},
            {"name": "tag:vip", "field": None, "derived": None, "tagged": "vip"},
        ],
        "alpha": 1.0,
        "won": 1,
        "lost": 2,
        "tallies": [
            [{"value": "form", "won": 1, "lost": 2}],
            [{"value": False, "won": 0, "lost": 2}, {"value": True, "won": 1, "lost": 0}],
        ],
    }


def test_the_tallies_are_kept_in_one_order_so_equal_scorers_dump_alike() -> None:
    """fit and update count values in different orders; the scorer sorts them."""
    a = scorer(Categorical.owner()).fit([won_lead(1, owner="zenon"), lost_lead(2, owner="anna")])
    b = scorer(Categorical.owner()).fit([lost_lead(2, owner="anna"), won_lead(1, owner="zenon")])
    assert lm.to_dict(a) == lm.to_dict(b)
    assert [t.value for t in a.tallies[0]] == ["anna", "zenon"]
    mixed = (
        ValueTally(value="b", won=1, lost=0),
        ValueTally(value=2.5, won=1, lost=0),
        ValueTally(value=None, won=0, lost=1),
        ValueTally(value=False, won=0, lost=1),
    )
    held = PredictiveScorer(fields=(Categorical.owner(),), won=2, lost=2, tallies=(mixed,))
    assert [t.value for t in held.tallies[0]] == [None, False, 2.5, "b"]


# --------------------------------------------------------------------------- fields as data


def test_a_field_is_named_by_its_path_unless_named() -> None:
    assert Categorical(field="custom.segment").name == "custom.segment"
    assert Categorical.custom("segment") == Categorical(field="custom.segment")
    assert Binned.custom("size", EDGES) == Binned(field="custom.size", edges=EDGES)
    assert Categorical(derived=DerivedValue.has_company).name == "has_company"
    assert Categorical(name="company?", derived=DerivedValue.has_company).name == "company?"
    assert Categorical(tagged="vip") == Categorical.tag("vip")


def test_every_field_round_trips_through_json() -> None:
    for field in FIELDS:
        assert lm.from_json(type(field), lm.to_json(field)) == field


def test_a_field_reads_its_path_through_the_one_reader() -> None:
    """An enum counts as its value: ``source.channel`` reads ``"referral"``, a plain str."""
    one = lead(
        source=lm.Source(channel=lm.Channel.referral, campaign="spring"),
        custom={"segment": "retail"},
        expected_value=lm.Money.of("1500.00", "UAH"),
    )
    channel = Categorical(field="source.channel").read(one)
    assert channel == "referral"
    assert type(channel) is str
    assert Categorical(field="source.campaign").read(one) == "spring"
    assert Categorical(field="custom.segment").read(one) == "retail"
    assert Categorical(field="custom.absent").read(one) is None
    assert Binned.expected_value(EDGES, currency="UAH").read(one) == Decimal("1500.00")


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda: Categorical(field="source.campain"), r"Categorical\.field: source has no field"),
        (lambda: Categorical(field="budget"), r"Categorical\.field: not a Lead field"),
        (lambda: Categorical(field="custom"), r"name the custom field: 'custom\.<key>'"),
        (Categorical, r"give exactly one of field=, derived=, tagged=, get=; got none"),
        (
            lambda: Categorical(field="owner", tagged="vip"),
            r"give exactly one of .*; got field and tagged",
        ),
        (
            lambda: Categorical(derived="phone"),  # type: ignore[arg-type]
            r"Categorical\.derived: expected a DerivedValue",
        ),
        (lambda: Categorical(tagged=" "), r"Categorical\.tagged: the tag must not be blank"),
        (
            lambda: Categorical(get=len),  # type: ignore[arg-type]
            r"Categorical\.name: a field read by a function needs",
        ),
        (
            lambda: Categorical(name="x", get="len"),  # type: ignore[arg-type]
            r"Categorical\.get: expected a function",
        ),
        (
            lambda: Binned(field="expected_value.amount", edges=EDGES),
            r"Binned\.currency: amounts in different currencies cannot share bins",
        ),
        (
            lambda: Binned(field="expected_value", edges=EDGES, currency="UAH"),
            r"Binned\.field: a Money is not a number; bin 'expected_value\.amount'",
        ),
        (
            lambda: Binned(field="custom.size", edges=EDGES, currency="UAH"),
            r"Binned\.currency: only 'expected_value\.amount' has a currency",
        ),
        (
            lambda: Binned.expected_value(EDGES, currency="hryvnia"),
            r"Binned\.currency: ",
        ),
    ],
)
def test_a_bad_field_is_refused_with_what_to_write(make: Any, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        make()


def test_an_old_custom_column_name_is_taught_the_path() -> None:
    with pytest.raises(ValidationError, match=r"columns\.custom:size: custom fields are named by"):
        scorer().fit_columns({"channel": ["form"], "custom:size": [1]}, [True])


def test_a_loaded_document_cannot_bring_a_function() -> None:
    doc = lm.to_dict(scorer())
    doc["fields"][0]["get"] = "os.system"
    with pytest.raises(ValidationError, match=r"fields\[0\]\.get: unexpected field"):
        lm.from_dict(PredictiveScorer, doc)


# --------------------------------------------------------------------------- ad-hoc functions


def test_a_function_field_works_but_cannot_be_dumped() -> None:
    """A function is code, not data: dumping it would load a scorer that reads something else."""

    def size_class(one: lm.Lead) -> str:
        return "big" if one.company_name else "small"

    adhoc = Categorical(name="size_class", get=size_class)
    trained = scorer(adhoc).fit([won_lead(1, company_name="ТОВ Меблі"), lost_lead(2)])
    assert trained.probability(lead(company_name="ТОВ Меблі")) > trained.prior
    for dump in (lm.to_dict, lm.to_json):
        with pytest.raises(ValidationError) as info:
            dump(trained)
        message = str(info.value)
        assert message.startswith("PredictiveScorer: Categorical.get holds a function, which")
        assert "is code, not data, so it cannot be dumped" in message
        assert "field='custom.<key>'" in message
    with pytest.raises(ValidationError, match=r"Binned\.get holds a function"):
        lm.to_dict(Binned(name="n", get=size_class, edges=EDGES))


# --------------------------------------------------------------------------- phone country


def test_the_phone_country_is_the_one_normalisers_answer() -> None:
    phones = [p for p in PHONES if p is not None]
    for point in phones:
        one = lead(contact_points=(point,))
        expected = normalise.phone_region(point.key, point.region)
        assert Categorical.phone_country().read(one) == expected
    assert [normalise.phone_region(p.key, p.region) for p in phones] == ["PL", "UA", "UA"]


def test_without_the_phone_extra_the_country_is_the_region_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert normalise.phone_region("+48 601 234 567") == "PL"  # fills the cache with phonenumbers
    monkeypatch.setattr(normalise, "_pn", None)
    assert normalise.phone_region("+48 601 234 567") is None
    assert normalise.phone_region("050 123 4567", "UA") == "UA"
