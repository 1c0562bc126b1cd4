"""Sample entities the parts of the storage contract suite share.

:mod:`leadmodel.testing.contract` and its mixins (:mod:`~leadmodel.testing._paging`,
:mod:`~leadmodel.testing._concurrency`) build their stores from these: numbered leads, one valid
entity of each kind, and the 24-lead spread that every ``find`` filter selects from.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from hypothesis import HealthCheck, settings

from leadmodel.domain.ladder import log_activity, reply_owed_since, respond
from leadmodel.domain.model import (
    Activity,
    ActivityKind,
    Company,
    Contact,
    Customer,
    CustomerKind,
    CustomerOrigin,
    Direction,
    Interest,
    Lead,
    StatusChange,
)
from leadmodel.domain.routing import idle_since
from leadmodel.domain.values import (
    Channel,
    CompanyId,
    ContactId,
    ContactPoint,
    CustomerId,
    InterestId,
    LeadId,
    Source,
)

__all__ = [
    "AT",
    "SERIAL",
    "filter_cases",
    "in_status",
    "many_leads",
    "numbered_lead",
    "property_settings",
    "samples",
]


def property_settings(examples: int = 25) -> settings:
    """Hypothesis settings of the contract's property tests: one fresh store per test
    (a function-scoped fixture), one subclass of the contract per adapter (differing
    executors), and stores that are slow to make on a loaded machine."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
            HealthCheck.too_slow,
        ],
    )


AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)

SERIAL = itertools.count()
"""Fresh numbers for ids: a Hypothesis test's store outlives its examples."""


def numbered_lead(n: int, **overrides: Any) -> Lead:
    """Lead ``lead-000n``, created ``n`` hours after :data:`AT`, with ``overrides``."""
    fields: dict[str, Any] = {
        "id": LeadId(f"lead-{n:04d}"),
        "person_name": f"Person {n}",
        "contact_points": (ContactPoint.email(f"person{n}@example.com"),),
        "topic": "windows",
        "source": Source(channel=Channel.form),
        "created_at": AT + timedelta(hours=n),
    }
    fields.update(overrides)
    return Lead(**fields)


def in_status(lead: Lead, pipeline: str, status: str) -> Lead:
    """``lead`` placed in ``status`` of ``pipeline`` (one history entry)."""
    change = StatusChange(
        pipeline=pipeline, from_status=None, to_status=status, at=lead.created_at, by="anna"
    )
    return attrs.evolve(lead, pipeline=pipeline, status=status, history=(change,))


def samples() -> dict[str, Any]:
    """One valid entity of each kind, ids distinct."""
    contact = Contact(
        id=ContactId("contact-1"),
        name="Олена Коваль",
        contact_points=(ContactPoint.phone("+380 44 123 4567"),),
    )
    company = Company(id=CompanyId("company-1"), name="Acme", domain="acme.example")
    return {
        "interests": Interest(
            id=InterestId("interest-1"),
            occurred_at=AT,
            source=Source(channel=Channel.instagram_comment),
            topic="summer sale",
            owner="anna",
        ),
        "leads": numbered_lead(1, owner="anna"),
        "contacts": contact,
        "companies": company,
        "customers": Customer(
            id=CustomerId("customer-1"),
            kind=CustomerKind.company,
            since=AT,
            origin=CustomerOrigin.from_lead,
            company_id=company.id,
        ),
    }


def many_leads(n: int) -> list[Lead]:
    """``n`` leads spread over owners, pipelines, statuses and a shared email; a third
    answered half an hour after creation, half of those written to again an hour later (each
    owed a reply again)."""
    owners = ("anna", "boris", None)
    places = (("requests", "new"), ("requests", "contacted"), ("deals", "new"), (None, None))
    leads = []
    for i in range(n):
        email = "shared@example.com" if i % 5 == 0 else f"person{i}@example.com"
        lead = numbered_lead(i, owner=owners[i % 3], contact_points=(ContactPoint.email(email),))
        if i % 3 == 1:
            lead = respond(lead, at=lead.created_at + timedelta(minutes=30), by="anna")
        if i % 6 == 4:  # half of the answered
            wrote = Activity(
                at=lead.created_at + timedelta(hours=1),
                kind=ActivityKind.email,
                direction=Direction.inbound,
            )
            lead = log_activity(lead, wrote)
        pipeline, status = places[i % 4]
        leads.append(lead if pipeline is None else in_status(lead, pipeline, status or ""))
    return leads


def filter_cases() -> list[tuple[dict[str, Any], Callable[[Lead], bool]]]:
    """find's filters alone and combined, with what each keeps, for :func:`many_leads`."""
    start, end = AT + timedelta(hours=5), AT + timedelta(hours=15)
    return [
        ({"status": "new"}, lambda x: x.status == "new"),
        ({"pipeline": "deals"}, lambda x: x.pipeline == "deals"),
        ({"owner": "anna"}, lambda x: x.owner == "anna"),
        ({"created_from": start}, lambda x: x.created_at >= start),
        ({"created_to": end}, lambda x: x.created_at < end),
        ({"owed_to": end}, lambda x: _before(reply_owed_since(x), end)),
        ({"idle_to": end}, lambda x: _before(idle_since(x), end)),
        (
            {"owner": "anna", "owed_to": end},
            lambda x: x.owner == "anna" and _before(reply_owed_since(x), end),
        ),
        (
            {"owed_from": start, "idle_from": start},
            lambda x: _in(reply_owed_since(x), start) and _in(idle_since(x), start),
        ),
        (
            {"pipeline": "requests", "status": "new", "idle_to": end},
            lambda x: (x.pipeline, x.status) == ("requests", "new") and _before(idle_since(x), end),
        ),
        (
            {"owner": "boris", "pipeline": "requests", "created_from": start},
            lambda x: x.owner == "boris" and x.pipeline == "requests" and x.created_at >= start,
        ),
        (
            {"pipeline": "requests", "status": "new"},
            lambda x: (x.pipeline, x.status) == ("requests", "new"),
        ),
        ({"key": "email:shared@example.com"}, lambda x: "shared" in x.contact_points[0].value),
        (
            {"key": "email:shared@example.com", "created_to": end},
            lambda x: "shared" in x.contact_points[0].value and x.created_at < end,
        ),
    ]


def _before(at: datetime | None, end: datetime) -> bool:
    return at is not None and at < end


def _in(at: datetime | None, start: datetime) -> bool:
    return at is not None and at >= start
