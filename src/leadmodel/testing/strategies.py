"""Hypothesis strategies for every public leadmodel type, valid by construction.

Every strategy builds objects through their public constructors, so each value it yields
passed leadmodel's own validation. Use them in property tests (needs ``hypothesis``)::

    from hypothesis import given
    from leadmodel import Lead
    from leadmodel.testing import strategies as lst

    @given(lst.leads())
    def test_a_lead_can_always_be_reached(lead: Lead) -> None:
        assert lead.contact_points

Outside a test, :func:`hypothesis.find` returns a value meeting a condition:

>>> from hypothesis import find
>>> from hypothesis import Phase, settings
>>> quick = settings(phases=[Phase.generate], database=None)  # the first match, unshrunk
>>> lead = find(leads(), lambda lead: lead.lost is not None, settings=quick)
>>> lead.lost is not None and lead.converted is None
True

Datetimes come from many IANA zones and fixed offsets, and on purpose include wall times
inside DST overlaps and gaps (:func:`dst_edge_datetimes`). Entities keep every datetime with a
fixed UTC offset (the same instant and wall time), so an entity drawn here equals itself after
any round trip through storage or JSON. Pass ``aware_datetimes(allow_ambiguous=False)`` only
where a test compares *raw* datetimes with ``==`` across time zones (Python never calls a
wall time in an overlap equal to the same instant in another zone).
"""

from __future__ import annotations

import contextlib
import string
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import cache
from operator import attrgetter
from typing import Any, TypeAlias

import attrs
from hypothesis import strategies as st

from leadmodel import Company, Contact, Customer, CustomerKind, CustomerOrigin, Interest, Lead
from leadmodel.domain.capture import (
    PURPOSE_CHANNELS,
    Consent,
    ConsentEvidence,
    LawfulBasis,
    Purpose,
    SpamVerdict,
    Touch,
)
from leadmodel.domain.events import (
    CONSENT_CHANGES,
    EVENT_TYPES,
    ActivityLogged,
    CardStale,
    ConsentChanged,
    DomainEvent,
    EntityUpdated,
    Escalated,
    InterestCaptured,
    InterestReleased,
    LeadAssigned,
    LeadConverted,
    LeadCreated,
    LeadQualified,
    LeadReassigned,
    LeadsMerged,
    PersonErased,
    SlaBreached,
    StatusChanged,
)
from leadmodel.domain.intake import Decision
from leadmodel.domain.model import (
    MOVES,
    Activity,
    ActivityKind,
    Answer,
    Assessment,
    Conflict,
    ConversionLinks,
    Direction,
    LifecycleStage,
    LossInfo,
    MergeRecord,
    SetAside,
    StageChange,
    StatusChange,
)
from leadmodel.domain.pipeline import ActionSpec
from leadmodel.domain.qualification import (
    AllOf,
    AtLeast,
    Criterion,
    Framework,
    ValueType,
    Weighted,
)
from leadmodel.domain.routing import (
    MAX_ESCALATION_STEPS,
    Absence,
    EscalationAction,
    EscalationStep,
    Fallback,
    Member,
    Router,
    RoutingRule,
    RoutingState,
    SlaKind,
    SlaPolicy,
    Team,
)
from leadmodel.domain.routing import (
    Strategy as RoutingStrategy,
)
from leadmodel.domain.scoring import (
    Binned,
    Categorical,
    DerivedValue,
    FieldIs,
    HasTag,
    PredictiveScorer,
    Tally,
    ValueTally,
)
from leadmodel.domain.scoring.fields import AMOUNT
from leadmodel.domain.values import (
    JSON,
    MAX_JSON_INT,
    Channel,
    ContactKind,
    ContactPoint,
    Money,
    Source,
    Spend,
)
from leadmodel.domain.values import normalise as _normalise
from leadmodel.domain.values.currencies import ISO_4217
from leadmodel.domain.worktime import Shift, WorkCalendar
from leadmodel.errors import ValidationError

# fmt: off
__all__ = [
    "DST_EDGES",
    "TIME_ZONE_NAMES",
    "absences",
    "action_specs",
    "activities",
    "answers",
    "assessments",
    "aware_datetimes",
    "companies",
    "consents",
    "contact_points",
    "contacts",
    "conversion_links",
    "customers",
    "dst_edge_datetimes",
    "escalation_steps",
    "events",
    "frameworks",
    "interests",
    "json_objects",
    "json_values",
    "leads",
    "loss_infos",
    "members",
    "merge_records",
    "money",
    "person_names",
    "predictive_fields",
    "predictive_scorers",
    "routers",
    "routing_rules",
    "routing_states",
    "shifts",
    "sla_policies",
    "sources",
    "spam_verdicts",
    "stage_changes",
    "status_changes",
    "tallies",
    "teams",
    "touches",
    "value_tallies",
    "work_calendars",
]
# fmt: on

Strategy: TypeAlias = st.SearchStrategy
DatetimesArg: TypeAlias = "Strategy[datetime] | None"

TIME_ZONE_NAMES = ("Europe/Kyiv", "Asia/Almaty", "America/New_York", "UTC", "Asia/Tokyo")
"""IANA names :func:`leads` and :func:`contacts` draw ``time_zone`` from."""

_CYRILLIC = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяёъыэқңөүұ"
_LATIN = string.ascii_letters + "áéíóúñçäöüßøåłśźżćńęąšžčőű"
_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_APOSTROPHES = ("", "", "'", "\u2019", "\u02bc")  # none, none, ' ’ ʼ
_EMOJI = ("🦊", "🌻", "👩\u200d💻", "🇺🇦", "✨", "🙂", "🐼", "👍🏽")
# fmt: off
_NAMES = ("Олена Коваль", "Мар'яна Петрів-Сидоренко", "Seán O'Connor", "Jean-Luc Picard", "李小龙",
          "山田 太郎", "Нұрсұлтан Әбішұлы", "Zoë 🌻", "D\u2019Artagnan")
# fmt: on
_IDN_TLDS = ("укр", "рф", "бел", "қаз", "срб", "中国", "日本")
_MESSENGERS = ("telegram", "viber", "whatsapp", "signal", "wechat")
_SOCIALS = ("instagram", "facebook", "linkedin", "tiktok", "x", "vk")
_PHONE_REGIONS = ("UA", "KZ", "US", "GB", "DE", "JP", "PL", "IT", "AR", "IN", "BR", "CN", "GE")

_visible = st.characters(exclude_categories=("Z", "Cc", "Cs"))  # never str.isspace()


