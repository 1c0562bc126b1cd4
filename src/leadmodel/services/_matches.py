"""Incremental matching against a store: is this record a person the store already knows?

:func:`find_matches` reads only what a record's match keys reach: for each key of the record
(:func:`~leadmodel.match_keys`) and each kind asked for, one lookup in the store's key index
(``find(key=..., limit=per_key)``), never a scan. The candidates found are scored against the
record by a trained :class:`~leadmodel.MatchModel` (:func:`~leadmodel.score_record`: no
blocking, the keys chose them), and the likely ones explained. Its cost is bounded by the
record's keys times ``per_key`` times the kinds, whatever the size of the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Final, Literal, cast

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.matching import MatchModel, match_keys
from leadmodel.domain.model import Contact, Interest, Lead
from leadmodel.errors import MissingExtraError, Problem
from leadmodel.storage.protocols import Repository, UnitOfWork

if TYPE_CHECKING:
    from leadmodel.domain.matching.linkage import PairExplanation

__all__ = ["Match", "candidates_by_keys", "find_matches", "likely"]

Person = Interest | Lead | Contact
Kind = Literal["interests", "leads", "contacts"]

_KINDS: Final[tuple[Kind, ...]] = ("interests", "leads", "contacts")
_SERVICE = "services.find_matches"
_MOST: Final = 10_000  # per_key and limit: a bound on what one call may read and return
_LINKAGE = "leadmodel.domain.matching.linkage"


@attrs.frozen(kw_only=True)
class Match:
    """A stored record that may be the same person as the record asked about: its ``kind``
    (``"leads"``, ``"contacts"`` or ``"interests"``), ``id``, the match ``probability`` under
    the model, and the ``explanation`` (:class:`~leadmodel.PairExplanation`: each comparison's
    level, values and weight; ``str()`` of it reads as a table)."""

    kind: Kind
    id: str
    probability: float
    explanation: PairExplanation = attrs.field(repr=False)


def _linkage() -> ModuleType:
    """The linkage engine; :class:`~leadmodel.errors.MissingExtraError` without the extra."""
    try:
        return import_module(_LINKAGE)
    except ImportError as exc:
        missing = (exc.name or "").partition(".")[0]
        if missing not in ("numpy", "rapidfuzz"):
            raise  # a broken install, not a missing extra: show it as it is
        raise MissingExtraError(_SERVICE, extra="match", module=missing) from exc


def _kinds(p: c.Problems, kinds: object) -> tuple[Kind, ...]:
    """``kinds`` as a tuple of distinct kinds of people's records; a problem if it is not."""
    given = tuple(kinds) if isinstance(kinds, list | tuple) else ()
    if not given or any(k not in _KINDS for k in given) or len(set(given)) < len(given):
        fix = f"kinds=({kinds!r},)" if kinds in _KINDS else "kinds=('leads', 'contacts')"
        msg = f"a tuple of distinct kinds among {c.listed(_KINDS)}, such as {fix}"
        p.append(Problem("kinds", msg, kinds))
        return ()
    return cast(tuple[Kind, ...], given)


def _model(p: c.Problems, model: object) -> bool:
    """Whether ``model`` is a trained MatchModel; a problem saying how to get one if not."""
    if isinstance(model, MatchModel) and model.trained:
        return True
    msg = (
        "the model has no weights yet: train it on your records first, "
        "model = lm.fit(records, model)"
        if isinstance(model, MatchModel)
        else "a trained MatchModel, such as lm.fit(records, lm.PERSON_MODEL)"
    )
    p.append(Problem("model", msg, model))
    return False


def _whole(p: c.Problems, name: str, value: object, most: int) -> None:
    if type(value) is not int or not 1 <= value <= most:
        p.append(Problem(name, f"a whole number from 1 to {most:,}", value))


