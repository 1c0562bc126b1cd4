"""Keys where a key is natural: a pipeline or a framework given by key, found in a registry."""

from __future__ import annotations

from leadmodel.domain.model import Lead
from leadmodel.domain.pipeline import Pipeline
from leadmodel.domain.qualification import Framework
from leadmodel.domain.registry import Registry
from leadmodel.errors import Problem, ValidationError


def _registry(registry: Registry | None) -> Registry:
    if registry is None:
        return Registry.default()
    if not isinstance(registry, Registry):
        msg = "give a leadmodel.Registry (or None for the presets)"
        raise ValidationError([Problem("registry", msg, registry)], model="services")
    return registry


def pipeline_of(pipeline: Pipeline | str, registry: Registry | None) -> Pipeline:
    """``pipeline`` itself, or the registry's pipeline with that key (default: the presets)."""
    if isinstance(pipeline, Pipeline):
        return pipeline
    if isinstance(pipeline, str):
        return _registry(registry).pipeline(pipeline)
    msg = "give a Pipeline, or its key as registered (registry=...)"
    raise ValidationError([Problem("pipeline", msg, pipeline)], model="services")


def lead_pipeline(
    lead: Lead, pipeline: Pipeline | str | None, registry: Registry | None
) -> Pipeline:
    """The pipeline to move ``lead`` in: the one given, else the lead's own, by its key."""
    if pipeline is None:
        return _registry(registry).pipeline_of(lead)
    return pipeline_of(pipeline, registry)


def framework_of(framework: Framework | str, registry: Registry | None) -> Framework:
    """``framework`` itself, or the registry's framework with that key (default: the presets)."""
    if isinstance(framework, Framework):
        return framework
    if isinstance(framework, str):
        return _registry(registry).framework(framework)
    msg = "give a Framework, or its key as registered (registry=...)"
    raise ValidationError([Problem("framework", msg, framework)], model="services")
