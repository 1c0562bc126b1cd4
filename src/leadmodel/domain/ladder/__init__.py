"""The ladder: promote an interest to a lead, move its lifecycle, convert it to a customer."""

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
    "convert",
    "customer_from_import",
    "customer_from_order",
    "promote",
    "recycle",
    "repeat_lead",
    "service_qualify",
    "stage_change",
]
