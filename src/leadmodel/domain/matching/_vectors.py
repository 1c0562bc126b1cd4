"""The probabilistic matcher's engine, column-wise: fields read and encoded once, candidate
pairs from blocking, and each pair's level in each comparison (numpy arrays throughout).

Cost: reading the fields is one pass over the records; blocking sorts each rule's keys once
and pairs each record with at most ``max_block - 1`` others per rule; a comparison computes
a similarity once per distinct pair of values (rapidfuzz, element-wise in C).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import attrs
import numpy as np
from numpy.typing import NDArray
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein
from rapidfuzz.process import cpdist

from leadmodel.domain.matching._names import (
    _ascii,
    _fold,
    name_key,
    name_similarity,
    similarity,
    spelling,
)
from leadmodel.domain.matching._nicknames import nickname_key
from leadmodel.domain.matching.keys import is_free_mail
from leadmodel.domain.matching.model import BlockKey, Comparison, LevelKind, Normalise
from leadmodel.domain.model import Company, Contact, Interest, Lead
from leadmodel.domain.values import ContactKind

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Levels = NDArray[np.int8]
NULL = -1
"""The level of a pair where either value is missing (it weighs nothing)."""


# -- reading fields ---------------------------------------------------------------------------


def record_id(record: object) -> str:
    """A record's id: an entity's ``id``, a mapping's ``"id"``."""
    if isinstance(record, Mapping):
        return str(record["id"])
    return str(record.id)  # type: ignore[attr-defined]


def _words(record: Any) -> list[str]:
    name = getattr(record, "person_name", None) or getattr(record, "name", None)
    if isinstance(record, Company) or not isinstance(name, str):
        return []
    return name.split()


def _point(record: Any, kind: ContactKind) -> str | None:
    for point in getattr(record, "contact_points", ()):
        if point.kind is kind:
            return str(point.key)
    return None


def _email_part(record: Any, part: int) -> str | None:
    email = _point(record, ContactKind.email)
    return None if email is None else email.rpartition("@")[part]


_DERIVED: dict[str, Callable[[Any], object]] = {
    "name": lambda r: " ".join(_words(r)) or None,
    "first_name": lambda r: _words(r)[0] if len(_words(r)) > 1 else None,
    "last_name": lambda r: _words(r)[-1] if _words(r) else None,
    "email": lambda r: _point(r, ContactKind.email),
    "email_local": lambda r: _email_part(r, 0),
    "email_domain": lambda r: _email_part(r, 2),
    "phone": lambda r: _point(r, ContactKind.phone),
    "messenger": lambda r: _point(r, ContactKind.messenger),
    "company": lambda r: (
        getattr(r, "company_name", None) or (r.name if isinstance(r, Company) else None)
    ),
}


def raw_value(record: object, field: str) -> object:
    """The value of ``field`` in ``record``: a mapping's item; for an entity, a derived field
    (``name``, ``first_name``, ``last_name``, ``email``, ``email_local``, ``email_domain``,
    ``phone``, ``messenger`` — a handle as ``telegram:olena_k`` —, ``company``),
    ``custom.<key>``, or an attribute."""
    if isinstance(record, Mapping):
        return record.get(field)
    if field in _DERIVED and isinstance(record, Interest | Lead | Contact | Company):
        return _DERIVED[field](record)
    if field.startswith("custom."):
        return getattr(record, "custom", {}).get(field[7:])
    return getattr(record, field, None)


DERIVED_FIELDS: frozenset[str] = frozenset(_DERIVED)
"""The fields every person or company record has besides its attributes."""


def field_problem(records: Sequence[object], field: str) -> str | None:
    """Why no record can have ``field`` (a misspelt name reads as missing everywhere, which
    would silently weigh nothing), or ``None``."""
    if field in DERIVED_FIELDS or field.startswith("custom."):
        return None
    for record in records:
        if isinstance(record, Mapping) and field in record:
            return None
        kind = type(record)
        if not isinstance(record, Mapping) and attrs.has(kind) and field in attrs.fields_dict(kind):
            return None
    return (
        f"no record has this field; a record's field ({', '.join(sorted(DERIVED_FIELDS))}, "
        "custom.<key>, an attribute, or a mapping's key)"
    )


