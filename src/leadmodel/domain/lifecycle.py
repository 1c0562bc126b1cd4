"""Lifecycle stages of the Demand Waterfall (inquiry → … → evangelist).

>>> [s.value for s in LifecycleStage][:5]
['inquiry', 'lead', 'mql', 'sal', 'sql']
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["LifecycleStage"]


class LifecycleStage(StrEnum):
    """Where a lead stands in the lifecycle; forward only, back only through recycling."""

    inquiry = "inquiry"
    lead = "lead"
    mql = "mql"
    sal = "sal"
    sql = "sql"
    opportunity = "opportunity"
    customer = "customer"
    evangelist = "evangelist"
    disqualified = "disqualified"
    recycled = "recycled"
