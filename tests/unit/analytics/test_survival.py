"""Time to close and time in status count the open cards as censored: Kaplan–Meier survival,
its median and band, and the Aalen–Johansen incidences match lifelines on the same data."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from statistics import median

import matplotlib as mpl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lifelines import AalenJohansenFitter, KaplanMeierFitter  # type: ignore[import-untyped]
from lifelines.utils import median_survival_times  # type: ignore[import-untyped]

import leadmodel as lm
from leadmodel.analytics.survival import (
    Survival,
    SurvivalMedian,
    cohorts,
    draw_cohorts,
    draw_survival,
    durations,
    time_in_status,
    time_to_close,
)

mpl.use("Agg")

SIMPLE = lm.pipelines.SIMPLE
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
AT = T0 + timedelta(days=1000)
DAY = timedelta(days=1)
Case = tuple[float, int]  # days, and 0 open / 1 won / 2 lost


def card(
    n: int,
    created: datetime = T0,
    close: str | None = None,
    after: timedelta = DAY,
    channel: lm.Channel = lm.Channel.form,
) -> lm.Lead:
    """A card of SIMPLE created at ``created``, closed ``close`` (won or lost) ``after`` it."""
    lead = SIMPLE.enter(
        lm.Lead(
            id=lm.LeadId(f"L-{n}"),
            person_name="Petro",
            topic="Chairs",
            contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")],
            source=lm.Source(channel=channel),
            created_at=created,
        ),
        at=created,
    )
    if close is None:
        return lead
    reason = "declined" if close == "lost" else None
    return SIMPLE.move(lead, close, at=created + after, reason=reason)


def leads_of(cases: Sequence[Case], at: datetime = AT) -> list[lm.Lead]:
    """Cards whose durations and outcomes are ``cases``: an open card is created ``days``
    before ``at``, a closed one closes ``days`` after ``T0``."""
    out = []
    for n, (days, cause) in enumerate(cases):
        if cause == 0:
            out.append(card(n, created=at - timedelta(days=days)))
        else:
            out.append(card(n, close="won" if cause == 1 else "lost", after=timedelta(days=days)))
    return out


def fitted(cases: Sequence[Case], alpha: float = 0.05) -> KaplanMeierFitter:
    return KaplanMeierFitter(alpha=alpha).fit(
        [days for days, _ in cases], [int(cause != 0) for _, cause in cases]
    )


def days(value: timedelta | None) -> float:
    return math.inf if value is None else value / DAY


def exact_survival(report: Survival, until: timedelta) -> Fraction:
    """The survival at ``until`` in exact arithmetic, from the rows' counts."""
    out = Fraction(1)
    for row in report:
        if row.time <= until and row.events:
            out *= Fraction(row.at_risk - row.events, row.at_risk)
    return out


def assert_matches_lifelines(cases: Sequence[Case], confidence: float = 0.95) -> Survival:
    report = time_to_close(leads_of(cases), SIMPLE, at=AT, confidence=confidence)
    kmf = fitted(cases, alpha=1 - confidence)
    times = [row.time / DAY for row in report]
    theirs = kmf.survival_function_at_times(times).to_list()
    assert [row.survival for row in report] == pytest.approx(theirs, abs=1e-9, rel=0)
    band = kmf.confidence_interval_.loc[times]
    assert [row.ci_low for row in report] == pytest.approx(list(band.iloc[:, 0]), abs=1e-9, rel=0)
    assert [row.ci_high for row in report] == pytest.approx(list(band.iloc[:, 1]), abs=1e-9, rel=0)
    [summary] = report.medians
    ours, lifelines_median = days(summary.median), kmf.median_survival_time_
    if ours != lifelines_median:
        # lifelines sums logarithms: at an exact half its float lands a hair above 0.5, and its
        # median is the next event time; ours is decided exactly
        assert summary.median is not None
        assert exact_survival(report, summary.median) == Fraction(1, 2)
        later = [row.time / DAY for row in report if row.events and row.time > summary.median]
        assert lifelines_median == (later[0] if later else math.inf)
    # lifelines' columns: where the lower band, then the upper band, reaches one half
    interval = median_survival_times(kmf.confidence_interval_)
    assert days(summary.median_ci_low) == pytest.approx(interval.iloc[0, 0], abs=1e-9)
    assert days(summary.median_ci_high) == pytest.approx(interval.iloc[0, 1], abs=1e-9)
    assert days(summary.median_ci_low) <= ours <= days(summary.median_ci_high)
    return report


