"""Entities validate on construction: an invalid entity cannot exist."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest

import leadmodel as lm
from leadmodel import ValidationError
from tests.factories import AT, change, interest, lead


def _paths(info: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [p.path for p in info.value.problems]


def test_a_valid_lead_keeps_unicode_and_starts_at_version_0() -> None:
    made = lead()
    assert made.person_name == "Олена Коваль"
    assert made.version == 0
    assert made.lifecycle is lm.LifecycleStage.lead


def test_lead_without_person_name_is_refused_quoting_the_rule() -> None:
    """Seed rule: a company name plus a corporate phone is not a lead."""
    with pytest.raises(ValidationError) as info:
        lead(person_name="  ", company_name="ТОВ Меблі")
    assert _paths(info) == ["person_name"]
    assert "lead = interest + contact data" in str(info.value)
    assert str(info.value).startswith("Lead.person_name:")


def test_lead_without_contact_point_is_refused_quoting_the_rule() -> None:
    """Seed rule: lead = interest + contact data."""
    with pytest.raises(ValidationError) as info:
        lead(contact_points=())
    assert _paths(info) == ["contact_points"]
    assert "at least one contact point" in str(info.value)


def test_lead_without_topic_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        lead(topic="")
    assert _paths(info) == ["topic"]


def test_every_problem_of_a_lead_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        lead(person_name="", contact_points=(), topic="", created_at=datetime(2026, 1, 1))
    assert _paths(info) == ["person_name", "contact_points", "topic", "created_at"]
    assert str(info.value).startswith("4 problems:")


def test_naive_datetime_is_refused_never_assumed_utc() -> None:
    with pytest.raises(ValidationError) as info:
        lead(created_at=datetime(2026, 3, 1, 9, 30))
    assert _paths(info) == ["created_at"]
    assert "naive datetime" in str(info.value)


def test_any_time_zone_offset_is_accepted() -> None:
    kyiv = timezone(timedelta(hours=2))
    assert lead(created_at=datetime(2026, 3, 1, 11, 30, tzinfo=kyiv)).created_at == AT


def test_negative_expected_value_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        lead(expected_value=lm.Money.of("-1", "UAH"))
    assert _paths(info) == ["expected_value"]
    assert "cannot be negative" in str(info.value)


def test_negative_source_cost_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        lm.Source(channel=lm.Channel.form, cost=lm.Money.of("-10", "EUR"))
    assert _paths(info) == ["cost"]


def test_contact_points_must_be_contact_point_objects() -> None:
    with pytest.raises(ValidationError) as info:
        lead(contact_points=("olena@example.com",))
    assert _paths(info) == ["contact_points[0]"]


def test_pipeline_and_status_go_together() -> None:
    with pytest.raises(ValidationError) as info:
        lead(pipeline="requests")
    assert _paths(info) == ["status"]


def test_history_must_end_where_the_status_is() -> None:
    with pytest.raises(ValidationError, match=r"history ends \(requests/new\)"):
        lead(pipeline="requests", status="won", history=(change("new"),))


def test_history_must_be_in_time_order() -> None:
    history = (change("new"), change("in_work", AT - timedelta(minutes=1), "new"))
    with pytest.raises(ValidationError) as info:
        lead(pipeline="requests", status="in_work", history=history)
    assert _paths(info) == ["history[1].at"]


def test_lead_with_history() -> None:
    history = (change("new"), change("in_work", AT + timedelta(hours=1), "new"))
    made = lead(pipeline="requests", status="in_work", history=history)
    assert made.history[-1].from_status == "new"


@pytest.mark.parametrize("score", [-1, 100.5, "50", True])
def test_score_is_a_number_from_0_to_100(score: object) -> None:
    with pytest.raises(ValidationError) as info:
        lead(score=score)
    assert _paths(info) == ["score"]


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="IANA"):
        lead(time_zone="Mars/Olympus")
    assert lead(time_zone="Europe/Kyiv").time_zone == "Europe/Kyiv"


def test_converted_and_lost_exclude_each_other() -> None:
    links = lm.ConversionLinks(customer_id=lm.CustomerId("c-1"), at=AT)
    lost = lm.LossInfo(status="lost", reason="no_budget", at=AT)
    with pytest.raises(ValidationError) as info:
        lead(converted=links, lost=lost)
    assert _paths(info) == ["lost"]


def test_custom_fields_are_deep_frozen_and_hashable() -> None:
    made = lead(custom={"utm": {"source": "ig"}, "visits": [1, 2]})
    assert made.custom == {"utm": {"source": "ig"}, "visits": (1, 2)}
    assert isinstance(made.custom, lm.FrozenMap)
    assert hash(made) == hash(lead(custom={"utm": {"source": "ig"}, "visits": [1, 2]}))


def test_custom_fields_must_be_json() -> None:
    with pytest.raises(ValidationError) as info:
        lead(custom={"when": AT, "ratio": float("nan")})
    assert _paths(info) == ["custom.when", "custom.ratio"]


def test_tags_are_a_frozenset_of_non_blank_strings() -> None:
    assert lead(tags=frozenset({"vip", "опт"})).tags == {"vip", "опт"}
    with pytest.raises(ValidationError, match="got 'vip'"):
        lead(tags="vip")  # a text is not a list of letters
    with pytest.raises(ValidationError):
        lead(tags=["vip", " "])


def test_iterables_are_accepted_wherever_tuples_and_sets_are_stored() -> None:
    email = lm.ContactPoint.email("olena@mebli.ua")
    made = lead(tags=["vip", "vip"], contact_points=[email], interest_ids=iter(["I-1"]))
    assert (made.tags, made.contact_points, made.interest_ids) == (
        frozenset({"vip"}),
        (email,),
        ("I-1",),
    )
    assert made == lead(tags=frozenset({"vip"}), contact_points=(email,), interest_ids=("I-1",))
    with pytest.raises(ValidationError, match="contact_points"):
        lead(contact_points={email})  # an unordered set has no order to keep
    with pytest.raises(ValidationError, match="contact_points"):
        lead(contact_points={"email": "olena@mebli.ua"})


def test_version_must_be_a_non_negative_int() -> None:
    with pytest.raises(ValidationError) as info:
        lead(version=-1)
    assert _paths(info) == ["version"]


def test_entities_are_frozen() -> None:
    made = lead()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.person_name = "x"  # type: ignore[misc]
    assert attrs.evolve(made, owner="anna").owner == "anna"


def test_evolve_validates_too() -> None:
    with pytest.raises(ValidationError):
        attrs.evolve(lead(), contact_points=())


def test_anonymous_interest_is_allowed() -> None:
    made = interest(contact_points=(lm.ContactPoint.social("instagram", "@someone"),))
    assert made.person_name is None
    assert made.lead_id is None


def test_interest_needs_to_say_what_it_was_about() -> None:
    with pytest.raises(ValidationError) as info:
        interest(topic=None)
    assert _paths(info) == ["topic"]
    assert interest(topic=None, message="Скільки коштує доставка?").message


def test_interest_needs_an_aware_time_and_a_source() -> None:
    with pytest.raises(ValidationError) as info:
        interest(occurred_at=datetime(2026, 1, 1), source="form")
    assert _paths(info) == ["occurred_at", "source"]


def test_contact_company_customer() -> None:
    contact = lm.Contact(id=lm.ContactId("ct-1"), name="Іван", role="закупівельник")
    company = lm.Company(
        id=lm.CompanyId("co-1"), name="ТОВ Меблі", domain="меблі.укр", tax_id="12345678"
    )
    customer = lm.Customer(
        id=lm.CustomerId("cu-1"),
        kind=lm.CustomerKind.company,
        company_id=company.id,
        since=AT,
        origin=lm.CustomerOrigin.from_lead,
        lead_ids=(lm.LeadId("lead-1"),),
    )
    assert (contact.name, company.name, customer.company_id) == ("Іван", "ТОВ Меблі", "co-1")


def test_company_domain_must_be_a_domain() -> None:
    with pytest.raises(ValidationError) as info:
        lm.Company(id=lm.CompanyId("co-1"), name="X", domain="not a domain")
    assert _paths(info) == ["domain"]


def test_person_customer_needs_a_contact_and_company_customer_a_company() -> None:
    with pytest.raises(ValidationError) as info:
        lm.Customer(
            id=lm.CustomerId("c"),
            kind=lm.CustomerKind.person,
            since=AT,
            origin=lm.CustomerOrigin.from_order,
        )
    assert _paths(info) == ["contact_id"]
    with pytest.raises(ValidationError) as info:
        lm.Customer(
            id=lm.CustomerId("c"),
            kind=lm.CustomerKind.company,
            since=AT,
            origin=lm.CustomerOrigin.from_import,
        )
    assert _paths(info) == ["company_id"]


def test_contact_name_is_required() -> None:
    with pytest.raises(ValidationError) as info:
        lm.Contact(id=lm.ContactId("c"), name="")
    assert _paths(info) == ["name"]


def test_status_change_needs_aware_time() -> None:
    with pytest.raises(ValidationError) as info:
        lm.StatusChange(pipeline="p", from_status=None, to_status="new", at=datetime(2026, 1, 1))
    assert _paths(info) == ["at"]


def test_answer_and_assessment() -> None:
    answer = lm.Answer(criterion="budget", met=True, value={"amount": "10000"}, note="є кошти")
    assessment = lm.Assessment(
        framework="BANT", answers=(answer,), qualified=False, score=25.0, at=AT
    )
    assert assessment.answers[0].value == {"amount": "10000"}
    with pytest.raises(ValidationError) as info:
        lm.Answer(criterion="budget", met="yes")  # type: ignore[arg-type]
    assert _paths(info) == ["met"]


def test_expected_value_keeps_decimal() -> None:
    assert lead(expected_value=lm.Money.of("99.99", "EUR")).expected_value == lm.Money(
        amount=Decimal("99.99"), currency="EUR"
    )
