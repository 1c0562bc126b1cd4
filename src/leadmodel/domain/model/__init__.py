"""The model: the entities of the ladder, the records they keep, lifecycle stages, field paths."""

from leadmodel.domain.model.activities import MAX_ACTIVITIES, Activity, ActivityKind, Direction
from leadmodel.domain.model.edits import EDITABLE, changed_fields, edit
from leadmodel.domain.model.entities import (
    MAX_CONTACT_POINTS,
    Company,
    Contact,
    Customer,
    CustomerKind,
    CustomerOrigin,
    Interest,
    Lead,
)
from leadmodel.domain.model.merges import Conflict, MergeRecord, SetAside
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
from leadmodel.domain.model.timeline import check_not_before, last_entry

__all__ = [
    "CUSTOMER_STAGES",
    "EDITABLE",
    "LEAD_FIELDS",
    "MAX_ACTIVITIES",
    "MAX_CONTACT_POINTS",
    "MOVES",
    "SERVICE_QUALIFIED",
    "WATERFALL",
    "Activity",
    "ActivityKind",
    "Answer",
    "Assessment",
    "Company",
    "Conflict",
    "Contact",
    "ConversionLinks",
    "Customer",
    "CustomerKind",
    "CustomerOrigin",
    "Direction",
    "Interest",
    "Lead",
    "LifecycleStage",
    "LossInfo",
    "MergeRecord",
    "SetAside",
    "StageChange",
    "StatusChange",
    "changed_fields",
    "check_not_before",
    "check_path",
    "edit",
    "last_entry",
    "lead_value",
    "path_problem",
    "requirement_problem",
]
