"""A touch: one contact of a person with the business — the channel, the UTM parameters, the
referrer, the allowed click ids and the landing page — and reading it off a landing URL
(:func:`from_utm`). Pure: no I/O, no clock, no network.

>>> from datetime import datetime, timezone
>>> touch = from_utm("https://mebli.ua/chairs?utm_source=google&gclid=Cj0K&xyzclid=9",
...     at=datetime(2026, 3, 2, tzinfo=timezone.utc))
>>> touch.source, dict(touch.click_ids), touch.landing
('google', {'gclid': 'Cj0K'}, 'https://mebli.ua/chairs')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import ClassVar
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.values.custom_json import FrozenMap
from leadmodel.domain.values.source import Channel, Source
from leadmodel.errors import Problem

__all__ = [
    "CLICK_IDS",
    "CLICK_ID_NAME",
    "CLICK_LIKE",
    "MAX_QUERY",
    "MAX_TOUCHES",
    "UTM_KEYS",
    "Touch",
    "from_utm",
    "frozen_map",
    "source_of",
    "split_url",
    "touch_of",
]

MAX_QUERY = 8 * 1024
"""The longest landing URL or query string read, in characters; a longer one is refused."""

CLICK_IDS = (
    *("dclid", "epik", "fbclid", "gbraid", "gclid", "li_fat_id", "msclkid"),
    *("rdt_cid", "sccid", "ttclid", "twclid", "wbraid", "yclid"),
)
"""The ad networks' click ids kept by default (Google, Meta, Microsoft, TikTok, Yandex...)."""

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
"""The UTM parameters, recognised by name in a form and in a query string."""

CLICK_ID_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# a parameter named like a click id but not allowed is dropped, never kept in custom
CLICK_LIKE = re.compile(r"(?:clid|clkid|click_?id|_cid)$")


MAX_TOUCHES = 1_000
"""The most touches one lead keeps (each interest attached to it is one): a person who came
back a thousand times is one lead's history no more; start a new attempt (``recycle``)."""


def _too_many(count: int) -> str:
    return (
        f"{count:,} touches; a lead keeps at most {MAX_TOUCHES:,} (MAX_TOUCHES): start a new"
        " attempt (recycle)"
    )


def frozen_map(value: object) -> object:
    return FrozenMap(dict(value)) if isinstance(value, Mapping) else value


@attrs.frozen(kw_only=True)
class Touch:
    """One touch of a person with the business: the channel, the UTM ``source``, ``campaign``,
    ``medium``, ``content`` and ``term``, the ``referrer``, the allowed ``click_ids`` (name to
    value) and the ``landing`` page (without its query string), ``at`` a time.

    >>> from datetime import datetime, timezone
    >>> Touch(channel=Channel.landing, source="google", click_ids={"gclid": "Cj0K"},
    ...     at=datetime(2026, 3, 2, tzinfo=timezone.utc)).click_ids["gclid"]
    'Cj0K'
    """

    channel: Channel
    at: datetime = attrs.field(converter=c.fixed_offset)
    source: str | None = None
    campaign: str | None = None
    medium: str | None = None
    content: str | None = None
    term: str | None = None
    referrer: str | None = None
    click_ids: Mapping[str, str] = attrs.field(factory=dict, converter=frozen_map)
    landing: str | None = None

    __max_items__: ClassVar[c.MaxItems] = c.MaxItems(MAX_TOUCHES, _too_many)
    """A lead's touches: at most :data:`MAX_TOUCHES` (read by the converter)."""

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.member(p, "channel", self.channel, Channel)
        c.aware(p, "at", self.at)
        for name in ("source", "campaign", "medium", "content", "term", "referrer", "landing"):
            c.opt_text(p, name, getattr(self, name), f"the {name}")
        if not isinstance(self.click_ids, Mapping):
            p.append(Problem("click_ids", "a mapping of click id names to values", self.click_ids))
        else:
            for name, value in self.click_ids.items():
                if type(name) is not str or not CLICK_ID_NAME.match(name):
                    p.append(Problem("click_ids", "a lower-case name such as 'gclid'", name))
                c.text(p, f"click_ids.{name}", value, "a click id")
        if p:
            c.fail("Touch", p)

    def erased(self) -> Touch:
        """The touch without what may identify the person (the ``referrer``, which can carry
        a search or a profile, and the ``click_ids``, an ad network's handle on them): what
        erasure keeps for attribution.

        >>> from datetime import datetime, timezone
        >>> touch = Touch(channel=Channel.landing, source="google", referrer="https://x.example/",
        ...     click_ids={"gclid": "Cj0K"}, at=datetime(2026, 3, 2, tzinfo=timezone.utc))
        >>> kept = touch.erased()
        >>> kept.source, kept.referrer, dict(kept.click_ids)
        ('google', None, {})
        """
        if self.referrer is None and not self.click_ids:
            return self
        return attrs.evolve(self, referrer=None, click_ids={})


