"""ContactPoints: an app's default phone region, set once, never global."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm

UA = lm.ContactPoints(region="UA")


def test_national_numbers_are_read_in_the_default_region() -> None:
    assert UA.phone("050 123 4567") == lm.ContactPoint.phone("050 123 4567", region="UA")
    assert UA.phone("+48 601 234 567").key == "+48601234567"
    assert UA.phone("601 234 567", region="PL").key == "+48601234567"
    with pytest.raises(lm.ValidationError, match="region="):
        lm.ContactPoints().phone("050 123 4567")  # no default: the rule of ContactPoint


def test_documents_get_the_default_region_only_where_they_lack_one() -> None:
    docs = [
        {"kind": "phone", "value": "050 123 4567"},
        {"kind": "phone", "value": "601 234 567", "region": "PL"},
        {"kind": "email", "value": "olena@mebli.ua"},
    ]
    keys = [point.key for point in UA.read(docs)]
    assert keys == ["+380501234567", "+48601234567", "olena@mebli.ua"]
    assert UA.read(docs)[2].region is None  # only phones have a region


def test_bad_documents_report_every_problem_with_its_path() -> None:
    with pytest.raises(lm.ValidationError) as bad:
        UA.read([{"kind": "phone", "value": "12"}, {"kind": "fax", "value": "1"}])
    assert sorted(p.path for p in bad.value.problems) == ["[0].value", "[1].kind"]


def test_the_default_region_is_checked() -> None:
    for region in ("Ukraine", "", "XX"):
        with pytest.raises(lm.ValidationError, match="region"):
            lm.ContactPoints(region=region)


@given(st.from_regex(r"0[5-9][0-9] [0-9]{3} [0-9]{4}", fullmatch=True))
def test_a_default_region_keys_like_the_explicit_one(number: str) -> None:
    try:
        explicit = lm.ContactPoint.phone(number, region="UA")
    except lm.ValidationError:
        with pytest.raises(lm.ValidationError):
            UA.phone(number)
        return
    assert UA.phone(number) == explicit
    assert UA.read([{"kind": "phone", "value": number}]) == (explicit,)
