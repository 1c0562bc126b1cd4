"""The Markov chain of a pipeline: absorption probabilities, moves and time to close match the
hand-computed values and a Monte Carlo of the chain; statuses without data get no estimate; the
forecast is seeded, keeps currencies apart and counts revenue in the period a card closes in;
journeys are ChannelAttribution's path format."""

from __future__ import annotations

import inspect
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import matplotlib as mpl
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import leadmodel as lm
from leadmodel.analytics import markov
from leadmodel.analytics.markov import (
    Forecast,
    MarkovChain,
    draw_chain,
    draw_forecast,
    fit,
    forecast,
    journeys,
    simulate,
)
from leadmodel.errors import MissingExtraError, PipelineSpecError, ValidationError

mpl.use("Agg")

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SIMPLE = lm.pipelines.SIMPLE
KEYCRM = lm.pipelines.KEYCRM_REQUESTS
LOOPY = lm.Pipeline.from_dict(  # moves between any open statuses, reopening lost and won cards
    {
        "key": "loopy",
        "policy": "any",
        "reopen_won": True,
        "statuses": [
            {"key": "new"},
            {"key": "call"},
            {"key": "offer"},
            {"key": "won", "kind": "won"},
            {"key": "lost", "kind": "lost", "lost_reasons": ["price"]},
            {"key": "spam", "kind": "lost", "lost_reasons": ["bot"]},
        ],
    }
)


def card(
    n: int,
    *path: str,
    pipeline: lm.Pipeline = SIMPLE,
    value: lm.Money | None = None,
    start: datetime = AT,
    gap: timedelta = DAY,
) -> lm.Lead:
    """Lead ``L-n`` entered at ``start`` and moved ``gap`` apart along ``path``."""
    lead = lm.Lead(
        id=lm.LeadId(f"L-{n}"),
        person_name="P",
        topic="Chairs",
        contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")],
        source=lm.Source(channel=lm.Channel.form),
        created_at=start,
        expected_value=value,
    )
    lead = pipeline.enter(lead, at=start)
    for i, status in enumerate(path, start=1):
        spec = pipeline.status(status)
        reason = spec.lost_reasons[0] if spec.lost_reasons else None
        lead = pipeline.move(lead, status, at=start + gap * i, reason=reason)
    return lead


def uah(amount: str) -> lm.Money:
    return lm.Money.of(amount, "UAH")


# -- the chain, by hand ---------------------------------------------------------------------


def test_absorption_probabilities_match_the_hand_computed_ones() -> None:
    """KeyCRM's funnel with a way back from offer to qualified: B = N·R and N·1 by hand."""
    moves = (
        [("new", "in_work", DAY)] * 8
        + [("new", "lost", DAY)] * 2
        + [("in_work", "qualified", DAY)] * 6
        + [("in_work", "lost", DAY)] * 2
        + [("qualified", "offer_sent", DAY)] * 3
        + [("qualified", "won", DAY)]
        + [("qualified", "lost", DAY)] * 2
        + [("offer_sent", "won", DAY)] * 2
        + [("offer_sent", "lost", DAY), ("offer_sent", "qualified", DAY)]
    )
    chain = MarkovChain.from_moves(KEYCRM, moves)
    # w_q = 1/6 + w_o/2, w_o = 1/2 + w_q/4  =>  w_q = 10/21, w_o = 13/21
    expected_win = {
        "new": Fraction(4, 5) * Fraction(3, 4) * Fraction(10, 21),
        "in_work": Fraction(3, 4) * Fraction(10, 21),
        "qualified": Fraction(10, 21),
        "offer_sent": Fraction(13, 21),
    }
    expected_steps = {
        "new": Fraction(99, 35),
        "in_work": Fraction(16, 7),
        "qualified": Fraction(12, 7),
        "offer_sent": Fraction(10, 7),
    }
    for status, win in expected_win.items():
        assert chain.win_probability(status) == pytest.approx(float(win), abs=1e-12)
        assert chain.loss_probability(status) == pytest.approx(float(1 - win), abs=1e-12)
        assert chain.expected_steps(status) == pytest.approx(float(expected_steps[status]))
        # every stay lasted a day: the expected time is the expected moves, in days
        held = DAY * float(expected_steps[status])
        assert chain.expected_time(status) == pytest.approx(held, abs=timedelta(seconds=1))
    assert chain.win_probability("new") == pytest.approx(2 / 7)
    assert [row.status for row in chain] == ["new", "in_work", "qualified", "offer_sent"]


