"""What routing remembers between decisions, and what a decision says.

:class:`RoutingState` is a value: :func:`~leadmodel.route` takes one and returns the next in
its :class:`Assignment`; the caller keeps it (services store it). It holds each team's
round-robin cursor, each team's smooth-weighted-round-robin credits, and the times each
member was given a lead in the last 24 hours (for daily capacities). :class:`Assignment` says
who got the lead, by which rule and strategy, and why: who was skipped and for what.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.copy import unchecked
from leadmodel._kernel.documents import Spec
from leadmodel._kernel.frozen_json import FrozenMap
from leadmodel.errors import Problem

__all__ = ["Assignment", "RoutingState", "Skip", "SkipReason"]

DAY = timedelta(hours=24)


def _frozen_map(value: Mapping[str, Any]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        return value  # the class's check names it
    return FrozenMap(
        {
            key: FrozenMap(item)
            if isinstance(item, Mapping)
            else c.as_tuple(item)
            if isinstance(item, list)
            else item
            for key, item in value.items()
        }
    )


@attrs.frozen(kw_only=True)
class RoutingState(Spec):
    """What routing remembers: per team, the round-robin ``cursors`` (the key of the member
    who got the last lead) and the weighted ``credits``; per member, the ``recent`` times they
    were given a lead (the last 24 hours are kept: the daily capacity counts them).

    >>> import leadmodel as lm
    >>> lm.RoutingState().cursors == {}
    True
    """

    cursors: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_map)
    credits: Mapping[str, Mapping[str, int]] = attrs.field(factory=dict, converter=_frozen_map)
    recent: Mapping[str, tuple[datetime, ...]] = attrs.field(factory=dict, converter=_frozen_map)

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        for name in ("cursors", "credits", "recent"):
            if not isinstance(getattr(self, name), Mapping):
                p.append(Problem(name, "a mapping by key", getattr(self, name)))
        if not p:
            for team, member in self.cursors.items():
                c.text(p, f"cursors.{team}", member, "a member's key")
            for team, credit in self.credits.items():
                if not isinstance(credit, Mapping) or not all(
                    type(v) is int for v in credit.values()
                ):
                    p.append(Problem(f"credits.{team}", "whole numbers by member", credit))
            for member, times in self.recent.items():
                if type(times) is not tuple:
                    p.append(Problem(f"recent.{member}", "a list of times", times))
                    continue
                for i, at in enumerate(times):
                    c.aware(p, f"recent.{member}[{i}]", at)
        if p:
            c.fail("RoutingState", p)

    def given_since(self, member: str, since: datetime) -> int:
        """How many leads ``member`` was given after ``since``.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> lm.RoutingState(recent={"anna": (at,)}).given_since("anna", at.replace(hour=8))
        1
        """
        return sum(1 for t in self.recent.get(member, ()) if t > since)

    def after(
        self,
        *,
        at: datetime,
        team: str,
        member: str,
        credits: Mapping[str, int] | None = None,
    ) -> RoutingState:
        """The state once ``member`` of ``team`` is given a lead at ``at`` (entries older
        than 24 hours dropped: the state never grows past a day of assignments).

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> state = lm.RoutingState().after(at=at, team="kyiv", member="anna")
        >>> dict(state.cursors), state.given_since("anna", at.replace(hour=0))
        ({'kyiv': 'anna'}, 1)
        """
        p: c.Problems = []
        c.aware(p, "at", at)
        c.text(p, "team", team, "the team's key")
        c.text(p, "member", member, "the member's key")
        if credits is not None and not all(type(v) is int for v in credits.values()):
            p.append(Problem("credits", "whole numbers by member", credits))
        if p:
            c.fail("RoutingState.after", p)
        horizon = at - DAY
        recent = {
            key: kept
            for key, times in self.recent.items()
            if (kept := tuple(t for t in times if t > horizon))
        }
        recent[member] = (*recent.get(member, ()), at)
        new_credits: dict[str, Any] = dict(self.credits)
        if credits is not None:
            new_credits[team] = FrozenMap(credits)
        # every value is checked already (this state's, the decision's): copied, not re-checked
        made: RoutingState = unchecked(RoutingState)(
            cursors=FrozenMap({**self.cursors, team: member}),
            credits=FrozenMap(new_credits),
            recent=FrozenMap(recent),
        )
        return made


class SkipReason(StrEnum):
    """Why a member was not chosen."""

    inactive = "inactive"
    absent = "absent"
    off_shift = "off_shift"
    at_quota = "at_quota"
    lacks_skill = "lacks_skill"
    lacks_language = "lacks_language"


@attrs.frozen(kw_only=True)
class Skip:
    """A member passed over, and why (``detail``: the absence, the quota, the next opening).

    >>> import leadmodel as lm
    >>> skip = lm.Skip(team="kyiv", member="ivan", reason=lm.SkipReason.at_quota, detail="3 of 3")
    >>> skip.describe()
    'ivan (kyiv): at_quota, 3 of 3'
    """

    team: str
    member: str
    reason: SkipReason
    detail: str | None = None

    def describe(self) -> str:
        """The skip in words.

        >>> import leadmodel as lm
        >>> lm.Skip(team="kyiv", member="ivan", reason=lm.SkipReason.inactive).describe()
        'ivan (kyiv): inactive'
        """
        said = f"{self.member} ({self.team}): {self.reason.value}"
        return f"{said}, {self.detail}" if self.detail else said


def _skips(value: Iterable[Skip]) -> tuple[Skip, ...]:
    found: tuple[Skip, ...] = c.as_tuple(value)
    return found


@attrs.frozen(kw_only=True)
class Assignment:
    """A routing decision: who gets the lead (``owner``; ``None``: queued), from which
    ``team``, by which ``rule`` and ``strategy``; ``starts_at`` when the owner's shift opens
    (the ``when_open`` fallback); ``why`` in words; the rules ``tried`` in order, the members
    ``skipped`` and why; and the ``state`` to keep for the next decision.
    """

    owner: str | None
    team: str | None
    rule: str | None
    strategy: str | None
    why: str
    state: RoutingState
    tried: tuple[str, ...] = ()
    skipped: tuple[Skip, ...] = attrs.field(default=(), converter=_skips)
    starts_at: datetime | None = None

    @property
    def queued(self) -> bool:
        """Whether nobody got the lead (it waits in the queue).

        >>> import leadmodel as lm
        >>> lm.Assignment(owner=None, team=None, rule=None, strategy=None,
        ...     why="no rule matched", state=lm.RoutingState()).queued
        True
        """
        return self.owner is None
