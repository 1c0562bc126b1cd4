"""PERSON_MODEL's fields and levels on Contacts: the messenger handle, a namesake's mailbox."""

from __future__ import annotations

import leadmodel as lm
from leadmodel.domain.matching._vectors import raw_value

EMAIL = lm.Comparison(
    field_path="email",
    levels=[
        lm.Level("exact", m=0.5, u=1e-4),
        lm.Level("namesake_mail", m=1e-9, u=1e-5, fixed=True),
        lm.Level("damerau", 1, m=0.3, u=1e-4),
        lm.Level("same_company_mail", m=1e-9, u=1e-3, fixed=True),
    ],
    else_m=0.2,
    else_u=0.99,
)
MODEL = lm.MatchModel(comparisons=[EMAIL], blocking=[lm.Blocking(keys=["email_domain"])], prior=0.1)


def _contact(n: int, *points: lm.ContactPoint) -> lm.Contact:
    return lm.Contact(id=lm.ContactId(f"c{n}"), name="Olena Koval", contact_points=points)


def _level(a: str, b: str) -> str | None:
    records = [_contact(1, lm.ContactPoint.email(a)), _contact(2, lm.ContactPoint.email(b))]
    return lm.score_pairs(records, MODEL).explain("c1", "c2").parts[0].level


def test_a_contact_s_messenger_handle_is_a_field() -> None:
    handle = lm.ContactPoint.messenger("telegram", "@olena_k")
    assert raw_value(_contact(1, handle), "messenger") == "telegram:olena_k"
    assert raw_value(_contact(2, lm.ContactPoint.email("o@acme.com")), "messenger") is None


def test_one_name_spelt_two_ways_at_a_company_is_two_mailboxes() -> None:
    for other in ("olenakoval@acme.com", "olena.kowal@acme.com", "olenakowal@acme.com"):
        assert _level("olena.koval@acme.com", other) == "namesake_mail"
    assert _level("yuliia.koval@acme.com", "julija.koval@acme.com") == "namesake_mail"


def test_a_slip_of_the_keyboard_is_still_a_typo() -> None:
    assert _level("olena.koval@acme.com", "olena.kovall@acme.com") == "damerau <= 1"  # doubled
    assert _level("olena.koval@acme.com", "olena.kobal@acme.com") == "damerau <= 1"
    assert _level("olena.koval@acme.com", "olean.koval@acme.com") == "damerau <= 1"


def test_free_mail_is_not_a_company_s_mailboxes() -> None:
    assert _level("olena.koval@gmail.com", "olena.kowal@gmail.com") == "damerau <= 1"
    assert _level("olena.koval@ukr.net", "olenakoval@ukr.net") == "damerau <= 1"
    assert _level("olena.koval@acme.com", "Olena.Koval@acme.com") == "exact"


def test_person_model_compares_the_handle() -> None:
    def contact(n: int, name: str, handle: str, email: str) -> lm.Contact:
        points = [lm.ContactPoint.messenger("telegram", handle), lm.ContactPoint.email(email)]
        return lm.Contact(id=lm.ContactId(f"c{n}"), name=name, contact_points=points)

    records = [
        contact(1, "Olena Koval", "@olena_k", "olena.koval@gmail.com"),
        contact(2, "Kowal Olna", "@olena_k", "o.koval@ukr.net"),
        contact(3, "Ivan Bondar", "@ivan_b", "ivan.bondar@gmail.com"),
        contact(4, "Iwan Bondar", "@bondar", "ivan.bondar@gmail.com"),
        contact(5, "Petro Moroz", "@petro", "petro.moroz@i.ua"),
    ]
    model = lm.fit(records, lm.PERSON_MODEL, seed=1, max_pairs=100)
    parts = {
        part.comparison: part for part in lm.score_pairs(records, model).explain("c1", "c2").parts
    }
    assert parts["messenger"].level == "exact"
    assert parts["messenger"].weight > 0