def test_the_monte_carlo_of_the_hand_case_agrees_on_win_moves_and_time() -> None:
    moves = [
        ("new", "in_progress", DAY),
        ("new", "won", 3 * DAY),
        ("in_progress", "won", 2 * DAY),
        ("in_progress", "lost", 4 * DAY),
        ("in_progress", "new", DAY),
    ]
    chain = MarkovChain.from_moves(SIMPLE, moves)
    result = simulate(chain, "new", runs=200_000, seed=3)
    assert result.win_share == pytest.approx(chain.win_probability("new"), abs=0.01)
    assert result.mean_steps == pytest.approx(chain.expected_steps("new"), rel=0.02)
    expected_time = chain.expected_time("new")
    assert expected_time is not None
    assert result.mean_time is not None
    assert result.mean_time / expected_time == pytest.approx(1, rel=0.02)
    assert result.won + result.lost == result.runs


def test_fit_reads_ended_stays_and_leaves_the_current_stay_out() -> None:
    """Open cards' last status is censored; a move out of a lost status (reopening) is left
    out of the chain; holding times are left_at − at."""
    leads = [
        card(1, "in_progress", "won"),
        card(2, "won", gap=3 * DAY),
        card(3, "in_progress", "lost"),
        card(4, "in_progress"),
        card(5),
        card(6, "lost", "in_progress", "won"),  # reopened
    ]
    chain = fit(leads, SIMPLE)
    new, progress, won, lost = range(4)
    assert chain.transitions[new] == (0, 3, 1, 1)
    assert chain.transitions[progress] == (0, 0, 2, 1)
    assert chain.transitions[lost] == (0, 0, 0, 0)
    assert chain.left_out == 1
    assert chain.mean_holding("new") == timedelta(days=7 / 5)  # 1, 3, 1, 1, 1 days
    assert chain.holding_times[won] == ()
    assert chain.matrix[won] == (0.0, 0.0, 1.0, 0.0)
    assert chain.matrix[new] == pytest.approx((0, 3 / 5, 1 / 5, 1 / 5))
    assert chain.win_probability("new") == pytest.approx(1 / 5 + 3 / 5 * 2 / 3)


def test_fit_leaves_out_other_pipelines() -> None:
    leads = [card(1, "in_progress", "won"), card(2, "in_work", "won", pipeline=KEYCRM)]
    assert sum(map(sum, fit(leads, SIMPLE).transitions)) == 2
    assert sum(map(sum, fit(leads, KEYCRM).transitions)) == 2


def test_transition_table_lists_each_observed_move_with_its_probability() -> None:
    chain = fit([card(1, "in_progress", "won"), card(2, "won")], SIMPLE)
    table = chain.transition_table()
    assert [(r.from_status, r.to_status, r.count, r.probability) for r in table] == [
        ("new", "in_progress", 1, 0.5),
        ("new", "won", 1, 0.5),
        ("in_progress", "won", 1, 1.0),
    ]
    assert table.columns() == ["from_status", "to_status", "count", "probability"]


def test_won_and_lost_statuses_are_absorbing() -> None:
    chain = fit([card(1, "won")], SIMPLE)
    assert (chain.win_probability("won"), chain.loss_probability("won")) == (1.0, 0.0)
    assert (chain.win_probability("lost"), chain.loss_probability("lost")) == (0.0, 1.0)
    assert chain.expected_steps("won") == 0.0
    assert chain.expected_time("lost") == timedelta(0)
    assert chain.mean_holding("won") is None


# -- statuses without data --------------------------------------------------------------------


