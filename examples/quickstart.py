"""The quickstart: a form submission through the front door to a won customer, on SQLite.

python examples/quickstart.py          (needs only the core install: pip install leadmodel)
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import leadmodel as lm


def main() -> None:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        uow = lm.SQLiteUnitOfWork(Path(folder) / "leads.sqlite")
        door = lm.KnownPersonPolicy(pipeline="requests")  # the KeyCRM-style preset

        def submit(when: datetime) -> lm.CaptureResult:  # a web form, as the host receives it
            return lm.services.capture(
                uow,
                source=lm.Source(channel=lm.Channel.form, campaign="spring"),
                topic="Office chairs",
                person_name="Олена Коваль",
                contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
                known=door,
                at=when,
            )

        first, again = submit(at), submit(at + timedelta(seconds=2))
        print(f"captured: {first.decision.value} -> lead {first.lead and first.lead.status!r}")
        print(f"submitted twice: {again.decision.value} (one interest, nothing emitted)")
        assert first.lead is not None
        lead_id, when = first.lead.id, at
        for status in ("in_work", "qualified", "offer_sent"):
            when += timedelta(hours=4)
            if status == "qualified":
                lm.services.update_lead(uow, lead_id, owner="anna",
                                        expected_value=lm.Money.of("45000", "UAH"))  # fmt: skip
            lm.services.move(uow, lead_id, "requests", status, by="anna", at=when)
        done = lm.services.convert(
            uow, lead_id, pipeline="requests", by="anna", at=when + timedelta(days=1)
        )  # the customer, and the card in the pipeline's won status
        assert done.lead is not None
        print(f"converted: lead {done.lead.status!r}, customer {done.customer.kind.value}")
        with uow:
            kinds = sorted({stored.event.type for stored in uow.outbox.pending(limit=100)})
        print("events:", ", ".join(kinds))
        uow.close()


if __name__ == "__main__":
    main()
