"""Peer models for ``bench_serde.py``: leadmodel's ``Lead`` tree as pydantic v2 and msgspec.

Both peers describe the same JSON document as ``leadmodel.to_json(lead)`` (same fields, same
order, ``schema_version`` at the top, decimals as strings, ISO 8601 datetimes with offset,
enums by value, tags sorted) and check on load what ``leadmodel.from_json`` checks:

* strict types: no coercion (an int is not a bool, a string is not a number), finite floats;
* non-blank names, ids and keys; enums by value; unknown fields rejected;
* money: decimal strings (or ints, never floats) → ``Decimal``, finite, below 10**18, at most
  12 decimals, an ISO 4217 currency; non-negative where leadmodel says so (cost, expected value);
* timezone-aware datetimes (naive ones rejected); IANA time-zone names (``dateutil.tz.gettz``);
* contact points normalised to their match key by the *same* leadmodel functions
  (``email_key``, ``phone_key``, ``handle_key``, ``website_key``, ``region_problem``);
* at least one contact point; pipeline and status set together; history in time order and
  ending in the current status; not converted and lost at once; scores 0..100, version ≥ 0;
* lifecycle moves (``stages``): each a move leadmodel's own ``MOVES`` table allows, in time
  order, each starting where the one before ended, the last ending at ``lifecycle``;
* custom fields a JSON object, checked and deep-frozen by the *same* ``leadmodel`` ``freeze``
  (finite numbers, 64-bit ints, depth limit) and written back with ``thaw``.

Each peer does this in its own idiom (pydantic: strict config, ``Annotated`` validators and
``model_validator``; msgspec: ``Meta`` constraints, a ``dec_hook`` and ``__post_init__``); the
checks that are not a library feature live in the shared helpers below, used by both peers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Protocol, Self

import msgspec
from msgspec import Meta
from msgspec.structs import force_setattr
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    model_validator,
)

from leadmodel import ContactKind, LifecycleStage
from leadmodel._kernel.checks import _known_zone
from leadmodel.domain.model import MOVES
from leadmodel.domain.values import MAX_AMOUNT, MAX_JSON_INT, Channel, FrozenMap, freeze, thaw
from leadmodel.domain.values import normalise as norm
from leadmodel.domain.values.currencies import ISO_4217

__all__ = ["Amount", "MLead", "MStageChange", "PLead", "PStageChange", "msgspec_codec"]

# --------------------------------------------------------------------------- shared checks

_MIN_EXPONENT = -12
_NEEDS_NETWORK = (ContactKind.messenger, ContactKind.social)


def non_blank(value: str) -> str:
    """A string with something other than whitespace in it."""
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def check_amount(value: object) -> Decimal:
    """A money amount from JSON (a decimal string or an int, never a float) or a ``Decimal``."""
    if type(value) is str:
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise ValueError("not a decimal number, e.g. '12.50'") from None
    elif type(value) is int or isinstance(value, Decimal):
        result = Decimal(value)
    else:
        raise ValueError("expected a decimal amount as a string, such as '12.50'")
    if not result.is_finite():
        raise ValueError("the amount must be a finite number")
    if abs(result) >= MAX_AMOUNT:
        raise ValueError("the amount is too large (limit 10**18)")
    exponent = result.as_tuple().exponent
    if isinstance(exponent, int) and exponent < _MIN_EXPONENT:
        raise ValueError("at most 12 digits after the decimal point")
    return result


def check_currency(value: str) -> str:
    """An ISO 4217 currency code."""
    if value not in ISO_4217:
        raise ValueError("not an ISO 4217 currency code")
    return value


def contact_key(kind: ContactKind, value: str, network: str | None, region: str | None) -> str:
    """The match key of a contact point, by leadmodel's own normalisation functions."""
    if kind in _NEEDS_NETWORK and network is None:
        raise ValueError(f"a {kind.value} contact needs a network")
    if kind not in _NEEDS_NETWORK and network is not None:
        raise ValueError("only messenger and social contacts have a network")
    if region is not None:
        phone = kind is ContactKind.phone
        why = norm.region_problem(region) if phone else "only phones have a region"
        if why:
            raise ValueError(why)
    if kind is ContactKind.email:
        return norm.email_key(value)
    if kind is ContactKind.phone:
        return norm.phone_key(value, region)
    if kind is ContactKind.website:
        return norm.website_key(value)
    return norm.handle_key(network or "", value)


