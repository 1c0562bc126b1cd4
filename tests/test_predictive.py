"""Predictive scoring: naive Bayes over won and lost leads (``PredictiveScorer``)."""

from __future__ import annotations

import importlib.util
import math
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]
from sklearn.naive_bayes import CategoricalNB  # type: ignore[import-untyped]

import leadmodel as lm
from leadmodel.domain.scoring.predictive import (
    Binned,
    Categorical,
    Field,
    PredictiveScorer,
    Tally,
    outcome,
)
from leadmodel.domain.values import _normalise
from leadmodel.errors import RuleViolation, ValidationError

from .factories import AT, lead

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"
EDGES = (1000.0, 5000.0)


def _dataset_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "_dataset_scoring", BENCHMARKS / "_dataset_scoring.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


DATA = _dataset_module()


def won_lead(i: int = 0, **fields: Any) -> lm.Lead:
    links = lm.ConversionLinks(customer_id=lm.CustomerId(f"c-{i}"), at=AT)
    return lead(id=lm.LeadId(f"lead-{i}"), converted=links, **fields)


def lost_lead(i: int = 0, **fields: Any) -> lm.Lead:
    loss = lm.LossInfo(status="lost", reason="no_budget", at=AT)
    return lead(id=lm.LeadId(f"lead-{i}"), lost=loss, **fields)


def scorer(*fields: Field, alpha: float = 1.0) -> PredictiveScorer:
    return PredictiveScorer(
        fields=fields or (Categorical.channel(), Binned.custom("size", EDGES)), alpha=alpha
    )


def sklearn_codes(
    fields: Sequence[Field], columns: dict[str, list[object]]
) -> np.ndarray[Any, Any]:
    """Each field's values as int codes in order of first appearance (bins by hand)."""
    codes = []
    for field in fields:
        column = columns[field.name]
        if isinstance(field, Binned):
            column = [
                None if v is None else sum(float(v) >= e for e in field.edges)  # type: ignore[arg-type]
                for v in column
            ]
        numbering: dict[object, int] = {}
        codes.append([numbering.setdefault(v, len(numbering)) for v in column])
    return np.array(codes, dtype=np.intp).T


# --------------------------------------------------------------------------- against sklearn


@pytest.mark.parametrize("alpha", [1.0, 0.5, 3.0])
@pytest.mark.parametrize("vectorised", [True, False])
def test_probabilities_agree_with_sklearn_categorical_nb(alpha: float, vectorised: bool) -> None:
    """On simulated leads, P(won) equals CategoricalNB(alpha, fit_prior=True)'s to 1e-6."""
    leads = DATA.make_leads(3000, seed=11)
    fields = DATA.fields()
    trained = PredictiveScorer(fields=fields, alpha=alpha).fit(leads, vectorised=vectorised)
    columns, won = trained.extract(leads)
    ours = np.array([trained.probability(one) for one in leads])
    model = CategoricalNB(alpha=alpha, fit_prior=True).fit(sklearn_codes(fields, columns), won)
    theirs = model.predict_proba(sklearn_codes(fields, columns))[:, 1]
    assert np.abs(ours - theirs).max() < 1e-6
    assert np.abs(np.array(trained.probabilities(columns)) - theirs).max() < 1e-6


def test_roc_auc_on_held_out_leads() -> None:
    """Trained on 20,000 simulated leads, scored on 5,000 others: the same AUC as sklearn."""
    fields = DATA.fields()
    train, test = DATA.make_rows(20_000, seed=5), DATA.make_rows(5_000, seed=6)
    # the test rows hold no value unseen in training, so CategoricalNB can score them
    for name in DATA.NAMES:
        if name != "expected_value":
            assert set(test.columns[name]) <= set(train.columns[name])
    trained = PredictiveScorer(fields=fields).fit_columns(train.columns, train.won)
    ours = trained.probabilities(test.columns)
    both = {n: train.columns[n] + test.columns[n] for n in DATA.NAMES}
    codes = sklearn_codes(fields, both)
    model = CategoricalNB(alpha=1.0).fit(codes[:20_000], train.won)
    theirs = model.predict_proba(codes[20_000:])[:, 1]
    assert np.abs(np.array(ours) - theirs).max() < 1e-6
    auc = roc_auc_score(test.won, ours)
    print(f"held-out ROC AUC {auc:.4f} (sklearn {roc_auc_score(test.won, theirs):.4f})")
    assert auc == pytest.approx(roc_auc_score(test.won, theirs), abs=1e-9)
    assert auc > 0.7  # the simulation's fields carry signal; 0.5 would be guessing


