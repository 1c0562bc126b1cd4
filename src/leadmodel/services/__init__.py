"""Use cases in a unit of work; promote, convert, merge, assess share domain names on purpose.

The domain function (``leadmodel.promote``) returns values; the service of the same name
(``leadmodel.services.promote``) runs it in a unit of work, on records given by id. Likewise
``convert``, ``merge``, ``assess``, ``log_activity`` and ``respond``. The use cases: capture
(the front door: :func:`capture`, :func:`release`, :func:`quarantined`), promote, move,
assess, log activities and respond, convert, merge, erase, and consent (:func:`give_consent`,
:func:`confirm_opt_in`, :func:`withdraw_consent`, :func:`may_contact`).

Each service takes the unit of work (not yet in a ``with`` block) first, runs in one unit
(``with uow: ... uow.commit()``) and records its domain events in the unit, so the change and
its events are committed together or not at all: any exception inside leaves the store as it
was. ``clock`` (default: the current UTC time) gives the time of the change; ``ids`` (default:
:func:`~leadmodel.uuid7`) makes the ids of new records; ``by`` says who did it. The domain
work is done by the domain functions (:func:`~leadmodel.promote`, :meth:`Pipeline.move
<leadmodel.Pipeline.move>`, :func:`~leadmodel.convert`...); a service loads, calls, stores and
announces. An unknown id raises :class:`~leadmodel.errors.NotFoundError` naming the kind and id.

Every service that changes a stored entity takes ``expected_version``, the version the caller
read (``promote``: the interest's; ``move``, ``assess``, ``convert``: the lead's; ``merge``: the
survivor's). When the store holds another version the service raises
:class:`~leadmodel.errors.ConcurrencyError` (``kind``, ``id``, ``expected``, ``found``) and
changes nothing: a web handler's ``409 Conflict``. ``erase_person`` takes none: it works on
every record of a person, found by key and links, and an erasure request must not fail
because someone edited one of them.

>>> from datetime import datetime, timezone
>>> from leadmodel import Channel, ContactPoint, Source, pipelines, sequential_ids
>>> from leadmodel.storage import MemoryUnitOfWork
>>> uow = MemoryUnitOfWork()
>>> clock = lambda: datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> interest = capture_interest(uow, source=Source(channel=Channel.telegram),
...     topic="Office chairs", person_name="Olena Koval",
...     contact_points=[ContactPoint.email("olena@mebli.ua")],
...     clock=clock, ids=sequential_ids("int"))
>>> lead = promote(uow, interest.id, pipeline=pipelines.SIMPLE, by="anna",
...     clock=clock, ids=sequential_ids("lead"))
>>> lead.id, lead.status
('lead-1', 'new')
>>> with uow:
...     print(*(stored.event.type for stored in uow.outbox.pending()))
InterestCaptured LeadCreated StatusChanged
"""

from __future__ import annotations

from leadmodel.services._activities import log_activity, respond
from leadmodel.services._batch import Batch, batch
from leadmodel.services._capture import capture, quarantined, release
from leadmodel.services._clock import Clock
from leadmodel.services._consent import confirm_opt_in, give_consent, may_contact, withdraw_consent
from leadmodel.services._convert import convert
from leadmodel.services._edits import update_company, update_contact, update_customer, update_lead
from leadmodel.services._erase import erase_person
from leadmodel.services._export import EXPORT_COLUMNS, export_rows
from leadmodel.services._import import import_rows, imports, revert_import
from leadmodel.services._import_map import (
    IMPORT_TARGETS,
    ImportMap,
    ImportMode,
    ImportReport,
    RowError,
)
from leadmodel.services._intake import capture_interest, promote
from leadmodel.services._matches import Match, find_matches
from leadmodel.services._merge import merge
from leadmodel.services._progress import assess, move
from leadmodel.services._routing import assign, reassign
from leadmodel.services._sweep import URGENT, Sweep, sweep

__all__ = [
    "EXPORT_COLUMNS",
    "IMPORT_TARGETS",
    "URGENT",
    "Batch",
    "Clock",
    "ImportMap",
    "ImportMode",
    "ImportReport",
    "Match",
    "RowError",
    "Sweep",
    "assess",
    "assign",
    "batch",
    "capture",
    "capture_interest",
    "confirm_opt_in",
    "convert",
    "erase_person",
    "export_rows",
    "find_matches",
    "give_consent",
    "import_rows",
    "imports",
    "log_activity",
    "may_contact",
    "merge",
    "move",
    "promote",
    "quarantined",
    "reassign",
    "release",
    "respond",
    "revert_import",
    "sweep",
    "update_company",
    "update_contact",
    "update_customer",
    "update_lead",
    "withdraw_consent",
]