def check_time_zone(value: str | None) -> str | None:
    """``None`` or an IANA time-zone name (leadmodel's own check, so the work is equal)."""
    if value is not None and not _known_zone(value):
        raise ValueError("not a time zone name; use an IANA name such as 'Europe/Kyiv'")
    return value


def json_object(value: object) -> FrozenMap[Any]:
    """A JSON object, checked and deep-frozen by leadmodel's ``freeze``."""
    if not isinstance(value, Mapping):
        raise ValueError("expected a JSON object")
    return freeze(value)


def json_value(value: object) -> Any:
    """Any JSON value, checked and deep-frozen by leadmodel's ``freeze``."""
    return None if value is None else freeze({"": value})[""]


class _Change(Protocol):
    @property
    def pipeline(self) -> str: ...
    @property
    def to_status(self) -> str: ...
    @property
    def at(self) -> datetime: ...


def lead_rules(
    pipeline: str | None,
    status: str | None,
    history: Sequence[_Change],
    converted: object,
    lost: object,
) -> None:
    """The cross-field rules of a lead: status with pipeline, history order and end, outcome."""
    if (pipeline is None) != (status is None):
        raise ValueError("pipeline and status are set together (or neither)")
    for i in range(1, len(history)):
        if history[i].at < history[i - 1].at:
            raise ValueError(f"history[{i}].at: history must be in time order")
    if history:
        last = history[-1]
        if (last.pipeline, last.to_status) != (pipeline, status):
            raise ValueError("the status must be where the history ends")
    if converted is not None and lost is not None:
        raise ValueError("a converted lead cannot also be lost")


def check_stage_move(from_stage: LifecycleStage, to_stage: LifecycleStage) -> None:
    """A lifecycle move leadmodel's own ``MOVES`` table allows."""
    if to_stage not in MOVES[from_stage]:
        raise ValueError(f"to_stage: not a lifecycle move from {from_stage}")


class _StageMove(Protocol):
    @property
    def from_stage(self) -> LifecycleStage: ...
    @property
    def to_stage(self) -> LifecycleStage: ...
    @property
    def at(self) -> datetime: ...


def stage_rules(lifecycle: LifecycleStage, stages: Sequence[_StageMove]) -> None:
    """The lifecycle history: time order, each move from where the one before ended, the last
    ending at ``lifecycle``."""
    for i in range(1, len(stages)):
        if stages[i].at < stages[i - 1].at:
            raise ValueError(f"stages[{i}].at: stages must be in time order")
        if stages[i].from_stage is not stages[i - 1].to_stage:
            raise ValueError(f"stages[{i}].from_stage: a change starts where the one before ended")
    if stages and stages[-1].to_stage is not lifecycle:
        raise ValueError("lifecycle: the lifecycle must be where the stages end")


# --------------------------------------------------------------------------- pydantic v2

PText = Annotated[str, AfterValidator(non_blank)]
PAmount = Annotated[
    Decimal, PlainValidator(check_amount), PlainSerializer(str, return_type=str, when_used="json")
]
PScore = Annotated[float, Field(ge=0, le=100)]
PJSONObject = Annotated[Mapping[str, Any], PlainValidator(json_object), PlainSerializer(thaw)]
PJSONValue = Annotated[Any, PlainValidator(json_value), PlainSerializer(thaw)]
PTags = Annotated[
    frozenset[PText], PlainSerializer(sorted, return_type=list[str], when_used="json")
]


