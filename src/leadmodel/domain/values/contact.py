"""Contact points (email, phone, messenger, social, website) and their match keys.

>>> ContactPoint.email("Olena@Example.com").key
'olena@example.com'
>>> ContactPoint.phone("+380 50 123 4567").key
'+380501234567'
>>> ContactPoint.messenger("telegram", "@Olena_K").key
'telegram:olena_k'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import ClassVar, Final

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel import documents
from leadmodel.domain.values import normalise as n
from leadmodel.errors import Problem, ValidationError

__all__ = [
    "CONTACT_FIELDS",
    "MAX_CONTACT_POINTS",
    "ContactKind",
    "ContactPoint",
    "ContactPoints",
    "merge_points",
]


class ContactKind(StrEnum):
    """What kind of address a :class:`ContactPoint` is."""

    email = "email"
    phone = "phone"
    messenger = "messenger"
    social = "social"
    website = "website"


_NEEDS_NETWORK = (ContactKind.messenger, ContactKind.social)

CONTACT_FIELDS: Final = ("email", "phone", "telegram", "instagram", "website")
"""The contact fields a form or a sheet may have (:meth:`ContactPoints.field`)."""

MAX_CONTACT_POINTS = 1000
"""The most contact points one record may hold (emails, phones, handles, websites together).