# --------------------------------------------------------------------------- the two paths


def test_pure_and_vectorised_paths_count_and_score_alike() -> None:
    rows = DATA.make_rows(5000, seed=3)
    base = PredictiveScorer(fields=DATA.fields())
    vec = base.fit_columns(rows.columns, rows.won, vectorised=True)
    pure = base.fit_columns(rows.columns, rows.won, vectorised=False)
    assert vec == pure
    p_vec = vec.probabilities(rows.columns, vectorised=True)
    p_pure = pure.probabilities(rows.columns, vectorised=False)
    assert max(abs(a - b) for a, b in zip(p_vec, p_pure, strict=True)) < 1e-12


def test_numpy_arrays_are_accepted_by_the_vectorised_path() -> None:
    columns: dict[str, Any] = {
        "channel": ["form", "referral", "form"],
        "custom:size": np.array([10.0, 2e4, 3e3]),
    }
    won: Any = np.array([False, True, True])
    a = scorer().fit_columns(columns, won)
    assert a == scorer().fit_columns(columns, won, vectorised=False)
    b = scorer().fit_columns(
        {"channel": columns["channel"], "custom:size": [10.0, 2e4, 3e3]}, [False, True, True]
    )
    assert a == b


def test_without_numpy_the_pure_path_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = DATA.make_rows(300, seed=4)
    expected = PredictiveScorer(fields=DATA.fields()).fit_columns(rows.columns, rows.won)
    monkeypatch.setitem(sys.modules, "numpy", None)  # `import numpy` now fails
    monkeypatch.delitem(sys.modules, "leadmodel.domain.scoring._bayes_numpy", raising=False)
    trained = PredictiveScorer(fields=DATA.fields()).fit_columns(rows.columns, rows.won)
    assert trained == expected
    assert len(trained.probabilities(rows.columns)) == 300
    with pytest.raises(ValidationError, match=r"vectorised: .*needs numpy"):
        trained.probabilities(rows.columns, vectorised=True)


def test_fit_on_leads_equals_fit_on_their_extracted_columns() -> None:
    leads = DATA.make_leads(500, seed=8)
    base = PredictiveScorer(fields=DATA.fields())
    columns, won = base.extract(leads)
    assert base.fit(leads) == base.fit_columns(columns, won)


# --------------------------------------------------------------------------- won, lost, open


def test_converted_is_won_lost_is_lost_and_the_rest_is_open() -> None:
    assert outcome(won_lead()) is True
    assert outcome(lost_lead()) is False
    assert outcome(lead()) is None


def test_a_won_status_counts_as_won_when_its_pipeline_is_given() -> None:
    pipeline = lm.pipelines.SIMPLE
    won_status = next(s.key for s in pipeline.statuses if s.kind is lm.StatusKind.won)
    card = pipeline.enter(lead(), at=AT, by="anna")
    card = pipeline.move(card, won_status, at=AT, by="anna")
    assert outcome(card) is None
    assert outcome(card, [pipeline]) is True
    assert outcome(pipeline.enter(lead(), at=AT, by="anna"), [pipeline]) is None


def test_open_leads_are_not_training_data() -> None:
    leads = [won_lead(1), lost_lead(2), lead(id=lm.LeadId("open"))]
    fields = (Categorical.channel(),)
    trained = PredictiveScorer(fields=fields).fit(leads)
    assert (trained.won, trained.lost) == (1, 1)
    assert trained.update(lead(id=lm.LeadId("open-2"))) is trained


def test_an_open_lead_given_as_a_row_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"won\[1\]: an open lead is not training data"):
        scorer(Categorical.channel()).fit_columns(
            {"channel": ["form", "form", "email"]},
            [True, None, False],  # type: ignore[list-item]
        )


# --------------------------------------------------------------------------- explanations