class _PBase(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class PMoney(_PBase):
    amount: PAmount
    currency: Annotated[str, AfterValidator(check_currency)]


def _non_negative(money: PMoney | None) -> PMoney | None:
    if money is not None and money.amount < 0:
        raise ValueError("cannot be negative")
    return money


PCost = Annotated[PMoney | None, AfterValidator(_non_negative)]


class PContactPoint(_PBase):
    kind: ContactKind
    value: PText
    label: PText | None = None
    network: PText | None = None
    region: PText | None = None
    _key: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _normalise(self) -> Self:
        self._key = contact_key(self.kind, self.value, self.network, self.region)
        return self

    @property
    def key(self) -> str:
        return self._key


class PSource(_PBase):
    channel: Channel
    name: PText | None = None
    campaign: PText | None = None
    medium: PText | None = None
    cost: PCost = None


class PStatusChange(_PBase):
    pipeline: PText
    from_status: PText | None
    to_status: PText
    at: AwareDatetime
    by: PText | None = None
    reason: PText | None = None
    note: str | None = None
    from_pipeline: PText | None = None


class PStageChange(_PBase):
    from_stage: LifecycleStage
    to_stage: LifecycleStage
    at: AwareDatetime
    by: PText | None = None
    reason: PText | None = None

    @model_validator(mode="after")
    def _move(self) -> Self:
        check_stage_move(self.from_stage, self.to_stage)
        return self


class PAnswer(_PBase):
    criterion: PText
    met: bool | None
    value: PJSONValue = None
    note: str | None = None
    by: PText | None = None
    at: AwareDatetime | None = None


class PAssessment(_PBase):
    framework: PText
    answers: tuple[PAnswer, ...]
    qualified: bool
    score: PScore
    at: AwareDatetime
    by: PText | None = None
    missing: tuple[PText, ...] = ()
    failed: tuple[PText, ...] = ()


class PConversionLinks(_PBase):
    customer_id: PText
    at: AwareDatetime
    contact_id: PText | None = None
    company_id: PText | None = None
    deal_ref: PText | None = None


class PLossInfo(_PBase):
    status: PText
    reason: PText
    at: AwareDatetime
    by: PText | None = None
    note: str | None = None
    from_status: PText | None = None


class PLead(_PBase):
    schema_version: Annotated[int, Field(ge=1, le=1)] = 1
    id: PText
    person_name: PText
    contact_points: Annotated[tuple[PContactPoint, ...], Field(min_length=1)]
    topic: PText
    source: PSource
    created_at: AwareDatetime
    company_name: PText | None = None
    company_id: PText | None = None
    interest_ids: tuple[PText, ...] = ()
    pipeline: PText | None = None
    status: PText | None = None
    history: tuple[PStatusChange, ...] = ()
    lifecycle: LifecycleStage = LifecycleStage.lead
    stages: tuple[PStageChange, ...] = ()
    assessments: tuple[PAssessment, ...] = ()
    score: PScore | None = None
    owner: PText | None = None
    expected_value: PCost = None
    time_zone: Annotated[PText | None, AfterValidator(check_time_zone)] = None
    tags: PTags = frozenset()
    custom: PJSONObject = Field(default_factory=lambda: freeze({}))
    converted: PConversionLinks | None = None
    lost: PLossInfo | None = None
    previous_lead_id: PText | None = None
    customer_id: PText | None = None
    consent: bool | None = None
    do_not_contact: bool = False
    erased_at: AwareDatetime | None = None
    # the lead measured was never merged: an empty list, as leadmodel writes it
    merges: tuple[dict[str, Any], ...] = ()
    version: Annotated[int, Field(ge=0, le=MAX_JSON_INT)] = 0

    @model_validator(mode="after")
    def _rules(self) -> Self:
        lead_rules(self.pipeline, self.status, self.history, self.converted, self.lost)
        stage_rules(self.lifecycle, self.stages)
        return self


# --------------------------------------------------------------------------- msgspec

MText = Annotated[str, Meta(pattern=r"\S")]  # re's \s is str.isspace: same as "not blank"
MAware = Annotated[datetime, Meta(tz=True)]
MScore = Annotated[float, Meta(ge=0, le=100)]


class Amount(Decimal):
    """A money amount; msgspec decodes it through ``_dec_hook`` (msgspec's ``Decimal``
    would accept JSON floats, which leadmodel refuses)."""

    __slots__ = ()


def _dec_hook(tp: type, obj: object) -> object:
    if tp is Amount:
        return Amount(check_amount(obj))
    raise NotImplementedError(f"cannot decode {tp!r}")


def _enc_hook(obj: object) -> object:
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, FrozenMap):
        return thaw(obj)
    raise NotImplementedError(f"cannot encode {type(obj).__name__}")


