"""Named guards: checks the host app registers and pipeline specs refer to by name.

A spec never contains code; it names a guard (``requires = { guards = ["has_manager"] }``)
and the host registers what that name means. A guard returns ``True`` to allow the move,
``False`` to refuse it, or a string that explains the refusal.

>>> guards = Guards()
>>> @guards.register("has_owner")
... def _has_owner(lead, to):
...     return lead.owner is not None or "assign an owner first"
>>> "has_owner" in guards
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from leadmodel.domain.model.entities import Lead

__all__ = ["GuardCheck", "Guards"]

GuardCheck = Callable[["Lead", str], "bool | str"]
"""``check(lead, to_status)``: ``True`` allows the move; ``False`` or a reason refuses it."""


class Guards(Mapping[str, GuardCheck]):
    """A registry of named guard checks, owned by the host app (no global registry)."""

    def __init__(self, checks: Mapping[str, GuardCheck] | None = None) -> None:
        self._checks: dict[str, GuardCheck] = dict(checks or {})

    @overload
    def register(self, name: str) -> Callable[[GuardCheck], GuardCheck]: ...
    @overload
    def register(self, name: str, check: GuardCheck) -> GuardCheck: ...

    def register(
        self, name: str, check: GuardCheck | None = None
    ) -> GuardCheck | Callable[[GuardCheck], GuardCheck]:
        """Register ``check`` under ``name`` (usable as a decorator); returns the check.

        >>> import leadmodel as lm
        >>> guards = lm.Guards()
        >>> @guards.register("has_manager")
        ... def has_manager(lead, to):
        ...     return lead.owner is not None or "assign a manager first"
        >>> weekday = guards.register("weekday", lambda lead, to: True)
        >>> sorted(guards), guards["has_manager"] is has_manager
        (['has_manager', 'weekday'], True)
        """
        if check is None:
            return lambda fn: self.register(name, fn)
        self._checks[name] = check
        return check

    def refusal(self, name: str, lead: Lead, to: str) -> str | None:
        """Why guard ``name`` refuses moving ``lead`` to ``to``, or ``None`` if it allows it.

        >>> from datetime import datetime, timezone
        >>> import attrs
        >>> import leadmodel as lm
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form),
        ...                created_at=datetime(2026, 3, 2, tzinfo=timezone.utc))
        >>> guards = lm.Guards({"has_manager": lambda lead, to: lead.owner is not None,
        ...                     "has_phone": lambda lead, to: "ask for a phone number"})
        >>> guards.refusal("has_manager", attrs.evolve(lead, owner="anna"), "qualified") is None
        True
        >>> guards.refusal("has_manager", lead, "qualified")  # False: the refusal names the guard
        "guard 'has_manager' refused"
        >>> guards.refusal("has_phone", lead, "won")
        'ask for a phone number'
        """
        verdict = self._checks[name](lead, to)
        if verdict is True:
            return None
        return verdict if isinstance(verdict, str) and verdict else f"guard {name!r} refused"

    def __getitem__(self, name: str) -> GuardCheck:
        return self._checks[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._checks)

    def __len__(self) -> int:
        return len(self._checks)
