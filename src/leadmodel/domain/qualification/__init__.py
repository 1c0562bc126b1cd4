"""Qualification: frameworks as data (BANT, GPCT, ...), verdicts, and assessing a lead."""

from leadmodel.domain.qualification.answers import ValueType
from leadmodel.domain.qualification.assessment import assess
from leadmodel.domain.qualification.criteria import (
    MAX_CHOICES,
    MAX_CRITERIA,
    MAX_FRAMEWORK_CHOICES,
    AllOf,
    AtLeast,
    Criterion,
    Rule,
    Verdict,
    Weighted,
)
from leadmodel.domain.qualification.framework import Framework
from leadmodel.domain.qualification.presets import (
    ANUM,
    BANT,
    CHAMP,
    FAINT,
    GPCT,
    GPCT_BA_CI,
    MEDDIC,
    MEDDPICC,
)

__all__ = [
    "ANUM",
    "BANT",
    "CHAMP",
    "FAINT",
    "GPCT",
    "GPCT_BA_CI",
    "MAX_CHOICES",
    "MAX_CRITERIA",
    "MAX_FRAMEWORK_CHOICES",
    "MEDDIC",
    "MEDDPICC",
    "AllOf",
    "AtLeast",
    "Criterion",
    "Framework",
    "Rule",
    "ValueType",
    "Verdict",
    "Weighted",
    "assess",
]