def test_a_status_no_card_left_has_no_estimate_nor_have_the_statuses_leading_to_it() -> None:
    chain = fit([card(1, "in_progress"), card(2, "won")], SIMPLE)
    progress = chain[1]
    assert progress.stays == 0
    assert progress.win is None
    assert progress.note == "no card has left this status yet"
    assert chain.win_probability("new") is None
    assert chain.expected_steps("new") is None
    assert chain.expected_time("new") is None
    assert chain[0].note == "can move to 'in_progress', which no card has left"
    assert chain.mean_holding("new") == DAY  # measured all the same
    assert chain.unobserved == ("in_progress",)
    assert chain.matrix[1] == (0.0, 0.0, 0.0, 0.0)


def test_a_status_whose_moves_never_close_has_no_estimate() -> None:
    """Cards seen only circling between two open statuses: the fitted chain never closes."""
    moves = [("new", "call", DAY), ("call", "new", DAY), ("offer", "won", DAY)]
    chain = MarkovChain.from_moves(LOOPY, moves)
    assert chain.win_probability("new") is None
    assert chain.win_probability("call") is None
    assert chain[0].note == "the moves seen from here never reach a won or lost status"
    assert chain.win_probability("offer") == 1.0
    result = simulate(chain, "new", runs=100, seed=0)
    assert (result.won, result.lost, result.unresolved) == (0, 0, 100)
    assert result.mean_steps is None


def test_a_status_that_can_reach_a_status_that_never_closes_has_no_estimate() -> None:
    moves = [("new", "call", DAY), ("new", "won", DAY), ("call", "offer", DAY)]
    moves += [("offer", "call", DAY)]
    chain = MarkovChain.from_moves(LOOPY, moves)
    assert chain.win_probability("new") is None
    assert chain[0].note == "can move to 'call', which no move seen closes"


def test_a_chain_that_never_saw_a_win_gives_win_probability_zero() -> None:
    """Every pipeline has a won status (the spec refuses one without); where no card was ever
    won, the win probability is 0, not missing."""
    chain = fit([card(1, "lost"), card(2, "in_progress", "lost")], SIMPLE)
    assert chain.win_probability("new") == 0.0
    assert chain.loss_probability("new") == 1.0
    with pytest.raises(PipelineSpecError, match="no won status"):
        lm.Pipeline.from_dict(
            {"key": "p", "statuses": [{"key": "a"}, {"key": "b", "kind": "lost"}]}
        )


def test_an_empty_history_fits_a_chain_without_estimates() -> None:
    chain = fit([], SIMPLE)
    assert [row.win for row in chain] == [None, None]
    assert chain.unobserved == ("new", "in_progress")


# -- bad input ---------------------------------------------------------------------------------


def test_fit_names_the_bad_arguments() -> None:
    with pytest.raises(ValidationError) as caught:
        fit(["L-1"], "simple")  # type: ignore[list-item, arg-type]
    assert {p.path for p in caught.value.problems} == {"leads[0]", "pipeline"}


def test_an_unknown_status_is_named() -> None:
    chain = fit([card(1, "won")], SIMPLE)
    with pytest.raises(ValidationError, match="status: not a status of pipeline 'simple'"):
        chain.win_probability("paid")


def test_from_moves_names_each_bad_move() -> None:
    with pytest.raises(ValidationError) as caught:
        MarkovChain.from_moves(
            SIMPLE,
            [("new", "won", DAY), ("new", "won"), ("new", "won", -DAY), ("x", "won", DAY)],  # type: ignore[list-item]
        )
    found = {p.path: p.message for p in caught.value.problems}
    assert found == {
        "moves[1]": "expected a tuple (status, next status, time held)",
        "moves[2]": "the time held must be a timedelta of zero or more",
        "moves[3]": "'x' is not a status of 'simple'; its statuses: new, in_progress, won, lost",
    }


def test_simulate_names_the_bad_arguments() -> None:
    chain = fit([card(1, "won")], SIMPLE)
    with pytest.raises(ValidationError) as caught:
        simulate(chain, "paid", runs=0, seed=-1)
    assert {p.path for p in caught.value.problems} == {"status", "runs", "seed"}


def test_without_numpy_the_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(MissingExtraError, match=r"leadmodel\[numpy\]"):
        fit([card(1, "won")], SIMPLE)


