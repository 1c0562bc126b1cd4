"""Run a request through the KeyCRM-style pipeline and print its card history.

python examples/pipeline_quickstart.py
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import leadmodel as lm
from leadmodel import pipelines


def main() -> None:
    requests = pipelines.KEYCRM_REQUESTS
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    lead = lm.Lead(
        id=lm.LeadId("lead-1"),
        person_name="Олена Коваль",
        contact_points=(lm.ContactPoint.phone("+380 50 123 4567"),),
        topic="Офісні меблі",
        source=lm.Source(channel=lm.Channel.instagram_dm),
        created_at=start,
        # her own request lets us answer it (services.capture records this at the door)
        consents=[
            lm.Consent(person="lead-1", purpose="service", basis="contract", source="DM", at=start)
        ],
    )
    lead = requests.enter(lead, at=start, by="anna")
    for hours, status in enumerate(["in_work", "qualified", "offer_sent"], start=1):
        lead = requests.move(lead, status, at=start + timedelta(hours=hours), by="anna")
        for action in requests.actions(lead.history[-1], lead):
            print(f"  follow-up for the host app: {action.action} {dict(action.params)}")
    try:
        requests.move(lead, "lost", at=start + timedelta(days=2), by="anna")
    except lm.TransitionError as exc:
        print(f"  refused ({exc.why}): a lost card needs a reason")
    lead = requests.move(lead, "lost", at=start + timedelta(days=2), by="anna", reason="no_budget")
    for change in lead.history:
        print(f"{change.at:%Y-%m-%d %H:%M}  {change.from_status or '—':>10} → {change.to_status}")
    assert requests.replay(lead.history) == lead.status == "lost"


if __name__ == "__main__":
    main()
