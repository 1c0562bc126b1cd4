"""What linking works on: the records' keys by column, their blocks, and the pair checks.

:func:`~leadmodel.domain.matching.keys.collect` fills the :class:`Columns`; the linker of
:mod:`._linking` cuts them into blocks (:func:`blocks`) and compares the pairs
of a block with the checks made here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import product

from leadmodel.domain.matching._columns import EMAIL_AT, SEP, Columns, Passes
from leadmodel.domain.matching._names import digits, local_parts_similar, name_similarity
from leadmodel.domain.matching.keys import is_free_mail
from leadmodel.domain.matching.rules import MatchRule

Pair = tuple[int, int]


def _emails(joined: str) -> list[tuple[str, str]]:
    return [tuple(item.split(EMAIL_AT)) for item in joined.split(SEP)]  # type: ignore[misc]


def differ(columns: list[dict[int, str]]) -> Callable[[int, int], bool]:
    """Whether two records both have values in one of ``columns`` and share none."""

    def contradict(a: int, b: int) -> bool:
        for column in columns:
            mine = column.get(a)
            if mine:
                theirs = column.get(b)
                if theirs and mine != theirs:
                    if SEP not in mine and SEP not in theirs:
                        return True
                    if not set(mine.split(SEP)).intersection(theirs.split(SEP)):
                        return True
        return False

    return contradict


def work_addresses(column: dict[int, str]) -> dict[int, str]:
    """The email ``column`` without the addresses at free-mail domains (records left with none
    are left out): the addresses that say which mailbox a person has at their company."""
    kept: dict[int, str] = {}
    for i, joined in column.items():
        if SEP not in joined:
            if not is_free_mail(joined.rpartition("@")[2]):
                kept[i] = joined
            continue
        work = [one for one in joined.split(SEP) if not is_free_mail(one.rpartition("@")[2])]
        if work:
            kept[i] = SEP.join(work)
    return kept


def unambiguous(pairs: list[Pair], columns: list[dict[int, str]]) -> list[Pair]:
    """``pairs`` without those of a record that would join records that disagree.

    For each of ``columns``: a record without a value there, paired with two records that
    both have values there and share none (two namesakes' mailboxes), could be either of
    them; its pairs with the records that have values are dropped, and it joins neither.
    Its pairs with records that have no value either stay. Only the pairs count, not their
    order: the outcome does not depend on the order of the records.
    """
    dropped: set[Pair] = set()
    for column in columns:
        partners: dict[int, list[int]] = {}
        for a, b in pairs:
            mine, theirs = bool(column.get(a)), bool(column.get(b))
            if mine != theirs:
                bare, other = (b, a) if mine else (a, b)
                partners.setdefault(bare, []).append(other)
        contradict = differ([column])
        for bare, others in partners.items():
            if len(others) > 1 and any(
                contradict(x, y) for n, x in enumerate(others) for y in others[n + 1 :]
            ):
                dropped.update((bare, other) for other in others)
    if not dropped:
        return pairs
    return [(a, b) for a, b in pairs if (a, b) not in dropped and (b, a) not in dropped]


def names_agree(names: list[str], at_least: float, if_missing: bool) -> Passes:
    def agree(a: int, b: int) -> bool:
        x, y = names[a], names[b]
        if not x or not y:
            return if_missing
        return x == y or name_similarity(x, y) >= at_least

    return agree


def emails_agree(emails: list[str], at_least: float, if_missing: bool) -> Passes:
    def agree(a: int, b: int) -> bool:
        x, y = emails[a], emails[b]
        if not x or not y:
            return if_missing
        if x == y:
            return True
        return any(
            local_parts_similar(lx, ly, at_least)
            for dx, lx in _emails(x)
            for dy, ly in _emails(y)
            if dx == dy
        )

    return agree


def entries(rule: MatchRule, cols: Columns) -> tuple[Iterable[int], Iterable[str]]:
    """Every (record, block key) of the rule, as two columns in step."""
    party = str(rule.party)
    kinds = [(party, str(kind)) for kind in rule.keys]
    columns = [cols.values.get(kind, {}) for kind in kinds]
    if len(columns) == 1:
        column = columns[0]
        if kinds[0] not in cols.several:
            return column.keys(), column.values()
        records: list[int] = []
        keys: list[str] = []
        for i, value in column.items():  # a record with two emails: one entry per email
            for one in value.split(SEP):
                records.append(i)
                keys.append(one)
        return records, keys
    # several kinds: walk the shortest column, look the others up
    driver = min(range(len(columns)), key=lambda k: len(columns[k]))
    others = columns[:driver] + columns[driver + 1 :]
    return _compound(columns[driver], others, driver)


def _compound(
    driver: dict[int, str], others: list[dict[int, str]], at: int
) -> tuple[list[int], list[str]]:
    """(record, block key) for every combination of the record's values, in rule key order."""
    records: list[int] = []
    keys: list[str] = []
    if len(others) == 1:
        [other] = others
        for i, value in driver.items():
            part = other.get(i)
            if part:
                if SEP in value or SEP in part:
                    break
                records.append(i)
                keys.append(f"{value}{SEP}{part}" if at == 0 else f"{part}{SEP}{value}")
        else:
            return records, keys
        records.clear()
        keys.clear()
    for i, value in driver.items():
        parts = [other.get(i) for other in others]
        if all(parts):
            split = [part.split(SEP) for part in parts]  # type: ignore[union-attr]
            split.insert(at, value.split(SEP))
            for combo in product(*split):
                records.append(i)
                keys.append(SEP.join(combo))
    return records, keys


def blocks(
    records: Iterable[int], keys: Iterable[str], counts: Counter[str]
) -> Iterator[tuple[str, list[int]]]:
    """The blocks of two records or more: (block key, records), from entries and key counts.

    One flat list holds the records of every block, block after block (a counting sort), so
    that no list per block stays alive while the blocks are linked: each is a short-lived
    slice, and the garbage collector has next to nothing to walk.
    """
    start: dict[str, int] = {}
    size = 0
    for key, count in counts.items():
        if count > 1:
            start[key] = size
            size += count
    if not size:
        return
    ends = dict(start)  # where the next record of each block goes
    flat = [0] * size
    get = ends.get
    for i, key in zip(records, keys, strict=True):
        at = get(key)
        if at is not None:
            flat[at] = i
            ends[key] = at + 1
    for key, first in start.items():
        yield key, flat[first : first + counts[key]]


def domain_digits(email: str) -> str:
    """``domain EMAIL_AT digits of the local part``: addresses a similar one must share."""
    domain, _, local = email.partition(EMAIL_AT)
    return f"{domain}{EMAIL_AT}" if local.isalpha() else f"{domain}{EMAIL_AT}{digits(local)}"
