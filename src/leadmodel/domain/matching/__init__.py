"""Matching: match keys, rules as data, duplicate groups, merging without loss, and the
probabilistic model's vocabulary (:class:`MatchModel`; its engine, which needs the ``match``
extra, is :mod:`leadmodel.domain.matching.linkage`: ``lm.fit``, ``lm.score_pairs``,
``lm.cluster``)."""

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
from leadmodel.domain.matching.model import (
    DEFAULT_MAX_BLOCK,
    DEFAULT_WINDOW,
    PERSON_MODEL,
    Blocking,
    Comparison,
    Level,
    LevelKind,
    MatchModel,
    Normalise,
)
from leadmodel.domain.matching.rules import DEFAULT_RULES, MatchRule, Similar, SimilarField

__all__ = [
    "DEFAULT_MAX_BLOCK",
    "DEFAULT_RULES",
    "DEFAULT_WINDOW",
    "FREE_MAIL_DOMAINS",
    "OVERSIZED_SIMILARITY",
    "PERSON_MODEL",
    "ROLE_MAILBOXES",
    "Blocking",
    "Comparison",
    "Conflict",
    "DuplicateGroup",
    "DuplicateReport",
    "KeyKind",
    "Level",
    "LevelKind",
    "MatchKey",
    "MatchModel",
    "MatchRule",
    "MergeRecord",
    "Merged",
    "Normalise",
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
