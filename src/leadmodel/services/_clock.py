"""The time of a change: ``at`` when the caller gives it, else the clock's, checked to be aware."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from leadmodel._kernel import checks as c
from leadmodel.errors import Problem

Clock = Callable[[], datetime]
"""A zero-argument callable returning the current time, timezone-aware."""


def utc_now() -> datetime:
    """The current time in UTC: the default clock of every service."""
    return datetime.now(UTC)


def now(clock: Clock, at: datetime | None = None) -> datetime:
    """The time of a change: ``at`` (backdated work) or what ``clock`` gives, timezone-aware.

    Giving both ``at`` and a clock other than the default is refused: one of them would be
    ignored.
    """
    p: c.Problems = []
    if at is not None:
        if clock is not utc_now:
            msg = "give the time of the change once: either at= (a fixed time) or clock="
            p.append(Problem("at", msg, at))
        else:
            c.aware(p, "at", at)
    else:
        at = clock()
        c.aware(p, "clock()", at)
    if p:
        c.fail("services", p)
    return at
