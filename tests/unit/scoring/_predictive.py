"""Shared by the predictive scoring tests and their scikit-learn peers: simulated leads
from ``benchmarks/``, won and lost leads, a default scorer, random training rows."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import strategies as st

import leadmodel as lm
from leadmodel import Binned, Categorical, PredictiveScorer
from leadmodel.domain.scoring import Field
from tests.factories import AT, lead

BENCHMARKS = Path(__file__).parents[3] / "benchmarks"
EDGES = (1000.0, 5000.0)


def _dataset_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "_dataset_scoring", BENCHMARKS / "_dataset_scoring.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


DATA = _dataset_module()


def won_lead(i: int = 0, **fields: Any) -> lm.Lead:
    links = lm.ConversionLinks(customer_id=lm.CustomerId(f"c-{i}"), at=AT)
    return lead(id=lm.LeadId(f"lead-{i}"), converted=links, **fields)


def lost_lead(i: int = 0, **fields: Any) -> lm.Lead:
    loss = lm.LossInfo(status="lost", reason="no_budget", at=AT)
    return lead(id=lm.LeadId(f"lead-{i}"), lost=loss, **fields)


def scorer(*fields: Field, alpha: float = 1.0) -> PredictiveScorer:
    return PredictiveScorer(
        fields=fields or (Categorical.channel(), Binned.custom("size", EDGES)), alpha=alpha
    )


CHANNELS = ("form", "email", "referral")
OWNERS = ("anna", "bohdan", None)
SIZES = (None, 10, 999.5, 1000, 4000, 5000, 70000)
FIELDS = (Categorical.channel(), Categorical.owner(), Binned.custom("size", EDGES))


def _row_values() -> st.SearchStrategy[tuple[str, str | None, float | None]]:
    return st.tuples(st.sampled_from(CHANNELS), st.sampled_from(OWNERS), st.sampled_from(SIZES))


@st.composite
def training_rows(draw: st.DrawFn) -> tuple[dict[str, list[object]], list[bool]]:
    rows = draw(st.lists(st.tuples(_row_values(), st.booleans()), min_size=2, max_size=40))
    labels = [won for _, won in rows]
    if all(labels) or not any(labels):
        labels[0] = not labels[0]
    columns: dict[str, list[object]] = {"channel": [], "owner": [], "custom.size": []}
    for (channel, owner, size), _ in rows:
        columns["channel"].append(channel)
        columns["owner"].append(owner)
        columns["custom.size"].append(size)
    return columns, labels