def test_explain_gives_each_fields_likelihood_ratio() -> None:
    size = Binned.custom("size", EDGES)
    trained = scorer(Categorical.channel(), size).fit(
        [
            won_lead(1, source=lm.Source(channel=lm.Channel.referral), custom={"size": 2000}),
            won_lead(2, source=lm.Source(channel=lm.Channel.referral)),
            lost_lead(3, source=lm.Source(channel=lm.Channel.form), custom={"size": 2000}),
            lost_lead(4, source=lm.Source(channel=lm.Channel.form), custom={"size": 9000}),
        ]
    )
    why = trained.explain(
        lead(source=lm.Source(channel=lm.Channel.referral), custom={"size": 1500})
    )
    assert [(p.field, p.value) for p in why.contributions] == [
        ("channel", "referral"),
        ("custom:size", "[1000, 5000)"),
    ]
    # referral: (2 + 1) / (2 + 2) for won against (0 + 1) / (2 + 2) for lost
    assert why.contributions[0].ratio == pytest.approx(3.0)
    assert why.contributions[1].ratio == pytest.approx(1.0)  # one won, one lost in that bin
    assert why.prior == 0.5
    assert why.probability == pytest.approx(0.75)
    assert "channel = 'referral': × 3" in str(why)


def test_an_unseen_value_is_neutral_in_the_explanation() -> None:
    trained = scorer(Categorical.channel()).fit(
        [won_lead(1), lost_lead(2, source=lm.Source(channel=lm.Channel.email))]
    )
    why = trained.explain(lead(source=lm.Source(channel=lm.Channel.telegram)))
    (part,) = why.contributions
    assert (part.value, part.ratio, part.seen) == ("telegram", 1.0, False)
    assert why.probability == pytest.approx(why.prior)
    assert "not seen in training" in str(why)


def test_a_missing_value_is_a_category_of_its_own() -> None:
    trained = scorer(Categorical.owner()).fit(
        [won_lead(1, owner="anna"), lost_lead(2), lost_lead(3)]
    )
    assert trained.counts["owner"] == {"anna": Tally(won=1, lost=0), None: Tally(won=0, lost=2)}
    assert trained.explain(lead()).contributions[0].value is None
    assert trained.probability(lead()) < trained.probability(lead(owner="anna"))


# --------------------------------------------------------------------------- ready-made fields


def test_ready_made_fields_read_the_lead() -> None:
    one = lead(
        owner="anna",
        time_zone="Europe/Kyiv",
        tags=frozenset({"vip"}),
        custom={"segment": "retail", "employees": 40},
        company_name="ТОВ Меблі",
        expected_value=lm.Money.of("1500.00", "UAH"),
        contact_points=(lm.ContactPoint.phone("+48 601 234 567"),),
    )
    got = {
        field.name: field.get(one)
        for field in (
            Categorical.channel(),
            Categorical.owner(),
            Categorical.time_zone(),
            Categorical.phone_country(),
            Categorical.has_company(),
            Categorical.tag("vip"),
            Categorical.tag("cold"),
            Categorical.custom("segment"),
            Categorical.custom("absent"),
            Binned.custom("employees", (10, 100)),
            Binned.expected_value(EDGES, currency="UAH"),
        )
    }
    assert got == {
        "channel": "form",
        "owner": "anna",
        "time_zone": "Europe/Kyiv",
        "phone_country": "PL",
        "has_company": True,
        "tag:vip": True,
        "tag:cold": False,
        "custom:segment": "retail",
        "custom:absent": None,
        "custom:employees": 40,
        "expected_value": Decimal("1500.00"),
    }
    assert Categorical.phone_country().get(lead()) is None


def test_phone_country_without_phonenumbers_is_the_region_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with_region = lead(contact_points=(lm.ContactPoint.phone("050 123 4567", region="UA"),))
    international = lead(contact_points=(lm.ContactPoint.phone("+380 50 123 4567"),))
    monkeypatch.setattr(_normalise, "_pn", None)
    assert Categorical.phone_country().get(with_region) == "UA"
    assert Categorical.phone_country().get(international) is None


def test_fields_built_alike_are_equal_so_scorers_built_alike_are_equal() -> None:
    assert Categorical.tag("vip") == Categorical.tag("vip")
    assert Binned.expected_value(EDGES, currency="UAH") == Binned.expected_value(
        (1000, 5000), currency="UAH"
    )
    assert scorer() == scorer()
    assert Categorical.custom("a") != Categorical.custom("b")


def test_an_expected_value_in_another_currency_is_an_error() -> None:
    trained = scorer(Binned.expected_value(EDGES, currency="UAH")).fit([won_lead(1), lost_lead(2)])
    eur = lead(expected_value=lm.Money.of("10", "EUR"))
    with pytest.raises(ValidationError, match=r"fields\.expected_value: .*in EUR.*bins UAH"):
        trained.probability(eur)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("alpha", [0, 0.0, -1.0, math.nan, math.inf, True, "1"])
