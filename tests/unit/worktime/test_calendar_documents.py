"""A work calendar is data: one document through every door (``to_dict``, ``lm.to_dict``, JSON,
TOML), read back to an equal calendar, and a bad document's problems named in document terms,
all at once (with their lines, from TOML)."""

from __future__ import annotations

import json
from datetime import date, time
from typing import Any

import pytest
from hypothesis import given

import leadmodel as lm
from leadmodel import Shift, ValidationError, WorkCalendar
from leadmodel.testing import strategies as lst

SUPPORT = """
key = "support"
time_zone = "Europe/Kyiv"
holidays = ["2026-08-24", 2026-01-01]

[week]
mon = [{ start = "09:00", end = "13:00" }, { start = "14:00", end = "18:00" }]
fri = [{ start = 09:00:00, end = "18:00" }]
sun = [{ start = "22:00", end = "06:00" }]

[exceptions]
2026-12-31 = [{ start = "09:00", end = "14:00" }]
2026-05-01 = []
"""


@given(calendar=lst.work_calendars())
def test_a_calendar_reads_back_equal_from_every_form(calendar: WorkCalendar) -> None:
    document = calendar.to_dict()
    assert lm.to_dict(calendar) == document
    assert document["schema_version"] == lm.SCHEMA_VERSION
    assert WorkCalendar.from_dict(document) == calendar
    assert lm.from_dict(WorkCalendar, document) == calendar
    assert lm.from_json(WorkCalendar, lm.to_json(calendar)) == calendar
    assert WorkCalendar.from_toml(calendar.to_toml()) == calendar
    assert json.loads(lm.to_json(calendar)) == document


@given(shift=lst.shifts())
def test_a_shift_is_a_document_of_its_own(shift: Shift) -> None:
    document = lm.to_dict(shift)
    assert document == {
        "schema_version": 1,
        "start": f"{shift.start:%H:%M}",
        "end": f"{shift.end:%H:%M}",
    }
    assert lm.from_dict(Shift, document) == shift


def test_a_toml_calendar_reads_toml_dates_and_times_too() -> None:
    calendar = WorkCalendar.from_toml(SUPPORT)
    assert calendar.key == "support"
    assert calendar.holidays == {date(2026, 1, 1), date(2026, 8, 24)}
    assert [str(s) for s in calendar.week[0]] == ["09:00–13:00", "14:00–18:00"]
    assert calendar.week[4][0].start == time(9)
    assert calendar.exceptions == {
        date(2026, 5, 1): (),
        date(2026, 12, 31): (Shift(start="09:00", end="14:00"),),
    }
    assert WorkCalendar.from_toml(calendar.to_toml()) == calendar


def test_the_document_is_compact_and_in_order() -> None:
    calendar = WorkCalendar(
        time_zone="Asia/Tokyo",
        week={"fri": [Shift(start="14:00", end="18:00"), Shift(start="09:00", end="13:00")]},
    )
    assert calendar.to_dict() == {
        "schema_version": 1,
        "time_zone": "Asia/Tokyo",
        "week": {"fri": [{"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "18:00"}]},
    }
    empty = WorkCalendar(time_zone="UTC", week={0: []})
    assert empty.to_dict() == {"schema_version": 1, "time_zone": "UTC", "week": {}}
    assert WorkCalendar.from_toml(empty.to_toml()) == empty


def test_equal_schedules_are_equal_calendars() -> None:
    """Days by number or name, shifts in any order, closed days listed or not: one calendar."""
    a = WorkCalendar(
        time_zone="UTC",
        week={0: [Shift(start="14:00", end="18:00"), Shift(start="09:00", end="12:00")], 5: []},
    )
    b = WorkCalendar(
        time_zone="UTC",
        week={"mon": (Shift(start="09:00", end="12:00"), Shift(start="14:00", end="18:00"))},
    )
    assert a == b
    assert hash(a) == hash(b)


def _toml_problems(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ValidationError) as caught:
        WorkCalendar.from_toml(text)
    return [(p.line, p.path, p.message) for p in caught.value.problems]


def test_every_problem_of_a_toml_calendar_is_named_with_its_line() -> None:
    text = (
        SUPPORT.replace('"Europe/Kyiv"', '"Europe/Kiev2"')
        .replace('"14:00", end', '"12:00", end')
        .replace('sun = [{ start = "22:00"', 'sunday = [{ start = "22:00"')
        .replace('"2026-08-24"', '"24.08.2026"')
        .replace("2026-05-01 = []", '2026-05-01 = [{ start = "9:00", end = "10:00" }]')
    )
    overlap = (
        "the shift 09:00–13:00 on Monday overlaps 12:00–18:00 on Monday: shifts never overlap; "
        "end one where the other starts (or join them into one)"
    )
    assert _toml_problems(text) == [
        (3, "time_zone", "not a time zone name; use an IANA name such as 'Europe/Kyiv'"),
        (4, "holidays", "expected a date 'YYYY-MM-DD', such as '2026-05-01'"),
        (7, "week.mon", overlap),
        (9, "week.sunday", "unexpected field; remove it (or load with extra='ignore')"),
        (
            13,
            "exceptions.2026-05-01[0].start",
            "expected a time of day 'HH:MM' (24-hour), such as '09:00'",
        ),
    ]


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        ({"week": {}}, "time_zone", "required field is missing"),
        ({"time_zone": "UTC"}, "week", "required field is missing; list the working hours by day"),
        (
            {"time_zone": "UTC", "week": {"mon": [{"start": "09:00"}]}},
            "week.mon[0].end",
            "required field is missing",
        ),
        (
            {"time_zone": "UTC", "week": {"mon": [{"start": "09:00", "end": 18}]}},
            "week.mon[0].end",
            "expected a string",
        ),
        ({"time_zone": "UTC", "week": {"mon": "09:00-18:00"}}, "week.mon", "expected a JSON array"),
        ({"time_zone": "UTC", "week": [], "colour": "red"}, "colour", "unexpected field"),
        (
            {"time_zone": "UTC", "week": {}, "exceptions": {"2026-02-30": []}},
            "exceptions.2026-02-30",
            "expected a date",
        ),
        (
            {"time_zone": "UTC", "week": {}, "holidays": "2026-01-01"},
            "holidays",
            "expected a JSON array",
        ),
    ],
)
def test_a_bad_document_names_the_path_in_document_terms(
    document: dict[str, Any], path: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        WorkCalendar.from_dict(document)
    found = {p.path: p.message for p in caught.value.problems}
    assert path in found
    assert found[path].startswith(message)


def test_unknown_fields_may_be_ignored() -> None:
    document = {**WorkCalendar.always().to_dict(), "colour": "red"}
    assert lm.from_dict(WorkCalendar, document, extra="ignore") == WorkCalendar.always()


def test_a_path_is_not_toml_text() -> None:
    from pathlib import Path

    with pytest.raises(ValidationError, match="pass the TOML text"):
        WorkCalendar.from_toml(Path("calendar.toml"))  # type: ignore[arg-type]