def normalised(value: object, how: Normalise) -> str | None:
    """``value`` prepared for comparing; ``None`` when missing or empty."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not text or text.lower() in ("nan", "none", "null"):
        return None
    if how is Normalise.name:
        return name_key(text) or None
    if how is Normalise.digits:
        return "".join(ch for ch in text if ch.isdigit()) or None
    if how is Normalise.text:
        return " ".join(unicodedata.normalize("NFC", text).lower().split())
    return text


_NO_COMPANY = "\x00"  # a free-mail domain, or no email: never "the same company"


def _company_domain(email: str) -> str:
    """The domain of ``email`` when it is a company's own, else a marker unique per value."""
    domain = email.rpartition("@")[2]
    return email + _NO_COMPANY if not domain or is_free_mail(domain) else domain


def _namesake_mail(email: str) -> str:
    """The name an address at a company's own domain spells — its local part without dots,
    one spelling per sound (:func:`spelling`) — and the domain; a free-mail address, or one
    without a domain, a value of its own (:func:`_company_domain`'s marker)."""
    local, _, domain = email.rpartition("@")
    if not domain or is_free_mail(domain):
        return email + _NO_COMPANY
    return f"{spelling(local.replace('.', ''))}@{domain}"


def fold(text: str) -> str:
    """``text`` transliterated and folded to its sound (the same for ``Олена``/``Alena``)."""
    return _fold(" ".join(_ascii(text).split()))


class Column:
    """One field's values, encoded: ``codes[i]`` indexes ``values`` (``NULL`` for missing)."""

    def __init__(self, values: Sequence[str | None]) -> None:
        table: dict[str, int] = {}
        self.codes: Ints = np.fromiter(
            (NULL if v is None else table.setdefault(v, len(table)) for v in values),
            dtype=np.int64,
            count=len(values),
        )
        self.values: list[str] = list(table)
        self.objects: NDArray[np.object_] = np.array(self.values, dtype=object)
        self._folded: Ints | None = None
        self._ranks: Ints | None = None
        self._words: (
            tuple[NDArray[np.object_], Ints, NDArray[np.bool_], NDArray[np.bool_]] | None
        ) = None
        self._initials: Ints | None = None
        self._nicknames: Ints | None = None
        self._company_mail: Ints | None = None
        self._namesake_mail: Ints | None = None

    def derived(self, make: Callable[[str], str]) -> Ints:
        """The codes of ``make(value)`` per record (``NULL`` where missing)."""
        table: dict[str, int] = {}
        per_value = np.array(
            [table.setdefault(make(v), len(table)) for v in self.values] + [NULL],
            dtype=np.int64,
        )
        return per_value[self.codes]  # NULL (-1) picks the last entry: NULL

    def word_table(self) -> tuple[NDArray[np.object_], Ints, NDArray[np.bool_], NDArray[np.bool_]]:
        """Per value: its words in a row of :data:`_MOST_WORDS` columns ("" past its last),
        how many, whether it has more, and which of its words are one letter long. A word is
        one string however many values hold it: the comparisons read the same few thousand
        words again and again, not a copy of each far away in memory."""
        if self._words is None:
            once: dict[str, str] = {}
            split = [[once.setdefault(w, w) for w in value.split()] for value in self.values]
            table = np.full((len(split) + 1, _MOST_WORDS), "", dtype=object)
            short = np.zeros((len(split) + 1, _MOST_WORDS), dtype=bool)
            for row, found in enumerate(split):
                kept = found[:_MOST_WORDS]
                table[row, : len(kept)] = kept
                short[row, : len(kept)] = [len(word) < 2 for word in kept]  # noqa: PLR2004
            counts = np.array([len(found) for found in split] + [0], dtype=np.int64)
            self._words = (table, np.minimum(counts, _MOST_WORDS), counts > _MOST_WORDS, short)
        return self._words

    @property
    def ranks(self) -> Ints:
        """Per record, the rank of its value in code-point order (``NULL`` where missing)."""
        if self._ranks is None:
            by_value = _argsort(self.values)
            rank = np.empty(len(self.values) + 1, dtype=np.int64)
            rank[by_value] = np.arange(len(self.values))
            rank[-1] = NULL
            self._ranks = rank[self.codes]
        return self._ranks

    @property
    def folded(self) -> Ints:
        if self._folded is None:
            self._folded = self.derived(fold)
        return self._folded

    @property
    def initials(self) -> Ints:
        if self._initials is None:
            self._initials = self.derived(lambda v: fold(v)[:1] or v[:1])
        return self._initials

    @property
    def nicknames(self) -> Ints:
        """Per record, the code of its name with each first name in its full form
        (:func:`nickname_key`)."""
        if self._nicknames is None:
            self._nicknames = self.derived(nickname_key)
        return self._nicknames

    @property
    def company_mail(self) -> Ints:
        """Per record, the code of its email's company domain (a free-mail address: a code of
        its own)."""
        if self._company_mail is None:
            self._company_mail = self.derived(_company_domain)
        return self._company_mail

    @property
    def namesake_mail(self) -> Ints:
        """Per record, the code of the name its email spells at a company's own domain
        (:func:`_namesake_mail`; a free-mail address: a code of its own)."""
        if self._namesake_mail is None:
            self._namesake_mail = self.derived(_namesake_mail)
        return self._namesake_mail


