"""The exceptions leadmodel raises, and the warning it emits.

Every error derives from :class:`LeadModelError`. Messages name the field, the bad
value (shortened) and what to do instead. :class:`UnreadableRowWarning` (a ``UserWarning``)
names a stored row a listing skipped because it does not decode.

>>> from leadmodel.errors import ValidationError, Problem
>>> problem = Problem("person_name", "a lead needs a person's name", "")
>>> err = ValidationError([problem], model="Lead")
>>> print(err)
Lead.person_name: a lead needs a person's name; got ''
>>> err.problems[0].path
'person_name'
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

__all__ = [
    "AlreadyConvertedError",
    "ConcurrencyError",
    "ConversionLinksFields",
    "CurrencyMismatchError",
    "LeadModelError",
    "LifecycleError",
    "LifecycleWhy",
    "MissingExtraError",
    "NotALeadError",
    "NotFoundError",
    "NotRegisteredError",
    "PipelineSpecError",
    "Problem",
    "RuleViolation",
    "StorageError",
    "TimeOrderError",
    "TransitionError",
    "TransitionWhy",
    "UnknownStatusError",
    "UnreadableRowWarning",
    "ValidationError",
    "http_problem",
]

_MISSING: Any = object()
_MAX_REPR = 60
MAX_SHOWN = 20
"""The most problems an error's message lists; a last line says how many more there are."""


def shorten(value: object, limit: int = _MAX_REPR) -> str:
    """Return ``repr(value)`` cut to ``limit`` characters, for error messages.

    Values whose ``repr`` fails (an int past Python's digit limit, very deep nesting) are
    shown by their type.
    """
    try:
        text = repr(value)
    except (ValueError, RecursionError, MemoryError):
        return f"<{type(value).__name__} too large to show>"
    if len(text) > limit:
        text = text[: limit - 5] + "…" + text[-4:]
    return text


def _count(n: int) -> str:
    """``"1 problem"``, ``"2 problems"``: how every error counts its problems."""
    return f"{n:,} problem" if n == 1 else f"{n:,} problems"


def _listing(lines: Sequence[str], total: int, *, complete: bool = True) -> str:
    """The first :data:`MAX_SHOWN` of ``total`` problems' lines, indented, then ``… and K more``
    when there are more (and a note when checking stopped before the end)."""
    shown = "\n  ".join(lines[:MAX_SHOWN])
    if total > MAX_SHOWN:
        shown += f"\n  … and {total - MAX_SHOWN:,} more"
    if not complete:
        shown += "\n  (checking stopped there: fix these and load again to see any others)"
    return shown


class Problem:
    """One problem found in input: where (``path``), what is wrong and what to do (``message``).

    ``path`` is dotted with list indices, relative to the document or object checked:
    ``contact_points[1].value``. ``value`` is the offending value, when there is one;
    ``line`` the line of the source text (a TOML spec) the problem was found on.
    """

    __slots__ = ("line", "message", "path", "value")

    def __init__(
        self, path: str, message: str, value: object = _MISSING, *, line: int | None = None
    ) -> None:
        self.path = path
        self.message = message
        self.value = value
        self.line = line

    @property
    def has_value(self) -> bool:
        """Whether the problem carries the offending value."""
        return self.value is not _MISSING

    def within(self, prefix: str) -> Problem:
        """Return the same problem with its path placed under ``prefix``.

        >>> import leadmodel as lm
        >>> problem = lm.Problem("value", "not an e-mail address", "olena@")
        >>> print(problem.within("contact_points[1]"))
        contact_points[1].value: not an e-mail address; got 'olena@'
        >>> lm.Problem("[0]", "an answer needs a criterion").within("answers").path
        'answers[0]'
        """
        if not prefix:
            return self
        if not self.path:
            path = prefix
        elif self.path.startswith("["):
            path = prefix + self.path
        else:
            path = f"{prefix}.{self.path}"
        return Problem(path, self.message, self.value, line=self.line)

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        if self.line is not None:
            where = f"line {self.line}: {where}"
        got = f"; got {shorten(self.value)}" if self.has_value else ""
        return f"{where}{self.message}{got}"

    def __repr__(self) -> str:
        return f"Problem({self.path!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return (self.path, self.message) == (other.path, other.message)

    def __hash__(self) -> int:
        return hash((self.path, self.message))


