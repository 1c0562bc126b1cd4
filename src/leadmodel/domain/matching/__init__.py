"""Matching: match keys, rules as data, duplicate groups, and merging without loss."""

from leadmodel.domain.matching.duplicates import (
    OVERSIZED_SIMILARITY,
    DuplicateGroup,
    DuplicateReport,
    OversizedBlock,
    duplicate_report,
    find_duplicates,
)
from leadmodel.domain.matching.keys import (
    FREE_MAIL_DOMAINS,
    ROLE_MAILBOXES,
    KeyKind,
    MatchKey,
    Party,
    Record,
    is_free_mail,
    match_keys,
    name_key,
)
from leadmodel.domain.matching.merging import (
    Conflict,
    Merged,
    MergeRecord,
    SetAside,
    merge,
    repoint_customer,
)
from leadmodel.domain.matching.rules import DEFAULT_RULES, MatchRule, Similar, SimilarField

__all__ = [
    "DEFAULT_RULES",
    "FREE_MAIL_DOMAINS",
    "OVERSIZED_SIMILARITY",
    "ROLE_MAILBOXES",
    "Conflict",
    "DuplicateGroup",
    "DuplicateReport",
    "KeyKind",
    "MatchKey",
    "MatchRule",
    "MergeRecord",
    "Merged",
    "OversizedBlock",
    "Party",
    "Record",
    "SetAside",
    "Similar",
    "SimilarField",
    "duplicate_report",
    "find_duplicates",
    "is_free_mail",
    "match_keys",
    "merge",
    "name_key",
    "repoint_customer",
]
