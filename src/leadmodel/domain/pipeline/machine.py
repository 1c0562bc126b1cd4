"""The compiled pipeline: moves, transfers, replays and diagrams over a checked spec."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from leadmodel.domain.model.entities import Lead
from leadmodel.domain.model.records import StatusChange
from leadmodel.domain.pipeline import export, loading
from leadmodel.domain.pipeline.compiled import CompiledPipeline
from leadmodel.domain.pipeline.guards import Guards
from leadmodel.domain.pipeline.requirements import FrameworkCheck, latest_assessment
from leadmodel.domain.pipeline.spec import ActionSpec, StatusKind, StatusSpec

__all__ = ["FrameworkCheck", "Pipeline", "latest_assessment"]


class Pipeline(CompiledPipeline):
    """A funnel compiled from a checked :class:`PipelineSpec` into lookup tables.

    Build it with :meth:`from_dict`, :meth:`from_toml` or :meth:`from_json`; they report every
    problem of the spec at once in :class:`~leadmodel.errors.PipelineSpecError`.
    Look statuses up with :meth:`status`, :attr:`status_keys` and ``key in pipeline``.
    """

    __slots__ = ()

    # -- loading and dumping (see loading.py) -----------------------------------------------
    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        guards: Guards | None = None,
        frameworks: Mapping[str, FrameworkCheck] | None = None,
        source: str | None = None,
    ) -> Pipeline:
        """Read, check and compile a spec document (as ``lm.from_dict(PipelineSpec, data)`` does).

        Raises :class:`~leadmodel.errors.PipelineSpecError` listing every problem found.

        >>> import leadmodel as lm
        >>> repairs = lm.Pipeline.from_dict({"key": "repairs", "label": "Ремонти", "statuses": [
        ...     {"key": "new", "label": "Нова"}, {"key": "done", "kind": "won"}]})
        >>> repairs, repairs.first
        (Pipeline('repairs', 2 statuses), 'new')
        >>> lm.Pipeline.from_dict({"key": "repairs", "statuses": [{"key": "new"}]})
        Traceback (most recent call last):
        ...
        leadmodel.errors.PipelineSpecError: pipeline spec: 2 problems:
          statuses: no won status: add one with kind = "won"
          statuses[0]: dead end: no way from 'new' to won or lost
        """
        spec = loading.read_dict(data, guards=guards, frameworks=frameworks, source=source)
        return cls(spec, guards=guards, frameworks=frameworks, source=source)

    @classmethod
    def from_toml(
        cls,
        source: str | bytes | os.PathLike[str],
        *,
        guards: Guards | None = None,
        frameworks: Mapping[str, FrameworkCheck] | None = None,
    ) -> Pipeline:
        """Read a spec from TOML text (``str`` or UTF-8 ``bytes``).

        The domain reads no files: pass ``path.read_bytes()``. A path still works, as it did
        before, but is deprecated (``DeprecationWarning``); a file that cannot be read is a
        :class:`~leadmodel.errors.PipelineSpecError`. Problems name the line they were found
        on: ``line 14: statuses[2].kind: ...``.

        >>> import leadmodel as lm
        >>> text = '''
        ... key = "repairs"
        ... [[statuses]]
        ... key = "new"
        ... [[statuses]]
        ... key = "done"
        ... kind = "won"
        ... '''
        >>> lm.Pipeline.from_toml(text)
        Pipeline('repairs', 2 statuses)
        >>> lm.Pipeline.from_toml(text.replace('"won"', '"wonn"'))
        Traceback (most recent call last):
        ...
        leadmodel.errors.PipelineSpecError: pipeline spec: 4 problems:
          ...
          line 7: statuses[1].kind: expected one of 'open', 'won', 'lost'; got 'wonn'
          statuses: no won status: add one with kind = "won"
        """
        spec = loading.read_toml(source, guards=guards, frameworks=frameworks)
        return cls(spec, guards=guards, frameworks=frameworks)

    @classmethod
    def from_json(
        cls,
        text: str | bytes,
        *,
        guards: Guards | None = None,
        frameworks: Mapping[str, FrameworkCheck] | None = None,
    ) -> Pipeline:
        """Read a spec from JSON text (the same shape as the dict and TOML forms).

        >>> import leadmodel as lm
        >>> lm.Pipeline.from_json(lm.to_json(lm.pipelines.SIMPLE.spec)) == lm.pipelines.SIMPLE
        True
        >>> lm.Pipeline.from_json('{"key": "repairs", ')
        Traceback (most recent call last):
        ...
        leadmodel.errors.PipelineSpecError: pipeline spec: 1 problem:
          not valid JSON: ...
        """
        spec = loading.read_json(text, guards=guards, frameworks=frameworks)
        return cls(spec, guards=guards, frameworks=frameworks)

    def to_dict(self) -> dict[str, Any]:
        """The spec as a document, the same as ``lm.to_dict(pipeline.spec)``: ``schema_version``
        first, settings at their default left out.

        >>> import leadmodel as lm
        >>> doc = lm.pipelines.SIMPLE.to_dict()
        >>> list(doc)[:3], doc["statuses"][2]
        (['schema_version', 'key', 'label'], {'key': 'won', 'label': 'Won', 'kind': 'won'})
        >>> doc == lm.to_dict(lm.pipelines.SIMPLE.spec)
        True
        """
        return loading.to_dict(self.spec)

    def to_toml(self) -> str:
        """The spec as TOML text that :meth:`from_toml` reads back to an equal pipeline.

        >>> import leadmodel as lm
        >>> text = lm.pipelines.SIMPLE.to_toml()
        >>> print(*text.splitlines()[:3], sep="\\n")
        schema_version = 1
        key = "simple"
        label = "Simple CRM"
        >>> lm.Pipeline.from_toml(text) == lm.pipelines.SIMPLE
        True
        """
        return loading.to_toml(self.spec)

    def to_mermaid(self) -> str:
        """A Mermaid state diagram of the pipeline (renders in MkDocs Material).

        >>> import leadmodel as lm
        >>> print(*lm.pipelines.SIMPLE.to_mermaid().splitlines()[:4], sep="\\n")
        stateDiagram-v2
            direction LR
            state "New" as s0
            state "In progress" as s1
        """
        return export.to_mermaid(self.spec)

    def to_dot(self) -> str:
        """A Graphviz DOT digraph of the pipeline.

        >>> import leadmodel as lm
        >>> print(*lm.pipelines.SIMPLE.to_dot().splitlines()[:4], sep="\\n")
        digraph "simple" {
            rankdir=LR;
            node [shape=box, style="rounded"];
            s0 [label="New"];
        """
        return export.to_dot(self.spec)

    # -- facts ---------------------------------------------------------------------------
    @property
    def key(self) -> str:
        """The pipeline's id, recorded on every lead in it."""
        return self.spec.key

    @property
    def statuses(self) -> tuple[StatusSpec, ...]:
        """The statuses in funnel order."""
        return self.spec.statuses

    @property
    def first(self) -> str:
        """The status new cards enter."""
        return self.spec.statuses[0].key

    @property
    def convert_to(self) -> str | None:
        """The won status a conversion moves the card to (``None``: the card stays put).

        >>> import leadmodel as lm
        >>> lm.pipelines.SIMPLE.convert_to
        'won'
        """
        return self.spec.convert_to

    @property
    def status_keys(self) -> tuple[str, ...]:
        """The status keys in funnel order.

        >>> import leadmodel as lm
        >>> lm.pipelines.SIMPLE.status_keys
        ('new', 'in_progress', 'won', 'lost')
        """
        return tuple(self._status)

    def __contains__(self, key: object) -> bool:
        """``key in pipeline``: whether ``key`` is one of its status keys.

        >>> import leadmodel as lm
        >>> "won" in lm.pipelines.SIMPLE, "paid" in lm.pipelines.SIMPLE
        (True, False)
        """
        return isinstance(key, str) and key in self._status

    def status(self, key: str) -> StatusSpec:
        """The spec of status ``key``; an unknown key raises
        :class:`~leadmodel.errors.UnknownStatusError` (a ``KeyError``), not a move error.

        >>> import leadmodel as lm
        >>> lm.pipelines.KEYCRM_REQUESTS.status("lost").lost_reasons
        ('no_budget', 'not_target', 'competitor', 'no_answer')
        >>> lm.pipelines.SIMPLE.status("paid")
        Traceback (most recent call last):
        ...
        leadmodel.errors.UnknownStatusError: pipeline 'simple' has no status 'paid'; its
        statuses: new, in_progress, won, lost
        """
        return self._lookup(key)

    def kind(self, key: str) -> StatusKind:
        """Whether ``key`` is an open, won or lost status; an unknown key raises
        :class:`~leadmodel.errors.UnknownStatusError`, as :meth:`status` does.

        >>> import leadmodel as lm
        >>> [lm.pipelines.SIMPLE.kind(key).value for key in ("new", "won", "lost")]
        ['open', 'won', 'lost']
        """
        return self._lookup(key).kind

    def __repr__(self) -> str:
        return f"Pipeline({self.key!r}, {len(self.statuses)} statuses)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pipeline) and other.spec == self.spec

    def __hash__(self) -> int:
        return hash(self.spec)

    # -- moving ----------------------------------------------------------------------------
    def enter(
        self, lead: Lead, *, at: datetime, by: str | None = None, status: str | None = None
    ) -> Lead:
        """Put a lead that is in no pipeline into the first (or given open) status.

        Raises :class:`~leadmodel.errors.TimeOrderError` for an ``at`` before the lead's last
        entry (its creation, a lifecycle move...).

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at, requests = datetime(2026, 3, 2, tzinfo=timezone.utc), lm.pipelines.KEYCRM_REQUESTS
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> lead = requests.enter(lead, at=at, by="anna")
        >>> lead.pipeline, lead.status, lead.history[-1].from_status
        ('requests', 'new', None)
        >>> requests.enter(lead, at=at, by="anna")
        Traceback (most recent call last):
        ...
        leadmodel.errors.TransitionError: pipeline 'requests': cannot move from 'new' to 'new'
        (other_pipeline): the lead is already in pipeline 'requests'; transfer() it instead
        """
        return self._enter(lead, at, by, status)

    def move(
        self,
        lead: Lead,
        to: str,
        *,
        at: datetime,
        by: str | None = None,
        reason: str | None = None,
        note: str | None = None,
    ) -> Lead:
        """Move a lead to status ``to``: a new Lead with the status set and the move recorded.

        A move to a lost status needs a ``reason`` from that status's ``lost_reasons`` and
        records :class:`~leadmodel.LossInfo`; reopening a lost lead clears it. Raises
        :class:`~leadmodel.errors.TransitionError` with ``why`` set when the move is refused.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at, requests = datetime(2026, 3, 2, tzinfo=timezone.utc), lm.pipelines.KEYCRM_REQUESTS
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> lead = requests.enter(lead, at=at, by="anna")
        >>> lead = requests.move(lead, "in_work", at=at, by="anna")
        >>> lead.status, [change.to_status for change in lead.history]
        ('in_work', ['new', 'in_work'])
        >>> requests.move(lead, "lost", at=at, by="anna")
        Traceback (most recent call last):
        ...
        leadmodel.errors.TransitionError: pipeline 'requests': cannot move from 'in_work' to 'lost'
        (reason_required): a lost status needs a reason: one of no_budget, not_target, competitor,
        no_answer
        >>> requests.move(lead, "lost", at=at, by="anna", reason="no_budget").lost.reason
        'no_budget'
        """
        return self._move(lead, to, at=at, by=by, reason=reason, note=note)

    def allowed(self, lead: Lead) -> tuple[str, ...]:
        """The statuses the lead may move to now, in funnel order (lost ones need a reason).

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at, requests = datetime(2026, 3, 2, tzinfo=timezone.utc), lm.pipelines.KEYCRM_REQUESTS
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> requests.allowed(lead)  # in no pipeline yet: enter() it first
        ()
        >>> requests.allowed(requests.enter(lead, at=at, by="anna"))
        ('in_work', 'qualified', 'offer_sent', 'won', 'lost')
        """
        return self._allowed(lead)

    def actions(self, change: StatusChange, lead: Lead | None = None) -> tuple[ActionSpec, ...]:
        """The ``on_enter`` actions a recorded move triggers, for the host app to perform.

        Pass the ``lead`` to honour its consent records and do-not-contact flag: an action
        that reaches out to the person (email, message, call: :attr:`ActionSpec.reach`) is
        left out unless :func:`~leadmodel.may_contact` allows its purpose through its channel
        at the move's time (a lead with no record of a basis is not contacted; the front door
        records the person's request as one: :func:`leadmodel.services.capture`). Why each
        was left out: :meth:`withheld`.

        >>> from datetime import datetime, timezone
        >>> import attrs
        >>> import leadmodel as lm
        >>> at, requests = datetime(2026, 3, 2, tzinfo=timezone.utc), lm.pipelines.KEYCRM_REQUESTS
        >>> asked = lm.Consent(person="lead-1", purpose="service", basis="contract",
        ...     source="form: price request", at=at)
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), created_at=at,
        ...                consents=[asked])
        >>> lead = requests.enter(lead, at=at, by="anna")
        >>> lead = requests.move(lead, "offer_sent", at=at, by="anna")
        >>> requests.actions(lead.history[-1], lead)
        (ActionSpec(action='schedule_call', params=FrozenMap({'in_minutes': 1440})),)
        >>> requests.actions(lead.history[-1], attrs.evolve(lead, do_not_contact=True))
        ()
        """
        return self._actions(change, lead)

    def withheld(self, change: StatusChange, lead: Lead) -> tuple[tuple[ActionSpec, str], ...]:
        """The contacting ``on_enter`` actions of ``change`` that :meth:`actions` leaves out for
        ``lead``, each with the reason (what a UI shows beside the move).

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at, requests = datetime(2026, 3, 2, tzinfo=timezone.utc), lm.pipelines.KEYCRM_REQUESTS
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.import_), created_at=at)
        >>> lead = requests.move(requests.enter(lead, at=at), "offer_sent", at=at)
        >>> [(action.action, why) for action, why in requests.withheld(lead.history[-1], lead)]
        [('schedule_call', 'refused: no consent or other lawful basis for service messages by phone')]
        """  # noqa: E501 - the doctest's output is one line
        return self._withheld(change, lead)

    def transfer(
        self,
        lead: Lead,
        to_pipeline: Pipeline,
        status: str | None = None,
        *,
        at: datetime,
        by: str | None = None,
        note: str | None = None,
    ) -> Lead:
        """Move a lead from here into an open status of ``to_pipeline`` (requests → deals).

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at, requests = datetime(2026, 3, 2, tzinfo=timezone.utc), lm.pipelines.KEYCRM_REQUESTS
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> lead = requests.enter(lead, at=at, by="anna")
        >>> deal = requests.transfer(lead, lm.pipelines.B2B_DEALS, at=at, by="anna")
        >>> deal.pipeline, deal.status, deal.history[-1].from_pipeline
        ('deals', 'qualification', 'requests')
        >>> requests.transfer(deal, lm.pipelines.B2B_DEALS, at=at, by="anna")
        Traceback (most recent call last):
        ...
        leadmodel.errors.TransitionError: pipeline 'requests': cannot move from 'qualification' to
        'qualification' (other_pipeline): the lead is not in pipeline 'requests'
        """
        return self._transfer(lead, to_pipeline, status, at=at, by=by, note=note)

    def replay(self, history: Collection[StatusChange]) -> str | None:
        """Rebuild the status from a history, checking every move of this pipeline in it.

        Returns the status the history ends in here (``None`` if it never entered this
        pipeline); raises :class:`TransitionError` at the first move the spec does not allow.

        >>> from datetime import datetime, timezone
        >>> import leadmodel as lm
        >>> at, requests = datetime(2026, 3, 2, tzinfo=timezone.utc), lm.pipelines.KEYCRM_REQUESTS
        >>> lead = lm.Lead(id=lm.LeadId("lead-1"), person_name="Олена Коваль", topic="Меблі",
        ...                contact_points=(lm.ContactPoint.email("olena@mebli.ua"),),
        ...                source=lm.Source(channel=lm.Channel.form), created_at=at)
        >>> lead = requests.enter(lead, at=at, by="anna")
        >>> lead = requests.move(lead, "in_work", at=at, by="anna")
        >>> requests.replay(lead.history), lm.pipelines.SIMPLE.replay(lead.history)
        ('in_work', None)
        >>> back = lm.StatusChange(pipeline="requests", from_status="in_work", to_status="new",
        ...                        at=at)
        >>> requests.replay((*lead.history, back))
        Traceback (most recent call last):
        ...
        leadmodel.errors.TransitionError: pipeline 'requests': cannot move from 'in_work' to 'new'
        (not_allowed): allowed from here: qualified, offer_sent, won, lost
        """
        return self._replay(history)
