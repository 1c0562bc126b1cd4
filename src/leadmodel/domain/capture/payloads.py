"""Inbound payloads as ``capture_interest`` arguments: a web form's fields, a landing URL's UTM
query, a messenger webhook's sender and text (issue #20). Pure: no I/O, no clock, no network.

The shapes read:

- **Web form** (:func:`from_form`): ``{"name": "value" | ["value", ...]}``, as a web framework
  hands a form over (``request.form.to_dict(flat=False)``, ``urllib.parse.parse_qs``). A
  :class:`FieldMap` (data) says which field feeds which argument. UTM parameters
  (``utm_source``...) and allowed click ids (``gclid``...) may come as hidden fields or in the
  query string of ``page_url``; the fields win.
- **Landing URL** (:func:`from_utm`): ``https://mebli.ua/chairs?utm_source=google&gclid=...``,
  or the bare query string ``utm_source=google&...``; at most :data:`MAX_QUERY` characters.
- **Telegram** (:func:`from_messenger` with ``network="telegram"``): a Bot API update
  ``{"update_id": 1, "message": {"from": {"id": 42, "is_bot": false, "first_name": "Olena",
  "last_name": "Koval", "username": "olena_k"}, "date": 1767225600, "text": "...",
  "contact": {"phone_number": "380501234567", "user_id": 42}}}``, or its ``message`` alone;
  ``caption`` stands in for ``text``; a shared ``contact`` counts only when it is the sender's.
- **Any other messenger**: ``{"sender": {"id": "...", "username": "...", "name": "...",
  "first_name": "...", "last_name": "...", "phone": "..."}, "text": "..."}``.

Every problem of a payload is reported at once, in one
:class:`~leadmodel.errors.ValidationError`, each at its payload key with the value and the fix.

>>> from datetime import datetime, timezone
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> form = FieldMap(fields={"your-name": "name", "your-email": "email", "msg": "message"},
...     required=("email|phone",))
>>> got = from_form({"your-name": "Olena Koval", "your-email": "olena@mebli.ua",
...     "msg": "Office chairs?", "utm_source": "google", "gclid": "Cj0K", "xyzclid": "?"},
...     form, at=at, page_url="https://mebli.ua/chairs?utm_campaign=spring")
>>> got.person_name, [p.key for p in got.contact_points], got.source.campaign
('Olena Koval', ['olena@mebli.ua'], 'spring')
>>> dict(got.touch.click_ids), got.touch.landing
({'gclid': 'Cj0K'}, 'https://mebli.ua/chairs')
>>> from_form({"your-email": "olena@", "msg": "?"}, form, at=at)
Traceback (most recent call last):
...
leadmodel.errors.ValidationError: form.your-email: not an email address; ...
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NamedTuple

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.documents import Spec
from leadmodel.domain.capture.touches import (
    CLICK_ID_NAME,
    CLICK_IDS,
    CLICK_LIKE,
    UTM_KEYS,
    Touch,
    frozen_map,
    source_of,
    split_url,
    touch_of,
)
from leadmodel.domain.values import normalise as n
from leadmodel.domain.values.contact import (
    CONTACT_FIELDS,
    MAX_CONTACT_POINTS,
    ContactPoint,
    ContactPoints,
)
from leadmodel.domain.values.custom_json import EMPTY, JSON, freeze
from leadmodel.domain.values.source import Channel, Source
from leadmodel.errors import Problem, ValidationError, shorten

__all__ = [
    "MAX_FIELDS",
    "TARGETS",
    "Captured",
    "FieldMap",
    "UnknownFields",
    "from_form",
    "from_messenger",
]

MAX_FIELDS = 1000
"""The most values one form is read with (fields and the items of multi-valued ones)."""

_CONTACTS = CONTACT_FIELDS
_TEXTS = ("name", "first_name", "last_name", "company", "topic", "message")
TARGETS = (*_TEXTS, *_CONTACTS, *UTM_KEYS, "referrer", "landing")
"""What a form field may feed (:attr:`FieldMap.fields`), besides ``custom.<key>``."""

_CUSTOM = c.CUSTOM
_CHANNELS = {
    "telegram": Channel.telegram,
    "instagram": Channel.instagram_dm,
    "facebook": Channel.facebook_messenger,
    "messenger": Channel.facebook_messenger,
    "viber": Channel.viber,
    "whatsapp": Channel.whatsapp,
}


class UnknownFields(StrEnum):
    """What :func:`from_form` does with a field the :class:`FieldMap` neither maps nor ignores."""

    keep = "keep"
    drop = "drop"
    refuse = "refuse"


def _target_problem(target: object) -> str | None:
    return c.target_problem(target, TARGETS)


@attrs.frozen(kw_only=True)
class FieldMap(Spec):
    """How a web form's fields become ``capture_interest`` arguments: data, not code.

    ``fields`` maps a field's name to what it feeds (:data:`TARGETS`: ``name``, or
    ``first_name`` and ``last_name`` joined; ``email``; ``phone`` read in ``region``;
    ``telegram`` and ``instagram`` handles; ``company``, ``topic``, ``message``; the UTM
    parameters, ``referrer``, ``landing``; or ``custom.<key>``). ``ignore`` lists fields to
    drop (a captcha token); ``unknown`` says what to do with any other field: keep it in
    ``custom``, drop it, or refuse it. ``required`` lists what must be given, alternatives
    joined by ``|`` (``"email|phone"``). ``topic`` is the topic of a form that asks none;
    ``click_ids`` the click ids kept.

    >>> spec = FieldMap(fields={"tel": "phone"}, region="UA", required=("phone",))
    >>> spec.to_dict()
    {'schema_version': 1, 'fields': {'tel': 'phone'}, 'required': ['phone'], 'region': 'UA'}
    >>> FieldMap.from_dict(spec.to_dict()) == spec
    True
    >>> FieldMap(fields={"tel": "mobile"}, required=("fax",))
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: 2 problems:
      FieldMap.fields.tel: expected one of 'name', ...
      FieldMap.required[0]: expected one of 'name', ...
    """

    fields: Mapping[str, str] = attrs.field(factory=dict, converter=frozen_map)
    ignore: tuple[str, ...] = attrs.field(default=(), converter=c.as_tuple)
    unknown: UnknownFields = UnknownFields.keep
    required: tuple[str, ...] = attrs.field(default=(), converter=c.as_tuple)
    region: str | None = None
    topic: str | None = None
    click_ids: tuple[str, ...] = attrs.field(default=CLICK_IDS, converter=c.as_tuple)

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        self._check_fields(p)
        c.member(p, "unknown", self.unknown, UnknownFields)
        c.texts(p, "required", self.required, "a required target")
        for i, rule in enumerate(self.required if type(self.required) is tuple else ()):
            for alternative in rule.split("|") if type(rule) is str else ():
                if why := _target_problem(alternative.strip()):
                    p.append(Problem(f"required[{i}]", why, alternative))
        c.opt_text(p, "region", self.region, "the region")
        if type(self.region) is str and (why := n.region_problem(self.region)):
            p.append(Problem("region", why, self.region))
        c.opt_text(p, "topic", self.topic, "the topic")
        c.texts(p, "click_ids", self.click_ids, "a click id")
        for i, name in enumerate(self.click_ids if type(self.click_ids) is tuple else ()):
            if type(name) is str and not CLICK_ID_NAME.match(name):
                p.append(Problem(f"click_ids[{i}]", "a lower-case name such as 'gclid'", name))
        if p:
            c.fail("FieldMap", p)

    def _check_fields(self, p: c.Problems) -> None:
        if not isinstance(self.fields, Mapping):
            p.append(Problem("fields", "a mapping of form field names to targets", self.fields))
            return
        for key, target in self.fields.items():
            c.text(p, "fields", key, "a form field's name")
            if why := _target_problem(target):
                p.append(Problem(f"fields.{key}", why, target))
        c.texts(p, "ignore", self.ignore, "a form field's name")
        for key in self.ignore if type(self.ignore) is tuple else ():
            if key in self.fields:
                p.append(Problem("ignore", "a field is either mapped or ignored, not both", key))


@attrs.frozen(kw_only=True)
class Captured:
    """What an inbound payload says: the arguments of ``capture_interest`` and the ``touch``.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, tzinfo=timezone.utc)
    >>> got = Captured(source=Source(channel=Channel.telegram), message="Hi",
    ...     touch=Touch(channel=Channel.telegram, at=at), occurred_at=at)
    >>> got.topic, got.message
    (None, 'Hi')
    >>> Captured(source=Source(channel=Channel.form), touch=got.touch, occurred_at=at)
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: Captured.topic: say what the interest was about: ...
    """

    source: Source
    touch: Touch
    occurred_at: datetime = attrs.field(converter=c.fixed_offset)
    topic: str | None = None
    message: str | None = None
    person_name: str | None = None
    contact_points: tuple[ContactPoint, ...] = attrs.field(default=(), converter=c.as_tuple)
    company_name: str | None = None
    custom: Mapping[str, JSON] = EMPTY

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.instance(p, "source", self.source, Source)
        c.instance(p, "touch", self.touch, Touch)
        c.aware(p, "occurred_at", self.occurred_at)
        c.opt_text(p, "topic", self.topic, "the topic")
        c.opt_free_text(p, "message", self.message, "the message")
        if self.topic is None and not (type(self.message) is str and self.message.strip()):
            p.append(Problem("topic", "say what the interest was about: give a topic or a message"))
        c.opt_text(p, "person_name", self.person_name, "the person's name")
        if c.max_items(p, "contact_points", self.contact_points, ContactPoint.__max_items__):
            c.tuple_of(p, "contact_points", self.contact_points, ContactPoint)
        c.opt_text(p, "company_name", self.company_name, "the company name")
        try:
            object.__setattr__(self, "custom", freeze(self.custom, path="custom"))
        except ValidationError as exc:
            p.extend(exc.problems)
        if p:
            c.fail("Captured", p)

    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``capture(uow, **captured.kwargs())`` (and of
        ``capture_interest``): the interest's fields and its touch.

        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 3, 2, tzinfo=timezone.utc)
        >>> sorted(Captured(source=Source(channel=Channel.form), topic="Chairs",
        ...     touch=Touch(channel=Channel.form, at=at), occurred_at=at).kwargs())
        ['company_name', 'contact_points', 'custom', 'message', 'occurred_at', 'person_name',
         'source', 'topic', 'touch']
        """
        return {name: getattr(self, name) for name in _KWARGS}