class Table:
    """The records' fields the model reads, normalised per comparison and encoded."""

    def __init__(self, records: Sequence[object], comparisons: Sequence[Comparison]) -> None:
        self.size = len(records)
        self.ids = [record_id(r) for r in records]
        self._records = records
        self._raw: dict[str, list[object]] = {}
        self._columns: dict[tuple[str, Normalise], Column] = {}
        self._shared: dict[tuple[str, str, Normalise], tuple[Ints, Ints]] = {}
        self.comparisons = comparisons

    def raw(self, field: str) -> list[object]:
        if field not in self._raw:
            self._raw[field] = [raw_value(r, field) for r in self._records]
        return self._raw[field]

    def column(self, field: str, how: Normalise) -> Column:
        if (field, how) not in self._columns:
            self._columns[field, how] = Column(self._prepared(field, how))
        return self._columns[field, how]

    def _prepared(self, field: str, how: Normalise) -> list[str | None]:
        memo: dict[object, str | None] = {}
        out = []
        for value in self.raw(field):
            try:
                out.append(memo[value])
            except KeyError:
                out.append(memo.setdefault(value, normalised(value, how)))
            except TypeError:  # a value that cannot be a dict key (a list in custom)
                out.append(normalised(value, how))
        return out

    def shared(self, first: str, second: str, how: Normalise) -> tuple[Ints, Ints]:
        """The codes of two fields in one table (for a swapped level)."""
        if (first, second, how) not in self._shared:
            both = Column(self._prepared(first, how) + self._prepared(second, how))
            self._shared[first, second, how] = (both.codes[: self.size], both.codes[self.size :])
        return self._shared[first, second, how]


# -- blocking ---------------------------------------------------------------------------------


