"""The frameworks the seeds name: BANT, GPCT, GPCT/BA/C&I, CHAMP, ANUM, MEDDIC, MEDDPICC, FAINT.

>>> [k.key for k in BANT.criteria]
['budget', 'authority', 'need', 'timeline']
"""

from __future__ import annotations

from leadmodel.domain.qualification.criteria import AllOf, Criterion, Rule
from leadmodel.domain.qualification.framework import Framework

__all__ = ["ANUM", "BANT", "CHAMP", "FAINT", "GPCT", "GPCT_BA_CI", "MEDDIC", "MEDDPICC"]


def _framework(key: str, label: str, criteria: str, rule: Rule | None = None) -> Framework:
    items = tuple(
        Criterion(key=k.strip(), label=k.strip().replace("_", " ").capitalize())
        for k in criteria.split(",")
    )
    return Framework(key=key, label=label, criteria=items, rule=rule or AllOf())


BANT = _framework("BANT", "BANT", "budget, authority, need, timeline")
"""Budget, Authority, Need, Timeline (seed 002: the money is there, a purchase is in sight...)."""
GPCT = _framework("GPCT", "GPCT", "goals, plans, challenges, timeline")
"""Goals, Plans, Challenges, Timeline."""
GPCT_BA_CI = _framework(
    "GPCT_BA_CI",
    "GPCT/BA/C&I",
    "goals, plans, challenges, timeline, budget, authority, negative_consequences, "
    "positive_implications",
)
"""GPCT plus Budget, Authority, Negative Consequences and Positive Implications."""
CHAMP = _framework("CHAMP", "CHAMP", "challenges, authority, money, prioritization")
"""Challenges, Authority, Money, Prioritization."""
ANUM = _framework("ANUM", "ANUM", "authority, need, urgency, money")
"""Authority, Need, Urgency, Money."""
MEDDIC = _framework(
    "MEDDIC",
    "MEDDIC",
    "metrics, economic_buyer, decision_criteria, decision_process, identify_pain, champion",
)
"""Metrics, Economic buyer, Decision criteria, Decision process, Identify pain, Champion."""
MEDDPICC = _framework(
    "MEDDPICC",
    "MEDDPICC",
    "metrics, economic_buyer, decision_criteria, decision_process, paper_process, identify_pain, "
    "champion, competition",
)
"""MEDDIC plus Paper process and Competition."""
FAINT = _framework("FAINT", "FAINT", "funds, authority, interest, need, timing")
"""Funds, Authority, Interest, Need, Timing."""
