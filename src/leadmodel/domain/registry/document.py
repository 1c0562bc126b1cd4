"""A registry as a document: what it holds, the rules on its keys, and its specs as data.

:class:`~leadmodel.domain.registry.registry.Registry` holds compiled pipelines; its document
holds their specs, beside the frameworks and the score models, and the one converter reads and
writes it (:class:`RegistryDocument`). The rules on keys are here, once: the registry's
constructor, its document and ``load_registry`` (keys that two files hold) all use them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel import documents
from leadmodel._kernel.frozen_json import FrozenMap
from leadmodel.domain.pipeline.checks import registry_problems
from leadmodel.domain.pipeline.spec import PipelineSpec
from leadmodel.domain.qualification.framework import Framework
from leadmodel.domain.scoring.score_model import ScoreModel
from leadmodel.errors import Problem

__all__ = [
    "FIELDS",
    "MAX_REGISTRY_ITEMS",
    "NO_KEY",
    "RegistryDocument",
    "duplicate_keys",
    "guard_problems",
]

MAX_REGISTRY_ITEMS = 200
"""The most pipelines, frameworks or score models one registry holds, each.

An app has a handful of funnels and frameworks; two hundred of each is far above that and keeps
reading a registry document of at most a megabyte under 50 ms (a small pipeline costs about
0.1 ms to read and check: 12,000 of them took 1.1 s). More is refused by its count, before an
item is read, with the same message from the document reader and the constructor.
"""


def _too_many(what: str) -> c.MaxItems:
    def message(count: int) -> str:
        return (
            f"{count:,} {what}; a registry holds at most {MAX_REGISTRY_ITEMS:,} "
            "(MAX_REGISTRY_ITEMS): keep the ones the app uses, or split the registry"
        )

    return c.MaxItems(MAX_REGISTRY_ITEMS, message)


CAPS: Mapping[str, c.MaxItems] = FrozenMap(
    {
        "pipelines": _too_many("pipelines"),
        "frameworks": _too_many("frameworks"),
        "score_models": _too_many("score models"),
    }
)
"""The count cap of each of a registry's collections."""

FIELDS: Mapping[str, str] = FrozenMap(
    {"pipelines": "pipeline", "frameworks": "framework", "score_models": "score model"}
)
"""The registry's fields (its document's keys), each with what it holds in words."""

NO_KEY = 'a score model in a registry needs a key: give it one, such as key = "inbound"'
"""What a score model without a key is told: a registry holds each item by its key."""


def duplicate_keys(kind: str, entries: Iterable[tuple[str, object]]) -> list[Problem]:
    """A problem at ``<path>.key`` for every entry ``(path, key)`` whose key another has too.

    ``kind`` names the items (``"pipeline"``); keys that are not strings are skipped (their own
    checks refuse them). The problems come in the order of the entries.

    >>> [str(p) for p in duplicate_keys("pipeline", [("a", "x"), ("b", "y"), ("c", "x")])]
    ["a.key: 2 pipelines have this key: give each its own key, or drop one; got 'x'",
     "c.key: 2 pipelines have this key: give each its own key, or drop one; got 'x'"]
    """
    keyed = [(path, key) for path, key in entries if type(key) is str]
    counts: dict[str, int] = {}
    for _, key in keyed:
        counts[key] = counts.get(key, 0) + 1
    return [
        Problem(
            f"{path}.key",
            f"{counts[key]} {kind}s have this key: give each its own key, or drop one",
            key,
        )
        for path, key in keyed
        if counts[key] > 1
    ]


def _key_problems(field: str, items: object) -> list[Problem]:
    """The keys of a document's (or a draft's) items: each one there, none twice."""
    if type(items) is not tuple:
        return []
    kind = FIELDS[field]
    keys = [(f"{field}[{i}]", getattr(item, "key", None)) for i, item in enumerate(items)]
    found = duplicate_keys(kind, keys)
    if field == "score_models":
        found += [Problem(f"{path}.key", NO_KEY) for path, key in keys if key is None]
    return found


@attrs.frozen(kw_only=True)
class RegistryDocument(documents.Spec):
    """A registry as data: the pipelines' specs, the frameworks and the score models; each key
    held once, and every score model with one."""

    pipelines: tuple[PipelineSpec, ...] = attrs.field(
        default=(), metadata={c.MAX_ITEMS: CAPS["pipelines"]}
    )
    frameworks: tuple[Framework, ...] = attrs.field(
        default=(), metadata={c.MAX_ITEMS: CAPS["frameworks"]}
    )
    score_models: tuple[ScoreModel, ...] = attrs.field(
        default=(), metadata={c.MAX_ITEMS: CAPS["score_models"]}
    )

    def __attrs_post_init__(self) -> None:
        found: c.Problems = []
        for field in FIELDS:
            c.max_items(found, field, getattr(self, field), CAPS[field])
        found += [p for field in FIELDS for p in _key_problems(field, getattr(self, field))]
        if found:
            c.fail("Registry", found)


def guard_problems(data: object, guards: Collection[str] | None) -> list[Problem]:
    """The guards the pipelines of a document that did not load name but the host lacks, so
    that every problem is reported at once."""
    if isinstance(data, Mapping) and "schema_version" in data:
        data = {k: v for k, v in data.items() if k != "schema_version"}
    draft = documents.draft(RegistryDocument, data)
    specs = getattr(draft, "pipelines", None)
    if type(specs) is not tuple:
        return []
    return [
        p.within(f"pipelines[{i}]")
        for i, spec in enumerate(specs)
        if spec is not None
        for p in registry_problems(spec, guards, None)
    ]