# -- properties ---------------------------------------------------------------------------------


@st.composite
def histories(draw: st.DrawFn) -> tuple[lm.Pipeline, list[lm.Lead]]:
    """Cards with random paths (any move the pipeline allows, reopening included), random
    holding times, some still open."""
    pipeline = draw(st.sampled_from((SIMPLE, KEYCRM, LOOPY)))
    leads = []
    for n in range(draw(st.integers(0, 25))):
        at = AT + timedelta(hours=draw(st.integers(0, 500)))
        lead = card(n, pipeline=pipeline, start=at)
        for _ in range(draw(st.integers(0, 6))):
            allowed = pipeline.allowed(lead)
            if not allowed:
                break
            to = draw(st.sampled_from(allowed))
            at += timedelta(hours=draw(st.integers(0, 96)))
            reasons = pipeline.status(to).lost_reasons
            lead = pipeline.move(lead, to, at=at, reason=reasons[0] if reasons else None)
        leads.append(lead)
    return pipeline, leads


@settings(max_examples=60)
@given(histories())
def test_the_fitted_chain_is_a_proper_absorbing_chain(
    case: tuple[lm.Pipeline, list[lm.Lead]],
) -> None:
    """Rows with data sum to 1, won and lost rows are the identity, probabilities lie in
    [0, 1], win + loss = 1 where there is an estimate, and None exactly where a note says why."""
    pipeline, leads = case
    chain = fit(leads, pipeline)
    closed = set(chain.won) | set(chain.lost)
    for i, (status, row) in enumerate(zip(chain.states, chain.matrix, strict=True)):
        if status in closed:
            assert row == tuple(float(i == j) for j in range(len(row)))
        elif any(chain.transitions[i]):
            assert sum(row) == pytest.approx(1.0, abs=1e-12)
        else:
            assert set(row) == {0.0}
    for estimate in chain:
        assert (estimate.win is None) == (estimate.note is not None)
        if estimate.win is not None:
            assert estimate.loss is not None
            assert 0.0 <= estimate.win <= 1.0
            assert 0.0 <= estimate.loss <= 1.0
            assert estimate.win + estimate.loss == pytest.approx(1.0, abs=1e-9)
            assert estimate.expected_steps is not None
            assert estimate.expected_steps >= 1.0 - 1e-9
    stays = sum(r.stays for r in chain)
    assert stays == sum(sum(chain.transitions[chain.states.index(r.status)]) for r in chain)


@settings(max_examples=40)
@given(histories(), st.integers(0, 2**32))
def test_the_monte_carlo_matches_the_win_probability(
    case: tuple[lm.Pipeline, list[lm.Lead]], seed: int
) -> None:
    """100 000 seeded walks of the fitted chain: the share won is within 0.01 of B = N·R
    (six standard deviations at worst)."""
    pipeline, leads = case
    chain = fit(leads, pipeline)
    event(f"statuses with an estimate: {sum(row.win is not None for row in chain)}")
    for row in chain:
        if row.win is not None:
            result = simulate(chain, row.status, runs=100_000, seed=seed)
            assert result.unresolved == 0
            assert abs(result.win_share - row.win) <= 0.01


# -- forecast -----------------------------------------------------------------------------------


def _busy_chain() -> MarkovChain:
    moves = [("new", "in_progress", DAY * d) for d in (1, 3, 9, 20)]
    moves += [("new", "lost", DAY * d) for d in (2, 30)]
    moves += [("in_progress", "won", DAY * d) for d in (5, 15, 40, 70)]
    moves += [("in_progress", "lost", DAY * d) for d in (10, 50)]
    return MarkovChain.from_moves(SIMPLE, moves)


def _open_cards() -> list[lm.Lead]:
    return [card(n, value=uah(str(100 * n)), start=AT - DAY * n) for n in range(1, 8)] + [
        card(9, "in_progress", value=lm.Money.of("50", "EUR"), start=AT - 3 * DAY)
    ]


