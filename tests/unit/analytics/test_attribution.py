"""Attribution: the six models credit hand-worked journeys as worked out by hand; Markov removal
effects match an exact reference computation; every column sums exactly to the conversions and
to the revenue in each currency; journeys without touches are skipped and counted."""

from __future__ import annotations

import itertools
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import matplotlib as mpl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import leadmodel as lm
from leadmodel.analytics.attribution import (
    MODELS,
    Attribution,
    Journey,
    Model,
    attribution,
)
from leadmodel.errors import MissingExtraError, ValidationError

mpl.use("Agg")

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def journey(
    n: int,
    *channels: str,
    value: str | None = None,
    converted: bool | None = None,
    days: tuple[float, ...] | None = None,
    currency: str = "UAH",
) -> Journey:
    """A journey touching ``channels`` a day apart (or on ``days``), converted when it has a
    ``value`` (or when ``converted`` says so)."""
    offsets = days if days is not None else tuple(range(len(channels)))
    return Journey(
        lead_id=f"L-{n}",
        touches=[(ch, T0 + DAY * d) for ch, d in zip(channels, offsets, strict=True)],
        converted=value is not None if converted is None else converted,
        value=None if value is None else lm.Money.of(value, currency),
    )


# Four journeys with touches and one without:
#   L-1  A > B > C > D   won 1000.00
#   L-2  B > A           won  300.00
#   L-3  C               won   90.00
#   L-4  A > C           not converted (matters to Markov only)
#   L-5  (no touches)    won  500.00 (skipped, counted in untouched)
HAND = (
    journey(1, "A", "B", "C", "D", value="1000.00"),
    journey(2, "B", "A", value="300.00"),
    journey(3, "C", value="90.00"),
    journey(4, "A", "C"),
    journey(5, value="500.00"),
)


def credits(report: Attribution) -> dict[str, tuple[str, str]]:
    """Per channel: the conversions and the UAH revenue credited, as text."""
    return {r.channel: (str(r.conversions), str(r.revenue[0].amount)) for r in report}


def test_first_touch_takes_the_whole_conversion() -> None:
    # L-1 → A, L-2 → B, L-3 → C; D was never first
    report = attribution(HAND, model="first")
    assert credits(report) == {
        "A": ("1.0000", "1000.00"),
        "B": ("1.0000", "300.00"),
        "C": ("1.0000", "90.00"),
        "D": ("0.0000", "0.00"),
    }
    assert report.title == "Attribution by first touch"


def test_last_touch_takes_the_whole_conversion() -> None:
    # L-1 → D, L-2 → A, L-3 → C
    assert credits(attribution(HAND, model="last")) == {
        "A": ("1.0000", "300.00"),
        "B": ("0.0000", "0.00"),
        "C": ("1.0000", "90.00"),
        "D": ("1.0000", "1000.00"),
    }


def test_linear_splits_each_conversion_equally_among_its_touches() -> None:
    # L-1: 1/4 each (250.00); L-2: 1/2 each (150.00); L-3: C all (90.00)
    # A = 1/4 + 1/2 = 0.75, 250 + 150 = 400; B the same; C = 1/4 + 1 = 1.25, 250 + 90 = 340;
    # D = 0.25, 250
    assert credits(attribution(HAND, model="linear")) == {
        "A": ("0.7500", "400.00"),
        "B": ("0.7500", "400.00"),
        "C": ("1.2500", "340.00"),
        "D": ("0.2500", "250.00"),
    }


def test_position_based_gives_40_20_40_with_the_middle_split() -> None:
    # L-1 (4 touches): A 0.4, B 0.2/2 = 0.1, C 0.1, D 0.4 → 400, 100, 100, 400
    # L-2 (2 touches): 0.5 each → 150 each; L-3 (1 touch): C all → 90
    # A = 0.4 + 0.5 = 0.9, 550; B = 0.1 + 0.5 = 0.6, 250; C = 0.1 + 1 = 1.1, 190; D = 0.4, 400
    assert credits(attribution(HAND, model="position")) == {
        "A": ("0.9000", "550.00"),
        "B": ("0.6000", "250.00"),
        "C": ("1.1000", "190.00"),
        "D": ("0.4000", "400.00"),
    }


