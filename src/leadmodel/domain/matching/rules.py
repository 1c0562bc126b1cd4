"""Matching rules as data: which keys two records must share, and what else must agree.

The vocabulary of duplicate matching (:class:`MatchRule`, :class:`Similar`,
:data:`DEFAULT_RULES`); the engine that applies it is :mod:`.duplicates`.

>>> [rule.name for rule in DEFAULT_RULES][:3]
['email', 'phone', 'handle']
>>> MatchRule(name="phone", party=Party.person, keys=(KeyKind.phone,), weight=1.5)
Traceback (most recent call last):
...
leadmodel.errors.ValidationError: MatchRule.weight: a weight is a number above 0, at most 1; got 1.5

Rules are specs: ``rule.to_dict()`` (the same document as ``lm.to_dict(rule)``) and
``MatchRule.from_dict`` write and read them.

>>> DEFAULT_RULES[1].to_dict()
{'schema_version': 1, 'name': 'phone', 'party': 'person', 'keys': ['phone'], 'weight': 0.95,
 'similar': {'field': 'name', 'at_least': 0.7, 'if_missing': True}, 'safe': True}
>>> MatchRule.from_dict(DEFAULT_RULES[1].to_dict()) == DEFAULT_RULES[1]
True
"""

from __future__ import annotations

from enum import StrEnum

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.documents import Spec
from leadmodel.domain.matching.keys import KeyKind, Party
from leadmodel.errors import Problem

__all__ = ["DEFAULT_RULES", "LEAST_BLOCK", "MatchRule", "Similar", "SimilarField"]

LEAST_BLOCK = 2
"""The fewest records a block can link (a block of one record links nothing)."""


class SimilarField(StrEnum):
    """What :class:`Similar` compares: the name key, or the email local parts."""

    name = "name"
    email_local = "email_local"


@attrs.frozen(kw_only=True)
class Similar(Spec):
    """A second signal a rule requires: ``field`` similar to at least ``at_least`` (0-1).

    Similarity is that of the name keys (person or company name) compared word by word (see
    :func:`~leadmodel.domain.matching._names.name_similarity`: a typo costs little, another first
    name a lot), or the best one over pairs of personal email addresses at the same domain,
    comparing their local parts (lower-cased, without ``+tag``, dots, dashes and
    underscores), which must have the same digits (``olena.koval`` and ``olena.koval85`` are
    two mailboxes). ``if_missing``: whether the rule still holds when a record
    has no such value (an anonymous interest has no name to contradict the phone it shares).
    """

    field: SimilarField
    at_least: float
    if_missing: bool = False

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.member(p, "field", self.field, SimilarField)
        if type(self.at_least) not in (int, float) or not 0 <= self.at_least <= 1:
            p.append(Problem("at_least", "a similarity is a number from 0 to 1", self.at_least))
        if type(self.if_missing) is not bool:
            p.append(Problem("if_missing", "if_missing is True or False", self.if_missing))
        if p:
            c.fail("Similar", p)


@attrs.frozen(kw_only=True)
class MatchRule(Spec):
    """Records of ``party`` that share one key of every kind in ``keys`` are duplicates.

    ``weight`` (0-1) is how strongly the rule says so: it becomes the score of the groups
    it forms. With ``similar``, the records must also pass that comparison. With
    ``unless_differ``, the rule does not hold for two records that both have keys of one of
    these kinds but share none of them (two namesakes with different phones); for ``email``,
    only addresses at a company's own domain count (free mail such as gmail.com does not: a
    person often has a private address besides a work one). Nor is a record that has no key of
    such a kind linked through a block to records that have ones and disagree among
    themselves: it could be any of them, and linking it to all would join them.
    ``max_block``: when more records than this share the keys (a common name), the keys say
    little and the block is oversized (see :class:`OversizedBlock`); None: the ``max_block``
    given to :func:`find_duplicates`. ``safe``: whether the shared keys alone identify the
    record (one mailbox, one phone, one tax id), so that a group linked only by safe rules
    may be merged without a look (see :attr:`DuplicateGroup.safe`); False (the default) puts
    the groups the rule links up for review.

    >>> rule = MatchRule(name="vat", party=Party.company, keys=(KeyKind.tax_id,), weight=1.0)
    >>> rule.safe, attrs.evolve(rule, safe=True).to_dict()["safe"]
    (False, True)
    """

    name: str
    party: Party
    keys: tuple[KeyKind, ...]
    weight: float
    similar: Similar | None = None
    unless_differ: tuple[KeyKind, ...] = ()
    max_block: int | None = None
    safe: bool = False

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "name", self.name, "the rule name")
        c.member(p, "party", self.party, Party)
        c.tuple_of(p, "keys", self.keys, KeyKind)
        if not p and (not self.keys or len(set(self.keys)) != len(self.keys)):
            p.append(Problem("keys", "give one or more different key kinds", self.keys))
        if type(self.weight) not in (int, float) or not 0 < self.weight <= 1:
            p.append(Problem("weight", "a weight is a number above 0, at most 1", self.weight))
        c.opt_instance(p, "similar", self.similar, Similar)
        c.tuple_of(p, "unless_differ", self.unless_differ, KeyKind)
        block = self.max_block
        if block is not None and (type(block) is not int or block < LEAST_BLOCK):
            msg = "max_block is None or an int of at least 2"
            p.append(Problem("max_block", msg, block))
        if type(self.safe) is not bool:
            msg = "safe is True or False: True when the shared keys alone identify the record"
            p.append(Problem("safe", msg, self.safe))
        if p:
            c.fail("MatchRule", p)