def split_url(p: c.Problems, path: str, value: object) -> tuple[str | None, dict[str, str]]:
    """The landing page of URL ``value`` (no query, no fragment) and its query's parameters
    (lower-case names, the first value of each); a bare query string has no landing page."""
    if type(value) is not str:
        p.append(Problem(path, "expected a URL or a query string", value))
        return None, {}
    if not c.is_unicode(value):
        p.append(Problem(path, c.NOT_UNICODE, value))
        return None, {}
    if len(value) > MAX_QUERY:
        msg = f"{len(value):,} characters; a URL or query string is read up to {MAX_QUERY:,}"
        p.append(Problem(path, msg + " (MAX_QUERY): pass the URL the browser opened", value))
        return None, {}
    value = value.strip()
    landing, query = None, value.removeprefix("?")
    if not value.startswith("?") and ("/" in value or "?" in value or "=" not in value):
        try:
            parts = urlsplit(value)
        except ValueError:
            p.append(Problem(path, "not a URL, e.g. 'https://mebli.ua/chairs?utm_source=x'", value))
            return None, {}
        landing = urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")) or None
        query = parts.query
    params: dict[str, str] = {}
    for name, item in parse_qsl(query, errors="replace"):
        if item.strip():
            params.setdefault(name.lower(), item.strip())
    return landing, params


def touch_of(
    channel: Channel,
    at: datetime,
    params: Mapping[str, str],
    click_ids: Iterable[str],
    *,
    referrer: str | None = None,
    landing: str | None = None,
) -> Touch:
    return Touch(
        channel=channel,
        at=at,
        source=params.get("utm_source"),
        campaign=params.get("utm_campaign"),
        medium=params.get("utm_medium"),
        content=params.get("utm_content"),
        term=params.get("utm_term"),
        referrer=referrer,
        click_ids={name: params[name] for name in click_ids if name in params},
        landing=landing,
    )


def source_of(touch: Touch) -> Source:
    return Source(
        channel=touch.channel, name=touch.source, campaign=touch.campaign, medium=touch.medium
    )


def from_utm(
    url_or_query: str,
    *,
    at: datetime,
    channel: Channel = Channel.landing,
    referrer: str | None = None,
    click_ids: Iterable[str] = CLICK_IDS,
) -> Touch:
    """The touch a landing URL (or its bare query string) records: UTM parameters, the click
    ids named in ``click_ids`` (others are dropped) and the page without its query.

    Raises :class:`~leadmodel.errors.ValidationError` for a URL that does not parse or is
    longer than :data:`MAX_QUERY` characters.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, tzinfo=timezone.utc)
    >>> touch = from_utm("https://mebli.ua/chairs?utm_source=google&utm_medium=cpc"
    ...     "&gclid=Cj0K&xyzclid=9", at=at)
    >>> touch.source, touch.medium, dict(touch.click_ids), touch.landing
    ('google', 'cpc', {'gclid': 'Cj0K'}, 'https://mebli.ua/chairs')
    >>> from_utm("utm_campaign=spring", at=at).campaign
    'spring'
    >>> from_utm("utm_term=" + "x" * 9000, at=at)
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: utm.url_or_query: 9,009 characters; ...
    """
    p: c.Problems = []
    landing, params = split_url(p, "url_or_query", url_or_query)
    c.aware(p, "at", at)
    c.member(p, "channel", channel, Channel)
    c.opt_text(p, "referrer", referrer, "the referrer")
    if p:
        c.fail("utm", p)
    return touch_of(channel, at, params, click_ids, referrer=referrer, landing=landing)
