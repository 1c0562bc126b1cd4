"""Work calendars against hand-worked cases: DST in Kyiv and New York, Tokyo without DST,
holidays, dated exceptions, overnight shifts, and leads that arrive when the team is closed or
in another zone.

Kyiv 2026: the clocks skip 03:00-04:00 on Sunday 29 March (+02:00 -> +03:00) and repeat
03:00-04:00 on Sunday 25 October. New York 2026: they skip 02:00-03:00 on Sunday 8 March
(-05:00 -> -04:00) and repeat 01:00-02:00 on Sunday 1 November. Tokyo keeps +09:00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadmodel import Shift, WorkCalendar

KYIV = ZoneInfo("Europe/Kyiv")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
HOUR = timedelta(hours=1)


def kyiv(month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=KYIV, fold=fold)


def new_york(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK)


def tokyo(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TOKYO)


def every_day(zone: str, start: str, end: str) -> WorkCalendar:
    return WorkCalendar(
        time_zone=zone, week={day: [Shift(start=start, end=end)] for day in range(7)}
    )


OFFICE = WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")


# -- the lead that arrives when the team is closed ---------------------------------------------


def test_a_lead_arriving_on_saturday_counts_from_mondays_first_working_minute() -> None:
    """The known peer bug: a Saturday lead with a 1-hour target is due at 10:00 on Monday."""
    saturday = kyiv(3, 7, 11, 0)
    assert OFFICE.add(saturday, HOUR) == kyiv(3, 9, 10, 0)
    assert OFFICE.add(saturday, timedelta(0)) == kyiv(3, 9, 9, 0)
    assert OFFICE.next_open(saturday) == kyiv(3, 9, 9, 0)
    assert OFFICE.between(saturday, kyiv(3, 9, 9, 30)) == timedelta(minutes=30)


def test_a_lead_after_hours_carries_the_rest_into_the_next_working_day() -> None:
    friday = kyiv(3, 6, 17, 0)
    assert OFFICE.add(friday, 2 * HOUR) == kyiv(3, 9, 10, 0)
    assert OFFICE.between(friday, kyiv(3, 9, 10, 0)) == 2 * HOUR


def test_a_duration_that_ends_with_the_day_ends_at_closing_time() -> None:
    """The earliest instant the time is used up: 18:00, not Tuesday 09:00."""
    assert OFFICE.add(kyiv(3, 9, 9, 0), 9 * HOUR) == kyiv(3, 9, 18, 0)
    assert not OFFICE.is_open(kyiv(3, 9, 18, 0))


def test_a_shift_includes_its_start_and_not_its_end() -> None:
    assert OFFICE.is_open(kyiv(3, 9, 9, 0))
    assert OFFICE.is_open(kyiv(3, 9, 17, 59))
    assert not OFFICE.is_open(kyiv(3, 9, 18, 0))
    assert not OFFICE.is_open(kyiv(3, 9, 8, 59))


def test_results_are_in_the_calendars_zone_with_a_fixed_offset() -> None:
    due = OFFICE.add(tokyo(3, 9, 20, 0), HOUR)  # 13:00 in Kyiv
    assert due.isoformat() == "2026-03-09T14:00:00+02:00"
    assert due.utcoffset() == timedelta(hours=2)


# -- another zone --------------------------------------------------------------------------------


def test_a_lead_in_tokyo_answered_by_a_team_in_kyiv() -> None:
    """Friday 23:30 in Tokyo is 16:30 in Kyiv: 1.5 working hours left that day; the rest is
    on Monday, after Kyiv moved its clocks (+03:00 from 29 March)."""
    arrived = tokyo(3, 27, 23, 30)
    assert OFFICE.is_open(arrived)
    due = OFFICE.add(arrived, 2 * HOUR)
    assert due.isoformat() == "2026-03-30T09:30:00+03:00"
    assert due == tokyo(3, 30, 15, 30)
    assert OFFICE.between(arrived, tokyo(3, 30, 16, 0)) == timedelta(hours=2, minutes=30)
    assert OFFICE.next_open(tokyo(3, 28, 12, 0)) == kyiv(3, 30, 9, 0)


def test_tokyo_has_no_dst_so_every_day_is_the_same_length() -> None:
    team = WorkCalendar.weekdays("Asia/Tokyo", "10:00", "19:00")
    assert team.add(tokyo(3, 27, 18, 0), 3 * HOUR) == tokyo(3, 30, 12, 0)
    for month, day in ((3, 30), (10, 26), (11, 2)):
        assert team.between(tokyo(month, day), tokyo(month, day) + timedelta(days=1)) == 9 * HOUR
    asked_in_kyiv = kyiv(3, 29, 20, 0)  # Monday 02:00 in Tokyo
    assert team.next_open(asked_in_kyiv).isoformat() == "2026-03-30T10:00:00+09:00"


# -- DST in Kyiv ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "spring", "autumn"),
    [
        ("09:00", "18:00", 9, 9),  # away from 03:00-04:00: untouched
        ("00:00", "06:00", 5, 7),  # spans the skipped / the repeated hour
        ("02:30", "03:30", 0.5, 1),  # ends in the skipped hour (at 04:00), at the first 03:30
        ("03:30", "04:30", 0.5, 2),  # starts in it: at 04:00; in autumn at the first 03:30
        ("00:00", "00:00", 23, 25),  # a whole day
    ],
)
def test_kyiv_shifts_on_the_days_the_clocks_change(
    start: str, end: str, spring: float, autumn: float
) -> None:
    calendar = every_day("Europe/Kyiv", start, end)
    assert calendar.between(kyiv(3, 29), kyiv(3, 30)) == timedelta(hours=spring)
    assert calendar.between(kyiv(10, 25), kyiv(10, 26)) == timedelta(hours=autumn)


def test_a_shift_inside_the_skipped_hour_is_closed_that_day() -> None:
    calendar = WorkCalendar(time_zone="Europe/Kyiv", week={6: [Shift(start="03:15", end="03:45")]})
    assert calendar.between(kyiv(3, 29), kyiv(3, 30)) == timedelta(0)
    assert calendar.next_open(kyiv(3, 28, 12)) == kyiv(4, 5, 3, 15)
    assert calendar.between(kyiv(4, 5), kyiv(4, 6)) == timedelta(minutes=30)


def test_a_wall_time_that_happens_twice_means_its_first_occurrence() -> None:
    """00:00-03:30 on 25 October ends at the first 03:30 (+03:00): the second one is closed."""
    calendar = every_day("Europe/Kyiv", "00:00", "03:30")
    assert calendar.is_open(kyiv(10, 25, 3, 10, fold=0))
    assert not calendar.is_open(kyiv(10, 25, 3, 10, fold=1))
    assert calendar.add(kyiv(10, 25), timedelta(hours=3, minutes=30)).isoformat() == (
        "2026-10-25T03:30:00+03:00"
    )
    assert calendar.next_open(kyiv(10, 25, 3, 40, fold=1)) == kyiv(10, 26)


def test_results_in_the_repeated_hour_compare_as_instants() -> None:
    calendar = every_day("Europe/Kyiv", "00:00", "06:00")
    first = calendar.add(kyiv(10, 25), timedelta(hours=3, minutes=30))  # 03:30 +03:00
    second = calendar.add(kyiv(10, 25), timedelta(hours=4, minutes=10))  # 03:10 +02:00
    assert (first.isoformat(), second.isoformat()) == (
        "2026-10-25T03:30:00+03:00",
        "2026-10-25T03:10:00+02:00",
    )
    assert first < second


def test_an_overnight_shift_across_the_kyiv_changes() -> None:
    """Saturday 22:00 to Sunday 06:00: 7 hours in March, 9 in October."""
    nights = WorkCalendar(
        time_zone="Europe/Kyiv", week={"sat": [Shift(start="22:00", end="06:00")]}
    )
    assert nights.between(kyiv(3, 28), kyiv(3, 30)) == 7 * HOUR
    assert nights.between(kyiv(10, 24), kyiv(10, 26)) == 9 * HOUR
    assert nights.add(kyiv(3, 28, 23), 5 * HOUR).isoformat() == "2026-03-29T05:00:00+03:00"
    assert nights.add(kyiv(10, 24, 23), 5 * HOUR).isoformat() == "2026-10-25T03:00:00+02:00"
    assert nights.is_open(kyiv(3, 29, 4, 30))
    assert not nights.is_open(kyiv(3, 29, 6, 0))


# -- DST in New York -----------------------------------------------------------------------------


def test_new_york_office_hours_across_the_spring_change() -> None:
    office = WorkCalendar.weekdays("America/New_York", "09:00", "17:00")
    due = office.add(new_york(3, 6, 16, 0), 2 * HOUR)
    assert due.isoformat() == "2026-03-09T10:00:00-04:00"
    assert office.between(new_york(3, 6, 9, 0), new_york(3, 9, 17, 0)) == 16 * HOUR


@pytest.mark.parametrize(
    ("start", "end", "spring", "autumn"),
    [
        ("22:00", "06:00", 7, 9),  # Saturday night into the Sunday the clocks change
        ("01:30", "02:30", 0.5, 2),  # ends in the skipped hour (03:00); ends at 02:30 -05:00
        ("02:10", "02:50", 0, 2 / 3),  # wholly skipped in spring
        ("00:00", "00:00", 47, 49),  # whole days: Saturday and Sunday
    ],
)
def test_new_york_shifts_on_the_weekends_the_clocks_change(
    start: str, end: str, spring: float, autumn: float
) -> None:
    """Working time from Saturday 12:00 to Sunday 12:00 (whole days: all weekend)."""
    calendar = every_day("America/New_York", start, end)
    if start == end:
        spring_weekend = calendar.between(new_york(3, 7), new_york(3, 9))
        autumn_weekend = calendar.between(new_york(10, 31), new_york(11, 2))
    else:
        spring_weekend = calendar.between(new_york(3, 7, 12), new_york(3, 8, 12))
        autumn_weekend = calendar.between(new_york(10, 31, 12), new_york(11, 1, 12))
    assert spring_weekend == timedelta(hours=spring)
    assert autumn_weekend == timedelta(hours=autumn)


# -- holidays and dated exceptions ---------------------------------------------------------------


def test_a_holiday_closes_its_date() -> None:
    """Monday 24 August (Independence Day) is closed: Friday's leftovers go to Tuesday."""
    office = WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00")
    office = WorkCalendar(
        time_zone=office.time_zone, week=office.week, holidays=[date(2026, 8, 24)]
    )
    assert office.add(kyiv(8, 21, 17, 0), 2 * HOUR) == kyiv(8, 25, 10, 0)
    assert not office.is_open(kyiv(8, 24, 12, 0))
    assert office.next_open(kyiv(8, 24, 12, 0)) == kyiv(8, 25, 9, 0)
    assert office.between(kyiv(8, 24), kyiv(8, 25)) == timedelta(0)


