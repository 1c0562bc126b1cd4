"""Serialisation: exact round trips, strict loading, every problem with its path."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

import leadmodel as lm
from leadmodel import ValidationError, from_dict, from_json, to_dict, to_json
from leadmodel._kernel import json_text as _json
from tests.factories import AT, change, lead


@pytest.fixture(autouse=True, params=["orjson", "stdlib"])
def json_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs on both JSON backends: they must accept and refuse the same."""
    if request.param == "stdlib":
        monkeypatch.setattr(_json, "_orjson", None)
    elif _json._orjson is None:
        pytest.skip("orjson (the 'fast' extra) is not installed")
    return str(request.param)


def _full_lead() -> lm.Lead:
    return lead(
        contact_points=(
            lm.ContactPoint.email("olena@приклад.укр"),
            lm.ContactPoint.phone("050 123 4567", region="UA", label="мобільний"),
        ),
        source=lm.Source(
            channel=lm.Channel.import_, campaign="весна", cost=lm.Money.of("12.50", "UAH")
        ),
        pipeline="requests",
        status="in_work",
        history=(change("new"), change("in_work", AT + timedelta(hours=2), "new")),
        expected_value=lm.Money.of("15000", "UAH"),
        tags=frozenset({"b", "a"}),
        custom={"utm": {"content": "banner 🚀"}, "n": [1, 2.5, None, True]},
        time_zone="Europe/Kyiv",
        score=42.5,
    )


def _problems(info: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {p.path: p.message for p in info.value.problems}


def test_lead_round_trips_exactly() -> None:
    original = _full_lead()
    assert from_json(lm.Lead, to_json(original)) == original
    assert from_dict(lm.Lead, to_dict(original)) == original


def test_document_shape() -> None:
    doc = json.loads(to_json(_full_lead()))
    assert next(iter(doc)) == "schema_version"
    assert doc["schema_version"] == lm.SCHEMA_VERSION
    assert doc["expected_value"] == {"amount": "15000", "currency": "UAH"}
    assert doc["created_at"] == "2026-03-01T09:30:00+00:00"
    assert doc["source"]["channel"] == "import"
    assert doc["tags"] == ["a", "b"]
    assert doc["person_name"] == "Олена Коваль"
    assert "key" not in doc["contact_points"][0]


def test_to_json_keeps_unicode_readable_and_can_indent() -> None:
    text = to_json(_full_lead(), indent=2)
    assert "Олена" in text
    assert "🚀" in text
    assert "\n  " in text


def test_every_problem_is_listed_with_its_path() -> None:
    doc = to_dict(_full_lead())
    doc["contact_points"][1]["value"] = "не телефон"
    doc["expected_value"]["amount"] = 12.5
    doc["created_at"] = "2026-03-01T09:30:00"
    doc["history"][0]["at"] = "yesterday"
    del doc["topic"]
    doc["colour"] = "red"
    with pytest.raises(ValidationError) as info:
        from_dict(lm.Lead, doc)
    problems = _problems(info)
    assert set(problems) == {
        "contact_points[1].value",
        "expected_value.amount",
        "created_at",
        "history[0].at",
        "topic",
        "colour",
    }
    assert "floats lose cents" in problems["expected_value.amount"]
    assert "no UTC offset" in problems["created_at"]
    assert problems["topic"] == "required field is missing"
    assert "unexpected field" in problems["colour"]
    assert "Lead.contact_points[1].value" in str(info.value)


def test_extra_fields_can_be_ignored() -> None:
    doc = to_dict(_full_lead())
    doc["colour"] = "red"
    assert from_dict(lm.Lead, doc, extra="ignore") == _full_lead()


def test_bad_extra_mode_is_refused() -> None:
    with pytest.raises(ValidationError, match="extra="):
        from_dict(lm.Lead, {}, extra="allow")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("version", True, "expected an integer"),
        ("version", 2**70, "expected an integer"),
        ("score", "5", "expected a finite number"),
        ("person_name", 5, "expected a string"),
        ("lifecycle", "hot", "expected one of 'inquiry'"),
        ("tags", "vip", "expected a JSON array"),
        ("interest_ids", "i-1", "expected a JSON array"),
        ("custom", [1], "expected a JSON object"),
        ("do_not_contact", "false", "expected true or false"),
    ],
)
def test_no_silent_coercion(field: str, value: object, expected: str) -> None:
    doc = to_dict(_full_lead())
    doc[field] = value
    with pytest.raises(ValidationError) as info:
        from_dict(lm.Lead, doc)
    assert expected in _problems(info)[field]