class LeadModelError(Exception):
    """Base class of every error leadmodel raises on purpose."""


class ValidationError(LeadModelError, ValueError):
    """Input that does not make a valid object.

    ``problems`` lists the problems found, each with its path (``contact_points[1].value``),
    the message and the offending value. ``model`` names the type being built. A constructor
    reports every problem; loading a document (``from_dict``, ``from_json``) stops after 100,
    and ``complete`` is then ``False``: rejecting a huge bad document costs no more than a
    small one. The message lists the first :data:`MAX_SHOWN` and says how many more there are.
    """

    def __init__(
        self, problems: Iterable[Problem], *, model: str | None = None, complete: bool = True
    ) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.model = model
        self.complete = complete
        super().__init__(self._render())

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Deprecated: the same tuple as :attr:`problems`, the name every error uses."""
        warnings.warn(
            "ValidationError.errors is deprecated; use .problems (the same tuple)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.problems

    def _render(self) -> str:
        prefix = self.model or ""
        lines = []
        for problem in self.problems[:MAX_SHOWN]:
            if prefix and problem.path:
                sep = "" if problem.path.startswith("[") else "."
                lines.append(f"{prefix}{sep}{problem}")
            elif prefix:
                lines.append(f"{prefix}: {problem}")
            else:
                lines.append(str(problem))
        total = len(self.problems)
        if total == 1 and self.complete:
            return lines[0]
        head = _count(total) if self.complete else f"at least {_count(total)}"
        return f"{head}:\n  " + _listing(lines, total, complete=self.complete)


class CurrencyMismatchError(ValidationError):
    """Arithmetic or comparison across two currencies (convert explicitly first)."""


class RuleViolation(LeadModelError):
    """A domain rule forbids the operation (the input itself is well-formed)."""


class NotALeadError(RuleViolation):
    """An interest lacks what a lead needs; ``missing`` names each absent piece."""

    def __init__(self, message: str, *, missing: Sequence[str]) -> None:
        self.missing: tuple[str, ...] = tuple(missing)
        super().__init__(message)


class ConversionLinksFields(Protocol):
    """The fields of :class:`~leadmodel.ConversionLinks`, as :class:`AlreadyConvertedError`
    types its ``links``.

    This module is the bottom layer and imports nothing from the domain, not even for type
    checking (``docs/architecture.md``: no import cycle), so it names the fields it exposes.
    """

    @property
    def customer_id(self) -> str:
        """The customer the lead became."""
        ...

    @property
    def at(self) -> datetime:
        """When the lead was converted."""
        ...

    @property
    def contact_id(self) -> str | None:
        """The contact made or used, if any."""
        ...

    @property
    def company_id(self) -> str | None:
        """The company made or used, if any."""
        ...

    @property
    def deal_ref(self) -> str | None:
        """The host's deal or order reference, if any."""
        ...


class AlreadyConvertedError(RuleViolation):
    """The lead was converted before; ``links`` is its :class:`~leadmodel.ConversionLinks`
    (what the conversion produced)."""

    def __init__(self, message: str, *, links: ConversionLinksFields) -> None:
        self.links = links
        super().__init__(message)


class TimeOrderError(RuleViolation):
    """An operation dated before the last thing its record recorded (time would go back).

    ``record`` names the record (``lead L-1``), ``at`` is the refused time, ``last`` the time of
    the record's last entry and ``entry`` what that entry is (``history[2]``, ``created_at``).

    >>> from datetime import datetime, timezone
    >>> err = TimeOrderError("convert", record="lead L-1", entry="history[0]",
    ...     at=datetime(2026, 3, 1, tzinfo=timezone.utc),
    ...     last=datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> print(err)
    convert: lead L-1 is dated 2026-03-01T00:00:00+00:00, before its last entry history[0] at
    2026-03-02T00:00:00+00:00; date it at or after 2026-03-02T00:00:00+00:00
    """

    why = "time_backwards"

    def __init__(
        self, operation: str, *, record: str, entry: str, at: datetime, last: datetime
    ) -> None:
        self.operation = operation
        self.record = record
        self.entry = entry
        self.at = at
        self.last = last
        super().__init__(
            f"{operation}: {record} is dated {at.isoformat()}, before its last entry {entry} "
            f"at {last.isoformat()}; date it at or after {last.isoformat()}"
        )


