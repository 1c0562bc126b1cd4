"""Predictive lead scoring: naive Bayes over chosen fields, trained on won and lost leads.

A :class:`PredictiveScorer` is data: the fields it looks at (:class:`Categorical` and
:class:`Binned`, each a name and a getter), the Laplace smoothing ``alpha``, and the counts it
was trained on — how many leads were won and lost, and per field, per value, how many of each.
``fit`` and ``update`` return new scorers; ``probability`` is P(won) for a lead and
``explain`` shows each field's likelihood ratio.

>>> scorer = PredictiveScorer(
...     fields=(Categorical.channel(), Binned.expected_value((1000, 10000), currency="UAH"))
... )
>>> trained = scorer.fit_columns(
...     {
...         "channel": ["referral", "referral", "form", "form", "form", "form"],
...         "expected_value": [5000, None, 500, 20000, 700, 3000],
...     },
...     won=[True, True, False, True, False, False],
... )
>>> trained.won, trained.lost, trained.counts["channel"]["referral"]
(3, 3, Tally(won=2, lost=0))
>>> round(trained.probabilities({"channel": ["referral"], "expected_value": [2000]})[0], 4)
0.75
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.pipeline import Pipeline, StatusKind
from leadmodel.domain.scoring import _bayes
from leadmodel.domain.scoring import _predictive_checks as check
from leadmodel.domain.scoring._bayes import Category
from leadmodel.domain.scoring._predictive_checks import MODEL as _MODEL
from leadmodel.domain.scoring._predictive_checks import Tally, edges_of
from leadmodel.domain.scoring.fields import Binned, Categorical, Field
from leadmodel.errors import Problem, RuleViolation, ValidationError

__all__ = [
    "Binned",
    "Categorical",
    "Explanation",
    "Field",
    "LikelihoodRatio",
    "PredictiveScorer",
    "Tally",
    "outcome",
]


def outcome(lead: Lead, pipelines: Iterable[Pipeline] = ()) -> bool | None:
    """``True`` if the lead was won, ``False`` if lost, ``None`` while it is still open.

    Won: the lead was converted, or its status in one of ``pipelines`` is a won status.
    Lost: it carries :class:`~leadmodel.LossInfo`, or its status is a lost status. A status
    that ``pipelines`` does not know raises ``TransitionError(why="unknown_status")``.
    """
    return _outcome(lead, {p.key: p for p in pipelines})


def _outcome(lead: Lead, pipelines: Mapping[str, Pipeline]) -> bool | None:
    if lead.converted is not None:
        return True
    if lead.lost is not None:
        return False
    pipeline = pipelines.get(lead.pipeline) if lead.pipeline is not None else None
    if pipeline is None or lead.status is None:
        return None
    kind = pipeline.kind(lead.status)
    return None if kind is StatusKind.open else kind is StatusKind.won


@attrs.frozen(kw_only=True)
class LikelihoodRatio:
    """One field's part in a probability: its value and its likelihood ratio.

    ``ratio`` is P(value | won) / P(value | lost): above 1 the value speaks for winning.
    A value the scorer never saw in training (``seen`` is ``False``) is neutral: ratio 1.
    ``value`` is the category as the model counts it (a bin label for a :class:`Binned`
    field, ``None`` when the value is missing).
    """

    field: str
    value: object
    ratio: float
    seen: bool


@attrs.frozen(kw_only=True)
class Explanation:
    """Why a lead got its probability: the prior and each field's likelihood ratio.

    The odds of winning are the prior odds times every ratio:
    ``p / (1 − p) = prior / (1 − prior) · Π ratio``. ``contributions`` are sorted from the
    strongest for winning to the strongest against.
    """

    probability: float
    prior: float
    contributions: tuple[LikelihoodRatio, ...]

    def __str__(self) -> str:
        lines = [f"P(won) = {self.probability:.3f} (prior {self.prior:.3f})"]
        for part in self.contributions:
            note = "" if part.seen else " (not seen in training)"
            lines.append(f"  {part.field} = {part.value!r}: × {part.ratio:.3g}{note}")
        return "\n".join(lines)


def _vectorised(vectorised: bool | None) -> bool:
    """Whether to take the numpy path: when asked, or (``None``) when numpy is installed."""
    if vectorised is False:
        return False
    try:
        import numpy  # noqa: F401 - only whether it imports
    except ImportError:
        if vectorised:
            msg = "the vectorised path needs numpy: pip install 'leadmodel[numpy]'"
            raise ValidationError([Problem("vectorised", msg, vectorised)], model=_MODEL) from None
        return False
    return True


def _value(field: Field, lead: Lead) -> object:
    """What the field's getter returns for ``lead``; a getter that raises is reported."""
    try:
        return field.get(lead)
    except Exception as exc:
        msg = (
            f"the getter raised {type(exc).__name__}: {exc} (lead {lead.id!r}); "
            "make it return None for a missing value"
        )
        raise ValidationError([Problem(f"fields.{field.name}", msg)], model=_MODEL) from exc


