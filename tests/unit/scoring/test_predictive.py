"""Predictive scoring: naive Bayes over won and lost leads (``PredictiveScorer``)."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

import leadmodel as lm
from leadmodel import Binned, Categorical, PredictiveScorer, Tally, outcome
from leadmodel.domain.values import normalise as _normalise
from leadmodel.errors import ValidationError
from tests.factories import AT, lead

from ._predictive import DATA, EDGES, lost_lead, scorer, won_lead

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
        "custom.size": np.array([10.0, 2e4, 3e3]),
    }
    won: Any = np.array([False, True, True])
    a = scorer().fit_columns(columns, won)
    assert a == scorer().fit_columns(columns, won, vectorised=False)
    b = scorer().fit_columns(
        {"channel": columns["channel"], "custom.size": [10.0, 2e4, 3e3]}, [False, True, True]
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
        ("custom.size", "[1000, 5000)"),
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
        field.name: field.read(one)
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
        "custom.segment": "retail",
        "custom.absent": None,
        "custom.employees": 40,
        "expected_value": Decimal("1500.00"),
    }
    assert Categorical.phone_country().read(lead()) is None


def test_phone_country_without_phonenumbers_is_the_region_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with_region = lead(contact_points=(lm.ContactPoint.phone("050 123 4567", region="UA"),))
    international = lead(contact_points=(lm.ContactPoint.phone("+380 50 123 4567"),))
    monkeypatch.setattr(_normalise, "_pn", None)
    assert Categorical.phone_country().read(with_region) == "UA"
    assert Categorical.phone_country().read(international) is None


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


def test_reading_an_amount_in_another_currency_is_a_currency_mismatch_error() -> None:
    """A field read on its own (not only through fit) raises a LeadModelError, never ValueError."""
    eur = lead(expected_value=lm.Money.of("10", "EUR"))
    with pytest.raises(lm.CurrencyMismatchError) as info:
        Binned.expected_value(EDGES, currency="UAH").read(eur)
    assert [p.path for p in info.value.problems] == ["expected_value"]