def test_a_holiday_keeps_the_night_shift_that_started_the_evening_before() -> None:
    """A day's hours are the shifts that start on it: Sunday's night still ends on Monday."""
    nights = WorkCalendar(
        time_zone="Europe/Kyiv",
        week={day: [Shift(start="22:00", end="06:00")] for day in range(7)},
        holidays={date(2026, 8, 24)},
    )
    assert nights.is_open(kyiv(8, 24, 3, 0))
    assert not nights.is_open(kyiv(8, 24, 23, 0))
    assert nights.between(kyiv(8, 24), kyiv(8, 25, 12)) == 6 * HOUR


def test_dated_exceptions_replace_the_week_for_their_day() -> None:
    office = WorkCalendar(
        time_zone="Europe/Kyiv",
        week=WorkCalendar.weekdays("Europe/Kyiv", "09:00", "18:00").week,
        holidays=[date(2027, 1, 1)],
        exceptions={
            date(2026, 12, 31): [Shift(start="09:00", end="14:00")],  # a short Thursday
            date(2026, 5, 1): [],  # a Friday closed
            date(2026, 5, 9): [Shift(start="10:00", end="14:00")],  # a Saturday open
        },
    )
    assert office.add(kyiv(12, 31, 13, 0), 2 * HOUR) == datetime(2027, 1, 4, 10, tzinfo=KYIV)
    assert office.next_open(kyiv(5, 1, 10, 0)) == kyiv(5, 4, 9, 0)
    assert office.is_open(kyiv(5, 9, 12, 0))
    assert office.between(kyiv(5, 8, 17, 0), kyiv(5, 11, 10, 0)) == 6 * HOUR


