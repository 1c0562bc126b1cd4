"""Duplicate matching: match keys, matching rules as data, and duplicate groups.

:func:`match_keys` says what identifies a record: its normalised email addresses, phones (E.164)
and messenger or social handles (each :attr:`ContactPoint.key`), its company's web domain, a
company's tax id, a fuzzy person-name key that is the same in Cyrillic and Latin spellings, and
the company a person works for. :func:`find_duplicates` groups the records that share keys, as
the rules in :data:`DEFAULT_RULES` (or your own) say, in time linear in the number of records.

>>> from datetime import datetime, timezone
>>> from leadmodel import Channel, Contact, ContactId, ContactPoint, Lead, LeadId, Source
>>> lead = Lead(
...     id=LeadId("lead-1"),
...     person_name="Олена Коваль",
...     contact_points=(ContactPoint.phone("+380 50 123 4567"),),
...     topic="Офісні меблі",
...     source=Source(channel=Channel.form),
...     created_at=datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc),
... )
>>> contact = Contact(
...     id=ContactId("contact-7"),
...     name="Olena Koval",
...     contact_points=(ContactPoint.phone("050-123-45-67", region="UA"),),
... )
>>> sorted(str(key) for key in match_keys(lead))
['name:koval olena', 'phone:+380501234567']
>>> [group] = find_duplicates([contact, lead])
>>> group.ids, group.rules, group.score, group.safe
(('contact-7', 'lead-1'), ('phone',), 0.95, True)

:func:`duplicate_report` also says which groups are safe to merge as they are (linked by one
mailbox, phone, handle or tax id) and which are for review (linked by a name with a company
or a domain, or by look-alike addresses): :attr:`DuplicateReport.safe`,
:attr:`DuplicateReport.review`.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.matching._columns import SEP
from leadmodel.domain.matching._linking import OVERSIZED_SIMILARITY, Linked, link
from leadmodel.domain.matching.keys import (
    FREE_MAIL_DOMAINS,
    RECORD_TYPES,
    ROLE_MAILBOXES,
    KeyKind,
    MatchKey,
    Party,
    Record,
    check_record,
    collect,
    is_free_mail,
    match_keys,
    name_key,
)
from leadmodel.domain.matching.rules import (
    DEFAULT_RULES,
    MatchRule,
    Similar,
    SimilarField,
)
from leadmodel.errors import Problem, ValidationError

__all__ = [
    "DEFAULT_RULES",
    "FREE_MAIL_DOMAINS",
    "OVERSIZED_SIMILARITY",
    "ROLE_MAILBOXES",
    "DuplicateGroup",
    "DuplicateReport",
    "KeyKind",
    "MatchKey",
    "MatchRule",
    "OversizedBlock",
    "Party",
    "Record",
    "Similar",
    "SimilarField",
    "duplicate_report",
    "find_duplicates",
    "is_free_mail",
    "match_keys",
    "name_key",
]


_ID = attrgetter("id")
_KINDS = {str(kind): kind for kind in KeyKind}


@attrs.frozen(kw_only=True)
class DuplicateGroup:
    """Records that stand for one person or company, with what matched and how strongly.

    ``members`` are sorted by id; ``matched_on`` lists the keys the linking rules shared
    (sorted); ``rules`` the names of the rules that linked members; ``score`` (0-1) is the
    weight of the weakest link needed to hold the group together. ``safe``: every link that
    joined the group came from a safe rule (:attr:`MatchRule.safe`: the same mailbox, phone,
    handle, tax id), so it may be merged as it is; False: at least one member hangs on
    weaker evidence (a name with a company or a domain, a look-alike address), and a person
    should look at the group before merging it.

    >>> import leadmodel as lm
    >>> names = ["Ivan Bondar", "Іван Бондар"]
    >>> at_work = [lm.Contact(id=lm.ContactId(f"contact-{i}"), name=name,
    ...     company_id=lm.CompanyId("co-1")) for i, name in enumerate(names)]
    >>> [group] = lm.find_duplicates(at_work)
    >>> group.rules, group.score, group.safe
    (('name+company',), 0.85, False)
    """

    members: tuple[Record, ...]
    matched_on: tuple[MatchKey, ...]
    rules: tuple[str, ...]
    score: float
    safe: bool = False

    def __attrs_post_init__(self) -> None:
        if type(self.safe) is not bool:
            msg = "safe is True or False: True when only safe rules linked the group"
            raise ValidationError([Problem("safe", msg, self.safe)], model="DuplicateGroup")

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids of the members, in order.

        >>> import leadmodel as lm
        >>> phone = lm.ContactPoint.phone("+380501234567")
        >>> same = [lm.Contact(id=lm.ContactId(f"contact-{i}"), name="Olena Koval",
        ...     contact_points=(phone,)) for i in (2, 1)]
        >>> lm.find_duplicates(same)[0].ids
        ('contact-1', 'contact-2')
        """
        return tuple(str(member.id) for member in self.members)


