"""Synthetic funnels: seeded, valid, and shaped like the configuration asks."""

from __future__ import annotations

import gc
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from statistics import median
from zoneinfo import ZoneInfo

import attrs
import pytest

import leadmodel as lm
from leadmodel.simulate import (
    DEFAULT_OWNERS,
    DEFAULT_SOURCES,
    SimFunnel,
    SimMarket,
    SimOwner,
    SimSource,
    Simulation,
    SimValue,
    simulate,
)

N = 20_000


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulate(N, seed=11)


@pytest.fixture(scope="module")
def small() -> Simulation:
    return simulate(1_500, seed=3)


def _errors(exc: pytest.ExceptionInfo[lm.ValidationError]) -> set[str]:
    return {problem.path for problem in exc.value.problems}


# ------------------------------------------------------------------------------ determinism
def test_the_same_arguments_and_seed_give_equal_simulations(small: Simulation) -> None:
    assert simulate(1_500, seed=3) == small


def test_different_seeds_give_different_leads(small: Simulation) -> None:
    other = simulate(1_500, seed=4)
    assert other.leads != small.leads
    assert [lead.created_at for lead in other.leads] != [lead.created_at for lead in small.leads]


def test_the_garbage_collector_is_left_as_the_caller_had_it() -> None:
    assert gc.isenabled()
    simulate(10, seed=1)
    assert gc.isenabled()
    gc.disable()
    try:
        simulate(10, seed=1)
        assert not gc.isenabled()
    finally:
        gc.enable()


