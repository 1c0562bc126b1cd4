"""Money: Decimal + ISO 4217, never a float, never mixing currencies."""

from __future__ import annotations

from decimal import Context, Decimal
from itertools import accumulate

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadmodel import CurrencyMismatchError, Money, ValidationError
from leadmodel.domain.values.money import MAX_AMOUNT
from leadmodel.testing.strategies import money


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


# -- sum() and mean --------------------------------------------------------------------------------
_EXACT = Context(prec=100)


def test_builtin_sum_works_for_one_currency() -> None:
    items = [Money.of("1500.00", "UAH"), Money.of("0.50", "UAH")]
    assert sum(items) == Money.of("1500.50", "UAH")
    assert 0 + items[0] == items[0]
    with pytest.raises(TypeError):
        1 + items[0]
    with pytest.raises(TypeError):
        False + items[0]
    with pytest.raises(CurrencyMismatchError):
        sum([*items, Money.of(1, "EUR")])


def test_money_sum_of_nothing_needs_a_currency() -> None:
    assert Money.sum([], currency="EUR") == Money.zero("EUR")
    with pytest.raises(ValidationError, match="pass currency="):
        Money.sum([])
    with pytest.raises(CurrencyMismatchError):
        Money.sum([Money.of(1, "UAH")], currency="EUR")
    with pytest.raises(ValidationError, match=r"items\[1\]: expected Money"):
        Money.sum([Money.of(1, "UAH"), 2])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="mean of no amounts"):
        Money.mean([])


def test_mean_rounds_half_even_to_the_items_places() -> None:
    assert Money.mean([Money.of("0.01", "EUR"), Money.of("0.02", "EUR")]).amount == Decimal(
        "0.02"
    )  # 0.015 -> 0.02 (half-even)
    assert Money.mean([Money.of("0.03", "EUR"), Money.of("0.02", "EUR")]).amount == Decimal(
        "0.02"
    )  # 0.025 -> 0.02
    assert Money.mean([Money.of("1", "EUR"), Money.of("0.5", "EUR")]).amount == Decimal("0.8")
    assert Money.mean([Money.of("10", "EUR")]) == Money.of("10", "EUR")


def test_sums_are_exact_beyond_28_digits() -> None:
    big = Money.of("999999999999999999.999999999999", "UAH")
    tiny = Money.of("-0.000000000001", "UAH")
    assert (big + tiny).amount == Decimal("999999999999999999.999999999998")
    assert Money.sum([big, tiny]) == big + tiny


@given(st.lists(money(currencies=["UAH"]), max_size=8))
def test_sum_equals_the_decimal_sum_of_amounts(items: list[Money]) -> None:
    expected = Decimal(0)
    for item in items:
        expected = _EXACT.add(expected, item.amount)
    if expected.copy_abs() >= MAX_AMOUNT:  # copy_abs: exact (abs() rounds to 28 digits)
        with pytest.raises(ValidationError):
            Money.sum(items, currency="UAH")
        return
    total = Money.sum(items, currency="UAH")
    assert total == Money(amount=expected, currency="UAH")
    if items:
        prefixes = accumulate((i.amount for i in items), _EXACT.add)
        if all(prefix.copy_abs() < MAX_AMOUNT for prefix in prefixes):  # sum() adds pair by pair
            assert sum(items) == total
        mean = Money.mean(items)
        assert abs(mean.amount * len(items) - expected) <= len(items)  # within one unit per item
        assert int(mean.amount.as_tuple().exponent) >= _min_exponent(items)


def _min_exponent(items: list[Money]) -> int:
    return min(0, *(int(item.amount.as_tuple().exponent) for item in items))


@given(st.lists(money(), min_size=2, max_size=6))
def test_sum_and_mean_of_mixed_currencies_raise(items: list[Money]) -> None:
    if len({item.currency for item in items}) == 1:
        return
    for combine in (Money.sum, Money.mean):
        with pytest.raises(CurrencyMismatchError):
            combine(items)
    # the built-in sum adds pair by pair: a running total may pass the 10**18 limit (a
    # ValidationError) before it meets the other currency; either way it never mixes them
    with pytest.raises((CurrencyMismatchError, ValidationError)):
        sum(items)
