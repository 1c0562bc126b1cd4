"""Money: a ``Decimal`` amount in an ISO 4217 currency. Never a float.

>>> price = Money.of("1500.00", "UAH")
>>> price + Money.of(250, "UAH")
Money(amount=Decimal('1750.00'), currency='UAH')
>>> price + Money.of(1, "EUR")
Traceback (most recent call last):
...
leadmodel.errors.CurrencyMismatchError: Money.currency: cannot combine UAH with EUR;
convert one amount first; got 'EUR'
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.values.currencies import ISO_4217
from leadmodel.errors import CurrencyMismatchError, Problem, ValidationError

__all__ = ["MAX_AMOUNT", "Money"]

MAX_AMOUNT = Decimal(10) ** 18
"""Amounts must be strictly below this magnitude (bigger numbers are input errors, not money)."""
_MIN_EXPONENT = -12  # at most 12 digits after the decimal point


def amount_problem(value: object) -> str | None:
    """Return what is wrong with ``value`` as a money amount, or ``None`` if it is fine."""
    if type(value) is not Decimal:
        if isinstance(value, float):
            return "floats lose cents; pass a Decimal or a string such as '12.50'"
        return "expected a Decimal amount, e.g. Decimal('12.50')"
    if not value.is_finite():
        return "the amount must be a finite number"
    if not -MAX_AMOUNT < value < MAX_AMOUNT:
        return "the amount is too large (limit 10**18)"
    if value.as_tuple().exponent < _MIN_EXPONENT:  # type: ignore[operator] # finite: an int
        return "at most 12 digits after the decimal point"
    return None


def currency_problem(value: object) -> str | None:
    """Return what is wrong with ``value`` as an ISO 4217 code, or ``None`` if it is fine."""
    if type(value) is not str:
        return "expected an ISO 4217 currency code such as 'EUR'"
    if value not in ISO_4217:
        hint = f"; did you mean {value.upper()!r}?" if value.upper() in ISO_4217 else ""
        return f"not an ISO 4217 currency code (three capital letters, e.g. 'EUR'){hint}"
    return None


@attrs.frozen(kw_only=True)
class Money:
    """An amount of money: ``amount`` (``Decimal``) in ``currency`` (ISO 4217, e.g. ``"UAH"``).

    Adding, subtracting or comparing amounts in different currencies raises
    :class:`~leadmodel.errors.CurrencyMismatchError`. Negative amounts are allowed here
    (refunds); fields where a negative amount makes no sense reject it.
    """

    amount: Decimal
    currency: str

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        why = amount_problem(self.amount)
        if why:
            p.append(Problem("amount", why, self.amount))
        why = currency_problem(self.currency)
        if why:
            p.append(Problem("currency", why, self.currency))
        if p:
            c.fail("Money", p)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Build from a ``Decimal``, an ``int`` or a decimal string (floats are refused).

        >>> Money.of("99.90", "EUR").amount
        Decimal('99.90')
        """
        if type(amount) is str:
            try:
                amount = Decimal(amount.strip())
            except InvalidOperation:
                problem = Problem("amount", "not a decimal number, e.g. '12.50'", amount)
                raise ValidationError([problem], model="Money") from None
        elif type(amount) is int:
            amount = Decimal(amount)
        return cls(amount=amount, currency=currency)  # type: ignore[arg-type]

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency`` (a start value for ``sum``).

        >>> import leadmodel as lm
        >>> lm.Money.zero("UAH")
        Money(amount=Decimal('0'), currency='UAH')
        >>> sum([lm.Money.of("1500.00", "UAH"), lm.Money.of(250, "UAH")], lm.Money.zero("UAH"))
        Money(amount=Decimal('1750.00'), currency='UAH')
        """
        return cls(amount=Decimal(0), currency=currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise ValidationError([Problem("", "expected Money", other)], model="Money")
        if other.currency != self.currency:
            msg = f"cannot combine {self.currency} with {other.currency}; convert one amount first"
            raise CurrencyMismatchError([Problem("currency", msg, other.currency)], model="Money")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def __neg__(self) -> Money:
        return Money(amount=-self.amount, currency=self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            problem = Problem("factor", "multiply by an int or a Decimal, never a float", factor)
            raise ValidationError([problem], model="Money")
        return Money(amount=self.amount * factor, currency=self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
