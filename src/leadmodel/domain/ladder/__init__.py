"""The ladder: promote an interest to a lead, move its lifecycle, log its contacts, convert it to
a customer."""

from leadmodel.domain.ladder.activities import (
    awaiting_reply,
    first_response,
    last_inbound,
    last_outbound,
    log_activity,
    reply_owed_since,
    respond,
)
from leadmodel.domain.ladder.conversion import (
    Conversion,
    convert,
    customer_from_import,
    customer_from_order,
)
from leadmodel.domain.ladder.lifecycle import advance, service_qualify, stage_change
from leadmodel.domain.ladder.promotion import attach_interest, promote, recycle, repeat_lead

__all__ = [
    "Conversion",
    "advance",
    "attach_interest",
    "awaiting_reply",
    "convert",
    "customer_from_import",
    "customer_from_order",
    "first_response",
    "last_inbound",
    "last_outbound",
    "log_activity",
    "promote",
    "recycle",
    "repeat_lead",
    "reply_owed_since",
    "respond",
    "service_qualify",
    "stage_change",
]