@attrs.frozen(kw_only=True)
class OversizedBlock:
    """A key shared by more records than ``max_block``: only ``compared`` pairs were scored.

    Such a key (a call-centre phone, a common name) says little on its own. Under a rule
    with an email check, only records sharing an address were compared; otherwise the
    records were sorted by name (or email) and each compared with its next neighbours only.
    """

    rule: str
    keys: tuple[MatchKey, ...]
    size: int
    compared: int


@attrs.frozen(kw_only=True)
class DuplicateReport:
    """What :func:`duplicate_report` found: the groups, the oversized blocks, the work done.

    :attr:`safe` and :attr:`review` split the groups: merge the first as they are, look at
    the second before merging (see :attr:`DuplicateGroup.safe`).
    """

    groups: tuple[DuplicateGroup, ...]
    oversized: tuple[OversizedBlock, ...]
    records: int
    comparisons: int

    @property
    def safe(self) -> tuple[DuplicateGroup, ...]:
        """The groups safe to merge as they are: linked by safe rules only (in order).

        >>> import leadmodel as lm
        >>> mail = lm.ContactPoint.email("olena.koval@mebli.ua")
        >>> same = [lm.Contact(id=lm.ContactId(f"contact-{i}"), name=name,
        ...     contact_points=(mail,)) for i, name in enumerate(["Olena Koval", "Олена"])]
        >>> [group.ids for group in lm.duplicate_report(same).safe]
        [('contact-0', 'contact-1')]
        """
        return tuple(group for group in self.groups if group.safe)

    @property
    def review(self) -> tuple[DuplicateGroup, ...]:
        """The groups to look at before merging: a weak rule linked a member (in order).

        >>> import leadmodel as lm
        >>> at_work = [lm.Contact(id=lm.ContactId(f"contact-{i}"), name="Ivan Bondar",
        ...     company_id=lm.CompanyId("co-1")) for i in range(2)]
        >>> report = lm.duplicate_report(at_work)
        >>> [(group.ids, group.rules) for group in report.review], report.safe
        ([(('contact-0', 'contact-1'), ('name+company',))], ())
        """
        return tuple(group for group in self.groups if not group.safe)


def _pairs(rule: MatchRule, block_key: str) -> zip[tuple[KeyKind, str]]:
    """(kind, value) of each key in a block key."""
    return zip(rule.keys, block_key.split(SEP), strict=True)


def _keys(rule: MatchRule, block_key: str) -> tuple[MatchKey, ...]:
    return tuple(MatchKey(kind=kind, value=value) for kind, value in _pairs(rule, block_key))


def _check_arguments(
    items: list[object], rules: object, max_block: object, window: object
) -> list[Problem]:
    p: c.Problems = []
    if not _plainly_valid(items):
        _check_records(p, items)
    c.tuple_of(p, "rules", rules, MatchRule)
    for name, value, least in (("max_block", max_block, 2), ("window", window, 1)):
        if type(value) is not int or value < least:
            p.append(Problem(name, f"{name} is an int of at least {least}", value))
    return p


def _plainly_valid(items: list[object]) -> bool:
    """Whether every item is a record, with ids all different: two passes in C."""
    return set(map(type, items)).issubset(RECORD_TYPES) and len(
        set(map(_ID, items))  # records: checked just before
    ) == len(items)


def _check_records(p: c.Problems, items: list[object]) -> None:
    """Every record that cannot be matched, and every one given twice, as problems."""
    seen: dict[str, type] = {}  # id -> type: one lookup per record, no tuple
    seen_more: set[tuple[type, str]] = set()  # records of other types with an id seen before
    for i, record in enumerate(items):
        if check_record(p, i, record):
            rid, kind = record.id, type(record)  # type: ignore[attr-defined]
            first = seen.get(rid)
            if first is None:
                seen[rid] = kind
            elif first is kind or (kind, rid) in seen_more:
                msg = "this record is given twice; pass each record once"
                p.append(Problem(f"records[{i}].id", msg, rid))
            else:
                seen_more.add((kind, rid))


