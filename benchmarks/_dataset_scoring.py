"""Simulated won and lost leads for measuring predictive scoring, deterministic (seeded).

Each lead has seven fields: the channel it came through, its owner, its time zone, whether it
is tagged ``vip``, the ``segment`` custom field, whether it speaks for a company, and its
expected value in UAH (binned at :data:`EDGES`). Every value of every field pushes the odds of
winning up or down by a fixed, seeded amount, and the outcome is drawn from those odds — the
naive Bayes assumption holds only roughly (the effects add on the log-odds scale), as in real
funnels. How many leads are won depends on the world's seed (about a quarter for world 0); some
values are missing (``None``).

* :func:`make_rows` gives the raw values per field (strings, booleans, floats, ``None``) and
  the labels — what ``PredictiveScorer.fit_columns`` takes, fast enough for a million rows;
* :func:`make_leads` gives the same rows as converted or lost :class:`leadmodel.Lead` objects;
* :func:`fields` are the scorer's fields that read those leads, named as the columns are.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import leadmodel as lm
from leadmodel.domain.scoring import Binned, Categorical, Field

EDGES = (1000.0, 5000.0, 20000.0, 100000.0)
CURRENCY = "UAH"
AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)

_CHANNELS = [
    "form",
    "landing",
    "phone_call",
    "email",
    "instagram_dm",
    "instagram_comment",
    "telegram",
    "viber",
    "live_chat",
    "event",
    "referral",
    "marketplace",
]
# value -> how often it occurs (weights for random.choices)
CHOICES: dict[str, dict[object, float]] = {
    "channel": dict(zip(_CHANNELS, (20, 12, 10, 6, 15, 5, 8, 4, 6, 3, 5, 6), strict=True)),
    "owner": {f"owner-{i:02d}": 1.0 + (i % 5) for i in range(1, 21)},
    "time_zone": {
        "Europe/Kyiv": 60,
        "Europe/Warsaw": 12,
        "Europe/Berlin": 8,
        "America/New_York": 5,
        None: 15,
    },
    "tag:vip": {True: 15, False: 85},
    "custom.segment": {"retail": 40, "wholesale": 15, "horeca": 10, "online": 20, None: 15},
    "has_company": {True: 35, False: 65},
}
NAMES = (*CHOICES, "expected_value")
_MISSING_VALUE = 0.2  # share of leads without an expected value
_BASE = -1.2  # log odds of winning before the fields' effects


@dataclass(frozen=True)
class Rows:
    """Raw values per field name and the labels (True won, False lost)."""

    columns: dict[str, list[object]]
    won: list[bool]


def _effects(rng: random.Random) -> dict[str, dict[object, float]]:
    """A fixed push on the log odds per value of each field (and per expected-value bin)."""
    effects = {name: {v: rng.gauss(0.0, 0.6) for v in values} for name, values in CHOICES.items()}
    effects["expected_value"] = {b: rng.gauss(0.0, 0.5) for b in (*range(len(EDGES) + 1), None)}
    return effects


def _bin(amount: float | None) -> int | None:
    return None if amount is None else sum(amount >= edge for edge in EDGES)


def make_rows(n: int, *, seed: int, world: int = 0) -> Rows:
    """``n`` simulated won and lost leads as raw values per field (see the module's doc).

    ``world`` seeds how much each value pushes the odds: rows drawn with other ``seed`` s
    from the same world are a held-out sample of the same market.
    """
    rng = random.Random(seed)
    effects = _effects(random.Random(f"world {world}"))
    columns: dict[str, list[object]] = {
        name: rng.choices(list(values), weights=list(values.values()), k=n)
        for name, values in CHOICES.items()
    }
    amounts: list[object] = [
        None if rng.random() < _MISSING_VALUE else round(rng.lognormvariate(8.5, 1.4), 2)
        for _ in range(n)
    ]
    columns["expected_value"] = amounts
    odds = [_BASE] * n
    for name, column in columns.items():
        push = effects[name]
        values = [_bin(a) for a in amounts] if name == "expected_value" else column  # type: ignore[arg-type]
        odds = [z + push[v] for z, v in zip(odds, values, strict=True)]
    won = [rng.random() < 1.0 / (1.0 + math.exp(-z)) for z in odds]
    return Rows(columns=columns, won=won)


def make_leads(n: int, *, seed: int, world: int = 0) -> list[lm.Lead]:
    """The rows of :func:`make_rows` as Leads, each converted (won) or lost."""
    rows = make_rows(n, seed=seed, world=world)
    c = rows.columns
    leads = []
    for i, won in enumerate(rows.won):
        amount = c["expected_value"][i]
        outcome: dict[str, object] = (
            {"converted": lm.ConversionLinks(customer_id=lm.CustomerId(f"cust-{i}"), at=AT)}
            if won
            else {"lost": lm.LossInfo(status="lost", reason="no_budget", at=AT)}
        )
        segment = c["custom.segment"][i]
        leads.append(
            lm.Lead(
                id=lm.LeadId(f"lead-{i}"),
                person_name="Олена Коваль",
                contact_points=(lm.ContactPoint.email(f"lead{i}@example.com"),),
                topic="Офісні меблі",
                source=lm.Source(channel=lm.Channel(str(c["channel"][i]))),
                created_at=AT,
                owner=c["owner"][i],  # type: ignore[arg-type]
                time_zone=c["time_zone"][i],  # type: ignore[arg-type]
                tags=frozenset({"vip"}) if c["tag:vip"][i] else frozenset(),
                custom={"segment": segment} if segment is not None else {},  # type: ignore[dict-item]
                company_name="ТОВ Меблі" if c["has_company"][i] else None,
                expected_value=None
                if amount is None
                else lm.Money(amount=Decimal(repr(amount)), currency=CURRENCY),
                **outcome,  # type: ignore[arg-type]
            )
        )
    return leads


def fields() -> tuple[Field, ...]:
    """The scorer's fields for these leads, named as the columns of :func:`make_rows`."""
    return (
        Categorical.channel(),
        Categorical.owner(),
        Categorical.time_zone(),
        Categorical.tag("vip"),
        Categorical.custom("segment"),
        Categorical.has_company(),
        Binned.expected_value(EDGES, currency=CURRENCY),
    )
