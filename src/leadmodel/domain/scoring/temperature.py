"""Temperature: cold, warm or hot, derived from score, stage and hot signals (DOMAIN §3).

Temperature is derived, never typed by hand. In order, the first that holds wins:

1. **hot** — a hot signal (``asked_bank_details``, ``deposit_paid``, ``checkout``) happened within
   the signal window, or the lifecycle stage is hot (``sql``, ``opportunity``), or the score
   reaches the hot threshold;
2. **warm** — the score reaches the warm threshold, or the stage is at or after ``mql``;
3. **cold** — otherwise.

The score is the ``model``'s score at ``at`` when a model is given, else the lead's stored
``score``; with neither, only the stage and the signals decide.

>>> from datetime import datetime, timedelta, timezone
>>> from leadmodel import Channel, ContactPoint, Lead, LeadId, Source
>>> from leadmodel.domain.scoring.score_model import Engagement
>>> at = datetime(2026, 3, 10, tzinfo=timezone.utc)
>>> lead = Lead(id=LeadId("lead-1"), person_name="Олена Коваль", topic="Офісні меблі",
...             contact_points=(ContactPoint.email("olena@example.com"),),
...             source=Source(channel=Channel.form), created_at=at - timedelta(days=3))
>>> temperature(lead, at=at)
<Temperature.cold: 'cold'>
>>> paid = Engagement(kind="deposit_paid", at=at - timedelta(days=1))
>>> print(explain_temperature(lead, [paid], at=at).reason)
hot: deposit_paid 1 day ago (a hot signal)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.model.stages import LifecycleStage
from leadmodel.domain.scoring.conditions import number
from leadmodel.domain.scoring.score_model import Engagement, ScoreModel, age, checked_events, span
from leadmodel.errors import Problem

__all__ = [
    "DEFAULT_THRESHOLDS",
    "HOT_SIGNALS",
    "Temperature",
    "TemperatureReading",
    "Thresholds",
    "explain_temperature",
    "temperature",
]

_S = LifecycleStage
_MAX_SCORE = 100


class Temperature(StrEnum):
    """How ready a lead is to buy (DOMAIN §3)."""

    cold = "cold"
    """May not know the business or the offer yet."""
    warm = "warm"
    """Knows a little; is interested in the product or the business."""
    hot = "hot"
    """Actively wants to buy: asked for bank details, paid a deposit, pressed "checkout"."""


HOT_SIGNALS: frozenset[str] = frozenset({"asked_bank_details", "deposit_paid", "checkout"})
"""The event kinds that make a lead hot by default (DOMAIN §3)."""


def _stages(p: c.Problems, path: str, value: object) -> None:
    if type(value) is not frozenset or not all(isinstance(s, LifecycleStage) for s in value):
        msg = "a frozenset of LifecycleStage, e.g. frozenset({LifecycleStage.sql})"
        p.append(Problem(path, msg, value))


@attrs.frozen(kw_only=True)
class Thresholds:
    """What makes a lead warm or hot: score thresholds (0–100), hot signals, stages.

    ``signal_window`` is how long a hot signal keeps a lead hot (``None``: for ever).
    ``warm`` must not be above ``hot``.
    """

    warm: float = 40
    hot: float = 70
    hot_signals: frozenset[str] = HOT_SIGNALS
    signal_window: timedelta | None = timedelta(days=30)
    hot_stages: frozenset[LifecycleStage] = frozenset({_S.sql, _S.opportunity})
    warm_stages: frozenset[LifecycleStage] = frozenset(
        {_S.mql, _S.sal, _S.sql, _S.opportunity, _S.customer, _S.evangelist}
    )

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        in_range = []
        for name in ("warm", "hot"):
            value = getattr(self, name)
            if number(p, name, value, f"the {name} threshold"):
                if 0 <= value <= _MAX_SCORE:
                    in_range.append(name)
                else:
                    p.append(Problem(name, "a threshold is a score from 0 to 100", value))
        if len(in_range) == 2 and self.warm > self.hot:  # noqa: PLR2004 - both thresholds
            msg = f"the warm threshold must not be above the hot one ({self.hot:g}); swap them"
            p.append(Problem("warm", msg, self.warm))
        if type(self.hot_signals) is not frozenset:
            msg = "a frozenset of event kinds, e.g. frozenset({'checkout'})"
            p.append(Problem("hot_signals", msg, self.hot_signals))
        else:
            for kind in sorted(self.hot_signals, key=repr):
                c.text(p, "hot_signals", kind, "an event kind")
        window = self.signal_window
        if window is not None and (not isinstance(window, timedelta) or window <= timedelta(0)):
            msg = "a positive timedelta, e.g. timedelta(days=30), or None for no limit"
            p.append(Problem("signal_window", msg, window))
        _stages(p, "hot_stages", self.hot_stages)
        _stages(p, "warm_stages", self.warm_stages)
        if p:
            c.fail("Thresholds", p)


DEFAULT_THRESHOLDS = Thresholds()
"""Warm from score 40, hot from 70; hot signals within 30 days; hot at sql and opportunity."""


@attrs.frozen(kw_only=True)
class TemperatureReading:
    """A lead's temperature, the ``reason`` in words, and the ``score`` used (``None``: none)."""

    temperature: Temperature
    reason: str
    score: float | None


