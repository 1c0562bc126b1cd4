"""Scoring: fit and engagement rules, temperature, and the predictive (naive Bayes) scorer."""

from leadmodel.domain.scoring.conditions import (
    FieldBetween,
    FieldIs,
    FitCondition,
    FreeMail,
    HasTag,
)
from leadmodel.domain.scoring.fields import Binned, Categorical, DerivedValue, Field
from leadmodel.domain.scoring.predictive import (
    Explanation,
    LikelihoodRatio,
    PredictiveScorer,
    Tally,
    ValueTally,
    outcome,
)
from leadmodel.domain.scoring.score_model import (
    Contribution,
    Engagement,
    EngagementRule,
    FitRule,
    Score,
    ScoreModel,
)
from leadmodel.domain.scoring.temperature import (
    DEFAULT_THRESHOLDS,
    HOT_SIGNALS,
    Temperature,
    TemperatureReading,
    Thresholds,
    explain_temperature,
    temperature,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "HOT_SIGNALS",
    "Binned",
    "Categorical",
    "Contribution",
    "DerivedValue",
    "Engagement",
    "EngagementRule",
    "Explanation",
    "Field",
    "FieldBetween",
    "FieldIs",
    "FitCondition",
    "FitRule",
    "FreeMail",
    "HasTag",
    "LikelihoodRatio",
    "PredictiveScorer",
    "Score",
    "ScoreModel",
    "Tally",
    "Temperature",
    "TemperatureReading",
    "Thresholds",
    "ValueTally",
    "explain_temperature",
    "outcome",
    "temperature",
]