# -- overnight shifts ----------------------------------------------------------------------------


def test_an_overnight_shift_runs_past_midnight() -> None:
    nights = WorkCalendar(
        time_zone="Europe/Kyiv", week={day: [Shift(start="22:00", end="06:00")] for day in range(5)}
    )
    assert nights.between(kyiv(3, 2, 21, 0), kyiv(3, 3, 7, 0)) == 8 * HOUR
    assert nights.is_open(kyiv(3, 3, 0, 0))
    assert nights.is_open(kyiv(3, 7, 5, 59))  # Friday's night ends on Saturday
    assert not nights.is_open(kyiv(3, 7, 22, 0))
    assert nights.add(kyiv(3, 6, 23, 0), 8 * HOUR) == kyiv(3, 9, 23, 0)  # Fri 7 h + Mon 1 h


def test_sundays_night_shift_runs_into_monday() -> None:
    calendar = WorkCalendar(time_zone="Europe/Kyiv", week={6: [Shift(start="22:00", end="06:00")]})
    assert calendar.is_open(kyiv(3, 9, 5, 0))
    assert calendar.next_open(kyiv(3, 9, 7, 0)) == kyiv(3, 15, 22, 0)


def test_intervals_that_meet_are_one_and_are_cut_to_the_span() -> None:
    calendar = WorkCalendar(
        time_zone="Europe/Kyiv",
        week={0: [Shift(start="22:00", end="06:00")], 1: [Shift(start="06:00", end="10:00")]},
    )
    found = list(calendar.intervals(kyiv(3, 9, 23, 0), kyiv(3, 10, 12, 0)))
    assert found == [(kyiv(3, 9, 23, 0), kyiv(3, 10, 10, 0))]
    assert list(calendar.intervals(kyiv(3, 10, 12, 0), kyiv(3, 9, 23, 0))) == []
    assert calendar.between(kyiv(3, 9, 23, 0), kyiv(3, 10, 12, 0)) == 11 * HOUR