def _text(max_size: int = 24) -> Strategy[str]:
    """Non-blank text: arbitrary characters around at least one visible one."""
    half = st.text(max_size=max_size // 2)
    return st.builds(lambda a, mid, b: a + mid + b, half, _visible, half)


def _opt(strategy: Strategy[Any]) -> Strategy[Any]:
    return st.none() | strategy


def _tuples(strategy: Strategy[Any], min_size: int = 0, max_size: int = 3) -> Strategy[Any]:
    return st.lists(strategy, min_size=min_size, max_size=max_size).map(tuple)


_short = st.text(max_size=8)
_slug = st.text(string.ascii_lowercase + string.digits + "_-", min_size=1, max_size=12)
_key = _slug | _text(12)  # pipeline, status and criterion keys
_scores = st.integers(0, 100) | st.floats(0, 100)
_actor = _opt(st.sampled_from(("anna", "bohdan", "crm-bot")) | _text(12))


def _id(prefix: str) -> Strategy[str]:
    numbered = st.integers(1, 10**9).map(lambda n: f"{prefix}-{n}")
    return st.uuids().map(str) | numbered | _text(16)


@cache
def _has_zoneinfo() -> bool:
    import zoneinfo

    return bool(zoneinfo.available_timezones())


@cache
def _time_zones() -> tuple[str, ...]:
    """:data:`TIME_ZONE_NAMES` this machine's time zone data knows (``UTC`` at least)."""
    from dateutil import tz

    return tuple(name for name in TIME_ZONE_NAMES if tz.gettz(name) is not None) or ("UTC",)


def _is_ambiguous(value: datetime) -> bool:
    """Whether the UTC offset of ``value`` depends on ``fold`` (a DST overlap or gap)."""
    return value.replace(fold=1 - value.fold).utcoffset() != value.utcoffset()


def aware_datetimes(
    *,
    min_value: datetime = datetime(1850, 1, 1),
    max_value: datetime = datetime(2250, 12, 31),
    allow_ambiguous: bool = True,
) -> Strategy[datetime]:
    """Timezone-aware datetimes in IANA zones and fixed offsets (never imaginary wall times)."""
    minutes = st.integers(-24 * 60 + 1, 24 * 60 - 1).map(lambda m: m * 60)
    offsets = (minutes | st.integers(-86399, 86399)).map(lambda s: timezone(timedelta(seconds=s)))
    zones: Strategy[tzinfo] = st.just(UTC) | offsets
    if _has_zoneinfo():
        zones = zones | st.timezones()
    result = st.datetimes(min_value, max_value, timezones=zones, allow_imaginary=False)
    if not allow_ambiguous:
        return result.filter(lambda d: not _is_ambiguous(d))
    edges = dst_edge_datetimes().filter(lambda d: min_value <= d.replace(tzinfo=None) <= max_value)
    return st.one_of(result, edges) if _has_zoneinfo() else result


DST_EDGES: tuple[tuple[str, datetime], ...] = (
    ("Europe/Kyiv", datetime(2026, 10, 25, 3, 0)),  # overlap: 03:00-04:00 happens twice
    ("Europe/Kyiv", datetime(2026, 3, 29, 3, 0)),  # gap: 03:00-04:00 never happens
    ("America/New_York", datetime(2026, 11, 1, 1, 0)),
    ("America/New_York", datetime(2026, 3, 8, 2, 0)),
    ("Asia/Chongqing", datetime(1988, 9, 11, 1, 0)),  # a +09:00 summer time, long gone
    ("Australia/Lord_Howe", datetime(2026, 4, 5, 1, 30)),  # a 30-minute overlap
)
"""Zones and the start of a wall-clock hour their clocks repeat (overlap) or skip (gap)."""


def dst_edge_datetimes() -> Strategy[datetime]:
    """Wall times inside DST overlaps and gaps of :data:`DST_EDGES`, with ``fold`` 0 or 1.

    The times where Python's comparisons within one zone go wrong (PEP 495): the datetime rule
    of every entity (:func:`leadmodel._kernel.checks.fixed_offset`) must make them compare,
    store and read back as instants. Needs the IANA time zone database.
    """

    @st.composite
    def edge(draw: st.DrawFn) -> datetime:
        import zoneinfo

        name, start = draw(st.sampled_from(DST_EDGES))
        first = start.replace(tzinfo=zoneinfo.ZoneInfo(name))
        width = abs(first.utcoffset() - first.replace(fold=1).utcoffset())  # type: ignore[operator]
        into = draw(st.integers(0, int(width.total_seconds() * 10**6) - 1))
        return (first + timedelta(microseconds=into)).replace(fold=draw(st.integers(0, 1)))

    return edge()


def _at(datetimes: DatetimesArg) -> Strategy[datetime]:
    return aware_datetimes() if datetimes is None else datetimes


def money(
    *, currencies: Iterable[str] | None = None, non_negative: bool = False
) -> Strategy[Money]:
    """Money with up to 12 decimal places, below 10**18 in magnitude, in ISO 4217 currencies."""
    codes = sorted(ISO_4217 if currencies is None else currencies)

    @st.composite
    def amounts(draw: st.DrawFn) -> Decimal:
        exponent = draw(st.integers(-12, 3))
        limit = 10 ** (18 - exponent) - 1  # |amount| < 10**18, up to 30 significant digits
        coefficient = draw(st.integers(0 if non_negative else -limit, limit))
        return Decimal(f"{coefficient}E{exponent}")

    return st.builds(Money, amount=amounts(), currency=st.sampled_from(codes))


def person_names() -> Strategy[str]:
    """Never-blank names in Cyrillic, Latin, CJK and emoji, with apostrophes and hyphens."""
    letters = (
        st.text(_CYRILLIC + _CYRILLIC.upper(), min_size=1, max_size=10)
        | st.text(_LATIN, min_size=1, max_size=10)
        | st.text(_CJK, min_size=1, max_size=4)
    )
    apostrophe = st.sampled_from(_APOSTROPHES)
    word = st.builds(lambda a, mark, b: a + mark + b if mark else a, letters, apostrophe, letters)
    parts = st.lists(st.tuples(word | st.sampled_from(_EMOJI), st.sampled_from(" -")), min_size=1)
    joined = parts.map(lambda ws: "".join(w + sep for w, sep in ws[:4])[:-1])
    return st.sampled_from(_NAMES) | joined


def _domains() -> Strategy[str]:
    ascii_label = st.from_regex(r"\A[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?\Z").filter(
        lambda label: label[2:4] != "--"  # IDNA 2008 keeps "xn--"-style hyphens for A-labels
    )
    idn_label = st.text(_CYRILLIC, min_size=1, max_size=10) | st.text(_CJK, min_size=1, max_size=4)
    tld = st.from_regex(r"\A[a-z]{2,6}\Z") | st.sampled_from(_IDN_TLDS)
    labels = st.lists(ascii_label | idn_label, min_size=1, max_size=3)
    return st.builds(lambda ls, t: ".".join([*ls, t]), labels, tld)


def _emails() -> Strategy[str]:
    chars = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-" + _CYRILLIC
    atom = st.text(chars, min_size=1, max_size=20)
    local = st.lists(atom, min_size=1, max_size=3).map(".".join)  # at most 62 of the 64 allowed
    known = st.sampled_from(("олена@приклад.укр", "Olena.K@Example.com", "sales+crm@пошта.укр"))
    return known | st.builds(lambda lp, d: f"{lp}@{d}", local, _domains())


def _websites() -> Strategy[str]:
    scheme = st.sampled_from(("", "http://", "https://", "HTTPS://"))
    port = st.just("") | st.integers(1, 65535).map(lambda n: f":{n}")
    path = st.lists(_slug, max_size=3).map(lambda ps: "".join("/" + p for p in ps))
    parts = st.tuples(scheme, st.sampled_from(("", "www.")), _domains(), port, path)
    return parts.map("".join) | st.builds("{}/".format, _domains())


def _handles() -> Strategy[str]:
    chars = string.ascii_letters + string.digits + "_." + _CYRILLIC
    return st.builds(
        str.__add__, st.sampled_from(("", "@")), st.text(chars, min_size=1, max_size=20)
    )


@cache
def _example_numbers() -> tuple[tuple[str, Any], ...]:
    import phonenumbers as pn

    kinds = (pn.PhoneNumberType.MOBILE, pn.PhoneNumberType.FIXED_LINE, pn.PhoneNumberType.TOLL_FREE)
    found = ((r, pn.example_number_for_type(r, k)) for r in _PHONE_REGIONS for k in kinds)
    return tuple((r, n) for r, n in found if n is not None)


@st.composite
def _phones(draw: st.DrawFn) -> ContactPoint:
    """With phonenumbers: several regions and formats; without: international numbers only."""
    if not _normalise.HAVE_PHONENUMBERS:  # the fallback takes "+" (or "00") and 7-15 digits
        digits = draw(st.text(string.digits, min_size=6, max_size=14))
        digits = draw(st.sampled_from("123456789")) + digits  # country codes never start with 0
        cut = draw(st.integers(1, len(digits) - 1))
        shape = draw(
            st.sampled_from(("+{}{}", "+{} {}", "+{} ({})", "+{}-{}", "00{}.{}", "+{}/{}"))
        )
        return ContactPoint.phone(shape.format(digits[:cut], digits[cut:]))
    import phonenumbers as pn

    region, example = draw(st.sampled_from(_example_numbers()))
    number = pn.PhoneNumber()
    number.merge_from(example)  # same length and prefix as a real number: a possible number
    number.national_number = example.national_number // 10**4 * 10**4 + draw(st.integers(0, 9999))
    formats = pn.PhoneNumberFormat
    fmt = draw(
        st.sampled_from((formats.E164, formats.INTERNATIONAL, formats.NATIONAL, formats.RFC3966))
    )
    text = pn.format_number(number, fmt)
    if fmt == formats.INTERNATIONAL:
        text = text.replace(" ", draw(st.sampled_from((" ", "-", ".", ""))))
    national = fmt == formats.NATIONAL
    return ContactPoint.phone(text, region=region if national or draw(st.booleans()) else None)


def contact_points(*, kinds: Iterable[ContactKind] | None = None) -> Strategy[ContactPoint]:
    """Emails (ASCII and IDN), phones, messenger and social handles and websites."""
    label = _opt(st.sampled_from(("work", "home", "робочий")) | _text(12))
    networks = st.sampled_from(_MESSENGERS) | _slug.map("m".__add__)
    by_kind: dict[ContactKind, Strategy[ContactPoint]] = {
        ContactKind.email: st.builds(ContactPoint.email, _emails(), label=label),
        ContactKind.phone: _phones(),
        ContactKind.messenger: st.builds(ContactPoint.messenger, networks, _handles(), label=label),
        ContactKind.social: st.builds(
            ContactPoint.social, st.sampled_from(_SOCIALS), _handles(), label=label
        ),
        ContactKind.website: st.builds(ContactPoint.website, _websites(), label=label),
    }
    return st.one_of([by_kind[k] for k in (ContactKind if kinds is None else kinds)])


def _fields(
    cls: type[Any], at: Strategy[datetime], given: dict[str, Any], skip: Iterable[str] = ()
) -> dict[str, Any]:
    """A strategy per field of ``cls`` not in ``skip``: from ``given``, else the shared one."""
    shared: dict[str, Strategy[Any]] = {
        "id": _id(cls.__name__.lower()),
        "at": at,
        "by": _actor,
        "owner": _actor,
        "note": _opt(st.text(max_size=30)),
        "person_name": _opt(person_names()),
        "company_name": _opt(_text(20)),
        "contact_points": _tuples(contact_points()),
        "company_id": _opt(_id("company")),
        "contact_id": _opt(_id("contact")),
        "customer_id": _opt(_id("customer")),
        "time_zone": _opt(st.sampled_from(_time_zones())),
        "consent": _opt(st.booleans()),
        "do_not_contact": st.booleans(),
        "erased_at": st.none(),  # erased records carry no name or contact: see erase()
        "custom": json_objects(),
        "merges": st.just(()),  # merge_records() draws them; a merge is dated, see timeline
        "consents": st.just(()),  # _with_consents draws them: each names its record's id
        "version": st.integers(0, MAX_JSON_INT),
    }
    names = [f.name for f in attrs.fields(cls) if f.init and f.name not in skip]
    if unknown := [name for name in names if name not in given and name not in shared]:
        raise TypeError(
            f"leadmodel.testing.strategies has no strategy for {cls.__name__}.{unknown}"
        )
    return {name: given[name] if name in given else shared[name] for name in names}


def sources() -> Strategy[Source]:
    """Sources over every :class:`Channel`, with optional UTM fields and a non-negative cost."""
    return st.builds(
        Source,
        channel=st.sampled_from(Channel),
        name=_opt(_text(16)),
        campaign=_opt(_text(16)),
        medium=_opt(st.sampled_from(("cpc", "email", "organic")) | _text(8)),
        cost=_opt(money(non_negative=True)),
    )


def spends() -> Strategy[Spend]:
    """Campaign-level spend: a channel, a non-negative amount, a date range, optional names."""
    days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
    return st.builds(
        lambda channel, amount, start, length, names: Spend(
            channel=channel,
            amount=amount,
            start=start,
            end=min(start + timedelta(days=length), date(2100, 12, 31)),
            source=names[0],
            campaign=names[1],
            medium=names[2],
        ),
        st.sampled_from(Channel),
        money(non_negative=True),
        days,
        st.integers(0, 366),
        st.tuples(_opt(_text(16)), _opt(_text(16)), _opt(st.sampled_from(("cpc", "event")))),
    )


def status_changes(*, datetimes: DatetimesArg = None) -> Strategy[StatusChange]:
    """Single status moves (entries with ``from_status=None`` included)."""
    keys = {"pipeline": _key, "from_status": _opt(_key), "to_status": _key}
    keys |= {"from_pipeline": _opt(_key), "reason": _opt(_text(16))}
    return st.builds(StatusChange, **_fields(StatusChange, _at(datetimes), keys))


_MOVES = tuple((a, b) for a in LifecycleStage for b in LifecycleStage if b in MOVES[a])


def stage_changes(*, datetimes: DatetimesArg = None) -> Strategy[StageChange]:
    """Single lifecycle moves, each one of the moves :data:`~leadmodel.MOVES`
    allows (forward, to disqualified, a recycle)."""
    at = _at(datetimes)
    fields = _fields(StageChange, at, {"reason": _opt(_text(16))}, skip=("from_stage", "to_stage"))
    return st.builds(
        lambda move, **kw: StageChange(from_stage=move[0], to_stage=move[1], **kw),
        st.sampled_from(_MOVES),
        **fields,
    )


@st.composite
def _lifecycle_and_stages(draw: st.DrawFn, changes: Strategy[StageChange]) -> dict[str, Any]:
    """A lifecycle stage, and either no lifecycle history or a legal walk in time order ending
    there (each move one that :data:`~leadmodel.MOVES` allows)."""
    if not draw(st.booleans()):
        return {"lifecycle": draw(st.sampled_from(LifecycleStage)), "stages": ()}
    walk: list[StageChange] = []
    drawn = sorted(draw(st.lists(changes, min_size=1, max_size=5)), key=lambda ch: ch.at)
    stage = drawn[0].from_stage
    for change in drawn:
        targets = [s for s in LifecycleStage if s in MOVES[stage]]
        if not targets:  # evangelist: the end of the road
            break
        target = draw(st.sampled_from(targets))
        walk.append(attrs.evolve(change, from_stage=stage, to_stage=target))
        stage = target
    return {"lifecycle": stage, "stages": tuple(walk)}


def conversion_links(*, datetimes: DatetimesArg = None) -> Strategy[ConversionLinks]:
    """What a converted lead produced: customer, contact, company and deal reference."""
    ids = {"customer_id": _id("customer"), "deal_ref": _opt(_id("deal"))}
    return st.builds(ConversionLinks, **_fields(ConversionLinks, _at(datetimes), ids))


def loss_infos(*, datetimes: DatetimesArg = None) -> Strategy[LossInfo]:
    """Why and when a lead was lost."""
    return st.builds(
        LossInfo,
        **_fields(
            LossInfo,
            _at(datetimes),
            {"status": _key, "reason": _text(20), "from_status": _opt(_key)},
        ),
    )


_PAIRS = tuple(
    (kind, direction)
    for kind in ActivityKind
    for direction in Direction
    if (kind is ActivityKind.note) == (direction is Direction.internal)
)  # a note is internal, and only a note


def _activity_kinds() -> Strategy[tuple[ActivityKind, Direction, Channel | None]]:
    """A kind and a direction that go together, and a channel (a note has none)."""
    return st.sampled_from(_PAIRS).flatmap(
        lambda pair: st.tuples(
            st.just(pair[0]),
            st.just(pair[1]),
            st.none() if pair[0] is ActivityKind.note else _opt(st.sampled_from(Channel)),
        )
    )


def activities(*, datetimes: DatetimesArg = None) -> Strategy[Activity]:
    """Contacts each way and notes, with or without who, channel, note and id."""
    fields = {"note": _opt(st.text(max_size=40)), "id": _opt(_id("activity"))}
    fields = _fields(Activity, _at(datetimes), fields, skip=("kind", "direction", "channel"))
    return st.builds(
        lambda what, **kw: Activity(kind=what[0], direction=what[1], channel=what[2], **kw),
        _activity_kinds(),
        **fields,
    )


@st.composite
def _timelines(draw: st.DrawFn, items: Strategy[Activity]) -> tuple[Activity, ...]:
    """Activities in time order, each id once (a repeated id is dropped from the later one)."""
    timeline: list[Activity] = []
    ids: set[str] = set()
    for drawn in sorted(draw(st.lists(items, max_size=3)), key=attrgetter("at")):
        kept = drawn if drawn.id not in ids else attrs.evolve(drawn, id=None)
        if kept.id is not None:
            ids.add(kept.id)
        timeline.append(kept)
    return tuple(timeline)


def merge_records(*, datetimes: DatetimesArg = None) -> Strategy[MergeRecord]:
    """What a survivor keeps of a merge: conflicts and set-aside values of every type."""
    at = _at(datetimes)
    rid = _id("lead")
    conflicts = st.one_of(
        st.builds(Conflict, field=st.just("owner"), values=st.dictionaries(rid, _text(10))),
        st.builds(Conflict, field=st.just("source"), values=st.dictionaries(rid, sources())),
        st.builds(Conflict, field=st.just("score"), values=st.dictionaries(rid, st.floats(0, 100))),
        st.builds(
            Conflict, field=st.just("contact_points[0]"),
            values=st.dictionaries(rid, contact_points(), max_size=2),
        ),
        st.builds(
            Conflict, field=st.just("custom.utm"), values=st.dictionaries(rid, json_values())
        ),
    )  # fmt: skip
    set_aside = st.one_of(
        st.builds(SetAside, source_id=rid, field=st.just("history"),
                  value=_tuples(status_changes(datetimes=at))),
        st.builds(SetAside, source_id=rid, field=st.just("stages"),
                  value=_tuples(stage_changes(datetimes=at))),
        st.builds(SetAside, source_id=rid, field=st.just("lost"),
                  value=loss_infos(datetimes=at)),
        st.builds(SetAside, source_id=rid, field=st.just("erased_at"), value=at),
        st.builds(SetAside, source_id=rid, field=st.just("activities"),
                  value=_tuples(activities(datetimes=at))),
    )  # fmt: skip
    return st.builds(
        MergeRecord,
        at=at,
        by=_actor,
        absorbed_ids=_tuples(rid, min_size=1),
        status_from=_opt(rid),
        conflicts=_tuples(conflicts),
        set_aside=_tuples(set_aside),
        provenance=st.dictionaries(_text(10), rid, max_size=3),
    )


def json_values(*, max_depth: int = 4) -> Strategy[JSON]:
    """JSON values (numbers within ±(2**63-1)) nested ``max_depth`` deep at most."""
    value: Strategy[Any] = st.none() | st.booleans() | st.integers(-MAX_JSON_INT, MAX_JSON_INT)
    value = value | st.floats(-(2.0**63), 2.0**63, exclude_min=True, exclude_max=True)
    value = value | st.text(max_size=12)
    for _ in range(max_depth):
        lists, objects = st.lists(value, max_size=3), st.dictionaries(_short, value, max_size=3)
        value = value | lists | objects
    return value


def json_objects(*, max_depth: int = 4) -> Strategy[dict[str, JSON]]:
    """JSON objects for custom fields, nested ``max_depth`` deep at most (this one included)."""
    return st.dictionaries(_short, json_values(max_depth=max_depth - 1), max_size=4)


def answers(*, datetimes: DatetimesArg = None) -> Strategy[Answer]:
    """Evidence for one qualification criterion, with any JSON value."""
    fields = {"criterion": _key, "met": _opt(st.booleans()), "value": json_values(max_depth=3)}
    return st.builds(Answer, **_fields(Answer, _opt(_at(datetimes)), fields))


def assessments(*, datetimes: DatetimesArg = None) -> Strategy[Assessment]:
    """Qualifications against a framework, with answers and a verdict."""
    fields = {
        "framework": st.sampled_from(("BANT", "MEDDIC", "CHAMP")) | _key,
        "answers": _tuples(answers(datetimes=datetimes)),
        "qualified": st.booleans(),
        "score": _scores,
        "missing": _tuples(_key, max_size=2),
        "failed": _tuples(_key, max_size=2),
    }
    return st.builds(Assessment, **_fields(Assessment, _at(datetimes), fields))


def touches(*, datetimes: DatetimesArg = None) -> Strategy[Touch]:
    """Touches over every channel, with optional UTM fields, referrer, click ids and landing."""
    return st.builds(
        Touch,
        channel=st.sampled_from(Channel),
        at=_at(datetimes),
        source=_opt(st.sampled_from(("google", "facebook", "newsletter")) | _text(12)),
        campaign=_opt(_text(12)),
        medium=_opt(st.sampled_from(("cpc", "email", "organic")) | _text(8)),
        content=_opt(_text(8)),
        term=_opt(_text(8)),
        referrer=_opt(_text(20)),
        click_ids=st.dictionaries(st.sampled_from(("gclid", "fbclid", "msclkid")), _text(12)),
        landing=_opt(_text(20)),
    )


def _time_ordered(items: Strategy[Any], max_size: int = 3) -> Strategy[tuple[Any, ...]]:
    return st.lists(items, max_size=max_size).map(lambda xs: tuple(sorted(xs, key=_by_at)))


def _by_at(item: Any) -> datetime:
    at: datetime = item.at
    return at


def spam_verdicts() -> Strategy[SpamVerdict]:
    """The host's spam verdicts: a captcha score, the honeypot, the rate limit, a note."""
    return st.builds(
        SpamVerdict,
        captcha_score=_opt(st.floats(0, 1)),
        honeypot=st.booleans(),
        rate_limited=st.booleans(),
        note=_opt(_text(12)),
    )


@st.composite
def consents(
    draw: st.DrawFn, person: Strategy[str] | None = None, *, datetimes: DatetimesArg = None
) -> Consent:
    """Consent records about ``person`` (default: any id) in every state: given under any
    basis, awaiting or past a double opt-in, confirmed, withdrawn, erased."""
    at = draw(_at(datetimes))
    purpose = draw(st.sampled_from(Purpose))
    kinds = sorted(PURPOSE_CHANNELS[purpose])
    channel = draw(_opt(st.sampled_from(kinds))) if kinds else None
    basis = LawfulBasis.consent if draw(st.booleans()) else draw(st.sampled_from(LawfulBasis))
    evidence = st.builds(
        ConsentEvidence,
        form_url=st.just("https://mebli.ua/form") | _text(16),
        text_version=_opt(st.sampled_from(("v1", "v2")) | _text(8)),
        note=_opt(_text(16)),
    )
    record = Consent(
        person=draw(person if person is not None else _id("lead")),
        purpose=purpose,
        channel=channel,
        basis=basis,
        source=draw(st.sampled_from(("form:newsletter", "call")) | _text(12)),
        at=at,
        evidence=draw(evidence if basis is LawfulBasis.consent else _opt(evidence)),
    )
    # times after ``at`` by instants, not wall clocks (a DST change between them must not
    # make a later time an earlier instant)
    later = st.timedeltas(timedelta(0), timedelta(days=60)).map(lambda d: at.astimezone(UTC) + d)
    if basis is LawfulBasis.consent and draw(st.booleans()):
        asked = draw(later)
        ttl = draw(st.timedeltas(timedelta(hours=1), timedelta(days=30)))
        record = record.request_opt_in(asked, ttl=ttl)
        if draw(st.booleans()):
            record = record.confirm(asked + (ttl / 2))
    step = draw(st.sampled_from(("keep", "withdraw", "erase")))
    if step != "keep":
        last = max(d for d in (record.at, record.requested_at, record.confirmed_at) if d)
        when = last.astimezone(UTC) + draw(st.timedeltas(timedelta(0), timedelta(days=60)))
        record = record.withdraw(when) if step == "withdraw" else record.erase(when)
    return record


def interests(*, datetimes: DatetimesArg = None) -> Strategy[Interest]:
    """Interests, anonymous or not; each has a topic or a non-blank message."""
    about = st.tuples(_text(20), _opt(st.text(max_size=40))) | st.tuples(st.none(), _text(40))
    at = _at(datetimes)
    given = {
        "occurred_at": at,
        "source": sources(),
        "lead_id": _opt(_id("lead")),
        "touch": _opt(touches(datetimes=at)),
        "spam": _opt(spam_verdicts()),
        "quarantine": _opt(_text(20)),
        "idempotency_key": _opt(_text(20)),
    }
    fields = _fields(Interest, at, given, skip=("topic", "message"))
    made = st.builds(
        lambda about, **kw: Interest(topic=about[0], message=about[1], **kw), about, **fields
    )
    return _with_consents(made, at)


def _with_consents(records: Strategy[Any], at: Strategy[datetime]) -> Strategy[Any]:
    """``records`` with a few consent records about each (``person`` its id)."""

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        record = draw(records)
        if not draw(st.booleans()):
            return record
        held = draw(_tuples(consents(st.just(str(record.id)), datetimes=at)))
        return attrs.evolve(record, consents=held)

    return build()


@st.composite
def _status_and_history(draw: st.DrawFn, changes: Strategy[StatusChange]) -> dict[str, Any]:
    """``pipeline``/``status`` set together, and a time-ordered history ending there."""
    if not draw(st.booleans()):
        return {"pipeline": None, "status": None, "history": ()}
    pipeline, status = draw(_key), draw(_key)
    history: list[StatusChange] = []
    for change in sorted(draw(st.lists(changes, max_size=4)), key=lambda change: change.at):
        previous = history[-1].to_status if history else None
        history.append(attrs.evolve(change, from_status=previous))
    if history:
        history[-1] = attrs.evolve(history[-1], pipeline=pipeline, to_status=status)
    return {"pipeline": pipeline, "status": status, "history": tuple(history)}


def leads(*, datetimes: DatetimesArg = None) -> Strategy[Lead]:
    """Leads meeting every Lead invariant (status/history agree, converted xor lost, ...)."""
    at = _at(datetimes)
    outcome = st.fixed_dictionaries({"converted": _opt(conversion_links(datetimes=at))})
    outcome |= st.fixed_dictionaries({"lost": loss_infos(datetimes=at)})
    given = {
        "person_name": person_names(),
        "contact_points": _tuples(contact_points(), min_size=1),
        "topic": _text(20),
        "source": sources(),
        "created_at": at,
        "interest_ids": _tuples(_id("interest"), max_size=2),
        "assessments": _tuples(assessments(datetimes=at), max_size=2),
        "score": _opt(_scores),
        "expected_value": _opt(money(non_negative=True)),
        "tags": st.frozensets(_slug | _text(10), max_size=3),
        "previous_lead_id": _opt(_id("lead")),
        "activities": _timelines(activities(datetimes=at)),
        "touches": _time_ordered(touches(datetimes=at)),
        "possible_duplicates": _tuples(_id("lead"), max_size=2),
    }
    skip = ("pipeline", "status", "history", "converted", "lost", "lifecycle", "stages")
    made = st.builds(
        lambda state, end, stage, **kw: Lead(**state, **end, **stage, **_created(kw)),
        _status_and_history(status_changes(datetimes=at)),
        outcome,
        _lifecycle_and_stages(stage_changes(datetimes=at)),
        **_fields(Lead, at, given, skip=skip),
    )
    return _with_consents(made, at)


def _created(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with ``created_at`` moved back to the first activity when that came earlier
    (a lead's timeline starts at its creation)."""
    timeline = fields["activities"]
    if timeline and timeline[0].at < fields["created_at"]:
        return {**fields, "created_at": timeline[0].at}
    return fields


def contacts() -> Strategy[Contact]:
    """Person records with any number of contact points."""
    role = _opt(st.sampled_from(("CEO", "buyer", "бухгалтер")) | _text(12))
    made = st.builds(
        Contact, **_fields(Contact, st.nothing(), {"name": person_names(), "role": role})
    )
    return _with_consents(made, aware_datetimes())


def companies() -> Strategy[Company]:
    """Companies with optional legal name, tax id, (IDN) domain and contact points."""
    fields = {
        "name": _text(24),
        "legal_name": _opt(_text(30)),
        "tax_id": _opt(st.from_regex(r"\A[0-9]{8,12}\Z") | _text(12)),
        "domain": _opt(_domains()),
    }
    return st.builds(Company, **_fields(Company, st.nothing(), fields))


def customers(*, datetimes: DatetimesArg = None) -> Strategy[Customer]:
    """Person customers (with a contact id) and company customers (with a company id)."""
    person = {"kind": st.just(CustomerKind.person), "contact_id": _id("contact")}
    company = {"kind": st.just(CustomerKind.company), "company_id": _id("company")}
    who = st.fixed_dictionaries(person, optional={"company_id": _id("company")})
    who |= st.fixed_dictionaries(company, optional={"contact_id": _id("contact")})
    fields = {
        "since": _at(datetimes),
        "origin": st.sampled_from(CustomerOrigin),
        "lead_ids": _tuples(_id("lead")),
        "order_refs": _tuples(_id("order")),
    }
    fields = _fields(Customer, st.nothing(), fields, skip=("kind", "contact_id", "company_id"))
    return st.builds(lambda who, **kw: Customer(**who, **kw), who, **fields)


@st.composite
def _criteria(draw: st.DrawFn) -> tuple[Criterion, ...]:
    keys = draw(st.lists(_key, min_size=1, max_size=6, unique=True))
    made = []
    for key in keys:
        kind = draw(_opt(st.sampled_from(ValueType)))
        choices: tuple[str, ...] = ()
        if kind is ValueType.choice:
            choices = tuple(draw(st.lists(_text(12), min_size=1, max_size=4, unique=True)))
        label, question = draw(_text(16)), draw(_opt(_text(30)))
        made.append(
            Criterion(key=key, label=label, question=question, value_type=kind, choices=choices)
        )
    return tuple(made)


@st.composite
def frameworks(draw: st.DrawFn) -> Framework:
    """Qualification frameworks: typed and untyped criteria, and every kind of rule."""
    criteria = draw(_criteria())
    keys = [k.key for k in criteria]
    mandatory = tuple(draw(st.lists(st.sampled_from(keys), max_size=2, unique=True)))
    weight = st.integers(0, 10) | st.floats(0, 10)
    weights = st.dictionaries(st.sampled_from(keys), weight, max_size=len(keys))
    rule = draw(
        st.builds(AllOf, mandatory=st.just(mandatory))
        | st.builds(AtLeast, k=st.integers(1, len(keys)), mandatory=st.just(mandatory))
        | st.builds(Weighted, weights=weights, threshold=_scores, mandatory=st.just(mandatory))
    )
    return Framework(key=draw(_key), label=draw(_text(16)), criteria=criteria, rule=rule)


def _no_nulls(value: JSON) -> bool:
    if value is None:
        return False
    if isinstance(value, dict):
        return all(_no_nulls(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_nulls(v) for v in value)
    return True


def action_specs() -> Strategy[ActionSpec]:
    """``on_enter`` actions: each action of ``ACTION_PARAMS`` with its required parameters,
    and ``custom`` actions with parameters of any JSON shape (TOML has no null, so none)."""
    text = _text(12)
    extra = st.dictionaries(_key, json_values(max_depth=2).filter(_no_nulls), max_size=2)
    return st.one_of(
        st.builds(lambda t: ActionSpec(action="send_email", params={"template": t}), text),
        st.builds(lambda t: ActionSpec(action="send_message", params={"template": t}), text),
        st.builds(
            lambda n: ActionSpec(action="schedule_call", params={"in_minutes": n}),
            st.integers(0, 10**6),
        ),
        st.builds(lambda t: ActionSpec(action="create_task", params={"title": t}), text),
        st.builds(lambda u: ActionSpec(action="webhook", params={"url": u}), _websites()),
        st.builds(lambda n, e: ActionSpec(action="custom", params={**e, "name": n}), text, extra),
    )


_durations: Strategy[timedelta] = st.timedeltas(timedelta(0), timedelta(days=3650))


def events(
    cls: type[DomainEvent] | None = None, *, datetimes: DatetimesArg = None
) -> Strategy[DomainEvent]:
    """Domain events of class ``cls`` (any event class when ``None``)."""
    if cls is None:
        return st.one_of([events(c, datetimes=datetimes) for c in EVENT_TYPES.values()])
    at, ids, names = _at(datetimes), _id("lead"), _text(12)
    many = _tuples(_id("lead"))
    actions = _tuples(action_specs())
    given: dict[type[Any], dict[str, Strategy[Any]]] = {
        InterestCaptured: {
            "interest_id": _id("interest"),
            "channel": names,
            "decision": _opt(st.sampled_from([d.value for d in Decision])),
            "reason": _opt(names),
            "lead_id": _opt(ids),
        },
        InterestReleased: {
            "interest_id": _id("interest"),
            "decision": _opt(st.sampled_from([d.value for d in Decision])),
            "reason": _opt(names),
            "lead_id": _opt(ids),
        },
        ConsentChanged: {
            "kind": st.sampled_from(("interests", "leads", "contacts")),
            "record_id": ids,
            "purpose": st.sampled_from([p.value for p in Purpose]),
            "change": st.sampled_from(CONSENT_CHANGES),
            "basis": st.sampled_from([b.value for b in LawfulBasis]),
            "channel": _opt(st.sampled_from(("email", "phone", "messenger"))),
            "network": _opt(st.sampled_from(("telegram", "viber"))),
            "expires_at": _opt(at),
        },
        LeadCreated: {"lead_id": ids, "interest_ids": _tuples(_id("interest"))},
        StatusChanged: {
            "lead_id": ids,
            "pipeline": names,
            "from_status": _opt(names),
            "to_status": names,
            "reason": _opt(names),
            "actions": actions,
        },
        LeadQualified: {
            "lead_id": ids,
            "framework": names,
            "qualified": st.booleans(),
            "score": _scores,
            "missing": _tuples(names),
        },
        LeadConverted: {
            "lead_id": ids,
            "customer_id": _id("customer"),
            "deal_ref": _opt(names),
        },
        LeadsMerged: {
            "entity": st.sampled_from(("leads", "contacts")),
            "survivor_id": ids,
            "absorbed_ids": many,
            "status_from": _opt(ids),
            "conflicts": _tuples(st.sampled_from(("owner", "topic", "contact_points[0]"))),
            "set_aside": _tuples(st.sampled_from(("lead-2:history", "lead-2:lost"))),
            "merge": st.integers(0, 5),
        },
        PersonErased: {
            "interest_ids": _tuples(_id("interest")),
            "lead_ids": many,
            "contact_ids": _tuples(_id("contact")),
            "company_ids": _tuples(_id("company")),
            "customer_ids": _tuples(_id("customer")),
        },
        EntityUpdated: {
            "kind": st.sampled_from(("leads", "contacts", "companies", "customers")),
            "entity_id": ids,
            "fields": _tuples(st.sampled_from(("owner", "tags", "custom", "name"))),
            "version": st.integers(0, 5),
        },
        ActivityLogged: {"lead_id": ids, "activity_id": _opt(_id("activity"))},
        LeadAssigned: {
            "lead_id": ids,
            "owner": names,
            "team": names,
            "rule": names,
            "strategy": st.sampled_from(("round_robin", "weighted", "least_loaded")),
            "why": _text(40),
        },
        LeadReassigned: {
            "lead_id": ids,
            "from_owner": names,
            "to_owner": names,
            "team": names,
            "rule": names,
            "reason": _opt(names),
            "why": _text(40),
        },
        SlaBreached: {
            "lead_id": ids,
            "policy": names,
            "kind": st.sampled_from(SlaKind),
            "started_at": at,
            "due_at": at,
        },
        Escalated: {
            "lead_id": ids,
            "policy": names,
            "kind": st.sampled_from(SlaKind),
            "started_at": at,
            "step": st.integers(0, MAX_ESCALATION_STEPS - 1),
            "action": st.sampled_from(EscalationAction),
            "overdue": _durations,
            "to": _opt(names),
        },
        CardStale: {
            "lead_id": ids,
            "pipeline": names,
            "status": names,
            "since": at,
            "idle": _durations,
            "rot_after": _durations,
        },
    }
    if cls is ActivityLogged:  # a kind and a direction that go together
        fields = _fields(cls, at, given[cls], skip=("kind", "direction", "channel"))
        return st.builds(
            lambda what, **kw: ActivityLogged(
                kind=what[0], direction=what[1], channel=what[2], **kw
            ),
            _activity_kinds(),
            **fields,
        )
    return st.builds(cls, **_fields(cls, at, given[cls]))


# -- predictive scoring ----------------------------------------------------------------------

_CATEGORIES: Strategy[Any] = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_JSON_INT, max_value=MAX_JSON_INT)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
_PATHS = ("owner", "time_zone", "status", "company_name", "source.channel", "source.campaign")


def _custom_paths() -> Strategy[str]:
    return _text(8).map(lambda key: f"custom.{key}")


def predictive_fields() -> Strategy[Categorical | Binned]:
    """Categorical and binned fields of every source but a function (those are not data)."""
    names = _opt(_text(12)).map(lambda name: name or "")
    categorical = st.one_of(
        st.builds(Categorical, name=names, field=st.sampled_from(_PATHS) | _custom_paths()),
        st.builds(Categorical, name=names, derived=st.sampled_from(DerivedValue)),
        st.builds(Categorical, name=names, tagged=_text(12)),
    )
    edges = st.lists(
        st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
        min_size=1,
        max_size=4,
        unique=True,
    ).map(lambda values: tuple(sorted(values)))
    binned = st.one_of(
        st.builds(Binned, name=names, field=_custom_paths(), edges=edges),
        st.builds(
            Binned,
            name=names,
            field=st.just(AMOUNT),
            edges=edges,
            currency=st.sampled_from(sorted(ISO_4217)[:20]),
        ),
    )
    return categorical | binned


def tallies() -> Strategy[Tally]:
    """Won and lost counts of one value: at least one lead."""
    return st.builds(Tally, won=st.integers(0, 10**6), lost=st.integers(1, 10**6))


def value_tallies() -> Strategy[ValueTally]:
    """One value of a field (any category) and its won and lost counts."""
    return st.builds(
        ValueTally, value=_CATEGORIES, won=st.integers(0, 10**6), lost=st.integers(1, 10**6)
    )


@st.composite
def predictive_scorers(draw: st.DrawFn) -> PredictiveScorer:
    """A predictive scorer, untrained or trained on random rows (``fit_columns``)."""
    fields = draw(st.lists(predictive_fields(), min_size=1, max_size=4, unique_by=lambda f: f.name))
    scorer = PredictiveScorer(fields=tuple(fields), alpha=draw(st.sampled_from((0.5, 1.0, 2.0))))
    if draw(st.booleans()):
        return scorer
    won = [True, False, *draw(st.lists(st.booleans(), max_size=12))]
    numbers = st.none() | st.integers(-(10**9), 10**9) | st.floats(-1e12, 1e12)
    columns = {
        f.name: draw(
            st.lists(
                numbers if isinstance(f, Binned) else _CATEGORIES,
                min_size=len(won),
                max_size=len(won),
            )
        )
        for f in fields
    }
    return scorer.fit_columns(columns, won, vectorised=False)


def shifts() -> Strategy[Shift]:
    """Shifts of whole minutes: daytime ones, overnight ones (``end <= start``) and whole days
    (``start == end``)."""
    times = st.builds(time, st.integers(0, 23), st.integers(0, 59))
    return st.builds(Shift, start=times, end=times)


_DAY_MINUTES = 24 * 60
_WEEK_MINUTES = 7 * _DAY_MINUTES


@st.composite
def _weeks(draw: st.DrawFn) -> dict[int, list[Shift]]:
    """Up to six shifts that never overlap: cut from a week of minutes, then turned round it,
    so Sunday's night shift may run into Monday."""
    points = sorted(draw(st.sets(st.integers(0, _WEEK_MINUTES - 1), max_size=12)))
    turn = draw(st.integers(0, _WEEK_MINUTES - 1))
    week: dict[int, list[Shift]] = {}
    for start, end in zip(points[::2], points[1::2], strict=False):
        length = min(end - start, _DAY_MINUTES)  # a shift is at most a day (start == end)
        day, minute = divmod((start + turn) % _WEEK_MINUTES, _DAY_MINUTES)
        finish = (minute + length) % _DAY_MINUTES
        shift = Shift(start=time(*divmod(minute, 60)), end=time(*divmod(finish, 60)))
        week.setdefault(day, []).append(shift)
    return week


@st.composite
def work_calendars(
    draw: st.DrawFn,
    *,
    time_zones: Iterable[str] | None = None,
    dates: Strategy[date] | None = None,
) -> WorkCalendar:
    """Work calendars: weekly shifts (overnight and whole-day ones among them), holidays and
    dated exceptions, in ``time_zones`` (default :data:`TIME_ZONE_NAMES`) on ``dates``."""
    zones = tuple(time_zones) if time_zones is not None else _time_zones()
    days = st.dates(date(1990, 1, 1), date(2100, 12, 31)) if dates is None else dates
    calendar = WorkCalendar(
        time_zone=draw(st.sampled_from(zones)),
        week=draw(_weeks()),
        holidays=draw(st.frozensets(days, max_size=3)),
        key=draw(_opt(_key)),
    )
    for day in draw(st.lists(days, max_size=3, unique=True)):
        hours = draw(st.lists(shifts(), max_size=2))
        with contextlib.suppress(ValidationError):  # hours that overlap, or a holiday: left out
            calendar = attrs.evolve(calendar, exceptions={**calendar.exceptions, day: hours})
    return calendar


# -- routing ---------------------------------------------------------------------------------

_member_key = st.text(string.ascii_lowercase + string.digits + "_-", min_size=1, max_size=10)
_names = st.frozensets(
    st.sampled_from(("uk", "en", "pl", "b2b", "enterprise", "retail")), max_size=3
)


@st.composite
def absences(draw: st.DrawFn) -> Absence:
    """Absences of 1 to 30 days."""
    start = draw(st.dates(date(2000, 1, 1), date(2099, 1, 1)))
    return Absence(
        start=start,
        end=start + timedelta(days=draw(st.integers(0, 29))),
        reason=draw(_opt(_text(12))),
    )


def members(*, keys: Strategy[str] = _member_key) -> Strategy[Member]:
    """Members with weights, capacities, skills, languages, a calendar or none, absences."""
    return st.builds(
        Member,
        key=keys,
        weight=st.integers(1, 5),
        capacity=_opt(st.integers(0, 50)),
        skills=_names,
        languages=_names,
        calendar=_opt(work_calendars()),
        active=st.booleans(),
        absences=_tuples(absences(), max_size=2),
    )


@st.composite
def teams(draw: st.DrawFn, *, key: Strategy[str] = _member_key) -> Team:
    """Teams of 1 to 4 members with distinct keys."""
    keys = draw(st.lists(_member_key, min_size=1, max_size=4, unique=True))
    return Team(
        key=draw(key),
        members=[draw(members(keys=st.just(k))) for k in keys],
        strategy=draw(st.sampled_from(list(RoutingStrategy))),
        calendar=draw(_opt(work_calendars())),
    )


_routing_conditions = st.sampled_from(
    (FieldIs(field="source.channel", values=("telegram",)), HasTag(tag="vip"))
)


def routing_rules(*, teams_named: Strategy[str] = _member_key) -> Strategy[RoutingRule]:
    """Rules over the source channel or a tag, for a team named by ``teams_named``."""
    return st.builds(
        RoutingRule,
        key=_member_key,
        team=teams_named,
        when=_tuples(_routing_conditions, max_size=2),
        strategy=_opt(st.sampled_from(list(RoutingStrategy))),
        skills=_names,
        languages=_names,
    )


@st.composite
def routers(draw: st.DrawFn) -> Router:
    """Routers of 1 to 3 teams and rules that name them."""
    keys = draw(st.lists(_member_key, min_size=1, max_size=3, unique=True))
    made = [draw(teams(key=st.just(k))) for k in keys]
    rule_keys = draw(st.lists(_member_key, max_size=4, unique=True))
    rules = [draw(routing_rules(teams_named=st.sampled_from(keys))) for _ in rule_keys]
    rules = [attrs.evolve(rule, key=k) for rule, k in zip(rules, rule_keys, strict=True)]
    return Router(
        teams=made,
        rules=rules,
        fallback=draw(st.sampled_from(list(Fallback))),
        key=draw(_member_key),
    )


def routing_states(*, datetimes: DatetimesArg = None) -> Strategy[RoutingState]:
    """Routing states: cursors, weighted credits and recent assignment times."""
    return st.builds(
        RoutingState,
        cursors=st.dictionaries(_member_key, _member_key, max_size=3),
        credits=st.dictionaries(
            _member_key, st.dictionaries(_member_key, st.integers(-20, 20), max_size=3), max_size=2
        ),
        recent=st.dictionaries(_member_key, _tuples(_at(datetimes), max_size=3), max_size=3),
    )


_minutes = st.integers(1, 14 * 24 * 60).map(lambda n: timedelta(minutes=n))


@st.composite
def escalation_steps(
    draw: st.DrawFn, *, after: Strategy[timedelta] | None = None
) -> EscalationStep:
    """Escalation steps: zero to two weeks overdue (whole minutes), any action, aimed at
    someone or nobody (raising the priority at nobody)."""
    action = draw(st.sampled_from(list(EscalationAction)))
    aimed = action is not EscalationAction.raise_priority
    return EscalationStep(
        after=draw(after if after is not None else st.just(timedelta(0)) | _minutes),
        action=action,
        to=draw(_opt(_member_key)) if aimed else None,
    )


@st.composite
def sla_policies(draw: st.DrawFn, *, calendars: Strategy[WorkCalendar] | None = None) -> SlaPolicy:
    """SLA policies: one target or both (whole minutes), conditions over the source channel or
    a tag, a calendar from ``calendars`` (default :func:`work_calendars`) or none, and up to
    three escalation steps in order."""
    first, rolling = draw(
        st.tuples(_opt(_minutes), _opt(_minutes)).filter(lambda pair: pair != (None, None))
    )
    delays = sorted(draw(st.sets(st.integers(0, 14 * 24 * 60), max_size=3)))
    steps = [draw(escalation_steps(after=st.just(timedelta(minutes=n)))) for n in delays]
    return SlaPolicy(
        key=draw(_member_key),
        when=draw(_tuples(_routing_conditions, max_size=2)),
        first_response=first,
        rolling_response=rolling,
        calendar=draw(_opt(calendars if calendars is not None else work_calendars())),
        escalation=steps,
    )