def _rule(
    name: str,
    party: Party,
    keys: str,
    weight: float,
    similar: Similar | None = None,
    *,
    unless_differ: str = "",
    max_block: int | None = None,
    safe: bool = False,
) -> MatchRule:
    return MatchRule(
        name=name,
        party=party,
        keys=tuple(KeyKind(kind) for kind in keys.split()),
        weight=weight,
        similar=similar,
        unless_differ=tuple(KeyKind(kind) for kind in unless_differ.split()),
        max_block=max_block,
        safe=safe,
    )


_NAME_AGREES = Similar(field=SimilarField.name, at_least=0.7, if_missing=True)
_SIMILAR_EMAIL = Similar(field=SimilarField.email_local, at_least=0.9)
_COMMON_NAME = 10  # records sharing a name key: more, and the name is a common one
_P, _C = Party.person, Party.company

DEFAULT_RULES: tuple[MatchRule, ...] = (
    _rule("email", _P, "email", 1.0, safe=True),
    _rule("phone", _P, "phone", 0.95, _NAME_AGREES, safe=True),
    _rule("handle", _P, "handle", 0.9, _NAME_AGREES, safe=True),
    _rule("name+company", _P, "name company", 0.85, unless_differ="phone email"),
    _rule("name+domain", _P, "name domain", 0.85, unless_differ="phone email"),
    _rule(
        "name+similar email",
        _P,
        "name",
        0.8,
        _SIMILAR_EMAIL,
        unless_differ="phone company handle",
        max_block=_COMMON_NAME,
    ),
    _rule("tax id", _C, "tax_id", 1.0, safe=True),
    _rule("company domain", _C, "domain", 0.9, safe=True),
    _rule("company email", _C, "email", 0.9, _NAME_AGREES, safe=True),
    _rule("company phone", _C, "phone", 0.85, _NAME_AGREES, safe=True),
    _rule("company name+handle", _C, "company handle", 0.85),
)
"""The rules :func:`find_duplicates` uses unless told otherwise.

People: the same email; the same phone or handle, unless the names disagree — these are safe
(:attr:`MatchRule.safe`): a mailbox, a phone or a handle is one person's. The same name key
and the same company (id, name or web domain), unless both have phones and none is the same,
or both have addresses at a company's domain and none is the same: namesakes at one company
(``ivan.bondar5@globex.com``, ``ivan.bondar142@globex.com``) have mailboxes of their own, so
the rule links a name at a company only where one record has no work address (a call logged
with a name, a lead with a gmail.com address) or where both have the same one. A record with
no work address that would link two namesakes with other mailboxes links neither. The same
name key and an email at the same domain that is the same or a typo away (similarity 0.9, the
same digits), unless their phones, companies or handles differ — and for a name shared by
more than 10 records, only the same address. These three are for review: a name is not a
person. A name alone never links two people. Companies: the same tax id or web domain; the
same email or phone, unless the names disagree (all safe); the same name and handle (review).

>>> [rule.name for rule in DEFAULT_RULES if not rule.safe]
['name+company', 'name+domain', 'name+similar email', 'company name+handle']
"""
