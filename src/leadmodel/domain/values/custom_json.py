"""JSON values for custom fields: checked, deep-frozen and hashable.

Custom fields are ``Mapping[str, JSON]``. :func:`freeze` validates a plain JSON-like value
(``dict``/``list`` nesting of ``str``, ``int``, ``float``, ``bool`` and ``None``) and returns it
frozen: mappings become :class:`FrozenMap`, lists become tuples. :func:`thaw` goes back. One
custom value holds at most :data:`MAX_CUSTOM_NODES` values (objects, arrays and scalars). (The
containers live in ``leadmodel._kernel``, below the domain, because the converter that reads and
writes documents uses them too.)

>>> m = freeze({"utm": {"source": "instagram"}, "visits": [1, 2]})
>>> m["utm"]["source"], m["visits"]
('instagram', (1, 2))
>>> thaw(m)
{'utm': {'source': 'instagram'}, 'visits': [1, 2]}
"""

from __future__ import annotations

from leadmodel._kernel.frozen_json import (
    EMPTY,
    JSON,
    MAX_CUSTOM_NODES,
    MAX_JSON_DEPTH,
    MAX_JSON_INT,
    FrozenMap,
    freeze,
    thaw,
)

__all__ = [
    "EMPTY",
    "JSON",
    "MAX_CUSTOM_NODES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_INT",
    "FrozenMap",
    "freeze",
    "thaw",
]
