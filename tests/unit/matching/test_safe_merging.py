"""Safe defaults for merging (issue #19): namesakes at one company, and safe groups vs review.

The outside trial (item 9): with ``DEFAULT_RULES`` namesakes with *different* mailboxes at one
corporate domain (``ivan.bondar5@globex.com``, ``ivan.bondar142@globex.com``) were grouped by
``name+company`` and ``name+domain`` alone, and merging every group merged five times the rows.
"""

from __future__ import annotations

import attrs
import pytest

import leadmodel as lm
from leadmodel import DEFAULT_RULES, KeyKind, MatchRule, Party, duplicate_report, find_duplicates
from tests import factories as f

from ._matching import contact, email, phone

GLOBEX = lm.CompanyId("co-globex")
_NAMESAKE_MAILBOXES = (
    "ivan.bondar5@globex.com",
    "ivan.bondar142@globex.com",
    "ivan.bondar@globex.com",
    "i.bondar@globex.com",
    "bondar.ivan@globex.com",
    "ivan.bondar77@globex.com",
)


def _trial_base() -> list[lm.Contact | lm.Lead]:
    """Six namesakes at Globex, each with a mailbox of their own, and three true duplicates."""
    base: list[lm.Contact | lm.Lead] = [
        contact(f"ivan-{i}", name, email(address), company_id=GLOBEX)
        for i, (name, address) in enumerate(
            zip(("Ivan Bondar", "Іван Бондар") * 3, _NAMESAKE_MAILBOXES, strict=True), 1
        )
    ]
    base.append(  # a lead of a seventh namesake: the same domain, a company name, no company id
        f.lead(
            id=lm.LeadId("lead-ivan"),
            person_name="BONDAR Ivan",
            company_name="Globex",
            contact_points=(email("ivan.b@globex.com"),),
        )
    )
    base += [
        # the same mailbox written in other case
        contact("olena-1", "Olena Koval", email("olena.koval@globex.com"), company_id=GLOBEX),
        contact("olena-2", "OLENA KOVAL", email("Olena.Koval@Globex.com")),
        # the same phone in another format, no email
        contact("taras-1", "Тарас Шевчук", phone("+380 50 123 4567"), company_id=GLOBEX),
        contact("taras-2", "Taras Shevchuk", phone("(050) 123-45-67", "UA")),
        # a typo in the name, the same email
        f.lead(
            id=lm.LeadId("lead-maria"),
            person_name="Maria Melnyk",
            company_name="Globex",
            contact_points=(email("maria.melnyk@globex.com"),),
        ),
        contact("maria-2", "Maria Melnik", email("maria.melnyk@globex.com"), company_id=GLOBEX),
    ]
    return base


def test_namesakes_with_other_mailboxes_at_one_company_are_not_grouped() -> None:
    """The trial: only the true duplicates are grouped, and every one is safe to merge."""
    report = duplicate_report(_trial_base())
    assert [group.ids for group in report.groups] == [
        ("lead-maria", "maria-2"),
        ("olena-1", "olena-2"),
        ("taras-1", "taras-2"),
    ]
    assert [group.rules[0] for group in report.groups] == ["email", "email", "phone"]
    assert all(group.safe for group in report.groups)
    assert report.safe == report.groups
    assert report.review == ()


def test_namesakes_at_one_company_are_not_grouped_in_any_order() -> None:
    base = _trial_base()
    assert find_duplicates(base) == find_duplicates(base[::-1])


@pytest.mark.parametrize(
    ("mine", "theirs"),
    [
        ("ivan.bondar5@globex.com", "ivan.bondar142@globex.com"),  # one domain
        ("ivan.bondar@globex.com", "ivan.bondar@globex.ua"),  # two domains of one company
    ],
)
def test_name_and_company_do_not_link_two_corporate_mailboxes(mine: str, theirs: str) -> None:
    a = contact("c-1", "Ivan Bondar", email(mine), company_id=GLOBEX)
    b = contact("c-2", "Іван Бондар", email(theirs), company_id=GLOBEX)
    assert find_duplicates([a, b]) == []


def test_the_same_name_at_the_company_without_an_email_is_linked_for_review() -> None:
    """What name+company is for: one of the two records has no mailbox to contradict."""
    a = contact("c-1", "Ivan Bondar", email("ivan.bondar5@globex.com"), company_id=GLOBEX)
    b = contact("c-2", "Іван Бондар", company_id=GLOBEX)
    report = duplicate_report([a, b])
    [group] = report.groups
    assert group.rules == ("name+company",)
    assert group.score == 0.85
    assert not group.safe
    assert report.review == (group,)
    assert report.safe == ()


def test_free_mail_addresses_do_not_contradict_a_name_at_one_company() -> None:
    """A personal address at gmail.com says nothing against a work one: people have both."""
    a = contact("c-1", "Ivan Bondar", email("ivan.bondar@globex.com"), company_id=GLOBEX)
    b = contact("c-2", "Іван Бондар", email("vanya1990@gmail.com"), company_id=GLOBEX)
    [group] = find_duplicates([a, b])
    assert group.rules == ("name+company",)
    assert not group.safe


