"""Diminutives and short forms of first names: one name, whatever form a record gives."""

from __future__ import annotations

import pytest

import leadmodel as lm
from leadmodel.domain.matching._nicknames import nickname_key


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("Ваня Коваль", "Іван Коваль"),
        ("Івась Коваль", "Іван Коваль"),
        ("Vania Koval", "Іван Коваль"),
        ("Sasha Koval", "Олександр Коваль"),
        ("Дмитрик Бондар", "Дмитро Бондар"),
        ("Марічка Бондар", "Марія Бондар"),
        ("Maritchka Bondar", "Марія Бондар"),
        ("Даринка Мороз", "Дарина Мороз"),
        ("Даруся Мороз", "Daryna Moroz"),
    ],
)
def test_a_diminutive_is_the_full_name(short: str, full: str) -> None:
    assert nickname_key(lm.name_key(short)) == nickname_key(lm.name_key(full))


def test_another_name_stays_another_name() -> None:
    assert nickname_key(lm.name_key("Марія Бондар")) != nickname_key(lm.name_key("Дарина Бондар"))
    assert nickname_key(lm.name_key("Koval Olena")) == lm.name_key("Koval Olena")
