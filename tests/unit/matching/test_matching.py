"""Duplicate matching: the rules, find_duplicates and its guarantees, simulated data."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import (
    DEFAULT_RULES,
    KeyKind,
    MatchKey,
    MatchRule,
    OversizedBlock,
    Party,
    Similar,
    SimilarField,
    duplicate_report,
    find_duplicates,
    name_key,
)
from leadmodel.domain.matching import _names
from tests import factories as f

from ._matching import contact, email, phone

BENCHMARKS = Path(__file__).parents[3] / "benchmarks"


# --------------------------------------------------------------------------- rules


def test_the_same_email_links_a_lead_and_a_contact() -> None:
    lead = f.lead(contact_points=(email("olena@example.com"),))
    person = contact("contact-1", "Olena Koval", email("OLENA@example.com"))
    [group] = find_duplicates([lead, person])
    assert group.ids == ("contact-1", "lead-1")
    assert group.rules == ("email", "name+domain", "name+similar email")  # all that hold
    assert MatchKey(kind=KeyKind.email, value="olena@example.com") in group.matched_on
    assert group.score == 1.0


def test_the_same_phone_in_other_formats_links_cyrillic_and_latin_names() -> None:
    a = contact("c-1", "Алексей Иванов", phone("+380 50 123 4567"))
    b = contact("c-2", "Alexey Ivanov", phone("(050) 123-45-67", "UA"))
    [group] = find_duplicates([a, b])
    assert group.rules == ("phone",)
    assert group.score == 0.95


def test_a_shared_home_phone_does_not_link_family_members() -> None:
    a = contact("c-1", "Олена Коваль", phone("+380501234567"))
    b = contact("c-2", "Іван Коваль", phone("+380501234567"))
    assert find_duplicates([a, b]) == []


def test_a_name_alone_never_links_two_people() -> None:
    a = contact("c-1", "Олена Коваль", email("olena@gmail.com"))
    b = contact("c-2", "Olena Koval", email("koval.o@ukr.net"))
    assert find_duplicates([a, b]) == []


def test_a_name_and_the_same_company_link() -> None:
    co = lm.CompanyId("co-1")
    a = contact("c-1", "Олена Коваль", email("olena@gmail.com"), company_id=co)
    b = contact("c-2", "Olena Koval", email("koval.o@ukr.net"), company_id=co)
    [group] = find_duplicates([a, b])
    assert group.rules == ("name+company",)
    assert MatchKey(kind=KeyKind.company, value="id:co-1") in group.matched_on


def test_a_name_and_a_similar_email_link() -> None:
    a = contact("c-1", "Олена Коваль", email("olena.koval@gmail.com"))
    b = contact("c-2", "Olena Koval", email("olena.kovl@gmail.com"))
    [group] = find_duplicates([a, b])
    assert group.rules == ("name+similar email",)
    assert group.score == 0.8


def test_addresses_with_other_digits_are_other_mailboxes() -> None:
    a = contact("c-1", "Олена Коваль", email("olena.koval@gmail.com"))
    b = contact("c-2", "Olena Koval", email("olena.koval85@gmail.com"))
    c = contact("c-3", "Olena Koval", email("olena.koval86@gmail.com"))
    assert find_duplicates([a, b, c]) == []


def test_a_similar_email_is_one_typo_away_not_another_spelling() -> None:
    """Two namesakes' own spellings of one name differ more than a typo does."""
    a = contact("c-1", "Наталія Кузьменко", email("natalja.kuzmenko@ukr.net"))
    b = contact("c-2", "Nataliya Kuzmenko", email("nataliya.kuzmenko@ukr.net"))
    assert find_duplicates([a, b]) == []


