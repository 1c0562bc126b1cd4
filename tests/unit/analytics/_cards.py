"""Cards for the analytics tests: a small pipeline and a Hypothesis strategy of leads with
random paths through it, outcomes, owners, sources, money and first responses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

import leadmodel as lm

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PIPE = lm.Pipeline.from_dict(
    {
        "key": "deals",
        "statuses": [
            {"key": "new"},
            {"key": "in_work"},
            {"key": "offer"},
            {"key": "won", "kind": "won"},
            {"key": "lost", "kind": "lost", "lost_reasons": ["price", "silence", "rival"]},
        ],
    }
)
OPEN = ("new", "in_work", "offer")
OWNERS = ("anna", "ivan", None)
SOURCES = (
    lm.Source(
        channel=lm.Channel.form, name="google", campaign="spring", cost=lm.Money.of("40", "UAH")
    ),
    lm.Source(channel=lm.Channel.telegram, name="telegram"),
    lm.Source(channel=lm.Channel.event, name="expo", campaign="expo-2026"),
)


def card(
    n: int,
    *,
    created: int = 0,
    steps: tuple[int, ...] = (),
    end: str | None = None,
    reason: str = "price",
    owner: str | None = "anna",
    source: lm.Source = SOURCES[0],
    value: lm.Money | None = None,
    answered: int | None = None,
) -> lm.Lead:
    """Lead ``L-n`` created ``created`` hours after AT in ``new``, moved a day apart through
    the open statuses ``steps`` (indexes into OPEN, increasing), then to ``end`` (won, lost or
    None: still open); answered ``answered`` minutes after creation."""
    start = AT + timedelta(hours=created)
    lead = lm.Lead(
        id=lm.LeadId(f"L-{n:04d}"),
        person_name="P",
        topic="Chairs",
        contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")],
        source=source,
        created_at=start,
        owner=owner,
        expected_value=value,
    )
    lead = PIPE.enter(lead, at=start)
    if answered is not None:
        lead = lm.respond(lead, at=start + timedelta(minutes=answered), by=owner)
    day = 0
    for index in steps:
        day += 1
        lead = PIPE.move(lead, OPEN[index], at=start + timedelta(days=day))
    if end is not None:
        day += 1
        lead = PIPE.move(
            lead, end, at=start + timedelta(days=day), reason=reason if end == "lost" else None
        )
    return lead


@st.composite
def cards(draw: Any, max_size: int = 30) -> list[lm.Lead]:
    """Random cards of PIPE."""
    count = draw(st.integers(1, max_size))
    made = []
    for n in range(count):
        steps = tuple(sorted(draw(st.sets(st.integers(1, 2), max_size=2))))
        value = draw(
            st.one_of(
                st.none(),
                st.builds(
                    lm.Money.of,
                    st.integers(0, 5000).map(str),
                    st.sampled_from(("UAH", "USD")),
                ),
            )
        )
        made.append(
            card(
                n,
                created=draw(st.integers(0, 24 * 60)),
                steps=steps,
                end=draw(st.sampled_from((None, "won", "lost"))),
                reason=draw(st.sampled_from(("price", "silence", "rival"))),
                owner=draw(st.sampled_from(OWNERS)),
                source=draw(st.sampled_from(SOURCES)),
                value=value,
                answered=draw(st.one_of(st.none(), st.integers(0, 3000))),
            )
        )
    return made
