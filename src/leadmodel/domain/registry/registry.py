"""The registry: pipelines, frameworks and score models by key; lookups, adding, documents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Self, TypeVar

import attrs

from leadmodel._kernel import checks as c
from leadmodel._kernel import documents, toml
from leadmodel._kernel.frozen_json import FrozenMap
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.pipeline import presets as pipeline_presets
from leadmodel.domain.pipeline.guards import Guards
from leadmodel.domain.pipeline.machine import Pipeline
from leadmodel.domain.qualification import presets as framework_presets
from leadmodel.domain.qualification.framework import Framework
from leadmodel.domain.registry.document import (
    CAPS,
    FIELDS,
    NO_KEY,
    RegistryDocument,
    duplicate_keys,
    guard_problems,
)
from leadmodel.domain.scoring.score_model import ScoreModel
from leadmodel.errors import (
    NotRegisteredError,
    PipelineSpecError,
    Problem,
    RuleViolation,
    ValidationError,
)

__all__ = ["Registry"]

T = TypeVar("T", Pipeline, Framework, ScoreModel)

_KINDS: dict[str, tuple[str, type[Any]]] = {
    field: (word, cls)
    for (field, word), cls in zip(FIELDS.items(), (Pipeline, Framework, ScoreModel), strict=True)
}


def _indexed(p: c.Problems, field: str, given: object) -> FrozenMap[Any]:
    """``given`` (an iterable of items, or a mapping of them by key) as a map by key."""
    kind, cls = _KINDS[field]
    if isinstance(given, str | bytes) or not isinstance(given, Iterable):
        p.append(Problem(field, f"expected the {kind}s in a list or a tuple", given))
        return FrozenMap()
    if isinstance(given, Mapping):
        entries = [(f"{field}.{k}", item, k) for k, item in given.items()]
    else:
        entries = [(f"{field}[{i}]", item, None) for i, item in enumerate(given)]
    if len(entries) > CAPS[field].most:
        p.append(Problem(field, CAPS[field].message(len(entries))))
        return FrozenMap()
    by_key: dict[str, Any] = {}
    keys: list[tuple[str, object]] = []
    for path, item, claimed in entries:
        if not isinstance(item, cls):
            p.append(Problem(path, f"expected a {cls.__name__}", item))
        elif item.key is None:
            p.append(Problem(f"{path}.key", NO_KEY))
        elif claimed is not None and claimed != item.key:
            message = f"held under {claimed!r}, but its key is {item.key!r}: hold it under its key"
            p.append(Problem(path, message, claimed))
        else:
            keys.append((path, item.key))
            by_key[item.key] = item
    p += duplicate_keys(kind, keys)
    return FrozenMap(by_key)


def _lookup(held: Mapping[str, T], kind: str, key: object) -> T:
    if isinstance(key, str) and key in held:
        return held[key]
    words = _KINDS[f"{kind}s"][0]
    known = ", ".join(held) or "none (add some with registry.add(...))"
    message = f"no {words} {key!r} in this registry; it holds: {known}"
    raise NotRegisteredError(message, kind=kind, key=key)


@attrs.frozen(init=False, repr=False)
class Registry:
    """Pipelines, qualification frameworks and score models, each held by its key.

    ``Registry(pipelines=..., frameworks=..., score_models=...)`` takes each as a list (or a
    mapping by key); a key held twice, an item of the wrong class and a score model without a
    key are a :class:`~leadmodel.errors.ValidationError` listing every problem. Look items up
    with :meth:`pipeline`, :meth:`framework`, :meth:`score_model` and :meth:`pipeline_of`;
    "change" one with :meth:`add`, which returns a new registry.
    """

    pipelines: FrozenMap[Pipeline]
    frameworks: FrozenMap[Framework]
    score_models: FrozenMap[ScoreModel]

    def __init__(
        self,
        *,
        pipelines: Iterable[Pipeline] | Mapping[str, Pipeline] = (),
        frameworks: Iterable[Framework] | Mapping[str, Framework] = (),
        score_models: Iterable[ScoreModel] | Mapping[str, ScoreModel] = (),
    ) -> None:
        p: c.Problems = []
        held = {
            "pipelines": _indexed(p, "pipelines", pipelines),
            "frameworks": _indexed(p, "frameworks", frameworks),
            "score_models": _indexed(p, "score_models", score_models),
        }
        if p:
            c.fail("Registry", p)
        self.__attrs_init__(**held)

    @classmethod
    def default(cls) -> Self:
        """The preset pipelines (``SIMPLE``, ``KEYCRM_REQUESTS``, ``B2B_DEALS``) and
        frameworks (``BANT``, ``GPCT``, ``GPCT_BA_CI``, ``CHAMP``, ``ANUM``, ``MEDDIC``,
        ``MEDDPICC``, ``FAINT``); no score model.

        >>> import leadmodel as lm
        >>> registry = lm.Registry.default()
        >>> list(registry.pipelines), len(registry.frameworks), len(registry.score_models)
        (['simple', 'requests', 'deals'], 8, 0)
        """
        p = pipeline_presets
        q = framework_presets
        frameworks = (q.BANT, q.GPCT, q.GPCT_BA_CI, q.CHAMP, q.ANUM, q.MEDDIC, q.MEDDPICC, q.FAINT)
        return cls(pipelines=(p.SIMPLE, p.KEYCRM_REQUESTS, p.B2B_DEALS), frameworks=frameworks)

    # -- lookups -------------------------------------------------------------------------------
    def pipeline(self, key: str) -> Pipeline:
        """The pipeline with key ``key``; raises :class:`~leadmodel.errors.NotRegisteredError`
        (a ``KeyError``) naming the keys held when there is none.

        >>> import leadmodel as lm
        >>> lm.Registry.default().pipeline("deals")
        Pipeline('deals', 6 statuses)
        """
        return _lookup(self.pipelines, "pipeline", key)

    def framework(self, key: str) -> Framework:
        """The qualification framework with key ``key`` (else ``NotRegisteredError``).

        >>> import leadmodel as lm
        >>> lm.Registry.default().framework("MEDDIC").label
        'MEDDIC'
        >>> lm.Registry().framework("BANT")
        Traceback (most recent call last):
        ...
        leadmodel.errors.NotRegisteredError: no framework 'BANT' in this registry; it holds: none
        (add some with registry.add(...))
        """
        return _lookup(self.frameworks, "framework", key)

    def score_model(self, key: str) -> ScoreModel:
        """The score model with key ``key`` (else ``NotRegisteredError``).

        >>> import leadmodel as lm
        >>> registry = lm.Registry(score_models=[lm.ScoreModel(key="inbound", max_points=50)])
        >>> registry.score_model("inbound").max_points
        50
        """
        return _lookup(self.score_models, "score_model", key)

    def pipeline_of(self, lead: Lead) -> Pipeline:
        """The pipeline ``lead`` is in (by ``lead.pipeline``).

        Raises :class:`~leadmodel.errors.RuleViolation` for a lead in no pipeline (enter it
        into one first) and ``NotRegisteredError`` for a pipeline this registry lacks.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at, registry = datetime(2026, 3, 2, tzinfo=timezone.utc), lm.Registry.default()
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> registry.pipeline_of(lead)
        Traceback (most recent call last):
        ...
        leadmodel.errors.RuleViolation: lead 'lead-1' is in no pipeline: enter it into one first
        (registry.pipeline(key).enter(lead, at=..., by=...))
        >>> lead = registry.pipeline("requests").enter(lead, at=at, by="anna")
        >>> registry.pipeline_of(lead)
        Pipeline('requests', 6 statuses)
        """
        if not isinstance(lead, Lead):
            c.fail("Registry.pipeline_of", [Problem("lead", "expected a Lead", lead)])
        if lead.pipeline is None:
            raise RuleViolation(
                f"lead {lead.id!r} is in no pipeline: enter it into one first "
                "(registry.pipeline(key).enter(lead, at=..., by=...))"
            )
        return self.pipeline(lead.pipeline)

    # -- changing ------------------------------------------------------------------------------
    def add(
        self, *items: Pipeline | Framework | ScoreModel | Registry, replace: bool = False
    ) -> Registry:
        """A new registry holding ``items`` too: each a pipeline, a framework, a score model,
        or a registry (all it holds).

        A key already held is a :class:`~leadmodel.errors.ValidationError` unless ``replace``
        is true; then the item takes the old one's place.

        >>> import leadmodel as lm
        >>> registry = lm.Registry().add(lm.pipelines.SIMPLE, lm.BANT)
        >>> list(registry.pipelines), list(registry.frameworks)
        (['simple'], ['BANT'])
        >>> lm.Registry.default().add(registry)
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: 2 problems:
          Registry.add[0].pipelines.simple.key: a pipeline with this key is held already: pass
          replace=True to replace it, or give this one another key; got 'simple'
          Registry.add[0].frameworks.BANT.key: a framework with this key is held already: pass
          replace=True to replace it, or give this one another key; got 'BANT'
        """
        p: c.Problems = []
        held: dict[str, dict[str, Any]] = {field: dict(getattr(self, field)) for field in _KINDS}
        for path, item in _each(items):
            field = next((f for f, (_, cls) in _KINDS.items() if isinstance(item, cls)), None)
            if field is None:
                message = "expected a Pipeline, a Framework, a ScoreModel or a Registry"
                p.append(Problem(path, message, item))
            elif item.key is None:
                p.append(Problem(f"{path}.key", NO_KEY))
            elif item.key in held[field] and not replace:
                message = (
                    f"a {_KINDS[field][0]} with this key is held already: pass replace=True "
                    "to replace it, or give this one another key"
                )
                p.append(Problem(f"{path}.key", message, item.key))
            else:
                held[field][item.key] = item
        if p:
            c.fail("Registry.add", p)
        return Registry(**held)

    # -- documents ------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, guards: Guards | None = None) -> Self:
        """Read a registry from a document: ``pipelines``, ``frameworks`` and ``score_models``,
        each a list of the documents its class reads (all optional).

        ``guards`` are the host's checks the pipelines' ``requires.guards`` name. Raises
        :class:`~leadmodel.errors.ValidationError` listing every problem with its path
        (``pipelines[1].statuses[0].kind``).

        >>> import leadmodel as lm
        >>> registry = lm.Registry.from_dict({
        ...     "frameworks": [{"key": "LITE", "criteria": [{"key": "budget"}, {"key": "need"}]}],
        ...     "score_models": [{"key": "inbound", "max_points": 40}]})
        >>> list(registry.frameworks), registry.score_model("inbound").max_points
        (['LITE'], 40.0)
        >>> lm.Registry.from_dict({"pipelines": [{"key": "x", "statuses": [{"key": "new"}]}],
        ...     "score_models": [{"max_points": 0}]})
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: 4 problems:
          Registry.pipelines[0].statuses: no won status: add one with kind = "won"
          Registry.pipelines[0].statuses[0]: dead end: no way from 'new' to won or lost
          Registry.score_models[0].max_points: max_points must be above 0; got 0.0
          Registry.score_models[0].key: a score model in a registry needs a key: give it one,
          such as key = "inbound"
        """
        try:
            document = documents.from_document(RegistryDocument, data)
        except ValidationError as exc:
            problems = [*exc.problems, *guard_problems(data, guards)]
            raise ValidationError(
                list(dict.fromkeys(problems)), model="Registry", complete=exc.complete
            ) from None
        return cls._from_document(document, guards=guards)

    @classmethod
    def from_toml(cls, text: str | bytes, *, guards: Guards | None = None) -> Self:
        """Read a registry from TOML text (``str`` or UTF-8 ``bytes``): one ``[[pipelines]]``,
        ``[[frameworks]]`` or ``[[score_models]]`` table per item.

        The domain reads no files: read one with ``Path.read_bytes()``, or a file or folder
        with :func:`leadmodel.load_registry`. Problems name the line they were found on.

        >>> import leadmodel as lm
        >>> text = '''
        ... [[pipelines]]
        ... key = "repairs"
        ... [[pipelines.statuses]]
        ... key = "new"
        ... [[pipelines.statuses]]
        ... key = "done"
        ... kind = "won"
        ...
        ... [[frameworks]]
        ... key = "LITE"
        ... criteria = [{ key = "budget" }, { key = "need" }]
        ... '''
        >>> lm.Registry.from_toml(text)
        Registry(pipelines=('repairs',), frameworks=('LITE',), score_models=())
        >>> lm.Registry.from_toml(text.replace('"won"', '"wonn"'))
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: 4 problems:
          ...
          line 8: pipelines[0].statuses[1].kind: expected one of 'open', 'won', 'lost'; got 'wonn'
        """
        try:
            data = toml.parse(text)
        except ValidationError as exc:
            raise ValidationError(exc.problems, model="Registry") from None
        try:
            return cls.from_dict(data, guards=guards)
        except ValidationError as exc:
            located = toml.with_lines(exc.problems, text)
            raise ValidationError(located, complete=exc.complete) from None

    def to_dict(self) -> dict[str, Any]:
        """The registry as a document (``schema_version`` first, empty lists left out) that
        :meth:`from_dict` reads back to an equal registry.

        >>> import leadmodel as lm
        >>> doc = lm.Registry().add(lm.BANT).to_dict()
        >>> list(doc), doc["frameworks"][0]["key"]
        (['schema_version', 'frameworks'], 'BANT')
        """
        return documents.to_document(self)  # through _to_document, as lm.to_dict(registry)

    def to_toml(self) -> str:
        """The registry as TOML text that :meth:`from_toml` reads back to an equal registry.

        >>> import leadmodel as lm
        >>> text = lm.Registry().add(lm.pipelines.SIMPLE).to_toml()
        >>> print(*text.splitlines()[:6], sep="\\n")
        schema_version = 1
        <BLANKLINE>
        [[pipelines]]
        key = "simple"
        label = "Simple CRM"
        entity = "Deals"
        >>> lm.Registry.from_toml(text) == lm.Registry().add(lm.pipelines.SIMPLE)
        True
        """
        try:
            return toml.dump(self.to_dict(), depth=2)
        except ValidationError as exc:
            raise ValidationError(exc.problems, model="Registry.to_toml") from None

    # -- the converter's side (leadmodel._kernel.hooks.WRITTEN_AS) ----------------------------
    __written_as__: ClassVar[type[RegistryDocument]] = RegistryDocument

    def _to_document(self) -> RegistryDocument:
        return RegistryDocument(
            pipelines=tuple(p.spec for p in self.pipelines.values()),
            frameworks=tuple(self.frameworks.values()),
            score_models=tuple(self.score_models.values()),
        )

    @classmethod
    def _from_document(cls, document: RegistryDocument, *, guards: Guards | None = None) -> Self:
        problems = []
        pipelines = []
        for i, spec in enumerate(document.pipelines):
            try:
                pipelines.append(Pipeline(spec, guards=guards))
            except PipelineSpecError as exc:  # only the guards are left to check
                problems += [p.within(f"pipelines[{i}]") for p in exc.problems]
        if problems:
            c.fail("Registry", problems)
        return cls(
            pipelines=pipelines,
            frameworks=document.frameworks,
            score_models=document.score_models,
        )

    def __repr__(self) -> str:
        held = ", ".join(f"{field}={tuple(getattr(self, field))!r}" for field in _KINDS)
        return f"Registry({held})"


def _each(items: Iterable[object]) -> Iterable[tuple[str, Any]]:
    """The items :meth:`Registry.add` was given, a registry's one by one, with their paths."""
    for i, item in enumerate(items):
        if isinstance(item, Registry):
            for field in _KINDS:
                yield from ((f"[{i}].{field}.{key}", x) for key, x in getattr(item, field).items())
        else:
            yield f"[{i}]", item