def test_forecast_is_reproducible_with_a_seed_and_varies_with_another() -> None:
    chain, leads = _busy_chain(), _open_cards()
    first = forecast(leads, chain, at=AT, runs=2000, seed=11)
    assert forecast(leads, chain, at=AT, runs=2000, seed=11) == first
    assert forecast(leads, chain, at=AT, runs=2000, seed=12).rows != first.rows
    assert (first.cards, first.runs, first.seed, first.horizon) == (8, 2000, 11, 3)


def test_forecast_of_cards_won_at_once_is_the_sum_of_their_values_in_the_first_period() -> None:
    chain = MarkovChain.from_moves(SIMPLE, [("new", "won", timedelta(0))])
    leads = [card(1, value=uah("100.50")), card(2, value=uah("200")), card(3)]
    report = forecast(leads, chain, at=AT, runs=500, seed=0)
    first = [row for row in report if row.period == "2026-03"]
    assert [(r.currency, r.won, r.mean, r.p5, r.p50, r.p95) for r in first] == [
        ("UAH", 2.0, Decimal("300.50"), Decimal("300.50"), Decimal("300.50"), Decimal("300.50")),
        (None, 1.0, None, None, None, None),  # no value: counted, not summed
    ]
    later = [row for row in report if row.period != "2026-03"]
    assert [r.period for r in later] == ["2026-04", "2026-04", "2026-05", "2026-05"]
    assert {r.won for r in later} == {0.0}
    assert {r.p95 for r in later if r.currency} == {Decimal("0.00")}


def test_forecast_keeps_currencies_apart() -> None:
    chain = MarkovChain.from_moves(SIMPLE, [("new", "won", DAY)])
    leads = [
        card(1, value=uah("100")),
        card(2, value=lm.Money.of("7", "EUR")),
        card(3, value=uah("5")),
    ]
    report = forecast(leads, chain, at=AT, horizon=1, runs=100, seed=0)
    assert [(r.period, r.currency, r.won, r.mean) for r in report] == [
        ("2026-03", "EUR", 1.0, Decimal("7.00")),
        ("2026-03", "UAH", 2.0, Decimal("105.00")),
    ]


def test_forecast_starts_with_the_rest_of_the_current_stay() -> None:
    """Every stay in new lasted 40 days: a card there 10 days has 30 to go; one there 50 days
    (longer than any stay seen) moves at once."""
    chain = MarkovChain.from_moves(SIMPLE, [("new", "won", 40 * DAY)])
    fresh = card(1, value=uah("1"), start=AT)  # closes 2026-04-11
    older = card(2, value=uah("10"), start=AT - 10 * DAY)  # closes 2026-04-01
    overdue = card(3, value=uah("100"), start=AT - 50 * DAY)  # closes at AT
    report = forecast([fresh, older, overdue], chain, at=AT, runs=10, seed=0)
    assert [(r.period, r.mean) for r in report] == [
        ("2026-03", Decimal("100.00")),
        ("2026-04", Decimal("11.00")),
        ("2026-05", Decimal("0.00")),
    ]


def test_forecast_leaves_out_what_closes_after_the_horizon_and_closed_cards() -> None:
    chain = MarkovChain.from_moves(SIMPLE, [("new", "won", 200 * DAY)])
    leads = [card(1, value=uah("10")), card(2, "won", value=uah("99"), start=AT - 5 * DAY)]
    report = forecast(leads, chain, at=AT, runs=10, seed=0)
    assert report.cards == 1
    assert {r.won for r in report} == {0.0}


def test_forecast_counts_cards_it_cannot_walk_as_unresolved() -> None:
    chain = fit([card(1, "won")], SIMPLE)  # no card has left in_progress
    leads = [card(2, "in_progress", value=uah("10")), card(3, value=uah("10"))]
    report = forecast(leads, chain, at=AT + 5 * DAY, runs=100, seed=0)
    assert report.unresolved == 1.0
    assert sum(r.won for r in report) == 1.0