_KWARGS = (
    *("source", "topic", "message", "person_name", "contact_points", "company_name"),
    *("custom", "occurred_at", "touch"),
)


# -- reading forms -----------------------------------------------------------------------------


@attrs.define
class _Found:
    """What a form's fields say, by target: ``(field, value)`` pairs in field order."""

    targets: dict[str, list[tuple[str, str]]] = attrs.field(factory=dict)
    custom: dict[str, JSON] = attrs.field(factory=dict)
    clicks: dict[str, str] = attrs.field(factory=dict)

    def add(self, target: str, key: str, values: tuple[str, ...]) -> None:
        self.targets.setdefault(target, []).extend((key, value) for value in values)

    def text(self, target: str) -> str | None:
        """The target's distinct values joined (a form's checkboxes for a topic)."""
        values = dict.fromkeys(value for _, value in self.targets.get(target, ()))
        return ", ".join(values) or None

    def keys(self, *targets: str) -> list[str]:
        return [key for target in targets for key, _ in self.targets.get(target, ())]


def _values(p: c.Problems, key: str, raw: object) -> tuple[str, ...]:
    """A field's values, stripped, blank ones left out; problems at the field's name."""
    items = raw if isinstance(raw, list | tuple) else [raw]
    out = []
    for i, item in enumerate(items):
        where = key if items is not raw else f"{key}[{i}]"
        if type(item) is not str:
            p.append(Problem(where, "expected text or a list of texts", item))
        elif not c.is_unicode(item):
            p.append(Problem(where, c.NOT_UNICODE, item))
        elif item.strip():
            out.append(item.strip())
    return tuple(out)