_HANDLES = (
    (lm.ContactPoint.messenger("telegram", "olena_1"),),
    (lm.ContactPoint.messenger("telegram", "olena_2"),),
)
_CONTRADICTIONS = {  # what one record has, what the other has: neither shares it
    "companies": ((), (), lm.CompanyId("co-1"), lm.CompanyId("co-2")),
    "handles": (*_HANDLES, None, None),
    "phones": ((phone("+380501234567"),), (phone("+380671112233"),), None, None),
}


@pytest.mark.parametrize("differ", list(_CONTRADICTIONS))
def test_other_contact_data_contradicts_a_similar_email(differ: str) -> None:
    mine, theirs, my_company, their_company = _CONTRADICTIONS[differ]
    a = contact("c-1", "Олена Коваль", email("olena.koval@gmail.com"), *mine, company_id=my_company)
    b = contact("c-2", "Olena Koval", email("olena.kovl@gmail.com"), *theirs)
    b = attrs.evolve(b, company_id=their_company)
    assert find_duplicates([a, b]) == []


def _namesakes(count: int) -> list[lm.Contact]:
    """``count`` people called Olena Koval, each with an address of her own."""
    domains = ("gmail.com", "ukr.net", "i.ua")
    return [
        contact(f"n-{i:02d}", "Olena Koval", email(f"koval.{chr(97 + i)}@{domains[i % 3]}"))
        for i in range(count)
    ]


def test_a_common_name_links_only_the_same_address() -> None:
    """More than 10 records with one name: a typo-like address is not enough, the same is."""
    typo = [
        contact("c-1", "Олена Коваль", email("olena.koval@gmail.com")),
        contact("c-2", "Olena Koval", email("olena.kovl@gmail.com")),
    ]
    same = [
        contact("c-3", "Olena Koval", email("olena.koval@ukr.net")),
        contact("c-4", "KOVAL Olena", email("olenakoval@ukr.net")),  # dots do not count
    ]
    rare = find_duplicates([*typo, *same])
    assert [group.ids for group in rare] == [("c-1", "c-2"), ("c-3", "c-4")]
    report = duplicate_report([*_namesakes(9), *typo, *same])
    assert [group.ids for group in report.groups] == [("c-3", "c-4")]
    [block] = report.oversized
    assert block.rule == "name+similar email"
    assert block.keys == (MatchKey(kind=KeyKind.name, value=name_key("Olena Koval")),)
    assert block.size == 13
    assert block.compared == 1  # only the two with one address were compared


def test_a_rule_can_have_its_own_max_block() -> None:
    rule = MatchRule(
        name="phone", party=Party.person, keys=(KeyKind.phone,), weight=0.9, max_block=2
    )
    people = [contact(f"c-{i}", "Olena Koval", phone("+380501234567")) for i in range(3)]
    report = duplicate_report(people, (rule,))
    assert [block.size for block in report.oversized] == [3]
    with pytest.raises(lm.ValidationError, match="max_block"):
        MatchRule(name="x", party=Party.person, keys=(KeyKind.phone,), weight=1.0, max_block=1)


@given(st.text("ab1 2.", max_size=8), st.text("ab1 2.", max_size=8), st.floats(0, 1))
def test_similar_local_parts_have_the_same_digits(a: str, b: str, at_least: float) -> None:
    """Why linking may compare only addresses with the same digits: no other pair passes."""
    if _names.local_parts_similar(a, b, at_least):
        assert _names.digits(a) == _names.digits(b)


def test_an_anonymous_interest_joins_the_lead_with_its_handle() -> None:
    handle = lm.ContactPoint.social("instagram", "olena.k")
    interest = f.interest(contact_points=(handle,))
    lead = f.lead(contact_points=(lm.ContactPoint.social("instagram", "@Olena.K"),))
    [group] = find_duplicates([lead, interest])
    assert group.ids == ("int-1", "lead-1")
    assert group.rules == ("handle",)


def test_people_and_companies_never_share_a_group() -> None:
    company = lm.Company(
        id=lm.CompanyId("co-1"), name="Mebli", contact_points=(phone("+380441234567"),)
    )
    person = contact("c-1", "Olena Koval", phone("+380441234567"))
    assert find_duplicates([company, person]) == []


