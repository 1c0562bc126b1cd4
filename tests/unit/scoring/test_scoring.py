"""Lead scoring (DOMAIN §3): events, fit and engagement rules, the score model."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import (
    Engagement,
    EngagementRule,
    FieldBetween,
    FieldIs,
    FitCondition,
    FitRule,
    FreeMail,
    HasTag,
    ScoreModel,
)
from tests.factories import lead

from ._scoring import AT, DAY, WEEK, _ages, _events, _leads, _matchers, _models, _paths, _visit

# --------------------------------------------------------------------------- events


def test_an_event_needs_a_kind_an_aware_time_and_a_non_negative_weight() -> None:
    with pytest.raises(lm.ValidationError) as err:
        Engagement(kind=" ", at=datetime(2026, 3, 1), weight=-1.0)
    assert _paths(err) == ["kind", "at", "weight"]
    assert "naive datetime" in str(err.value)
    with pytest.raises(lm.ValidationError, match="weight"):
        Engagement(kind="site_visit", at=AT, weight=True)
    with pytest.raises(lm.ValidationError, match="finite"):
        Engagement(kind="site_visit", at=AT, weight=float("nan"))


# --------------------------------------------------------------------------- fit conditions


def test_field_is_matches_a_lead_field_a_source_field_or_a_custom_field() -> None:
    b2b = lead(
        company_name="ТОВ Меблі",
        source=lm.Source(channel=lm.Channel.referral, campaign="spring"),
        custom={"role": "purchasing", "country": "UA"},
    )
    assert FieldIs(field="company_name", values=("ТОВ Меблі",)).matches(b2b)
    assert FieldIs(field="source.channel", values=("referral",)).matches(b2b)
    assert FieldIs(field="source.channel", values=(lm.Channel.referral,)).matches(b2b)
    assert FieldIs(field="source.campaign", values=("autumn", "spring")).matches(b2b)
    assert FieldIs(field="custom.role", values=("purchasing", "director")).matches(b2b)
    assert FieldIs(field="lifecycle", values=("lead",)).matches(b2b)
    assert not FieldIs(field="custom.country", values=("PL",)).matches(b2b)
    assert not FieldIs(field="source.channel", values=("form",)).matches(b2b)


def test_field_is_none_matches_an_absent_value() -> None:
    assert FieldIs(field="company_name", values=(None,)).matches(lead())
    assert FieldIs(field="custom.role", values=(None,)).matches(lead())
    assert FieldIs(field="expected_value.amount", values=(None,)).matches(lead())


def test_field_is_tells_true_from_one() -> None:
    flagged = lead(custom={"partner": True, "seats": 1})
    assert FieldIs(field="custom.partner", values=(True,)).matches(flagged)
    assert not FieldIs(field="custom.partner", values=(1,)).matches(flagged)
    assert not FieldIs(field="custom.seats", values=(True,)).matches(flagged)
    assert FieldIs(field="custom.seats", values=(1,)).matches(flagged)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("nope", "not a Lead field"),
        ("source.nope", "source has no field like this"),
        ("company_name.x", "company_name has no field like this"),
        ("custom", "name the custom field"),
        ("", "expected a Lead field"),
        (3, "expected a Lead field"),
    ],
)
def test_a_field_path_names_a_lead_field(field: Any, message: str) -> None:
    with pytest.raises(lm.ValidationError, match=message):
        FieldIs(field=field, values=("x",))
    with pytest.raises(lm.ValidationError, match=message):
        FieldBetween(field=field, low=1)


def test_field_is_needs_scalar_values() -> None:
    with pytest.raises(lm.ValidationError) as err:
        FieldIs(field="topic", values=())
    assert _paths(err) == ["values"]
    with pytest.raises(lm.ValidationError) as err:
        FieldIs(field="topic", values=("a", ["b"]))  # type: ignore[arg-type]
    assert _paths(err) == ["values[1]"]
    with pytest.raises(lm.ValidationError):
        FieldIs(field="topic", values=["a"])  # type: ignore[arg-type]


def test_field_between_matches_numbers_within_inclusive_bounds() -> None:
    size = FieldBetween(field="custom.employees", low=50, high=500)
    assert size.matches(lead(custom={"employees": 50}))
    assert size.matches(lead(custom={"employees": 500.0}))
    assert not size.matches(lead(custom={"employees": 49}))
    assert not size.matches(lead(custom={"employees": 501}))
    assert not size.matches(lead(custom={"employees": "120"}))  # text is not a number
    assert not size.matches(lead(custom={"employees": True}))
    assert not size.matches(lead())
    assert FieldBetween(field="custom.employees", high=10).matches(lead(custom={"employees": 3}))
    big = FieldBetween(field="expected_value.amount", low=10_000)
    assert big.matches(lead(expected_value=lm.Money(amount=Decimal("45000"), currency="UAH")))
    assert not big.matches(lead(expected_value=lm.Money(amount=Decimal("999.99"), currency="UAH")))
    assert size.describe() == "custom.employees from 50 to 500"
    assert big.describe() == "expected_value.amount at least 10000"


def test_field_between_needs_ordered_finite_bounds() -> None:
    with pytest.raises(lm.ValidationError, match="give low, high or both"):
        FieldBetween(field="custom.employees")
    with pytest.raises(lm.ValidationError, match="high must not be below low"):
        FieldBetween(field="custom.employees", low=10, high=5)
    with pytest.raises(lm.ValidationError, match="finite number"):
        FieldBetween(field="custom.employees", low=float("inf"))


def test_has_tag_and_free_mail() -> None:
    assert HasTag(tag="vip").matches(lead(tags=frozenset({"vip", "b2b"})))
    assert not HasTag(tag="vip").matches(lead())
    with pytest.raises(lm.ValidationError, match="tag"):
        HasTag(tag="")
    gmail = (lm.ContactPoint.email("olena@gmail.com"),)
    work = (lm.ContactPoint.email("olena@mebli.com.ua"),)
    phone = (lm.ContactPoint.phone("+380501234567"),)
    assert FreeMail().matches(lead(contact_points=gmail))
    assert FreeMail().matches(lead(contact_points=gmail + phone))
    assert not FreeMail().matches(lead(contact_points=work))
    assert not FreeMail().matches(lead(contact_points=gmail + work))  # a work address counts
    assert not FreeMail().matches(lead(contact_points=phone))  # no email: nothing to judge


# --------------------------------------------------------------------------- fit rules


def test_a_fit_rule_gives_its_points_when_the_condition_holds() -> None:
    model = ScoreModel(
        fit=(
            FitRule(name="b2b", points=25, when=FieldIs(field="company_name", values=(None,))),
            FitRule(name="student", points=-15, when=HasTag(tag="student")),
        )
    )
    score = model.score(lead(tags=frozenset({"student"})), at=AT)
    assert [(c.rule, c.kind, c.points) for c in score.contributions] == [
        ("b2b", "fit", 25),
        ("student", "fit", -15),
    ]
    assert score.value == 10
    assert score.contributions[1].reason == "tagged 'student'"


def test_a_fit_rule_may_be_a_plain_callable() -> None:
    def has_company(candidate: lm.Lead) -> bool:
        return candidate.company_name is not None

    rule = FitRule(name="company", points=10, when=has_company)
    assert rule.matches(lead(company_name="ТОВ Меблі"))
    assert not rule.matches(lead())
    assert rule.reason() == "has_company holds"


def test_a_callable_condition_must_return_a_bool() -> None:
    rule = FitRule(name="size", points=10, when=lambda candidate: candidate.custom.get("size"))  # type: ignore[arg-type,return-value]
    with pytest.raises(lm.ValidationError, match="must return True or False"):
        ScoreModel(fit=(rule,)).score(lead(custom={"size": 3}), at=AT)


def test_a_fit_rule_needs_a_name_finite_points_and_a_condition() -> None:
    with pytest.raises(lm.ValidationError) as err:
        FitRule(name="", points=float("nan"), when="company_name")  # type: ignore[arg-type]
    assert _paths(err) == ["name", "points", "when"]
    with pytest.raises(lm.ValidationError, match=r"not its class: FreeMail\(...\)"):
        FitRule(name="free mail", points=-5, when=FreeMail)  # type: ignore[arg-type]
    with pytest.raises(lm.ValidationError, match="points"):
        FitRule(name="x", points=10**400, when=FreeMail())


# --------------------------------------------------------------------------- engagement rules

OPEN = EngagementRule(kind="email_open", points=10, half_life=WEEK)


@pytest.mark.parametrize(
    ("ago", "points"),
    [(timedelta(0), 10.0), (WEEK, 5.0), (2 * WEEK, 2.5), (3 * WEEK, 1.25)],
)
def test_an_event_one_half_life_old_counts_half(ago: timedelta, points: float) -> None:
    part = OPEN.contribution([_visit(ago, "email_open")], AT)
    assert part is not None
    assert part.points == points


def test_the_age_of_an_event_is_real_time_across_a_dst_change() -> None:
    kyiv = ZoneInfo("Europe/Kyiv")  # clocks went forward one hour on 2026-03-29 at 03:00
    before = datetime(2026, 3, 29, 1, 0, tzinfo=kyiv)
    after = datetime(2026, 3, 29, 5, 0, tzinfo=kyiv)  # 3 real hours later (4 on the wall)
    rule = EngagementRule(kind="site_visit", points=8, half_life=timedelta(hours=3))
    part = rule.contribution([Engagement(kind="site_visit", at=before)], after)
    assert part is not None
    assert part.points == 4.0


def test_engagement_counts_every_matching_event_with_its_weight() -> None:
    events = [
        _visit(timedelta(0), "email_open"),
        _visit(WEEK, "email_open", weight=2.0),
        _visit(timedelta(0), "site_visit"),
    ]
    part = OPEN.contribution(events, AT)
    assert part is not None
    assert part.points == 20.0
    assert part.reason == "2 × email_open, newest 0 seconds old, half-life 7 days"
    assert OPEN.contribution([_visit(DAY, "site_visit")], AT) is None


def test_a_cap_bounds_a_rule_total() -> None:
    capped = attrs.evolve(OPEN, cap=15)
    part = capped.contribution([_visit(timedelta(0), "email_open")] * 3, AT)
    assert part is not None
    assert part.points == 15
    assert part.reason.endswith("capped at 15")
    unsubscribed = EngagementRule(kind="unsubscribe", points=-20, half_life=WEEK, cap=5)
    part = unsubscribed.contribution([_visit(timedelta(0), "unsubscribe")], AT)
    assert part is not None
    assert part.points == -5


@pytest.mark.parametrize("half_life", [timedelta(0), -WEEK, 7])
def test_a_half_life_is_a_positive_timedelta(half_life: Any) -> None:
    with pytest.raises(lm.ValidationError, match=r"half_life: a half-life is a positive timedelta"):
        EngagementRule(kind="email_open", points=10, half_life=half_life)


def test_an_engagement_rule_needs_a_kind_finite_points_and_a_positive_cap() -> None:
    with pytest.raises(lm.ValidationError) as err:
        EngagementRule(kind="", points=float("inf"), half_life=WEEK, cap=0)
    assert _paths(err) == ["kind", "points", "cap"]


# --------------------------------------------------------------------------- the model


def test_raw_points_map_to_0_100_by_max_points_and_are_clamped() -> None:
    rich = FitRule(name="rich", points=60, when=HasTag(tag="rich"))
    poor = FitRule(name="poor", points=-60, when=HasTag(tag="poor"))
    model = ScoreModel(fit=(rich, poor), max_points=80)
    assert model.score(lead(tags=frozenset({"rich"})), at=AT).value == 75.0
    assert model.score(lead(tags=frozenset({"poor"})), at=AT).value == 0.0
    doubled = ScoreModel(fit=(rich, attrs.evolve(rich, name="rich again")), max_points=80)
    over = doubled.score(lead(tags=frozenset({"rich"})), at=AT)
    assert (over.value, over.raw) == (100.0, 120)


def test_score_explains_each_contribution() -> None:
    model = ScoreModel(
        fit=(
            FitRule(
                name="referral",
                points=30,
                when=FieldIs(field="source.channel", values=("referral",)),
            ),
        ),
        engagement=(EngagementRule(kind="site_visit", points=20, half_life=WEEK, name="visits"),),
    )
    referred = lead(source=lm.Source(channel=lm.Channel.referral))
    text = model.score(referred, [_visit(WEEK), _visit(2 * WEEK)], at=AT).explain()
    assert text == (
        "score 45 of 100 (raw 45 points; 100 points make 100)\n"
        "     +30  fit         referral: source.channel is 'referral'\n"
        "     +15  engagement  visits: 2 × site_visit, newest 7 days old, half-life 7 days"
    )


def test_apply_sets_the_score_and_nothing_else() -> None:
    model = ScoreModel(engagement=(OPEN,))
    before = lead()
    after = model.apply(before, [_visit(WEEK, "email_open")], at=AT)
    assert after.score == 5.0
    assert attrs.evolve(after, score=None) == before


def test_rule_names_must_be_unique() -> None:
    with pytest.raises(lm.ValidationError, match="rule names must be unique"):
        ScoreModel(
            fit=(FitRule(name="email_open", points=1, when=FreeMail()),),
            engagement=(OPEN,),
        )


def test_a_model_needs_rules_in_tuples_and_positive_max_points() -> None:
    with pytest.raises(lm.ValidationError) as err:
        ScoreModel(fit=[FitRule(name="x", points=1, when=FreeMail())], max_points=0)  # type: ignore[arg-type]
    assert _paths(err) == ["fit", "max_points"]


def test_events_after_the_scoring_time_are_refused() -> None:
    model = ScoreModel(engagement=(OPEN,))
    future = Engagement(kind="email_open", at=AT + timedelta(seconds=1))
    with pytest.raises(lm.ValidationError) as err:
        model.score(lead(), [_visit(DAY), future, "click"], at=AT)  # type: ignore[list-item]
    assert _paths(err) == ["events[1].at", "events[2]"]
    assert "leave future events out" in str(err.value)


def test_scoring_needs_an_aware_time_and_a_lead() -> None:
    with pytest.raises(lm.ValidationError) as err:
        ScoreModel().score("lead-1", [_visit(DAY)], at=datetime(2026, 3, 10))  # type: ignore[arg-type]
    assert _paths(err) == ["lead", "at"]
    with pytest.raises(lm.ValidationError, match="iterable of Engagement"):
        ScoreModel().score(lead(), 3, at=AT)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- score properties


@settings(max_examples=200)
@given(model=_models(), subject=_leads, events=_events)
def test_a_score_is_always_from_0_to_100(
    model: ScoreModel, subject: lm.Lead, events: list[Engagement]
) -> None:
    score = model.score(subject, events, at=AT)
    assert 0 <= score.value <= 100
    assert score.value == min(max(round(100 * score.raw / model.max_points, 2), 0), 100)


@settings(max_examples=200)
@given(
    model=_models(points=st.floats(0, 50)),
    subject=_leads,
    events=_events,
    later=_ages,
)
def test_without_new_events_a_score_never_rises_as_time_passes(
    model: ScoreModel, subject: lm.Lead, events: list[Engagement], later: timedelta
) -> None:
    now = model.score(subject, events, at=AT)
    then = model.score(subject, events, at=AT + later)
    assert then.value <= now.value
    assert then.raw <= now.raw


@settings(max_examples=200)
@given(
    model=_models(),
    subject=_leads,
    events=_events,
    points=st.floats(0, 50),
    matcher=_matchers,
)
def test_adding_a_matching_positive_fit_rule_never_lowers_the_score(
    model: ScoreModel,
    subject: lm.Lead,
    events: list[Engagement],
    points: float,
    matcher: FitCondition,
) -> None:
    extra = FitRule(name="extra", points=points, when=matcher)
    richer = attrs.evolve(model, fit=(extra, *model.fit))
    assert richer.score(subject, events, at=AT).value >= model.score(subject, events, at=AT).value