def _read_fields(p: c.Problems, fields: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(fields, Mapping):
        p.append(Problem("", "expected the form's fields: a mapping of names to texts", fields))
        return {}
    read: dict[str, tuple[str, ...]] = {}
    count = 0
    for key, raw in fields.items():
        count += len(raw) if isinstance(raw, list | tuple) else 1
        if count > MAX_FIELDS:
            p.append(Problem("", f"a form is read with at most {MAX_FIELDS:,} values (MAX_FIELDS)"))
            return {}
        if type(key) is not str or not c.is_unicode(key) or not key.strip():
            p.append(Problem(shorten(key), "a field's name is non-blank text", key))
            continue
        read[key] = _values(p, key, raw)
    return read


def _route(p: c.Problems, spec: FieldMap, key: str, values: tuple[str, ...], found: _Found) -> None:
    """Send one field to its target, to the touch, to ``custom`` or away."""
    kept: JSON = values[0] if len(values) == 1 else values
    target = spec.fields.get(key)
    name = key.lower()
    if target is not None and target.startswith(_CUSTOM):
        if values:
            found.custom.setdefault(target[len(_CUSTOM) :], kept)
    elif target is not None:
        found.add(target, key, values)
    elif key in spec.ignore:
        return
    elif name in UTM_KEYS:
        found.add(name, key, values)
    elif name in spec.click_ids:
        if values:
            found.clicks.setdefault(name, values[0])
    elif CLICK_LIKE.search(name) or name in CLICK_IDS:
        return  # a click id outside the allow-list: never kept
    elif spec.unknown is UnknownFields.refuse:
        fix = "map it in FieldMap.fields, list it in FieldMap.ignore, or set unknown='keep'"
        p.append(Problem(key, f"unexpected field; {fix}", kept))
    elif spec.unknown is UnknownFields.keep and values:
        found.custom.setdefault(key, kept)


def _contact(
    p: c.Problems, target: str, key: str, value: str, region: str | None
) -> ContactPoint | None:
    """The contact point a field's ``value`` makes for ``target``; problems at ``key``."""
    try:
        return ContactPoints(region=region).field(target, value)
    except ValidationError as exc:
        p.extend(Problem(key, problem.message, value) for problem in exc.problems)
        return None


def _contacts(p: c.Problems, found: _Found, region: str | None) -> list[ContactPoint]:
    points = [
        _contact(p, target, key, value, region)
        for target in _CONTACTS
        for key, value in found.targets.get(target, ())
    ]
    kept = [point for point in points if point is not None]
    if len(kept) > MAX_CONTACT_POINTS:
        p.append(Problem("", f"at most {MAX_CONTACT_POINTS:,} contact points (MAX_CONTACT_POINTS)"))
    return kept


def _given(found: _Found, target: str) -> bool:
    if target.startswith(_CUSTOM):
        return target[len(_CUSTOM) :] in found.custom
    return found.text(target) is not None


def _required(p: c.Problems, spec: FieldMap, found: _Found) -> None:
    for rule in spec.required:
        wanted = [alternative.strip() for alternative in rule.split("|")]
        also = ("first_name", "last_name") if "name" in wanted else ()
        if any(_given(found, target) for target in (*wanted, *also)):
            continue
        keys = [key for key, target in spec.fields.items() if target in (*wanted, *also)]
        where = f" (form field {c.listed(keys)})" if keys else ""
        what = " or ".join(wanted)
        p.append(Problem(keys[0] if keys else wanted[0], f"required: give {what}{where}"))


def from_form(
    fields: Mapping[str, str | list[str]],
    field_map: FieldMap,
    *,
    channel: Channel = Channel.form,
    at: datetime,
    page_url: str | None = None,
    referrer: str | None = None,
) -> Captured:
    """What a web form's ``fields`` say, read as ``field_map`` says; ``at`` is when it was sent.

    Values are stripped and a blank value counts as not given. Several values of a text target
    are joined with ``", "``; each value of a contact target is one contact point. UTM
    parameters and allowed click ids come from the fields or from ``page_url``'s query (the
    fields win); the touch's landing page is ``page_url`` without its query. Raises one
    :class:`~leadmodel.errors.ValidationError` with every problem, each at its field's name.

    >>> from datetime import datetime, timezone
    >>> spec = FieldMap(fields={"first": "first_name", "last": "last_name", "tel": "phone",
    ...     "tg": "telegram", "city": "custom.city"}, region="UA", topic="Website request",
    ...     unknown=UnknownFields.refuse, required=("name", "phone|telegram"))
    >>> got = from_form({"first": "Olena", "last": "Koval", "tel": "050 123 4567",
    ...     "city": "Lviv"}, spec, at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> got.person_name, got.contact_points[0].key, dict(got.custom), got.topic
    ('Olena Koval', '+380501234567', {'city': 'Lviv'}, 'Website request')
    >>> from_form({"tel": "12", "promo": "X"}, spec, at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: 3 problems:
      form.tel: not a ... phone number...
      form.promo: unexpected field; ...
      form.first: required: give name (form field 'first', 'last')
    """
    p: c.Problems = []
    spec = field_map
    if not isinstance(spec, FieldMap):
        c.fail("form", [Problem("field_map", "expected a FieldMap", spec)])
    found = _Found()
    for key, values in _read_fields(p, fields).items():
        _route(p, spec, key, values, found)
    landing, params = (None, {}) if page_url is None else split_url(p, "page_url", page_url)
    c.aware(p, "at", at)
    c.member(p, "channel", channel, Channel)
    c.opt_text(p, "referrer", referrer, "the referrer")
    points = _contacts(p, found, spec.region)
    first_last = " ".join(filter(None, (found.text("first_name"), found.text("last_name"))))
    topic, message = found.text("topic") or spec.topic, found.text("message")
    if topic is None and message is None:
        keys = found.keys("topic", "message") or ["topic"]
        fix = "map a field to 'topic' or 'message', or set FieldMap.topic"
        p.append(Problem(keys[0], f"say what the interest was about: {fix}"))
    _required(p, spec, found)
    if p:  # in the form's order, as its user sees the fields
        order = {key: i for i, key in enumerate(fields if isinstance(fields, Mapping) else ())}
        c.fail("form", sorted(p, key=lambda q: order.get(q.path.split("[")[0], len(order))))
    params = {**params, **{t: v for t in UTM_KEYS if (v := found.text(t))}, **found.clicks}
    touch = touch_of(
        channel,
        at,
        params,
        spec.click_ids,
        referrer=found.text("referrer") or referrer,
        landing=found.text("landing") or landing,
    )
    return Captured(
        source=source_of(touch),
        touch=touch,
        occurred_at=at,
        topic=topic,
        message=message,
        person_name=found.text("name") or first_last or None,
        contact_points=points,
        company_name=found.text("company"),
        custom=found.custom,
    )


# -- reading messenger webhooks ----------------------------------------------------------------


def _field(p: c.Problems, doc: Mapping[str, Any], key: str, path: str) -> str | None:
    """``doc[key]`` as stripped text (an id may be a number); ``None`` when absent or blank."""
    value = doc.get(key)
    if value is None:
        return None
    if type(value) is int and key in ("id", "user_id"):
        return str(value)
    if type(value) is not str:
        p.append(Problem(path, c.EXPECTED_STRING, value))
        return None
    if not c.is_unicode(value):
        p.append(Problem(path, c.NOT_UNICODE, value))
        return None
    return value.strip() or None


def _mapping(p: c.Problems, doc: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
    value = doc.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        p.append(Problem(path, c.EXPECTED_OBJECT, value))
        return {}
    return value


class _Message(NamedTuple):
    """A webhook read by its shape: where the sender is, the sender, and the message."""

    prefix: str  # the path of the message holding the text: "message." or ""
    sender_at: str
    sender: Mapping[str, Any]
    message: Mapping[str, Any]
    telegram: bool


def _shape(p: c.Problems, payload: object) -> _Message:
    if not isinstance(payload, Mapping):
        p.append(Problem("", "expected a webhook payload: a JSON object", payload))
        return _Message("", "sender", {}, {}, telegram=False)
    message = payload.get("message")
    if isinstance(message, Mapping):
        sender = _mapping(p, message, "from", "message.from")
        return _Message("message.", "message.from", sender, message, telegram=True)
    if "from" in payload:
        return _Message("", "from", _mapping(p, payload, "from", "from"), payload, telegram=True)
    if "sender" in payload:
        sender = _mapping(p, payload, "sender", "sender")
        return _Message("", "sender", sender, payload, telegram=False)
    shapes = "a Telegram update (message.from) or {'sender': {...}, 'text': ...}"
    p.append(Problem("sender", f"no sender: expected {shapes}", sorted(map(str, payload))[:10]))
    return _Message("", "sender", {}, {}, telegram=False)


def _sent_at(p: c.Problems, got: _Message, at: datetime) -> datetime:
    """A Telegram message's ``date`` (Unix seconds), else ``at``."""
    date = got.message.get("date")
    if date is None or not got.telegram:
        return at
    if type(date) is not int or not 0 <= date < _YEAR_10000:
        p.append(Problem(f"{got.prefix}date", "a Unix time in seconds (Telegram's 'date')", date))
        return at
    return datetime.fromtimestamp(date, UTC)


_YEAR_10000 = 253402300800
_SENDER_KEYS = ("id", "username", "name", "first_name", "last_name", "phone")


def _phone(p: c.Problems, got: _Message, read: Mapping[str, str | None]) -> tuple[str | None, str]:
    """The sender's phone and its path: Telegram's shared ``contact`` when it is the
    sender's own (a user may share anyone's), in international form."""
    if not got.telegram:
        return read["phone"], f"{got.sender_at}.phone"
    path = f"{got.prefix}contact"
    shared = _mapping(p, got.message, "contact", path)
    if read["id"] is None or _field(p, shared, "user_id", f"{path}.user_id") != read["id"]:
        return None, path
    phone = _field(p, shared, "phone_number", f"{path}.phone_number")
    # Telegram writes the international number without its "+"
    return (f"+{phone}" if phone and phone.isdigit() else phone), f"{path}.phone_number"


def _handle(p: c.Problems, network: str, handle: str, path: str) -> ContactPoint | None:
    try:
        if network == "instagram":  # an Instagram account, as a form's "instagram" field
            return ContactPoint.social(network, handle)
        return ContactPoint.messenger(network, handle)
    except ValidationError as exc:
        p.extend(Problem(path, problem.message, handle) for problem in exc.problems)
        return None


def from_messenger(
    payload: Mapping[str, Any],
    *,
    network: str,
    at: datetime,
    region: str | None = None,
    topic: str | None = None,
) -> Captured:
    """What a messenger webhook's sender and text say (the shapes are in the module's
    docstring); ``at`` is when it arrived (a Telegram message's ``date`` wins).

    The sender's username becomes a messenger contact point on ``network`` (a social account
    on ``instagram``), a shared phone a phone read in ``region``, the sender's id the custom
    field ``sender_id``; ``topic`` says what a message without text was about. Raises one
    :class:`~leadmodel.errors.ValidationError` with every problem at its payload path.

    >>> from datetime import datetime, timezone
    >>> update = {"update_id": 1, "message": {"message_id": 7, "date": 1772442000,
    ...     "from": {"id": 42, "is_bot": False, "first_name": "Olena", "username": "olena_k"},
    ...     "text": "Do you make office chairs?"}}
    >>> got = from_messenger(update, network="telegram", at=datetime.now(timezone.utc))
    >>> got.person_name, got.contact_points[0].key, got.source.channel.value, got.occurred_at
    ('Olena', 'telegram:olena_k', 'telegram', datetime.datetime(2026, 3, 2, 9, 0, tzinfo=...utc))
    >>> from_messenger({"sender": {"phone": "12"}}, network="viber",
    ...     at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: 2 problems:
      messenger.sender.phone: not a phone number; ...
      messenger.text: say what the interest was about: the message has no text; pass topic=
    """
    p: c.Problems = []
    network_ok = type(network) is str and CLICK_ID_NAME.match(network) is not None
    if not network_ok:
        p.append(Problem("network", "a lower-case name such as 'telegram'", network))
    got = _shape(p, payload)
    read = {key: _field(p, got.sender, key, f"{got.sender_at}.{key}") for key in _SENDER_KEYS}
    text = _field(p, got.message, "text", f"{got.prefix}text")
    text = text or _field(p, got.message, "caption", f"{got.prefix}caption")
    if got.telegram and got.sender.get("is_bot") is True:
        p.append(Problem(f"{got.sender_at}.is_bot", "a bot's message is not an interest; skip it"))
    phone, phone_at = _phone(p, got, read)
    username, at_username = read["username"], f"{got.sender_at}.username"
    points = [
        _handle(p, network, username, at_username) if username and network_ok else None,
        _contact(p, "phone", phone_at, phone, region) if phone else None,
    ]
    if text is None and topic is None:
        msg = "say what the interest was about: the message has no text; pass topic="
        p.append(Problem(f"{got.prefix}text", msg))
    c.opt_text(p, "topic", topic, "the topic")
    c.aware(p, "at", at)
    occurred_at = _sent_at(p, got, at)
    if p:
        c.fail("messenger", p)
    touch = Touch(channel=_CHANNELS.get(network, Channel.other), at=occurred_at)
    names = " ".join(filter(None, (read["first_name"], read["last_name"])))
    return Captured(
        source=source_of(touch),
        touch=touch,
        occurred_at=occurred_at,
        topic=topic,
        message=text,
        person_name=read["name"] or names or None,
        contact_points=[point for point in points if point is not None],
        custom={"sender_id": read["id"]} if read["id"] else EMPTY,
    )
