"""find_matches on every adapter: a known person is found through the store's key index
(another case, another phone format, a typo in the name), a namesake at the same company is
not, the record never matches itself, the answer is sorted and capped, and nothing is read
but the keys' lookups."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, cast

import pytest

import leadmodel as lm
from leadmodel.errors import ValidationError
from leadmodel.storage import UnitOfWork

from ._services import AT, SOURCE, MakeUnit, add, contact, interest, lead, snapshot

FIRST = ("Olena", "Ivan", "Petro", "Anna", "Maria", "Taras", "Iryna", "Oleh", "Yulia", "Roman")
LAST = (
    "Koval", "Bondar", "Shevchenko", "Tkachenko", "Melnyk", "Kravets", "Lysenko", "Moroz",
    "Savchenko", "Rudenko", "Marchenko", "Polishchuk", "Hnatyuk", "Zinchenko",
)  # fmt: skip
FREE_MAIL = ("gmail.com", "ukr.net", "i.ua")

OLENA_MAIL = lm.ContactPoint.email("olena.koval@mebli.ua")
OLENA_PHONE = lm.ContactPoint.phone("+380501234567")
PHONE_IVAN = lm.ContactPoint.phone("+380671112233")
OLENA = contact(1, company_id=lm.CompanyId("mebli"), contact_points=(OLENA_MAIL, OLENA_PHONE))


def _swapped(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def simulated_base(people: int, seed: int = 5) -> list[lm.Contact]:
    """``people`` contacts, 30 % entered twice (a typo in the surname, or the words swapped,
    some contact points dropped); half at a company with its own mail domain."""
    rng = random.Random(seed)
    records = []
    for k in range(people):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f"firm{rng.randrange(people // 8)}" if rng.random() < 0.5 else None
        domain = f"{company}.com.ua" if company else rng.choice(FREE_MAIL)
        points = [lm.ContactPoint.email(f"{first[0].lower()}.{last.lower()}{k}@{domain}")]
        if rng.random() < 0.7:
            points.append(lm.ContactPoint.phone(f"+38067{k:07d}"))
        fields: dict[str, Any] = {"name": f"{first} {last}", "company_id": company}
        records.append(lm.Contact(id=lm.ContactId(f"b-{k}"), contact_points=points, **fields))
        if rng.random() < 0.3:
            fields["name"] = (
                f"{first} {_swapped(last, rng)}" if rng.random() < 0.5 else f"{last} {first}"
            )
            kept = [p for p in points if rng.random() < 0.7] or points[:1]
            records.append(lm.Contact(id=lm.ContactId(f"b-{k}-2"), contact_points=kept, **fields))
    return records


@pytest.fixture(scope="module")
def model() -> lm.MatchModel:
    """lm.PERSON_MODEL trained on a small simulated base (a few seconds)."""
    return lm.fit(simulated_base(600), lm.PERSON_MODEL, seed=1, max_pairs=20_000)


class _Counted:
    """A repository that records each call (kind, method, keyword arguments) and passes it on."""

    def __init__(self, inner: object, kind: str, calls: list[tuple[str, str, dict[str, Any]]]):
        self._inner, self._kind, self._calls = inner, kind, calls

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._inner, name)

        def called(*args: Any, **kwargs: Any) -> Any:
            self._calls.append((self._kind, name, {"args": args, **kwargs}))
            return method(*args, **kwargs)

        return called


class _Watched:
    """A unit of work whose repositories record every call made to them."""

    def __init__(self, inner: UnitOfWork) -> None:
        self._inner = inner
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        if name in ("interests", "leads", "contacts", "companies", "customers"):
            return _Counted(getattr(self._inner, name), name, self.calls)
        return getattr(self._inner, name)

    def __enter__(self) -> _Watched:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.__exit__(*exc)  # type: ignore[arg-type]


def _found(record: Any, uow: UnitOfWork, model: lm.MatchModel, **given: Any) -> list[Any]:
    return [(m.kind, m.id) for m in lm.services.find_matches(record, uow, model=model, **given)]


def test_a_stored_contact_with_the_same_email_in_another_case_is_found(
    make_uow: MakeUnit, model: lm.MatchModel
) -> None:
    add(make_uow(), OLENA, contact(2, name="Ivan Bondar", contact_points=(PHONE_IVAN,)))
    asked = contact(9, contact_points=(lm.ContactPoint.email("OLENA.Koval@Mebli.UA"),))
    [match] = lm.services.find_matches(asked, make_uow(), model=model)
    assert (match.kind, match.id) == ("contacts", "contact-1")
    assert match.probability >= model.threshold


def test_a_lead_with_the_same_phone_in_another_format_is_found(
    make_uow: MakeUnit, model: lm.MatchModel
) -> None:
    stored = lead(1, person_name="Ivan Bondarenko", contact_points=(PHONE_IVAN,))
    add(make_uow(), stored, OLENA)
    asked = interest(
        1,
        person_name="Ivan Bondarenko",
        contact_points=(lm.ContactPoint.phone("(067) 111-22-33", region="UA"),),
    )
    assert _found(asked, make_uow(), model) == [("leads", "lead-1")]


def test_a_typo_in_the_name_with_the_same_phone_scores_high(
    make_uow: MakeUnit, model: lm.MatchModel
) -> None:
    add(make_uow(), contact(2, name="Ivan Bondarenko", contact_points=(PHONE_IVAN,)))
    asked = contact(9, name="Ivan Bondarneko", contact_points=(PHONE_IVAN,))
    [match] = lm.services.find_matches(asked, make_uow(), model=model)
    assert match.id == "contact-2"
    assert match.probability > 0.95
    assert {part.comparison: part.level for part in match.explanation.parts}["phone"] == "exact"


def test_a_namesake_with_another_mailbox_at_the_same_company_scores_low(
    make_uow: MakeUnit, model: lm.MatchModel
) -> None:
    add(make_uow(), OLENA)
    namesake = contact(
        9,
        company_id=lm.CompanyId("mebli"),
        contact_points=(lm.ContactPoint.email("o.koval@mebli.ua"),),
    )
    assert lm.services.find_matches(namesake, make_uow(), model=model) == []
    [scored] = lm.services.find_matches(namesake, make_uow(), model=model, threshold=0.0)
    assert scored.id == "contact-1"
    assert scored.probability < 0.01
    email = next(part for part in scored.explanation.parts if part.comparison == "email")
    assert email.level == "same_company_mail"
    assert email.weight < 0


def test_the_record_itself_is_not_returned(make_uow: MakeUnit, model: lm.MatchModel) -> None:
    twin = contact(2, company_id=lm.CompanyId("mebli"), contact_points=(OLENA_PHONE,))
    add(make_uow(), OLENA, twin)
    found = _found(OLENA, make_uow(), model, threshold=0.0)
    assert ("contacts", "contact-1") not in found
    assert found == [("contacts", "contact-2")]


def test_matches_are_sorted_most_likely_first_and_cut_at_limit(
    make_uow: MakeUnit, model: lm.MatchModel
) -> None:
    add(
        make_uow(),
        OLENA,
        contact(2, contact_points=(OLENA_PHONE,)),
        contact(3, name="Olena Kovalenko", contact_points=(OLENA_PHONE,)),
        contact(4, name="Ivan Bondar", contact_points=(OLENA_PHONE,)),
        lead(1, contact_points=(OLENA_MAIL,)),
    )
    asked = interest(1, person_name="Olena Koval", contact_points=(OLENA_MAIL, OLENA_PHONE))
    found = lm.services.find_matches(asked, make_uow(), model=model, threshold=0.0)
    assert len(found) == 5
    assert [m.probability for m in found] == sorted((m.probability for m in found), reverse=True)
    assert found[-1].id == "contact-4"
    assert {m.kind for m in found} == {"leads", "contacts"}
    top = lm.services.find_matches(asked, make_uow(), model=model, threshold=0.0, limit=2)
    assert top == found[:2]
    for match in found:
        assert match.explanation.ids == (asked.id, match.id)
        assert match.explanation.probability == pytest.approx(match.probability)


def test_candidates_come_only_from_key_lookups(make_uow: MakeUnit, model: lm.MatchModel) -> None:
    add(make_uow(), OLENA, *(contact(n, name=f"Person {n}", contact_points=()) for n in (2, 3)))
    watched = _Watched(make_uow())
    asked = contact(9, contact_points=(OLENA_MAIL,))
    lm.services.find_matches(asked, cast(UnitOfWork, watched), model=model, per_key=7)
    keys = sorted(str(key) for key in lm.match_keys(asked))
    assert watched.calls == [
        (kind, "find", {"args": (), "key": key, "limit": 7})
        for kind in ("leads", "contacts")
        for key in keys
    ]


def test_a_key_shared_by_more_than_per_key_records_is_capped(
    make_uow: MakeUnit, model: lm.MatchModel
) -> None:
    switchboard = lm.ContactPoint.phone("+380441234567")
    add(
        make_uow(),
        *(contact(n, name=f"Olena Koval{n}", contact_points=(switchboard,)) for n in range(1, 6)),
    )
    asked = contact(9, name="Ivan Bondar", contact_points=(switchboard,))
    found = _found(asked, make_uow(), model, threshold=0.0, per_key=2, kinds=("contacts",))
    assert sorted(found) == [("contacts", "contact-1"), ("contacts", "contact-2")]


def test_a_record_without_keys_reads_nothing(make_uow: MakeUnit, model: lm.MatchModel) -> None:
    add(make_uow(), OLENA)
    watched = _Watched(make_uow())
    bare = lm.Interest(id=lm.InterestId("int-9"), occurred_at=AT, source=SOURCE, topic="chairs")
    assert lm.services.find_matches(bare, cast(UnitOfWork, watched), model=model) == []
    assert watched.calls == []


def test_kinds_choose_the_repositories(make_uow: MakeUnit, model: lm.MatchModel) -> None:
    add(make_uow(), interest(1, person_name="Olena Koval", contact_points=(OLENA_MAIL,)), OLENA)
    asked = contact(9, contact_points=(OLENA_MAIL,))
    assert _found(asked, make_uow(), model, kinds=("interests",)) == [("interests", "int-1")]
    assert _found(asked, make_uow(), model, kinds=["leads"]) == []


def test_it_reads_and_changes_nothing(make_uow: MakeUnit, model: lm.MatchModel) -> None:
    add(make_uow(), OLENA, lead(1, contact_points=(OLENA_PHONE,)))
    before = snapshot(make_uow())
    uow = make_uow()
    assert _found(contact(9, contact_points=(OLENA_MAIL,)), uow, model)
    assert snapshot(make_uow()) == before
    with uow:  # the unit was closed: a new one opens
        assert uow.events == ()


def test_bad_arguments_are_one_validation_error_naming_each(
    make_uow: MakeUnit, model: lm.MatchModel
) -> None:
    company = lm.Company(id=lm.CompanyId("co-1"), name="Mebli")
    bad: dict[str, Any] = {"kinds": "contacts", "threshold": 1.5, "per_key": 0, "limit": True}
    with pytest.raises(ValidationError) as caught:
        lm.services.find_matches(company, make_uow(), model=lm.PERSON_MODEL, **bad)  # type: ignore[arg-type]
    paths = [problem.path for problem in caught.value.problems]
    assert paths == ["record", "model", "kinds", "threshold", "per_key", "limit"]
    said = str(caught.value)
    assert "services.find_matches.model: the model has no weights yet" in said
    assert "kinds=('contacts',)" in said


@pytest.mark.parametrize(
    ("given", "path"),
    [
        ({"model": "PERSON_MODEL"}, "model"),
        ({"kinds": ()}, "kinds"),
        ({"kinds": ("contacts", "contacts")}, "kinds"),
        ({"kinds": ("customers",)}, "kinds"),
        ({"threshold": float("nan")}, "threshold"),
        ({"threshold": True}, "threshold"),
        ({"per_key": 10_001}, "per_key"),
        ({"limit": 2.0}, "limit"),
    ],
)
def test_each_bad_argument_is_named(
    make_uow: MakeUnit, model: lm.MatchModel, given: dict[str, Any], path: str
) -> None:
    arguments: dict[str, Any] = {"model": model, **given}
    with pytest.raises(ValidationError) as caught:
        lm.services.find_matches(OLENA, make_uow(), **arguments)
    assert [problem.path for problem in caught.value.problems] == [path]
