"""Bad input to shifts and work calendars: every problem reported at once, with its path, the
value and the fix; a calendar without working time is told, never walked forever."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from leadmodel import MAX_CALENDAR_SPAN, Shift, ValidationError, WorkCalendar

KYIV = ZoneInfo("Europe/Kyiv")
AT = datetime(2026, 3, 7, 12, 0, tzinfo=KYIV)
NINE_TO_SIX = [Shift(start="09:00", end="18:00")]
OFFICE = WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")


def problems(caught: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {p.path: p.message for p in caught.value.problems}


# -- shifts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["9:00", "09:00:00", "25:00", "09:60", "0900", "", " 09:00"])
def test_a_shift_time_is_hh_mm(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Shift(start=text, end="18:00")
    assert problems(caught) == {
        "start": "expected a time of day 'HH:MM' (24-hour), such as '09:00'"
    }
    assert caught.value.problems[0].value == text


def test_midnight_as_an_end_is_00_00() -> None:
    with pytest.raises(ValidationError, match="midnight is '00:00'"):
        Shift(start="18:00", end="24:00")
    assert Shift(start="18:00", end="00:00").length == timedelta(hours=6)


@pytest.mark.parametrize(
    "value",
    [time(9, 0, 30), time(9, 0, 0, 1), time(9, tzinfo=UTC), 9, None, datetime(2026, 3, 2, 9)],
)
def test_a_shift_time_is_a_whole_minute_of_wall_time(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Shift(start=value, end="18:00")  # type: ignore[arg-type]
    assert list(problems(caught)) == ["start"]


def test_a_shift_is_never_empty() -> None:
    """``start == end`` is a whole day; there is no zero-length shift to refuse."""
    assert Shift(start="00:00", end="00:00").length == timedelta(days=1)
    assert Shift(start="09:00", end="09:00").overnight


# -- calendars -----------------------------------------------------------------------------------


def test_an_unknown_zone_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        WorkCalendar(time_zone="Mars/Olympus_Mons", week={})
    [problem] = caught.value.problems
    assert (problem.path, problem.value) == ("time_zone", "Mars/Olympus_Mons")
    assert "Mars/Olympus_Mons" in str(caught.value)
    assert "IANA" in problem.message


@pytest.mark.parametrize("zone", [None, 3, "", "localtime", "/etc/localtime", "EST5EDT,M3.2.0"])
def test_a_zone_is_an_iana_name(zone: object) -> None:
    with pytest.raises(ValidationError) as caught:
        WorkCalendar(time_zone=zone, week={})  # type: ignore[arg-type]
    assert "time_zone" in problems(caught)


@pytest.mark.parametrize("day", [7, -1, True, "monday", "Mon", 1.0])
def test_a_day_is_0_to_6_or_mon_to_sun(day: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        WorkCalendar(time_zone="Europe/Kyiv", week={day: NINE_TO_SIX})
    assert problems(caught) == {
        f"week[{day!r}]": "a day is 0 (Monday) to 6 (Sunday), or 'mon' to 'sun'"
    }


def test_a_day_is_listed_once() -> None:
    with pytest.raises(ValidationError, match=r"Monday is listed twice \(week\[0\] too\)"):
        WorkCalendar(time_zone="Europe/Kyiv", week={0: NINE_TO_SIX, "mon": NINE_TO_SIX})  # type: ignore[arg-type]


@pytest.mark.parametrize("shifts", ["09:00-18:00", Shift(start="09:00", end="18:00"), 5, {"a": 1}])
def test_a_days_shifts_are_a_list(shifts: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        WorkCalendar(time_zone="Europe/Kyiv", week={0: shifts})
    assert list(problems(caught)) == ["week[0]"]


def test_a_days_items_are_shifts() -> None:
    week: Any = {0: [NINE_TO_SIX[0], "10:00-12:00"]}
    with pytest.raises(ValidationError) as caught:
        WorkCalendar(time_zone="Europe/Kyiv", week=week)
    assert problems(caught) == {"week[0][1]": "expected a Shift"}


def test_a_shift_listed_twice_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        WorkCalendar(time_zone="Europe/Kyiv", week={0: NINE_TO_SIX * 2})
    assert problems(caught) == {
        "week[0]": "the shift 09:00–18:00 is listed twice on Monday: list it once"
    }


@pytest.mark.parametrize(
    ("week", "path", "words"),
    [
        (
            {0: ["09:00-13:00", "12:00-18:00"]},
            "week[0]",
            "09:00–13:00 on Monday overlaps 12:00–18:00 on Monday",
        ),
        (
            {0: ["09:00-18:00", "10:00-11:00"]},
            "week[0]",
            "09:00–18:00 on Monday overlaps 10:00–11:00",
        ),
        (
            {0: ["22:00-06:00"], 1: ["05:00-09:00"]},
            "week[1]",
            "22:00–06:00 on Monday overlaps 05:00–09:00 on Tuesday",
        ),
        (
            {6: ["22:00-06:00"], 0: ["05:00-09:00"]},
            "week[0]",
            "22:00–06:00 on Sunday overlaps 05:00–09:00 on Monday",
        ),
        (
            {2: ["12:00-12:00"], 3: ["11:00-13:00"]},
            "week[3]",
            "12:00–12:00 on Wednesday overlaps 11:00–13:00",
        ),
    ],
)
def test_shifts_never_overlap_on_a_day_or_across_midnight(
    week: dict[int, list[str]], path: str, words: str
) -> None:
    days = {
        day: [Shift(start=text[:5], end=text[6:]) for text in texts] for day, texts in week.items()
    }
    with pytest.raises(ValidationError) as caught:
        WorkCalendar(time_zone="Europe/Kyiv", week=days)
    [problem] = caught.value.problems
    assert problem.path == path
    assert words in problem.message
    assert "end one where the other starts" in problem.message


def test_shifts_that_meet_do_not_overlap() -> None:
    week = {0: [Shift(start="22:00", end="06:00")], 1: [Shift(start="06:00", end="10:00")]}
    assert WorkCalendar(time_zone="Europe/Kyiv", week=week).week[1][0].start == time(6)


def test_a_dated_exception_may_not_overlap_the_night_before_or_after() -> None:
    nights = {4: [Shift(start="22:00", end="06:00")]}  # Friday nights
    with pytest.raises(ValidationError) as caught:
        WorkCalendar(
            time_zone="Europe/Kyiv",
            week=nights,
            exceptions={
                date(2026, 3, 7): [Shift(start="05:00", end="09:00")],  # a Saturday
                date(2026, 3, 12): [Shift(start="23:00", end="23:00")],  # into Friday's night
            },
        )
    assert problems(caught) == {
        "exceptions[2026-03-07]": (
            "the shift 22:00–06:00 on 2026-03-06 overlaps 05:00–09:00 on 2026-03-07: shifts "
            "never overlap; end one where the other starts (or join them into one)"
        ),
        "exceptions[2026-03-12]": (
            "the shift 23:00–23:00 on 2026-03-12 overlaps 22:00–06:00 on 2026-03-13: shifts "
            "never overlap; end one where the other starts (or join them into one)"
        ),
    }


def test_a_date_is_a_holiday_or_an_exception_not_both() -> None:
    with pytest.raises(ValidationError, match="is a holiday and has dated hours too"):
        WorkCalendar(
            time_zone="Europe/Kyiv",
            week={0: NINE_TO_SIX},
            holidays=[date(2026, 5, 1)],
            exceptions={date(2026, 5, 1): []},
        )


@pytest.mark.parametrize(
    "holidays", ["2026-05-01", [datetime(2026, 5, 1)], ["2026-05-01"], 20260501, {"2026-05-01": 1}]
)
def test_holidays_are_dates(holidays: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        WorkCalendar(time_zone="Europe/Kyiv", week={}, holidays=holidays)
    assert list(problems(caught)) == ["holidays"]


@pytest.mark.parametrize("key", ["2026-05-01", datetime(2026, 5, 1), 1])
def test_exceptions_are_keyed_by_date(key: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        WorkCalendar(time_zone="Europe/Kyiv", week={}, exceptions={key: []})
    assert list(problems(caught)) == [f"exceptions[{key!r}]"]


def test_every_problem_of_a_calendar_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        WorkCalendar(
            time_zone="Europe/Kiev2",
            week={7: NINE_TO_SIX, 0: NINE_TO_SIX * 2},
            holidays=["2026-05-01"],  # type: ignore[list-item]
            key=" ",
        )
    assert list(problems(caught)) == ["time_zone", "week[7]", "holidays", "week[0]", "key"]


# -- instants and spans --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["is_open", "next_open"])
def test_a_naive_datetime_is_refused(method: str) -> None:
    with pytest.raises(ValidationError) as caught:
        getattr(OFFICE, method)(datetime(2026, 3, 9, 10, 0))
    [problem] = caught.value.problems
    assert problem.path == "at"
    assert problem.message.startswith("naive datetime (no time zone)")
    assert str(caught.value).startswith(f"WorkCalendar.{method}.at")


def test_naive_bounds_are_refused_both_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        OFFICE.between(datetime(2026, 3, 9), datetime(2026, 3, 10))
    assert list(problems(caught)) == ["start", "end"]
    with pytest.raises(ValidationError) as caught:
        OFFICE.intervals(AT, datetime(2026, 3, 10))
    assert list(problems(caught)) == ["end"]
    with pytest.raises(ValidationError) as caught:
        OFFICE.add(datetime(2026, 3, 9), "1h")  # type: ignore[arg-type]
    assert list(problems(caught)) == ["at", "duration"]


def test_a_negative_duration_is_refused() -> None:
    with pytest.raises(ValidationError, match="working time to add cannot be negative"):
        OFFICE.add(AT, timedelta(minutes=-1))


def test_a_span_longer_than_the_cap_is_refused_before_any_walking() -> None:
    with pytest.raises(ValidationError) as caught:
        OFFICE.add(AT, MAX_CALENDAR_SPAN + timedelta(days=1))
    assert list(problems(caught)) == ["duration"]
    assert "MAX_CALENDAR_SPAN" in str(caught.value)
    far = AT + MAX_CALENDAR_SPAN + timedelta(days=1)
    for method in (OFFICE.between, OFFICE.intervals):
        with pytest.raises(ValidationError, match="MAX_CALENDAR_SPAN"):
            method(AT, far)
    assert OFFICE.between(AT, AT + MAX_CALENDAR_SPAN) > timedelta(days=365 * 40 // 24)


def test_a_duration_a_sparse_calendar_cannot_work_through_in_100_years_is_refused() -> None:
    """A minute a week: 10,000 hours would take 11,500 years."""
    sparse = WorkCalendar(time_zone="Europe/Kyiv", week={0: [Shift(start="09:00", end="09:01")]})
    with pytest.raises(ValidationError) as caught:
        sparse.add(AT, timedelta(hours=10_000))
    assert list(problems(caught)) == ["duration"]
    assert "100 years" in str(caught.value)


def test_a_calendar_without_working_time_is_told_not_walked() -> None:
    closed = WorkCalendar(time_zone="Europe/Kyiv", week={}, holidays=[date(2026, 5, 1)])
    calls: list[Callable[[], datetime]] = [
        lambda: closed.next_open(AT),
        lambda: closed.add(AT, timedelta(hours=1)),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as caught:
            call()
        assert problems(caught) == {
            "week": (
                "this calendar has no working time at all: list shifts in week, or dated "
                "hours in exceptions"
            )
        }
    assert closed.between(AT, AT + timedelta(days=400)) == timedelta(0)
    assert not closed.is_open(AT)


def test_a_calendar_whose_dated_hours_are_past_says_when_they_ended() -> None:
    once = WorkCalendar(
        time_zone="Europe/Kyiv", week={}, exceptions={date(2026, 3, 1): NINE_TO_SIX}
    )
    assert once.next_open(datetime(2026, 2, 1, tzinfo=UTC)) == datetime(2026, 3, 1, 9, tzinfo=KYIV)
    with pytest.raises(ValidationError, match="no working time after 2026-03-01"):
        once.next_open(AT)
    with pytest.raises(ValidationError, match="no working time after 2026-03-01"):
        once.add(datetime(2026, 3, 1, 17, tzinfo=KYIV), timedelta(hours=2))


def test_a_result_past_the_year_9999_is_refused() -> None:
    end_of_time = datetime(9999, 12, 31, 12, tzinfo=UTC)
    with pytest.raises(ValidationError):
        OFFICE.add(end_of_time, timedelta(days=3))
