"""Configurable status pipelines (kanban funnels): specs, compiled pipelines, guards, presets."""

from leadmodel.domain.pipeline.guards import GuardCheck, Guards
from leadmodel.domain.pipeline.machine import FrameworkCheck, Pipeline, latest_assessment
from leadmodel.domain.pipeline.spec import (
    ACTION_PARAMS,
    MAX_ACTION_PARAMS,
    MAX_ACTIONS,
    MAX_LOST_REASONS,
    MAX_PIPELINE_ACTIONS,
    MAX_PIPELINE_LOST_REASONS,
    MAX_PIPELINE_REQUIREMENTS,
    MAX_REQUIREMENTS,
    MAX_STATUSES,
    MAX_TRANSITIONS,
    ActionSpec,
    PipelineSpec,
    Policy,
    Requirements,
    StatusKind,
    StatusSpec,
    Transition,
)

__all__ = [
    "ACTION_PARAMS",
    "MAX_ACTIONS",
    "MAX_ACTION_PARAMS",
    "MAX_LOST_REASONS",
    "MAX_PIPELINE_ACTIONS",
    "MAX_PIPELINE_LOST_REASONS",
    "MAX_PIPELINE_REQUIREMENTS",
    "MAX_REQUIREMENTS",
    "MAX_STATUSES",
    "MAX_TRANSITIONS",
    "ActionSpec",
    "FrameworkCheck",
    "GuardCheck",
    "Guards",
    "Pipeline",
    "PipelineSpec",
    "Policy",
    "Requirements",
    "StatusKind",
    "StatusSpec",
    "Transition",
    "latest_assessment",
]
