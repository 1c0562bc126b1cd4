"""Pipelines (DOMAIN §5): moving leads through the status machine, presets."""

from __future__ import annotations

import attrs
import pytest

import leadmodel as lm
from leadmodel import Guards, Pipeline, PipelineSpecError, TransitionError, pipelines
from tests.factories import AT, lead

from ._pipeline import HOUR, SPEC, _entered, _pipe, _statuses

# -- moving ----------------------------------------------------------------------------


def test_enter_records_a_change_from_none() -> None:
    entered = _entered()
    assert (entered.pipeline, entered.status) == ("requests", "new")
    assert entered.history[-1].from_status is None


def test_move_appends_a_status_change_and_changes_nothing_else() -> None:
    entered = _entered()
    moved = _pipe().move(entered, "in_work", at=AT + HOUR, by="anna", note="called back")
    assert moved.status == "in_work"
    assert moved.history[-1] == lm.StatusChange(
        pipeline="requests",
        from_status="new",
        to_status="in_work",
        at=AT + HOUR,
        by="anna",
        note="called back",
    )
    assert attrs.evolve(moved, status="new", history=entered.history) == entered


def test_forward_only_refuses_going_back() -> None:
    p = _pipe()
    moved = p.move(_entered(), "in_work", at=AT, by="anna")
    with pytest.raises(TransitionError) as info:
        p.move(moved, "new", at=AT, by="anna")
    assert (info.value.from_status, info.value.to_status, info.value.why) == (
        "in_work",
        "new",
        "not_allowed",
    )


def test_adjacent_policy_allows_neighbours_only() -> None:
    p = _pipe(policy="adjacent")
    entered = _entered(p)
    assert p.allowed(entered) == ("in_work", "won", "lost")
    with pytest.raises(TransitionError, match="not_allowed"):
        p.move(entered, "qualified", at=AT, by="anna")


def test_any_policy_allows_back_and_forth() -> None:
    p = _pipe(policy="any")
    back = p.move(p.move(_entered(p), "in_work", at=AT, by="a"), "new", at=AT, by="a")
    assert back.status == "new"


def test_explicit_policy_allows_only_listed_moves_plus_closing() -> None:
    p = _pipe(
        policy="explicit",
        transitions=[{"from": "new", "to": "in_work"}, {"from": "in_work", "to": "qualified"}],
    )
    assert p.allowed(_entered(p)) == ("in_work", "won", "lost")


def test_closing_moves_can_be_switched_off() -> None:
    p = _pipe(
        close_from_any=False,
        policy="explicit",
        transitions=[
            {"from": "new", "to": "in_work"},
            {"from": "in_work", "to": "qualified"},
            {"from": "qualified", "to": "won"},
            {"from": "in_work", "to": "lost"},
        ],
    )
    with pytest.raises(TransitionError, match="not_allowed"):
        p.move(_entered(p), "won", at=AT, by="a")


def test_lost_needs_an_allowed_reason_and_records_loss_info() -> None:
    p = _pipe()
    entered = _entered()
    with pytest.raises(TransitionError) as info:
        p.move(entered, "lost", at=AT, by="anna")
    assert info.value.why == "reason_required"
    with pytest.raises(TransitionError) as info:
        p.move(entered, "lost", at=AT, by="anna", reason="too_expensive")
    assert info.value.why == "reason_not_allowed"
    lost = p.move(entered, "lost", at=AT + HOUR, by="anna", reason="no_budget", note="дорого")
    assert lost.lost == lm.LossInfo(
        status="lost",
        reason="no_budget",
        at=AT + HOUR,
        by="anna",
        note="дорого",
        from_status=entered.status,
    )
    assert lost.lost.from_status == "new"  # the stage it was lost from, without the history