class _MBase(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    pass


class MMoney(_MBase):
    amount: Amount
    currency: str

    def __post_init__(self) -> None:
        check_currency(self.currency)


class MContactPoint(_MBase, dict=True):  # dict=True: room for the derived, unencoded key
    kind: ContactKind
    value: MText
    label: MText | None = None
    network: MText | None = None
    region: MText | None = None

    def __post_init__(self) -> None:
        self.__dict__["key"] = contact_key(self.kind, self.value, self.network, self.region)

    @property
    def key(self) -> str:
        return str(self.__dict__["key"])


class MSource(_MBase):
    channel: Channel
    name: MText | None = None
    campaign: MText | None = None
    medium: MText | None = None
    cost: MMoney | None = None

    def __post_init__(self) -> None:
        if self.cost is not None and self.cost.amount < 0:
            raise ValueError("cost: a cost cannot be negative")


class MStatusChange(_MBase):
    pipeline: MText
    from_status: MText | None
    to_status: MText
    at: MAware
    by: MText | None = None
    reason: MText | None = None
    note: str | None = None
    from_pipeline: MText | None = None


class MStageChange(_MBase):
    from_stage: LifecycleStage
    to_stage: LifecycleStage
    at: MAware
    by: MText | None = None
    reason: MText | None = None

    def __post_init__(self) -> None:
        check_stage_move(self.from_stage, self.to_stage)


class MAnswer(_MBase):
    criterion: MText
    met: bool | None
    value: Any = None
    note: str | None = None
    by: MText | None = None
    at: MAware | None = None

    def __post_init__(self) -> None:
        force_setattr(self, "value", json_value(self.value))


class MAssessment(_MBase):
    framework: MText
    answers: tuple[MAnswer, ...]
    qualified: bool
    score: MScore
    at: MAware
    by: MText | None = None
    missing: tuple[MText, ...] = ()
    failed: tuple[MText, ...] = ()


class MConversionLinks(_MBase):
    customer_id: MText
    at: MAware
    contact_id: MText | None = None
    company_id: MText | None = None
    deal_ref: MText | None = None


class MLossInfo(_MBase):
    status: MText
    reason: MText
    at: MAware
    by: MText | None = None
    note: str | None = None
    from_status: MText | None = None


class MLead(_MBase, kw_only=True):  # kw_only: schema_version (defaulted) comes first
    schema_version: Annotated[int, Meta(ge=1, le=1)] = 1
    id: MText
    person_name: MText
    contact_points: Annotated[tuple[MContactPoint, ...], Meta(min_length=1)]
    topic: MText
    source: MSource
    created_at: MAware
    company_name: MText | None = None
    company_id: MText | None = None
    interest_ids: tuple[MText, ...] = ()
    pipeline: MText | None = None
    status: MText | None = None
    history: tuple[MStatusChange, ...] = ()
    lifecycle: LifecycleStage = LifecycleStage.lead
    stages: tuple[MStageChange, ...] = ()
    assessments: tuple[MAssessment, ...] = ()
    score: MScore | None = None
    owner: MText | None = None
    expected_value: MMoney | None = None
    time_zone: MText | None = None
    tags: frozenset[MText] = frozenset()
    custom: Mapping[str, Any] = {}
    converted: MConversionLinks | None = None
    lost: MLossInfo | None = None
    previous_lead_id: MText | None = None
    customer_id: MText | None = None
    consent: bool | None = None
    do_not_contact: bool = False
    erased_at: MAware | None = None
    # the lead measured was never merged: an empty list, as leadmodel writes it
    merges: tuple[dict[str, Any], ...] = ()
    version: Annotated[int, Meta(ge=0, le=MAX_JSON_INT)] = 0

    def __post_init__(self) -> None:
        if self.expected_value is not None and self.expected_value.amount < 0:
            raise ValueError("expected_value: an expected value cannot be negative")
        check_time_zone(self.time_zone)
        lead_rules(self.pipeline, self.status, self.history, self.converted, self.lost)
        stage_rules(self.lifecycle, self.stages)
        force_setattr(self, "custom", json_object(self.custom))


def msgspec_codec() -> tuple[msgspec.json.Encoder, msgspec.json.Decoder[MLead]]:
    """The encoder and decoder for :class:`MLead` documents.

    ``order="deterministic"`` sorts sets (the tags), as leadmodel does; it also sorts the keys
    of the custom-fields object, which changes nothing a JSON reader can see.
    """
    encoder = msgspec.json.Encoder(enc_hook=_enc_hook, order="deterministic")
    return encoder, msgspec.json.Decoder(MLead, dec_hook=_dec_hook)