@pytest.mark.parametrize(
    ("period", "keys"),
    [
        ("day", ["2026-03-02", "2026-03-03"]),
        ("week", ["2026-W10", "2026-W11"]),
        ("quarter", ["2026-Q1", "2026-Q2"]),
        ("year", ["2026", "2027"]),
    ],
)
def test_forecast_periods_are_named_as_the_reports_name_them(period: str, keys: list[str]) -> None:
    chain = MarkovChain.from_moves(SIMPLE, [("new", "won", DAY)])
    report = forecast(
        [card(1, value=uah("1"))],
        chain,
        at=AT,
        period=period,  # type: ignore[arg-type]
        horizon=2,
        runs=10,
        time_zone="Europe/Kyiv",
    )
    assert [r.period for r in report] == keys


def test_forecast_names_the_bad_arguments() -> None:
    chain = fit([card(1, "won")], SIMPLE)
    with pytest.raises(ValidationError) as caught:
        forecast(
            [card(2)],
            chain,
            at=datetime(2026, 3, 2),  # naive on purpose
            period="fortnight",  # type: ignore[arg-type]
            horizon=0,
            runs=0,
            seed=-1,
            time_zone="Mars/Base",
        )
    paths = {p.path for p in caught.value.problems}
    assert paths == {"at", "period", "horizon", "runs", "seed", "time_zone"}


def test_forecast_refuses_a_card_that_moved_after_at() -> None:
    chain = fit([card(1, "won")], SIMPLE)
    with pytest.raises(ValidationError, match=r"open_leads\[1\]: the card moved at"):
        forecast([card(2), card(3, "in_progress")], chain, at=AT + timedelta(hours=1))


# -- journeys -----------------------------------------------------------------------------------


def test_journeys_are_channel_attribution_paths() -> None:
    leads = [
        card(1, "in_progress", "won", value=uah("900")),
        card(2, "lost", value=uah("50")),
        card(3, "in_progress"),
        card(4, "lost", "in_progress", "won", value=lm.Money.of("5", "EUR")),
    ]
    report = journeys(leads, SIMPLE)
    assert [(r.path, r.conversion, r.null, r.outcome.value) for r in report] == [
        ("new > in_progress", 1, 0, "won"),
        ("new", 0, 1, "lost"),
        ("new > in_progress", 0, 1, "open"),
        ("new > lost > in_progress", 1, 0, "won"),
    ]
    assert report.columns() == [
        "lead_id",
        "path",
        "conversion",
        "null",
        "outcome",
        "value_UAH",
        "value_EUR",
    ]
    assert [r["value_UAH"] for r in report.records()] == [Decimal("900"), None, None, None]
    with_outcome = journeys(leads, SIMPLE, outcome_in_path=True)
    assert [r.path for r in with_outcome][:2] == ["new > in_progress > won", "new > lost"]


def test_journeys_name_bad_arguments() -> None:
    with pytest.raises(ValidationError, match="outcome_in_path"):
        journeys([], SIMPLE, outcome_in_path="yes")  # type: ignore[arg-type]


# -- charts and docs ------------------------------------------------------------------------------


def test_the_chain_chart_says_where_there_is_no_estimate() -> None:
    chain = fit([card(1, "in_progress"), card(2, "won")], SIMPLE)
    ax = Figure().subplots()
    draw_chain(chain, ax)
    assert [t.get_text() for t in ax.texts] == [" no estimate", " no estimate"]


def test_the_forecast_chart_draws_a_band_and_a_median_per_currency() -> None:
    report: Forecast = forecast(_open_cards(), _busy_chain(), at=AT, runs=200, seed=1)
    ax = Figure().subplots()
    draw_forecast(report, ax)
    assert [line.get_label() for line in ax.get_lines()] == ["EUR median", "UAH median"]
    assert len(ax.collections) == 2  # the two 5–95% bands


def test_every_public_function_and_method_shows_an_example() -> None:
    missing = []
    for name in markov.__all__:
        obj = getattr(markov, name)
        if inspect.isfunction(obj) and ">>>" not in (obj.__doc__ or ""):
            missing.append(name)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                func = getattr(member, "__func__", member)
                public = not attr.startswith("_") and inspect.isfunction(func)
                if public and ">>>" not in (func.__doc__ or ""):
                    missing.append(f"{name}.{attr}")
    assert missing == []
