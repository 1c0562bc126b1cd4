"""Match keys: the normalised values that identify a person or a company.

>>> from leadmodel import Contact, ContactId, ContactPoint
>>> contact = Contact(
...     id=ContactId("contact-1"),
...     name="Olena Koval",
...     contact_points=(
...         ContactPoint.email("Olena.Koval@Mebli.UA"),
...         ContactPoint.email("olena.k@gmail.com"),
...         ContactPoint.messenger("telegram", "@olena_k"),
...     ),
... )
>>> for key in sorted(match_keys(contact)):
...     print(key)
domain:mebli.ua
email:olena.k@gmail.com
email:olena.koval@mebli.ua
handle:telegram:olena_k
name:koval olena

``gmail.com`` gives no domain key: it is free mail (:data:`FREE_MAIL_DOMAINS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache
from typing import TypeAlias

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.matching import _names
from leadmodel.domain.matching._columns import EMAIL_AT, SEP, Columns
from leadmodel.domain.model.entities import Company, Contact, Customer, Interest, Lead
from leadmodel.domain.values.contact import ContactKind, ContactPoint
from leadmodel.domain.values.normalise import ascii_domain
from leadmodel.errors import Problem, ValidationError

__all__ = [
    "FREE_MAIL_DOMAINS",
    "ROLE_MAILBOXES",
    "KeyKind",
    "MatchKey",
    "Party",
    "Record",
    "is_free_mail",
    "match_keys",
    "name_key",
]

Record: TypeAlias = Interest | Lead | Contact | Company
"""What matching accepts: people (interests, leads, contacts) and companies."""

RECORD_TYPES = (Interest, Lead, Contact, Company)

# fmt: off
_FREE_MAIL = (
    "gmail.com googlemail.com yahoo.com ymail.com rocketmail.com outlook.com hotmail.com "
    "live.com msn.com icloud.com me.com mac.com aol.com mail.com email.com zoho.com "
    "proton.me protonmail.com protonmail.ch pm.me tutanota.com tuta.io fastmail.com hey.com "
    "gmx.com gmx.net gmx.de gmx.at gmx.ch web.de t-online.de freenet.de yandex.ru yandex.ua "
    "yandex.kz yandex.com ya.ru mail.ru inbox.ru list.ru bk.ru internet.ru rambler.ru ukr.net "
    "i.ua meta.ua bigmir.net online.ua email.ua wp.pl o2.pl interia.pl onet.pl seznam.cz "
    "libero.it laposte.net orange.fr free.fr qq.com 163.com 126.com naver.com"
)
# fmt: on
FREE_MAIL_DOMAINS: frozenset[str] = frozenset(_FREE_MAIL.split())
"""Free-mail domains: an address there says nothing about the company a person works for.

Domains whose first label is a free-mail brand with a country ending are free mail too
(``gmx.*``, ``yahoo.*``, ``hotmail.*``, ``outlook.*``, ``live.*``, ``yandex.*``): see
:func:`is_free_mail`.
"""

_FREE_MAIL_BRANDS = frozenset(("gmx", "yahoo", "hotmail", "outlook", "live", "yandex", "mail"))
_COUNTRY_LABEL = 3  # "de", "com", "co" (in "co.uk"): labels no longer than this

_ROLES = (
    "info office sales support admin hello contact contacts mail team hr marketing "
    "noreply no-reply billing accounts accounting help service orders order zakaz shop "
    "manager reception post feedback"
)
ROLE_MAILBOXES: frozenset[str] = frozenset(_ROLES.split())
"""Local parts of shared role mailboxes (``info@``, ``sales@``): not one person's address.