def test_loss_info_without_from_status_still_loads() -> None:
    """Documents saved before ``from_status`` was recorded load with it ``None``."""
    doc = {"status": "lost", "reason": "no_budget", "at": "2026-03-02T09:00:00+00:00"}
    loaded = lm.from_dict(lm.LossInfo, doc)
    assert loaded.from_status is None
    assert lm.from_dict(lm.LossInfo, lm.to_dict(loaded)) == loaded
    with pytest.raises(lm.ValidationError, match="from_status"):
        lm.LossInfo(status="lost", reason="x", at=AT, from_status="")


def test_status_lookups_answer_lookups() -> None:
    p = _pipe()
    assert p.status_keys == tuple(s.key for s in p.statuses)
    assert "new" in p
    assert "zzz" not in p
    assert 3 not in p
    for lookup in (p.status, p.kind):
        with pytest.raises(lm.UnknownStatusError) as info:
            lookup("zzz")
        assert isinstance(info.value, KeyError)
        assert isinstance(info.value, LookupError)
        assert not isinstance(info.value, TransitionError)
        assert (info.value.pipeline, info.value.status) == (p.key, "zzz")
        assert "zzz" in str(info.value)
        assert not str(info.value).startswith("'")
    # a move to an unknown status is still a refused move
    with pytest.raises(TransitionError) as refused:
        p.move(_entered(), "zzz", at=AT, by="a")
    assert refused.value.why == "unknown_status"


def test_reopening_a_lost_lead_clears_the_loss_but_keeps_history() -> None:
    p = _pipe()
    lost = p.move(_entered(), "lost", at=AT, by="anna", reason="no_answer")
    reopened = p.move(lost, "in_work", at=AT + HOUR, by="anna")
    assert reopened.lost is None
    assert [c.to_status for c in reopened.history] == ["new", "lost", "in_work"]


def test_reopening_can_be_forbidden() -> None:
    p = _pipe(allow_reopen=False)
    lost = p.move(_entered(p), "lost", at=AT, by="anna", reason="no_answer")
    with pytest.raises(TransitionError) as info:
        p.move(lost, "new", at=AT, by="anna")
    assert info.value.why == "terminal"


def test_won_is_final_unless_the_spec_allows_reopening() -> None:
    won = _pipe().move(_entered(), "won", at=AT, by="anna")
    with pytest.raises(TransitionError) as info:
        _pipe().move(won, "in_work", at=AT, by="anna")
    assert info.value.why == "terminal"
    assert _pipe(reopen_won=True).move(won, "in_work", at=AT, by="anna").status == "in_work"


def test_requirement_missing_names_what_is_missing() -> None:
    p = _pipe()
    with pytest.raises(TransitionError) as info:
        p.move(_entered(), "qualified", at=AT, by="anna")
    assert info.value.why == "requirement_missing"
    assert info.value.missing == ("expected_value", "BANT")


def test_framework_requirement_uses_the_latest_assessment() -> None:
    p = _pipe()
    fail = lm.Assessment(
        framework="BANT", answers=(), qualified=False, score=50, at=AT, missing=("budget",)
    )
    ok = attrs.evolve(fail, qualified=True, missing=())
    entered = _entered(expected_value=lm.Money.of(100, "EUR"), assessments=(fail,))
    with pytest.raises(TransitionError) as info:
        p.move(entered, "qualified", at=AT, by="a")
    assert info.value.missing == ("BANT.budget",)
    requalified = attrs.evolve(entered, assessments=(fail, ok))
    assert p.move(requalified, "qualified", at=AT, by="a").status == "qualified"


def test_framework_checks_can_be_plugged_in() -> None:
    spec = {
        **SPEC,
        "statuses": [
            {**s, "requires": {"framework": "BANT"}} if s["key"] == "qualified" else s
            for s in SPEC["statuses"]
        ],
    }
    p = Pipeline.from_dict(
        spec, frameworks={"BANT": lambda lead, _fw: None if lead.owner else ("authority",)}
    )
    with pytest.raises(TransitionError, match=r"BANT\.authority"):
        p.move(_entered(p), "qualified", at=AT, by="a")
    assert p.move(_entered(p, owner="anna"), "qualified", at=AT, by="a").status == "qualified"
    with pytest.raises(PipelineSpecError, match="unknown framework"):
        Pipeline.from_dict(spec, frameworks={})


