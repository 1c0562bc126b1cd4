"""Localising a naive wall-clock time in an IANA zone, on purpose and never by guessing.

Every datetime leadmodel stores must be aware: naive ones are refused, never assumed UTC.
:func:`localise` is the explicit way in for a time read from a form or a spreadsheet.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from leadmodel._kernel import checks as c
from leadmodel.errors import Problem, ValidationError

__all__ = ["localise"]

_MODEL = "localise"


def localise(
    naive: datetime,
    zone: str,
    *,
    fold: int | None = None,
    nonexistent: Literal["raise", "shift_forward"] = "raise",
) -> datetime:
    """The naive wall-clock time ``naive`` in IANA zone ``zone``, as an aware datetime.

    An aware ``naive`` is refused (convert it with ``astimezone`` instead). Wall times a DST
    change makes special are refused unless you say what you mean:

    * **ambiguous** (the hour clocks repeat in autumn): ``fold=0`` takes the first (earlier)
      instant and ``fold=1`` the second, as PEP 495 does; ``fold=None`` (the default) refuses.
    * **non-existent** (the hour clocks skip in spring): ``nonexistent="raise"`` (the default)
      refuses; ``"shift_forward"`` takes the first instant after the gap.

    >>> from datetime import datetime
    >>> import leadmodel as lm
    >>> lm.localise(datetime(2026, 3, 2, 9, 30), "Europe/Kyiv").isoformat()
    '2026-03-02T09:30:00+02:00'
    >>> lm.localise(datetime(2026, 3, 29, 3, 30), "Europe/Kyiv")  # clocks go 03:00 -> 04:00
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: localise.naive: 03:30 does not exist in Europe/Kyiv on
    2026-03-29 (the clocks skip it); pass nonexistent='shift_forward' for the first time after
    the gap; got datetime.datetime(2026, 3, 29, 3, 30)
    >>> gap = lm.localise(datetime(2026, 3, 29, 3, 30), "Europe/Kyiv", nonexistent="shift_forward")
    >>> gap.isoformat()
    '2026-03-29T04:00:00+03:00'
    >>> autumn = datetime(2026, 10, 25, 3, 30)  # clocks go 04:00 -> 03:00: it happens twice
    >>> [lm.localise(autumn, "Europe/Kyiv", fold=f).isoformat() for f in (0, 1)]
    ['2026-10-25T03:30:00+03:00', '2026-10-25T03:30:00+02:00']
    >>> lm.localise(autumn, "Europe/Kyiv")
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: localise.naive: 03:30 happens twice in Europe/Kyiv on
    2026-10-25 (the clocks go back); pass fold=0 for the first, fold=1 for the second;
    got datetime.datetime(2026, 10, 25, 3, 30)
    """
    p: c.Problems = []
    if not isinstance(naive, datetime):
        p.append(Problem("naive", "expected a naive datetime (a wall-clock time)", naive))
    elif naive.tzinfo is not None:
        why = "already has a time zone; convert it with .astimezone(ZoneInfo(zone)) instead"
        p.append(Problem("naive", why, naive))
    c.time_zone(p, "zone", zone)
    if zone is None:
        p.append(Problem("zone", "a zone is needed, e.g. 'Europe/Kyiv'", zone))
    if fold not in (None, 0, 1) or type(fold) is bool:
        p.append(Problem("fold", "fold is None (refuse), 0 (earlier) or 1 (later)", fold))
    if nonexistent not in ("raise", "shift_forward"):
        p.append(Problem("nonexistent", "expected 'raise' or 'shift_forward'", nonexistent))
    if p:
        raise ValidationError(p, model=_MODEL)
    tz = ZoneInfo(zone)
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    before, after = first.utcoffset(), second.utcoffset()
    if before is None or after is None or before == after:  # a ZoneInfo always has offsets
        return first
    hour, where = f"{naive:%H:%M}", f"in {zone} on {naive:%Y-%m-%d}"
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive:  # it happens twice
        if fold is None:
            why = (
                f"{hour} happens twice {where} (the clocks go back); "
                "pass fold=0 for the first, fold=1 for the second"
            )
            raise ValidationError([Problem("naive", why, naive)], model=_MODEL)
        return second if fold else first
    if nonexistent == "raise":
        why = (
            f"{hour} does not exist {where} (the clocks skip it); "
            "pass nonexistent='shift_forward' for the first time after the gap"
        )
        raise ValidationError([Problem("naive", why, naive)], model=_MODEL)
    return _gap_end(naive, tz, before, after)


def _gap_end(naive: datetime, tz: ZoneInfo, before: timedelta, after: timedelta) -> datetime:
    """The first instant after the gap that swallows ``naive``: the transition itself."""
    low = (naive - after).replace(tzinfo=UTC)  # before the transition: offset is ``before``
    high = (naive - before).replace(tzinfo=UTC)  # after it
    while high - low > timedelta(microseconds=1):
        mid = low + (high - low) / 2
        if mid.astimezone(tz).utcoffset() == before:
            low = mid
        else:
            high = mid
    return high.astimezone(tz)