def _checked(
    record: object,
    model: object,
    *,
    kinds: object,
    threshold: object,
    per_key: object,
    limit: object,
) -> tuple[tuple[Kind, ...], float]:
    """The kinds and the threshold to use; every bad argument in one ValidationError."""
    p: c.Problems = []
    if not isinstance(record, Interest | Lead | Contact):
        msg = "an Interest, Lead or Contact, stored or not (a Customer: match its Contact)"
        p.append(Problem("record", msg, record))
    trained = _model(p, model)
    found = _kinds(p, kinds)
    at = cast(MatchModel, model).threshold if threshold is None and trained else threshold
    if at is not None and (
        isinstance(at, bool) or not isinstance(at, int | float) or not 0 <= at <= 1
    ):
        p.append(Problem("threshold", "a probability from 0 to 1 (None: the model's)", at))
    _whole(p, "per_key", per_key, _MOST)
    _whole(p, "limit", limit, _MOST)
    if p:
        c.fail(_SERVICE, p)
    return found, float(cast(float, at))


def candidates_by_keys(
    repository: Repository[Interest] | Repository[Lead] | Repository[Contact],
    keys: Iterable[str],
    per_key: int,
) -> dict[str, Person]:
    """The records sharing one of ``keys``, by id: at most ``per_key`` per key, by lookup."""
    found: dict[str, Person] = {}
    for key in keys:
        for entity in repository.find(key=key, limit=per_key):
            found.setdefault(entity.id, entity)
    return found


def _repository(
    uow: UnitOfWork, kind: Kind
) -> Repository[Interest] | Repository[Lead] | Repository[Contact]:
    return uow.interests if kind == "interests" else uow.leads if kind == "leads" else uow.contacts


def likely(
    record: Person,
    kind: Kind,
    candidates: dict[str, Person],
    model: MatchModel,
    at: float,
    *,
    limit: int,
) -> list[Match]:
    """``candidates`` of one ``kind`` scored against ``record`` inside the caller's unit of
    work (an import's): those at ``at`` or above, most likely first (the matcher's extra)."""
    if not (isinstance(model, MatchModel) and model.trained):
        c.fail(_SERVICE, [Problem("model", "a trained MatchModel, such as lm.fit(...)", model)])
    return _scored(record, {kind: candidates}, model, at, limit=limit, population=None)


def _scored(
    record: Person,
    candidates: dict[Kind, dict[str, Person]],
    model: MatchModel,
    at: float,
    *,
    limit: int,
    population: int | None,
) -> list[Match]:
    """The candidates at ``at`` or above, most likely first, at most ``limit``, explained."""
    linkage = _linkage()
    likely: list[tuple[float, Kind, str]] = []
    for kind, found in candidates.items():
        scored = linkage.score_record(record, found.values(), model, population=population)
        for entity_id, probability in scored:
            if probability < at:
                break  # score_record lists the most likely first
            likely.append((probability, kind, entity_id))
    likely.sort(key=lambda x: (-x[0], x[1], x[2]))
    chosen = likely[:limit]
    explained: dict[tuple[Kind, str], PairExplanation] = {
        (kind, i): linkage.explain_record(record, candidates[kind][i], model, population=population)
        for _, kind, i in chosen
    }
    return [
        Match(kind=kind, id=i, probability=p, explanation=explained[kind, i])
        for p, kind, i in chosen
    ]


