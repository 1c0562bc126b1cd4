"""Money: Decimal + ISO 4217, never a float, never mixing currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from leadmodel import CurrencyMismatchError, Money, ValidationError


def test_amount_and_currency_are_kept_exactly() -> None:
    money = Money.of("1500.50", "UAH")
    assert money.amount == Decimal("1500.50")
    assert money.currency == "UAH"
    assert str(money) == "1500.50 UAH"


def test_float_amount_is_refused_with_a_hint() -> None:
    with pytest.raises(ValidationError) as info:
        Money(amount=0.1, currency="EUR")  # type: ignore[arg-type]
    assert info.value.problems[0].path == "amount"
    assert "floats lose cents" in str(info.value)
    assert "0.1" in str(info.value)


@pytest.mark.parametrize("bad", ["eur", "EURO", "XYZ", "", 978])
def test_unknown_currency_is_refused_naming_the_field(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        Money(amount=Decimal(1), currency=bad)  # type: ignore[arg-type]
    assert str(info.value).startswith("Money.currency:")
    assert repr(bad) in str(info.value)


def test_lower_case_currency_suggests_the_code() -> None:
    with pytest.raises(ValidationError, match="did you mean 'EUR'"):
        Money.of(1, "eur")


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "1e18", "0.0000000000001", "abc"])
def test_absurd_amounts_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        Money.of(bad, "EUR")
    assert info.value.problems[0].path == "amount"


def test_both_problems_are_reported_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        Money(amount="x", currency="??")  # type: ignore[arg-type]
    assert [p.path for p in info.value.problems] == ["amount", "currency"]


def test_arithmetic_in_one_currency() -> None:
    a, b = Money.of("10.50", "EUR"), Money.of(2, "EUR")
    assert a + b == Money.of("12.50", "EUR")
    assert a - b == Money.of("8.50", "EUR")
    assert -b == Money.of(-2, "EUR")
    assert b * 3 == 3 * b == Money.of(6, "EUR")
    assert b < a
    assert b <= a
    assert a > b
    assert a >= b
    assert not a < a  # noqa: PLR0124
    assert sum([a, b], Money.zero("EUR")) == Money.of("12.50", "EUR")


@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
)
def test_mixing_currencies_raises(op: object) -> None:
    with pytest.raises(CurrencyMismatchError, match="cannot combine EUR with UAH"):
        op(Money.of(1, "EUR"), Money.of(1, "UAH"))  # type: ignore[operator]


def test_multiplying_by_a_float_is_refused() -> None:
    with pytest.raises(ValidationError, match="never a float"):
        Money.of(1, "EUR") * 1.5  # type: ignore[operator]


def test_negative_money_is_allowed_as_a_value() -> None:
    assert Money.of("-5", "EUR").amount == Decimal(-5)