A role address gives no ``email`` key to a person (many people write from ``info@``), but its
domain still counts as the company's.
"""


class KeyKind(StrEnum):
    """What a :class:`MatchKey` is made of."""

    email = "email"
    phone = "phone"
    handle = "handle"
    domain = "domain"
    tax_id = "tax_id"
    name = "name"
    company = "company"


@attrs.frozen(kw_only=True, order=True)
class MatchKey:
    """One normalised identifying value of a record: ``MatchKey(kind=KeyKind.email, value=...)``.

    ``str(key)`` is ``kind:value``. ``company`` keys are ``id:<company id>`` or
    ``name:<company name key>``.
    """

    kind: KeyKind
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class Party(StrEnum):
    """Who a record stands for: a person (interest, lead, contact) or a company."""

    person = "person"
    company = "company"


@lru_cache(maxsize=4096)  # a pure function of its argument; the same domains come back
def is_free_mail(domain: str) -> bool:
    """Whether ``domain`` (ASCII, lower case) is a free-mail service, not a company's own.

    >>> is_free_mail("gmail.com"), is_free_mail("gmx.de"), is_free_mail("example.com")
    (True, True, False)
    """
    if domain in FREE_MAIL_DOMAINS:
        return True
    brand, *rest = domain.split(".")
    return brand in _FREE_MAIL_BRANDS and all(len(label) <= _COUNTRY_LABEL for label in rest)


def _tax_key(tax_id: str) -> str:
    return "".join(ch for ch in tax_id if ch.isalnum()).upper()


_EMAIL, _PHONE, _HANDLE, _DOMAIN = "email", "phone", "handle", "domain"
_NAME, _COMPANY_KEY, _TAX_ID = "name", "company", "tax_id"
_PERSON, _COMPANY = str(Party.person), str(Party.company)
_PHONE_KIND, _EMAIL_KIND, _WEBSITE_KIND = ContactKind.phone, ContactKind.email, ContactKind.website


def _put(cols: Columns, party: str, kind: str, i: int, value: str) -> None:
    column = cols.values.get((party, kind))
    if column is None:
        column = cols.values[(party, kind)] = {}
    if i not in column:
        column[i] = value
        return
    if column[i] != value:  # a second value: kept aside, joined once the record is done
        more = cols.pending.get((party, kind))
        if more is None:
            cols.pending[(party, kind)] = {column[i], value}
        else:
            more.add(value)


def _join_pending(cols: Columns, i: int) -> None:
    """Join the several values of record ``i``, sorted, once: linear in its contact points."""
    for column, values in cols.pending.items():
        cols.values[column][i] = SEP.join(sorted(values))
        cols.several.add(column)
    cols.pending.clear()


def _contact_keys(cols: Columns, party: str, i: int, points: tuple[ContactPoint, ...]) -> str:
    """Put the keys of ``points``; return the personal emails' (domain, local) pairs, joined."""
    emails: list[str] = []
    for point in points:
        kind, key = point.kind, point.key
        if kind is _PHONE_KIND:
            _put(cols, party, _PHONE, i, key)
        elif kind is _EMAIL_KIND:
            local, _, domain = key.rpartition("@")
            local = local.partition("+")[0]
            if local not in ROLE_MAILBOXES:
                _put(cols, party, _EMAIL, i, key)
                bare = local.replace(".", "").replace("-", "").replace("_", "")
                emails.append(f"{domain}{EMAIL_AT}{bare}")
            if not is_free_mail(domain):
                _put(cols, party, _DOMAIN, i, domain)
        elif kind is _WEBSITE_KIND:
            _put(cols, party, _DOMAIN, i, key.partition("/")[0].partition(":")[0])
        else:
            _put(cols, party, _HANDLE, i, key)
    return SEP.join(emails)


class _Memo:
    """The name keys of one :func:`collect` call, however many: names repeat in a base.

    ``name_key`` keeps a bounded cache across calls; with more distinct names than it holds,
    a big base would compute the same key again and again, and cost more per record than a
    small one.
    """

    __slots__ = ("companies", "people")

    def __init__(self) -> None:
        self.people: dict[str, str] = {}
        self.companies: dict[str, str] = {}

    def person(self, name: str) -> str:
        key = self.people.get(name)
        if key is None:
            key = self.people[name] = _names.name_key(name)
        return key

    def company(self, name: str) -> str:
        key = self.companies.get(name)
        if key is None:
            key = self.companies[name] = _names.company_key(name)
        return key


def _company(cols: Columns, i: int, record: Company, memo: _Memo) -> str:
    name = memo.company(record.name)
    _put(cols, _COMPANY, _COMPANY_KEY, i, f"name:{name}")
    if record.legal_name:
        _put(cols, _COMPANY, _COMPANY_KEY, i, f"name:{memo.company(record.legal_name)}")
    if record.tax_id and (tax := _tax_key(record.tax_id)):
        _put(cols, _COMPANY, _TAX_ID, i, tax)
    if record.domain:
        _put(cols, _COMPANY, _DOMAIN, i, ascii_domain(record.domain).removeprefix("www."))
    return name