# ------------------------------------------------------------------------------ validity
def test_every_lead_is_valid_and_round_trips_through_json(sim: Simulation) -> None:
    """The fast path builds nothing a Lead would refuse: the constructor (run again by
    ``attrs.evolve``) and the converter accept a sample, and read it back equal."""
    for lead in sim.leads[:: N // 200]:
        again = lm.from_json(lm.Lead, lm.to_json(lead))
        assert again == lead
        assert attrs.evolve(lead) == lead
        [point] = again.contact_points
        assert point.key == lead.contact_points[0].key  # the key is not compared by ==


def test_contact_points_are_the_ones_contact_point_makes(sim: Simulation) -> None:
    for lead in sim.leads[:: N // 300]:
        [point] = lead.contact_points
        made = lm.ContactPoint(kind=point.kind, value=point.value, network=point.network)
        assert (made, made.key) == (point, point.key)


def test_contact_points_are_unique_to_a_lead(sim: Simulation) -> None:
    keys = Counter(lead.contact_points[0].key for lead in sim.leads)
    assert keys.most_common(1)[0][1] == 1


def test_won_lost_and_open_add_up_to_n(sim: Simulation) -> None:
    kinds = Counter(sim.pipeline.kind(lead.status).value for lead in sim.leads)  # type: ignore[arg-type]
    assert (sim.won, sim.lost, sim.open) == (kinds["won"], kinds["lost"], kinds["open"])
    assert sim.won + sim.lost + sim.open == N
    assert 0.1 < sim.won / N < 0.35
    assert 0.4 < sim.lost / N < 0.8
    assert sim.open > 0


def test_the_history_replays_to_the_status(sim: Simulation) -> None:
    for lead in sim.leads:
        assert lead.pipeline == sim.pipeline.key
        assert sim.pipeline.replay(lead.history) == lead.status


def test_moves_sometimes_skip_an_open_status(sim: Simulation) -> None:
    order = {key: i for i, key in enumerate(sim.pipeline.status_keys)}
    skips = sum(
        1
        for lead in sim.leads
        for move in lead.history
        if move.from_status is not None
        and sim.pipeline.kind(move.to_status) is lm.StatusKind.open
        and order[move.to_status] - order[move.from_status] == 2
    )
    assert 0 < skips < N // 10


def test_every_lost_lead_has_a_reason_allowed_at_its_lost_status(sim: Simulation) -> None:
    reasons: Counter[str] = Counter()
    for lead in sim.leads:
        if sim.pipeline.kind(lead.status) is not lm.StatusKind.lost:  # type: ignore[arg-type]
            assert lead.lost is None
            continue
        assert lead.lost is not None
        last = lead.history[-1]
        assert lead.lost.status == lead.status == last.to_status
        assert lead.lost.reason in sim.pipeline.status(lead.lost.status).lost_reasons
        assert (lead.lost.reason, lead.lost.from_status) == (last.reason, last.from_status)
        assert lead.lost.at == last.at
        reasons[lead.lost.reason] += 1
    assert set(reasons) == set(sim.pipeline.status("lost").lost_reasons)


def test_no_answer_means_the_person_never_wrote_back(sim: Simulation) -> None:
    for lead in sim.leads:
        if lead.lost is not None and lead.lost.reason == "no_answer":
            answered = lm.first_response(lead)
            assert answered is not None
            assert all(
                a.direction is not lm.Direction.inbound or a.at < answered.at
                for a in lead.activities
            )


def test_won_leads_are_converted_into_customers(sim: Simulation) -> None:
    for lead in sim.leads:
        won = sim.pipeline.kind(lead.status) is lm.StatusKind.won  # type: ignore[arg-type]
        assert (lead.converted is not None) is won
        if lead.converted is not None:
            assert lead.converted.at == lead.history[-1].at
            assert lead.customer_id == lead.converted.customer_id
            assert lead.lifecycle is lm.LifecycleStage.customer
            assert lead.stages[-1].to_stage is lm.LifecycleStage.customer


# ------------------------------------------------------------------------------ time
def test_everything_happens_within_the_period(sim: Simulation) -> None:
    for lead in sim.leads:
        assert sim.start <= lead.created_at < sim.at
        assert all(move.at < sim.at for move in lead.history)
        assert all(activity.at < sim.at for activity in lead.activities)
    assert sim.at - sim.start == timedelta(days=90)


def test_leads_come_in_order_of_arrival(sim: Simulation) -> None:
    times = [lead.created_at for lead in sim.leads]
    assert times == sorted(times)
    assert [lead.id for lead in sim.leads[:2]] == ["lead-00001", "lead-00002"]


def test_activities_are_in_time_order_and_answer_after_creation(sim: Simulation) -> None:
    answered = 0
    for lead in sim.leads:
        times = [a.at for a in lead.activities]
        assert times == sorted(times)
        assert all(t >= lead.created_at for t in times)
        first = lm.first_response(lead)
        if first is not None:
            answered += 1
            assert first.at >= lead.created_at
            assert first.by == lead.owner
            assert lead.history[0].at == lead.created_at
    assert 0.9 < answered / N < 1


def test_first_responses_land_in_the_owners_working_time(sim: Simulation) -> None:
    calendars = {owner.key: owner.calendar for owner in DEFAULT_OWNERS}
    for lead in sim.leads[::20]:
        first = lm.first_response(lead)
        if first is not None:
            assert calendars[lead.owner].is_open(first.at)  # type: ignore[index]


def test_moves_after_the_first_land_in_the_owners_working_time(sim: Simulation) -> None:
    calendars = {owner.key: owner.calendar for owner in DEFAULT_OWNERS}
    for lead in sim.leads[::20]:
        for move in lead.history[1:]:
            assert calendars[lead.owner].is_open(move.at)  # type: ignore[index]


def test_arrivals_follow_the_hour_of_day_and_the_weekday(sim: Simulation) -> None:
    local = [lead.created_at.astimezone(ZoneInfo(lead.time_zone or "UTC")) for lead in sim.leads]
    working = sum(1 for t in local if 10 <= t.hour < 17)
    night = sum(1 for t in local if 1 <= t.hour < 8)
    assert working > 5 * night
    days = Counter(t.weekday() for t in local)
    assert days[0] > 1.5 * days[6]


def test_a_source_with_active_days_brings_leads_only_then(sim: Simulation) -> None:
    show = [lead for lead in sim.leads if lead.source.channel is lm.Channel.event]
    assert show
    assert all(
        sim.start + timedelta(days=30) <= lead.created_at < sim.start + timedelta(days=33)
        for lead in show
    )


def test_a_start_in_a_zone_with_summer_time_works() -> None:
    start = datetime(2026, 3, 20, 9, tzinfo=ZoneInfo("Europe/Kyiv"))  # the clocks change 29th
    sim = simulate(300, seed=2, start=start, days=20)
    assert sim.start == start
    assert sim.at - sim.start == timedelta(days=20)
    assert all(start <= lead.created_at < sim.at for lead in sim.leads)


# ------------------------------------------------------------------------------ shape
def test_channel_shares_follow_the_weights(sim: Simulation) -> None:
    total = sum(source.weight for source in DEFAULT_SOURCES)
    seen = Counter((lead.source.name, lead.source.campaign) for lead in sim.leads)
    for source in DEFAULT_SOURCES:
        share = seen[source.name, source.campaign] / N
        assert share == pytest.approx(source.weight / total, abs=0.01)


def test_costs_only_on_sources_with_a_cost_per_lead(sim: Simulation) -> None:
    prices: dict[tuple[str | None, str | None], lm.Money | None] = {
        (s.name, s.campaign): s.cost_per_lead for s in DEFAULT_SOURCES
    }
    costs: dict[tuple[str | None, str | None], list[Decimal]] = {}
    for lead in sim.leads:
        price = prices[lead.source.name, lead.source.campaign]
        assert (lead.source.cost is None) is (price is None)
        if lead.source.cost is not None and price is not None:
            assert lead.source.cost.currency == price.currency
            costs.setdefault((lead.source.name, lead.source.campaign), []).append(
                lead.source.cost.amount
            )
    for key, amounts in costs.items():
        mean = sum(amounts) / len(amounts)
        assert mean == pytest.approx(prices[key].amount, rel=Decimal("0.05"))  # type: ignore[union-attr]


def test_spend_records_for_campaign_level_sources(sim: Simulation) -> None:
    budgets = [s for s in DEFAULT_SOURCES if s.spend is not None]
    assert len(sim.spend) == len(budgets) > 0
    for spend, source in zip(sim.spend, budgets, strict=True):
        assert (spend.channel, spend.source, spend.campaign, spend.medium, spend.amount) == (
            source.channel,
            source.name,
            source.campaign,
            source.medium,
            source.spend,
        )
        first, last = source.active_days or (0, 90)
        assert spend.start == (sim.start + timedelta(days=first)).date()
        assert spend.end == (sim.start + timedelta(days=last - 1)).date()  # days included
        assert any(lead.source.campaign == spend.campaign for lead in sim.leads)
        assert lm.from_json(lm.Spend, lm.to_json(spend)) == spend


def test_owners_get_the_leads_of_their_continent(sim: Simulation) -> None:
    for lead in sim.leads:
        american = (lead.time_zone or "").startswith("America/")
        assert (lead.owner == "mike") is american


def test_skill_wins_more_and_answers_sooner(sim: Simulation) -> None:
    def rate(owner: str) -> float:
        mine = [lead for lead in sim.leads if lead.owner == owner]
        return sum(1 for lead in mine if lead.converted is not None) / len(mine)

    def speed(owner: str) -> float:
        waits = []
        for lead in sim.leads:
            first = lm.first_response(lead)
            if lead.owner == owner and first is not None:
                waits.append(DEFAULT_OWNERS[0].calendar.between(lead.created_at, first.at))
        return median(w.total_seconds() for w in waits)

    assert rate("anna") > 1.2 * rate("taras")  # skill 1.25 against 0.85
    assert speed("anna") < speed("taras")


def test_deal_values_are_log_normal_amounts_in_the_currencies_given() -> None:
    values = (
        SimValue(),
        SimValue(currency="USD", median=Decimal(400), step=Decimal(10), weight=0.5),
    )
    sim = simulate(3_000, seed=5, values=values)
    by_currency: dict[str, list[Decimal]] = {}
    for lead in sim.leads:
        assert lead.expected_value is not None
        by_currency.setdefault(lead.expected_value.currency, []).append(lead.expected_value.amount)
    assert len(by_currency["UAH"]) == pytest.approx(2_000, abs=150)
    assert median(by_currency["USD"]) == pytest.approx(400, rel=0.1)
    assert all(amount % 10 == 0 and amount > 0 for amount in by_currency["USD"])
    assert max(by_currency["UAH"]) > 3 * median(by_currency["UAH"])  # a long right tail


def test_the_funnel_knobs_move_the_outcomes() -> None:
    sure = simulate(1_000, seed=6, funnel=SimFunnel(win_rate=0.5, stall_rate=0, missed_rate=0))
    never = simulate(1_000, seed=6, funnel=SimFunnel(win_rate=0, stall_rate=0, missed_rate=1))
    assert sure.won > 2 * simulate(1_000, seed=6).won
    assert (never.won, never.lost, never.open) == (0, 0, 1_000)
    assert all(lead.status == "new" and not lead.activities for lead in never.leads)


@pytest.mark.parametrize("pipeline", [lm.pipelines.B2B_DEALS, lm.pipelines.SIMPLE])
def test_other_pipelines_are_simulated_with_their_own_statuses_and_reasons(
    pipeline: lm.Pipeline,
) -> None:
    sim = simulate(800, seed=8, pipeline=pipeline)
    reasons = set(pipeline.status("lost").lost_reasons)
    for lead in sim.leads:
        assert pipeline.replay(lead.history) == lead.status
        assert lead.lost is None or lead.lost.reason in reasons
    assert min(sim.won, sim.lost, sim.open) > 0


def test_a_pipeline_of_its_own_is_walked_only_by_the_moves_it_allows() -> None:
    """Adjacent moves only: the simulation never skips a status there."""
    repairs = lm.Pipeline.from_dict(
        {
            "key": "repairs",
            "policy": "adjacent",
            "statuses": [
                {"key": "new"},
                {"key": "diagnosed"},
                {"key": "fixing"},
                {"key": "done", "kind": "won"},
                {"key": "refused", "kind": "lost", "lost_reasons": ["too_expensive"]},
            ],
        }
    )
    sim = simulate(1_000, seed=9, pipeline=repairs, funnel=SimFunnel(skip_rate=1.0))
    order = {key: i for i, key in enumerate(repairs.status_keys)}
    for lead in sim.leads:
        assert repairs.replay(lead.history) == lead.status
        assert all(
            order[m.to_status] - order[m.from_status] == 1
            for m in lead.history
            if m.from_status is not None and repairs.kind(m.to_status) is lm.StatusKind.open
        )
    assert {lead.lost.reason for lead in sim.leads if lead.lost} == {"too_expensive"}
    assert sim.won > 0


def test_reports_read_the_simulation(sim: Simulation) -> None:
    facts = lm.analytics.lead_facts(sim.leads, sim.pipeline)
    outcomes = Counter(fact.outcome.value for fact in facts.rows)
    assert (outcomes["won"], outcomes["lost"], outcomes["open"]) == (sim.won, sim.lost, sim.open)
    assert all(f.lost_reason for f in facts.rows if f.outcome.value == "lost")


def test_no_leads_is_an_empty_simulation() -> None:
    sim = simulate(0, seed=1)
    assert (sim.leads, sim.won, sim.lost, sim.open) == ((), 0, 0, 0)


def test_a_short_simulation_leaves_out_sources_active_after_it() -> None:
    sim = simulate(200, seed=1, days=10)
    assert not any(lead.source.channel is lm.Channel.event for lead in sim.leads)
    assert [spend.source for spend in sim.spend] == ["instagram"]


# ------------------------------------------------------------------------------ bad input
def test_bad_arguments_are_named() -> None:
    with pytest.raises(lm.ValidationError) as exc:
        simulate(-1, seed=1, start=datetime(2026, 1, 1), days=0, sources=[], owners=())
    assert _errors(exc) == {"n", "start", "days", "sources", "owners"}
    assert exc.value.model == "simulate"


def test_a_weight_at_or_below_zero_is_refused() -> None:
    for weight in (0, -1.5, float("nan")):
        with pytest.raises(lm.ValidationError) as exc:
            SimSource(channel=lm.Channel.form, name="google", weight=weight)
        assert _errors(exc) == {"weight"}
    with pytest.raises(lm.ValidationError) as exc:
        SimMarket(time_zone="Europe/Kyiv", weight=0)
    assert _errors(exc) == {"weight"}


def test_other_bad_settings_are_named() -> None:
    with pytest.raises(lm.ValidationError) as exc:
        SimSource(
            channel="form",  # type: ignore[arg-type]
            name=" ",
            cost_per_lead=lm.Money.of(-1, "UAH"),
            active_days=(3, 1),
        )
    assert _errors(exc) == {"channel", "name", "cost_per_lead", "active_days"}
    with pytest.raises(lm.ValidationError) as exc:
        SimFunnel(win_rate=1.5, stage_hours=0)
    assert _errors(exc) == {"win_rate", "stage_hours"}
    with pytest.raises(lm.ValidationError) as exc:
        SimMarket(time_zone="Mars/Olympus", language="fr")
    assert _errors(exc) == {"time_zone", "language"}


def test_an_owner_without_working_time_in_the_period_is_named() -> None:
    closed = lm.WorkCalendar(time_zone="Europe/Kyiv", week={})
    owners = (*DEFAULT_OWNERS, SimOwner(key="ghost", time_zone="Europe/Kyiv", calendar=closed))
    with pytest.raises(lm.ValidationError) as exc:
        simulate(10, seed=1, owners=owners)
    assert _errors(exc) == {"owners[4].calendar"}


def test_no_source_active_within_the_period_is_named() -> None:
    late = SimSource(channel=lm.Channel.event, name="expo", active_days=(40, 42))
    with pytest.raises(lm.ValidationError) as exc:
        simulate(10, seed=1, days=30, sources=[late])
    assert _errors(exc) == {"sources"}