def test_alpha_must_be_a_positive_number(alpha: Any) -> None:
    with pytest.raises(ValidationError, match=r"PredictiveScorer\.alpha: alpha is a number > 0"):
        scorer(alpha=alpha)


def test_training_needs_both_outcomes() -> None:
    with pytest.raises(RuleViolation, match=r"needs both won and lost leads; got 2 won and 0 lost"):
        scorer(Categorical.channel()).fit([won_lead(1), won_lead(2)])
    with pytest.raises(RuleViolation, match=r"got 0 won and 0 lost"):
        scorer(Categorical.channel()).fit_columns({"channel": []}, [])


def test_an_untrained_scorer_cannot_score() -> None:
    one_sided = scorer(Categorical.channel()).update(won_lead())
    with pytest.raises(RuleViolation, match=r"not trained on both outcomes \(1 won, 0 lost\)"):
        one_sided.probability(lead())
    with pytest.raises(RuleViolation, match="not trained"):
        scorer().probabilities({"channel": [], "custom:size": []})


def test_a_getter_that_raises_is_reported_with_the_field_and_the_lead() -> None:
    def budget(one: lm.Lead) -> object:
        return one.custom["budget"]

    broken = scorer(Categorical(name="budget", get=budget))
    with pytest.raises(ValidationError, match=r"fields\.budget: the getter raised KeyError") as e:
        broken.fit([won_lead(7), lost_lead(8)])
    assert "lead-7" in str(e.value)
    assert isinstance(e.value.__cause__, KeyError)


def test_duplicate_field_names_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"fields\[1\]\.name: two fields have this name"):
        scorer(Categorical.owner(), Categorical(name="owner", get=lambda one: one.owner))


@pytest.mark.parametrize(
    "fields",
    [(), [Categorical.owner()], (Categorical.owner(), "channel")],
    ids=["empty", "a list", "not a field"],
)
def test_fields_are_a_tuple_of_fields(fields: Any) -> None:
    with pytest.raises(ValidationError, match=r"PredictiveScorer\.fields"):
        PredictiveScorer(fields=fields)


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        ((), "non-empty tuple"),
        ([1, 2], "non-empty tuple"),
        ((1, math.nan), "finite int or float"),
        ((1, True), "finite int or float"),
        ((5, 5), "strictly increasing"),
    ],
)
def test_bin_edges_are_increasing_finite_numbers(edges: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Binned(name="size", get=lambda one: 1, edges=edges)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([1, 2], "a category is a str, int, float, bool or None"),
        (Decimal("1.5"), "bin numbers with Binned"),
        (math.nan, "NaN is not a category"),
    ],
)
def test_a_categorical_value_must_be_a_category(value: object, message: str) -> None:
    field = Categorical(name="odd", get=lambda one: value)
    with pytest.raises(ValidationError, match=rf"fields\.odd: .*{message}.*\(lead 'lead-1'\)"):
        scorer(field).fit([won_lead(1), lost_lead(2)])
    trained = scorer(Categorical.channel()).fit([won_lead(1), lost_lead(2)])
    with pytest.raises(ValidationError, match=rf"fields\.odd: .*{message}"):
        attrs.evolve(
            trained, fields=(field,), counts={"odd": trained.counts["channel"]}
        ).probability(lead())
    for vectorised in (True, False):
        with pytest.raises(ValidationError, match=rf"columns\.odd\[1\]: .*{message}"):
            scorer(field).fit_columns({"odd": ["a", value]}, [True, False], vectorised=vectorised)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1500", "a binned value is a number"),
        (True, "a binned value is a number"),
        (math.nan, "NaN is not a number to bin"),
        (Decimal("sNaN"), "NaN is not a number to bin"),
        (10**400, "too large to bin"),
    ],
)
def test_a_binned_value_must_be_a_number(value: object, message: str) -> None:
    field = Binned(name="size", get=lambda one: value, edges=EDGES)
    with pytest.raises(ValidationError, match=rf"fields\.size: .*{message}"):
        scorer(field).fit([won_lead(1), lost_lead(2)])
    for vectorised in (True, False):
        with pytest.raises(ValidationError, match=rf"columns\.size\[1\]: .*{message}"):
            scorer(field).fit_columns({"size": [1.0, value]}, [True, False], vectorised=vectorised)


