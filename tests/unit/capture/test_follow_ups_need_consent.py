"""Every contacting follow-up of a pipeline is checked against the lead's consent records: no
record of a basis, another purpose, a withdrawal or an unconfirmed double opt-in withholds it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadmodel as lm

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
ACTIONS: dict[str, tuple[str, dict[str, object]]] = {
    "send_email": ("email", {"template": "t"}),
    "send_message": ("messenger", {"template": "t", "channel": "telegram"}),
    "schedule_call": ("phone", {"in_minutes": 5}),
}


def _pipeline(action: str, purpose: str) -> lm.Pipeline:
    params = {"action": action, **ACTIONS[action][1], "purpose": purpose}
    return lm.Pipeline.from_dict(
        {
            "key": "p",
            "statuses": [
                {"key": "new", "on_enter": [params, {"action": "create_task", "title": "x"}]},
                {"key": "won", "kind": "won"},
                {"key": "lost", "kind": "lost", "lost_reasons": ["r"]},
            ],
        }
    )


def _lead(*consents: lm.Consent) -> lm.Lead:
    return lm.Lead(
        id=lm.LeadId("L-1"),
        person_name="Olena Koval",
        topic="Chairs",
        contact_points=[lm.ContactPoint.email("olena@mebli.ua")],
        source=lm.Source(channel=lm.Channel.form),
        created_at=AT,
        consents=consents,
    )


def _fits(action: str) -> list[str]:
    kind = lm.ContactKind(ACTIONS[action][0])
    return [p.value for p in lm.Purpose if kind in lm.PURPOSE_CHANNELS[p]]


_CASES = st.sampled_from(sorted(ACTIONS)).flatmap(
    lambda action: st.tuples(st.just(action), st.sampled_from(_fits(action)))
)


@given(_CASES, st.sampled_from(lm.LawfulBasis))
def test_an_action_is_listed_exactly_when_may_contact_allows_it(
    case: tuple[str, str], basis: lm.LawfulBasis
) -> None:
    action, purpose = case
    kind = ACTIONS[action][0]
    evidence = lm.ConsentEvidence(note="ticked") if basis is lm.LawfulBasis.consent else None
    record = lm.Consent(person="L-1", purpose=purpose, channel=kind, basis=basis,
                        source="form", at=AT, evidence=evidence)  # fmt: skip
    pipeline = _pipeline(action, purpose)
    for lead in (_lead(), _lead(record)):
        card = pipeline.enter(lead, at=AT + timedelta(minutes=1))
        listed = [a.action for a in pipeline.actions(card.history[-1], card)]
        network = "telegram" if kind == "messenger" else None
        allowed = lm.may_contact(card.consents, purpose=purpose, channel=kind, network=network,
                                 at=AT + timedelta(minutes=1))  # fmt: skip
        assert listed == ([action] if allowed else []) + ["create_task"]
        assert bool(pipeline.withheld(card.history[-1], card)) is not allowed.allowed
    assert _lead().consents == ()  # no record at all: nothing reaches the person


def test_an_unconfirmed_double_opt_in_withholds_marketing_until_confirmed() -> None:
    asked = lm.Consent(person="L-1", purpose="marketing_email", channel="email",
                       basis="consent", source="form", at=AT,
                       evidence=lm.ConsentEvidence(text_version="v1"),
                       ).request_opt_in(AT, ttl=timedelta(days=2))  # fmt: skip
    pipeline = _pipeline("send_email", "marketing_email")
    waiting = pipeline.enter(_lead(asked), at=AT + timedelta(hours=1))
    assert pipeline.actions(waiting.history[-1], waiting)[0].action == "create_task"
    confirmed = pipeline.enter(_lead(asked.confirm(AT + timedelta(minutes=5))),
                               at=AT + timedelta(hours=1))  # fmt: skip
    assert pipeline.actions(confirmed.history[-1], confirmed)[0].action == "send_email"


def test_a_purpose_the_action_cannot_serve_is_refused_when_the_spec_loads() -> None:
    why = r"on_enter\[0\]\.purpose: schedule_call reaches the person by phone"
    with pytest.raises(lm.errors.ValidationError, match=why):
        _pipeline("schedule_call", "marketing_email")