A person has a handful, a company's switchboard and departments some dozens; a thousand is far
above both and keeps the cost of one record bounded: storing a record keys every contact point,
inside the storage's write transaction. More is a :class:`~leadmodel.errors.ValidationError`
naming the field, the count and this cap, from the constructor, or from the document converter
before it reads a single contact point (``ContactPoint.__max_items__``).
"""


def _too_many(count: int) -> str:
    return (
        f"{count:,} contact points; a record holds at most {MAX_CONTACT_POINTS:,}"
        " (MAX_CONTACT_POINTS): keep the ones in use, or split the record"
    )


@attrs.frozen(kw_only=True)
class ContactPoint:
    """One way to reach a person or company; ``value`` is kept exactly as given.

    ``key`` is the normalised match key, computed on construction: a lower-cased email with
    its domain in ASCII; a phone in E.164 (with the ``phone`` extra; otherwise the
    digits-only fallback of :func:`~leadmodel.domain.values.normalise.phone_key_fallback`);
    ``network:handle`` for messengers and social accounts; host and path for websites.
    ``network`` names the messenger or social network; ``region`` is the ISO 3166 country
    a phone number written without its country code belongs to.
    """

    kind: ContactKind
    value: str
    label: str | None = None
    network: str | None = None
    region: str | None = None
    key: str = attrs.field(init=False, eq=False, repr=False)

    __max_items__: ClassVar[c.MaxItems] = c.MaxItems(MAX_CONTACT_POINTS, _too_many)
    """A record's contact points: at most :data:`MAX_CONTACT_POINTS` (read by the converter)."""

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.member(p, "kind", self.kind, ContactKind)
        c.text(p, "value", self.value, "the contact value")
        c.opt_text(p, "label", self.label, "the label")
        c.opt_text(p, "network", self.network, "the network")
        c.opt_text(p, "region", self.region, "the region")
        if not p:
            self._check_kind(p)
        if p:
            c.fail("ContactPoint", p)

    def _check_kind(self, p: c.Problems) -> None:
        kind, value = self.kind, self.value
        if kind in _NEEDS_NETWORK and self.network is None:
            p.append(Problem("network", f"a {kind.value} contact needs network= (e.g. 'telegram')"))
            return
        if kind not in _NEEDS_NETWORK and self.network is not None:
            p.append(
                Problem(
                    "network", "only messenger and social contacts have a network", self.network
                )
            )
        if self.region is not None:
            why = (
                n.region_problem(self.region)
                if kind is ContactKind.phone
                else "only phones have a region"
            )
            if why:
                p.append(Problem("region", why, self.region))
                return
        try:
            key = _match_key(self)
        except ValueError as exc:
            field = "network" if str(exc).startswith("network") else "value"
            p.append(Problem(field, str(exc), self.network if field == "network" else value))
            return
        object.__setattr__(self, "key", key)

    @staticmethod
    def __derived__(point: ContactPoint) -> dict[str, str]:
        """What construction derives from the other fields: the match key (raises
        ``ValueError`` where it cannot). A document its store sealed is rebuilt with it,
        without the checks (:func:`leadmodel._kernel.documents.trusted`)."""
        return {"key": _match_key(point)}

    @property
    def identity(self) -> tuple[ContactKind, str]:
        """What makes two contact points the same address: the kind and the match key."""
        return (self.kind, self.key)

    @classmethod
    def email(cls, address: str, *, label: str | None = None) -> ContactPoint:
        """An email address; internationalised domains are accepted (``olena@пошта.укр``).

        >>> import leadmodel as lm
        >>> lm.ContactPoint.email("Olena.Koval@Mebli.UA", label="робоча").key
        'olena.koval@mebli.ua'
        >>> lm.ContactPoint.email("olena@пошта.укр").key
        'olena@xn--80a1acn3a.xn--j1amh'
        >>> lm.ContactPoint.email("olena")
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: ContactPoint.value: not an email address; ...
        """
        return cls(kind=ContactKind.email, value=address, label=label)

    @classmethod
    def phone(
        cls, number: str, region: str | None = None, *, label: str | None = None
    ) -> ContactPoint:
        """A phone number; ``region`` (``"UA"``) lets a national number omit its country code.

        >>> ContactPoint.phone("050 123 4567", region="UA").key
        '+380501234567'
        """
        return cls(kind=ContactKind.phone, value=number, region=region, label=label)

    @classmethod
    def messenger(cls, network: str, handle: str, *, label: str | None = None) -> ContactPoint:
        """An account on a messenger (``telegram``, ``viber``, ``whatsapp``...).

        >>> import leadmodel as lm
        >>> lm.ContactPoint.messenger("telegram", "@Olena_K").key
        'telegram:olena_k'
        >>> lm.ContactPoint.messenger("Telegram", "@Olena_K")
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: ContactPoint.network: network must be a lower-case name
        such as 'telegram' or 'instagram'; got 'Telegram'
        """
        return cls(kind=ContactKind.messenger, value=handle, network=network, label=label)

    @classmethod
    def social(cls, network: str, handle: str, *, label: str | None = None) -> ContactPoint:
        """An account on a social network (``instagram``, ``facebook``, ``linkedin``...).

        >>> import leadmodel as lm
        >>> page = lm.ContactPoint.social("instagram", "@Mebli.Koval")
        >>> page.key, page.value
        ('instagram:mebli.koval', '@Mebli.Koval')
        """
        return cls(kind=ContactKind.social, value=handle, network=network, label=label)

    @classmethod
    def website(cls, url: str, *, label: str | None = None) -> ContactPoint:
        """A web address; the scheme is optional (``example.com``).

        >>> import leadmodel as lm
        >>> lm.ContactPoint.website("https://www.Mebli-Koval.ua/kontakty/").key
        'mebli-koval.ua/kontakty'
        >>> lm.ContactPoint.website("mebli-koval.ua").key
        'mebli-koval.ua'
        """
        return cls(kind=ContactKind.website, value=url, label=label)


def _match_key(point: ContactPoint) -> str:
    """The match key of ``point`` by its kind; ``ValueError`` for a value that has none."""
    kind, value = point.kind, point.value
    if kind is ContactKind.email:
        return n.email_key(value)
    if kind is ContactKind.phone:
        return n.phone_key(value, point.region)
    if kind is ContactKind.website:
        return n.website_key(value)
    return n.handle_key(point.network or "", value)


