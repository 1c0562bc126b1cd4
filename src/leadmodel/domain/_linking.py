"""The linking engine behind :func:`~leadmodel.domain.matching.find_duplicates`.

Blocking, then union-find: for each rule, the records sharing its keys form a block. A block
of a rule without checks is linked whole (every pair in it shares the keys); with a check
(``similar``, ``unless_differ``), every pair in the block is compared. A block bigger than
``max_block`` (a call-centre phone, a shared mailbox, a common name) is *oversized*: its
records are sorted by the compared value and each is compared with the next ``window`` only,
under a stricter check. So the work is at most ``n × max(max_block / 2, window)``
comparisons per rule: linear in ``n``.

Rules are applied from the strongest to the weakest, so a group's score is its bottleneck:
the weight of the weakest link that was needed to connect it. Nothing here depends on the
order of the records: blocks are sets, and oversized blocks are sorted by content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import product
from typing import TYPE_CHECKING, NamedTuple

from leadmodel.domain._names import name_similarity, similarity

if TYPE_CHECKING:
    from leadmodel.domain.matching import MatchRule

OVERSIZED_SIMILARITY = 0.85
"""The similarity a pair must reach to be linked through a block that is too big."""

SEP = "\x1f"  # joins several values in one string (match keys never hold it)
EMAIL_AT = "\x1e"  # joins an email's domain and local part

Evidence = tuple[int, str]  # (rule index, the block key: values joined by SEP)


class Columns:
    """What linking knows of the records: one column each, flat lists and dicts of strings.

    Kept this way, not as an object per record, so that matching a million records does not
    keep millions of small containers alive for the garbage collector to walk again and again.
    Several values of one record are joined by :data:`SEP`.
    """

    __slots__ = ("emails", "idents", "names", "parties", "values")

    def __init__(self) -> None:
        self.parties: list[str] = []
        self.names: list[str] = []  # name key ('' if none)
        self.emails: list[str] = []  # domain EMAIL_AT normalised local part; '' if none
        self.idents: list[str] = []  # id SEP type name: how records sort
        self.values: dict[tuple[str, str], dict[int, str]] = {}  # (party, kind) -> i -> values


class Linked:
    """The outcome: groups of record indices, with their evidence and score."""

    __slots__ = ("comparisons", "evidence", "groups", "oversized", "scores")

    def __init__(self) -> None:
        self.groups: list[list[int]] = []
        self.evidence: list[list[Evidence]] = []  # distinct (rule, block key), per group
        self.scores: list[float] = []
        self.oversized: list[tuple[int, str, int, int]] = []
        self.comparisons = 0


class Check(NamedTuple):
    """A pair check: the field compared (or ''), the least similarity, what a missing value
    means, and the key kinds two records must not differ on."""

    field: str
    at_least: float
    if_missing: bool
    unless_differ: tuple[dict[int, str], ...] = ()


def _emails(joined: str) -> list[tuple[str, str]]:
    return [tuple(item.split(EMAIL_AT)) for item in joined.split(SEP)]  # type: ignore[misc]


def _passes(check: Check, cols: Columns, a: int, b: int) -> bool:
    for column in check.unless_differ:
        mine, theirs = column.get(a), column.get(b)
        if mine and theirs and not set(mine.split(SEP)).intersection(theirs.split(SEP)):
            return False
    if not check.field:
        return True
    if check.field == "name":
        x, y = cols.names[a], cols.names[b]
        if not x or not y:
            return check.if_missing
        return name_similarity(x, y) >= check.at_least
    x, y = cols.emails[a], cols.emails[b]
    if not x or not y:
        return check.if_missing
    return any(
        lx == ly or similarity(lx, ly) >= check.at_least
        for dx, lx in _emails(x)
        for dy, ly in _emails(y)
        if dx == dy
    )


Blocks = dict[str, "int | list[int]"]


def _blocks(rule: MatchRule, cols: Columns) -> Blocks:
    """The records sharing the rule's keys, by block key; a lone record is a bare int."""
    blocks: Blocks = {}
    get = blocks.get
    party = str(rule.party)
    columns = [cols.values.get((party, str(kind)), {}) for kind in rule.keys]
    if len(columns) == 1:
        keyed: Iterable[tuple[int, str]] = columns[0].items()
        several = [(i, value) for i, value in columns[0].items() if SEP in value]
        if several:  # a record with two emails: one entry per email
            keyed = [(i, v) for i, v in keyed if SEP not in v]
            keyed += [(i, one) for i, value in several for one in value.split(SEP)]
    else:  # walk the shortest column, look the others up
        driver = min(range(len(columns)), key=lambda k: len(columns[k]))
        others = columns[:driver] + columns[driver + 1 :]
        keyed = _compound(columns[driver], others, driver)
    for i, key in keyed:
        block = get(key)
        if block is None:
            blocks[key] = i  # most keys are nobody else's: a bare int costs no list
        elif type(block) is int:
            blocks[key] = [block, i]
        else:
            block.append(i)  # type: ignore[union-attr]
    return blocks