def test_columns_must_match_the_fields() -> None:
    base = scorer()
    with pytest.raises(ValidationError) as e:
        base.fit_columns({"channel": ["form"], "colour": ["red"]}, [True])
    assert {p.path for p in e.value.errors} == {"columns.custom:size", "columns.colour"}
    with pytest.raises(ValidationError, match=r"columns\.channel: expected 2 values"):
        base.fit_columns({"channel": ["form"], "custom:size": [1, 2]}, [True, False])
    with pytest.raises(ValidationError, match=r"won: expected a sequence of labels"):
        base.fit_columns({"channel": ["form"], "custom:size": [1]}, iter([True]))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"columns: expected a mapping"):
        base.fit_columns([["form"], [1]], [True])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"columns\.channel: expected a sequence"):
        base.fit_columns({"channel": "form", "custom:size": [1]}, [True])


def test_many_bad_rows_make_one_short_error() -> None:
    with pytest.raises(ValidationError) as e:
        scorer(Categorical.channel()).fit_columns({"channel": [["x"]] * 100}, [True] * 100)
    assert len(e.value.errors) == 21
    assert e.value.errors[-1].message == "and 80 more rows like these"


def test_counts_must_add_up() -> None:
    owner = Categorical.owner()
    with pytest.raises(ValidationError, match=r"counts\.owner: the tallies add up to 1 won"):
        PredictiveScorer(
            fields=(owner,), won=2, lost=1, counts={"owner": {"anna": Tally(won=1, lost=1)}}
        )
    with pytest.raises(ValidationError, match=r"counts: counts has tallies for exactly"):
        PredictiveScorer(fields=(owner,), won=1, lost=0, counts={"x": {}})
    with pytest.raises(ValidationError, match=r"Tally\.won: a value seen in training"):
        Tally(won=0, lost=0)


# --------------------------------------------------------------------------- properties

CHANNELS = ("form", "email", "referral")
OWNERS = ("anna", "bohdan", None)
SIZES = (None, 10, 999.5, 1000, 4000, 5000, 70000)
FIELDS = (Categorical.channel(), Categorical.owner(), Binned.custom("size", EDGES))


def _row_values() -> st.SearchStrategy[tuple[str, str | None, float | None]]:
    return st.tuples(st.sampled_from(CHANNELS), st.sampled_from(OWNERS), st.sampled_from(SIZES))


@st.composite
def training_rows(draw: st.DrawFn) -> tuple[dict[str, list[object]], list[bool]]:
    rows = draw(st.lists(st.tuples(_row_values(), st.booleans()), min_size=2, max_size=40))
    labels = [won for _, won in rows]
    if all(labels) or not any(labels):
        labels[0] = not labels[0]
    columns: dict[str, list[object]] = {"channel": [], "owner": [], "custom:size": []}
    for (channel, owner, size), _ in rows:
        columns["channel"].append(channel)
        columns["owner"].append(owner)
        columns["custom:size"].append(size)
    return columns, labels


def _lead(i: int, values: tuple[str, str | None, float | None], won: bool | None) -> lm.Lead:
    channel, owner, size = values
    fields: dict[str, Any] = {
        "source": lm.Source(channel=lm.Channel(channel)),
        "owner": owner,
        "custom": {} if size is None else {"size": size},
    }
    if won is None:
        return lead(id=lm.LeadId(f"lead-{i}"), **fields)
    return won_lead(i, **fields) if won else lost_lead(i, **fields)


leads_strategy = st.lists(
    st.tuples(_row_values(), st.sampled_from([True, False, None])), max_size=15
).map(lambda rows: [_lead(i, values, won) for i, (values, won) in enumerate(rows)])


@given(training_rows(), st.lists(_row_values(), min_size=1, max_size=10))
def test_probabilities_are_between_0_and_1(
    training: tuple[dict[str, list[object]], list[bool]],
    new: list[tuple[str, str | None, float | None]],
) -> None:
    trained = PredictiveScorer(fields=FIELDS).fit_columns(*training)
    unseen = [("email", "zenon", None), ("referral", None, 1e9)]
    rows = new + unseen
    columns: dict[str, Sequence[object]] = {
        "channel": [r[0] for r in rows],
        "owner": [r[1] for r in rows],
        "custom:size": [r[2] for r in rows],
    }
    assert all(0.0 <= p <= 1.0 for p in trained.probabilities(columns))


