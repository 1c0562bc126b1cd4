"""Shared by the serialisation property tests: every public type with a strategy for it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import pytest
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel.testing import strategies as lst

# `==` between an aware datetime inside a DST overlap and the same instant at a fixed
# offset is False in Python (see test_datetime_in_a_dst_overlap_round_trips_equal), so the
# equality round trips use wall times whose offset does not depend on `fold`.
SAFE_TIMES = lst.aware_datetimes(allow_ambiguous=False)


def _strategies(
    times: st.SearchStrategy[datetime] | None,
) -> dict[type[Any], st.SearchStrategy[Any]]:
    return {
        lm.Money: lst.money(),
        lm.ContactPoint: lst.contact_points(),
        lm.Source: lst.sources(),
        lm.Spend: lst.spends(),
        lm.StatusChange: lst.status_changes(datetimes=times),
        lm.ConversionLinks: lst.conversion_links(datetimes=times),
        lm.LossInfo: lst.loss_infos(datetimes=times),
        lm.MergeRecord: lst.merge_records(datetimes=times),
        lm.Answer: lst.answers(datetimes=times),
        lm.Assessment: lst.assessments(datetimes=times),
        lm.Interest: lst.interests(datetimes=times),
        lm.Lead: lst.leads(datetimes=times),
        lm.Contact: lst.contacts(),
        lm.Company: lst.companies(),
        lm.Customer: lst.customers(datetimes=times),
        lm.StageChange: lst.stage_changes(datetimes=times),
        lm.Activity: lst.activities(datetimes=times),
        **{cls: lst.events(cls, datetimes=times) for cls in lm.EVENT_TYPES.values()},
        lm.PredictiveScorer: lst.predictive_scorers(),
        lm.Categorical: lst.predictive_fields().filter(lambda f: isinstance(f, lm.Categorical)),
        lm.Binned: lst.predictive_fields().filter(lambda f: isinstance(f, lm.Binned)),
        lm.Tally: lst.tallies(),
        lm.ValueTally: lst.value_tallies(),
        lm.Shift: lst.shifts(),
        lm.WorkCalendar: lst.work_calendars(),
        lm.Absence: lst.absences(),
        lm.Member: lst.members(),
        lm.Team: lst.teams(),
        lm.RoutingRule: lst.routing_rules(),
        lm.Router: lst.routers(),
        lm.RoutingState: lst.routing_states(datetimes=times),
        lm.EscalationStep: lst.escalation_steps(),
        lm.SlaPolicy: lst.sla_policies(),
        lm.Consent: lst.consents(datetimes=times),
        lm.Touch: lst.touches(datetimes=times),
        lm.SpamVerdict: lst.spam_verdicts(),
    }


SAFE = _strategies(SAFE_TIMES)
ANY_TIME = _strategies(None)
ENTITIES = [lm.Lead, lm.Interest, lm.Contact, lm.Company, lm.Customer]
# Pipeline specifications have their own reader (leadmodel.domain.pipeline.spec); results of
# operations (a conversion, duplicate groups, a merge, a verdict), matching rules and
# qualification frameworks are not stored documents: none needs a strategy here.
RESULTS = {
    # a simulation's settings and result: configuration objects for one call, not documents
    lm.Simulation,
    lm.SimSource,
    lm.SimOwner,
    lm.SimMarket,
    lm.SimValue,
    lm.SimFunnel,
    lm.SimSeasonality,
    lm.Conversion,
    lm.DuplicateGroup,
    lm.DuplicateReport,
    lm.OversizedBlock,
    lm.MatchKey,
    lm.MatchRule,
    lm.Similar,
    lm.Conflict,
    lm.Merged,
    lm.SetAside,
    lm.Verdict,
    lm.Framework,
    lm.Criterion,
    lm.AllOf,
    lm.AtLeast,
    lm.Weighted,
    lm.StoredEvent,  # holds any event: the outbox stores the event's own document
    lm.Page,  # a page of find's answer: its entities are documents, it is not
    # a state store's answer, holding the host's JSON: the state-store contract round-trips it
    # through every adapter (each stores its serde document)
    lm.StoredState,
    # scoring: models hold conditions or callables; scores and explanations are results
    lm.Contribution,
    lm.Engagement,
    lm.Score,
    lm.ScoreModel,
    lm.FitRule,
    lm.EngagementRule,
    lm.FieldIs,
    lm.FieldBetween,
    lm.HasTag,
    lm.FreeMail,
    lm.Thresholds,
    lm.TemperatureReading,
    # predictive scoring: explanations are results (the scorer and its fields are data)
    lm.LikelihoodRatio,
    lm.Explanation,
    # a registry holds compiled pipelines and specs: its round trips (dict, TOML, JSON) are
    # a property test of their own, in tests/unit/registry
    lm.Registry,
    lm.ContactPoints,  # an app's settings for making contact points, not a stored document
    # routing decisions are results; the router and the state are data (strategies above)
    lm.Assignment,
    lm.Skip,
    lm.SlaClock,  # an SLA clock is read off a lead at an instant: a result (its policy is data)
    lm.StaleCard,  # read off leads and a pipeline at an instant: a result
    # the probabilistic matcher: the model is a spec (round trips in tests/unit/matching),
    # groups and explanations are results
    lm.MatchModel,
    lm.Comparison,
    lm.Level,
    lm.Blocking,
    *(getattr(lm, name) for name in ("MatchGroup", "Clusters", "PairExplanation", "PairPart")),
    # capture: a contact verdict and a screening are results; payload mapping's config and
    # results are tested in tests/unit/capture/test_payloads.py; evidence is drawn inside
    # consents; the spam policy is a one-call configuration
    lm.ConsentEvidence,
    lm.ContactVerdict,
    lm.FieldMap,
    lm.Captured,
    lm.SpamPolicy,
    # the front door: its policies are specs (round trips in tests/unit/intake), what it
    # decided is a result
    lm.KnownPersonPolicy,
    lm.CapturePolicy,
    lm.CaptureResult,
}
PUBLIC_MODELS = {
    cls
    for cls in (getattr(lm, name) for name in lm.__all__)
    if isinstance(cls, type)
    and attrs.has(cls)
    and not cls.__module__.startswith("leadmodel.domain.pipeline")
    and cls not in RESULTS
}
FIELD_NAMES = sorted({f.name for cls in PUBLIC_MODELS for f in attrs.fields(cls)})

by_type = pytest.mark.parametrize("cls", list(SAFE), ids=lambda cls: cls.__name__)
by_entity = pytest.mark.parametrize("cls", ENTITIES, ids=lambda cls: cls.__name__)

# Arbitrary JSON, with keys that are often field names.
_HUGE_BUT_PRINTABLE = [2**63 - 1, 2**63, -(2**63), 2**64, 10**30, -(10**4000)]
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from(_HUGE_BUT_PRINTABLE)  # ints past 4300 digits: see test_serde_bad_input
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(["", " ", "EUR", "email", "form", "2026-03-01T09:30:00+02:00", "12.50"])
)
KEYS = st.sampled_from(FIELD_NAMES) | st.text(max_size=6)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=6,
)
