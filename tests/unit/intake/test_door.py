"""The front door's pure parts: the policies as data, spam screening, the fingerprint, and
:func:`decide` for each decision (the services' tests run them on every adapter)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm
from leadmodel.domain.intake import Known, decide, fingerprint, inquiry_consent
from leadmodel.testing import strategies as lst

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
EMAIL = lm.ContactPoint.email("olena@mebli.ua")


def _form(**fields: object) -> lm.Interest:
    base: dict[str, object] = {
        "id": lm.InterestId("I-1"),
        "occurred_at": AT,
        "topic": "Chairs",
        "source": lm.Source(channel=lm.Channel.form),
        "person_name": "Olena Koval",
        "contact_points": [EMAIL],
    }
    return lm.Interest(**(base | fields))  # type: ignore[arg-type]


def _lead(lead_id: str = "L-1", **fields: object) -> lm.Lead:
    base: dict[str, object] = {
        "id": lm.LeadId(lead_id),
        "person_name": "Olena Koval",
        "topic": "Chairs",
        "contact_points": [EMAIL],
        "source": lm.Source(channel=lm.Channel.form),
        "created_at": AT - timedelta(days=60),
    }
    return lm.Lead(**(base | fields))  # type: ignore[arg-type]


# -- the policies are data --------------------------------------------------------------------
def test_policies_round_trip_through_dicts_and_toml() -> None:
    known = lm.KnownPersonPolicy(
        no_repeat_channels=["live_chat"],
        no_repeat_sources=["Support"],
        no_repeat_topics=["Returns"],
        reopen_lost_after=timedelta(days=14),
        pipeline="requests",
    )
    assert lm.KnownPersonPolicy.from_dict(known.to_dict()) == known
    assert lm.KnownPersonPolicy.from_toml(known.to_toml()) == known
    capture = lm.CapturePolicy(window=timedelta(minutes=2), double_opt_in=["sms"])
    assert lm.CapturePolicy.from_dict(capture.to_dict()) == capture


def test_bad_policies_name_every_field() -> None:
    with pytest.raises(lm.errors.ValidationError) as caught:
        lm.KnownPersonPolicy.from_dict(
            {"no_repeat_channels": ["pigeon"], "merge_at": 2, "reopen_lost_after": "soon"}
        )
    paths = {problem.path for problem in caught.value.problems}
    assert {"no_repeat_channels", "merge_at", "reopen_lost_after"} <= {
        p.split("[")[0] for p in paths
    }


@given(lst.spam_verdicts())
def test_screening_takes_the_strictest_action_that_applies(verdict: lm.SpamVerdict) -> None:
    screened = lm.SpamPolicy().screen(verdict)
    strict = lm.SpamPolicy(honeypot="refuse", rate_limited="refuse").screen(verdict)
    order = [lm.Screening.accept, lm.Screening.quarantine, lm.Screening.refuse]
    assert order.index(strict.action) >= order.index(screened.action)
    if verdict.honeypot:
        assert screened.action is lm.Screening.refuse
    if not verdict.honeypot and not verdict.rate_limited and verdict.captcha_score is None:
        assert screened.action is lm.Screening.accept


@given(st.floats(0, 1), st.floats(0, 1))
def test_a_lower_captcha_score_is_never_treated_better(a: float, b: float) -> None:
    low, high = sorted((a, b))
    order = [lm.Screening.accept, lm.Screening.quarantine, lm.Screening.refuse]
    policy = lm.SpamPolicy()
    worse = policy.screen(lm.SpamVerdict(captcha_score=low)).action
    better = policy.screen(lm.SpamVerdict(captcha_score=high)).action
    assert order.index(worse) >= order.index(better)


# -- the fingerprint and the request as a basis -------------------------------------------------
@given(lst.interests())
def test_the_fingerprint_ignores_the_time_and_the_links(
    interest: lm.Interest,
) -> None:
    moved = attrs.evolve(interest, occurred_at=AT, lead_id=None, version=int(not interest.version))
    assert fingerprint(moved) == fingerprint(interest)
    changed = attrs.evolve(interest, topic=(interest.topic or "") + " again")
    assert fingerprint(changed) != fingerprint(interest)


def test_only_an_inbound_request_is_a_basis_for_replying() -> None:
    assert inquiry_consent(_form()) is not None
    imported = _form(source=lm.Source(channel=lm.Channel.import_))
    assert inquiry_consent(imported) is None


# -- decide ------------------------------------------------------------------------------------
POLICY = lm.KnownPersonPolicy()


def test_decide_prefers_the_newest_open_lead_and_never_touches_a_closed_one() -> None:
    older = _lead("L-1")
    newer = _lead("L-2", created_at=AT - timedelta(days=1))
    won = _lead(
        "L-3",
        converted=lm.ConversionLinks(customer_id=lm.CustomerId("C-1"), at=AT - timedelta(days=2)),
    )
    door = decide(_form(), Known(leads=(older, won, newer)), POLICY, at=AT)
    assert door.decision is lm.Decision.attached
    assert door.lead is not None
    assert (door.lead.id, door.lead.interest_ids) == ("L-2", ("I-1",))
    assert door.interest is not None
    assert door.interest.lead_id == "L-2"
    assert door.lead.touches == (door.interest.as_touch(),)


def test_decide_without_contact_points_or_a_name_keeps_an_interest() -> None:
    anonymous = decide(_form(contact_points=[]), Known(), POLICY, at=AT)
    assert (anonymous.decision, anonymous.lead) == (lm.Decision.new_interest, None)
    nameless = decide(_form(person_name=None), Known(), POLICY, at=AT)
    assert nameless.decision is lm.Decision.new_interest
    assert "missing person_name" in nameless.reason
    kept = decide(_form(), Known(), attrs.evolve(POLICY, promote_new=False), at=AT)
    assert kept.decision is lm.Decision.new_interest


def test_an_erased_lead_is_nobody() -> None:
    gone = lm.erase(_lead("L-1"), at=AT - timedelta(days=1))
    door = decide(_form(), Known(leads=(gone,)), POLICY, at=AT)
    assert door.decision is lm.Decision.new_lead


def test_reopening_can_be_turned_off() -> None:
    lost = _lead(lost=lm.LossInfo(status="lost", reason="price", at=AT - timedelta(days=90)))
    never = attrs.evolve(POLICY, reopen_lost_after=None)
    door = decide(_form(), Known(leads=(lost,)), never, at=AT)
    assert door.decision is lm.Decision.possible_duplicate  # alike: the lost lead's person
    assert door.candidates == ("L-1",)


@given(st.lists(st.sampled_from(["open", "lost", "won", "erased"]), max_size=4), st.booleans())
def test_decide_never_loses_the_interest_and_links_it_both_ways(
    states: list[str], customer: bool
) -> None:
    leads = []
    for n, state in enumerate(states):
        made = _lead(f"L-{n}")
        if state == "lost":
            made = attrs.evolve(
                made, lost=lm.LossInfo(status="lost", reason="x", at=AT - timedelta(days=n))
            )
        elif state == "won":
            made = attrs.evolve(
                made, converted=lm.ConversionLinks(customer_id=lm.CustomerId("C-1"), at=AT)
            )
        elif state == "erased":
            made = lm.erase(made, at=AT - timedelta(days=1))
        leads.append(made)
    customers: tuple[tuple[lm.Customer, lm.Contact | None], ...] = ()
    if customer:
        buyer = lm.Customer(
            id=lm.CustomerId("C-1"),
            kind=lm.CustomerKind.person,
            since=AT,
            origin=lm.CustomerOrigin.from_lead,
            contact_id=lm.ContactId("c-1"),
        )
        customers = ((buyer, None),)
    door = decide(_form(), Known(leads=tuple(leads), customers=customers), POLICY, at=AT,
                  ids=lm.sequential_ids("new"))  # fmt: skip
    assert door.interest is not None
    assert door.interest.id == "I-1"
    if door.lead is not None:
        assert door.interest.lead_id == door.lead.id
        assert "I-1" in door.lead.interest_ids
    else:
        assert door.interest.lead_id is None
    assert door.reason
