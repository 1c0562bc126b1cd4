"""Money: a ``Decimal`` amount in an ISO 4217 currency. Never a float.

>>> price = Money.of("1500.00", "UAH")
>>> price + Money.of(250, "UAH")
Money(amount=Decimal('1750.00'), currency='UAH')
>>> price + Money.of(1, "EUR")
Traceback (most recent call last):
...
leadmodel.errors.CurrencyMismatchError: Money.currency: cannot combine UAH with EUR;
convert one amount first; got 'EUR'
>>> sum([price, Money.of(250, "UAH")])  # sum() works for one currency: 0 + Money is Money
Money(amount=Decimal('1750.00'), currency='UAH')
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.values.currencies import ISO_4217
from leadmodel.errors import CurrencyMismatchError, Problem, ValidationError

__all__ = ["MAX_AMOUNT", "Money"]

MAX_AMOUNT = Decimal(10) ** 18
"""Amounts must be strictly below this magnitude (bigger numbers are input errors, not money)."""
_MIN_EXPONENT = -12  # at most 12 digits after the decimal point
# amounts have at most 30 significant digits (18 + 12): the default 28-digit context could round
# a sum; 60 digits keep every sum exact (the constructor then refuses one that is too large)
_EXACT = Context(prec=60)


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

    @classmethod
    def sum(cls, items: Iterable[Money], currency: str | None = None) -> Money:
        """The exact total of ``items``, all in one currency (``currency`` when given).

        No items: zero in ``currency``, or a :class:`~leadmodel.errors.ValidationError` asking
        for one. Mixed currencies raise :class:`~leadmodel.errors.CurrencyMismatchError`.

        >>> import leadmodel as lm
        >>> lm.Money.sum([lm.Money.of("1500.00", "UAH"), lm.Money.of("0.50", "UAH")])
        Money(amount=Decimal('1500.50'), currency='UAH')
        >>> lm.Money.sum([], currency="EUR")
        Money(amount=Decimal('0'), currency='EUR')
        >>> lm.Money.sum([])
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: Money.currency: the sum of no amounts has no currency;
        pass currency=, e.g. Money.sum(items, currency='EUR'); got None
        """
        total = cls._total(items, currency, "sum")
        return total[0]

    @classmethod
    def mean(cls, items: Iterable[Money]) -> Money:
        """The mean of ``items`` (one currency), rounded half-even to the most decimal places
        any item has: ``Decimal`` all the way, never a float, and a valid amount.

        >>> import leadmodel as lm
        >>> lm.Money.mean([lm.Money.of("10.00", "UAH"), lm.Money.of("10.01", "UAH")])
        Money(amount=Decimal('10.00'), currency='UAH')
        >>> yen = [lm.Money.of(100, "JPY"), lm.Money.of(200, "JPY"), lm.Money.of(200, "JPY")]
        >>> lm.Money.mean(yen)  # 166.66...
        Money(amount=Decimal('167'), currency='JPY')
        >>> lm.Money.mean([lm.Money.of(1, "EUR"), lm.Money.of(1, "UAH")])
        Traceback (most recent call last):
        ...
        leadmodel.errors.CurrencyMismatchError: Money.currency: cannot combine EUR with UAH;
        convert one amount first; got 'UAH'
        """
        total, count, exponent = cls._total(items, None, "mean")
        mean = _EXACT.divide(total.amount, Decimal(count))
        places = Decimal(1).scaleb(exponent)
        amount = mean.quantize(places, rounding=ROUND_HALF_EVEN, context=_EXACT)
        return cls(amount=amount, currency=total.currency)

    @classmethod
    def _total(
        cls, items: Iterable[Money], currency: str | None, what: str
    ) -> tuple[Money, int, int]:
        """The total, the count and the smallest exponent (at most 0) of ``items``."""
        first = None if currency is None else cls.zero(currency)
        amount, count, exponent = Decimal(0), 0, 0
        for item in items:
            if not isinstance(item, Money):
                problem = Problem(f"items[{count}]", "expected Money", item)
                raise ValidationError([problem], model=f"Money.{what}")
            if first is None:
                first = item
            first._same(item)
            amount = _EXACT.add(amount, item.amount)
            count += 1
            exponent = min(exponent, int(item.amount.as_tuple().exponent))  # finite: an int
        if first is None:
            if what == "mean":
                msg = "the mean of no amounts is undefined; check for an empty list first"
            else:
                msg = (
                    "the sum of no amounts has no currency; pass currency=, e.g. "
                    "Money.sum(items, currency='EUR')"
                )
            raise ValidationError([Problem("currency", msg, currency)], model="Money")
        return cls(amount=amount, currency=first.currency), count, exponent

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise ValidationError([Problem("", "expected Money", other)], model="Money")
        if other.currency != self.currency:
            msg = f"cannot combine {self.currency} with {other.currency}; convert one amount first"
            raise CurrencyMismatchError([Problem("currency", msg, other.currency)], model="Money")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=_EXACT.add(self.amount, other.amount), currency=self.currency)

    def __radd__(self, other: int) -> Money:
        """``0 + money`` is ``money``, so ``sum(moneys)`` works; any other left operand is an
        error (``sum(moneys)`` of no items is the int ``0``: use :meth:`sum` for that)."""
        if type(other) is int and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=_EXACT.subtract(self.amount, other.amount), currency=self.currency)

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
