"""Values: ids, money, contact points, sources and custom JSON: what entities are made of."""

from leadmodel.domain.values.contact import ContactKind, ContactPoint, ContactPoints, merge_points
from leadmodel.domain.values.custom_json import (
    JSON,
    MAX_CUSTOM_NODES,
    MAX_JSON_DEPTH,
    MAX_JSON_INT,
    FrozenMap,
    freeze,
    thaw,
)
from leadmodel.domain.values.ids import (
    CompanyId,
    ContactId,
    CustomerId,
    IdFactory,
    InterestId,
    LeadId,
    sequential_ids,
    uuid7,
)
from leadmodel.domain.values.localtime import localise
from leadmodel.domain.values.money import MAX_AMOUNT, Money
from leadmodel.domain.values.source import Channel, Source, Spend

__all__ = [
    "JSON",
    "MAX_AMOUNT",
    "MAX_CUSTOM_NODES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_INT",
    "Channel",
    "CompanyId",
    "ContactId",
    "ContactKind",
    "ContactPoint",
    "ContactPoints",
    "CustomerId",
    "FrozenMap",
    "IdFactory",
    "InterestId",
    "LeadId",
    "Money",
    "Source",
    "Spend",
    "freeze",
    "localise",
    "merge_points",
    "sequential_ids",
    "thaw",
    "uuid7",
]