def test_guards_refuse_with_their_reason() -> None:
    guards = Guards()
    guards.register("has_owner", lambda lead, _to: lead.owner is not None or "assign an owner")
    statuses = _statuses()
    statuses[1] = {**statuses[1], "requires": {"guards": ["has_owner"]}}
    p = Pipeline.from_dict({**SPEC, "statuses": statuses}, guards=guards)
    with pytest.raises(TransitionError, match="assign an owner") as info:
        p.move(_entered(p), "in_work", at=AT, by="a")
    assert info.value.missing == ("has_owner (assign an owner)",)
    assert p.move(_entered(p, owner="anna"), "in_work", at=AT, by="a").status == "in_work"


def test_custom_field_requirement() -> None:
    statuses = _statuses()
    statuses[1] = {**statuses[1], "requires": {"fields": ["custom.budget"]}}
    p = _pipe(statuses=statuses)
    with pytest.raises(TransitionError, match=r"custom\.budget"):
        p.move(_entered(p), "in_work", at=AT, by="a")
    assert p.move(_entered(p, custom={"budget": 100}), "in_work", at=AT, by="a").status == "in_work"


def test_time_must_not_go_backwards() -> None:
    p = _pipe()
    moved = p.move(_entered(), "in_work", at=AT + HOUR, by="a")
    with pytest.raises(TransitionError) as info:
        p.move(moved, "won", at=AT, by="a")
    assert info.value.why == "time_backwards"


def test_moving_a_lead_of_another_pipeline_is_refused() -> None:
    with pytest.raises(TransitionError) as info:
        pipelines.SIMPLE.move(_entered(), "won", at=AT, by="a")
    assert info.value.why == "other_pipeline"
    with pytest.raises(TransitionError, match="other_pipeline"):
        _pipe().move(lead(), "won", at=AT, by="a")
    with pytest.raises(TransitionError, match="transfer"):
        _pipe().enter(_entered(), at=AT, by="a")


def test_unknown_target_status() -> None:
    with pytest.raises(TransitionError) as info:
        _pipe().move(_entered(), "archived", at=AT, by="a")
    assert info.value.why == "unknown_status"


def test_rejected_move_leaves_the_lead_unchanged() -> None:
    entered = _entered()
    before = lm.to_json(entered)
    with pytest.raises(TransitionError):
        _pipe().move(entered, "qualified", at=AT, by="a")
    assert lm.to_json(entered) == before


def test_allowed_lists_legal_targets_in_funnel_order() -> None:
    assert _pipe().allowed(_entered()) == ("in_work", "won", "lost")  # qualified needs data
    assert _pipe().allowed(lead()) == ()


def test_actions_report_on_enter_follow_ups_and_honour_do_not_contact() -> None:
    p = _pipe()
    ready = _entered(
        expected_value=lm.Money.of(1, "EUR"),
        assessments=(
            lm.Assessment(framework="BANT", answers=(), qualified=True, score=100, at=AT),
        ),
    )
    moved = p.move(ready, "qualified", at=AT, by="a")
    (action,) = p.actions(moved.history[-1])
    assert (action.action, dict(action.params)) == ("send_email", {"template": "qualified"})
    assert action.contacts_person
    assert p.actions(moved.history[-1], attrs.evolve(moved, do_not_contact=True)) == ()
    assert p.actions(moved.history[0]) == ()