HAND: list[Case] = [
    (1.0, 1),
    (2.0, 2),
    (2.0, 1),
    (2.0, 0),
    (3.5, 1),
    (4.0, 0),
    (5.0, 2),
    (6.0, 1),
    (6.0, 0),
    (8.0, 1),
    (9.0, 0),
    (12.0, 0),
]


def test_kaplan_meier_matches_lifelines_on_a_hand_case() -> None:
    report = assert_matches_lifelines(HAND)
    assert [(row.time / DAY, row.at_risk, row.events, row.censored) for row in report] == [
        (1.0, 12, 1, 0),
        (2.0, 11, 2, 1),
        (3.5, 8, 1, 0),
        (4.0, 7, 0, 1),
        (5.0, 6, 1, 0),
        (6.0, 5, 1, 1),
        (8.0, 3, 1, 0),
        (9.0, 2, 0, 1),
        (12.0, 1, 0, 1),
    ]
    assert report.medians[0].median == 6 * DAY


def test_the_band_follows_the_confidence_level() -> None:
    narrow = assert_matches_lifelines(HAND, confidence=0.8)
    wide = time_to_close(leads_of(HAND), SIMPLE, at=AT)
    assert all(w.ci_low <= n.ci_low for w, n in zip(wide, narrow, strict=True))


def test_an_exact_half_is_the_median_where_lifelines_rounds_past_it() -> None:
    """Six cards, three closed by day 3: the curve is exactly 1/2 there."""
    cases: list[Case] = [(1.0, 1), (2.0, 1), (3.0, 1), (4.0, 1), (5.0, 0), (6.0, 0)]
    report = assert_matches_lifelines(cases)
    assert report.medians[0].median == 3 * DAY
    assert fitted(cases).median_survival_time_ == 4.0


@given(
    st.lists(
        st.tuples(st.integers(1, 40).map(lambda h: h / 4), st.sampled_from([0, 1, 1, 2])),
        min_size=1,
        max_size=30,
    )
)
def test_kaplan_meier_matches_lifelines_on_any_durations(cases: list[Case]) -> None:
    assert_matches_lifelines(cases)


@given(
    st.lists(st.integers(1, 5000), min_size=1, max_size=30, unique=True),
    st.lists(st.sampled_from([0, 1, 2]), min_size=30, max_size=30),
)
def test_incidences_match_aalen_johansen_without_ties(hours: list[int], causes: list[int]) -> None:
    """lifelines jitters won and lost at one time, so this compares distinct times only."""
    cases = [(h / 24, cause) for h, cause in zip(hours, causes, strict=False)]
    report = time_to_close(leads_of(cases), SIMPLE, at=AT)
    for cause, column in ((1, "won_incidence"), (2, "lost_incidence")):
        fitter = AalenJohansenFitter(calculate_variance=False).fit(
            [d for d, _ in cases], [e for _, e in cases], event_of_interest=cause
        )
        theirs = fitter.cumulative_density_.iloc[:, 0].to_dict()
        ours = {row.time / DAY: getattr(row, column) for row in report}
        assert ours == pytest.approx({t: theirs[t] for t in ours}, abs=1e-9, rel=0)


def test_won_and_lost_at_one_time_share_the_drop() -> None:
    """Aalen–Johansen needs no jitter: a won and a lost at one time each take S(t-)·1/n."""
    report = time_to_close(leads_of([(1.0, 1), (2.0, 1), (2.0, 2), (3.0, 0)]), SIMPLE, at=AT)
    assert [row.won_incidence for row in report] == pytest.approx([0.25, 0.5, 0.5])
    assert [row.lost_incidence for row in report] == pytest.approx([0.0, 0.25, 0.25])
    [summary] = report.medians
    assert (summary.won_at_median, summary.lost_at_median) == pytest.approx((0.5, 0.25))
    assert (summary.won_at_end, summary.lost_at_end) == pytest.approx((0.5, 0.25))
    assert 0.5 + 0.25 + report[-1].survival == pytest.approx(1.0)