def test_companies_with_one_tax_id_are_duplicates() -> None:
    a = lm.Company(id=lm.CompanyId("co-1"), name="Mebli Plus LLC", tax_id="41234567")
    b = lm.Company(id=lm.CompanyId("co-2"), name="ТОВ Меблі", tax_id="4123 4567")
    [group] = find_duplicates([a, b])
    assert group.rules == ("tax id",)
    assert group.score == 1.0


def test_a_group_scores_its_weakest_needed_link() -> None:
    co = lm.CompanyId("co-1")
    a = contact("c-1", "Олена Коваль", email("olena.koval@gmail.com"))
    b = contact("c-2", "Olena Koval", email("olena.koval@gmail.com"), company_id=co)
    c = contact("c-3", "Olena Kowal", company_id=co)
    [group] = find_duplicates([a, b, c])
    assert group.ids == ("c-1", "c-2", "c-3")
    assert group.rules == ("email", "name+company", "name+similar email")
    assert group.score == 0.85  # c-3 hangs on name+company


_FIRST = ("Олена", "Іван", "Тарас", "Марія", "Богдан", "Юлія", "Роман", "Дарина", "Степан", "Ліна")
_LAST = ("Коваль", "Шевчук", "Бондар", "Мельник", "Гончар", "Ткачук")


def test_an_oversized_block_is_reported_and_only_neighbours_are_compared() -> None:
    switchboard = phone("+380441234567")
    people = [
        contact(f"c-{i:02d}", f"{_FIRST[i % 10]} {_LAST[i // 10]}", switchboard) for i in range(60)
    ]
    people.append(contact("c-60", "Ivan Koval", switchboard))  # c-01 again, in Latin
    report = duplicate_report(people, max_block=50, window=3)
    [group] = report.groups
    assert group.ids == ("c-01", "c-60")
    assert report.oversized == (
        OversizedBlock(
            rule="phone",
            keys=(MatchKey(kind=KeyKind.phone, value="+380441234567"),),
            size=61,
            compared=61 * 3 - 6,  # the last three have fewer neighbours
        ),
    )


def test_records_given_twice_and_customers_are_refused_all_at_once() -> None:
    customer = lm.Customer(
        id=lm.CustomerId("cust-1"),
        kind=lm.CustomerKind.company,
        since=f.AT,
        origin=lm.CustomerOrigin.from_order,
        company_id=lm.CompanyId("co-1"),
    )
    with pytest.raises(lm.ValidationError) as caught:
        find_duplicates([f.lead(), f.lead(), customer])  # type: ignore[list-item]
    assert [p.path for p in caught.value.problems] == ["records[1].id", "records[2]"]
    assert "given twice" in str(caught.value)


def test_rules_are_validated_as_data() -> None:
    with pytest.raises(lm.ValidationError, match="weight"):
        MatchRule(name="x", party=Party.person, keys=(KeyKind.email,), weight=2.0)
    with pytest.raises(lm.ValidationError, match="keys"):
        MatchRule(name="x", party=Party.person, keys=(), weight=1.0)
    with pytest.raises(lm.ValidationError, match="at_least"):
        Similar(field=SimilarField.name, at_least=1.5)


def test_custom_rules_replace_the_defaults() -> None:
    only_phones = (MatchRule(name="phone", party=Party.person, keys=(KeyKind.phone,), weight=0.7),)
    a = contact("c-1", "Олена Коваль", phone("+380501234567"), email("o@example.com"))
    b = contact("c-2", "Іван Коваль", phone("+380501234567"), email("o@example.com"))
    [group] = find_duplicates([a, b], only_phones)
    assert group.rules == ("phone",)
    assert group.score == 0.7


# --------------------------------------------------------------------------- invariants