def test_time_decay_halves_a_touch_every_half_life_before_the_last() -> None:
    # half-life 7 days, touches 14, 7 and 0 days before the last: weights 1/4, 1/2, 1, sum 7/4
    # → 1/7, 2/7, 4/7 of 700.00 = 100, 200, 400; conversions 0.142857…, 0.285714…, 0.571428…
    # rounded down 0.1428 + 0.2857 + 0.5714 = 0.9999: the last 0.0001 to the largest remainder (A)
    decay = journey(1, "A", "B", "C", value="700.00", days=(0, 7, 14))
    report = attribution([decay], model="time_decay")
    assert credits(report) == {
        "A": ("0.1429", "100.00"),
        "B": ("0.2857", "200.00"),
        "C": ("0.5714", "400.00"),
    }
    assert report.half_life == timedelta(days=7)


def test_time_decay_takes_the_half_life_given() -> None:
    # half-life 14 days, touches 14 days apart: weights 1/2 and 1 → 1/3, 2/3 of 300.00
    decay = journey(1, "A", "B", value="300.00", days=(0, 14))
    report = attribution([decay], model="time_decay", half_life=timedelta(days=14))
    assert credits(report) == {"A": ("0.3333", "100.00"), "B": ("0.6667", "200.00")}
    # touches at the same time weigh the same
    same = attribution([journey(2, "A", "B", value="300.00", days=(3, 3))], model="time_decay")
    assert credits(same) == {"A": ("0.5000", "150.00"), "B": ("0.5000", "150.00")}


def test_markov_credits_by_removal_effect_on_the_textbook_example() -> None:
    # L-1 A > B > C won 100.00, L-2 A lost, L-3 B > C lost.
    # start → A 2/3, → B 1/3; A → B 1/2, → null 1/2; B → C 1; C → conversion 1/2, → null 1/2.
    # P = (2/3 · 1/2 + 1/3) · 1 · 1/2 = 1/3. Without A: 1/3 · 1/2 = 1/6, RE 1/2; without B or
    # C no path converts, RE 1. Shares 0.5/2.5, 1/2.5, 1/2.5 = 0.2, 0.4, 0.4 of 1 and 100.00.
    journeys = [journey(1, "A", "B", "C", value="100.00"), journey(2, "A"), journey(3, "B", "C")]
    report = attribution(journeys, model="markov")
    assert report.conversion_probability == pytest.approx(1 / 3, abs=1e-12)
    assert {r.channel: r.removal_effect for r in report} == pytest.approx(
        {"A": 0.5, "B": 1.0, "C": 1.0}, abs=1e-12
    )
    assert credits(report) == {
        "A": ("0.2000", "20.00"),
        "B": ("0.4000", "40.00"),
        "C": ("0.4000", "40.00"),
    }


def test_markov_follows_loops_between_channels() -> None:
    # L-1 A > B won 100.00, L-2 B > A > B lost. start → A 1/2, → B 1/2; A → B 1 (2 of 2);
    # B → conversion 1/3, → A 1/3, → null 1/3. x_B = 1/3 + 1/3 · x_A and x_A = x_B: x_B = 1/2,
    # P = 1/2. Without A: B → A goes to null, P = 1/2 · 1/3 = 1/6, RE_A = 1 − (1/6)/(1/2) = 2/3;
    # without B nothing converts, RE_B = 1. Shares (2/3)/(5/3) = 2/5 and 3/5.
    journeys = [journey(1, "A", "B", value="100.00"), journey(2, "B", "A", "B")]
    report = attribution(journeys, model="markov")
    assert report.conversion_probability == pytest.approx(1 / 2, abs=1e-12)
    assert [r.removal_effect for r in report] == pytest.approx([2 / 3, 1.0], abs=1e-12)
    assert credits(report) == {"A": ("0.4000", "40.00"), "B": ("0.6000", "60.00")}


