"""Shared by the scoring and temperature tests: a fixed now, engagement events, and
strategies for random score models, events and leads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import (
    Engagement,
    EngagementRule,
    FieldBetween,
    FieldIs,
    FitCondition,
    FitRule,
    FreeMail,
    HasTag,
    ScoreModel,
)
from tests.factories import lead

AT = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
DAY = timedelta(days=1)
S = lm.LifecycleStage


def _visit(ago: timedelta, kind: str = "site_visit", weight: float = 1.0) -> Engagement:
    return Engagement(kind=kind, at=AT - ago, weight=weight)


def _paths(err: pytest.ExceptionInfo[lm.ValidationError]) -> list[str]:
    return [p.path for p in err.value.problems]


KINDS = ("email_open", "site_visit", "checkout")
_points = st.floats(-50, 50, allow_nan=False)
_halves = st.integers(1, 30 * 24).map(lambda h: timedelta(hours=h))
_matchers: st.SearchStrategy[FitCondition] = st.sampled_from(
    [
        FreeMail(),
        HasTag(tag="vip"),
        FieldIs(field="source.channel", values=("form", "referral")),
        FieldIs(field="lifecycle", values=("mql",)),
        FieldBetween(field="score", low=20),
    ]
)


@st.composite
def _models(draw: st.DrawFn, points: st.SearchStrategy[float] = _points) -> ScoreModel:
    fit = draw(st.lists(st.tuples(points, _matchers), max_size=4))
    engagement = draw(
        st.lists(
            st.tuples(st.sampled_from(KINDS), points, _halves, st.none() | st.floats(1, 40)),
            max_size=3,
            unique_by=lambda r: r[0],
        )
    )
    return ScoreModel(
        fit=tuple(FitRule(name=f"fit {i}", points=p, when=m) for i, (p, m) in enumerate(fit)),
        engagement=tuple(
            EngagementRule(kind=k, points=p, half_life=h, cap=cap) for k, p, h, cap in engagement
        ),
        max_points=draw(st.floats(1, 200)),
    )


_ages = st.integers(0, 90 * 24 * 3600).map(lambda s: timedelta(seconds=s))
_events = st.lists(
    st.builds(
        lambda kind, ago, weight: _visit(ago, kind, weight),
        st.sampled_from(KINDS),
        _ages,
        st.floats(0, 5),
    ),
    max_size=6,
)
# Leads varying in what the conditions above read (random leads would rarely match them).
_leads = st.builds(
    lead,
    source=st.builds(lm.Source, channel=st.sampled_from(lm.Channel)),
    tags=st.frozensets(st.sampled_from(["vip", "student", "b2b"])),
    lifecycle=st.sampled_from(S),
    score=st.none() | st.floats(0, 100),
    contact_points=st.sampled_from(
        [
            (lm.ContactPoint.email("olena@gmail.com"),),
            (lm.ContactPoint.email("olena@mebli.com.ua"),),
            (lm.ContactPoint.phone("+380501234567"),),
        ]
    ),
)