def find_matches(
    record: Interest | Lead | Contact,
    uow: UnitOfWork,
    *,
    model: MatchModel,
    kinds: Sequence[Kind] = ("leads", "contacts"),
    threshold: float | None = None,
    per_key: int = 50,
    limit: int = 10,
    population: int | None = None,
) -> list[Match]:
    """The stored records of ``kinds`` likely to be the same person as ``record``: at most
    ``limit`` :class:`Match` records, each at ``threshold`` (default: the model's
    ``threshold``) or above, the most likely first (then by kind and id).

    ``record`` is an :class:`~leadmodel.Interest`, :class:`~leadmodel.Lead` or
    :class:`~leadmodel.Contact`, stored or not (an interest being captured, a row being
    imported). Candidates are found by the record's match keys only (:func:`~leadmodel.match_keys`:
    email, phone, handle, name key, company, domain), one indexed lookup per key and kind;
    a record without keys has no candidates. A key shared by more than ``per_key`` records
    says little about anyone: only the first ``per_key`` of them (in id order) are scored
    (``uow.contacts.count(key=...)`` tells how many share it). A stored record with
    ``record``'s id is left out. Each candidate is scored by ``model``
    (:func:`~leadmodel.score_record`) and each match explained
    (:class:`~leadmodel.PairExplanation`). ``population``: how many records the store holds
    (of ``kinds``), which scales the model's prior — the share of matches among pairs falls
    as a base grows (:attr:`~leadmodel.MatchModel.population`): a model fitted on a sample of
    20,000 records asked about a store of 1,000,000 without it scores namesakes too high.
    ``None``: the population the model learnt from.

    Reads in one unit of work and changes nothing. Raises
    :class:`~leadmodel.errors.ValidationError` naming every bad argument (a record of another
    type, an untrained model, unknown ``kinds``, ``threshold`` outside 0–1, ``per_key`` or
    ``limit`` not a whole number from 1 to 10,000); needs the ``match`` extra.

    >>> import leadmodel as lm
    >>> model = lm.MatchModel(comparisons=[
    ...     lm.Comparison(field_path="name", normalise="name",
    ...         levels=[lm.Level("exact", m=0.9, u=0.001)], else_m=0.1, else_u=0.999),
    ...     lm.Comparison(field_path="email",
    ...         levels=[lm.Level("exact", m=0.9, u=0.0001)], else_m=0.1, else_u=0.9999)],
    ...     blocking=[lm.Blocking(keys=["email"])], prior=0.001)
    >>> uow = lm.MemoryUnitOfWork()
    >>> with uow:
    ...     for n, (name, email) in enumerate([("Olena Koval", "olena@mebli.ua"),
    ...             ("Olena Koval", "o.koval@mebli.ua"), ("Ivan Bondar", "ivan@mebli.ua")]):
    ...         _ = uow.contacts.add(lm.Contact(id=f"c-{n}", name=name,
    ...             contact_points=[lm.ContactPoint.email(email)]))
    ...     uow.commit()
    >>> new = lm.Contact(id="new", name="Коваль Олена",
    ...     contact_points=[lm.ContactPoint.email("Olena@Mebli.ua")])
    >>> found = lm.services.find_matches(new, uow, model=model)  # c-2: same domain, scored low
    >>> [(m.kind, m.id, round(m.probability, 4)) for m in found]
    [('contacts', 'c-0', 0.9999)]
    >>> print(found[0].explanation)
    new ~ c-0: p=0.9999 (w=+12.99)
      prior -9.96
      name: exact 'koval olena'/'koval olena' +9.81
      email: exact 'olena@mebli.ua'/'olena@mebli.ua' +13.14
    >>> [m.id for m in lm.services.find_matches(new, uow, model=model, threshold=0.05)]
    ['c-0', 'c-1']
    >>> lm.services.find_matches(new, uow, model=lm.PERSON_MODEL, kinds="contacts")
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: 2 problems:
      services.find_matches.model: the model has no weights yet: train it on your records ...
      services.find_matches.kinds: a tuple of distinct kinds among 'interests', 'leads', ...
    """
    used, at = _checked(
        record, model, kinds=kinds, threshold=threshold, per_key=per_key, limit=limit
    )
    keys = sorted(str(key) for key in match_keys(record))
    with uow:
        candidates = {
            kind: candidates_by_keys(_repository(uow, kind), keys, per_key) for kind in used
        }
    if population is not None and (type(population) is not int or population < 2):  # noqa: PLR2004
        hint = "how many records the store holds: a whole number, 2 or more (or None)"
        c.fail(_SERVICE, [Problem("population", hint, population)])
    return _scored(record, candidates, model, at, limit=limit, population=population)