def test_a_record_without_an_email_does_not_join_namesakes_with_other_mailboxes() -> None:
    """It could be either of them: it is linked to neither, not the bridge between them."""
    a = contact("c-1", "Ivan Bondar", email("ivan.bondar5@globex.com"), company_id=GLOBEX)
    b = contact("c-2", "Ivan Bondar", email("ivan.bondar142@globex.com"), company_id=GLOBEX)
    c = contact("c-3", "Іван Бондар", company_id=GLOBEX)
    d = contact("c-4", "Ivan Bondar", company_id=GLOBEX)
    [group] = find_duplicates([a, b, c, d])
    assert group.ids == ("c-3", "c-4")  # the two without an email may still be one person


def test_a_record_without_an_email_joins_namesakes_that_share_a_mailbox() -> None:
    a = contact("c-1", "Ivan Bondar", email("ivan.bondar5@globex.com"), company_id=GLOBEX)
    b = contact("c-2", "Ivan Bondar", email("IVAN.BONDAR5@globex.com"), company_id=GLOBEX)
    c = contact("c-3", "Іван Бондар", company_id=GLOBEX)
    [group] = find_duplicates([a, b, c])
    assert group.ids == ("c-1", "c-2", "c-3")
    assert not group.safe  # c-3 hangs on name+company


def test_a_group_joined_by_a_weak_link_is_for_review() -> None:
    co = lm.CompanyId("co-1")
    a = contact("c-1", "Олена Коваль", email("olena.koval@gmail.com"))
    b = contact("c-2", "Olena Koval", email("olena.koval@gmail.com"), company_id=co)
    c = contact("c-3", "Olena Kowal", company_id=co)
    d = contact("c-4", "Ivan Bondar", phone("+380501234567"))
    e = contact("c-5", "Іван Бондар", phone("050 123 45 67", "UA"))
    report = duplicate_report([a, b, c, d, e])
    assert [(group.ids, group.safe) for group in report.groups] == [
        (("c-1", "c-2", "c-3"), False),
        (("c-4", "c-5"), True),
    ]
    assert [group.ids for group in report.review] == [("c-1", "c-2", "c-3")]
    assert [group.ids for group in report.safe] == [("c-4", "c-5")]


def test_a_similar_email_is_for_review() -> None:
    a = contact("c-1", "Олена Коваль", email("olena.koval@gmail.com"))
    b = contact("c-2", "Olena Koval", email("olena.kovl@gmail.com"))
    [group] = find_duplicates([a, b])
    assert group.rules == ("name+similar email",)
    assert not group.safe


def test_the_default_rules_say_which_are_safe() -> None:
    safe = [rule.name for rule in DEFAULT_RULES if rule.safe]
    assert safe == [
        "email",
        "phone",
        "handle",
        "tax id",
        "company domain",
        "company email",
        "company phone",
    ]
    by_name = {rule.name: rule for rule in DEFAULT_RULES}
    for name in ("name+company", "name+domain"):
        assert by_name[name].unless_differ == (KeyKind.phone, KeyKind.email)


def test_a_rule_of_your_own_is_for_review_unless_marked_safe() -> None:
    rule = MatchRule(name="phone", party=Party.person, keys=(KeyKind.phone,), weight=0.9)
    assert rule.safe is False
    a = contact("c-1", "Ivan Bondar", phone("+380501234567"))
    b = contact("c-2", "Іван Бондар", phone("050 123 45 67", "UA"))
    [group] = find_duplicates([a, b], (rule,))
    assert not group.safe
    [group] = find_duplicates([a, b], (attrs.evolve(rule, safe=True),))
    assert group.safe


def test_safe_is_true_or_false() -> None:
    with pytest.raises(lm.ValidationError) as caught:
        MatchRule(
            name="phone",
            party=Party.person,
            keys=(KeyKind.phone,),
            weight=0.9,
            safe="yes",  # type: ignore[arg-type]
        )
    [problem] = caught.value.problems
    assert problem.path == "safe"
    assert problem.value == "yes"
    assert "True or False" in str(caught.value)


def test_safe_round_trips_as_a_document() -> None:
    rule = DEFAULT_RULES[0]
    assert rule.to_dict()["safe"] is True
    assert MatchRule.from_dict(rule.to_dict()) == rule
    weak = DEFAULT_RULES[3]
    assert "safe" not in weak.to_dict()
    assert MatchRule.from_dict(weak.to_dict()) == weak


def test_a_group_is_safe_or_not() -> None:
    [group] = find_duplicates(
        [
            contact("c-1", "Ivan", phone("+380501234567")),
            contact("c-2", "Ivan", phone("+380501234567")),
        ]
    )
    with pytest.raises(lm.ValidationError) as caught:
        attrs.evolve(group, safe=1)  # type: ignore[arg-type]
    [problem] = caught.value.problems
    assert (problem.path, problem.value) == ("safe", 1)
    assert "True or False" in str(caught.value)
