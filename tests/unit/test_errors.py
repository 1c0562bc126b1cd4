"""The error hierarchy: one name for the problem list, ``why`` codes as enums, and errors that
carry what they are about (``kind``, ``id``, versions, links) as attributes."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

import leadmodel as lm
import leadmodel.errors as errors_module
from leadmodel.errors import (
    AlreadyConvertedError,
    ConcurrencyError,
    ConversionLinksFields,
    LeadModelError,
    LifecycleError,
    LifecycleWhy,
    NotFoundError,
    PipelineSpecError,
    Problem,
    RuleViolation,
    TransitionError,
    TransitionWhy,
    ValidationError,
)

TRANSITION_WHYS = {
    "not_allowed",
    "requirement_missing",
    "reason_required",
    "reason_not_allowed",
    "terminal",
    "other_pipeline",
    "unknown_status",
    "time_backwards",
}
LIFECYCLE_WHYS = {
    "backward",
    "recycle_first",
    "use_recycle",
    "use_convert",
    "customer",
    "not_a_customer",
    "not_recyclable",
    "time_backwards",
}


def _two_problems() -> list[Problem]:
    return [
        Problem("person_name", "a lead needs a person's name", ""),
        Problem("topic", "the topic is text", 3),
    ]


# -- one name for the problem list -----------------------------------------------------------------
def test_problems_lists_every_problem_in_order() -> None:
    error = ValidationError(_two_problems(), model="Lead")
    assert [p.path for p in error.problems] == ["person_name", "topic"]


def test_errors_is_a_deprecated_alias_that_returns_the_same_problems() -> None:
    error = ValidationError(_two_problems())
    with pytest.warns(DeprecationWarning, match=r"\.problems"):
        alias = error.errors
    assert alias is error.problems


def test_a_pipeline_spec_error_is_a_validation_error() -> None:
    error = PipelineSpecError(_two_problems(), source="crm.toml")
    assert isinstance(error, ValidationError)
    assert isinstance(error, ValueError)
    assert list(error.problems) == _two_problems()
    assert error.source == "crm.toml"
    with pytest.raises(ValidationError):
        raise error


def test_every_error_counts_its_problems_the_same_way() -> None:
    spec = str(PipelineSpecError(_two_problems(), source="crm.toml")).splitlines()
    plain = str(ValidationError(_two_problems())).splitlines()
    assert spec[0] == "pipeline spec crm.toml: 2 problems:"
    assert plain[0] == "2 problems:"
    assert spec[1:] == plain[1:]


def test_a_pipeline_spec_error_shows_the_toml_line_of_each_problem() -> None:
    error = PipelineSpecError([Problem("policy", "expected one of: any", "up", line=3)])
    assert (
        str(error) == "pipeline spec: 1 problem:\n  line 3: policy: expected one of: any; got 'up'"
    )


# -- why codes are enums ---------------------------------------------------------------------------
def test_the_why_enums_list_the_documented_codes() -> None:
    assert {why.value for why in TransitionWhy} == TRANSITION_WHYS
    assert {why.value for why in LifecycleWhy} == LIFECYCLE_WHYS


@pytest.mark.parametrize("why", sorted(TRANSITION_WHYS))
def test_a_transition_error_stores_its_why_as_the_enum(why: str) -> None:
    error = TransitionError("refused", from_status="new", to_status="won", why=why)
    assert error.why is TransitionWhy(why)
    assert error.why == why  # a StrEnum: comparisons with the text keep working


@pytest.mark.parametrize("why", sorted(LIFECYCLE_WHYS))
def test_a_lifecycle_error_stores_its_why_as_the_enum(why: str) -> None:
    error = LifecycleError("refused", from_stage="sql", to_stage="lead", why=why)
    assert error.why is LifecycleWhy(why)
    assert error.why == why
    assert f"{error.why}" == why


def test_a_transition_error_is_a_rule_violation() -> None:
    """DESIGN's hierarchy: a handler catching ``RuleViolation`` catches refused moves too."""
    error = TransitionError("refused", from_status="won", to_status="new", why="terminal")
    assert isinstance(error, RuleViolation)
    assert isinstance(error, LeadModelError)
    assert not isinstance(error, ValidationError)
    with pytest.raises(RuleViolation):
        raise error


def test_a_why_may_be_passed_as_the_enum() -> None:
    error = TransitionError(
        "refused", from_status="won", to_status="new", why=TransitionWhy.terminal
    )
    assert error.why is TransitionWhy.terminal


def test_a_why_outside_the_enum_is_refused() -> None:
    with pytest.raises(ValueError, match="sideways"):
        TransitionError("refused", from_status=None, to_status="new", why="sideways")


def test_the_enums_are_exported_from_leadmodel_errors() -> None:
    assert {"TransitionWhy", "LifecycleWhy"} <= set(errors_module.__all__)


# -- attributes ------------------------------------------------------------------------------------
def test_not_found_carries_the_kind_and_the_id() -> None:
    error = NotFoundError("no lead with id 'L-9' in this store", kind="leads", id="L-9")
    assert (error.kind, error.id) == ("leads", "L-9")
    assert isinstance(error, LookupError)
    assert isinstance(error, LeadModelError)


def test_concurrency_error_carries_the_entity_and_both_versions() -> None:
    error = ConcurrencyError("saved first", kind="leads", id="L-1", expected=0, found=1)
    assert (error.kind, error.id, error.expected, error.found) == ("leads", "L-1", 0, 1)


def test_concurrency_error_without_an_entity_says_so_with_none() -> None:
    error = ConcurrencyError("the database stopped this unit", kind=None, id=None)
    assert (error.kind, error.id, error.expected, error.found) == (None, None, None, None)


def test_already_converted_keeps_the_links_of_the_conversion() -> None:
    links = lm.ConversionLinks(
        customer_id=lm.CustomerId("C-1"), at=datetime(2026, 3, 1, tzinfo=UTC)
    )
    error = AlreadyConvertedError("lead L-1 was converted", links=links)
    assert error.links is links
    assert isinstance(error, RuleViolation)


def test_the_links_protocol_names_every_field_of_conversion_links() -> None:
    """errors.py may not import the domain, so it spells the fields out: they must not drift."""
    declared = {name for name in vars(ConversionLinksFields) if not name.startswith("_")}
    assert declared == {field.name for field in attrs.fields(lm.ConversionLinks)}
