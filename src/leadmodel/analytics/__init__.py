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
* :mod:`~leadmodel.analytics.survival` — :func:`time_to_close`, :func:`time_in_status` (open
  cards censored: Kaplan–Meier, won and lost competing), :func:`durations`, :func:`cohorts`.
* :mod:`~leadmodel.analytics.sql` — the funnel, losses and sources as SQL over the stored
  projection (SQLite, PostgreSQL; extra ``sql``, so imported from its module);
  :func:`export_parquet` writes the projection for DuckDB, Polars or Spark.
* :mod:`~leadmodel.analytics.markov` — the absorbing chain of the cards' moves
  (``markov.fit``: win probability, expected moves and time to close from each status;
  ``markov.simulate``), :func:`forecast` (Monte Carlo revenue by period) and :func:`journeys`
  (paths for Markov attribution tools).
* :mod:`~leadmodel.analytics.attribution` — :func:`attribution` of conversions and revenue
  to the channels that touched each :class:`Journey` (first, last, linear, position 40/20/40,
  time decay, Markov removal effect).
"""

from leadmodel.analytics import markov
from leadmodel.analytics._table import Table
from leadmodel.analytics.attribution import Attribution, AttributionRow, Journey, attribution
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
from leadmodel.analytics.markov import (
    Forecast,
    ForecastRow,
    JourneyRow,
    Journeys,
    MarkovChain,
    forecast,
    journeys,
)
from leadmodel.analytics.parquet import FUNNEL_SQL, export_parquet
from leadmodel.analytics.people import (
    OwnerPerformance,
    OwnerRow,
    SpeedRow,
    SpeedToLead,
    owner_performance,
    speed_to_lead,
)
from leadmodel.analytics.sources import SourceEfficiency, SourceRow, source_efficiency
from leadmodel.analytics.survival import (
    CohortRow,
    Cohorts,
    DurationRow,
    Durations,
    Survival,
    SurvivalMedian,
    SurvivalRow,
    cohorts,
    durations,
    time_in_status,
    time_to_close,
)

__all__ = [
    "FUNNEL_SQL",
    "Attribution",
    "AttributionRow",
    "CohortRow",
    "Cohorts",
    "DurationRow",
    "Durations",
    "Forecast",
    "ForecastRow",
    "Funnel",
    "FunnelRow",
    "Journey",
    "JourneyRow",
    "Journeys",
    "LeadFact",
    "LeadFacts",
    "LossRow",
    "Losses",
    "MarkovChain",
    "Outcome",
    "OwnerPerformance",
    "OwnerRow",
    "SourceEfficiency",
    "SourceRow",
    "SpeedRow",
    "SpeedToLead",
    "StatusFact",
    "StatusFacts",
    "Survival",
    "SurvivalMedian",
    "SurvivalRow",
    "Table",
    "attribution",
    "cohorts",
    "durations",
    "export_parquet",
    "forecast",
    "funnel",
    "funnel_order",
    "journeys",
    "lead_facts",
    "losses",
    "markov",
    "owner_performance",
    "source_efficiency",
    "speed_to_lead",
    "status_facts",
    "time_in_status",
    "time_to_close",
]
