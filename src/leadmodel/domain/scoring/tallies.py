"""What a trained PredictiveScorer knows: per field, per value, how many leads were won and lost.

A :class:`ValueTally` is one value's count and is what a scorer stores and dumps; a
:class:`Tally` is the same count without its value, as ``PredictiveScorer.counts`` shows it.
For a binned field the value is the bin number (``0`` to ``len(edges)``) or ``None``.

>>> ValueTally(value="referral", won=2, lost=0).tally
Tally(won=2, lost=0)
>>> ValueTally(value=float("nan"), won=1, lost=0)
Traceback (most recent call last):
...
leadmodel.errors.ValidationError: ValueTally.value: NaN is not a category; use None for a ...
"""

from __future__ import annotations

import numbers

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.scoring._bayes import Category, category_problem
from leadmodel.errors import Problem

__all__ = ["Tally", "ValueTally", "check_count"]


def check_count(p: c.Problems, path: str, value: object) -> None:
    """A count of leads: an int ≥ 0."""
    if type(value) is not int or value < 0:
        p.append(Problem(path, "a count is an int ≥ 0", value))


def _check_counts(p: c.Problems, won: object, lost: object) -> None:
    found = len(p)
    check_count(p, "won", won)
    check_count(p, "lost", lost)
    if len(p) == found and won == lost == 0:
        p.append(Problem("won", "a value seen in training has at least one lead"))


@attrs.frozen(kw_only=True)
class Tally:
    """How many training leads with one value of a field were won and how many lost."""

    won: int
    lost: int

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _check_counts(p, self.won, self.lost)
        if p:
            c.fail("Tally", p)


def _plain(value: object) -> Category:
    """The category as a plain Python value (a numpy scalar or str subclass becomes one)."""
    if value is None or type(value) in (str, bool, int, float):
        return value  # type: ignore[return-value] # one of the Category types
    if isinstance(value, str):
        return str(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)  # type: ignore[arg-type] # a checked category: a real number


@attrs.frozen(kw_only=True)
class ValueTally:
    """One value of a field and how many training leads with it were won and how many lost.

    ``value`` is a str, int, float, bool or ``None`` (a bin number or ``None`` for a binned
    field). Raises ``ValidationError`` listing every problem.
    """

    value: Category
    won: int
    lost: int

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        if (problem := category_problem(self.value)) is not None:
            p.append(Problem("value", problem, self.value))
        else:
            c.unicode(p, "value", self.value)
        _check_counts(p, self.won, self.lost)
        if p:
            c.fail("ValueTally", p)
        object.__setattr__(self, "value", _plain(self.value))

    @property
    def tally(self) -> Tally:
        """The counts without the value."""
        return Tally(won=self.won, lost=self.lost)
