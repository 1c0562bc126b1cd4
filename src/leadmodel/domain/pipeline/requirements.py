"""What a lead lacks to enter a status: required fields, a framework's verdict, host guards."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from leadmodel.domain.model.entities import Lead
from leadmodel.domain.model.paths import lead_value
from leadmodel.domain.pipeline.guards import Guards
from leadmodel.domain.pipeline.spec import StatusSpec

__all__ = ["FrameworkCheck", "latest_assessment", "missing"]

FrameworkCheck = Callable[[Lead, str], "tuple[str, ...] | None"]
"""``check(lead, framework)``: ``None`` if the lead satisfies it, else the missing criteria."""


def latest_assessment(lead: Lead, framework: str) -> tuple[str, ...] | None:
    """The default framework check: the lead's latest assessment against ``framework`` qualified.

    Returns ``None`` when it did, else the criteria it lacked (or the framework's name when the
    lead was never assessed against it).

    >>> from datetime import datetime, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, tzinfo=timezone.utc)
    >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
    ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
    ...                source=lm.Source(channel=lm.Channel.form), created_at=at)
    >>> lm.pipelines.latest_assessment(lead, "BANT")  # never assessed
    ('BANT',)
    >>> answers = [lm.Answer(criterion="budget", met=True), lm.Answer(criterion="need", met=False)]
    >>> lead = lm.assess(lead, lm.BANT, answers, at=at, by="anna")
    >>> lm.pipelines.latest_assessment(lead, "BANT")  # unknown first, then not met
    ('authority', 'timeline', 'need')
    >>> every = [lm.Answer(criterion=criterion.key, met=True) for criterion in lm.BANT.criteria]
    >>> lead = lm.assess(lead, lm.BANT, every, at=at, by="anna")  # the latest one counts
    >>> print(lm.pipelines.latest_assessment(lead, "BANT"))
    None
    """
    for assessment in reversed(lead.assessments):
        if assessment.framework == framework:
            if assessment.qualified:
                return None
            return (*assessment.missing, *assessment.failed) or (framework,)
    return (framework,)


def _is_set(value: object) -> bool:
    return value is not None and value not in ("", (), frozenset())


def missing(
    lead: Lead,
    target: StatusSpec,
    guards: Guards,
    frameworks: Mapping[str, FrameworkCheck] | None,
) -> tuple[str, ...]:
    """What ``lead`` lacks of ``target``'s requirements, in words (empty when nothing).

    Fields by path, a framework's missing criteria as ``BANT.authority``, and each refusing
    guard as ``name (why)``.
    """
    req = target.requires
    found = [name for name in req.fields if not _is_set(lead_value(lead, name))]
    if req.framework is not None:
        check = (frameworks or {}).get(req.framework, latest_assessment)
        lacking = check(lead, req.framework)
        if lacking is not None:
            found += [f"{req.framework}.{c}" if c != req.framework else c for c in lacking]
    if req.converted and lead.converted is None:
        found.append("converted (convert the lead into a customer first)")
    for name in req.guards:
        why = guards.refusal(name, lead, target.key)
        if why is not None:
            found.append(f"{name} ({why})")
    return tuple(found)
