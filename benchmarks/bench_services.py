"""Services: a day's work pushed through the services in batches, against the domain path.

The work (the trial's analyst scenario): 5,000 interests from six channels, each promoted
to a lead in the KeyCRM request pipeline with an owner and a value, walked through its
statuses (new → in work → qualified → offer sent → won, or lost with a reason on the way),
and the won ones converted into customers. The same seeded walk for every contender.

Contenders, all on SQLite (a fresh file each, WAL, the adapter's settings), interleaved in a
rotating order inside every repeat:

* **domain** — the domain functions (:func:`leadmodel.promote`, :meth:`Pipeline.move`,
  :func:`leadmodel.convert`) in memory, then ``add_many`` of interests, leads, contacts and
  customers, one unit per 1,000 interests. No events: what the trial measured (1.1 s).
* **domain+events** — the same, plus the domain events the services would emit, written to
  the outbox in the same units. Diagnostic: the services write events, so this is the
  equal-work baseline.
* **services batch** — ``services.capture_interest``, ``promote``, ``move``, ``convert``
  inside ``services.batch(uow)``, one batch per 1,000 interests. Target: time ≤ 2× domain.
* **services unit per step** — the same calls, each in its own unit (what the trial ran:
  15.8 s, ≈14×). Diagnostic, run on a fifth of the interests and scaled up (it takes long).

Before timing, the script checks that every contender stores the same leads (status,
history, loss, conversion) and the same number of customers (exit 1 if not). A missed
target is a result (``TARGET MISSED``, exit 0).

Run from the repository root: ``python benchmarks/bench_services.py`` (``--interests 1000
--repeats 1`` for a quick look).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import leadmodel as lm
from leadmodel.storage import SQLiteUnitOfWork

TARGET = 2.0  # services batch time / domain time, at most
PER_UNIT = 1_000
PIPELINE = lm.pipelines.KEYCRM_REQUESTS
WALK = ("in_work", "qualified", "offer_sent", "won")
REASONS = ("no_budget", "not_target", "competitor", "no_answer")
CHANNELS = (
    lm.Channel.form,
    lm.Channel.telegram,
    lm.Channel.instagram_dm,
    lm.Channel.phone_call,
    lm.Channel.email,
    lm.Channel.live_chat,
)
OWNERS = ("anna", "ivan", "olha", "petro", "sofia", "taras")
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Plan:
    """One interest's fate, drawn once and replayed by every contender."""

    n: int
    at: datetime
    channel: lm.Channel
    owner: str
    value: int
    steps: tuple[str, ...]  # statuses after "new"; may end in "lost"
    reason: str | None


def plans(count: int, seed: int) -> list[Plan]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        reach = rng.choice((0, 1, 1, 2, 2, 3, 4, 4))
        steps = WALK[:reach]
        reason = None
        if steps[-1:] != ("won",) and rng.random() < 0.7:
            steps += ("lost",)
            reason = rng.choice(REASONS)
        out.append(
            Plan(
                n=n,
                at=START + timedelta(minutes=13 * n),
                channel=rng.choice(CHANNELS),
                owner=rng.choice(OWNERS),
                value=rng.randrange(1_000, 90_000, 100),
                steps=steps,
                reason=reason,
            )
        )
    return out


def ids(prefix: str) -> Callable[[], str]:
    return lm.sequential_ids(prefix)


def chunks(items: list[Plan]) -> Iterator[list[Plan]]:
    for start in range(0, len(items), PER_UNIT):
        yield items[start : start + PER_UNIT]


def contact_points(plan: Plan) -> list[lm.ContactPoint]:
    return [lm.ContactPoint.email(f"buyer{plan.n}@shop{plan.n % 97}.ua")]


def interest_of(plan: Plan, make_id: Callable[[], str]) -> lm.Interest:
    return lm.Interest(
        id=make_id(),
        occurred_at=plan.at,
        source=lm.Source(channel=plan.channel),
        topic="Office chairs",
        person_name=f"Buyer {plan.n}",
        contact_points=tuple(contact_points(plan)),
    )


def step_time(plan: Plan, k: int) -> datetime:
    return plan.at + timedelta(hours=3 * (k + 1))


# --------------------------------------------------------------------------- contenders
def run_domain(path: Path, work: list[Plan], *, events: bool) -> None:
    make_id = ids("id")
    uow = SQLiteUnitOfWork(path)
    try:
        for part in chunks(work):
            interests, leads, contacts, customers = [], [], [], []
            emitted: list[lm.DomainEvent] = []
            for plan in part:
                interest = interest_of(plan, make_id)
                if events:
                    emitted.append(lm.InterestCaptured.of(interest))
                lead = lm.promote(interest, at=plan.at, owner=plan.owner, ids=make_id)
                lead, interest = lm.attach_interest(lead, interest)
                lead = lm.edit(lead, expected_value=lm.Money.of(plan.value, "UAH"))
                lead = PIPELINE.enter(lead, at=plan.at, by=plan.owner)
                if events:
                    emitted.append(lm.LeadCreated.of(lead, by=plan.owner))
                    emitted.append(lm.StatusChanged.of(PIPELINE, lead, lead.history[-1]))
                for k, status in enumerate(plan.steps):
                    reason = plan.reason if status == "lost" else None
                    lead = PIPELINE.move(lead, status, at=step_time(plan, k), reason=reason)
                    if events:
                        emitted.append(lm.StatusChanged.of(PIPELINE, lead, lead.history[-1]))
                if plan.steps[-1:] == ("won",):
                    done = lm.convert(lead, at=step_time(plan, len(plan.steps)), ids=make_id)
                    assert done.lead is not None
                    lead = done.lead
                    if done.contact is not None:
                        contacts.append(done.contact)
                    customers.append(done.customer)
                    if events:
                        emitted.append(lm.LeadConverted.of(done))
                interests.append(interest)
                leads.append(lead)
            with uow:
                uow.interests.add_many(interests)
                uow.leads.add_many(leads)
                uow.contacts.add_many(contacts)
                uow.customers.add_many(customers)
                for event in emitted:
                    uow.emit(event)
                uow.commit()
    finally:
        uow.close()


