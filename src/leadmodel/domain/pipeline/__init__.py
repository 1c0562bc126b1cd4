"""Configurable status pipelines (kanban funnels): specs, compiled pipelines, guards, presets."""

from leadmodel.domain.pipeline.guards import GuardCheck, Guards
from leadmodel.domain.pipeline.machine import FrameworkCheck, Pipeline, latest_assessment
from leadmodel.domain.pipeline.spec import (
    ACTION_PARAMS,
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
