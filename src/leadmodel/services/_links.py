"""Following a link between stored records: the record an id points to, if it is there."""

from __future__ import annotations

from leadmodel.errors import NotFoundError
from leadmodel.storage.protocols import EntityT, Repository


def linked(repository: Repository[EntityT], entity_id: str | None) -> EntityT | None:
    """The stored entity a link points to, or ``None`` when there is no link or no entity."""
    if entity_id is None:
        return None
    try:
        return repository.get(entity_id)
    except NotFoundError:
        return None