def _compound(
    driver: dict[int, str], others: list[dict[int, str]], at: int
) -> Iterable[tuple[int, str]]:
    """(record, block key) for every combination of the record's values, in rule key order."""
    records: list[int] = []  # two flat columns rather than a tuple per entry
    keys: list[str] = []
    for i, value in driver.items():
        parts = [other.get(i) for other in others]
        if all(parts):
            split = [part.split(SEP) for part in parts]  # type: ignore[union-attr]
            split.insert(at, value.split(SEP))
            for combo in product(*split):
                records.append(i)
                keys.append(SEP.join(combo))
    return zip(records, keys, strict=True)


class _Linker:
    def __init__(self, cols: Columns, max_block: int, window: int) -> None:
        self.cols = cols
        self.max_block = max_block
        self.window = window
        self.parent = list(range(len(cols.names)))
        self.score: dict[int, float] = {}
        # what linked each record, in three flat columns (no tuple per link to keep alive)
        self.ev_record: list[int] = []
        self.ev_rule: list[int] = []
        self.ev_key: list[str] = []
        self.out = Linked()

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:  # path compression
            parent[i], i = root, parent[i]
        return root

    def found(self, record: int, rule: int, key: str) -> None:
        """Record that ``rule`` linked ``record`` through the block ``key``."""
        self.ev_record.append(record)
        self.ev_rule.append(rule)
        self.ev_key.append(key)

    def union(self, a: int, b: int, weight: float) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra
            self.score[ra] = weight  # rules run strongest first: this is the new bottleneck
            self.score.pop(rb, None)

    def _check(self, rule: MatchRule, field: str, at_least: float, if_missing: bool) -> Check:
        party = str(rule.party)
        differ = tuple(self.cols.values.get((party, str(k)), {}) for k in rule.unless_differ)
        return Check(field, at_least, if_missing, differ)

    def rule(self, index: int, rule: MatchRule) -> None:
        similar = rule.similar
        if similar is None:
            check = self._check(rule, "", 0.0, True)
        else:
            check = self._check(rule, str(similar.field), similar.at_least, similar.if_missing)
        whole = similar is None and not rule.unless_differ
        for keys, members in _blocks(rule, self.cols).items():
            if type(members) is int:  # one record: nothing to link
                continue
            assert isinstance(members, list)  # noqa: S101 - for the type checker
            if len(members) > self.max_block:
                self.oversized(index, rule, keys, members)
            elif whole:  # every pair shares the keys: link them all
                first = members[0]
                for other in members[1:]:
                    self.union(first, other, rule.weight)
                self.found(first, index, keys)
            else:
                self.pairs(index, rule, check, keys, members)

    def pairs(
        self, index: int, rule: MatchRule, check: Check, keys: str, members: list[int]
    ) -> None:
        cols = self.cols
        self.out.comparisons += len(members) * (len(members) - 1) // 2
        for n, a in enumerate(members):
            for b in members[n + 1 :]:
                if _passes(check, cols, a, b):
                    self.union(a, b, rule.weight)
                    self.found(a, index, keys)

    def oversized(self, index: int, rule: MatchRule, keys: str, members: list[int]) -> None:
        base = rule.similar
        field = "name" if base is None else str(base.field)
        at_least = max(OVERSIZED_SIMILARITY, 0.0 if base is None else base.at_least)
        check = self._check(rule, field, at_least, False)  # big: a missing value proves nothing
        cols = self.cols
        values = cols.names if field == "name" else cols.emails
        order: Callable[[int], tuple[str, str]] = lambda i: (values[i], cols.idents[i])  # noqa: E731
        members = sorted(members, key=order)
        compared = 0
        for n, a in enumerate(members):
            for b in members[n + 1 : n + 1 + self.window]:
                compared += 1
                if _passes(check, cols, a, b):
                    self.union(a, b, rule.weight)
                    self.found(a, index, keys)
        self.out.comparisons += compared
        self.out.oversized.append((index, keys, len(members), compared))

    def result(self) -> Linked:
        out, find = self.out, self.find
        by_root: dict[int, list[int]] = {}
        for i in range(len(self.cols.names)):
            if (root := find(i)) != i:  # the root is the smallest index: seen first
                if (members := by_root.get(root)) is None:
                    by_root[root] = [root, i]
                else:
                    members.append(i)
        slot: dict[int, int] = {}
        for root, members in by_root.items():
            slot[root] = len(out.groups)
            out.groups.append(members)
            out.scores.append(self.score[root])
        # "group SEP rule SEP key" strings, deduplicated: strings are no work for the collector
        found = {
            f"{slot[find(record)]}{SEP}{rule}{SEP}{key}"
            for record, rule, key in zip(self.ev_record, self.ev_rule, self.ev_key, strict=True)
        }
        evidence: list[list[Evidence]] = [[] for _ in out.groups]
        for item in found:
            group, rule, key = item.split(SEP, 2)
            evidence[int(group)].append((int(rule), key))
        out.evidence = evidence
        return out


def link(cols: Columns, rules: Sequence[MatchRule], *, max_block: int, window: int) -> Linked:
    """Group the records whose features the rules link (see the module docstring)."""
    linker = _Linker(cols, max_block, window)
    by_strength = sorted(range(len(rules)), key=lambda i: -rules[i].weight)
    for index in by_strength:
        linker.rule(index, rules[index])
    return linker.result()