def test_a_channel_touched_twice_in_a_row_changes_no_removal_effect() -> None:
    once = [journey(1, "A", "B", value="10"), journey(2, "A"), journey(3, "B", "C")]
    twice = [journey(1, "A", "A", "B", value="10"), journey(2, "A"), journey(3, "B", "B", "C")]
    a, b = attribution(once, model="markov"), attribution(twice, model="markov")
    assert [r.removal_effect for r in a] == pytest.approx([r.removal_effect for r in b])


def test_markov_without_conversions_has_no_removal_effects() -> None:
    report = attribution([journey(1, "A", "B"), journey(2, "B")], model="markov")
    assert report.conversion_probability is None
    assert [(r.removal_effect, r.conversions) for r in report] == [
        (None, Decimal("0.0000")),
        (None, Decimal("0.0000")),
    ]


# -- the reference: the absorbing chain solved exactly, removal by redirecting into null -------


def _reference(paths: list[tuple[tuple[str, ...], bool]]) -> tuple[Fraction, dict[str, Fraction]]:
    """``P`` and the removal effects, in exact arithmetic and another way: the chain is built
    from walks ``start > … > conversion|null``; removing ``c`` moves the probability of every
    step *into* ``c`` to null (the code under test drops ``c``'s row and column instead)."""
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for path, converted in paths:
        walk = ["(start)", *path, "(conversion)" if converted else "(null)"]
        for a, b in itertools.pairwise(walk):
            counts[a][b] += 1
    channels = sorted({ch for chs, _ in paths for ch in chs})

    def converting(removed: str | None) -> Fraction:
        states = ["(start)", *channels]
        size = len(states)
        # rows of [I − Q | r]: x_i − Σ_j P_ij x_j = P_i,conversion
        rows = []
        for i, state in enumerate(states):
            out = sum(counts[state].values())
            row = [Fraction(int(i == j)) for j in range(size)] + [Fraction(0)]
            for j, target in enumerate(states):
                if removed not in (target, state):
                    row[j] -= Fraction(counts[state][target], out)
            if state != removed:
                row[size] = Fraction(counts[state]["(conversion)"], out)
            rows.append(row)
        for col in range(size):  # Gauss-Jordan; I − Q is invertible, pivot on any nonzero
            pivot = next(r for r in range(col, size) if rows[r][col] != 0)
            rows[col], rows[pivot] = rows[pivot], rows[col]
            rows[col] = [v / rows[col][col] for v in rows[col]]
            for r in range(size):
                if r != col and rows[r][col] != 0:
                    factor = rows[r][col]
                    rows[r] = [v - factor * p for v, p in zip(rows[r], rows[col], strict=True)]
        return rows[0][size]

    whole = converting(None)
    return whole, {ch: 1 - converting(ch) / whole if whole else Fraction(0) for ch in channels}


walk_lists = st.lists(
    st.tuples(st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=6).map(tuple), st.booleans()),
    min_size=1,
    max_size=14,
)


@settings(max_examples=200, deadline=None)
@given(walk_lists)
def test_markov_removal_effects_match_the_exact_reference_within_1e_9(
    walks: list[tuple[tuple[str, ...], bool]],
) -> None:
    journeys = [
        journey(n, *chs, converted=won, value="10.00" if won else None)
        for n, (chs, won) in enumerate(walks)
    ]
    report = attribution(journeys, model="markov")
    whole, effects = _reference(walks)
    if whole == 0:
        assert report.conversion_probability is None
        assert all(r.removal_effect is None for r in report)
        return
    assert report.conversion_probability is not None
    assert abs(report.conversion_probability - float(whole)) <= 1e-9
    for row in report:
        assert row.removal_effect is not None
        assert abs(row.removal_effect - float(effects[row.channel])) <= 1e-9


