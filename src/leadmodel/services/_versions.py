"""Expected versions: load the entity a service changes and check it is the version the
caller read (optimistic concurrency across requests, the HTTP ``If-Match`` of a handler)."""

from __future__ import annotations

from leadmodel.errors import ConcurrencyError, Problem, ValidationError
from leadmodel.storage.protocols import KIND_OF, EntityT, Repository


def check_expected(expected_version: int | None) -> None:
    """Refuse an ``expected_version`` that is not a version (a whole number, 0 or more)."""
    if expected_version is None:
        return
    if type(expected_version) is not int or expected_version < 0:
        msg = "give the entity's version as read: a whole number, 0 or more (or None)"
        raise ValidationError(
            [Problem("expected_version", msg, expected_version)], model="services"
        )


def load_expected(
    repository: Repository[EntityT], entity_id: str, expected_version: int | None
) -> EntityT:
    """The stored entity ``entity_id``, checked to be at ``expected_version`` (when given).

    Raises :class:`~leadmodel.errors.NotFoundError` for an unknown id and
    :class:`~leadmodel.errors.ConcurrencyError` (``kind``, ``id``, ``expected``, ``found``)
    when the store holds another version: someone changed the entity since the caller read it.
    """
    check_expected(expected_version)
    entity = repository.get(entity_id)
    if expected_version is not None and entity.version != expected_version:
        kind = KIND_OF[type(entity)]
        raise ConcurrencyError(
            f"{kind} entry {entity_id!r} is at version {entity.version} in the store, but "
            f"version {expected_version} was expected: someone changed it since it was read "
            "— reload it, apply the change again and retry",
            kind=kind,
            id=entity_id,
            expected=expected_version,
            found=entity.version,
        )
    return entity
