"""The model: the entities of the ladder, the records they keep, lifecycle stages, field paths."""

from leadmodel.domain.model.entities import (
    Company,
    Contact,
    Customer,
    CustomerKind,
    CustomerOrigin,
    Interest,
    Lead,
)
from leadmodel.domain.model.paths import (
    LEAD_FIELDS,
    check_path,
    lead_value,
    path_problem,
    requirement_problem,
)
from leadmodel.domain.model.records import (
    Answer,
    Assessment,
    ConversionLinks,
    LossInfo,
    StatusChange,
)
from leadmodel.domain.model.stages import (
    CUSTOMER_STAGES,
    MOVES,
    SERVICE_QUALIFIED,
    WATERFALL,
    LifecycleStage,
    StageChange,
)

__all__ = [
    "CUSTOMER_STAGES",
    "LEAD_FIELDS",
    "MOVES",
    "SERVICE_QUALIFIED",
    "WATERFALL",
    "Answer",
    "Assessment",
    "Company",
    "Contact",
    "ConversionLinks",
    "Customer",
    "CustomerKind",
    "CustomerOrigin",
    "Interest",
    "Lead",
    "LifecycleStage",
    "LossInfo",
    "StageChange",
    "StatusChange",
    "check_path",
    "lead_value",
    "path_problem",
    "requirement_problem",
]
