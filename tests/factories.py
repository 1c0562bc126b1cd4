"""Small builders of valid objects for unit tests (override any field by keyword)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import leadmodel as lm

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def lead(**overrides: Any) -> lm.Lead:
    fields: dict[str, Any] = {
        "id": lm.LeadId("lead-1"),
        "person_name": "Олена Коваль",
        "contact_points": (lm.ContactPoint.email("olena@example.com"),),
        "topic": "Офісні меблі",
        "source": lm.Source(channel=lm.Channel.form),
        "created_at": AT,
    }
    fields.update(overrides)
    return lm.Lead(**fields)


def asked(person: str, at: datetime = AT) -> lm.Consent:
    """The basis a person's own request gives for replying to it (what capture records)."""
    return lm.Consent(
        person=person, purpose="service", basis="contract", source="the person's request", at=at
    )


def interest(**overrides: Any) -> lm.Interest:
    fields: dict[str, Any] = {
        "id": lm.InterestId("int-1"),
        "occurred_at": AT,
        "source": lm.Source(channel=lm.Channel.instagram_comment),
        "topic": "Summer sale post",
    }
    fields.update(overrides)
    return lm.Interest(**fields)


def change(
    to: str, at: datetime = AT, frm: str | None = None, pipeline: str = "requests"
) -> lm.StatusChange:
    return lm.StatusChange(pipeline=pipeline, from_status=frm, to_status=to, at=at, by="anna")


def typo_model() -> lm.MatchModel:
    """A trained toy model of people: the same name, and an email the same or nearly (a typo).
    The name alone scores 0.31; the name and a mistyped mailbox above 0.99."""
    return lm.MatchModel(
        comparisons=[
            lm.Comparison(field_path="name", normalise="name",
                          levels=[lm.Level("exact", m=0.9, u=0.001)], else_m=0.1, else_u=0.999),
            lm.Comparison(field_path="email", levels=[lm.Level("exact", m=0.8, u=0.0001),
                          lm.Level("jaro_winkler", threshold=0.9, m=0.15, u=0.001)],
                          else_m=0.05, else_u=0.9989),
        ],
        blocking=[lm.Blocking(keys=["email"])],
        prior=0.01,
    )  # fmt: skip