def _hot_signal(
    events: Iterable[Engagement], at: datetime, thresholds: Thresholds
) -> tuple[timedelta, Engagement] | None:
    """The newest hot signal within the window, with its age, if any."""
    window = thresholds.signal_window
    ages = [(age(at, e.at), e) for e in events if e.kind in thresholds.hot_signals]
    within = [pair for pair in ages if window is None or pair[0] <= window]
    return min(within, key=lambda pair: pair[0], default=None)


def explain_temperature(
    lead: Lead,
    events: Iterable[Engagement] = (),
    *,
    at: datetime,
    model: ScoreModel | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> TemperatureReading:
    """The lead's temperature at ``at`` and why (see the module docs for the order of rules).

    Raises :class:`~leadmodel.errors.ValidationError` for a naive ``at``, an event after
    ``at``, or a ``model``/``thresholds`` of the wrong type.

    >>> from datetime import datetime, timezone
    >>> from leadmodel import Channel, ContactPoint, Lead, LeadId, LifecycleStage, Source
    >>> at = datetime(2026, 3, 10, tzinfo=timezone.utc)
    >>> lead = Lead(id=LeadId("l-1"), person_name="Ян", topic="CRM", created_at=at, score=55.0,
    ...             contact_points=(ContactPoint.phone("+380501234567"),),
    ...             source=Source(channel=Channel.phone_call), lifecycle=LifecycleStage.lead)
    >>> explain_temperature(lead, at=at).reason
    'warm: score 55 ≥ warm threshold 40'
    """
    p: c.Problems = []
    given = checked_events(lead, events, at, p)
    c.opt_instance(p, "model", model, ScoreModel)
    c.instance(p, "thresholds", thresholds, Thresholds)
    if p:
        c.fail("temperature", p)
    t = thresholds
    score = model.score(lead, given, at=at).value if model is not None else lead.score
    stage = lead.lifecycle
    signal = _hot_signal(given, at, t)
    if signal is not None:
        ago, event = signal
        return _reading(Temperature.hot, f"{event.kind} {span(ago)} ago (a hot signal)", score)
    if stage in t.hot_stages:
        return _reading(Temperature.hot, f"lifecycle stage {stage} is a hot stage", score)
    if score is not None and score >= t.hot:
        return _reading(Temperature.hot, f"score {score:g} ≥ hot threshold {t.hot:g}", score)
    if score is not None and score >= t.warm:
        return _reading(Temperature.warm, f"score {score:g} ≥ warm threshold {t.warm:g}", score)
    if stage in t.warm_stages:
        return _reading(Temperature.warm, f"lifecycle stage {stage} is a warm stage", score)
    scored = "no score" if score is None else f"score {score:g} < warm threshold {t.warm:g}"
    window = "" if t.signal_window is None else f" within {span(t.signal_window)}"
    return _reading(Temperature.cold, f"{scored}; stage {stage}; no hot signal{window}", score)


def _reading(temperature: Temperature, why: str, score: float | None) -> TemperatureReading:
    return TemperatureReading(temperature=temperature, reason=f"{temperature}: {why}", score=score)


def temperature(
    lead: Lead,
    events: Iterable[Engagement] = (),
    *,
    at: datetime,
    model: ScoreModel | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Temperature:
    """The lead's temperature at ``at``: :func:`explain_temperature` without the reason.

    >>> from datetime import datetime, timezone
    >>> from leadmodel import Channel, ContactPoint, Lead, LeadId, LifecycleStage, Source
    >>> at = datetime(2026, 3, 10, tzinfo=timezone.utc)
    >>> lead = Lead(id=LeadId("l-1"), person_name="Ян", topic="CRM", created_at=at,
    ...             contact_points=(ContactPoint.phone("+380501234567"),),
    ...             source=Source(channel=Channel.phone_call), lifecycle=LifecycleStage.sql)
    >>> temperature(lead, at=at)
    <Temperature.hot: 'hot'>
    """
    return explain_temperature(lead, events, at=at, model=model, thresholds=thresholds).temperature
