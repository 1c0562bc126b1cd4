"""Where an interest came from: the channel, the campaign and what it cost.

>>> Source(channel=Channel.instagram_dm, campaign="spring-sale").channel.value
'instagram_dm'
"""

from __future__ import annotations

from enum import StrEnum

import attrs

from leadmodel._kernel import checks as c
from leadmodel.domain.values.money import Money

__all__ = ["Channel", "Source"]


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