@attrs.frozen(kw_only=True)
class PredictiveScorer:
    """Naive Bayes over chosen fields, trained on won (1) and lost (0) leads.

    ``fields`` are :class:`Categorical` and :class:`Binned` fields with distinct names;
    ``alpha`` (> 0) is the Laplace smoothing: P(value | won) = (won with the value + alpha) /
    (won + alpha · values seen in that field), as scikit-learn's ``CategoricalNB`` with
    ``fit_prior=True`` computes it. A missing value (``None``) is a value of its own. A value
    not seen in training contributes a likelihood ratio of 1 (it is left out of the product).

    ``won``, ``lost`` and ``counts`` (per field name, per value, a :class:`Tally`) are the
    training data's counts; a new scorer has none. Every field counts every training lead once,
    so each field's tallies add up to ``won`` and ``lost``. Raises ``ValidationError`` listing
    every problem of the configuration or of the counts.
    """

    fields: tuple[Field, ...]
    alpha: float = 1.0
    won: int = 0
    lost: int = 0
    counts: check.Counts = attrs.field(factory=dict, hash=False)
    _prior: float | None = attrs.field(init=False, eq=False, repr=False, hash=False)
    _tables: tuple[dict[Category, float], ...] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        check.fields(p, self.fields)
        if type(self.alpha) not in (int, float) or not 0 < self.alpha < math.inf:
            p.append(
                Problem("alpha", "alpha is a number > 0 (1.0 is Laplace smoothing)", self.alpha)
            )
        check.count(p, "won", self.won)
        check.count(p, "lost", self.lost)
        if p:
            c.fail(_MODEL, p)
        counts = check.counts(p, self.fields, self.won, self.lost, self.counts)
        if p:
            c.fail(_MODEL, p)
        object.__setattr__(self, "counts", counts)
        both = self.won > 0 and self.lost > 0
        object.__setattr__(
            self, "_prior", math.log(self.won) - math.log(self.lost) if both else None
        )
        tables = tuple(
            _bayes.log_ratios(
                {cat: (t.won, t.lost) for cat, t in counts[f.name].items()},
                self.won,
                self.lost,
                self.alpha,
            )
            for f in self.fields
        )
        object.__setattr__(self, "_tables", tables)

    # -- training ----------------------------------------------------------------------------
    def extract(
        self, leads: Iterable[Lead], *, pipelines: Iterable[Pipeline] = ()
    ) -> tuple[dict[str, list[object]], list[bool]]:
        """The raw field values of the won and lost leads, per field name, and their labels.

        Open leads are left out (see :func:`outcome`). The result is what :meth:`fit_columns`
        and :meth:`probabilities` take.
        """
        columns, won, _ = self._extract(leads, pipelines)
        return columns, won

    def _extract(
        self, leads: Iterable[Lead], pipelines: Iterable[Pipeline]
    ) -> tuple[dict[str, list[object]], list[bool], list[str]]:
        by_key = {pipeline.key: pipeline for pipeline in pipelines}
        columns: list[list[object]] = [[] for _ in self.fields]
        won: list[bool] = []
        ids: list[str] = []
        for lead in leads:
            label = _outcome(lead, by_key)
            if label is None:
                continue
            for column, field in zip(columns, self.fields, strict=True):
                column.append(_value(field, lead))
            won.append(label)
            ids.append(lead.id)
        named = {f.name: column for f, column in zip(self.fields, columns, strict=True)}
        return named, won, ids

    def fit(
        self,
        leads: Iterable[Lead],
        *,
        pipelines: Iterable[Pipeline] = (),
        vectorised: bool | None = None,
    ) -> PredictiveScorer:
        """A scorer trained on the won and lost ``leads`` (open ones are left out).

        Won and lost are told by :func:`outcome` (pass ``pipelines`` to count won and lost
        statuses too). Raises ``RuleViolation`` unless there are both won and lost leads, and
        ``ValidationError`` when a getter raises or returns a value the field cannot count.
        """
        columns, won, ids = self._extract(leads, pipelines)
        try:
            return self.fit_columns(columns, won, vectorised=vectorised)
        except ValidationError as exc:
            raise ValidationError(
                [check.on_lead(p, ids) for p in exc.errors], model=_MODEL
            ) from None

    def fit_columns(
        self,
        columns: Mapping[str, Sequence[object]],
        won: Sequence[bool],
        *,
        vectorised: bool | None = None,
    ) -> PredictiveScorer:
        """A scorer trained on pre-extracted rows: raw values per field name, labels in ``won``.

        ``won[i]`` is ``True`` (won) or ``False`` (lost); an open lead (``None``) is refused,
        as it is not training data. ``vectorised`` picks the numpy path (``True``), the pure
        Python path (``False``), or numpy when it is installed (``None``); both count the same.
        """
        if isinstance(won, str | bytes) or not hasattr(won, "__len__"):
            msg = "expected a sequence of labels: True (won) or False (lost)"
            c.fail(_MODEL, [Problem("won", msg, won)])
        cols = check.columns(self.fields, columns, len(won))
        paths = [f"columns.{field.name}" for field in self.fields]
        if _vectorised(vectorised):
            from leadmodel.domain.scoring import _bayes_numpy as vec

            y = vec.labels(won, "won")
            tallies = [
                vec.count(edges_of(f), col, y, path)
                for f, col, path in zip(self.fields, cols, paths, strict=True)
            ]
            n_won = int(y.sum())
        else:
            labels = _bayes.labels(won, "won")
            tallies = [
                _bayes.count(_bayes.categories(edges_of(f), col, path), labels)
                for f, col, path in zip(self.fields, cols, paths, strict=True)
            ]
            n_won = sum(labels)
        n_lost = len(won) - n_won
        if not (n_won and n_lost):
            raise RuleViolation(
                f"{_MODEL}.fit: training needs both won and lost leads; got {n_won} won and "
                f"{n_lost} lost — add leads of the missing outcome (for leads in a pipeline, "
                "pass pipelines= so that won and lost statuses count)"
            )
        counts = {
            f.name: {cat: Tally(won=w, lost=n) for cat, (w, n) in t.items()}
            for f, t in zip(self.fields, tallies, strict=True)
        }
        return attrs.evolve(self, won=n_won, lost=n_lost, counts=counts)

    def update(self, lead: Lead, *, pipelines: Iterable[Pipeline] = ()) -> PredictiveScorer:
        """The scorer with one more won or lost lead counted; an open lead changes nothing.

        ``fit(a + b)`` equals ``fit(a)`` updated with each lead of ``b``.
        """
        label = outcome(lead, pipelines)
        if label is None:
            return self
        counts: dict[str, dict[Category, Tally]] = {}
        for field in self.fields:
            cat = self._category(field, lead)
            tallies = dict(self.counts[field.name])
            old = tallies.get(cat)
            w, n = (old.won, old.lost) if old else (0, 0)
            tallies[cat] = Tally(won=w + label, lost=n + (not label))
            counts[field.name] = tallies
        return attrs.evolve(self, won=self.won + label, lost=self.lost + (not label), counts=counts)

    # -- scoring -----------------------------------------------------------------------------
    @property
    def prior(self) -> float:
        """P(won) before looking at any field: the share of won leads in training.

        Raises ``RuleViolation`` if the scorer has not seen both won and lost leads.
        """
        self._trained()
        return self.won / (self.won + self.lost)

    def probability(self, lead: Lead) -> float:
        """P(won) for ``lead``, from 0 to 1. Raises ``RuleViolation`` if not trained."""
        z = self._trained()
        for field, table in zip(self.fields, self._tables, strict=True):
            z += table.get(self._category(field, lead), 0.0)
        return _bayes.sigmoid(z)

    def probabilities(
        self, columns: Mapping[str, Sequence[object]], *, vectorised: bool | None = None
    ) -> list[float]:
        """P(won) for each row of pre-extracted columns (raw values per field name).

        ``vectorised`` as in :meth:`fit_columns`; both paths agree to about 1e-15.
        """
        prior = self._trained()
        cols = check.columns(self.fields, columns, None)
        n = len(cols[0])
        paths = [f"columns.{field.name}" for field in self.fields]
        edges = [edges_of(field) for field in self.fields]
        if _vectorised(vectorised):
            from leadmodel.domain.scoring import _bayes_numpy as vec

            return vec.score(
                prior, tables=self._tables, edges=edges, columns=cols, paths=paths, n=n
            )
        cats = [
            _bayes.categories(e, col, path) for e, col, path in zip(edges, cols, paths, strict=True)
        ]
        return _bayes.score(prior, self._tables, cats, n)

    def explain(self, lead: Lead) -> Explanation:
        """The prior and each field's value and likelihood ratio for ``lead``."""
        z = self._trained()
        parts = []
        for field, table in zip(self.fields, self._tables, strict=True):
            cat = self._category(field, lead)
            log_ratio = table.get(cat)
            z += log_ratio or 0.0
            value = field.label(cat) if isinstance(field, Binned) else cat  # type: ignore[arg-type]
            ratio = 1.0 if log_ratio is None else math.exp(log_ratio)
            parts.append(
                LikelihoodRatio(
                    field=field.name, value=value, ratio=ratio, seen=log_ratio is not None
                )
            )
        parts.sort(key=lambda part: (-part.ratio, part.field))
        return Explanation(
            probability=_bayes.sigmoid(z), prior=self.prior, contributions=tuple(parts)
        )

    # -- helpers -------------------------------------------------------------------------------
    def _trained(self) -> float:
        """The prior log odds; raises when the scorer has not seen both outcomes."""
        if self._prior is None:
            raise RuleViolation(
                f"{_MODEL}: not trained on both outcomes ({self.won} won, {self.lost} lost); "
                "fit it on won and lost leads first"
            )
        return self._prior

    def _category(self, field: Field, lead: Lead) -> Category:
        return _bayes.category_of(edges_of(field), _value(field, lead), f"fields.{field.name}")