@attrs.frozen(kw_only=True)
class ContactPoints:
    """Contact points made with an app's defaults, set once: the phone ``region`` in which
    national numbers (``050 123 4567``) are read.

    Make one when the app starts (``PHONES = lm.ContactPoints(region="UA")``) and make phones
    with it, or read contact point documents (a request's JSON) with :meth:`read`. Nothing is
    global: two apps, or two tenants, hold two of them. A phone given with its own ``region``,
    or written with its country code, keeps it.

    >>> import leadmodel as lm
    >>> points = lm.ContactPoints(region="UA")
    >>> points.phone("050 123 4567").key, points.phone("+48 601 234 567").key
    ('+380501234567', '+48601234567')
    >>> [p.key for p in points.read([{"kind": "phone", "value": "050 123 4567"},
    ...     {"kind": "email", "value": "Olena@Mebli.ua"}])]
    ['+380501234567', 'olena@mebli.ua']
    >>> lm.ContactPoints(region="Ukraine")
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: ContactPoints.region: ...
    """

    region: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.opt_text(p, "region", self.region, "the region")
        if not p and self.region is not None and (why := n.region_problem(self.region)):
            p.append(Problem("region", why, self.region))
        if p:
            c.fail("ContactPoints", p)

    def phone(
        self, number: str, region: str | None = None, *, label: str | None = None
    ) -> ContactPoint:
        """A phone number read in ``region``, else in the default region.

        >>> import leadmodel as lm
        >>> lm.ContactPoints(region="UA").phone("601 234 567", region="PL").key
        '+48601234567'
        """
        return ContactPoint.phone(
            number, region if region is not None else self.region, label=label
        )

    def field(self, name: str, value: str) -> ContactPoint:
        """The contact point a form's or a sheet's field ``name`` holds: ``email``, ``phone``
        (read in the default region), ``telegram`` (a messenger), ``instagram`` (a social
        account) or ``website`` — the contact fields a :class:`~leadmodel.FieldMap` and an
        import map fill. Raises :class:`~leadmodel.errors.ValidationError` for a value that is
        not one, and for any other ``name``.

        >>> import leadmodel as lm
        >>> points = lm.ContactPoints(region="UA")
        >>> points.field("phone", "050 123 4567").key, points.field("telegram", "@olena").key
        ('+380501234567', 'telegram:olena')
        >>> points.field("fax", "044 123 4567")
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: ContactPoints.field.name: not a contact field; ...
        """
        if name == "phone":
            return self.phone(value)
        if name == "telegram":
            return ContactPoint.messenger("telegram", value)
        if name == "instagram":
            return ContactPoint.social("instagram", value)
        if name == "website":
            return ContactPoint.website(value)
        if name == "email":
            return ContactPoint.email(value)
        fields = ", ".join(CONTACT_FIELDS)
        why = f"not a contact field; use one of {fields}"
        raise ValidationError([Problem("name", why, name)], model="ContactPoints.field")

    def read(self, data: Iterable[Mapping[str, object]]) -> tuple[ContactPoint, ...]:
        """Contact point documents (``{"kind": "phone", "value": ...}``) as contact points, a
        phone without a ``region`` read in the default one; every problem at once, each with
        its path (``[1].value``).

        >>> import leadmodel as lm
        >>> lm.ContactPoints(region="UA").read([{"kind": "phone", "value": "12"}])
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: contact_points[0].value: not a ... phone number...
        """
        docs = [self._with_region(doc) for doc in data]
        try:
            points: tuple[ContactPoint, ...] = documents.structure(tuple[ContactPoint, ...], docs)
        except ValidationError as exc:  # name what was read, not its Python type
            raise ValidationError(exc.problems, model="contact_points") from None
        return points

    def _with_region(self, doc: object) -> object:
        if (
            isinstance(doc, Mapping)
            and doc.get("kind") == "phone"
            and doc.get("region") is None
            and self.region is not None
        ):
            return {**doc, "region": self.region}
        return doc


def merge_points(*groups: Iterable[ContactPoint]) -> tuple[ContactPoint, ...]:
    """All contact points of ``groups`` in order, each match key once (the first kept)."""
    seen: set[tuple[ContactKind, str]] = set()
    out = []
    for group in groups:
        for point in group:
            if point.identity not in seen:
                seen.add(point.identity)
                out.append(point)
    return tuple(out)
