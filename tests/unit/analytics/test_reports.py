"""The business reports: funnel, losses, owners, speed to lead, sources — their invariants,
and their numbers against a straightforward pandas computation on the same cards."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pandas as pd
import pytest
from hypothesis import given, settings

import leadmodel as lm
from leadmodel.analytics import Outcome

from ._cards import AT, OPEN, PIPE, SOURCES, card, cards

ORDER = ("new", "in_work", "offer", "won")


def _frame(leads: list[lm.Lead]) -> pd.DataFrame:
    """The cards as an analyst flattens them by hand, following the documented rules."""
    rows = []
    for lead in leads:
        entered = {m.to_status for m in lead.history}
        furthest = max(ORDER.index(s) for s in entered if s in ORDER)
        rows.append(
            {
                "id": lead.id,
                "owner": lead.owner or "(none)",
                "channel": lead.source.channel.value,
                "campaign": lead.source.campaign or "(none)",
                "status": lead.status,
                "reached": furthest,
                "entered": entered,
                "lost_from": lead.lost.from_status if lead.lost else None,
                "reason": lead.lost.reason if lead.lost else None,
                "currency": lead.expected_value.currency if lead.expected_value else None,
                "value": lead.expected_value.amount if lead.expected_value else None,
                "cost": lead.source.cost.amount if lead.source.cost else Decimal(0),
            }
        )
    return pd.DataFrame(rows)


@settings(max_examples=60, deadline=None)
@given(leads=cards())
def test_the_funnel_and_losses_equal_pandas(leads: list[lm.Lead]) -> None:
    frame = _frame(leads)
    report = lm.analytics.funnel(leads, PIPE)
    assert [row.status for row in report] == list(ORDER)
    counts = [row.count for row in report]
    assert counts == [int((frame.reached >= i).sum()) for i in range(len(ORDER))]
    assert counts == sorted(counts, reverse=True)  # never grows along the funnel
    for i, row in enumerate(report):
        reached = frame[frame.reached >= i].dropna(subset=["currency"])
        expected = reached.groupby("currency")["value"].sum().to_dict()
        assert {m.currency: m.amount for m in row.amount} == expected
    entered = lm.analytics.funnel(leads, PIPE, mode="entered")
    assert [row.count for row in entered] == [
        int(frame.entered.map(lambda s, status=status: status in s).sum()) for status in ORDER
    ]
    lost = frame[frame.status == "lost"]
    by_place = lost.groupby(["lost_from", "reason"]).size().to_dict()
    losses = lm.analytics.losses(leads, PIPE)
    assert {(row.status, row.reason): row.count for row in losses} == by_place
    assert sum(row.count for row in losses) == len(lost)
    if len(lost):
        assert sum(row.share or 0 for row in losses) == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(leads=cards())
def test_owners_add_up_and_equal_pandas(leads: list[lm.Lead]) -> None:
    frame = _frame(leads)
    report = lm.analytics.owner_performance(leads, PIPE)
    for row in report:
        assert row.won + row.lost + row.open == row.processed
        mine = frame[frame.owner == row.owner]
        assert row.processed == len(mine)
        assert row.won == int((mine.status == "won").sum())
        assert row.lost == int((mine.status == "lost").sum())
        won = mine[(mine.status == "won") & mine.currency.notna()]
        assert {m.currency: m.amount for m in row.amount} == won.groupby("currency")[
            "value"
        ].sum().to_dict()
    assert sum(row.processed for row in report) == len(leads)
    facts = lm.analytics.lead_facts(leads, PIPE)
    outcomes = Counter(fact.outcome for fact in facts)
    assert outcomes[Outcome.won] + outcomes[Outcome.lost] + outcomes[Outcome.open] == len(leads)


@settings(max_examples=60, deadline=None)
@given(leads=cards())
def test_source_efficiency_equals_pandas(leads: list[lm.Lead]) -> None:
    frame = _frame(leads)
    report = lm.analytics.source_efficiency(leads, PIPE, by="channel", currency="UAH")
    for row in report:
        mine = frame[frame.channel == row.group]
        won = mine[(mine.status == "won") & (mine.currency == "UAH")]
        assert (row.leads, row.customers) == (len(mine), int((mine.status == "won").sum()))
        assert row.cost.amount == mine.cost.sum()
        assert row.revenue.amount == won.value.sum()
    assert sum(row.leads for row in report) == len(leads)


def test_medians_equal_pandas_quantiles() -> None:
    leads = [card(n, answered=minutes) for n, minutes in enumerate([3, 10, 45, 7, 120, 61])]
    [row] = lm.analytics.owner_performance(leads, PIPE)
    waits = pd.Series([3, 10, 45, 7, 120, 61], dtype=float)
    assert row.first_response_median == timedelta(minutes=float(waits.median()))
    assert row.first_response_p90 == timedelta(minutes=float(waits.quantile(0.9)))


def test_a_lost_card_reached_the_statuses_it_went_past() -> None:
    leads = [card(1, steps=(2,), end="lost"), card(2, end="won"), card(3)]
    report = lm.analytics.funnel(leads, PIPE)
    assert [(row.status, row.count) for row in report] == [
        ("new", 3),
        ("in_work", 2),
        ("offer", 2),
        ("won", 1),
    ]
    assert [row.count for row in lm.analytics.funnel(leads, PIPE, mode="entered")] == [3, 0, 1, 1]
    [loss] = lm.analytics.losses(leads, PIPE)
    assert (loss.status, loss.reason, loss.share) == ("offer", "price", 1.0)


def test_grouped_funnels_each_start_from_their_own_first_status() -> None:
    leads = [
        card(1, owner="anna", end="won"),
        card(2, owner="anna"),
        card(3, owner="ivan", end="won"),
        card(4, owner=None),
    ]
    report = lm.analytics.funnel(leads, PIPE, by="owner")
    won = {row.group: (row.count, row.share_of_first) for row in report if row.status == "won"}
    assert won == {"anna": (1, 0.5), "ivan": (1, 1.0), "(none)": (0, 0.0)}
    monthly = lm.analytics.funnel(
        [card(1), card(2, created=24 * 40)], PIPE, by="period", time_zone="Europe/Kyiv"
    )
    assert sorted({row.group or "" for row in monthly}) == ["2026-03", "2026-04"]


def test_money_is_never_mixed_across_currencies() -> None:
    leads = [
        card(1, end="won", value=lm.Money.of("100", "UAH")),
        card(2, end="won", value=lm.Money.of("30", "USD")),
        card(3, end="won", value=lm.Money.of("50", "UAH")),
    ]
    won = lm.analytics.funnel(leads, PIPE)[3]
    assert won.amount == (lm.Money.of("150", "UAH"), lm.Money.of("30", "USD"))
    with pytest.raises(lm.ValidationError, match="several currencies"):
        lm.analytics.source_efficiency(leads, PIPE)
    report = lm.analytics.source_efficiency(leads, PIPE, currency="USD")
    assert report.left_out == 5  # two values and three per-interest costs in UAH
    assert report[0].revenue == lm.Money.of("30", "USD")


def test_spend_and_per_interest_costs_add_up() -> None:
    leads = [
        card(1, source=SOURCES[0], end="won", value=lm.Money.of("1000", "UAH")),
        card(2, source=SOURCES[0]),
        card(3, source=SOURCES[2], end="won", value=lm.Money.of("3000", "UAH")),
    ]
    stand = lm.Spend(
        channel=lm.Channel.event,
        amount=lm.Money.of("900", "UAH"),
        start=date(2026, 3, 1),
        end=date(2026, 3, 3),
        campaign="expo-2026",
    )
    by_campaign = {
        r.group: r
        for r in lm.analytics.source_efficiency(leads, PIPE, spend=[stand], by="campaign")
    }
    assert by_campaign["spring"].cost == lm.Money.of("80", "UAH")  # 2 × 40 per interest
    assert by_campaign["spring"].cost_per_customer == lm.Money.of("80.00", "UAH")
    assert by_campaign["expo-2026"].cost == lm.Money.of("900", "UAH")
    assert by_campaign["expo-2026"].roi == pytest.approx((3000 - 900) / 900)


# -- speed to lead across zones, DST, weekends and holidays ---------------------------------

KYIV, NEW_YORK, TOKYO = (ZoneInfo(z) for z in ("Europe/Kyiv", "America/New_York", "Asia/Tokyo"))


def _lead(n: int, at: datetime, answered: datetime | None, **fields: object) -> lm.Lead:
    made = lm.Lead(
        id=lm.LeadId(f"S-{n}"),
        person_name="P",
        topic="Chairs",
        contact_points=[lm.ContactPoint.email(f"s{n}@mebli.ua")],
        source=lm.Source(channel=lm.Channel.form),
        created_at=at,
        **fields,  # type: ignore[arg-type]
    )
    return lm.respond(made, at=answered, by="anna") if answered else made


def test_speed_to_lead_counts_business_time_across_dst_and_holidays() -> None:
    """Kyiv goes to summer time on 2026-03-29: a lead on Saturday 28 March answered on Monday
    30 March at 09:10 waited ten business minutes; 8 March is a holiday here."""
    team = attrs.evolve(
        lm.WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00"), holidays=[date(2026, 3, 9)]
    )
    leads = [
        _lead(
            1, datetime(2026, 3, 28, 23, 30, tzinfo=KYIV), datetime(2026, 3, 30, 9, 10, tzinfo=KYIV)
        ),
        # Friday 17:50 → Tuesday 09:05 over a holiday Monday: 10 + 5 business minutes
        _lead(
            2, datetime(2026, 3, 6, 17, 50, tzinfo=KYIV), datetime(2026, 3, 10, 9, 5, tzinfo=KYIV)
        ),
    ]
    [row] = lm.analytics.speed_to_lead(leads, calendar=team)
    assert row.median_business == timedelta(minutes=12, seconds=30)
    assert row.p90_business == timedelta(minutes=14, seconds=30)
    assert row.median is not None
    assert row.median > timedelta(days=1)


def test_speed_to_lead_by_hour_in_the_team_zone_or_the_lead_zone() -> None:
    """A lead from Tokyo at 09:00 local is 02:00 in Kyiv; one from New York at 18:00 local
    (EST, before the US DST change of 8 March) is 01:00 the next day in Kyiv."""
    team = lm.WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")
    tokyo = _lead(1, datetime(2026, 3, 3, 9, 0, tzinfo=TOKYO), None, time_zone="Asia/Tokyo")
    ny = _lead(
        2,
        datetime(2026, 3, 2, 18, 0, tzinfo=NEW_YORK),
        datetime(2026, 3, 3, 9, 30, tzinfo=KYIV),
        time_zone="America/New_York",
    )
    by_team = lm.analytics.speed_to_lead([tokyo, ny], calendar=team, by="hour")
    assert [(row.group, row.leads) for row in by_team] == [("01", 1), ("02", 1)]
    by_lead = lm.analytics.speed_to_lead([tokyo, ny], calendar=team, by="hour", zone="lead")
    assert [row.group for row in by_lead] == ["09", "18"]
    weekday = lm.analytics.speed_to_lead([tokyo, ny], calendar=team, by="weekday")
    assert [row.group for row in weekday] == ["2 Tue"]
    [row] = [r for r in by_team if r.group == "01"]
    assert row.median_business == timedelta(minutes=30)  # counted from 09:00 in Kyiv


def test_per_owner_calendars_and_a_default() -> None:
    kyiv = lm.WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")
    ny = lm.WorkCalendar.weekdays("America/New_York", "09:00", "17:00")
    monday = datetime(2026, 3, 2, 8, 0, tzinfo=NEW_YORK)  # 15:00 in Kyiv
    leads = [
        _lead(1, monday, monday + timedelta(hours=2), owner="john"),
        _lead(2, monday, monday + timedelta(hours=2), owner="anna"),
    ]
    report = lm.analytics.speed_to_lead(leads, calendar={"john": ny}, default=kyiv, by="owner")
    waits = {row.group: row.median_business for row in report}
    assert waits == {"anna": timedelta(hours=2), "john": timedelta(hours=1)}


def test_bad_arguments_are_named() -> None:
    leads = [card(1)]
    with pytest.raises(lm.ValidationError) as caught:
        lm.analytics.funnel(leads, PIPE, mode="all", by="colour", period="decade")  # type: ignore[arg-type]
    assert {p.path for p in caught.value.problems} == {"mode", "by", "period"}
    with pytest.raises(lm.ValidationError, match="leads"):
        lm.analytics.losses(["L-1"], PIPE)  # type: ignore[list-item]
    with pytest.raises(lm.ValidationError, match="within"):
        lm.analytics.speed_to_lead(leads, within=[timedelta(0)])
    with pytest.raises(lm.ValidationError, match="calendar"):
        lm.analytics.owner_performance(leads, PIPE, calendar="Europe/Kyiv")  # type: ignore[arg-type]


def test_the_table_exports() -> None:
    leads = [
        card(1, end="won", value=lm.Money.of("100", "UAH")),
        card(2, steps=(1,), end="lost", value=lm.Money.of("7", "USD")),
    ]
    report = lm.analytics.funnel(leads, PIPE)
    frame = report.to_pandas()
    assert list(frame.columns) == [
        "status",
        "label",
        "count",
        "share_of_first",
        "share_of_previous",
        "amount_UAH",
        "amount_USD",
        "group",
    ]
    assert frame["count"].tolist() == [2, 2, 1, 1]
    assert report.to_polars().shape == (4, 8)
    assert report.to_arrow().num_rows == 4
    text = str(report)
    assert text.splitlines()[0] == "Funnel of deals (reached)"
    assert "amount_UAH" in text
    assert "<table>" in report._repr_html_()
    assert [OPEN.index(s) for s in ("new", "in_work", "offer")] == [0, 1, 2]
    speed = lm.analytics.speed_to_lead([card(3, answered=4)])
    assert list(speed.to_pandas().columns)[-3:] == ["within_5m", "within_15m", "within_1h"]


def test_plots_draw_without_a_display() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    leads = [card(1, end="won"), card(2, steps=(1,), end="lost")]
    for report in (lm.analytics.funnel(leads, PIPE), lm.analytics.losses(leads, PIPE)):
        ax = report.plot()
        assert ax.get_title() == report.title
        assert len(ax.patches) == len(report)


@settings(max_examples=30, deadline=None)
@given(leads=cards())
def test_reports_of_the_facts_equal_reports_of_the_leads(leads: list[lm.Lead]) -> None:
    facts = lm.analytics.lead_facts(leads, PIPE)
    for mode in ("reached", "entered"):
        assert lm.analytics.funnel(facts, PIPE, mode=mode) == lm.analytics.funnel(
            leads, PIPE, mode=mode
        )
    assert lm.analytics.losses(facts, PIPE) == lm.analytics.losses(leads, PIPE)
    assert lm.analytics.owner_performance(facts, PIPE) == lm.analytics.owner_performance(
        leads, PIPE
    )
    assert lm.analytics.source_efficiency(
        facts, PIPE, currency="UAH"
    ) == lm.analytics.source_efficiency(leads, PIPE, currency="UAH")
    at = AT + timedelta(days=30)
    assert lm.analytics.time_to_close(facts, PIPE, at=at) == lm.analytics.time_to_close(
        leads, PIPE, at=at
    )
    assert lm.analytics.durations(facts, PIPE, at=at) == lm.analytics.durations(leads, PIPE, at=at)
    assert lm.analytics.cohorts(facts, PIPE, at=at) == lm.analytics.cohorts(leads, PIPE, at=at)


def test_facts_of_another_pipeline_are_refused() -> None:
    facts = lm.analytics.lead_facts([card(1)], PIPE)
    with pytest.raises(lm.ValidationError, match="pipeline 'deals'"):
        lm.analytics.funnel(facts, lm.pipelines.SIMPLE)


def test_every_model_plots() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    leads = [
        card(1, steps=(1,), end="won", value=lm.Money.of("100", "UAH")),
        card(2, steps=(1, 2), end="lost"),
        card(3, steps=(1,), end="won", value=lm.Money.of("300", "UAH")),
        card(4, steps=(1,), value=lm.Money.of("200", "UAH")),
        card(5),
    ]
    at = AT + timedelta(days=10)
    chain = lm.analytics.markov.fit(leads, PIPE)
    for report in (
        lm.analytics.time_to_close(leads, PIPE, at=at),
        lm.analytics.cohorts(leads, PIPE, at=at, period="week"),
        chain,
        lm.analytics.forecast(leads[3:], chain, at=at, runs=200, seed=1),
    ):
        ax = report.plot()
        assert ax.get_title() == report.title
        assert ax.has_data(), type(report).__name__