class LifecycleWhy(StrEnum):
    """Why :class:`LifecycleError` refused a lifecycle move (its ``why``).

    A ``StrEnum``: each member equals its text, so ``error.why == "backward"`` holds.

    >>> LifecycleWhy("recycle_first") is LifecycleWhy.recycle_first
    True
    >>> LifecycleWhy.backward == "backward"
    True
    """

    backward = "backward"
    """The lifecycle moves forward only; ``recycle`` is the only way back."""
    recycle_first = "recycle_first"
    """A disqualified lead moves on only after a ``recycle``."""
    use_recycle = "use_recycle"
    """Only ``recycle`` reaches the recycled stage."""
    use_convert = "use_convert"
    """Only ``convert`` makes a customer."""
    customer = "customer"
    """A customer is never disqualified or recycled: its new interest is a repeat lead."""
    not_a_customer = "not_a_customer"
    """A service-qualified lead needs a customer (``customer_id``)."""
    not_recyclable = "not_recyclable"
    """Only a lost or disqualified lead can be recycled."""
    time_backwards = "time_backwards"
    """The move is dated before the lead's last lifecycle move."""


class LifecycleError(RuleViolation):
    """A lifecycle move the rules forbid; ``from_stage`` and ``to_stage`` name the stages.

    ``why`` is a :class:`LifecycleWhy` (the constructor also takes its text).
    """

    def __init__(
        self, message: str, *, from_stage: str, to_stage: str, why: LifecycleWhy | str
    ) -> None:
        self.from_stage = from_stage
        self.to_stage = to_stage
        self.why = LifecycleWhy(why)
        super().__init__(message)


class TransitionWhy(StrEnum):
    """Why :class:`TransitionError` refused a status move (its ``why``).

    A ``StrEnum``: each member equals its text, so ``error.why == "terminal"`` holds.

    >>> TransitionWhy("terminal") is TransitionWhy.terminal
    True
    """

    not_allowed = "not_allowed"
    """The policy and the transitions do not allow this move."""
    requirement_missing = "requirement_missing"
    """A required field, framework verdict or guard is missing (``missing`` lists them)."""
    reason_required = "reason_required"
    """A move to a lost status needs a reason."""
    reason_not_allowed = "reason_not_allowed"
    """The lost status does not list this reason."""
    terminal = "terminal"
    """Leaving won (or lost, when the pipeline does not allow reopening)."""
    other_pipeline = "other_pipeline"
    """The lead is in another pipeline, or in none (``enter`` it first)."""
    unknown_status = "unknown_status"
    """No such status in this pipeline."""
    time_backwards = "time_backwards"
    """The move is dated before the lead's last status change."""


class TransitionError(RuleViolation):
    """A status move the pipeline does not allow (a :class:`RuleViolation`).

    ``why`` is a :class:`TransitionWhy` (the constructor also takes its text); ``missing``
    lists what a ``requirement_missing`` lacks.
    """

    def __init__(
        self,
        message: str,
        *,
        from_status: str | None,
        to_status: str,
        why: TransitionWhy | str,
        missing: Sequence[str] = (),
    ) -> None:
        self.from_status = from_status
        self.to_status = to_status
        self.why = TransitionWhy(why)
        self.missing: tuple[str, ...] = tuple(missing)
        super().__init__(message)


class PipelineSpecError(ValidationError):
    """A pipeline specification with problems; ``problems`` lists every one of them, each
    with its line when the spec came from TOML. ``source`` names the spec (its file).

    >>> err = PipelineSpecError([Problem("policy", "expected one of: any", "up", line=3)])
    >>> print(err)
    pipeline spec: 1 problem:
      line 3: policy: expected one of: any; got 'up'
    """

    def __init__(self, problems: Iterable[Problem], *, source: str | None = None) -> None:
        self.source = source
        super().__init__(problems)

    def _render(self) -> str:
        head = f"pipeline spec {self.source}" if self.source else "pipeline spec"
        body = _listing([str(p) for p in self.problems[:MAX_SHOWN]], len(self.problems))
        return f"{head}: {_count(len(self.problems))}:\n  {body}"


