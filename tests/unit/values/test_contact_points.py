"""Contact points: constructors, validation and normalised match keys."""

from __future__ import annotations

import pytest

from leadmodel import ContactKind, ContactPoint, ValidationError
from leadmodel.domain.values import normalise as _normalise


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("Olena@Example.COM", "olena@example.com"),
        ("olena.koval+crm@mail.example.org", "olena.koval+crm@mail.example.org"),
        ("олена@приклад.укр", "олена@xn--80aikifvh.xn--j1amh"),
        ("ivan@xn--80aikifvh.xn--j1amh", "ivan@xn--80aikifvh.xn--j1amh"),
    ],
)
def test_email_key_is_lower_case_with_ascii_domain(address: str, key: str) -> None:
    point = ContactPoint.email(address)
    assert point.key == key
    assert point.value == address  # nothing lost: the value is kept as typed


def test_idn_domain_matches_its_punycode_form() -> None:
    assert (
        ContactPoint.email("a@ПРИКЛАД.укр").key
        == ContactPoint.email("A@xn--80aikifvh.xn--j1amh").key
    )


@pytest.mark.parametrize(
    "bad",
    [
        "olena",
        "olena@",
        "@example.com",
        "ol ena@example.com",
        "a@b",
        "a..b@example.com",
        "a@-x.com",
    ],
)
def test_invalid_email_is_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        ContactPoint.email(bad)
    assert info.value.problems[0].path == "value"
    assert str(info.value).startswith("ContactPoint.value:")
    assert repr(bad) in str(info.value)


@pytest.mark.parametrize(
    ("number", "region", "key"),
    [
        ("+380 50 123 4567", None, "+380501234567"),
        ("+38 (050) 123-45-67", None, "+380501234567"),
        ("050 123 4567", "UA", "+380501234567"),
        ("(212) 555-0123", "US", "+12125550123"),
        ("8 (912) 345-67-89", "RU", "+79123456789"),
    ],
)
def test_phone_key_is_e164(number: str, region: str | None, key: str) -> None:
    assert ContactPoint.phone(number, region=region).key == key


def test_national_phone_without_region_asks_for_the_country_code() -> None:
    with pytest.raises(ValidationError, match="country code"):
        ContactPoint.phone("050 123 4567")


@pytest.mark.parametrize("bad", ["+380 50", "hello", "+1 234"])
def test_impossible_phone_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        ContactPoint.phone(bad)
    assert info.value.problems[0].path == "value"


def test_bad_region_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        ContactPoint.phone("050 123 4567", region="ua")
    assert info.value.problems[0].path == "region"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("+38 (050) 123-45-67", "+380501234567"),
        ("0038 050 123 45 67", "+380501234567"),
        ("050 123 45 67", "0501234567"),
    ],
)
def test_phone_fallback_without_phonenumbers_keeps_digits(raw: str, key: str) -> None:
    """Documented fallback: international numbers get '+digits', national ones their digits."""
    assert _normalise.phone_key_fallback(raw) == key


@pytest.mark.parametrize("bad", ["12345", "+1234567890123456", "call me"])
def test_phone_fallback_refuses_non_numbers(bad: str) -> None:
    with pytest.raises(ValueError, match="phone number has"):
        _normalise.phone_key_fallback(bad)


def test_phone_falls_back_when_phonenumbers_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_normalise, "_pn", None)
    _normalise.phone_key.cache_clear()
    try:
        assert ContactPoint.phone("+38 (050) 123-45-67").key == "+380501234567"
    finally:
        _normalise.phone_key.cache_clear()


@pytest.mark.parametrize(
    ("network", "handle", "key"),
    [("telegram", "@Olena_K", "telegram:olena_k"), ("viber", "olena", "viber:olena")],
)
def test_messenger_handle_key_drops_at_and_case(network: str, handle: str, key: str) -> None:
    point = ContactPoint.messenger(network, handle)
    assert point.kind is ContactKind.messenger
    assert point.key == key


def test_social_handle() -> None:
    assert ContactPoint.social("instagram", "@Shop.UA").key == "instagram:shop.ua"


def test_messenger_needs_a_network() -> None:
    with pytest.raises(ValidationError) as info:
        ContactPoint(kind=ContactKind.messenger, value="@olena")
    assert info.value.problems[0].path == "network"


@pytest.mark.parametrize("bad", ["Telegram", "", "tele gram"])
def test_network_must_be_a_lower_case_name(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        ContactPoint.messenger(bad, "olena")
    assert info.value.problems[0].path == "network"


def test_handle_with_spaces_is_refused() -> None:
    with pytest.raises(ValidationError, match="no spaces"):
        ContactPoint.messenger("telegram", "olena koval")


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.Example.com/", "example.com"),
        ("example.com/shop/", "example.com/shop"),
        ("http://магазин.укр", "xn--80aairftm.xn--j1amh"),
    ],
)
def test_website_key_is_host_and_path(url: str, key: str) -> None:
    assert ContactPoint.website(url).key == key


@pytest.mark.parametrize("bad", ["not a url", "ftp://example.com", "http://", "localhost"])
def test_invalid_website_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        ContactPoint.website(bad)


def test_network_on_an_email_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        ContactPoint(kind=ContactKind.email, value="a@example.com", network="telegram")
    assert info.value.problems[0].path == "network"


def test_region_on_an_email_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        ContactPoint(kind=ContactKind.email, value="a@example.com", region="UA")
    assert info.value.problems[0].path == "region"


def test_label_is_kept() -> None:
    assert ContactPoint.phone("+380501234567", label="робочий").label == "робочий"


def test_key_is_not_part_of_equality_but_derived_from_the_value() -> None:
    a = ContactPoint.email("A@example.com")
    b = ContactPoint.email("a@example.com")
    assert a.key == b.key
    assert a != b  # different values as typed: nothing is silently rewritten
