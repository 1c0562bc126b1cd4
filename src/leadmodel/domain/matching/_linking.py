"""The linking engine behind :func:`~leadmodel.domain.matching.duplicates.find_duplicates`.

Blocking, then union-find. For each rule, the records sharing its keys form a block. A block
of a rule without checks is linked whole (every pair in it shares the keys); with a check
(``similar``, ``unless_differ``), its pairs are compared. A check of email addresses only
compares records that have an address at the same domain with the same digits (no other pair
can pass it), so a block is first split by those.

A block bigger than the rule's ``max_block`` (a call-centre phone, a shared mailbox, a common
name) is *oversized*, and says little on its own. With an email check, only records sharing a
mailbox (the same domain and local part) are compared. Otherwise the records are sorted by the
compared value (the name) and each is compared with the next ``window`` only, under a stricter
check. A part of a block still bigger than ``max_block`` is windowed the same way. So the work
is at most ``e × max(max_block / 2, window)`` comparisons per rule, ``e`` being the number of
keys the records have: linear in the number of records.

A rule with ``unless_differ`` compares the pairs of a block and keeps those whose records do
not contradict each other; then (:func:`~._blocking.unambiguous`) a record without a value of
such a kind drops its pairs with records that have values and disagree among themselves, so
that it does not join two namesakes with other mailboxes. For ``email``, only addresses at
companies' own domains count (:func:`~._blocking.work_addresses`).

Rules are applied from the strongest to the weakest (the safe one first, at equal weights),
so a group's score is its bottleneck: the weight of the weakest link that was needed to connect
it; a group is safe when every link that joined it came from a safe rule. Nothing here depends
on the order of the records: blocks are sets, and oversized blocks are sorted by content.

Few objects are made, and most of them die young: a block is a list only while it is linked,
and records, links and evidence are kept in flat columns of numbers and strings, so that
matching a million records leaves the garbage collector little to walk.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from leadmodel.domain.matching._blocking import (
    Pair,
    blocks,
    differ,
    domain_digits,
    emails_agree,
    entries,
    names_agree,
    unambiguous,
    work_addresses,
)
from leadmodel.domain.matching._columns import SEP, Columns, Passes
from leadmodel.domain.matching.keys import KeyKind
from leadmodel.domain.matching.rules import MatchRule

OVERSIZED_SIMILARITY = 0.85
"""The name similarity a pair must reach to be linked through a block that is too big."""

Evidence = tuple[int, str]  # (rule index, the block key: values joined by SEP)


class _Linker:
    __slots__ = (
        "cols",
        "comparisons",
        "differ_columns",
        "ev_key",
        "ev_record",
        "ev_rule",
        "index",
        "linked",
        "max_block",
        "oversized",
        "parent",
        "safe",
        "score",
        "unsafe",
        "weight",
        "window",
        "work",
    )

    def __init__(self, cols: Columns, max_block: int, window: int) -> None:
        self.cols = cols
        self.max_block = max_block
        self.window = window
        # machine ints, not a list of int objects: a million records' parents fit in a cache
        self.parent = array("q", range(len(cols.names)))
        self.score: dict[int, float] = {}  # root -> the group's bottleneck weight
        self.linked: list[int] = []  # every record that got a parent
        # what linked each record, in three flat columns (no tuple per link to keep alive)
        self.ev_record: list[int] = []
        self.ev_rule: list[int] = []
        self.ev_key: list[str] = []
        self.oversized: list[tuple[int, str, int, int]] = []
        self.comparisons = 0
        self.index, self.weight, self.safe = -1, 0.0, False  # the rule being applied
        self.differ_columns: list[dict[int, str]] = []  # the columns its unless_differ reads
        self.unsafe: set[int] = set()  # roots of the groups a link of an unsafe rule joined
        self.work: dict[str, dict[int, str]] = {}  # party -> its work addresses (see _differ)

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:  # path compression
            parent[i], i = root, parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra
            self.linked.append(rb)
            self.score[ra] = self.weight  # rules run strongest first: the new bottleneck
            self.score.pop(rb, None)
            unsafe = self.unsafe
            if not self.safe or rb in unsafe:
                unsafe.add(ra)
            unsafe.discard(rb)

    def found(self, record: int, key: str) -> None:
        """Record that the rule being applied linked ``record`` through the block ``key``."""
        self.ev_record.append(record)
        self.ev_rule.append(self.index)
        self.ev_key.append(key)

    def _differ(self, rule: MatchRule) -> list[dict[int, str]]:
        """The columns of the rule's ``unless_differ`` kinds; for ``email``, work addresses."""
        party, values = str(rule.party), self.cols.values
        columns = []
        for kind in rule.unless_differ:
            column = values.get((party, str(kind)), {})
            if kind is KeyKind.email:
                work = self.work.get(party)
                if work is None:
                    work = self.work[party] = work_addresses(column)
                column = work
            columns.append(column)
        return columns

    def _passes(self, rule: MatchRule, *, oversized: bool) -> Passes | None:
        """The pair check of ``rule`` (None: none), stricter for an oversized block."""
        cols, similar = self.cols, rule.similar
        columns = self.differ_columns
        compare: Passes | None = None
        at_least = 0.0 if similar is None else similar.at_least
        missing = similar is not None and similar.if_missing and not oversized
        if oversized:  # a big block: the values must be there, and agree closely
            at_least = max(OVERSIZED_SIMILARITY, at_least)
        if similar is not None and similar.field == "email_local":
            compare = emails_agree(cols.emails, at_least, missing)
        elif similar is not None or oversized:
            compare = names_agree(cols.names, at_least, missing)
        if not columns:
            return compare
        contradict = differ(columns)
        if compare is None:
            return lambda a, b: not contradict(a, b)
        check = compare  # first: it needs no lookup in the big key columns
        return lambda a, b: check(a, b) and not contradict(a, b)

    def rule(self, index: int, rule: MatchRule) -> None:
        self.index, self.weight, self.safe = index, rule.weight, rule.safe
        self.differ_columns = self._differ(rule)
        cap = self.max_block if rule.max_block is None else rule.max_block
        passes = self._passes(rule, oversized=False)
        strict = self._passes(rule, oversized=True)
        assert strict is not None  # noqa: S101 - a big block is always checked
        similar = rule.similar
        records, keys = entries(rule, self.cols)
        counts = Counter(keys)  # counted in C: most keys are one record's
        values = self.cols.names  # what an oversized block is sorted by
        if similar is not None and similar.field == "email_local":
            values = self.cols.emails
            if passes is not None and not similar.if_missing:
                self.by_email(records, keys, counts, cap=cap, passes=passes, strict=strict)
                return
        for key, members in blocks(records, keys, counts):
            if len(members) > cap:
                compared = self.window_pairs(key, members, strict, values)
                self.oversized.append((index, key, len(members), compared))
            elif passes is not None:
                self.all_pairs(key, members, passes)
            else:  # every pair shares the keys: link them all
                first = members[0]
                for other in members[1:]:
                    self.union(first, other)
                self.found(first, key)

    def by_email(
        self,
        records: Iterable[int],
        keys: Iterable[str],
        counts: Counter[str],
        *,
        cap: int,
        passes: Passes,
        strict: Passes,
    ) -> None:
        """Link a rule with an email check: within each block, compare only the records with
        an address at one domain with the same digits; in an oversized block, with the same
        address."""
        emails = self.cols.emails
        big = {key for key, count in counts.items() if count > cap}  # few: a quick lookup
        sub_records: list[int] = []
        sub_keys: list[str] = []
        for i, key in zip(records, keys, strict=True):
            joined = emails[i]
            if not joined:
                continue
            if SEP in joined:  # several addresses: one entry for each part they fall in
                for part in {
                    one if key in big else domain_digits(one) for one in joined.split(SEP)
                }:
                    sub_records.append(i)
                    sub_keys.append(f"{key}{SEP}{part}")
                continue
            sub_records.append(i)
            sub_keys.append(f"{key}{SEP}{joined if key in big else domain_digits(joined)}")
        compared: dict[str, int] = {}
        for sub, members in blocks(sub_records, sub_keys, Counter(sub_keys)):
            key = sub.rpartition(SEP)[0]
            if key not in big:
                self.all_pairs(key, members, passes)
            elif len(members) > cap:
                compared[key] = compared.get(key, 0) + self.window_pairs(
                    key, members, strict, emails
                )
            else:
                compared[key] = compared.get(key, 0) + self.all_pairs(key, members, strict)
        for key in big:
            self.oversized.append((self.index, key, counts[key], compared.get(key, 0)))

    def all_pairs(self, key: str, members: list[int], passes: Passes) -> int:
        """Compare every pair of ``members``; return how many pairs were compared."""
        compared = len(members) * (len(members) - 1) // 2
        self.comparisons += compared
        if self.differ_columns:
            found = [
                (a, b) for n, a in enumerate(members) for b in members[n + 1 :] if passes(a, b)
            ]
            self.link_pairs(key, found)
            return compared
        for n, a in enumerate(members):
            for b in members[n + 1 :]:
                if passes(a, b):
                    self.union(a, b)
                    self.found(a, key)
        return compared

    def window_pairs(self, key: str, members: list[int], passes: Passes, values: list[str]) -> int:
        """Sort by ``values``, compare each with its next ``window``; return the pairs."""
        idents = self.cols.idents
        members = sorted(members, key=lambda i: (values[i], idents[i]))
        compared = 0
        window = self.window
        found: list[Pair] = []
        for n, a in enumerate(members):
            for b in members[n + 1 : n + 1 + window]:
                compared += 1
                if passes(a, b):
                    found.append((a, b))
        self.comparisons += compared
        self.link_pairs(key, found)
        return compared

    def link_pairs(self, key: str, pairs: list[Pair]) -> None:
        """Link the pairs that passed in the block ``key``, but not a record that would join
        records that contradict each other (see :func:`~._blocking.unambiguous`)."""
        if self.differ_columns and len(pairs) > 1:
            pairs = unambiguous(pairs, self.differ_columns)
        for a, b in pairs:
            self.union(a, b)
            self.found(a, key)

    def groups(self) -> Iterator[tuple[list[int], set[Evidence], float, bool]]:
        """Each group: its records, the (rule, block key) that linked them, its score, and
        whether only safe rules joined it."""
        parent, find, score, linked = self.parent, self.find, self.score, self.linked
        for i in linked:
            find(i)  # now the parent of every record is its root
        root_of = parent.__getitem__
        # chains through flat arrays of machine ints, not dicts: random access stays cheap
        none = array("q", [-1])
        before = none * len(parent)  # member -> the member found before it (or the root)
        last = none * len(parent)  # root -> the last member found
        roots: list[int] = []
        for i, root in zip(linked, map(root_of, linked), strict=True):
            previous = last[root]
            if previous < 0:
                roots.append(root)
                previous = root
            before[i] = previous
            last[root] = i
        ev_last = none * len(parent)  # root -> the last evidence entry of its group
        ev_before = none * len(self.ev_record)  # entry -> the one before it in its group
        for e, root in enumerate(map(root_of, self.ev_record)):
            ev_before[e] = ev_last[root]
            ev_last[root] = e
        rules, keys, unsafe = self.ev_rule, self.ev_key, self.unsafe
        for root in roots:
            member = last[root]
            members = [member]
            while member != root:
                member = before[member]
                members.append(member)
            evidence: set[Evidence] = set()
            e = ev_last[root]
            while e >= 0:
                evidence.add((rules[e], keys[e]))
                e = ev_before[e]
            yield members, evidence, score[root], root not in unsafe


class Linked:
    """The outcome of :func:`link`: the groups (see :meth:`groups`) and the work done."""

    __slots__ = ("_linker", "comparisons", "oversized")

    def __init__(self, linker: _Linker) -> None:
        self._linker = linker
        self.comparisons = linker.comparisons
        self.oversized = linker.oversized  # (rule index, block key, size, pairs compared)

    def groups(self) -> Iterator[tuple[list[int], set[Evidence], float, bool]]:
        """Each group once: its record indices, its evidence, its score, whether it is safe."""
        return self._linker.groups()


def link(cols: Columns, rules: Sequence[MatchRule], *, max_block: int, window: int) -> Linked:
    """Group the records whose features the rules link (see the module docstring)."""
    linker = _Linker(cols, max_block, window)
    by_strength = sorted(range(len(rules)), key=lambda i: (-rules[i].weight, not rules[i].safe))
    for index in by_strength:
        linker.rule(index, rules[index])
    return Linked(linker)