def _key_codes(table: Table, keys: Sequence[BlockKey], hows: Mapping[str, Normalise]) -> Ints:
    """Per record, the code of its blocking key (``NULL`` when any part is missing); a field
    is prepared as its comparison prepares it (``text`` when none compares it)."""
    combined: Ints | None = None
    for key in keys:
        column = table.column(key.field, hows.get(key.field, Normalise.text))
        if key.how == "prefix":
            codes = column.derived(_prefix(key.length))
        elif key.how == "suffix":
            codes = column.derived(_suffix(key.length))
        elif key.how == "sound":
            codes = column.folded
        elif key.how == "nickname":
            codes = column.nicknames
        else:
            codes = column.codes
        if combined is None:
            combined = codes.copy()
        else:
            width = int(codes.max(initial=0)) + 2
            missing = (combined < 0) | (codes < 0)
            combined = combined * width + codes + 1
            combined[missing] = NULL
    return combined if combined is not None else np.full(table.size, NULL, dtype=np.int64)


def _prefix(length: int) -> Callable[[str], str]:
    return lambda value: value[:length]


def _suffix(length: int) -> Callable[[str], str]:
    return lambda value: value[-length:]


def block_pairs(
    table: Table,
    keys: Sequence[BlockKey],
    order: Ints,
    *,
    max_block: int,
    window: int,
    hows: Mapping[str, Normalise],
    then_by: str | None = None,
) -> Ints:
    """Candidate pairs of one rule, each as ``i * size + j`` (``i < j``): records with the
    same key; every pair in a block of up to ``max_block`` records, and in a larger block a
    sorted neighbourhood — each record with the ``window`` after it, the block sorted by the
    full values of the keys' fields, then of ``then_by`` (the records most alike side by
    side), then by id (``order`` ranks the records by id, so the pairs do not depend on the
    order the records came in). At most ``max(max_block, window)`` pairs per record."""
    codes = _key_codes(table, keys, hows)
    present = np.flatnonzero(codes >= 0)
    if present.size < 2:  # noqa: PLR2004
        return np.empty(0, dtype=np.int64)
    fields = [key.field for key in keys] + ([then_by] if then_by else [])
    ranks = [table.column(f, hows.get(f, Normalise.text)).ranks[present] for f in fields]
    sort = present[np.lexsort((order[present], *reversed(ranks), codes[present]))]
    sorted_codes = codes[sort]
    same = sorted_codes[1:] == sorted_codes[:-1]
    starts = np.flatnonzero(np.concatenate(([True], ~same)))
    sizes = np.diff(np.append(starts, sorted_codes.size))
    small = np.repeat(sizes <= max_block, sizes)  # per sorted position: its block is small
    out: list[Ints] = []
    reach = np.flatnonzero(same)  # positions p whose block goes on to p + d
    d = 1
    while reach.size:
        if d > window:  # a large block's neighbourhood ends here; a small block goes on
            reach = reach[small[reach]]
            if not reach.size:
                break
        a, b = sort[reach], sort[reach + d]
        out.append(np.minimum(a, b) * table.size + np.maximum(a, b))
        further = reach + d
        inside = further < same.size
        reach = reach[inside][same[further[inside]]]
        d += 1
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


def id_order(table: Table) -> Ints:
    """Each record's rank by id."""
    ranks = np.empty(table.size, dtype=np.int64)
    ranks[_argsort(table.ids)] = np.arange(table.size)
    return ranks


def _argsort(texts: Sequence[str]) -> Ints:
    """The positions of ``texts`` in code-point order, stably (as ``np.argsort`` of an object
    array, which compares them through Python one pair at a time: twice as slow)."""
    return np.fromiter(
        sorted(range(len(texts)), key=texts.__getitem__), dtype=np.int64, count=len(texts)
    )


# -- levels -----------------------------------------------------------------------------------


def _similar(
    column: Column, left: Ints, right: Ints, score: Callable[[Sequence[str], Sequence[str]], Any]
) -> NDArray[np.float64]:
    """``score`` of each pair of value codes (element-wise, in C for rapidfuzz's scorers),
    the pairs taken in the order of their second value: a value's string lies in memory near
    those of the values coded next to it, so among a million values, most of them met once,
    the strings are read as they lie, not at random."""
    if left.size == 0:
        return np.empty(0, dtype=np.float64)
    values = column.objects
    by = np.argsort(right)
    pairs = cast(Sequence[str], values[left[by]]), cast(Sequence[str], values[right[by]])
    out = np.empty(left.size, dtype=np.float64)
    out[by] = np.asarray(score(*pairs), dtype=np.float64)
    return out