def _person(cols: Columns, i: int, record: Interest | Lead | Contact, memo: _Memo) -> str:
    if type(record) is Contact:
        person: str | None = record.name
        company_id, company_name = record.company_id, None
    elif type(record) is Lead:
        person, company_id, company_name = (
            record.person_name,
            record.company_id,
            record.company_name,
        )
    else:
        person, company_name = record.person_name, record.company_name  # type: ignore[union-attr]
        company_id = None
    name = memo.person(person) if person else ""
    if name:
        _put(cols, _PERSON, _NAME, i, name)
    if company_id:
        _put(cols, _PERSON, _COMPANY_KEY, i, f"id:{company_id.replace(SEP, ' ')}")
    if company_name:
        _put(cols, _PERSON, _COMPANY_KEY, i, f"name:{memo.company(company_name)}")
    return name


def collect(records: Iterable[Record]) -> Columns:
    """What linking needs to know of each record: party, keys, name key and emails, by column."""
    cols = Columns()
    memo = _Memo()
    parties, names, emails, idents = cols.parties, cols.names, cols.emails, cols.idents
    for i, record in enumerate(records):
        if type(record) is Company:
            party, name = _COMPANY, _company(cols, i, record, memo)
        else:
            party, name = _PERSON, _person(cols, i, record, memo)  # type: ignore[arg-type]
        parties.append(party)
        names.append(name)
        emails.append(_contact_keys(cols, party, i, record.contact_points))
        if cols.pending:
            _join_pending(cols, i)
        idents.append(f"{record.id}{SEP}{type(record).__name__}")
    return cols


def check_record(p: c.Problems, i: int, record: object) -> bool:
    """Whether ``record`` can be matched; if not, a problem at ``records[i]`` says why."""
    if type(record) in RECORD_TYPES:
        return True
    if isinstance(record, Customer):
        msg = (
            "a Customer has no contact data of its own: match its Contact (customer.contact_id)"
            " or its Company (customer.company_id) instead"
        )
    else:
        msg = "expected an Interest, Lead, Contact or Company"
    p.append(Problem(f"records[{i}]", msg, record))
    return False


def match_keys(record: Record) -> frozenset[MatchKey]:
    """The normalised keys that identify ``record`` (an Interest, Lead, Contact or Company).

    Emails, phones and handles are their :attr:`ContactPoint.key`; role mailboxes
    (:data:`ROLE_MAILBOXES`) give no ``email`` key. ``domain`` comes from websites, from the
    domain of a corporate email (never from :data:`FREE_MAIL_DOMAINS`) and from
    ``Company.domain``. People get a ``name`` key (see :func:`name_key`) and ``company`` keys
    (``id:…`` from ``company_id``, ``name:…`` from ``company_name``); companies get
    ``company`` keys from their name and legal name, and ``tax_id`` (letters and digits,
    upper case).

    Raises :class:`ValidationError` for anything else (a Customer: match its Contact).

    >>> from leadmodel import Company, CompanyId, ContactPoint
    >>> company = Company(
    ...     id=CompanyId("co-1"), name="ТОВ «Меблі Плюс»", tax_id="UA 4123-4567",
    ...     contact_points=(ContactPoint.email("sales@mebli.ua"),),
    ... )
    >>> sorted(str(key) for key in match_keys(company))
    ['company:name:mebli plus', 'domain:mebli.ua', 'tax_id:UA41234567']
    """
    p: c.Problems = []
    if not check_record(p, 0, record):
        raise ValidationError([problem.within("") for problem in p], model="match_keys")
    cols = collect((record,))
    return frozenset(
        MatchKey(kind=KeyKind(kind), value=value)
        for (_, kind), column in cols.values.items()
        for value in column[0].split(SEP)
    )


def name_key(name: str) -> str:
    """The fuzzy key of a person's name: equal for Cyrillic and Latin spellings, any word order.

    >>> name_key("Олена Коваль"), name_key("KOVAL Olena")
    ('koval olena', 'koval olena')
    """
    return _names.name_key(name)