def test_open_cards_are_censored_not_dropped() -> None:
    """Quick closes and many old open cards: the closed-only median is biased short."""
    cases: list[Case] = [(1.0, 1), (1.5, 2), (2.0, 1), (2.5, 1), (20.0, 1), (25.0, 2)]
    cases += [(30.0, 0)] * 3 + [(10.0, 0)]
    report = time_to_close(leads_of(cases), SIMPLE, at=AT)
    naive = median([d for d, cause in cases if cause])
    ours = days(report.medians[0].median)
    assert ours == fitted(cases).median_survival_time_ == 20.0
    assert naive == 2.25 != ours


def test_durations_frame_fits_lifelines_directly() -> None:
    leads = [*leads_of(HAND), card(99, created=AT + DAY)]  # created after `at`: left out
    frame = durations(leads, SIMPLE, at=AT).to_pandas()
    assert len(frame) == len(HAND)
    assert list(frame["outcome"][:3]) == ["won", "lost", "won"]
    kmf = KaplanMeierFitter().fit(frame["duration"], frame["event"])
    report = time_to_close(leads, SIMPLE, at=AT)
    assert kmf.median_survival_time_ == days(report.medians[0].median)
    ajf = AalenJohansenFitter(calculate_variance=False, seed=1)
    ajf.fit(frame["duration"][:2], frame["cause"][:2], event_of_interest=1)
    assert ajf.cumulative_density_.iloc[-1, 0] == pytest.approx(0.5)


def test_a_close_after_at_is_still_open_then() -> None:
    lead = card(1, close="won", after=5 * DAY)
    [row] = durations([lead], SIMPLE, at=T0 + 2 * DAY)
    assert (row.duration, row.event, row.outcome, row.won) == (2.0, 0, lm.analytics.Outcome.open, 0)
    [summary] = time_to_close([lead], SIMPLE, at=T0 + 2 * DAY).medians
    assert (summary.observed, summary.events, summary.median) == (1, 0, None)


def test_grouped_curves_are_one_per_group() -> None:
    leads = [
        card(1, close="won", after=DAY, channel=lm.Channel.email),
        card(2, close="won", after=3 * DAY, channel=lm.Channel.form),
        card(3, close="lost", after=2 * DAY, channel=lm.Channel.email),
    ]
    report = time_to_close(leads, SIMPLE, at=AT, by="channel")
    assert [(row.group, row.time / DAY) for row in report] == [
        ("email", 1.0),
        ("email", 2.0),
        ("form", 3.0),
    ]
    assert [(m.group, days(m.median)) for m in report.medians] == [("email", 1.0), ("form", 3.0)]


def test_no_cards_give_an_empty_curve_and_no_median() -> None:
    report = time_to_close([], SIMPLE, at=AT)
    assert report.rows == ()
    assert report.medians == (
        SurvivalMedian(
            group=None,
            observed=0,
            events=0,
            median=None,
            median_ci_low=None,
            median_ci_high=None,
            won_at_median=None,
            lost_at_median=None,
            won_at_end=None,
            lost_at_end=None,
        ),
    )


def test_time_in_status_counts_every_stay_and_where_it_went() -> None:
    hours = timedelta(hours=1)
    progressing = SIMPLE.move(card(1), "in_progress", at=T0 + 2 * hours)
    lost = SIMPLE.move(card(2), "lost", at=T0 + 3 * hours, reason="no_answer")
    won = SIMPLE.move(card(3), "won", at=T0 + 5 * hours)
    waiting = card(4, created=T0 + hours)
    at = T0 + 6 * hours
    report = time_in_status([progressing, lost, won, waiting], SIMPLE, "new", at=at)
    assert [
        (row.time / hours, row.at_risk, row.events, row.won, row.lost, row.censored)
        for row in report
    ] == [(2, 4, 1, 0, 0, 0), (3, 3, 1, 0, 1, 0), (5, 2, 1, 1, 0, 1)]
    assert report[-1].survival == pytest.approx(0.25)
    assert (report[-1].won_incidence, report[-1].lost_incidence) == pytest.approx((0.25, 0.25))
    [summary] = report.medians
    assert summary.median == 3 * hours
    assert report.status == "new"
    assert time_in_status([progressing], SIMPLE, "in_progress", at=at)[0].censored == 1


