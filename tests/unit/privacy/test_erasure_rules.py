"""The rules of erasure for company names and custom values (docs/privacy.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

import leadmodel as lm
from leadmodel import is_personal_company_name

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("company", "names"),
    [
        ("ФОП Маркерчук Зоряна Петрівна", []),  # a sole proprietor trades under her own name
        ("ФОП Маркерчук З. П.", ["Зоряна Маркерчук"]),
        ("Sole trader Olena Koval", []),
        ("Koval Olena Studio", ["Olena Koval"]),  # every word of her name, any order, any case
        ("Markerchuk & Zoryana", ["Zoryana Petrivna Markerchuk"]),  # two words of a longer name
        ("Zoryana", ["Zoryana"]),  # the whole of a one-word name
    ],
)
def test_a_company_name_that_holds_the_persons_name_is_personal(
    company: str, names: list[str]
) -> None:
    assert is_personal_company_name(company, names)


@pytest.mark.parametrize(
    ("company", "names"),
    [
        ("ТОВ «Меблі-Сервіс»", ["Олена Коваль"]),
        ("Koval & Sons", ["Olena Koval"]),  # one word of a two-word name is a family, not her
        (None, ["Olena Koval"]),
    ],
)
def test_a_company_name_of_other_people_is_not_personal(
    company: str | None, names: list[str]
) -> None:
    assert not is_personal_company_name(company, names)


def _lead(company_name: str) -> lm.Lead:
    return lm.Lead(
        id=lm.LeadId("lead-1"),
        person_name="Зоряна Маркерчук",
        topic="Квіти",
        company_name=company_name,
        contact_points=(lm.ContactPoint.email("z@kvitka.ua"),),
        source=lm.Source(channel=lm.Channel.form),
        created_at=AT,
    )


def test_erase_clears_a_company_name_that_is_the_persons_and_keeps_another() -> None:
    assert lm.erase(_lead("ФОП Маркерчук Зоряна Петрівна"), at=LATER).company_name is None
    assert lm.erase(_lead("ТОВ «Квітка»"), at=LATER).company_name == "ТОВ «Квітка»"


def test_erase_checks_the_company_name_against_the_persons_other_names() -> None:
    lead = attrs.evolve(_lead("Studio Zoryana Markerchuk"), person_name="З. М.")
    assert lm.erase(lead, at=LATER).company_name == "Studio Zoryana Markerchuk"
    named = lm.erase(lead, at=LATER, names=["Zoryana Markerchuk"])
    assert named.company_name is None


def test_an_erased_company_keeps_its_id_and_loses_every_identifying_value() -> None:
    company = lm.Company(
        id=lm.CompanyId("co-1"),
        name="ФОП Маркерчук Зоряна Петрівна",
        legal_name="ФОП Маркерчук З. П.",
        tax_id="3012345678",
        domain="markerchuk.ua",
        contact_points=(lm.ContactPoint.email("z@markerchuk.ua"),),
        custom={"note": "Зоряна"},
    )
    erased = lm.erase(company, at=LATER)
    assert (erased.id, erased.name) == ("co-1", "erased")
    assert (erased.legal_name, erased.tax_id, erased.domain) == (None, None, None)
    assert (erased.contact_points, dict(erased.custom)) == ((), {})


def test_an_erased_customer_loses_its_custom_values_and_keeps_its_links() -> None:
    customer = lm.Customer(
        id=lm.CustomerId("cu-1"),
        kind=lm.CustomerKind.company,
        since=AT,
        origin=lm.CustomerOrigin.from_lead,
        company_id=lm.CompanyId("co-1"),
        lead_ids=(lm.LeadId("lead-1"),),
        order_refs=("order-7",),
        custom={"tier": "CUSTOMER-ZM-VIP"},
    )
    erased = lm.erase(customer, at=LATER)
    assert dict(erased.custom) == {}
    assert (erased.company_id, erased.lead_ids, erased.order_refs) == (
        "co-1",
        ("lead-1",),
        ("order-7",),
    )
