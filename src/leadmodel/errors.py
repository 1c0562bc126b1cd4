"""The exceptions leadmodel raises.

Every error derives from :class:`LeadModelError`. Messages name the field, the bad
value (shortened) and what to do instead.

>>> from leadmodel.errors import ValidationError, Problem
>>> problem = Problem("person_name", "a lead needs a person's name", "")
>>> err = ValidationError([problem], model="Lead")
>>> print(err)
Lead.person_name: a lead needs a person's name; got ''
>>> err.errors[0].path
'person_name'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "AlreadyConvertedError",
    "ConcurrencyError",
    "CurrencyMismatchError",
    "LeadModelError",
    "LifecycleError",
    "NotALeadError",
    "NotFoundError",
    "PipelineSpecError",
    "Problem",
    "RuleViolation",
    "StorageError",
    "TransitionError",
    "ValidationError",
]

_MISSING: Any = object()
_MAX_REPR = 60


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
        """Return the same problem with its path placed under ``prefix``."""
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

    ``errors`` lists every problem found, each with its path (``contact_points[1].value``),
    the message and the offending value. ``model`` names the type being built.
    """

    def __init__(self, errors: Iterable[Problem], *, model: str | None = None) -> None:
        self.errors: tuple[Problem, ...] = tuple(errors)
        self.model = model
        super().__init__(self._render())

    def _render(self) -> str:
        prefix = self.model or ""
        lines = []
        for problem in self.errors:
            if prefix and problem.path:
                sep = "" if problem.path.startswith("[") else "."
                lines.append(f"{prefix}{sep}{problem}")
            elif prefix:
                lines.append(f"{prefix}: {problem}")
            else:
                lines.append(str(problem))
        if len(lines) == 1:
            return lines[0]
        return f"{len(lines)} problems:\n  " + "\n  ".join(lines)


class CurrencyMismatchError(ValidationError):
    """Arithmetic or comparison across two currencies (convert explicitly first)."""


class RuleViolation(LeadModelError):
    """A domain rule forbids the operation (the input itself is well-formed)."""


class NotALeadError(RuleViolation):
    """An interest lacks what a lead needs; ``missing`` names each absent piece."""

    def __init__(self, message: str, *, missing: Sequence[str]) -> None:
        self.missing: tuple[str, ...] = tuple(missing)
        super().__init__(message)


class AlreadyConvertedError(RuleViolation):
    """The lead was converted before; ``links`` holds what it produced."""

    def __init__(self, message: str, *, links: object) -> None:
        self.links = links
        super().__init__(message)


class LifecycleError(RuleViolation):
    """A lifecycle move the rules forbid; ``from_stage`` and ``to_stage`` name the stages.

    ``why`` is one of ``backward`` (the lifecycle moves forward only: recycle to go back),
    ``recycle_first`` (a disqualified lead moves on only after a recycle), ``use_recycle``
    (only ``recycle`` reaches the recycled stage), ``use_convert`` (only ``convert`` makes a
    customer), ``customer`` (a customer is never disqualified or recycled: new interest is a
    repeat lead), ``not_a_customer`` (a service-qualified lead needs a customer),
    ``not_recyclable`` (neither lost nor disqualified) and ``time_backwards``.
    """

    def __init__(self, message: str, *, from_stage: str, to_stage: str, why: str) -> None:
        self.from_stage = from_stage
        self.to_stage = to_stage
        self.why = why
        super().__init__(message)


class TransitionError(LeadModelError):
    """A status move the pipeline does not allow.

    ``why`` is one of ``not_allowed``, ``requirement_missing``, ``reason_required``,
    ``reason_not_allowed``, ``terminal``, ``other_pipeline``, ``unknown_status``,
    ``time_backwards``; ``missing`` lists what a ``requirement_missing`` lacks.
    """

    def __init__(
        self,
        message: str,
        *,
        from_status: str | None,
        to_status: str,
        why: str,
        missing: Sequence[str] = (),
    ) -> None:
        self.from_status = from_status
        self.to_status = to_status
        self.why = why
        self.missing: tuple[str, ...] = tuple(missing)
        super().__init__(message)


class PipelineSpecError(LeadModelError):
    """A pipeline specification with problems; ``problems`` lists every one of them."""

    def __init__(self, problems: Iterable[Problem], *, source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        head = f"pipeline spec {source}" if source else "pipeline spec"
        body = "\n  ".join(str(p) for p in self.problems)
        super().__init__(f"{head}: {len(self.problems)} problem(s):\n  {body}")


class NotFoundError(LeadModelError, LookupError):
    """No stored entity has the requested id."""


class ConcurrencyError(LeadModelError):
    """The stored version differs from the version being saved (someone saved first)."""


class StorageError(LeadModelError):
    """A unit of work used wrongly (outside ``with``, nested) or a store that cannot be used
    (a schema newer than this leadmodel, an unreachable database)."""