def test_cohorts_count_cards_and_share_won_by_age() -> None:
    monday = datetime(2026, 1, 5, tzinfo=UTC)  # ISO week 2
    leads = [
        card(1, created=monday, close="won", after=2 * DAY),
        card(2, created=monday + 2 * DAY, close="won", after=10 * DAY),
        card(3, created=monday + 3 * DAY, close="lost", after=DAY),
        card(4, created=monday + 4 * DAY),
        card(5, created=monday + 7 * DAY, close="won", after=DAY),  # week 3
        card(6, created=monday + 8 * DAY, close="won", after=20 * DAY),  # won after `at`
    ]
    at = monday + 24 * DAY  # week 2 ended 17 days ago, week 3 ten days ago
    report = cohorts(leads, SIMPLE, at=at, period="week", ages=(14, 7))
    assert report.ages == (7, 14)
    assert [(r.cohort, r.cards, r.won, r.lost, r.open) for r in report] == [
        ("2026-W02", 4, 2, 1, 1),
        ("2026-W03", 2, 1, 0, 1),
    ]
    assert [row.won_within for row in report] == [(0.25, 0.5), (0.5, None)]
    assert report[0].start == monday
    assert report.records()[1]["won_within_14d"] is None
    assert list(report.to_pandas().columns)[-2:] == ["won_within_7d", "won_within_14d"]


def test_cohorts_by_month_in_the_time_zone() -> None:
    late = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)  # 1 February in Kyiv
    report = cohorts([card(1, created=late)], SIMPLE, at=AT, time_zone="Europe/Kyiv")
    assert [(row.cohort, row.won_within) for row in report] == [("2026-02", (0.0,) * 5)]


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: time_to_close([], SIMPLE, at=datetime(2026, 1, 1)), "at"),
        (lambda: time_to_close([], SIMPLE, at=AT, confidence=1.0), "confidence"),
        (lambda: time_to_close([], SIMPLE, at=AT, confidence=True), "confidence"),
        (lambda: time_to_close([], SIMPLE, at=AT, by="color"), "by"),  # type: ignore[arg-type]
        (lambda: time_in_status([], SIMPLE, "offer", at=AT), "status"),
        (lambda: time_in_status([], SIMPLE, "new", at=AT, confidence=0), "confidence"),
        (lambda: durations([], SIMPLE, at=datetime(2026, 1, 1)), "at"),
        (lambda: cohorts([], SIMPLE, at=AT, period="day"), "period"),  # type: ignore[arg-type]
        (lambda: cohorts([], SIMPLE, at=AT, ages=(0, 7)), "ages"),
        (lambda: cohorts([], SIMPLE, at=AT, time_zone="Mars/Base"), "time_zone"),
    ],
)
def test_bad_arguments_name_the_field(call: object, path: str) -> None:
    with pytest.raises(lm.ValidationError) as caught:
        call()  # type: ignore[operator]
    assert [problem.path for problem in caught.value.problems] == [path]


def test_drawers_draw_curves_bands_and_a_heatmap() -> None:
    import matplotlib.pyplot as plt

    leads = [card(1, close="won", channel=lm.Channel.email), card(2), card(3, close="lost")]
    figure, (left, right) = plt.subplots(1, 2)
    draw_survival(time_to_close(leads, SIMPLE, at=AT, by="channel"), left)
    assert len(left.get_lines()) == 3  # two curves and the half line
    assert [text.get_text() for text in left.get_legend().get_texts()] == ["email", "form"]
    draw_cohorts(cohorts(leads, SIMPLE, at=AT), right)
    assert [text.get_text() for text in right.texts] == ["33%"] * 5
    plt.close(figure)