_NAMES = ("Олена Коваль", "Olena Koval", "Іван Коваль", "Alexey Ivanov", "Алексей Иванов")
_POINTS = (
    email("olena@example.com"),
    email("olena.kovl@example.com"),
    email("ivan@gmail.com"),
    phone("+380501234567"),
    phone("050 123 4567", "UA"),
    phone("+380671112233"),
    lm.ContactPoint.messenger("telegram", "olena_k"),
)


@st.composite
def _contacts(draw: st.DrawFn) -> list[lm.Contact]:
    """A few contacts drawn from a small pool of names and points, so that many collide."""
    size = draw(st.integers(0, 12))
    company = st.none() | st.sampled_from((lm.CompanyId("co-1"), lm.CompanyId("co-2")))
    return [
        contact(
            f"c-{i}",
            draw(st.sampled_from(_NAMES)),
            *draw(st.lists(st.sampled_from(_POINTS), max_size=3, unique=True)),
            company_id=draw(company),
        )
        for i in range(size)
    ]


@given(_contacts(), st.randoms())
def test_find_duplicates_does_not_depend_on_input_order(
    records: list[lm.Contact], rnd: random.Random
) -> None:
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert find_duplicates(shuffled) == find_duplicates(records)
    assert duplicate_report(shuffled, max_block=2, window=1) == duplicate_report(
        records, max_block=2, window=1
    )
    tiny = tuple(attrs.evolve(rule, max_block=2) for rule in DEFAULT_RULES)  # all oversized
    assert duplicate_report(shuffled, tiny, window=1) == duplicate_report(records, tiny, window=1)


@given(_contacts())
def test_each_record_is_in_one_group_at_most_and_groups_are_sorted(
    records: list[lm.Contact],
) -> None:
    groups = find_duplicates(records)
    ids = [i for group in groups for i in group.ids]
    assert len(ids) == len(set(ids))
    assert all(list(group.ids) == sorted(group.ids) and len(group.ids) > 1 for group in groups)
    assert [group.ids[0] for group in groups] == sorted(group.ids[0] for group in groups)


# --------------------------------------------------------------------------- the simulated data


def _dataset_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "_dataset_matching", BENCHMARKS / "_dataset_matching.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_precision_and_recall_on_planted_duplicates() -> None:
    """2,000 simulated contacts with planted duplicates: precision ≥ 0.98, recall ≥ 0.95."""
    data = _dataset_module()
    dataset = data.make_dataset(2000, seed=7)
    groups = find_duplicates(dataset.records)
    precision, recall = data.pair_scores([group.ids for group in groups], dataset)
    print(f"precision {precision:.4f}, recall {recall:.4f} ({dataset.true_pairs} true pairs)")
    assert precision >= 0.98
    assert recall >= 0.95


def test_the_work_grows_linearly_with_the_records() -> None:
    data = _dataset_module()
    small = duplicate_report(data.make_dataset(1000, seed=3).records)
    large = duplicate_report(data.make_dataset(4000, seed=3).records)
    rules = len(DEFAULT_RULES)
    assert large.comparisons <= 4000 * rules * 25  # n × rules × max_block / 2 at most
    assert large.comparisons <= 6 * max(small.comparisons, 1)


def test_the_simulated_people_share_no_address_unless_planted() -> None:
    """Distinct people never share a mailbox or a handle; relatives have other first names."""
    data = _dataset_module()
    dataset = data.make_dataset(3000, seed=11)
    owners: dict[str, set[int]] = {}
    for record in dataset.records:
        for point in record.contact_points:
            if point.kind is not lm.ContactKind.phone:
                key = data.mailbox(point.key) if point.kind is lm.ContactKind.email else point.key
                owners.setdefault(key, set()).add(dataset.truth[record.id])
    shared = {key: who for key, who in owners.items() if len(who) > 1}
    assert all(key.partition("@")[0] in lm.ROLE_MAILBOXES for key in shared)  # info@...