def test_decimal_amount_as_int_is_accepted_exactly() -> None:
    assert from_dict(lm.Money, {"amount": 12, "currency": "EUR"}).amount == Decimal(12)


def test_schema_version_may_be_omitted_but_not_newer() -> None:
    doc = to_dict(_full_lead())
    del doc["schema_version"]
    assert from_dict(lm.Lead, doc) == _full_lead()
    doc["schema_version"] = lm.SCHEMA_VERSION + 1
    with pytest.raises(ValidationError) as info:
        from_dict(lm.Lead, doc)
    assert "schema_version" in _problems(info)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{", "not valid JSON"),
        ("[" * 100_000, "nested too deeply"),
        (b'{"amount": "\xff"}', "not UTF-8"),
        (b"\xef\xbb\xbf{}", "BOM"),
        ('{"amount": NaN, "currency": "EUR"}', "NaN is not a JSON number"),
        ('{"amount": Infinity, "currency": "EUR"}', "Infinity is not a JSON number"),
        ('{"amount": ' + "1" * 5000 + ', "currency": "EUR"}', "not valid JSON"),
        ('{"amount": "1", "currency": "EUR", "x": ' + "9" * 25 + "}", "unexpected field"),
        ('{"amount": "1", "currency": "EUR", "x": "\\ud800"}', "surrogate"),
        ("[1, 2]", "expected a JSON object"),
        ("null", "expected a JSON object"),
    ],
)
def test_malformed_json_raises_validation_error(text: str | bytes, expected: str) -> None:
    with pytest.raises(ValidationError, match=expected):
        from_json(lm.Money, text)


def test_valid_surrogate_pair_escape_is_fine() -> None:
    loaded = from_json(lm.Lead, to_json(_full_lead()).replace("🚀", "\\ud83d\\ude80"))
    assert loaded.custom["utm"] == {"content": "banner 🚀"}


def test_from_json_rejects_non_text() -> None:
    with pytest.raises(ValidationError, match="str or bytes"):
        from_json(lm.Lead, 12)  # type: ignore[arg-type]


def test_to_dict_rejects_non_leadmodel_objects() -> None:
    with pytest.raises(ValidationError, match="leadmodel object"):
        to_dict(12)


def test_deep_junk_in_custom_fields_is_refused() -> None:
    doc: dict[str, Any] = to_dict(_full_lead())
    value: object = 1
    for _ in range(200):
        value = [value]
    doc["custom"] = {"deep": value}
    with pytest.raises(ValidationError, match="nested deeper"):
        from_dict(lm.Lead, doc)


@pytest.mark.parametrize(
    "obj",
    [
        lm.Money.of("1", "EUR"),
        lm.Source(channel=lm.Channel.telegram, name="bot"),
        lm.ContactPoint.messenger("telegram", "@olena"),
        change("new"),
        lm.ConversionLinks(customer_id=lm.CustomerId("c"), at=AT, deal_ref="order-7"),
        lm.LossInfo(status="lost", reason="no_budget", at=AT, note="дорого"),
        lm.Answer(criterion="need", met=None, value=[1, "a"]),
        lm.Contact(id=lm.ContactId("ct"), name="Іван", time_zone="Asia/Almaty"),
        lm.Company(id=lm.CompanyId("co"), name="ТОВ", domain="example.com"),
        lm.Customer(
            id=lm.CustomerId("cu"),
            kind=lm.CustomerKind.person,
            contact_id=lm.ContactId("ct"),
            since=AT,
            origin=lm.CustomerOrigin.from_order,
            order_refs=("mp-1",),
        ),
    ],
)
def test_each_type_round_trips(obj: object) -> None:
    assert from_json(type(obj), to_json(obj)) == obj


@pytest.mark.parametrize("number", ["1" + "0" * 25, "-" + "9" * 20, "1e300"])
def test_huge_numbers_in_custom_fields_are_refused_on_both_backends(number: str) -> None:
    text = to_json(_full_lead()).replace('"n":[1,', f'"n":[{number},')
    with pytest.raises(ValidationError) as info:
        from_json(lm.Lead, text)
    assert [p.path for p in info.value.problems] == ["custom.n[0]"]