class NotFoundError(LeadModelError, LookupError):
    """No stored entity has the requested id.

    ``kind`` names the repository (``"leads"``, ``"contacts"``...) and ``id`` the id asked for.

    >>> err = NotFoundError("no lead with id 'L-9' in this store", kind="leads", id="L-9")
    >>> err.kind, err.id
    ('leads', 'L-9')
    """

    def __init__(self, message: str, *, kind: str, id: str) -> None:
        self.kind = kind
        self.id = id
        super().__init__(message)


class UnknownStatusError(LeadModelError, KeyError):
    """A status key a pipeline does not have, asked for by a lookup (``Pipeline.status``,
    ``Pipeline.kind``). A ``KeyError`` (so a ``LookupError``): ``except KeyError`` catches it as
    it would for a dict. A *move* to an unknown status stays a
    ``TransitionError(why="unknown_status")``. ``pipeline`` and ``status`` name both keys.

    >>> err = UnknownStatusError("pipeline 'simple' has no status 'paid'", pipeline="simple",
    ...     status="paid")
    >>> err.pipeline, err.status, isinstance(err, KeyError), str(err)
    ('simple', 'paid', True, "pipeline 'simple' has no status 'paid'")
    """

    def __init__(self, message: str, *, pipeline: str, status: object) -> None:
        self.pipeline = pipeline
        self.status = status
        super().__init__(message)

    def __str__(self) -> str:  # KeyError's own __str__ would show the message's repr
        return str(self.args[0]) if self.args else ""


