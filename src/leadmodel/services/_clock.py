"""The clock every service reads: the time of a change, checked to be timezone-aware."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from leadmodel._kernel import checks as c

Clock = Callable[[], datetime]
"""A zero-argument callable returning the current time, timezone-aware."""


def utc_now() -> datetime:
    """The current time in UTC: the default clock of every service."""
    return datetime.now(UTC)


def now(clock: Clock) -> datetime:
    """The time ``clock`` gives, checked to be timezone-aware."""
    at = clock()
    p: c.Problems = []
    c.aware(p, "clock()", at)
    if p:
        c.fail("services", p)
    return at
