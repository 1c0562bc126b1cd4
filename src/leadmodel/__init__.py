"""leadmodel: the lead domain of CRMs as a typed, embeddable Python library.

Everything public is importable from here: ``import leadmodel as lm``.
"""

from __future__ import annotations

from leadmodel import pipelines
from leadmodel.domain.contact import ContactKind, ContactPoint
from leadmodel.domain.conversion import (
    Conversion,
    convert,
    customer_from_import,
    customer_from_order,
)
from leadmodel.domain.entities import (
    Company,
    Contact,
    Customer,
    CustomerKind,
    CustomerOrigin,
    Interest,
    Lead,
)
from leadmodel.domain.ids import (
    CompanyId,
    ContactId,
    CustomerId,
    IdFactory,
    InterestId,
    LeadId,
    sequential_ids,
    uuid7,
)
from leadmodel.domain.json import JSON, FrozenMap
from leadmodel.domain.ladder import attach_interest, promote, recycle, repeat_lead
from leadmodel.domain.lifecycle import LifecycleStage
from leadmodel.domain.matching import (
    DEFAULT_RULES,
    DuplicateGroup,
    DuplicateReport,
    KeyKind,
    MatchKey,
    MatchRule,
    Similar,
    SimilarField,
    duplicate_report,
    find_duplicates,
    match_keys,
)
from leadmodel.domain.merging import Conflict, Merged, SetAside, merge
from leadmodel.domain.money import Money
from leadmodel.domain.pipeline import (
    ActionSpec,
    FrameworkCheck,
    GuardCheck,
    Guards,
    Pipeline,
    PipelineSpec,
    Policy,
    Requirements,
    StatusKind,
    StatusSpec,
    Transition,
)
from leadmodel.domain.privacy import erase
from leadmodel.domain.records import Answer, Assessment, ConversionLinks, LossInfo, StatusChange
from leadmodel.domain.source import Channel, Source
from leadmodel.errors import (
    AlreadyConvertedError,
    ConcurrencyError,
    CurrencyMismatchError,
    LeadModelError,
    NotALeadError,
    NotFoundError,
    PipelineSpecError,
    Problem,
    RuleViolation,
    TransitionError,
    ValidationError,
)
from leadmodel.serde import SCHEMA_VERSION, from_dict, from_json, to_dict, to_json

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_RULES",
    "JSON",
    "SCHEMA_VERSION",
    "ActionSpec",
    "AlreadyConvertedError",
    "Answer",
    "Assessment",
    "Channel",
    "Company",
    "CompanyId",
    "ConcurrencyError",
    "Conflict",
    "Contact",
    "ContactId",
    "ContactKind",
    "ContactPoint",
    "Conversion",
    "ConversionLinks",
    "CurrencyMismatchError",
    "Customer",
    "CustomerId",
    "CustomerKind",
    "CustomerOrigin",
    "DuplicateGroup",
    "DuplicateReport",
    "FrameworkCheck",
    "FrozenMap",
    "GuardCheck",
    "Guards",
    "IdFactory",
    "Interest",
    "InterestId",
    "KeyKind",
    "Lead",
    "LeadId",
    "LeadModelError",
    "LifecycleStage",
    "LossInfo",
    "MatchKey",
    "MatchRule",
    "Merged",
    "Money",
    "NotALeadError",
    "NotFoundError",
    "Pipeline",
    "PipelineSpec",
    "PipelineSpecError",
    "Policy",
    "Problem",
    "Requirements",
    "RuleViolation",
    "SetAside",
    "Similar",
    "SimilarField",
    "Source",
    "StatusChange",
    "StatusKind",
    "StatusSpec",
    "Transition",
    "TransitionError",
    "ValidationError",
    "__version__",
    "attach_interest",
    "convert",
    "customer_from_import",
    "customer_from_order",
    "duplicate_report",
    "erase",
    "find_duplicates",
    "from_dict",
    "from_json",
    "match_keys",
    "merge",
    "pipelines",
    "promote",
    "recycle",
    "repeat_lead",
    "sequential_ids",
    "to_dict",
    "to_json",
    "uuid7",
]
