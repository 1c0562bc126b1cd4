"""Analytics: the reports a business reads and the models an analyst builds, over leads.

Pure functions over iterables of leads (or their stored projection); they never change
anything. Every report returns a frozen :class:`Table` of small records: ``.rows``,
``.records()``, ``.to_pandas()`` / ``.to_polars()`` / ``.to_arrow()`` (extras), a text table
(``str``), an HTML one for notebooks and ``.plot()`` (extra ``plot``).

* :mod:`~leadmodel.analytics.facts` — leads flattened: one row per card, one per move, and the
  rules every report shares (outcome, funnel order, lost from, value).
* :mod:`~leadmodel.analytics.funnel` — :func:`funnel`, :func:`losses`.
* :mod:`~leadmodel.analytics.people` — :func:`owner_performance`, :func:`speed_to_lead`.
* :mod:`~leadmodel.analytics.sources` — :func:`source_efficiency`.
"""

from leadmodel.analytics._table import Table
from leadmodel.analytics.facts import (
    LeadFact,
    LeadFacts,
    Outcome,
    StatusFact,
    StatusFacts,
    funnel_order,
    lead_facts,
    status_facts,
)
from leadmodel.analytics.funnel import Funnel, FunnelRow, Losses, LossRow, funnel, losses
from leadmodel.analytics.people import (
    OwnerPerformance,
    OwnerRow,
    SpeedRow,
    SpeedToLead,
    owner_performance,
    speed_to_lead,
)
from leadmodel.analytics.sources import SourceEfficiency, SourceRow, source_efficiency

__all__ = [
    "Funnel",
    "FunnelRow",
    "LeadFact",
    "LeadFacts",
    "LossRow",
    "Losses",
    "Outcome",
    "OwnerPerformance",
    "OwnerRow",
    "SourceEfficiency",
    "SourceRow",
    "SpeedRow",
    "SpeedToLead",
    "StatusFact",
    "StatusFacts",
    "Table",
    "funnel",
    "funnel_order",
    "lead_facts",
    "losses",
    "owner_performance",
    "source_efficiency",
    "speed_to_lead",
    "status_facts",
]
