"""Training data from leads: won and lost labels, each field's values, and their counting.

The helpers behind :class:`~leadmodel.domain.scoring.predictive.PredictiveScorer`'s ``fit``,
``update`` and ``extract``: which leads are training data (:func:`outcome`), what each field
reads from them, and the counting on the pure or the numpy path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs

from leadmodel.domain.model.entities import Lead
from leadmodel.domain.pipeline import Pipeline, StatusKind
from leadmodel.domain.scoring import _bayes
from leadmodel.domain.scoring._bayes import Category
from leadmodel.domain.scoring._predictive_checks import MODEL, edges_of
from leadmodel.domain.scoring.fields import Field
from leadmodel.domain.scoring.tallies import ValueTally
from leadmodel.errors import Problem, ValidationError


def outcome(lead: Lead, pipelines: Iterable[Pipeline] = ()) -> bool | None:
    """``True`` if the lead was won, ``False`` if lost, ``None`` while it is still open.

    Won: the lead was converted, or its status in one of ``pipelines`` is a won status.
    Lost: it carries :class:`~leadmodel.LossInfo`, or its status is a lost status. A status
    that ``pipelines`` does not know raises :class:`~leadmodel.errors.UnknownStatusError`.

    >>> import leadmodel as lm
    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Офісні меблі",
    ...     contact_points=(lm.ContactPoint.phone("+380501234567"),),
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> print(lm.outcome(lead))
    None
    >>> simple = lm.pipelines.SIMPLE
    >>> won = simple.move(simple.enter(lead, at=at, by="Андрій"), "won", at=at, by="Андрій")
    >>> lm.outcome(won, [simple]), lm.outcome(won)  # a won status counts when its pipeline is given
    (True, None)
    """
    return outcome_in(lead, {p.key: p for p in pipelines})


def outcome_in(lead: Lead, pipelines: Mapping[str, Pipeline]) -> bool | None:
    if lead.converted is not None:
        return True
    if lead.lost is not None:
        return False
    pipeline = pipelines.get(lead.pipeline) if lead.pipeline is not None else None
    if pipeline is None or lead.status is None:
        return None
    kind = pipeline.kind(lead.status)
    return None if kind is StatusKind.open else kind is StatusKind.won


def vectorised_path(vectorised: bool | None) -> bool:
    """Whether to take the numpy path: when asked, or (``None``) when numpy is installed."""
    if vectorised is False:
        return False
    try:
        import numpy  # noqa: F401 - only whether it imports
    except ImportError:
        if vectorised:
            msg = "the vectorised path needs numpy: pip install 'leadmodel[numpy]'"
            raise ValidationError([Problem("vectorised", msg, vectorised)], model=MODEL) from None
        return False
    return True


@attrs.frozen
class Reader:
    """How a scorer reads one field from leads: the field's reader, made once, and its bins."""

    field: Field
    read: Callable[[Lead], object]
    edges: tuple[float, ...] | None
    path: str  # of the field in error messages

    @classmethod
    def of(cls, field: Field) -> Reader:
        """The reader of ``field``."""
        return cls(field, field.reader(), edges_of(field), f"fields.{field.name}")

    def value(self, lead: Lead) -> object:
        """The field's value for ``lead``; a field that cannot read it is reported with the lead."""
        try:
            return self.read(lead)
        except ValidationError as exc:  # a data field that cannot read the lead says why
            msg = "; ".join(q.message for q in exc.problems) + f" (lead {lead.id!r})"
            raise ValidationError([Problem(self.path, msg)], model=MODEL) from exc
        except Exception as exc:
            if self.field.get is None:  # a data field: its message says what is wrong
                msg = f"{exc} (lead {lead.id!r})"
            else:
                msg = (
                    f"the getter raised {type(exc).__name__}: {exc} (lead {lead.id!r}); "
                    "make it return None for a missing value"
                )
            raise ValidationError([Problem(self.path, msg)], model=MODEL) from exc

    def category(self, lead: Lead) -> Category:
        """The category of the lead's value (a bin for a binned field); raises naming the field."""
        return _bayes.category_of(self.edges, self.value(lead), self.path)


def extract(
    readers: Sequence[Reader], leads: Iterable[Lead], pipelines: Iterable[Pipeline]
) -> tuple[dict[str, list[object]], list[bool], list[str]]:
    """Each field's values of the won and lost leads, by field name; their labels and ids."""
    by_key = {pipeline.key: pipeline for pipeline in pipelines}
    columns: list[list[object]] = [[] for _ in readers]
    won: list[bool] = []
    ids: list[str] = []
    for lead in leads:
        label = outcome_in(lead, by_key)
        if label is None:
            continue
        for column, reader in zip(columns, readers, strict=True):
            column.append(reader.value(lead))
        won.append(label)
        ids.append(lead.id)
    named = {r.field.name: column for r, column in zip(readers, columns, strict=True)}
    return named, won, ids


def count(
    fields: tuple[Field, ...],
    columns: Sequence[Sequence[object]],
    won: Sequence[bool],
    *,
    vectorised: bool | None,
) -> tuple[int, list[_bayes.Tallies]]:
    """How many rows were won, and each field's tallies, on the numpy or the pure path."""
    paths = [f"columns.{field.name}" for field in fields]
    if vectorised_path(vectorised):
        from leadmodel.domain.scoring import _bayes_numpy as vec

        y = vec.labels(won, "won")
        tallies = [
            vec.count(edges_of(f), col, y, path)
            for f, col, path in zip(fields, columns, paths, strict=True)
        ]
        return int(y.sum()), tallies
    labels = _bayes.labels(won, "won")
    tallies = [
        _bayes.count(_bayes.categories(edges_of(f), col, path), labels)
        for f, col, path in zip(fields, columns, paths, strict=True)
    ]
    return sum(labels), tallies


def value_tallies(tallies: _bayes.Tallies) -> tuple[ValueTally, ...]:
    """Counts per category as the tallies a scorer holds."""
    return tuple(ValueTally(value=cat, won=w, lost=n) for cat, (w, n) in tallies.items())


def counted(
    known: tuple[ValueTally, ...], category: Category, *, won: bool
) -> tuple[ValueTally, ...]:
    """``known`` with one more lead of ``category`` counted (the other tallies are kept as is)."""
    for i, tally in enumerate(known):
        if tally.value == category:  # as a dict key compares: 1, 1.0 and True are one category
            more = ValueTally(value=tally.value, won=tally.won + won, lost=tally.lost + (not won))
            return (*known[:i], more, *known[i + 1 :])
    return (*known, ValueTally(value=category, won=int(won), lost=int(not won)))
