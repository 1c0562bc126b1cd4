"""Working time: when a team works, and business-time arithmetic across time zones and DST.

The vocabulary is :mod:`~leadmodel.domain.worktime.shifts` (shifts, days, the rules a schedule
keeps) and :mod:`~leadmodel.domain.worktime.document` (a calendar as data); the engine is
:mod:`~leadmodel.domain.worktime.calendar` (:class:`WorkCalendar`), walking days with
``_walk``. Pure: no clock, no I/O; every instant is passed in.

>>> from datetime import datetime, timedelta
>>> from zoneinfo import ZoneInfo
>>> night = WorkCalendar(time_zone="Europe/Kyiv", week={"sat": [Shift(start="22:00", end="06:00")]})
>>> arrived = datetime(2026, 3, 28, 23, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
>>> night.add(arrived, timedelta(hours=5)).isoformat()  # the clocks skip 03:00-04:00
'2026-03-29T05:00:00+03:00'
>>> night.between(arrived, datetime(2026, 3, 30, tzinfo=ZoneInfo("Europe/Kyiv")))
datetime.timedelta(seconds=21600)
"""

from leadmodel.domain.worktime.calendar import MAX_CALENDAR_SPAN, WorkCalendar
from leadmodel.domain.worktime.shifts import Shift

__all__ = ["MAX_CALENDAR_SPAN", "Shift", "WorkCalendar"]
