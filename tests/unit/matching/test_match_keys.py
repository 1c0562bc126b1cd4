"""Match keys and name keys: what each record is matched by."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import KeyKind, MatchKey, is_free_mail, match_keys, name_key
from leadmodel.domain.matching import _names
from tests import factories as f

from ._matching import email, keys, phone

# --------------------------------------------------------------------------- match keys


def test_contact_keys_are_the_contact_point_keys() -> None:
    lead = f.lead(
        contact_points=(
            email("Olena.Koval@Example.com"),
            phone("+38 (050) 123-45-67"),
            lm.ContactPoint.messenger("telegram", "@Olena_K"),
            lm.ContactPoint.social("instagram", "olena.k"),
        )
    )
    assert keys(lead) >= {
        "email:olena.koval@example.com",
        "phone:+380501234567",
        "handle:telegram:olena_k",
        "handle:instagram:olena.k",
    }


def test_corporate_email_gives_the_company_domain() -> None:
    assert "domain:mebli.ua" in keys(f.lead(contact_points=(email("olena@Mebli.UA"),)))


@pytest.mark.parametrize(
    "address",
    ["o@gmail.com", "o@ukr.net", "o@i.ua", "o@meta.ua", "o@gmx.de", "o@proton.me", "o@yahoo.co.uk"],
)
def test_free_mail_domains_give_no_domain_key(address: str) -> None:
    found = keys(f.lead(contact_points=(email(address),)))
    assert not {k for k in found if k.startswith("domain:")}
    assert f"email:{address}" in found


def test_free_mail_is_known_by_brand_with_a_country_ending() -> None:
    assert is_free_mail("gmx.at")
    assert is_free_mail("yandex.kz")
    assert is_free_mail("hotmail.fr")
    assert not is_free_mail("gmx-partners.com")
    assert not is_free_mail("mail.mebli.ua")


def test_a_role_mailbox_is_no_persons_email_but_names_the_company() -> None:
    found = keys(f.lead(contact_points=(email("info@mebli.ua"),)))
    assert "domain:mebli.ua" in found
    assert "email:info@mebli.ua" not in found


def test_a_website_gives_its_domain() -> None:
    found = keys(f.lead(contact_points=(lm.ContactPoint.website("https://www.Mebli.ua/shop/"),)))
    assert "domain:mebli.ua" in found


def test_lead_keys_name_the_person_and_the_company() -> None:
    lead = f.lead(company_id=lm.CompanyId("co-7"), company_name="ТОВ «Меблі Плюс»")
    assert keys(lead) >= {"name:koval olena", "company:id:co-7", "company:name:mebli plus"}


def test_company_keys_are_tax_id_domain_and_names() -> None:
    company = lm.Company(
        id=lm.CompanyId("co-1"),
        name="Mebli Plus LLC",
        legal_name="ТОВ «Меблі Плюс Україна»",
        tax_id="ua 41-234-567",
        domain="WWW.Mebli.ua",
    )
    assert keys(company) == {
        "company:name:mebli plus",
        "company:name:mebli plus ukraina",
        "tax_id:UA41234567",
        "domain:mebli.ua",
    }


def test_an_anonymous_interest_has_only_its_handle() -> None:
    interest = f.interest(contact_points=(lm.ContactPoint.social("instagram", "@olena.k"),))
    assert match_keys(interest) == {MatchKey(kind=KeyKind.handle, value="instagram:olena.k")}


def test_a_customer_is_matched_through_its_contact() -> None:
    customer = lm.Customer(
        id=lm.CustomerId("cust-1"),
        kind=lm.CustomerKind.person,
        since=f.AT,
        origin=lm.CustomerOrigin.from_lead,
        contact_id=lm.ContactId("contact-1"),
    )
    with pytest.raises(lm.ValidationError, match=r"match its Contact \(customer.contact_id\)"):
        match_keys(customer)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- name keys


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Олена Коваль", "Olena Koval"),
        ("Олена Коваль", "KOVAL Olena"),
        ("Олена Коваль", "Olena Kowal"),
        ("Алексей Иванов", "Aleksei Ivanov"),
        ("Алексей Иванов", "Alexey Ivanov"),
        ("Алексей Иванов", "Aleksey Ivanov"),
        ("Юлія Щербак", "Yulia Shcherbak"),
        ("Юлія Щербак", "Iuliia Scherbak"),
        ("Євген Гнатюк", "Yevhen Hnatiuk"),
        ("Ольга Михайлова", "Olga Mikhailova"),
        ("Ольга Михайлова", "Olha Mykhailova"),
        ("Мар'яна Петрів-Сидоренко", "Maryana Petriv-Sydorenko"),
        ("Дмитрий Иванович Петров", "Dmitriy Petrov"),
        ("Наталія Ткаченко", "Nataliya Tkachenko"),
    ],
)
def test_cyrillic_and_latin_spellings_have_one_name_key(cyrillic: str, latin: str) -> None:
    assert name_key(cyrillic) == name_key(latin)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Олена Коваль", "Ольга Коваль"),
        ("Іван Коваль", "Олена Коваль"),
        ("Anna Koval", "Hanna Kovalenko"),
    ],
)
def test_different_people_have_different_name_keys(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


def test_name_keys_ignore_case_accents_and_emoji() -> None:
    assert name_key("ZOË  Ångström 🌻") == name_key("zoe angstrom")


@pytest.fixture
def without_extras(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Matching as it runs without the ``match`` extra (no anyascii, no rapidfuzz)."""
    monkeypatch.setattr(_names, "_anyascii", None)
    monkeypatch.setattr(_names, "_osa", None)
    _names.name_key.cache_clear()
    yield
    _names.name_key.cache_clear()


@pytest.mark.usefixtures("without_extras")
def test_cyrillic_name_keys_are_the_same_without_the_extra() -> None:
    assert name_key("Олена Коваль") == "koval olena" == name_key("Olena Kowal")
    assert name_key("Алексей Иванов") == name_key("Alexey Ivanov")


@pytest.mark.usefixtures("without_extras")
def test_other_scripts_are_kept_as_written_without_the_extra() -> None:
    assert name_key("李小龙") == "李小龙"


def test_other_scripts_are_transliterated_with_the_extra() -> None:
    if not _names.HAVE_ANYASCII:
        pytest.skip("needs the match extra (anyascii)")
    assert name_key("Σωκράτης") == name_key("Sokratis")


@given(st.text("abcdeklmnoy ", max_size=12), st.text("abcdeklmnoy ", max_size=12))
def test_the_similarity_fallback_gives_the_same_numbers(a: str, b: str) -> None:
    assert _names.osa_similarity(a, b) == pytest.approx(_names.similarity(a, b))
