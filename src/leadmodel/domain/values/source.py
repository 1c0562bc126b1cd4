"""Where an interest came from: the channel, the campaign and what it cost — per interest
(:attr:`Source.cost`) or per campaign over a period (:class:`Spend`).

>>> Source(channel=Channel.instagram_dm, campaign="spring-sale").channel.value
'instagram_dm'
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.values.money import Money
from leadmodel.errors import Problem

__all__ = ["Channel", "Source", "Spend"]


class Channel(StrEnum):
    """The channel through which an interest arrived (DOMAIN §2)."""

    form = "form"
    landing = "landing"
    phone_call = "phone_call"
    email = "email"
    instagram_dm = "instagram_dm"
    instagram_comment = "instagram_comment"
    instagram_story_reply = "instagram_story_reply"
    instagram_like = "instagram_like"
    facebook_messenger = "facebook_messenger"
    telegram = "telegram"
    viber = "viber"
    whatsapp = "whatsapp"
    live_chat = "live_chat"
    event = "event"
    referral = "referral"
    import_ = "import"
    manual = "manual"
    marketplace = "marketplace"
    other = "other"


@attrs.frozen(kw_only=True)
class Source:
    """The channel of an interest plus the campaign details and the cost of acquiring it.

    ``name`` is the UTM source or a free name (``"google"``, ``"trade show Kyiv"``),
    ``campaign`` and ``medium`` the UTM campaign and medium; ``cost`` is what acquiring this
    interest cost (ad spend, call-centre time) and cannot be negative.
    """

    channel: Channel
    name: str | None = None
    campaign: str | None = None
    medium: str | None = None
    cost: Money | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.member(p, "channel", self.channel, Channel)
        c.opt_text(p, "name", self.name, "the source name")
        c.opt_text(p, "campaign", self.campaign, "the campaign")
        c.opt_text(p, "medium", self.medium, "the medium")
        if c.opt_instance(p, "cost", self.cost, Money) and self.cost is not None:
            c.non_negative(p, "cost", self.cost.amount, "a cost")
        if p:
            c.fail("Source", p)


@attrs.frozen(kw_only=True)
class Spend:
    """Money spent on acquiring leads that no single interest carries: a campaign's budget, a
    trade show's stand, a month of ads — ``amount`` spent on ``channel`` (and, when known, the
    ``source`` name, ``campaign`` and ``medium``, as :class:`Source` names them) from
    ``start`` to ``end`` (dates, both included). Per-interest costs are :attr:`Source.cost`;
    source-efficiency reports add both.

    >>> from datetime import date
    >>> from leadmodel.domain.values.money import Money
    >>> Spend(channel=Channel.event, campaign="expo-2026", amount=Money.of("5000", "UAH"),
    ...     start=date(2026, 3, 10), end=date(2026, 3, 12)).amount.amount
    Decimal('5000')
    """

    channel: Channel
    amount: Money
    start: date
    end: date
    source: str | None = None
    campaign: str | None = None
    medium: str | None = None

    def __attrs_post_init__(self) -> None:
        p: c.Problems = []
        c.member(p, "channel", self.channel, Channel)
        if c.instance(p, "amount", self.amount, Money):
            c.non_negative(p, "amount", self.amount.amount, "an amount spent")
        for name in ("start", "end"):
            value = getattr(self, name)
            if type(value) is not date:
                p.append(Problem(name, "a date (datetime.date)", value))
        if type(self.start) is date and type(self.end) is date and self.end < self.start:
            p.append(Problem("end", f"on or after the start ({self.start})", self.end))
        c.opt_text(p, "source", self.source, "the source name")
        c.opt_text(p, "campaign", self.campaign, "the campaign")
        c.opt_text(p, "medium", self.medium, "the medium")
        if p:
            c.fail("Spend", p)
