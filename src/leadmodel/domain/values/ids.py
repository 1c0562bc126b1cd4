"""Entity ids and id factories.

Ids are plain strings with a distinct static type per entity. Code that creates entities
takes an :data:`IdFactory` (a zero-argument callable returning a new id string), so tests
and replays can inject deterministic ids; the default is :func:`uuid7`.

>>> ids = sequential_ids("lead")
>>> LeadId(ids()), LeadId(ids())
('lead-1', 'lead-2')
>>> len(uuid7()), uuid7()[14]
(36, '7')
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from itertools import count
from typing import NewType

__all__ = [
    "CompanyId",
    "ContactId",
    "CustomerId",
    "IdFactory",
    "InterestId",
    "LeadId",
    "sequential_ids",
    "uuid7",
]

InterestId = NewType("InterestId", str)
LeadId = NewType("LeadId", str)
ContactId = NewType("ContactId", str)
CompanyId = NewType("CompanyId", str)
CustomerId = NewType("CustomerId", str)

IdFactory = Callable[[], str]
"""A zero-argument callable that returns a new, unique id string."""


def uuid7() -> str:
    """Return a new time-ordered UUID version 7 (RFC 9562) as a lower-case string.

    The first 48 bits are the Unix time in milliseconds, so ids sort by creation time
    (ids made within the same millisecond are ordered randomly). This is the default id
    factory; it reads the clock and the OS random source, so pass your own factory
    where determinism matters.

    >>> import leadmodel as lm
    >>> new_id = lm.uuid7()
    >>> len(new_id), new_id[14], new_id[19] in "89ab"  # 36 chars, version 7, RFC 9562 variant
    (36, '7', True)
    >>> new_id != lm.uuid7()
    True
    """
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    rand_a = rand >> 68  # 12 bits
    rand_b = rand & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def sequential_ids(prefix: str = "id", *, start: int = 1) -> IdFactory:
    """Return a deterministic id factory: ``prefix-1``, ``prefix-2``, ... (for tests and demos).

    >>> import leadmodel as lm
    >>> new_lead_id = lm.sequential_ids("lead")
    >>> new_lead_id(), new_lead_id()
    ('lead-1', 'lead-2')
    >>> lm.sequential_ids("customer", start=10)()
    'customer-10'
    """
    counter = count(start)
    return lambda: f"{prefix}-{next(counter)}"
