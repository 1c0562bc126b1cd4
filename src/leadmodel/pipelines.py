"""Pipelines and their presets: ``from leadmodel import pipelines; pipelines.KEYCRM_REQUESTS``.

>>> from leadmodel import pipelines
>>> [s.key for s in pipelines.KEYCRM_REQUESTS.statuses]
['new', 'in_work', 'qualified', 'offer_sent', 'won', 'lost']
"""

from leadmodel.domain.pipeline import (
    ActionSpec,
    Guards,
    Pipeline,
    PipelineSpec,
    Policy,
    StatusKind,
    StatusSpec,
)
from leadmodel.domain.pipeline.presets import B2B_DEALS, KEYCRM_REQUESTS, SIMPLE

__all__ = [
    "B2B_DEALS",
    "KEYCRM_REQUESTS",
    "SIMPLE",
    "ActionSpec",
    "Guards",
    "Pipeline",
    "PipelineSpec",
    "Policy",
    "StatusKind",
    "StatusSpec",
]