def test_a_whole_day_shift_is_24_hours_from_its_start() -> None:
    calendar = WorkCalendar(time_zone="Asia/Tokyo", week={2: [Shift(start="12:00", end="12:00")]})
    assert calendar.between(tokyo(3, 4), tokyo(3, 6)) == 24 * HOUR
    assert calendar.is_open(tokyo(3, 5, 11, 59))
    assert not calendar.is_open(tokyo(3, 5, 12, 0))


def test_always_is_open_all_the_time_in_utc() -> None:
    always = WorkCalendar.always()
    at = kyiv(3, 29, 2, 0)  # an hour before Kyiv skips one: UTC does not
    later = at.astimezone(UTC) + 1000 * HOUR
    assert always.is_open(at)
    assert always.next_open(at) == at
    assert always.add(at, 1000 * HOUR) == later
    assert always.add(at, HOUR).tzinfo is UTC
    assert always.between(at, later) == 1000 * HOUR


# -- the cost of long spans ----------------------------------------------------------------------


def test_ten_thousand_business_hours_are_added_by_weeks_not_minutes() -> None:
    """10,000 hours of a 45-hour week: 222 weeks and 10 hours, from Monday 2 March 2026."""
    start = kyiv(3, 2, 9, 0)
    due = OFFICE.add(start, 10_000 * HOUR)
    assert OFFICE.between(start, due) == 10_000 * HOUR
    assert due.isoformat() == "2030-06-04T10:00:00+03:00"


def test_a_year_of_working_time_is_counted_day_by_day_across_both_changes() -> None:
    """2026 has 261 weekdays (9 hours each); the DST changes fall on Sundays."""
    year = OFFICE.between(kyiv(1, 1), datetime(2027, 1, 1, tzinfo=KYIV))
    assert year == 261 * 9 * HOUR