def _walk(unit: lm.UnitOfWork, plan: Plan, make_id: Callable[[], str]) -> None:
    s = lm.services
    interest = s.capture_interest(
        unit,
        source=lm.Source(channel=plan.channel),
        topic="Office chairs",
        person_name=f"Buyer {plan.n}",
        contact_points=contact_points(plan),
        at=plan.at,
        ids=make_id,
    )
    lead = s.promote(
        unit,
        interest.id,
        pipeline=PIPELINE,
        owner=plan.owner,
        expected_value=lm.Money.of(plan.value, "UAH"),
        by=plan.owner,
        at=plan.at,
        ids=make_id,
    )
    for k, status in enumerate(plan.steps):
        reason = plan.reason if status == "lost" else None
        s.move(unit, lead.id, PIPELINE, status, reason=reason, at=step_time(plan, k))
    if plan.steps[-1:] == ("won",):
        s.convert(unit, lead.id, at=step_time(plan, len(plan.steps)), ids=make_id)


def run_batch(path: Path, work: list[Plan]) -> None:
    make_id = ids("id")
    uow = SQLiteUnitOfWork(path)
    try:
        for part in chunks(work):
            with lm.services.batch(uow) as unit:
                for plan in part:
                    _walk(unit, plan, make_id)
    finally:
        uow.close()


def run_per_step(path: Path, work: list[Plan]) -> None:
    make_id = ids("id")
    uow = SQLiteUnitOfWork(path)
    try:
        for plan in work:
            _walk(uow, plan, make_id)
    finally:
        uow.close()


# --------------------------------------------------------------------------- checks
def summary(path: Path) -> list[tuple[object, ...]]:
    uow = SQLiteUnitOfWork(path)
    try:
        with uow:
            leads = [
                (
                    lead.status,
                    lead.owner,
                    lead.expected_value,
                    tuple((h.from_status, h.to_status, h.at) for h in lead.history),
                    lead.lost.reason if lead.lost else None,
                    lead.converted is not None,
                )
                for lead in uow.leads.iter_all()
            ]
            return [*leads, ("customers", uow.customers.count())]
    finally:
        uow.close()


def check(folder: Path, work: list[Plan]) -> list[str]:
    runs: dict[str, Callable[[Path], None]] = {
        "domain": lambda p: run_domain(p, work, events=False),
        "services batch": lambda p: run_batch(p, work),
        "services unit per step": lambda p: run_per_step(p, work),
    }
    seen = {}
    for name, run in runs.items():
        path = folder / f"check-{name.replace(' ', '-')}.sqlite"
        run(path)
        seen[name] = summary(path)
    first = seen["domain"]
    return [f"{name} stores other leads than domain" for name, got in seen.items() if got != first]


# --------------------------------------------------------------------------- timing
def timed(run: Callable[[], object]) -> tuple[float, float]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interests", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work = plans(args.interests, args.seed)
    slow = work[: max(1, len(work) // 5)]
    folder = Path(tempfile.mkdtemp(prefix="bench-services-"))
    try:
        problems = check(folder, work[: min(len(work), 600)])
        if problems:
            print("CHECK FAILED:", *problems, sep="\n  ")
            return 1
        contenders: dict[str, Callable[[Path], None]] = {
            "domain": lambda p: run_domain(p, work, events=False),
            "domain+events": lambda p: run_domain(p, work, events=True),
            "services batch": lambda p: run_batch(p, work),
            "services unit per step": lambda p: run_per_step(p, slow),
        }
        scale = {"services unit per step": len(work) / len(slow)}
        names = list(contenders)
        walls: dict[str, list[float]] = {name: [] for name in names}
        cpus: dict[str, list[float]] = {name: [] for name in names}
        for r in range(args.repeats):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                path = folder / f"r{r}-{name.replace(' ', '-').replace('+', '-')}.sqlite"
                wall, cpu = timed(lambda: contenders[name](path))  # noqa: B023
                walls[name].append(wall * scale.get(name, 1.0))
                cpus[name].append(cpu * scale.get(name, 1.0))
            print(f"  repeat {r + 1}/{args.repeats} done, load average {os.getloadavg()[0]:.2f}")
        print(f"\n{len(work):,} interests through {PIPELINE.key!r}, SQLite, {args.repeats} repeats")
        print(f"{'contender':<26}{'min s':>8}{'median s':>10}{'cpu':>6}{'× domain':>10}")
        base = min(walls["domain"])
        for name in names:
            lo, mid = min(walls[name]), statistics.median(walls[name])
            share = sum(cpus[name]) / sum(walls[name])
            print(f"{name:<26}{lo:8.2f}{mid:10.2f}{share:6.0%}{lo / base:10.2f}")
        ratio = min(walls["services batch"]) / base
        verdict = "met" if ratio <= TARGET else "TARGET MISSED"
        print(f"\nservices batch / domain = {ratio:.2f} (target ≤ {TARGET}): {verdict}")
        per_step = min(walls["services unit per step"]) / base
        print(f"services unit per step / domain = {per_step:.2f} (scaled from {len(slow):,})")
        return 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
