"""Shared by the matching tests: a record's match keys as text, contacts and contact points."""

from __future__ import annotations

import leadmodel as lm
from leadmodel import match_keys


def keys(record: lm.Interest | lm.Lead | lm.Contact | lm.Company) -> set[str]:
    return {str(key) for key in match_keys(record)}


def contact(cid: str, name: str, *points: lm.ContactPoint, **more: object) -> lm.Contact:
    return lm.Contact(id=lm.ContactId(cid), name=name, contact_points=points, **more)  # type: ignore[arg-type]


def email(address: str) -> lm.ContactPoint:
    return lm.ContactPoint.email(address)


def phone(number: str, region: str | None = None) -> lm.ContactPoint:
    return lm.ContactPoint.phone(number, region=region)
