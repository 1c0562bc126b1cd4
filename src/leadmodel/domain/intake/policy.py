"""What the front door decides, as data: the :class:`Decision` a capture ends in, and the
policies that choose it — :class:`KnownPersonPolicy` (a known person's new request: attach it,
open a repeat lead, reopen a lost one, or flag a possible duplicate) and :class:`CapturePolicy`
(the duplicate-submit window, spam screening, double opt-in, the request as a lawful basis).

Both are specs: ``to_dict`` / ``from_dict`` / TOML through the one document route.

>>> policy = KnownPersonPolicy(no_repeat_channels=["live_chat"], no_repeat_topics=["Support"])
>>> KnownPersonPolicy.from_dict(policy.to_dict()) == policy
True
>>> CapturePolicy().window
datetime.timedelta(seconds=600)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum
from typing import Any, Final

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel.documents import Spec
from leadmodel.domain.capture.consent import MAX_OPT_IN_TTL, Purpose
from leadmodel.domain.capture.screening import SpamPolicy
from leadmodel.domain.values.source import Channel
from leadmodel.errors import Problem

__all__ = [
    "MAX_CAPTURE_WINDOW",
    "CapturePolicy",
    "Decision",
    "KnownPersonPolicy",
]

MAX_CAPTURE_WINDOW: Final = timedelta(days=30)
"""The longest duplicate-submit window and repeat-lead delay the policies take."""


class Decision(StrEnum):
    """How a capture ended.

    * ``new_interest`` — stored as an interest only (anonymous, not enough to be a lead, no
      policy asked for more, or a repeat-lead exception);
    * ``new_lead`` — a person nobody knows: the interest promoted to a new lead;
    * ``attached`` — the person has an open lead: the interest attached to it, with an inbound
      activity on its timeline (a reply is owed);
    * ``repeat_lead`` — a customer's new request: a repeat lead linked to the customer;
    * ``reopened`` — the person's lead was lost long enough ago: recycled as a new attempt;
    * ``possible_duplicate`` — a new lead flagged with the records it may duplicate;
    * ``duplicate_submit`` — the same submission again inside the window: the first interest
      returned, nothing stored, nothing emitted;
    * ``quarantined`` — kept, held back from promotion, matching and routing until released;
    * ``refused`` — not stored (spam).
    """

    new_interest = "new_interest"
    new_lead = "new_lead"
    attached = "attached"
    repeat_lead = "repeat_lead"
    reopened = "reopened"
    possible_duplicate = "possible_duplicate"
    duplicate_submit = "duplicate_submit"
    quarantined = "quarantined"
    refused = "refused"


def _channels(value: Iterable[Any]) -> frozenset[Any]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]  # the class's check names it
    return frozenset(c.as_member(Channel, item) for item in value)


def _words(value: Iterable[Any]) -> frozenset[Any]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]
    return frozenset(item.strip().casefold() if isinstance(item, str) else item for item in value)


def _purposes(value: Iterable[Any]) -> frozenset[Any]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]
    return frozenset(c.as_member(Purpose, item) for item in value)


def _delay(p: c.Problems, path: str, value: object, *, zero: bool) -> None:
    if not isinstance(value, timedelta):
        p.append(Problem(path, "expected a timedelta, such as timedelta(days=30)", value))
    elif value < timedelta(0) or (not zero and not value):
        p.append(Problem(path, f"{'zero or more' if zero else 'above zero'}", value))
    elif value > MAX_CAPTURE_WINDOW:
        p.append(Problem(path, "at most 30 days (MAX_CAPTURE_WINDOW)", value))


@attrs.frozen(kw_only=True)
class KnownPersonPolicy(Spec):
    """What the front door does when the person is already known (matched on contact points
    through the store's key index, and the probabilistic matcher when a model is given).

    In this order: an open lead of the person takes the interest (``attach_to_open``); a
    customer gets a repeat lead (``repeat_for_customers``) unless the request came through a
    channel in ``no_repeat_channels``, a source named in ``no_repeat_sources`` or is about a
    topic in ``no_repeat_topics`` (Bitrix24's exceptions: support lines, a returns form; then
    it stays an interest); a lead lost at least ``reopen_lost_after`` ago is recycled as a new
    attempt (``None``: never), a more recent loss gives a new lead flagged as a possible
    duplicate of it; records alike but not surely the same person (a namesake at the same
    company, a match below ``merge_at``) give a new lead flagged with them
    (``flag_possible_duplicates``). A person
    nobody knows becomes a new lead when ``promote_new`` and the interest has a name, a contact
    point and a topic. New leads enter ``pipeline`` (a pipeline key; ``None``: none).

    >>> KnownPersonPolicy(reopen_lost_after=timedelta(days=-1))
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: KnownPersonPolicy.reopen_lost_after: zero or more; got datetime.timedelta(days=-1)
    """  # noqa: E501 - the doctest's output is one line

    attach_to_open: bool = True
    repeat_for_customers: bool = True
    no_repeat_channels: frozenset[Channel] = attrs.field(default=frozenset(), converter=_channels)
    no_repeat_sources: frozenset[str] = attrs.field(default=frozenset(), converter=_words)
    no_repeat_topics: frozenset[str] = attrs.field(default=frozenset(), converter=_words)
    reopen_lost_after: timedelta | None = timedelta(days=30)
    flag_possible_duplicates: bool = True
    promote_new: bool = True
    merge_at: float = 0.99
    pipeline: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        for name in ("attach_to_open", "repeat_for_customers", "flag_possible_duplicates"):
            c.flag(p, name, getattr(self, name))
        c.flag(p, "promote_new", self.promote_new)
        if not isinstance(self.no_repeat_channels, frozenset):
            p.append(Problem("no_repeat_channels", "a list of channels", self.no_repeat_channels))
        else:
            for channel in self.no_repeat_channels:
                c.member(p, "no_repeat_channels", channel, Channel)
        for name in ("no_repeat_sources", "no_repeat_topics"):
            value = getattr(self, name)
            if not isinstance(value, frozenset):
                p.append(Problem(name, "a list of names", value))
            else:
                for item in sorted(value, key=str):
                    c.text(p, name, item, "a name")
        if self.reopen_lost_after is not None:
            _delay(p, "reopen_lost_after", self.reopen_lost_after, zero=True)
        merge_at = self.merge_at
        if type(merge_at) not in (int, float) or not 0 < merge_at <= 1:
            p.append(Problem("merge_at", "a probability above 0, at most 1", merge_at))
        c.opt_text(p, "pipeline", self.pipeline, "the pipeline key")
        if p:
            c.fail("KnownPersonPolicy", p)

    def repeat_exception(self, channel: Channel, source: str | None, topic: str | None) -> str:
        """Why a request never makes a repeat lead (``""``: it may).

        >>> policy = KnownPersonPolicy(no_repeat_topics=["Returns"])
        >>> policy.repeat_exception(Channel.form, None, " returns ")
        "the topic 'returns' never makes a repeat lead"
        """
        if channel in self.no_repeat_channels:
            return f"the channel {channel.value!r} never makes a repeat lead"
        if source and source.strip().casefold() in self.no_repeat_sources:
            return f"the source {source.strip().casefold()!r} never makes a repeat lead"
        if topic and topic.strip().casefold() in self.no_repeat_topics:
            return f"the topic {topic.strip().casefold()!r} never makes a repeat lead"
        return ""


@attrs.frozen(kw_only=True)
class CapturePolicy(Spec):
    """How the front door treats every submission.

    ``window``: a submission with the idempotency key of one captured at most this long before
    (or after: a retry may carry the original time) returns that interest, stores nothing and
    emits nothing; a key is the host's (``idempotency_key=``) or, without one, the fingerprint
    of the payload (source, topic, message, name, contact points, company, custom fields) of a
    submission that names its sender (anonymous ones are told apart by the host's key only).
    ``spam``: how the host's :class:`~leadmodel.SpamVerdict` is acted on. ``double_opt_in``:
    the purposes whose consents, given with a submission, are asked to be confirmed (again on
    every new submission), the request open for ``opt_in_ttl``. ``inquiry_basis``: a person's
    own request through an inbound channel (any but ``import`` and ``manual``) is recorded as a
    basis for replying to it (purpose ``service``, basis ``contract``: GDPR art. 6(1)(b),
    steps at the person's request before a contract), so the pipeline's follow-ups may answer.

    >>> CapturePolicy(window=timedelta(days=31))
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: CapturePolicy.window: at most 30 days (MAX_CAPTURE_WINDOW); got datetime.timedelta(days=31)
    """  # noqa: E501 - the doctest's output is one line

    window: timedelta = timedelta(minutes=10)
    spam: SpamPolicy = attrs.field(factory=SpamPolicy)
    double_opt_in: frozenset[Purpose] = attrs.field(
        default=frozenset({Purpose.marketing_email, Purpose.sms, Purpose.messenger}),
        converter=_purposes,
    )
    opt_in_ttl: timedelta = timedelta(days=7)
    inquiry_basis: bool = True

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        _delay(p, "window", self.window, zero=True)
        c.instance(p, "spam", self.spam, SpamPolicy)
        if not isinstance(self.double_opt_in, frozenset):
            p.append(Problem("double_opt_in", "a list of purposes", self.double_opt_in))
        else:
            for purpose in self.double_opt_in:
                c.member(p, "double_opt_in", purpose, Purpose)
        ttl = self.opt_in_ttl
        if not isinstance(ttl, timedelta) or not timedelta(0) < ttl <= MAX_OPT_IN_TTL:
            p.append(Problem("opt_in_ttl", "above zero, at most 90 days (MAX_OPT_IN_TTL)", ttl))
        c.flag(p, "inquiry_basis", self.inquiry_basis)
        if p:
            c.fail("CapturePolicy", p)
