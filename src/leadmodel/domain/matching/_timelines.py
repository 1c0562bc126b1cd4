"""Merging the timelines of duplicate leads: every activity kept, each contact once.

The activities of all the records, in time order (a stable sort: of one instant, the primary's
first, then in merge order). An activity equal to one taken from an earlier record (the same
contact logged on both duplicates) is kept once; one whose ``id`` an earlier record holds for
another activity cannot join the survivor (an id names one contact). Both are reported per
record in a :class:`~leadmodel.SetAside` of ``activities``, so nothing is lost. A timeline past
:data:`~leadmodel.MAX_ACTIVITIES` is refused whole, never cut. One pass and one sort:
O(n log n) for n activities in all.
"""

from __future__ import annotations

from operator import itemgetter

from leadmodel.domain.model.activities import MAX_ACTIVITIES, Activity
from leadmodel.domain.model.entities import Lead
from leadmodel.domain.model.merges import SetAside
from leadmodel.errors import Problem, ValidationError

Merged = tuple[tuple[Activity, ...], dict[str, str], list[SetAside]]


def merge_activities(records: tuple[Lead, ...]) -> Merged:
    """The survivor's timeline, its provenance (``activities[i]`` → record id) and what is
    set aside; :class:`ValidationError` when it would hold more than the cap."""
    taken: list[tuple[Activity, str]] = []
    seen: set[Activity] = set()
    ids: set[str] = set()
    aside: list[SetAside] = []
    for record in records:
        rid, held, apart = str(record.id), record.activities, []
        for activity in held:
            if activity in seen or (activity.id is not None and activity.id in ids):
                apart.append(activity)
            else:
                taken.append((activity, rid))
        seen.update(held)  # after the record: its own equal activities are its to keep
        ids.update(a.id for a in held if a.id is not None)
        if apart:
            aside.append(SetAside(source_id=rid, field="activities", value=tuple(apart)))
    if len(taken) > MAX_ACTIVITIES:
        problem = Problem("activities", _too_many(len(taken)))
        raise ValidationError([problem], model="merge")
    taken.sort(key=lambda pair: pair[0].at)
    provenance = {f"activities[{i}]": rid for i, (_, rid) in enumerate(taken)}
    return tuple(map(itemgetter(0), taken)), provenance, aside


def _too_many(count: int) -> str:
    return (
        f"the merged timeline would hold {count:,} activities; a lead holds at most"
        f" {MAX_ACTIVITIES:,} (MAX_ACTIVITIES), so nothing was merged: archive older contacts"
        " of the records in your own store, then merge again"
    )
