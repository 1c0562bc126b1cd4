"""Predictive lead scoring: naive Bayes over chosen fields, trained on won and lost leads.

A :class:`PredictiveScorer` is data: the fields it looks at (:class:`Categorical` and
:class:`Binned`, each naming where its value comes from), the Laplace smoothing ``alpha``, and
the counts it was trained on — how many leads were won and lost, and per field, per value, a
:class:`ValueTally`. ``fit`` and ``update`` return new scorers; ``probability`` is P(won) for a
lead and ``explain`` shows each field's likelihood ratio. A trained scorer dumps and loads with
``to_dict``/``from_dict`` (and JSON) and scores the same afterwards.

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
>>> trained.tallies[0]
(ValueTally(value='form', won=1, lost=3), ValueTally(value='referral', won=2, lost=0))
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.pipeline import Pipeline
from leadmodel.domain.scoring import _bayes
from leadmodel.domain.scoring import _predictive_checks as check
from leadmodel.domain.scoring import _training as training
from leadmodel.domain.scoring._bayes import Category
from leadmodel.domain.scoring._predictive_checks import MODEL as _MODEL
from leadmodel.domain.scoring._predictive_checks import edges_of
from leadmodel.domain.scoring._training import outcome
from leadmodel.domain.scoring.fields import Binned, Categorical, DerivedValue, Field
from leadmodel.domain.scoring.tallies import Tally, ValueTally, check_count
from leadmodel.errors import Problem, RuleViolation, ValidationError

__all__ = [
    "Binned",
    "Categorical",
    "DerivedValue",
    "Explanation",
    "Field",
    "LikelihoodRatio",
    "PredictiveScorer",
    "Tally",
    "ValueTally",
    "outcome",
]


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


@attrs.frozen(kw_only=True)
class PredictiveScorer:
    """Naive Bayes over chosen fields, trained on won (1) and lost (0) leads.

    ``fields`` are :class:`Categorical` and :class:`Binned` fields with distinct names;
    ``alpha`` (> 0) is the Laplace smoothing: P(value | won) = (won with the value + alpha) /
    (won + alpha · values seen in that field), as scikit-learn's ``CategoricalNB`` with
    ``fit_prior=True`` computes it. A missing value (``None``) is a value of its own. A value
    not seen in training contributes a likelihood ratio of 1 (it is left out of the product).

    ``won``, ``lost`` and ``tallies`` (per field, in the fields' order, a :class:`ValueTally`
    per value seen) are the training data's counts; a new scorer has none. Every field counts
    every training lead once, so each field's tallies add up to ``won`` and ``lost``. Raises
    ``ValidationError`` listing every problem of the configuration or of the counts.

    The scorer is data: ``to_dict``/``from_dict`` (and ``to_json``/``from_json``) dump and load
    it, and the loaded scorer scores exactly as the original. A field read by a function
    (``get=``) works but cannot be dumped.
    """

    fields: tuple[Field, ...]
    alpha: float = 1.0
    won: int = 0
    lost: int = 0
    tallies: tuple[tuple[ValueTally, ...], ...] = ()
    _counts: Mapping[str, Mapping[Category, Tally]] | None = attrs.field(
        init=False, default=None, eq=False, repr=False, hash=False
    )
    _readers: tuple[training.Reader, ...] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
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
        check_count(p, "won", self.won)
        check_count(p, "lost", self.lost)
        if p:
            c.fail(_MODEL, p)
        tallies = check.tallies(p, self.fields, self.won, self.lost, self.tallies)
        if p:
            c.fail(_MODEL, p)
        object.__setattr__(self, "alpha", float(self.alpha))
        object.__setattr__(self, "tallies", tallies)
        object.__setattr__(self, "_readers", tuple(map(training.Reader.of, self.fields)))
        both = self.won > 0 and self.lost > 0
        object.__setattr__(
            self, "_prior", math.log(self.won) - math.log(self.lost) if both else None
        )
        tables = tuple(
            _bayes.log_ratios(
                {t.value: (t.won, t.lost) for t in ts}, self.won, self.lost, self.alpha
            )
            for ts in tallies
        )
        object.__setattr__(self, "_tables", tables)

    @property
    def counts(self) -> Mapping[str, Mapping[Category, Tally]]:
        """The tallies by field name, then by value: ``counts["channel"]["referral"]``."""
        counts = self._counts
        if counts is None:  # made on first use: update() makes many scorers never asked
            counts = MappingProxyType(
                {
                    f.name: MappingProxyType({t.value: t.tally for t in ts})
                    for f, ts in zip(self.fields, self.tallies, strict=True)
                }
            )
            object.__setattr__(self, "_counts", counts)
        return counts

    # -- training ----------------------------------------------------------------------------
    def extract(
        self, leads: Iterable[Lead], *, pipelines: Iterable[Pipeline] = ()
    ) -> tuple[dict[str, list[object]], list[bool]]:
        """The raw field values of the won and lost leads, per field name, and their labels.

        Open leads are left out (see :func:`outcome`). The result is what :meth:`fit_columns`
        and :meth:`probabilities` take.

        >>> import leadmodel as lm
        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> def lead(n, channel, won):  # won: True, False (lost) or None (open)
        ...     return lm.Lead(id=lm.LeadId(f"lead-{n}"), person_name="Олена Коваль",
        ...         topic="Офісні меблі", contact_points=(lm.ContactPoint.phone("+380501234567"),),
        ...         source=lm.Source(channel=lm.Channel(channel)), created_at=at,
        ...         converted=lm.ConversionLinks(customer_id="c-1", at=at) if won else None,
        ...         lost=lm.LossInfo(status="lost", reason="Ціна", at=at) if won is False else None)
        >>> leads = [lead(1, "referral", True), lead(2, "form", True), lead(3, "form", False),
        ...     lead(4, "form", None)]
        >>> scorer = lm.PredictiveScorer(fields=(lm.Categorical.channel(),))
        >>> scorer.extract(leads)
        ({'channel': ['referral', 'form', 'form']}, [True, True, False])
        """
        columns, won, _ = training.extract(self._readers, leads, pipelines)
        return columns, won

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
        ``ValidationError`` when a field cannot read a lead (a ``get`` function raises, an
        expected value is in another currency) or reads a value it cannot count.

        >>> import leadmodel as lm
        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> def lead(n, channel, won):  # won: True, False (lost) or None (open)
        ...     return lm.Lead(id=lm.LeadId(f"lead-{n}"), person_name="Олена Коваль",
        ...         topic="Офісні меблі", contact_points=(lm.ContactPoint.phone("+380501234567"),),
        ...         source=lm.Source(channel=lm.Channel(channel)), created_at=at,
        ...         converted=lm.ConversionLinks(customer_id="c-1", at=at) if won else None,
        ...         lost=lm.LossInfo(status="lost", reason="Ціна", at=at) if won is False else None)
        >>> leads = [lead(1, "referral", True), lead(2, "form", True), lead(3, "form", False),
        ...     lead(4, "form", None)]
        >>> scorer = lm.PredictiveScorer(fields=(lm.Categorical.channel(),))
        >>> trained = scorer.fit(leads)
        >>> trained.won, trained.lost, trained.counts["channel"]["form"]
        (2, 1, Tally(won=1, lost=1))
        >>> scorer.fit(leads[:2])
        Traceback (most recent call last):
        ...
        leadmodel.errors.RuleViolation: PredictiveScorer.fit: training needs both won and lost
        leads; got 2 won and 0 lost — ...
        """
        columns, won, ids = training.extract(self._readers, leads, pipelines)
        try:
            return self.fit_columns(columns, won, vectorised=vectorised)
        except ValidationError as exc:
            raise ValidationError(
                [check.on_lead(p, ids) for p in exc.problems], model=_MODEL
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

        >>> import leadmodel as lm
        >>> scorer = lm.PredictiveScorer(fields=(lm.Categorical.channel(),))
        >>> trained = scorer.fit_columns({"channel": ["referral", "referral", "form", "form"]},
        ...     won=[True, True, True, False])
        >>> trained.won, trained.lost, trained.counts["channel"]["form"]
        (3, 1, Tally(won=1, lost=1))
        >>> scorer.fit_columns({"channel": ["referral", "form"]}, won=[True, None])
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: PredictiveScorer.won[1]: an open lead is not training
        data; leave it out (labels are True or False); got None
        """
        if isinstance(won, str | bytes) or not hasattr(won, "__len__"):
            msg = "expected a sequence of labels: True (won) or False (lost)"
            c.fail(_MODEL, [Problem("won", msg, won)])
        cols = check.columns(self.fields, columns, len(won))
        n_won, tallies = training.count(self.fields, cols, won, vectorised=vectorised)
        n_lost = len(won) - n_won
        if not (n_won and n_lost):
            raise RuleViolation(
                f"{_MODEL}.fit: training needs both won and lost leads; got {n_won} won and "
                f"{n_lost} lost — add leads of the missing outcome (for leads in a pipeline, "
                "pass pipelines= so that won and lost statuses count)"
            )
        return attrs.evolve(
            self, won=n_won, lost=n_lost, tallies=tuple(map(training.value_tallies, tallies))
        )

    def update(self, lead: Lead, *, pipelines: Iterable[Pipeline] = ()) -> PredictiveScorer:
        """The scorer with one more won or lost lead counted; an open lead changes nothing.

        ``fit(a + b)`` equals ``fit(a)`` updated with each lead of ``b``.

        >>> import leadmodel as lm
        >>> scorer = lm.PredictiveScorer(fields=(lm.Categorical.channel(),)).fit_columns(
        ...     {"channel": ["referral", "referral", "form", "form"]}, [True, True, True, False])
        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> lead = lm.Lead(id=lm.LeadId("lead-5"), person_name="Олена Коваль",
        ...     topic="Офісні меблі", contact_points=(lm.ContactPoint.phone("+380501234567"),),
        ...     source=lm.Source(channel=lm.Channel.form), created_at=at,
        ...     lost=lm.LossInfo(status="lost", reason="Ціна", at=at))
        >>> more = scorer.update(lead)
        >>> (scorer.won, scorer.lost), (more.won, more.lost), more.counts["channel"]["form"]
        ((3, 1), (3, 2), Tally(won=1, lost=2))
        """
        label = training.outcome(lead, pipelines)
        if label is None:
            return self
        tallies = tuple(
            training.counted(known, reader.category(lead), won=label)
            for reader, known in zip(self._readers, self.tallies, strict=True)
        )
        return attrs.evolve(
            self, won=self.won + label, lost=self.lost + (not label), tallies=tallies
        )

    # -- scoring -----------------------------------------------------------------------------
    @property
    def prior(self) -> float:
        """P(won) before looking at any field: the share of won leads in training.

        Raises ``RuleViolation`` if the scorer has not seen both won and lost leads.
        """
        self._trained()
        return self.won / (self.won + self.lost)

    def probability(self, lead: Lead) -> float:
        """P(won) for ``lead``, from 0 to 1. Raises ``RuleViolation`` if not trained.

        >>> import leadmodel as lm
        >>> scorer = lm.PredictiveScorer(fields=(lm.Categorical.channel(),)).fit_columns(
        ...     {"channel": ["referral", "referral", "form", "form"]}, [True, True, True, False])
        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> lead = lm.Lead(id=lm.LeadId("lead-5"), person_name="Олена Коваль",
        ...     topic="Офісні меблі", contact_points=(lm.ContactPoint.phone("+380501234567"),),
        ...     source=lm.Source(channel=lm.Channel.referral), created_at=at)
        >>> round(scorer.probability(lead), 3)
        0.844
        >>> lm.PredictiveScorer(fields=(lm.Categorical.channel(),)).probability(lead)
        Traceback (most recent call last):
        ...
        leadmodel.errors.RuleViolation: PredictiveScorer: not trained on both outcomes (0 won,
        0 lost); fit it on won and lost leads first
        """
        z = self._trained()
        for reader, table in zip(self._readers, self._tables, strict=True):
            z += table.get(reader.category(lead), 0.0)
        return _bayes.sigmoid(z)

    def probabilities(
        self, columns: Mapping[str, Sequence[object]], *, vectorised: bool | None = None
    ) -> list[float]:
        """P(won) for each row of pre-extracted columns (raw values per field name).

        ``vectorised`` as in :meth:`fit_columns`; both paths agree to about 1e-15.

        >>> import leadmodel as lm
        >>> scorer = lm.PredictiveScorer(fields=(lm.Categorical.channel(),)).fit_columns(
        ...     {"channel": ["referral", "referral", "form", "form"]}, [True, True, True, False])
        >>> columns = {"channel": ["referral", "form", "telegram"]}  # telegram: not seen, neutral
        >>> [round(p, 3) for p in scorer.probabilities(columns)]
        [0.844, 0.643, 0.75]
        >>> [round(p, 3) for p in scorer.probabilities(columns, vectorised=False)]
        [0.844, 0.643, 0.75]
        """
        prior = self._trained()
        cols = check.columns(self.fields, columns, None)
        n = len(cols[0])
        paths = [f"columns.{field.name}" for field in self.fields]
        edges = [edges_of(field) for field in self.fields]
        if training.vectorised_path(vectorised):
            from leadmodel.domain.scoring import _bayes_numpy as vec

            return vec.score(
                prior, tables=self._tables, edges=edges, columns=cols, paths=paths, n=n
            )
        cats = [
            _bayes.categories(e, col, path) for e, col, path in zip(edges, cols, paths, strict=True)
        ]
        return _bayes.score(prior, self._tables, cats, n)

    def explain(self, lead: Lead) -> Explanation:
        """The prior and each field's value and likelihood ratio for ``lead``.

        >>> import leadmodel as lm
        >>> scorer = lm.PredictiveScorer(fields=(lm.Categorical.channel(),)).fit_columns(
        ...     {"channel": ["referral", "referral", "form", "form"]}, [True, True, True, False])
        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> lead = lm.Lead(id=lm.LeadId("lead-5"), person_name="Олена Коваль",
        ...     topic="Офісні меблі", contact_points=(lm.ContactPoint.phone("+380501234567"),),
        ...     source=lm.Source(channel=lm.Channel.referral), created_at=at)
        >>> print(scorer.explain(lead))
        P(won) = 0.844 (prior 0.750)
          channel = 'referral': × 1.8
        """
        z = self._trained()
        parts = []
        for field, reader, table in zip(self.fields, self._readers, self._tables, strict=True):
            cat = reader.category(lead)
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