def duplicate_report(
    records: Iterable[Record],
    rules: tuple[MatchRule, ...] = DEFAULT_RULES,
    *,
    max_block: int = 50,
    window: int = 10,
) -> DuplicateReport:
    """:func:`find_duplicates`, with the oversized blocks and the number of comparisons.

    ``max_block``: blocks with more records are oversized (see :class:`OversizedBlock`),
    unless a rule sets its own; ``window``: how many neighbours each record of an oversized
    block is compared with.
    Raises :class:`ValidationError` listing every bad record (a Customer, a record given
    twice) and argument.

    >>> import leadmodel as lm
    >>> office = lm.ContactPoint.phone("+380442345678", label="офіс")
    >>> staff = [lm.Contact(id=lm.ContactId(f"contact-{i}"), name=name, contact_points=(office,))
    ...     for i, name in enumerate(["Олена Коваль", "Андрій Мельник", "Ірина Шевченко"], 1)]
    >>> report = lm.duplicate_report(staff, max_block=2)
    >>> report.records, report.comparisons, report.groups
    (3, 3, ())
    >>> [(block.rule, str(block.keys[0]), block.size) for block in report.oversized]
    [('phone', 'phone:+380442345678', 3)]
    """
    items: list[object] = list(records)
    if p := _check_arguments(items, rules, max_block, window):
        raise ValidationError(p, model="find_duplicates")
    checked: list[Record] = items  # type: ignore[assignment] # checked above
    linked = link(collect(checked), rules, max_block=max_block, window=window)
    groups = _groups(checked, rules, linked)
    oversized = sorted(
        (
            OversizedBlock(
                rule=rules[rule].name, keys=_keys(rules[rule], keys), size=size, compared=compared
            )
            for rule, keys, size, compared in linked.oversized
        ),
        key=lambda block: (block.rule, block.keys),
    )
    return DuplicateReport(
        groups=tuple(groups),
        oversized=tuple(oversized),
        records=len(checked),
        comparisons=linked.comparisons,
    )


def _groups(
    records: list[Record], rules: tuple[MatchRule, ...], linked: Linked
) -> list[DuplicateGroup]:
    """The public groups, sorted; one MatchKey per key and one tuple per set of rule names."""
    groups = []
    firsts = []  # how each group sorts: its first member's id and type
    made: dict[str, MatchKey] = {}  # "kind SEP value" (a string: nothing to track) -> key
    named: dict[str, tuple[str, ...]] = {}
    kinds = [tuple(str(kind) for kind in rule.keys) for rule in rules]
    for members, evidence, score, safe in linked.groups():
        matched = set()
        names = set()
        for rule, keys in evidence:
            names.add(rules[rule].name)
            rule_kinds = kinds[rule]
            if len(rule_kinds) == 1:
                matched.add(f"{rule_kinds[0]}{SEP}{keys}")
            else:
                matched.update(map(f"{{}}{SEP}{{}}".format, rule_kinds, keys.split(SEP)))
        joined = SEP.join(sorted(names))
        if (shared := named.get(joined)) is None:
            shared = named[joined] = tuple(sorted(names))
        found = sorted((records[i] for i in members), key=_order)
        firsts.append(_order(found[0]))
        groups.append(
            DuplicateGroup(
                members=tuple(found),
                matched_on=tuple(made.get(key) or _key(made, key) for key in sorted(matched)),
                rules=shared,
                score=score,
                safe=safe,
            )
        )
    return [groups[g] for g in sorted(range(len(groups)), key=firsts.__getitem__)]


def _order(record: Record) -> tuple[str, str]:
    return str(record.id), type(record).__name__


def _key(made: dict[str, MatchKey], joined: str) -> MatchKey:
    kind, value = joined.split(SEP)
    key = made[joined] = MatchKey(kind=_KINDS[kind], value=value)
    return key


def find_duplicates(
    records: Iterable[Record],
    rules: tuple[MatchRule, ...] = DEFAULT_RULES,
    *,
    max_block: int = 50,
    window: int = 10,
) -> list[DuplicateGroup]:
    """Group the records that stand for the same person or company, as ``rules`` say.

    Records sharing a key are linked when a rule says so (see :data:`DEFAULT_RULES`);
    groups are the connected sets of linked records. Merge the groups whose
    :attr:`~DuplicateGroup.safe` is True as they are; look at the others first. The result
    does not depend on the order of ``records``: members are sorted by id, groups by their
    first member's id.
    Work grows linearly with the number of records (see :func:`duplicate_report` for
    ``max_block`` and ``window``, and for the keys too common to link on their own).

    Raises :class:`ValidationError` for records that cannot be matched (a Customer: match
    its Contact or Company) and records given twice.

    >>> import leadmodel as lm
    >>> olena = lm.Contact(id=lm.ContactId("contact-1"), name="Олена Коваль",
    ...     contact_points=(lm.ContactPoint.phone("+380501234567"),))
    >>> again = lm.Contact(id=lm.ContactId("contact-2"), name="Olena Koval",
    ...     contact_points=(lm.ContactPoint.phone("050 123 45 67", region="UA"),))
    >>> [(group.ids, group.rules, group.score) for group in lm.find_duplicates([again, olena])]
    [(('contact-1', 'contact-2'), ('phone',), 0.95)]
    >>> lm.find_duplicates([olena, olena])
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: find_duplicates.records[1].id: this record is given twice;
    pass each record once; got 'contact-1'
    """
    report = duplicate_report(records, rules, max_block=max_block, window=window)
    return list(report.groups)