def test_markov_matches_the_reference_on_a_larger_chain() -> None:
    # 8 channels, 300 journeys from a fixed pseudo-random walk (no hypothesis shrinking needed)
    state = 20
    walks: list[tuple[tuple[str, ...], bool]] = []
    for _ in range(300):
        chs = []
        for _ in range(1 + state % 7):
            state = (state * 1103515245 + 12345) % 2**31
            chs.append("ABCDEFGH"[state % 8])
        state = (state * 1103515245 + 12345) % 2**31
        walks.append((tuple(chs), state % 5 == 0))
    report = attribution(
        [journey(n, *chs, converted=won) for n, (chs, won) in enumerate(walks)], model="markov"
    )
    whole, effects = _reference(walks)
    assert report.conversion_probability is not None
    assert abs(report.conversion_probability - float(whole)) <= 1e-9
    worst = max(abs((r.removal_effect or 0.0) - float(effects[r.channel])) for r in report)
    assert worst <= 1e-9


# -- exact sums --------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
priced = st.lists(
    st.tuples(
        st.lists(st.sampled_from("ABCD"), min_size=0, max_size=7),
        st.lists(st.integers(0, 30), min_size=7, max_size=7),  # days between touches
        st.one_of(st.none(), st.tuples(amounts, st.sampled_from(["UAH", "EUR", "JPY"]))),
        st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


def _priced_journeys(
    drawn: list[tuple[list[str], list[int], tuple[Decimal, str] | None, bool]],
) -> list[Journey]:
    out = []
    for n, (chs, gaps, value, won) in enumerate(drawn):
        days = tuple(itertools.accumulate(gaps[: len(chs)]))
        out.append(
            Journey(
                lead_id=f"L-{n}",
                touches=[(ch, T0 + DAY * d) for ch, d in zip(chs, days, strict=True)],
                converted=won or value is not None,
                value=None if value is None else lm.Money(amount=value[0], currency=value[1]),
            )
        )
    return out


@settings(max_examples=100, deadline=None)
@given(priced, st.sampled_from(MODELS))
def test_every_model_credits_exactly_the_conversions_and_the_revenue(
    drawn: list[tuple[list[str], list[int], tuple[Decimal, str] | None, bool]], model: Model
) -> None:
    journeys = _priced_journeys(drawn)
    report = attribution(journeys, model=model)
    touched = [j for j in journeys if j.touches]
    won = [j for j in touched if j.converted]
    assert report.untouched == len(journeys) - len(touched)
    assert sum(r.conversions for r in report) == report.conversions == len(won)
    for i, total in enumerate(report.revenue):
        assert Decimal(sum(r.revenue[i].amount for r in report)) == total.amount
        expected = sum(
            j.value.amount for j in won if j.value and j.value.currency == total.currency
        )
        assert total.amount == expected


@settings(max_examples=100, deadline=None)
@given(priced)
def test_linear_credit_sums_to_the_revenue_exactly_and_is_within_a_cent(
    drawn: list[tuple[list[str], list[int], tuple[Decimal, str] | None, bool]],
) -> None:
    journeys = _priced_journeys(drawn)
    report = attribution(journeys, model="linear")
    exact: defaultdict[tuple[str, str], Fraction] = defaultdict(Fraction)
    for j in journeys:
        if j.touches and j.value is not None:
            for ch in j.channels:
                exact[ch, j.value.currency] += Fraction(j.value.amount) / len(j.touches)
    for row in report:
        for money in row.revenue:
            assert abs(Fraction(money.amount) - exact[row.channel, money.currency]) < Fraction(
                1, 100
            )
    for total in report.revenue:
        credited = sum(m.amount for r in report for m in r.revenue if m.currency == total.currency)
        assert credited == total.amount


def test_one_journey_of_three_splits_a_cent_by_the_largest_remainder() -> None:
    # 100.00 / 3 = 33.333…: 33.33 each, the cent left to the first in channel order
    report = attribution([journey(1, "B", "C", "A", value="100.00")], model="linear")
    assert credits(report) == {
        "A": ("0.3334", "33.34"),
        "B": ("0.3333", "33.33"),
        "C": ("0.3333", "33.33"),
    }


def test_revenue_is_credited_per_currency_to_its_finest_digit() -> None:
    journeys = [
        journey(1, "A", "B", value="101.00", currency="UAH"),
        journey(2, "B", value="3", currency="JPY"),
        journey(3, "A", "B", value="0.125", currency="EUR"),
    ]
    report = attribution(journeys, model="linear")
    # EUR 0.125 / 2 = 0.0625 → the finest digit given is 0.001: 0.062 and 0.063
    assert [(r.channel, [str(m) for m in r.revenue]) for r in report] == [
        ("A", ["0.063 EUR", "0.00 JPY", "50.50 UAH"]),
        ("B", ["0.062 EUR", "3.00 JPY", "50.50 UAH"]),
    ]
    assert [str(m.amount) for m in report.revenue] == ["0.125", "3", "101.00"]


# -- what counts ---------------------------------------------------------------------------------


def test_journeys_without_touches_are_skipped_and_counted() -> None:
    report = attribution(HAND, model="linear")
    assert (report.journeys, report.conversions, report.untouched) == (4, 3, 1)
    assert [str(m.amount) for m in report.revenue] == ["1390.00"]  # L-5's 500.00 is not credited


def test_journeys_that_did_not_convert_matter_to_markov_only() -> None:
    extra = [*HAND, journey(6, "D"), journey(7, "B", "D", "D")]
    for model in MODELS:
        before, after = attribution(HAND, model=model), attribution(extra, model=model)
        same = [r.conversions for r in before] == [r.conversions for r in after]
        assert same is (model != "markov"), model


def test_a_converted_journey_without_value_is_a_conversion_without_revenue() -> None:
    report = attribution([journey(1, "A", converted=True), journey(2, "B", value="5.00")])
    assert credits(report) == {"A": ("1.0000", "0.00"), "B": ("1.0000", "5.00")}


def test_a_channel_enum_is_its_text() -> None:
    touched = Journey(lead_id="L-1", touches=[(lm.Channel.form, T0)], converted=True)
    assert touched.channels == ("form",)
    assert type(touched.channels[0]) is str


# -- bad input is named ---------------------------------------------------------------------------


def test_a_bad_journey_names_every_problem() -> None:
    naive = datetime(2026, 3, 2, 9, 0)  # naive: the mistake under test
    with pytest.raises(ValidationError) as caught:
        Journey(
            lead_id=" ",
            touches=[("A", T0 + DAY), ("", T0), ("B", naive), "C", ("D",)],
            converted=1,  # type: ignore[arg-type]
            value=lm.Money.of("5", "UAH"),
        )
    paths = [p.path for p in caught.value.problems]
    assert paths == [
        "lead_id",
        "touches[1][0]",
        "touches[1][1]",
        "touches[2][1]",
        "touches[3]",
        "touches[4]",
        "converted",
        "value",
    ]
    assert "sort them by their time" in str(caught.value)
    with pytest.raises(ValidationError, match="cannot be negative"):
        Journey(lead_id="L-1", touches=(), converted=True, value=lm.Money.of("-5", "UAH"))
    with pytest.raises(ValidationError, match=r"Journey\.touches: expected a sequence"):
        Journey(lead_id="L-1", touches=5)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValidationError) as caught:
        attribution([HAND[0], "L-2"], model="u_shaped", half_life=timedelta(0))  # type: ignore[list-item, arg-type]
    assert [p.path for p in caught.value.problems] == ["journeys[1]", "model", "half_life"]


def test_without_numpy_markov_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(MissingExtraError, match=r"leadmodel\[numpy\]"):
        attribution(HAND, model="markov")
    assert attribution(HAND, model="linear").conversions == 3  # the others need no numpy


# -- the table ----------------------------------------------------------------------------------


def test_the_report_is_a_table_with_its_exports() -> None:
    report = attribution(HAND, model="position")
    assert report.records()[0] == {
        "channel": "A",
        "conversions": Decimal("0.9000"),
        "revenue_UAH": Decimal("550.00"),
        "removal_effect": None,
    }
    frame = report.to_pandas()
    assert list(frame.columns) == ["channel", "conversions", "revenue_UAH", "removal_effect"]
    assert str(report).splitlines()[0] == "Attribution by position-based (40/20/40)"
    ax = report.plot(Figure().subplots())
    assert [label.get_text() for label in ax.get_yticklabels()] == ["A", "B", "C", "D"]
