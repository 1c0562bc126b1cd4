"""The probabilistic matcher's vocabulary: a :class:`MatchModel` as data.

A model says how to compare two records and how much each outcome is worth, in the
Fellegi–Sunter way:

* **Comparisons** (:class:`Comparison`): one field of the records (a person's ``name``, the
  ``email_local`` part, ``phone``, ``messenger``, ``company``, ``custom.<key>``, or a column
  of plain mapping records), and its **levels** (:class:`Level`) from the closest agreement
  down: ``exact``, then similarity thresholds (Jaro–Winkler, Levenshtein, Damerau–Levenshtein,
  word by word for names), ``folded`` (the same after transliteration and sound folding:
  ``Олена`` / ``Olena``), ``swapped`` (this field of one record equals ``swap_with`` of the
  other: a first and a last name swapped), ``initial``; a pair that reaches no level is in the
  comparison's *else* level, and a pair where either value is missing counts for nothing.
* **Weights**: each level has ``m`` (how often true matches reach it) and ``u`` (how often two
  different people do); its Bayes factor is ``m / u``. With ``tf`` (term frequency), an exact
  agreement on a common value (``Ivan``) weighs less than one on a rare value: its ``u`` is the
  value's frequency (:attr:`Comparison.frequencies`).
* **Blocking** (:class:`Blocking`): which pairs are compared at all — records that agree on any
  one rule (several rules OR-ed, each an AND of keys: a field exactly, its first or last ``n``
  characters, its folded sound, its nickname form), so that a typo in one field does not
  hide a pair; a block of more than ``max_block`` records is paired as a sorted
  neighbourhood (each record with its ``window`` nearest in the order of the keys' full
  values), so each record meets a bounded number of others per rule and the work stays
  linear in the records.
* ``prior``: the probability that two records drawn at random are the same person.

:func:`~leadmodel.domain.matching.linkage.fit` estimates ``m``, ``u``, ``prior`` and the
frequencies from unlabelled records (expectation maximisation; ``u`` from random pairs) or
from labelled pairs; :func:`~leadmodel.domain.matching.linkage.score_pairs` and
:func:`~leadmodel.domain.matching.linkage.cluster` use them. A model is a spec: ``to_dict`` /
``from_dict`` / TOML, so a trained model is saved and reloaded exactly.

>>> model = MatchModel(comparisons=[
...     Comparison(field_path="name", levels=[Level("exact"), Level("words", 0.85)], tf=True),
...     Comparison(field_path="email_local", levels=[Level("exact"), Level("damerau", 1)])],
...     blocking=[Blocking(keys=["name"]), Blocking(keys=["prefix(email_local, 4)"])])
>>> [c.key for c in model.comparisons], model.trained
(['name', 'email_local'], False)
>>> MatchModel.from_dict(model.to_dict()) == model
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, Final

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.documents import Spec
from leadmodel.errors import Problem

__all__ = [
    "DEFAULT_MAX_BLOCK",
    "PERSON_MODEL",
    "BlockKey",
    "Blocking",
    "Comparison",
    "Level",
    "LevelKind",
    "MatchModel",
]

DEFAULT_MAX_BLOCK: Final = 50
"""How many records one blocking key may pair with each other in full; a larger block is
paired as a sorted neighbourhood (each record with the ``window`` after it, the block sorted
by the keys' full values: the records most alike side by side)."""

DEFAULT_WINDOW: Final = 10
"""How many neighbours each record of a block larger than ``max_block`` is compared with."""

_MAX_TEXT = 200
_LEAST = 2  # records: a population smaller has no pairs
_PROBABILITY_HINT = "a probability strictly between 0 and 1"


def _table(value: Any) -> Any:
    """An attrs converter: a mapping as a dict of its own (anything else as given)."""
    return dict(value) if isinstance(value, Mapping) else value


def _level_kind(value: Any) -> Any:
    return c.as_member(LevelKind, value)


def _normalise(value: Any) -> Any:
    return c.as_member(Normalise, value)


class LevelKind(StrEnum):
    """How a :class:`Level` decides that two values agree."""

    exact = "exact"
    """Equal (after the comparison's normalisation)."""
    jaro_winkler = "jaro_winkler"
    """Jaro–Winkler similarity of at least ``threshold`` (0–1)."""
    levenshtein = "levenshtein"
    """At most ``threshold`` insertions, deletions or substitutions."""
    damerau = "damerau"
    """At most ``threshold`` edits, a swap of two neighbours counting as one."""
    words = "words"
    """Names compared word by word, in any order, similarity at least ``threshold``."""
    some_word = "some_word"
    """Names sharing at least one word (of two letters or more) at similarity ``threshold`` or
    above: the surname kept while the first name became a nickname (``Ivan``/``Vania``)."""
    nickname = "nickname"
    """The same name once each first name is in its full form (``Vania``, ``Ваня`` → ``Іван``;
    ``Sasha`` → ``Олександр``; a table of common Ukrainian and Russian diminutives and English
    short forms). Compare names normalised as ``name``."""
    folded = "folded"
    """Equal after transliteration and sound folding (``Олена``, ``Olena``, ``Alyona``...)."""
    swapped = "swapped"
    """This field of each record equals the comparison's ``swap_with`` field of the other."""
    initial = "initial"
    """The same first letter (after folding)."""
    same_company_mail = "same_company_mail"
    """Two email addresses at the same company's own domain (not a free-mail one such as
    gmail.com): colleagues, since a company gives each person one mailbox; weighs against."""
    namesake_mail = "namesake_mail"
    """Two addresses at the same company's own domain whose local parts spell one name two
    ways — a dot put in or left out, another transliteration (``olena.koval``, ``olenakoval``,
    ``olena.kowal``): the mailboxes a company makes for two namesakes, not a slip of the
    keyboard (which changes a letter at random; a doubled letter is one). Weighs against; put
    it before the edit-distance levels, which would take it for a typo."""


_THRESHOLD = {
    LevelKind.jaro_winkler: "a similarity from 0 to 1, such as 0.9",
    LevelKind.words: "a similarity from 0 to 1, such as 0.85",
    LevelKind.some_word: "a similarity from 0 to 1, such as 0.9",
    LevelKind.levenshtein: "a whole number of edits, 1 or more, such as 1",
    LevelKind.damerau: "a whole number of edits, 1 or more, such as 1",
}


@attrs.frozen
class Level(Spec):
    """One level of a :class:`Comparison`: ``kind``, its ``threshold`` where the kind takes one,
    and, once trained, ``m`` and ``u``: the probabilities that a true match and a non-match
    reach this level (and no closer one). A ``fixed`` level keeps the ``m`` it is given
    through training (what you know and the data cannot show: colleagues at one company
    have different mailboxes, which unlabelled data mistakes for one person's two addresses).

    >>> Level("jaro_winkler", 0.9)
    Level(kind=<LevelKind.jaro_winkler: 'jaro_winkler'>, threshold=0.9, m=None, u=None, fixed=False)
    >>> Level("levenshtein", 0.5)
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: Level.threshold: a whole number of edits, 1 or more, ...
    """

    kind: LevelKind = attrs.field(converter=_level_kind)
    threshold: float | None = None
    m: float | None = None
    u: float | None = None
    fixed: bool = False

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.member(p, "kind", self.kind, LevelKind)
        if not p:
            _check_threshold(p, self.kind, self.threshold)
        for name in ("m", "u"):
            value = getattr(self, name)
            if value is not None and not _probability(value):
                p.append(Problem(name, _PROBABILITY_HINT, value))
        if type(self.fixed) is not bool:
            p.append(Problem("fixed", "fixed is True or False", self.fixed))
        elif self.fixed and self.m is None:
            p.append(Problem("m", "a fixed level gives its m (what you know of true matches)"))
        elif (self.m is None) != (self.u is None) and not self.fixed:
            p.append(Problem("u", "m and u are set together (a trained level) or neither"))
        if p:
            c.fail("Level", p)

    @property
    def label(self) -> str:
        """The level in words: ``exact``, ``jaro_winkler >= 0.9``, ``damerau <= 1``..."""
        if self.threshold is None:
            return self.kind.value
        sign = "<=" if self.kind in (LevelKind.levenshtein, LevelKind.damerau) else ">="
        return f"{self.kind.value} {sign} {self.threshold:g}"


def _check_threshold(p: c.Problems, kind: LevelKind, threshold: object) -> None:
    hint = _THRESHOLD.get(kind)
    if hint is None:
        if threshold is not None:
            p.append(Problem("threshold", f"a {kind.value} level takes no threshold", threshold))
        return
    if kind in (LevelKind.levenshtein, LevelKind.damerau):
        ok = type(threshold) in (int, float) and threshold >= 1 and float(threshold).is_integer()  # type: ignore[operator, arg-type]
    else:
        ok = type(threshold) in (int, float) and 0 < threshold <= 1  # type: ignore[operator]
    if not ok:
        p.append(Problem("threshold", hint, threshold))


def _probability(value: object) -> bool:
    return type(value) is float and 0 < value < 1 and math.isfinite(value)


class Normalise(StrEnum):
    """How a comparison prepares its values before comparing them."""

    text = "text"
    """Trimmed, lower case, inner spaces collapsed."""
    name = "name"
    """A person's or company's name: transliterated, folded, words sorted (``Коваль Олена`` and
    ``olena kowal`` alike)."""
    digits = "digits"
    """Only the digits (phones, postcodes, dates written any way)."""
    none = "none"
    """As given (only trimmed)."""


_KEY = re.compile(r"^(?:(prefix|suffix)\((.+?),\s*(\d+)\)|(sound|nickname)\((.+?)\)|([^()]+))$")


@attrs.frozen
class BlockKey:
    """One key of a :class:`Blocking` rule, parsed from its text: ``field`` (exact),
    ``prefix(field, n)``, ``suffix(field, n)``, ``sound(field)`` (transliterated and folded:
    ``Олена`` and ``Alena`` share it) or ``nickname(field)`` (a name with its first names in
    full: ``Vania Koval`` and ``Іван Коваль`` share it).

    >>> BlockKey.parse("prefix(email_local, 4)")
    BlockKey(field='email_local', how='prefix', length=4)
    >>> str(BlockKey.parse("sound(name)"))
    'sound(name)'
    """

    field: str
    how: str = "exact"
    length: int = 0

    @classmethod
    def parse(cls, text: str) -> BlockKey:
        """The key a text names; ``ValueError`` for one that names none."""
        found = _KEY.match(text.strip())
        if found is None:
            raise ValueError(text)
        how, field, length, sound, sounded, plain = found.groups()
        if how:
            if int(length) < 1:
                raise ValueError(text)
            return cls(field.strip(), how, int(length))
        if sound:
            return cls(sounded.strip(), sound)
        return cls(plain.strip())

    def __str__(self) -> str:
        if self.how in ("prefix", "suffix"):
            return f"{self.how}({self.field}, {self.length})"
        return f"{self.how}({self.field})" if self.how in ("sound", "nickname") else self.field


_KEY_HINT = (
    "a blocking key: a field ('surname'), 'prefix(field, n)', 'suffix(field, n)' or 'sound(field)'"
)


@attrs.frozen(kw_only=True)
class Blocking(Spec):
    """Records that agree on every key of ``keys`` are compared (rules of one model are OR-ed).

    >>> Blocking(keys=["sound(name)", "prefix(email_domain, 3)"]).parsed[1].length
    3
    >>> Blocking(keys=["prefix(name)"])
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: Blocking.keys[0]: a blocking key: a field ('surname'), ...
    """

    keys: tuple[str, ...] = attrs.field(converter=c.as_tuple)

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        if not self.keys:
            p.append(Problem("keys", "a blocking rule needs at least one key", self.keys))
        for i, key in enumerate(self.keys):
            if type(key) is not str or not key.strip() or len(key) > _MAX_TEXT:
                p.append(Problem(f"keys[{i}]", _KEY_HINT, key))
                continue
            try:
                BlockKey.parse(key)
            except ValueError:
                p.append(Problem(f"keys[{i}]", _KEY_HINT, key))
        if p:
            c.fail("Blocking", p)

    @property
    def parsed(self) -> tuple[BlockKey, ...]:
        """The keys, parsed."""
        return tuple(BlockKey.parse(key) for key in self.keys)

    @property
    def fields(self) -> frozenset[str]:
        """The fields the rule reads."""
        return frozenset(key.field for key in self.parsed)


@attrs.frozen(kw_only=True)
class Comparison(Spec):
    """How one field of two records is compared: ``levels`` from the closest agreement down
    (the *else* level after them is implicit), values prepared by ``normalise``; ``key`` names
    the comparison (default: the field). ``swap_with`` is the other field a ``swapped`` level
    looks at. ``tf``: weigh an exact agreement by how rare the value is. Once trained,
    ``else_m``/``else_u`` are the *else* level's probabilities and ``frequencies`` the values
    common enough to weigh less (value → share of records).

    >>> Comparison(field_path="surname", levels=[Level("exact"), Level("jaro_winkler", 0.9)]).labels
    ('exact', 'jaro_winkler >= 0.9', 'else')
    """

    field_path: str
    levels: tuple[Level, ...] = attrs.field(converter=c.as_tuple)
    key: str = ""
    normalise: Normalise = attrs.field(default=Normalise.text, converter=_normalise)
    swap_with: str | None = None
    tf: bool = False
    else_m: float | None = None
    else_u: float | None = None
    frequencies: Mapping[str, float] = attrs.field(factory=dict, converter=_table)

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        what = "the field compared, such as 'name', 'email_local' or 'custom.city'"
        c.text(p, "field_path", self.field_path, what)
        if not self.key and type(self.field_path) is str:
            object.__setattr__(self, "key", self.field_path)
        c.text(p, "key", self.key, "the comparison's name")
        c.member(p, "normalise", self.normalise, Normalise)
        c.tuple_of(p, "levels", self.levels, Level)
        if not self.levels:
            p.append(Problem("levels", "a comparison needs at least one level, such as 'exact'"))
        c.opt_text(p, "swap_with", self.swap_with, "the field a swapped level compares with")
        kinds = [level.kind for level in self.levels if isinstance(level, Level)]
        if LevelKind.swapped in kinds and self.swap_with is None:
            p.append(Problem("swap_with", "a swapped level needs swap_with= (the other field)"))
        if len(set(kinds)) < len(kinds) and len({lv.label for lv in self.levels}) < len(kinds):
            p.append(Problem("levels", "each level once", [lv.label for lv in self.levels]))
        if type(self.tf) is not bool:
            p.append(Problem("tf", "tf is True or False", self.tf))
        for name in ("else_m", "else_u"):
            value = getattr(self, name)
            if value is not None and not _probability(value):
                p.append(Problem(name, _PROBABILITY_HINT, value))
        for value, share in self.frequencies.items():
            if type(value) is not str or not _probability(share):
                p.append(Problem(f"frequencies[{value!r}]", _PROBABILITY_HINT, share))
                break
        if p:
            c.fail("Comparison", p)

    @property
    def labels(self) -> tuple[str, ...]:
        """The levels in words, the *else* level last."""
        return (*(level.label for level in self.levels), "else")

    @property
    def trained(self) -> bool:
        """Whether every level has ``m`` and ``u``."""
        return self.else_m is not None and all(level.m is not None for level in self.levels)

    def weights(self) -> tuple[float, ...]:
        """log2 of each level's Bayes factor ``m / u``, the *else* level last (trained only).

        >>> Comparison(field_path="name", levels=[Level("exact", m=0.8, u=0.1)], else_m=0.2,
        ...     else_u=0.8).weights()
        (3.0, -2.0)
        """
        pairs = [(level.m, level.u) for level in self.levels] + [(self.else_m, self.else_u)]
        return tuple(math.log2(m / u) for m, u in pairs if m is not None and u is not None)


@attrs.frozen(kw_only=True)
class MatchModel(Spec):
    """A probabilistic matcher as data: ``comparisons``, ``blocking`` rules (OR-ed), the
    ``prior`` (the probability that two records drawn at random are the same person),
    ``population`` (how many records the prior is for: :func:`~leadmodel.fit` sets it to the
    records it learnt from; scoring ``n`` records scales the prior by ``population / n``, since
    among more records two drawn at random are less likely the same person — ``None``: the
    prior as it is), ``max_block`` and ``window`` (see :data:`DEFAULT_MAX_BLOCK`), and two
    thresholds on the
    match probability: pairs at ``merge_at`` or above are safe to merge, pairs from ``threshold`` to
    it are for a person to look at. See the module docstring.

    >>> MatchModel(comparisons=[], blocking=[])
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: 2 problems:
      MatchModel.comparisons: a model needs at least one comparison
      MatchModel.blocking: a model needs at least one blocking rule
    """

    comparisons: tuple[Comparison, ...] = attrs.field(converter=c.as_tuple)
    blocking: tuple[Blocking, ...] = attrs.field(converter=c.as_tuple)
    prior: float | None = None
    population: int | None = None
    max_block: int = DEFAULT_MAX_BLOCK
    window: int = DEFAULT_WINDOW
    merge_at: float = 0.99
    threshold: float = 0.5

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.tuple_of(p, "comparisons", self.comparisons, Comparison)
        c.tuple_of(p, "blocking", self.blocking, Blocking)
        if not self.comparisons:
            p.append(Problem("comparisons", "a model needs at least one comparison"))
        if not self.blocking:
            p.append(Problem("blocking", "a model needs at least one blocking rule"))
        keys = [x.key for x in self.comparisons if isinstance(x, Comparison)]
        if len(set(keys)) < len(keys):
            p.append(Problem("comparisons", "each comparison key once", keys))
        if self.prior is not None and not _probability(self.prior):
            p.append(Problem("prior", _PROBABILITY_HINT, self.prior))
        population = self.population
        if population is not None and (type(population) is not int or population < _LEAST):
            hint = "how many records the prior is for: a whole number, 2 or more (or None)"
            p.append(Problem("population", hint, self.population))
        if type(self.max_block) is not int or not 2 <= self.max_block <= 100_000:  # noqa: PLR2004
            p.append(Problem("max_block", "a whole number from 2 to 100,000", self.max_block))
        if type(self.window) is not int or not 1 <= self.window <= 10_000:  # noqa: PLR2004
            p.append(Problem("window", "a whole number from 1 to 10,000", self.window))
        for name in ("merge_at", "threshold"):
            value = getattr(self, name)
            if type(value) is not float or not 0 < value < 1:
                p.append(Problem(name, "a probability strictly between 0 and 1", value))
        if not p and self.threshold > self.merge_at:
            p.append(Problem("threshold", "threshold is at most merge_at", self.threshold))
        if p:
            c.fail("MatchModel", p)

    @property
    def trained(self) -> bool:
        """Whether the model has its prior and every comparison its weights."""
        return self.prior is not None and all(x.trained for x in self.comparisons)

    @property
    def fields(self) -> tuple[str, ...]:
        """Every field the model reads, in order of first use."""
        seen: dict[str, None] = {}
        for comparison in self.comparisons:
            seen[comparison.field_path] = None
            if comparison.swap_with:
                seen[comparison.swap_with] = None
        for rule in self.blocking:
            for key in rule.parsed:
                seen[key.field] = None
        return tuple(seen)


def with_weights(
    model: MatchModel,
    m: Sequence[Sequence[float]] | Sequence[Any],
    u: Sequence[Sequence[float]] | Sequence[Any],
    prior: float,
    frequencies: Sequence[Mapping[str, float]],
    *,
    population: int | None = None,
) -> MatchModel:
    """``model`` with trained ``m``/``u`` per comparison level (the *else* level last), its
    prior and frequency tables."""
    made = []
    for comparison, ms, us, freq in zip(model.comparisons, m, u, frequencies, strict=True):
        levels = [
            attrs.evolve(
                level,
                m=float(ms[i]),
                u=float(us[i]) if level.u is None or not level.fixed else level.u,
            )
            for i, level in enumerate(comparison.levels)
        ]
        made.append(
            attrs.evolve(
                comparison,
                levels=levels,
                else_m=float(ms[-1]),
                else_u=float(us[-1]),
                frequencies={str(k): float(v) for k, v in freq.items()},
            )
        )
    return attrs.evolve(model, comparisons=made, prior=float(prior), population=population)


def _people() -> MatchModel:
    level, compare, block = Level, Comparison, Blocking
    return MatchModel(
        comparisons=[
            compare(
                field_path="name",
                normalise=Normalise.name,
                levels=[
                    level(LevelKind.exact),
                    level(LevelKind.nickname),
                    level(LevelKind.words, 0.88),
                    level(LevelKind.words, 0.75),
                    level(LevelKind.words, 0.6),
                    level(LevelKind.some_word, 0.9, m=0.02, fixed=True),
                ],
                tf=True,
            ),
            compare(
                field_path="email",
                levels=[
                    level(LevelKind.exact),
                    level(LevelKind.namesake_mail, m=1e-9, fixed=True),
                    level(LevelKind.damerau, 1),
                    level(LevelKind.same_company_mail, m=1e-9, fixed=True),
                    level(LevelKind.jaro_winkler, 0.88),
                ],
            ),
            compare(field_path="phone", levels=[level(LevelKind.exact, m=0.9, fixed=True)]),
            compare(field_path="messenger", levels=[level(LevelKind.exact, m=0.9, fixed=True)]),
            compare(
                field_path="company_id", key="company", levels=[level(LevelKind.exact)], tf=True
            ),
            compare(
                field_path="custom.city",
                key="city",
                normalise=Normalise.name,
                levels=[level(LevelKind.exact)],
                tf=True,
            ),
        ],
        blocking=[
            block(keys=["nickname(name)"]),
            block(keys=["email_local"]),
            block(keys=["phone"]),
            block(keys=["messenger"]),
            block(keys=["prefix(email_local, 3)", "email_domain"]),
            block(keys=["suffix(email_local, 3)", "email_domain"]),
            block(keys=["sound(last_name)"]),
            block(keys=["sound(first_name)", "company_id"]),
        ],
    )


PERSON_MODEL: Final = _people()
"""An untrained model for people's records (interests, leads, contacts): the name
(transliterated and folded, word by word, a word kept under a nickname), the email (exact, a
typo away, or — weighing strongly against — another mailbox at the same company's own
domain, the more so one that spells the same name another way: a namesake's), the phone, the
messenger handle, the company and ``custom.city``; blocked on the name, the email's local
part (whole, its first or last three characters at the same domain), the phone, the
messenger handle, the last name's sound, and the first name's sound at one company. Train it
on your records: ``lm.fit(records, lm.PERSON_MODEL)``.

>>> [comparison.key for comparison in PERSON_MODEL.comparisons]
['name', 'email', 'phone', 'messenger', 'company', 'city']
"""