def test_transfer_between_pipelines_records_the_hop() -> None:
    requests, deals = pipelines.KEYCRM_REQUESTS, pipelines.B2B_DEALS
    card = requests.move(requests.enter(lead(), at=AT, by="a"), "qualified", at=AT, by="a")
    moved = requests.transfer(card, deals, at=AT + HOUR, by="a")
    assert (moved.pipeline, moved.status) == ("deals", "qualification")
    hop = moved.history[-1]
    assert (hop.from_pipeline, hop.from_status, hop.pipeline) == ("requests", "qualified", "deals")
    assert deals.replay(moved.history) == "qualification"
    assert requests.replay(moved.history) is None
    with pytest.raises(TransitionError, match="other_pipeline"):
        deals.transfer(card, requests, at=AT, by="a")


def test_replay_rebuilds_and_checks_the_status() -> None:
    p = _pipe()
    card = p.move(
        p.move(_entered(), "in_work", at=AT, by="a"), "lost", at=AT, by="a", reason="no_budget"
    )
    assert p.replay(card.history) == "lost"
    forged = (*card.history[:1], attrs.evolve(card.history[1], to_status="won"))
    assert p.replay(forged) == "won"  # new → won is allowed
    bad = (*card.history[:1], attrs.evolve(card.history[1], from_status="in_work"))
    with pytest.raises(TransitionError, match="not_allowed"):
        p.replay(bad)
    no_reason = (*card.history[:2], attrs.evolve(card.history[2], reason=None))
    with pytest.raises(TransitionError, match="reason_required"):
        p.replay(no_reason)


def test_several_pipelines_in_one_app_keyed_by_id() -> None:
    by_key = {p.key: p for p in (pipelines.KEYCRM_REQUESTS, pipelines.B2B_DEALS, pipelines.SIMPLE)}
    card = by_key["simple"].enter(lead(), at=AT, by="a")
    assert by_key[card.pipeline or ""].move(card, "won", at=AT, by="a").status == "won"


@pytest.mark.parametrize(
    "preset", [pipelines.KEYCRM_REQUESTS, pipelines.B2B_DEALS, pipelines.SIMPLE]
)
def test_presets_round_trip_and_draw(preset: Pipeline) -> None:
    assert Pipeline.from_dict(preset.to_dict()) == preset
    assert Pipeline.from_toml(preset.to_toml()) == preset
    mermaid = preset.to_mermaid()
    assert mermaid.startswith("stateDiagram-v2")
    assert all(s.label.split("\\")[0] in mermaid for s in preset.statuses)
    dot = preset.to_dot()
    assert dot.startswith("digraph")
    assert dot.rstrip().endswith("}")


def test_keycrm_preset_has_the_seed_reasons() -> None:
    lost = pipelines.KEYCRM_REQUESTS.status("lost")
    assert lost.lost_reasons == ("no_budget", "not_target", "competitor", "no_answer")


def test_a_move_yields_a_lead_that_passes_full_validation() -> None:
    """A move re-validates only what it changes; the result must still be a valid Lead."""
    p = _pipe()
    moved = p.move(_entered(), "lost", at=AT + HOUR, by="anna", reason="no_budget", note="x")
    assert lm.from_json(lm.Lead, lm.to_json(moved)) == moved
    assert attrs.evolve(moved) == moved  # runs every check of Lead


def test_move_values_are_checked() -> None:
    p = _pipe()
    naive = AT.replace(tzinfo=None)
    with pytest.raises(lm.ValidationError) as info:
        p.move(_entered(), "in_work", at=naive, by="", note=5)  # type: ignore[arg-type]
    assert [e.path for e in info.value.problems] == ["at", "by", "note"]


def test_a_converted_lead_cannot_be_lost() -> None:
    links = lm.ConversionLinks(customer_id=lm.CustomerId("c-1"), at=AT)
    converted = attrs.evolve(_entered(), converted=links)
    with pytest.raises(TransitionError, match="converted lead cannot be lost"):
        _pipe().move(converted, "lost", at=AT, by="a", reason="no_budget")