def _jaro_winkler(a: Sequence[str], b: Sequence[str]) -> Any:
    return cpdist(a, b, scorer=JaroWinkler.normalized_similarity, workers=1, dtype=np.float64)


def _levenshtein(a: Sequence[str], b: Sequence[str]) -> Any:
    return cpdist(a, b, scorer=Levenshtein.distance, workers=1)


def _damerau(a: Sequence[str], b: Sequence[str]) -> Any:
    return cpdist(a, b, scorer=OSA.distance, workers=1)


_MOST_WORDS = 4  # words per name compared column-wise; a longer name goes word by word


def _word_similarity(a: Sequence[str], b: Sequence[str]) -> list[float]:
    """:func:`name_similarity` of each pair (the slow path, for names of many words)."""
    return [name_similarity(x, y) for x, y in zip(a, b, strict=True)]


def _some_word(a: Sequence[str], b: Sequence[str]) -> list[float]:
    """The best similarity of a word of one name to a word of the other (words of two letters
    or more; 0 for none), each pair (the slow path, for names of many words)."""
    out = []
    for x, y in zip(a, b, strict=True):
        words_x = [w for w in x.split() if len(w) > 1]
        words_y = [w for w in y.split() if len(w) > 1]
        out.append(max((similarity(v, w) for v in words_x for w in words_y), default=0.0))
    return out


def _word_grid(
    words: NDArray[np.object_], counts: Ints, left: Ints, right: Ints
) -> NDArray[np.float64]:
    """``grid[k, i, j]``: the similarity of word ``i`` of value ``left[k]`` to word ``j`` of
    value ``right[k]`` (optimal string alignment, as :func:`similarity`); -1 where either has
    no such word."""
    grid = np.full((left.size, _MOST_WORDS, _MOST_WORDS), -1.0)
    for i in range(_MOST_WORDS):
        for j in range(_MOST_WORDS):
            both = np.flatnonzero((counts[left] > i) & (counts[right] > j))
            if both.size:
                grid[both, i, j] = cpdist(
                    cast(Sequence[str], words[left[both], i]),
                    cast(Sequence[str], words[right[both], j]),
                    scorer=OSA.normalized_similarity,
                    workers=1,
                    dtype=np.float64,
                )
    return grid


def _names_alike(column: Column, left: Ints, right: Ints) -> tuple[Floats, Floats]:
    """Per pair of value codes, :func:`name_similarity` and the best similarity of any two
    words of two letters or more (``words`` and ``some_word``), from one grid of word
    similarities computed column-wise in C; names of more words than :data:`_MOST_WORDS` go
    through the slow path."""
    words, counts, long, short = column.word_table()
    alike, some = np.zeros(left.size), np.zeros(left.size)
    slow = long[left] | long[right]
    fast = np.flatnonzero(~slow)
    if fast.size:
        a, b = left[fast], right[fast]
        grid = _word_grid(words, counts, a, b)
        na, nb = counts[a], counts[b]
        inside = np.arange(_MOST_WORDS)
        by_a = np.where(inside[None, :] < na[:, None], grid.max(axis=2), np.inf).min(axis=1)
        by_b = np.where(inside[None, :] < nb[:, None], grid.max(axis=1), np.inf).min(axis=1)
        both = np.where(na < nb, by_a, np.where(na > nb, by_b, np.minimum(by_a, by_b)))
        alike[fast] = np.where((na == 0) | (nb == 0), 0.0, both)
        kept = ~(short[a][:, :, None] | short[b][:, None, :])  # words of two letters or more
        some[fast] = np.maximum(np.where(kept, grid, -1.0).max(axis=(1, 2)), 0.0)
    rest = np.flatnonzero(slow)
    if rest.size:
        values = column.objects
        a_values = cast(Sequence[str], values[left[rest]])
        b_values = cast(Sequence[str], values[right[rest]])
        alike[rest] = _word_similarity(a_values, b_values)
        some[rest] = _some_word(a_values, b_values)
    return alike, some


