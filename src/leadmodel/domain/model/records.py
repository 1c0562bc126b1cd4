"""Records carried inside entities: status history, conversion links, loss, assessments.

>>> from datetime import datetime, timezone
>>> at = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
>>> StatusChange(pipeline="requests", from_status=None, to_status="new", at=at, by="anna").to_status
'new'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.frozen_json import freeze_value
from leadmodel.domain.values.custom_json import JSON, freeze
from leadmodel.domain.values.ids import CompanyId, ContactId, CustomerId
from leadmodel.errors import Problem, ValidationError

__all__ = ["Answer", "Assessment", "ConversionLinks", "LossInfo", "StatusChange"]


@attrs.frozen(kw_only=True)
class StatusChange:
    """One move of a card in a pipeline: from, to, when, who, and why (for losses).

    ``from_status`` is ``None`` when the lead entered the pipeline; a transfer between
    pipelines records the pipeline it came from in ``from_pipeline``.
    """

    pipeline: str
    from_status: str | None
    to_status: str
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None
    reason: str | None = None
    note: str | None = None
    from_pipeline: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "pipeline", self.pipeline, "the pipeline key")
        c.opt_text(p, "from_status", self.from_status, "the status")
        c.text(p, "to_status", self.to_status, "the status")
        check_move(p, self.at, self.by, self.reason, self.note)
        c.opt_text(p, "from_pipeline", self.from_pipeline, "the pipeline key")
        if p:
            c.fail("StatusChange", p)


def check_move(p: c.Problems, at: object, by: object, reason: object, note: object) -> None:
    """The checks of the values a caller gives a move: when, who, why, and the note."""
    if (  # the common case, decided in one expression (moves are a hot path)
        type(at) is datetime
        and at.utcoffset() is not None
        and c.in_range(at)
        and (by is None or (type(by) is str and by.strip() != "" and c.is_unicode(by)))
        and (reason is None or (type(reason) is str and reason.strip() != ""))
        and (note is None or (type(note) is str and c.is_unicode(note)))
        and (reason is None or c.is_unicode(reason))
    ):
        return
    c.aware(p, "at", at)
    c.opt_text(p, "by", by, "who moved it")
    c.opt_text(p, "reason", reason, "the reason")
    c.opt_free_text(p, "note", note, "the note")


@attrs.frozen(kw_only=True)
class ConversionLinks:
    """What a converted lead produced: the customer, its contact and company, the deal/order."""

    customer_id: CustomerId
    at: datetime = attrs.field(converter=c.fixed_offset)
    contact_id: ContactId | None = None
    company_id: CompanyId | None = None
    deal_ref: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "customer_id", self.customer_id, "the customer id")
        c.aware(p, "at", self.at)
        c.opt_text(p, "contact_id", self.contact_id, "the contact id")
        c.opt_text(p, "company_id", self.company_id, "the company id")
        c.opt_text(p, "deal_ref", self.deal_ref, "the deal reference")
        if p:
            c.fail("ConversionLinks", p)


@attrs.frozen(kw_only=True)
class LossInfo:
    """Why and when a lead was lost: the lost status it went to, the reason chosen there and
    ``from_status``, the status it was lost from (``None`` in documents saved before it was
    recorded, and for a loss made without a move)."""

    status: str
    reason: str
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None
    note: str | None = None
    from_status: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "status", self.status, "the lost status")
        c.text(p, "reason", self.reason, "the reason")
        c.aware(p, "at", self.at)
        c.opt_text(p, "by", self.by, "who lost it")
        c.opt_free_text(p, "note", self.note, "the note")
        c.opt_text(p, "from_status", self.from_status, "the status it was lost from")
        if p:
            c.fail("LossInfo", p)


@attrs.frozen(kw_only=True)
class Answer:
    """Evidence for one qualification criterion: met (``True``), not met (``False``) or unknown."""

    criterion: str
    met: bool | None
    value: JSON = None
    note: str | None = None
    by: str | None = None
    at: datetime | None = attrs.field(default=None, converter=c.opt_fixed_offset)

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "criterion", self.criterion, "the criterion key")
        if self.met is not None and type(self.met) is not bool:
            p.append(Problem("met", "met is True, False or None (unknown)", self.met))
        if self.value is not None:
            try:
                frozen = freeze_value(self.value, path="value")
            except ValidationError as exc:
                p.extend(exc.problems)
            else:
                object.__setattr__(self, "value", frozen)
        c.opt_free_text(p, "note", self.note, "the note")
        c.opt_text(p, "by", self.by, "who answered")
        c.opt_aware(p, "at", self.at)
        if p:
            c.fail("Answer", p)


MAX_SCORE = 100


def _score(p: c.Problems, value: object) -> None:
    if type(value) not in (int, float) or not 0 <= value <= MAX_SCORE:  # type: ignore[operator]
        p.append(Problem("score", "a score is a number from 0 to 100", value))


@attrs.frozen(kw_only=True)
class Assessment:
    """One qualification of a lead against a framework: the answers and the verdict reached."""

    framework: str
    answers: tuple[Answer, ...]
    qualified: bool
    score: float
    at: datetime = attrs.field(converter=c.fixed_offset)
    by: str | None = None
    missing: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.text(p, "framework", self.framework, "the framework key")
        c.tuple_of(p, "answers", self.answers, Answer)
        if type(self.qualified) is not bool:
            p.append(Problem("qualified", "qualified is True or False", self.qualified))
        _score(p, self.score)
        c.aware(p, "at", self.at)
        c.opt_text(p, "by", self.by, "who assessed")
        c.texts(p, "missing", self.missing, "a criterion key")
        c.texts(p, "failed", self.failed, "a criterion key")
        if p:
            c.fail("Assessment", p)


def check_score(p: c.Problems, value: object) -> None:
    """``None`` or a score from 0 to 100."""
    if value is not None:
        _score(p, value)


def freeze_custom(p: c.Problems, owner: object, value: Mapping[str, JSON]) -> None:
    """Check ``owner.custom`` is a JSON object and store it deep-frozen."""
    try:
        frozen = freeze(value, path="custom")
    except ValidationError as exc:
        p.extend(exc.problems)
    else:
        if frozen is not value:
            object.__setattr__(owner, "custom", frozen)
