"""Peer state machines for ``bench_pipeline.py``: a leadmodel pipeline as ``transitions`` and
``python-statemachine`` machines, plus the mutable record both peers bind to.

Both peers are built from what the leadmodel pipeline allows, asked through its public API
(:meth:`leadmodel.Pipeline.allowed` on a lead placed in each status), so they have the same
statuses and exactly the same allowed moves. Each move is an event named ``to_<status>``
whose sources are the statuses leadmodel allows that move from; a status with no way out
(won) is a final state. Every move records the same history entry leadmodel records —
pipeline, from, to, at, by — as a tuple appended to the record's history list, in the
library's own after-transition hook:

* ``transitions``: ``after_state_change`` with ``send_event=True`` (the callback reads the
  transition's source and destination and the trigger's ``at``/``by`` keyword arguments);
* ``python-statemachine``: an ``after_transition`` method, whose ``source``, ``target``,
  ``at`` and ``by`` parameters the library injects.

Neither peer checks lost reasons, requirements or that time does not go backwards: leadmodel
does, so the peers do strictly less work per move than leadmodel (the timed path never goes
to lost and has no requirements, so no check is skipped that the path would trip).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
from statemachine import State, StateMachine
from transitions import EventData, Machine

import leadmodel as lm

__all__ = [
    "Card",
    "Entry",
    "TransitionsSetup",
    "allowed_moves",
    "event_name",
    "statemachine_class",
]

Entry = tuple[str, str | None, str, datetime, str | None]
"""A history entry on a peer's record: pipeline, from status, to status, at, by."""

_PLACED_AT = datetime(2000, 1, 1, tzinfo=UTC)


def event_name(status: str) -> str:
    """The peers' event (trigger) that moves a record to ``status``."""
    return f"to_{status}"


def allowed_moves(pipeline: lm.Pipeline, lead: lm.Lead) -> dict[str, tuple[str, ...]]:
    """Each status's allowed targets, asked of ``pipeline.allowed`` with ``lead`` placed there."""
    out = {}
    for status in pipeline.statuses:
        placed = attrs.evolve(
            lead,
            pipeline=pipeline.key,
            status=status.key,
            history=(
                lm.StatusChange(
                    pipeline=pipeline.key, from_status=None, to_status=status.key, at=_PLACED_AT
                ),
            ),
        )
        out[status.key] = pipeline.allowed(placed)
    return out


def _sources(moves: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """The allowed sources of each target status (targets without any are left out)."""
    sources: dict[str, list[str]] = {}
    for source, targets in moves.items():
        for target in targets:
            sources.setdefault(target, []).append(source)
    return {t: sources[t] for t in moves if t in sources}


class Card:
    """The mutable record the peers bind to: the lead's id, its status and its history.

    Not slotted: ``transitions`` sets its trigger methods on the model instance.
    """

    def __init__(self, lead_id: str, state: str, history: list[Entry]) -> None:
        self.id = lead_id
        self.state = state
        self.history = history

    @classmethod
    def of(cls, lead: lm.Lead) -> Card:
        """The card of an entered lead, with the lead's history as entries."""
        assert lead.status is not None
        history = [(c.pipeline, c.from_status, c.to_status, c.at, c.by) for c in lead.history]
        return cls(lead.id, lead.status, history)

    def fresh(self) -> Card:
        """A new model object over the same data, as a storage layer hands out per request."""
        return Card(self.id, self.state, self.history)


# --------------------------------------------------------------------------- transitions


class TransitionsSetup:
    """What a ``transitions`` Machine is built from, prepared once: states, triggers, callback.

    :meth:`bind` then costs only the library's own work of building and binding a Machine.
    """

    def __init__(self, pipeline_key: str, moves: Mapping[str, tuple[str, ...]]) -> None:
        self.states = list(moves)
        self.transitions = [
            {"trigger": event_name(target), "source": sources, "dest": target}
            for target, sources in _sources(moves).items()
        ]

        def record(event: EventData) -> None:
            kwargs = event.kwargs
            event.model.history.append(
                (
                    pipeline_key,
                    event.transition.source,
                    event.transition.dest,
                    kwargs["at"],
                    kwargs["by"],
                )
            )

        self.record = record

    def bind(self, model: Any, initial: str) -> Machine:
        """A Machine bound to ``model`` (a list of models, or ``None`` for none yet)."""
        return Machine(
            model=model,
            states=self.states,
            transitions=self.transitions,
            initial=initial,
            auto_transitions=False,
            send_event=True,
            after_state_change=self.record,
        )


# --------------------------------------------------------------------------- python-statemachine


def statemachine_class(
    pipeline_key: str, moves: Mapping[str, tuple[str, ...]], first: str
) -> type[StateMachine]:
    """A ``python-statemachine`` class with the pipeline's statuses and moves.

    Instantiate it per record, ``cls(model=card)``: the state lives in ``card.state``.
    """
    states = {
        key: State(key, value=key, initial=key == first, final=not targets)
        for key, targets in moves.items()
    }
    namespace: dict[str, Any] = dict(states)
    for target, sources in _sources(moves).items():
        event = states[sources[0]].to(states[target])
        for source in sources[1:]:
            event = event | states[source].to(states[target])
        namespace[event_name(target)] = event

    def after_transition(
        self: StateMachine, source: State, target: State, at: datetime, by: str | None
    ) -> None:
        self.model.history.append((pipeline_key, source.value, target.value, at, by))

    namespace["after_transition"] = after_transition
    return type("PipelineMachine", (StateMachine,), namespace)