class NotRegisteredError(LeadModelError, KeyError):
    """A key a :class:`~leadmodel.Registry` holds nothing under, asked for by a lookup
    (``registry.pipeline(key)``, ``registry.framework(key)``, ``registry.score_model(key)``,
    ``registry.pipeline_of(lead)``). A ``KeyError`` (so a ``LookupError``), as
    :class:`UnknownStatusError` is. ``kind`` names what was looked up (``"pipeline"``,
    ``"framework"``, ``"score_model"``) and ``key`` the key asked for; the message lists the
    keys the registry holds.

    >>> err = NotRegisteredError("no pipeline 'dealz' is registered; registered: deals",
    ...     kind="pipeline", key="dealz")
    >>> err.kind, err.key, isinstance(err, KeyError), str(err)
    ('pipeline', 'dealz', True, "no pipeline 'dealz' is registered; registered: deals")
    """

    def __init__(self, message: str, *, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        super().__init__(message)

    def __str__(self) -> str:  # KeyError's own __str__ would show the message's repr
        return str(self.args[0]) if self.args else ""


class ConcurrencyError(LeadModelError):
    """The store changed under the unit of work (someone saved first): reload and try again.

    ``kind`` names the repository (``"leads"``...) and ``id`` the entity. ``expected`` is the
    version the operation expected stored (``None`` for an add, which expects no entity), and
    ``found`` the version the store holds (``None`` when it holds none, as for an id repeated
    within one ``add_many``). ``kind`` and ``id`` are ``None`` only when the database stopped
    the transaction without naming an entity (a serialization failure or a deadlock).

    >>> err = ConcurrencyError("someone saved first", kind="leads", id="L-1", expected=0, found=1)
    >>> err.expected, err.found
    (0, 1)
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str | None,
        id: str | None,
        expected: int | None = None,
        found: int | None = None,
    ) -> None:
        self.kind = kind
        self.id = id
        self.expected = expected
        self.found = found
        super().__init__(message)


class StorageError(LeadModelError):
    """A unit of work used wrongly (outside ``with``, nested) or a store that cannot be used
    (a schema newer than this leadmodel, an unreachable database)."""


class UnreadableRowWarning(UserWarning):
    """A stored row that does not decode, skipped by a listing (``find``, ``iter_all``).

    The row holds a document changed behind leadmodel's back (bad JSON, not UTF-8, a document
    the current validation refuses); ``get`` of its id raises the :class:`ValidationError`.
    ``kind`` names the repository (``"leads"``...), ``id`` the row and ``problems`` lists what
    is wrong with its document: read the raw row, repair it and save it again.

    >>> warning = UnreadableRowWarning("leads row 'L-9' skipped", kind="leads", id="L-9",
    ...     problems=[Problem("id", "expected a string", 7)])
    >>> warning.kind, warning.id, [str(p) for p in warning.problems]
    ('leads', 'L-9', ['id: expected a string; got 7'])
    """

    def __init__(self, message: str, *, kind: str, id: str, problems: Iterable[Problem]) -> None:
        self.kind = kind
        self.id = id
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(message)


class MissingExtraError(LeadModelError, ImportError):
    """A feature needs an optional extra that is not installed; the message says what to install.

    ``feature`` names what was asked for (``"SqlUnitOfWork"``), ``extra`` the extra that
    provides it (``"sql"``) and ``name`` (as on any ``ImportError``) the module that is missing.
    It is an ``ImportError`` too, so ``except ImportError`` around an optional import still works.

    >>> err = MissingExtraError("SqlUnitOfWork", extra="sql", module="sqlalchemy")
    >>> print(err)
    SqlUnitOfWork needs sqlalchemy, which the 'sql' extra installs: pip install 'leadmodel[sql]'
    >>> err.extra, err.name
    ('sql', 'sqlalchemy')
    """

    def __init__(self, feature: str, *, extra: str, module: str) -> None:
        self.feature = feature
        self.extra = extra
        super().__init__(
            f"{feature} needs {module}, which the {extra!r} extra installs: "
            f"pip install 'leadmodel[{extra}]'"
        )
        self.name = module


def http_problem(exc: LeadModelError) -> tuple[int, dict[str, object]]:
    """The HTTP status and JSON body for a leadmodel error, as ``docs/errors.md`` tabulates.

    ``ValidationError`` (and its kin) is 422 with ``problems`` (each ``path`` and
    ``message``); ``NotFoundError``, ``UnknownStatusError`` and ``NotRegisteredError`` are 404
    with what was looked up; ``ConcurrencyError`` is 409 with ``kind``, ``id``, ``expected``
    and ``found`` (reload and retry); a ``RuleViolation`` is 409 with ``why`` and ``missing``
    when it has them (retrying will not help until the record changes); ``StorageError`` is
    503 and says nothing of the store's internals; anything else is 500. Every body has
    ``error`` (the class name); all but the last two have ``message``.

    >>> status, body = http_problem(NotFoundError("no lead 'L-9'", kind="leads", id="L-9"))
    >>> status, body["error"], body["kind"], body["id"]
    (404, 'NotFoundError', 'leads', 'L-9')
    >>> http_problem(ValidationError([Problem("owner", "give a name", "")], model="Lead"))[0]
    422
    """
    status = next((code for cls, code in _HTTP_STATUS if isinstance(exc, cls)), 500)
    if status == 503:  # noqa: PLR2004 - the statuses are the table's
        return status, {"error": "StorageError", "message": "the store is unavailable"}
    if status == 500:  # noqa: PLR2004
        return status, {"error": type(exc).__name__}
    body: dict[str, object] = {"error": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, ValidationError):
        body["problems"] = [{"path": p.path, "message": p.message} for p in exc.problems]
    for name in ("kind", "id", "key", "pipeline", "status", "expected", "found", "why"):
        value = getattr(exc, name, None)
        if value is not None or (name in ("expected", "found") and hasattr(exc, name)):
            body[name] = value if value is None or isinstance(value, int) else str(value)
    if (missing := getattr(exc, "missing", None)) is not None:
        body["missing"] = list(missing)
    return status, body


_HTTP_STATUS: tuple[tuple[type[LeadModelError], int], ...] = (
    (ValidationError, 422),
    (NotFoundError, 404),
    (UnknownStatusError, 404),
    (NotRegisteredError, 404),
    (ConcurrencyError, 409),
    (RuleViolation, 409),
    (StorageError, 503),
)