_SCORES = {
    LevelKind.jaro_winkler: _jaro_winkler,
    LevelKind.levenshtein: _levenshtein,
    LevelKind.damerau: _damerau,
}


_SAME_FORM: dict[LevelKind, Callable[[Column], Ints]] = {
    LevelKind.exact: lambda column: column.codes,
    LevelKind.folded: lambda column: column.folded,
    LevelKind.nickname: lambda column: column.nicknames,
    LevelKind.initial: lambda column: column.initials,
    LevelKind.same_company_mail: lambda column: column.company_mail,
    LevelKind.namesake_mail: lambda column: column.namesake_mail,
}
"""The levels that hold when the two values have one form (each a form per record, made once
per column: :func:`levels` runs once per chunk of pairs)."""


def levels(table: Table, comparison: Comparison, left: Ints, right: Ints) -> Levels:
    """The level of each pair ``(left[k], right[k])`` in ``comparison``: the index of the first
    level that holds, ``len(levels)`` for the *else* level, :data:`NULL` when a value is
    missing."""
    column = table.column(comparison.field_path, comparison.normalise)
    ca, cb = column.codes[left], column.codes[right]
    out = np.full(left.size, len(comparison.levels), dtype=np.int8)
    open_ = (ca >= 0) & (cb >= 0)
    out[~open_] = NULL
    scores: dict[LevelKind, Floats] = {}
    for index, level in enumerate(comparison.levels):
        todo = np.flatnonzero(open_)
        if todo.size == 0:
            break
        kind = level.kind
        if kind in _SAME_FORM:
            form = _SAME_FORM[kind](column)
            hit = (form[left[todo]] == form[right[todo]]) & (form[left[todo]] >= 0)
        elif kind is LevelKind.swapped:
            hit = _swapped(table, comparison, left[todo], right[todo])
        else:
            if kind not in scores:  # once per kind, for the pairs still open (a subset follows)
                _score(scores, column, ca, cb, todo=todo, kind=kind)
            found = scores[kind][todo]
            limit = float(level.threshold or 0)
            edits = kind in (LevelKind.levenshtein, LevelKind.damerau)
            hit = found <= limit if edits else found >= limit
        chosen = todo[hit]
        out[chosen] = index
        open_[chosen] = False
    return out


def _score(
    scores: dict[LevelKind, Floats],
    column: Column,
    ca: Ints,
    cb: Ints,
    *,
    todo: Ints,
    kind: LevelKind,
) -> None:
    """Fill ``scores[kind]`` for the pairs ``todo`` (both name kinds at once: one grid)."""
    if kind in (LevelKind.words, LevelKind.some_word):
        alike, some = _names_alike(column, ca[todo], cb[todo])
        for name, found in ((LevelKind.words, alike), (LevelKind.some_word, some)):
            if name not in scores:
                scores[name] = np.zeros(ca.size)
                scores[name][todo] = found
        return
    scores[kind] = np.zeros(ca.size)
    scores[kind][todo] = _similar(column, ca[todo], cb[todo], _SCORES[kind])


def _swapped(table: Table, comparison: Comparison, left: Ints, right: Ints) -> NDArray[np.bool_]:
    other_field = comparison.swap_with or comparison.field_path  # Comparison requires it
    mine, other = table.shared(comparison.field_path, other_field, comparison.normalise)
    return cast(
        NDArray[np.bool_],
        (mine[left] >= 0)
        & (other[left] >= 0)
        & (mine[left] == other[right])
        & (other[left] == mine[right]),
    )