@given(leads_strategy, leads_strategy)
def test_updating_lead_by_lead_equals_fitting_at_once(
    first: list[lm.Lead], then: list[lm.Lead]
) -> None:
    first = [won_lead(100), lost_lead(101), *first]  # fit needs both outcomes
    base = PredictiveScorer(fields=FIELDS, alpha=0.7)
    updated = base.fit(first)
    for one in then:
        updated = updated.update(one)
    assert updated == base.fit(first + then)


@given(training_rows(), st.permutations(range(len(FIELDS))))
def test_the_order_of_the_fields_does_not_matter(
    training: tuple[dict[str, list[object]], list[bool]], order: list[int]
) -> None:
    shuffled = tuple(FIELDS[i] for i in order)
    a = PredictiveScorer(fields=FIELDS).fit_columns(*training)
    b = PredictiveScorer(fields=shuffled).fit_columns(*training)
    for pa, pb in zip(a.probabilities(training[0]), b.probabilities(training[0]), strict=True):
        assert pa == pytest.approx(pb, abs=1e-12)


@given(training_rows(), st.sampled_from([f.name for f in FIELDS]))
def test_an_unseen_value_counts_as_if_the_field_were_not_there(
    training: tuple[dict[str, list[object]], list[bool]], name: str
) -> None:
    columns, won = training
    unseen: dict[str, object] = {"channel": "viber", "owner": "zenon", "custom:size": 1e12}
    row = {n: [unseen[n] if n == name else columns[n][0]] for n in columns}
    # a bin can be unseen only if no training value fell into it
    assume_unseen = unseen[name] not in columns[name] and not (
        name == "custom:size"
        and any(v is not None and float(v) >= EDGES[-1] for v in columns[name])  # type: ignore[arg-type]
    )
    full = PredictiveScorer(fields=FIELDS).fit_columns(columns, won)
    fewer = tuple(f for f in FIELDS if f.name != name)
    without = PredictiveScorer(fields=fewer).fit_columns(
        {n: v for n, v in columns.items() if n != name}, won
    )
    p = full.probabilities(row)[0]
    assert 0.0 <= p <= 1.0
    if assume_unseen:
        expected = without.probabilities({n: v for n, v in row.items() if n != name})[0]
        assert p == pytest.approx(expected, abs=1e-12)


@given(training_rows())
def test_explanations_multiply_up_to_the_probability(
    training: tuple[dict[str, list[object]], list[bool]],
) -> None:
    """Odds of winning = prior odds × every likelihood ratio; explain agrees with probability."""
    columns, won = training
    trained = PredictiveScorer(fields=FIELDS).fit_columns(columns, won)
    one = _lead(0, (columns["channel"][0], columns["owner"][0], columns["custom:size"][0]), None)  # type: ignore[arg-type]
    why = trained.explain(one)
    odds = why.prior / (1 - why.prior) * math.prod(p.ratio for p in why.contributions)
    assert why.probability == pytest.approx(odds / (1 + odds), rel=1e-9)
    assert why.probability == trained.probability(one)
    assert [p.ratio for p in why.contributions] == sorted(
        (p.ratio for p in why.contributions), reverse=True
    )


@given(training_rows(), st.sampled_from([0.1, 1.0, 2.5]))
@settings(max_examples=40)
def test_any_data_agrees_with_sklearn_and_both_paths_agree(
    training: tuple[dict[str, list[object]], list[bool]], alpha: float
) -> None:
    columns, won = training
    base = PredictiveScorer(fields=FIELDS, alpha=alpha)
    vec = base.fit_columns(columns, won, vectorised=True)
    assert vec == base.fit_columns(columns, won, vectorised=False)
    p_vec = np.array(vec.probabilities(columns, vectorised=True))
    p_pure = np.array(vec.probabilities(columns, vectorised=False))
    assert np.abs(p_vec - p_pure).max() < 1e-12
    codes = sklearn_codes(FIELDS, columns)
    theirs = CategoricalNB(alpha=alpha).fit(codes, won).predict_proba(codes)[:, 1]
    assert np.abs(p_vec - theirs).max() < 1e-6


def test_a_scorer_is_a_frozen_value() -> None:
    trained = scorer(Categorical.channel()).fit([won_lead(1), lost_lead(2)])
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        trained.won = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        trained.counts["channel"]["form"] = Tally(won=1, lost=1)  # type: ignore[index]
    assert hash(trained) == hash(scorer(Categorical.channel()).fit([won_lead(1), lost_lead(2)]))
