"""Limits: the cost of big or bad input grows linearly and stays under its target.

Items 4-6 of the trust issue (review findings F1, F2, F3): loading a pipeline spec with many
statuses, keying and storing one record with many contact points, and rejecting a document with
many problems. Prints min-of-repeats wall time and tracemalloc peak per size, the growth
exponent between sizes (1 = linear, 2 = quadratic), and the targets. Before numbers are the
trial's (``/work/shared/reviews/trial-attacks.md``), quoted, since the old code ran for minutes.
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import leadmodel as lm
from leadmodel._kernel.copy import unchecked


def _time(fn: Callable[[], object], repeats: int = 3) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _peak(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _report(title: str, target: str, rows: list[tuple[int, float, float]]) -> None:
    print(f"\n{title}  (target: {target})")
    print(f"{'size':>10} {'time ms':>10} {'peak MB':>9} {'exponent':>9}")
    for i, (n, t, mb) in enumerate(rows):
        exp = ""
        if i:
            n0, t0, _ = rows[i - 1]
            exp = f"{math.log(t / t0) / math.log(n / n0):.2f}"
        print(f"{n:>10,} {t * 1000:>10.1f} {mb:>9.1f} {exp:>9}")


def _lead(points: tuple[lm.ContactPoint, ...], *, check: bool = True) -> lm.Lead:
    fields = {
        "id": lm.LeadId("lead-1"),
        "person_name": "Olena Koval",
        "contact_points": points[:1],
        "topic": "t",
        "source": lm.Source(channel=lm.Channel.form),
        "created_at": datetime(2026, 3, 1, tzinfo=UTC),
    }
    lead = lm.Lead(**fields)  # type: ignore[arg-type]
    if check and len(points) <= lm.MAX_CONTACT_POINTS:
        return lm.Lead(**{**fields, "contact_points": points})  # type: ignore[arg-type]
    # past the cap a Lead cannot be built: the keys are measured on an unchecked copy
    return _with_points(lead, points)


def _with_points(lead: lm.Lead, points: tuple[lm.ContactPoint, ...]) -> lm.Lead:
    values = {name: getattr(lead, name) for name in lead.__slots__ if name != "__weakref__"}
    values["contact_points"] = points
    return unchecked(lm.Lead)(**values)  # type: ignore[no-any-return]


def pipelines() -> None:
    rows = []
    for n in (1000, 3000, 10000):
        statuses = [{"key": f"s{i}"} for i in range(n - 2)]
        statuses += [{"key": "won", "kind": "won"}, {"key": "lost", "kind": "lost"}]
        statuses[-1]["lost_reasons"] = ["r"]  # type: ignore[assignment]
        doc = {"key": "big", "statuses": statuses}

        def load(doc: dict[str, object] = doc) -> object:
            return lm.Pipeline.from_dict(doc)

        rows.append((n, _time(load), _peak(load)))
    _report("pipeline spec load, forward_only", "10,000 statuses < 1 s and < 100 MB", rows)
    print("\nbefore (trial): 1,000: 1.1 s, 139 MB; 3,000: 14-18 s, 983 MB; 10,000: MemoryError")


def contact_points() -> None:
    rows, stored = [], []
    for k in (250, 1000, 2000, 8000):
        points = tuple(lm.ContactPoint.email(f"u{i}@corp{i}.example.com") for i in range(k))
        lead = _lead(points)
        rows.append((k, _time(lambda lead=lead: lm.match_keys(lead)), _peak(lambda: None)))
        if k <= lm.MAX_CONTACT_POINTS:

            def add(lead: lm.Lead = lead) -> None:
                with lm.SQLiteUnitOfWork(":memory:") as uow:
                    uow.leads.add(lead)
                    uow.commit()

            stored.append((k, _time(add), 0.0))
    _report("match_keys of one lead (past the cap: an unchecked copy)", "linear", rows)
    _report("SQLite add + commit of one lead", "linear; cap 1,000", stored)
    print("\nbefore (trial): match_keys 1,000: 0.35 s; 4,000: 2.4 s; 8,000: 9.9 s; 16,000: 94 s")


def problems() -> None:
    base = lm.to_dict(_lead((lm.ContactPoint.email("olena@example.com"),)))
    lm.from_dict(lm.Lead, base)
    rows = []
    for n in (1000, 10000, 128000):
        # interest ids have no cap: every item is tried until the problem budget stops it
        text = json.dumps({**base, "interest_ids": [{}] * n})

        def reject(text: str = text) -> None:
            try:
                lm.from_json(lm.Lead, text)
            except lm.ValidationError as exc:
                lines = len(str(exc).splitlines())
                if lines > lm.errors.MAX_SHOWN + 3:
                    raise SystemExit(f"message not capped: {lines} lines") from None

        rows.append((len(text), _time(reject), _peak(reject)))
    _report("rejecting a lead with n {} interest ids (size = bytes)", "< 50 ms under 1 MB", rows)
    print("\nbefore (trial): 8.6 KB 0.13 s; 64 KB 1.2-1.6 s; 256 KB (128,000 problems) 5.6 s")


def _outcome(load: Callable[[], object]) -> str:
    try:
        load()
    except lm.ValidationError as exc:
        return "rejected: " + str(exc).splitlines()[0][:70]
    return "accepted"


def _documents() -> list[tuple[str, type | None, object]]:
    """(name, class, document) of about 1 MB or less; ``None``: a ``Pipeline`` spec."""
    points = tuple(lm.ContactPoint.email(f"u{i}@corp{i}.example.com") for i in range(8000))
    emails = lm.to_dict(_lead(points))["contact_points"]  # past the cap: an unchecked copy
    lead = lm.to_dict(_lead(points[:1000]))
    phones = [{"kind": "phone", "value": f"+38050{i:07d}"} for i in range(1000)]
    base = {**lead, "contact_points": lead["contact_points"][:1]}
    wide = {f"k{i}": {"a": i, "b": "xxxxxxxx", "c": [1, 2, 3]} for i in range(18_000)}
    deep: object = 0
    for _ in range(8):  # 3 * 4**8 leaves, 10 levels
        deep = [deep] * 4
    deep = [deep] * 3
    chain: object = "x"
    for _ in range(40):  # deeper than MAX_JSON_DEPTH (32)
        chain = {"k": chain}
    bad = [f"c{i}" for i in range(2000)]
    statuses = [{"key": f"s{i}"} for i in range(50_000)]
    statuses += [{"key": "won", "kind": "won"}, {"key": "lost", "kind": "lost"}]
    statuses[-1]["lost_reasons"] = ["r"]
    criteria = [{"key": f"c{i}"} for i in range(50_000)]
    keys = [f"c{i}" for i in range(25_000)]
    some = criteria[: len(keys)]
    return [
        ("lead, 8,000 emails (over the cap)", lm.Lead, {**lead, "contact_points": emails}),
        ("lead, 1,000 emails (the cap)", lm.Lead, lead),
        ("lead, 1,000 phones", lm.Lead, {**base, "contact_points": phones}),
        ("lead, custom wide (18k objects)", lm.Lead, {**base, "custom": wide}),
        ("lead, custom deep (4-wide, 10 levels)", lm.Lead, {**base, "custom": {"d": deep}}),
        ("lead, custom 2,000 x too deep", lm.Lead, {**base, "custom": dict.fromkeys(bad, chain)}),
        ("lead, 60,000 tags", lm.Lead, {**base, "tags": [f"tag{i}" for i in range(60_000)]}),
        ("pipeline spec, 50k statuses", None, {"key": "big", "statuses": statuses}),
        ("framework, 50k criteria (all)", lm.Framework, {"key": "F", "criteria": criteria}),
        ("framework, 25k criteria, at_least, 25k mandatory", lm.Framework,
         {"key": "F", "rule": "at_least", "k": 2, "mandatory": keys, "criteria": some}),
        ("framework, 25k criteria, weighted", lm.Framework,
         {"key": "F", "rule": "weighted", "threshold": 1, "weights": dict.fromkeys(keys, 1),
          "criteria": some}),
    ]  # fmt: skip


def documents() -> None:
    """Any document under 1 MB, from JSON text and from parsed data: < 50 ms either way."""
    print("\naccepting or rejecting one document  (target: < 50 ms under 1 MB; min of 5)")
    print(f"{'document':<50} {'KB':>6} {'from_json':>10} {'from_dict':>10} {'parse':>7}  outcome")
    for name, cls, doc in _documents():
        text = json.dumps(doc)

        def from_text(cls: type | None = cls, text: str = text) -> object:
            if cls is None:
                return lm.Pipeline.from_dict(json.loads(text))
            return lm.from_json(cls, text)

        def from_data(cls: type | None = cls, doc: object = doc) -> object:
            if cls is None:
                return lm.Pipeline.from_dict(doc)  # type: ignore[arg-type]
            return lm.from_dict(cls, doc)  # type: ignore[arg-type]

        def quiet(load: Callable[[], object]) -> Callable[[], None]:
            def run() -> None:
                with contextlib.suppress(lm.ValidationError):
                    load()

            return run

        took = _time(quiet(from_text), 5) * 1000
        took_dict = _time(quiet(from_data), 5) * 1000
        parse = _time(lambda text=text: json.loads(text), 5) * 1000  # type: ignore[misc]
        print(
            f"{name:<50} {len(text) // 1024:>6} {took:>10.1f} {took_dict:>10.1f} {parse:>7.1f}"
            f"  {_outcome(from_text)}"
        )
    print("\nbefore: 8,000 emails (826 KB) rejected in 120-220 ms (every email read twice)")


if __name__ == "__main__":
    if sys.argv[1:] == ["documents"]:
        documents()
        raise SystemExit
    pipelines()
    contact_points()
    problems()
    documents()
