"""localise: a naive wall time in a zone, refusing what is aware, skipped or repeated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm

KYIV = "Europe/Kyiv"


def test_an_ordinary_time_gets_the_zone() -> None:
    at = lm.localise(datetime(2026, 7, 1, 12, 0), KYIV)
    assert at.tzinfo == ZoneInfo(KYIV)
    assert at.utcoffset() == timedelta(hours=3)


@pytest.mark.parametrize(
    ("naive", "zone", "fold", "path"),
    [
        (datetime(2026, 7, 1, tzinfo=UTC), KYIV, None, "naive"),
        ("2026-07-01", KYIV, None, "naive"),
        (datetime(2026, 7, 1), "Kyiv", None, "zone"),
        (datetime(2026, 7, 1), "/etc/localtime", None, "zone"),
        (datetime(2026, 7, 1), None, None, "zone"),
        (datetime(2026, 7, 1), KYIV, 2, "fold"),
        (datetime(2026, 7, 1), KYIV, True, "fold"),
    ],
)
def test_bad_arguments_are_refused_naming_them(
    naive: object, zone: object, fold: object, path: str
) -> None:
    with pytest.raises(lm.ValidationError) as info:
        lm.localise(naive, zone, fold=fold)  # type: ignore[arg-type]
    assert path in [p.path for p in info.value.problems]


def test_a_bad_policy_is_refused() -> None:
    with pytest.raises(lm.ValidationError, match="nonexistent"):
        lm.localise(datetime(2026, 7, 1), KYIV, nonexistent="shift")  # type: ignore[arg-type]


def test_the_gap_and_the_repeat() -> None:
    spring, autumn = datetime(2026, 3, 29, 3, 0), datetime(2026, 10, 25, 3, 0)
    with pytest.raises(lm.ValidationError, match="does not exist"):
        lm.localise(spring, KYIV, fold=0)  # fold says nothing about a gap
    moved = lm.localise(spring, KYIV, nonexistent="shift_forward")
    assert moved.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    with pytest.raises(lm.ValidationError, match="happens twice"):
        lm.localise(autumn, KYIV, nonexistent="shift_forward")
    first, second = (lm.localise(autumn, KYIV, fold=f) for f in (0, 1))
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)


ZONES = ["Europe/Kyiv", "America/New_York", "Australia/Lord_Howe", "Asia/Tokyo", "UTC"]


@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1)),
    st.sampled_from(ZONES),
    st.sampled_from([0, 1]),
)
def test_the_result_shows_the_wall_time_or_the_gap_end(
    naive: datetime, zone: str, fold: int
) -> None:
    at = lm.localise(naive, zone, fold=fold, nonexistent="shift_forward")
    assert at.tzinfo == ZoneInfo(zone)
    wall = at.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    if wall != naive:  # in a gap: the first instant after it, later on the wall than asked
        assert wall > naive
        with pytest.raises(lm.ValidationError, match="does not exist"):
            lm.localise(naive, zone, fold=fold)
        just_before = at.astimezone(UTC) - timedelta(microseconds=1)
        assert just_before.astimezone(ZoneInfo(zone)).utcoffset() != at.utcoffset()
