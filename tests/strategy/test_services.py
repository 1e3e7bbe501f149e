"""The strategy app's rules, one test per rule."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cxalign.orgs.concurrency import VersionConflict
from cxalign.orgs.roles import Role
from strategy import selectors, services
from strategy.models import CheckIn, Cycle, Decision, Goal, GoverningModel, KeyChoice
from tests.factories import (
    CycleFactory,
    GoalFactory,
    MembershipFactory,
    OrganizationFactory,
    OrgUnitFactory,
)

pytestmark = pytest.mark.django_db


def messages_of(exc_info) -> str:
    return " ".join(exc_info.value.messages)


# ---------------------------------------------------------------- the cascade's shape


def test_goal_cannot_be_its_own_ancestor(cascade, executive):
    corp = cascade["corp"]
    with pytest.raises(ValidationError) as exc:
        services.goal_update(goal=corp, data={"parent": cascade["desk"]}, version=corp.version)
    assert "own sub-goals" in messages_of(exc)


def test_goal_cannot_be_its_own_parent(cascade):
    svc = cascade["svc"]
    with pytest.raises(ValidationError) as exc:
        services.goal_update(goal=svc, data={"parent": svc}, version=svc.version)
    assert "itself" in messages_of(exc)


def test_parent_in_another_cycle_is_rejected(org, cascade, executive):
    other_cycle = CycleFactory(organization=org, name="FY2027")
    with pytest.raises(ValidationError) as exc:
        services.goal_create(
            organization=org, cycle=other_cycle, parent=cascade["corp"], title="X",
            owner=executive,
        )  # fmt: skip
    assert "another cycle" in messages_of(exc)


def test_parent_in_another_organization_is_rejected(org, cycle, executive):
    foreign = GoalFactory(cycle=CycleFactory(organization=OrganizationFactory()))
    with pytest.raises(ValidationError) as exc:
        services.goal_create(
            organization=org, cycle=cycle, parent=foreign, title="X", owner=executive
        )
    assert "this organization" in messages_of(exc)


@pytest.mark.parametrize("weight", ["0", "-1"])
def test_weight_must_be_positive(cycle, executive, weight):
    with pytest.raises(ValidationError) as exc:
        services.goal_create(
            organization=cycle.organization, cycle=cycle, title="X", owner=executive,
            weight=Decimal(weight),
        )  # fmt: skip
    assert "positive" in messages_of(exc)


def test_kpi_target_needs_a_unit(cycle, executive, nps):
    with pytest.raises(ValidationError) as exc:
        services.goal_create(
            organization=cycle.organization, cycle=cycle, title="NPS up", owner=executive,
            measure=Goal.Measure.KPI, kpi=nps, baseline=Decimal(10), target=Decimal(30),
            measure_unit="",
        )  # fmt: skip
    assert "needs a unit" in messages_of(exc)
    assert "points" in messages_of(exc)


def test_kpi_target_needs_baseline_and_target(cycle, executive, nps):
    with pytest.raises(ValidationError) as exc:
        services.goal_create(
            organization=cycle.organization, cycle=cycle, title="NPS up", owner=executive,
            measure=Goal.Measure.KPI, kpi=nps, measure_unit="points",
        )  # fmt: skip
    assert "baseline" in exc.value.message_dict
    assert "target" in exc.value.message_dict


def test_kpi_of_another_organization_is_rejected(cycle, executive):
    from kpis.models import KPI

    foreign = KPI.objects.get(organization=OrganizationFactory(), key="nps")
    with pytest.raises(ValidationError):
        services.goal_create(
            organization=cycle.organization, cycle=cycle, title="X", owner=executive,
            measure=Goal.Measure.KPI, kpi=foreign, baseline=1, target=2, measure_unit="points",
        )  # fmt: skip


def test_top_level_goal_owned_outside_the_c_team_is_accepted(cycle, manager):
    """The engine flags it as an orphan goal; the service no longer refuses it."""
    goal = services.goal_create(
        organization=cycle.organization, cycle=cycle, title="X", owner=manager
    )
    assert goal.parent_id is None and goal.owner == manager


def test_top_level_goal_owner_must_still_be_a_manager_or_more(cycle, viewer):
    with pytest.raises(ValidationError) as exc:
        services.goal_create(organization=cycle.organization, cycle=cycle, title="X", owner=viewer)
    assert "Manager or higher" in messages_of(exc)


def test_goal_owner_must_be_a_manager_or_more(cascade, member):
    with pytest.raises(ValidationError):
        services.goal_create(
            organization=member.organization, cycle=cascade["corp"].cycle,
            parent=cascade["corp"], title="X", owner=member,
        )  # fmt: skip


def test_goal_cannot_move_to_another_cycle(org, cascade):
    desk = cascade["desk"]
    with pytest.raises(ValidationError):
        services.goal_update(
            goal=desk, data={"cycle": CycleFactory(organization=org)}, version=desk.version
        )


def test_stale_goal_edit_is_refused(cascade):
    svc = cascade["svc"]
    services.goal_update(goal=svc, data={"title": "First"}, version=1)
    stale = Goal.objects.get(pk=svc.pk)
    stale.version = 1
    with pytest.raises(VersionConflict) as exc:
        services.goal_update(goal=stale, data={"title": "Second"}, version=1)
    assert exc.value.current.title == "First"


def test_goal_key_is_generated_when_blank(cycle, executive):
    goal = services.goal_create(
        organization=cycle.organization, cycle=cycle, title="X", owner=executive
    )
    assert goal.key == f"G{goal.pk}"


def test_goal_with_contributors_cannot_be_deleted(cascade):
    with pytest.raises(ValidationError):
        services.goal_delete(goal=cascade["corp"])


# ---------------------------------------------------------------- who writes goals


def test_manager_cannot_write_a_corporate_goal(cascade, line):
    corp = cascade["corp"]
    with pytest.raises(PermissionDenied):
        services.goal_update(goal=corp, data={"title": "Mine"}, version=1, by=line["head"])


def test_manager_writes_goals_of_their_unit_and_below(cascade, line):
    desk = cascade["desk"]
    services.goal_update(goal=desk, data={"title": "Better"}, version=1, by=line["head"])
    assert Goal.objects.get(pk=desk.pk).title == "Better"


def test_manager_cannot_write_another_units_goals(cascade, line):
    with pytest.raises(PermissionDenied):
        services.goal_update(goal=cascade["svc"], data={"title": "x"}, version=1, by=line["peer"])


def test_manager_cannot_create_a_goal_in_another_unit(cascade, line):
    with pytest.raises(PermissionDenied):
        services.goal_create(
            organization=line["peer"].organization, cycle=cascade["corp"].cycle,
            parent=cascade["svc"], title="x", owner=line["lead"], org_unit=line["desk"],
            by=line["peer"],
        )  # fmt: skip


def test_member_cannot_write_goals(cascade, member):
    with pytest.raises(PermissionDenied):
        services.goal_update(goal=cascade["desk"], data={"title": "x"}, version=1, by=member)


# ---------------------------------------------------------------- check-ins


def log(goal, author, **kwargs):
    return services.checkin_log(
        goal=goal, author=author, confidence=kwargs.pop("confidence", "on_track"),
        statement=kwargs.pop("statement", "It helps."), **kwargs,
    )  # fmt: skip


def test_owner_logs_a_checkin(cascade, line):
    checkin = log(cascade["desk"], line["lead"], progress=Decimal("0.5"))
    assert checkin.author == line["lead"]


def test_managers_up_the_line_log_checkins(cascade, line, executive):
    log(cascade["desk"], line["head"], progress=Decimal("0.2"))
    log(cascade["desk"], executive, progress=Decimal("0.3"))
    assert CheckIn.objects.filter(goal=cascade["desk"]).count() == 2


def test_admin_logs_checkins(cascade, admin):
    log(cascade["desk"], admin, progress=Decimal("0.2"))


@pytest.mark.parametrize("who", ["peer", "viewer", "member"])
def test_others_cannot_log_checkins(cascade, line, viewer, member, who):
    author = {"peer": line["peer"], "viewer": viewer, "member": member}[who]
    with pytest.raises(PermissionDenied):
        log(cascade["desk"], author, progress=Decimal("0.2"))


def test_report_cannot_log_checkins_on_their_managers_goal(cascade, line):
    with pytest.raises(PermissionDenied):
        log(cascade["svc"], line["lead"], progress=Decimal("0.2"))


def test_checkin_history_is_kept_and_the_goal_shows_the_latest(cascade, line):
    desk = cascade["desk"]
    log(desk, line["lead"], progress=Decimal("0.2"), confidence="at_risk", statement="Slow")
    log(desk, line["lead"], progress=Decimal("0.6"), statement="Faster")
    assert list(desk.checkins.values_list("statement", flat=True)) == ["Faster", "Slow"]
    desk.refresh_from_db()
    assert desk.progress == Decimal("0.6")
    assert desk.confidence == "on_track"
    assert desk.version == 1  # a check-in never conflicts with someone editing the goal


def test_checkin_needs_a_statement(cascade, line):
    with pytest.raises(ValidationError) as exc:
        log(cascade["desk"], line["lead"], progress=Decimal("0.2"), statement="  ")
    assert "statement" in exc.value.message_dict


def test_kpi_checkin_needs_a_value_and_computes_progress(cycle, executive, nps):
    goal = services.goal_create(
        organization=cycle.organization, cycle=cycle, title="NPS", owner=executive,
        measure=Goal.Measure.KPI, kpi=nps, baseline=10, target=30, measure_unit="points",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        log(goal, executive)
    log(goal, executive, value=Decimal(20))
    goal.refresh_from_db()
    assert goal.progress == Decimal("0.5")
    assert goal.current_value == Decimal(20)


def test_milestone_checkin_needs_progress_between_0_and_1(cascade, line):
    with pytest.raises(ValidationError):
        log(cascade["desk"], line["lead"])
    with pytest.raises(ValidationError):
        log(cascade["desk"], line["lead"], progress=Decimal("1.5"))


def test_rollup_goal_checkin_takes_no_progress(cascade, executive):
    with pytest.raises(ValidationError):
        log(cascade["corp"], executive, progress=Decimal("0.5"))
    log(cascade["corp"], executive, confidence="at_risk")


def test_checkin_moves_the_parents_rolled_up_progress(cascade, line):
    before = selectors.cascade_progress(cycle=cascade["corp"].cycle)
    assert before[cascade["corp"].id].effective is None
    log(cascade["desk"], line["lead"], progress=Decimal("0.8"))
    after = selectors.cascade_progress(cycle=cascade["corp"].cycle)
    assert after[cascade["svc"].id].rollup == pytest.approx(0.8)
    # svc has no own progress: it counts as its roll-up (0.8, weight 3) next to other (0, weight 1)
    assert after[cascade["corp"].id].effective == pytest.approx(0.6)


# ---------------------------------------------------------------- cycles


def test_inputs_are_due_a_month_before_the_start_by_default(org):
    cycle = services.cycle_create(
        organization=org, name="FY27", starts_on=datetime.date(2027, 3, 31),
        ends_on=datetime.date(2027, 12, 31),
    )  # fmt: skip
    assert cycle.inputs_due_on == datetime.date(2027, 2, 28)


def test_cycle_must_end_after_it_starts(org):
    with pytest.raises(ValidationError):
        services.cycle_create(
            organization=org, name="Bad", starts_on=datetime.date(2027, 3, 1),
            ends_on=datetime.date(2027, 2, 1),
        )  # fmt: skip


def test_cycle_inputs_cannot_be_due_after_the_start(org):
    with pytest.raises(ValidationError):
        services.cycle_create(
            organization=org, name="Bad", starts_on=datetime.date(2027, 3, 1),
            ends_on=datetime.date(2027, 6, 1), inputs_due_on=datetime.date(2027, 4, 1),
        )  # fmt: skip


def test_cycle_names_are_unique_in_the_organization(org, cycle):
    with pytest.raises(ValidationError):
        services.cycle_create(
            organization=org, name=cycle.name, starts_on=datetime.date(2027, 1, 1),
            ends_on=datetime.date(2027, 6, 1),
        )  # fmt: skip


def test_carry_over_copies_unfinished_goals_with_their_shape_once(org, cascade, line):
    Goal.objects.filter(pk=cascade["other"].pk).update(status=Goal.Status.ACHIEVED)
    log(cascade["desk"], line["lead"], progress=Decimal("0.4"))
    target = CycleFactory(organization=org, name="FY2027", status=Cycle.Status.PREPARING)
    result = services.cycle_carry_over(source=cascade["corp"].cycle, target=target)
    assert result["carried"] == 3
    copies = {g.key: g for g in Goal.objects.filter(cycle=target)}
    assert set(copies) == {"CORP", "SVC", "DESK"}
    assert copies["DESK"].parent == copies["SVC"]
    assert copies["SVC"].parent == copies["CORP"]
    assert copies["DESK"].carried_from == cascade["desk"]
    again = services.cycle_carry_over(source=cascade["corp"].cycle, target=target)
    assert again["carried"] == 0
    assert Goal.objects.filter(cycle=target).count() == 3


def test_carry_over_into_a_closed_cycle_is_refused(org, cascade):
    target = CycleFactory(organization=org, name="Old", status=Cycle.Status.CLOSED)
    with pytest.raises(ValidationError):
        services.cycle_carry_over(source=cascade["corp"].cycle, target=target)


# ---------------------------------------------------------------- decisions


def decide(org, **fields):
    base = {"title": "Close on Saturdays", "customer_view": "disapprove",
            "customer_view_why": "Weekend restaurants need us."}  # fmt: skip
    return services.decision_create(organization=org, **{**base, **fields})


def test_disapproved_decision_needs_mitigation_or_override(org, executive):
    with pytest.raises(ValidationError) as exc:
        decide(org, by=executive)
    assert "mitigation" in exc.value.message_dict


def test_disapproved_decision_with_mitigation_is_logged(org, executive):
    decision = decide(org, by=executive, mitigation="A weekend hotline by email.")
    assert decision.decided_by == executive


def test_override_needs_a_reason_and_is_recorded(org, executive):
    with pytest.raises(ValidationError) as exc:
        decide(org, by=executive, override=True)
    assert "override_reason" in exc.value.message_dict
    decision = decide(org, by=executive, override=True, override_reason="No staff this quarter.")
    assert decision.override_by == executive
    assert decision.override_at is not None


def test_override_is_only_for_disapprovals(org, executive):
    with pytest.raises(ValidationError):
        decide(org, by=executive, customer_view="approve", override=True, override_reason="x")


def test_decision_needs_the_best_customers_answer(org, executive):
    with pytest.raises(ValidationError):
        decide(org, by=executive, customer_view="approve", customer_view_why="")


def test_stale_decision_edit_is_refused(org, executive):
    decision = decide(org, by=executive, mitigation="m")
    services.decision_update(decision=decision, data={"title": "A"}, version=1, by=executive)
    stale = Decision.objects.get(pk=decision.pk)
    with pytest.raises(VersionConflict):
        services.decision_update(decision=stale, data={"title": "B"}, version=1, by=executive)


# ---------------------------------------------------------------- models, commitments, initiatives


def test_risk_choices_need_likelihood_and_impact(org):
    risk = GoverningModel.objects.create(organization=org, kind="risk")
    with pytest.raises(ValidationError):
        services.keychoice_create(model=risk, text="Supplier failure")
    choice = services.keychoice_create(model=risk, text="Supplier failure", likelihood=3, impact=4)
    assert choice.risk_score == 12


def test_only_economic_choices_name_a_kpi_and_only_risk_choices_carry_likelihood(org, nps):
    business = GoverningModel.objects.create(organization=org, kind="business")
    with pytest.raises(ValidationError):
        services.keychoice_create(model=business, text="x", kpi=nps)
    with pytest.raises(ValidationError):
        services.keychoice_create(model=business, text="x", likelihood=2, impact=2)
    economic = GoverningModel.objects.create(organization=org, kind="economic")
    assert services.keychoice_create(model=economic, text="x", kpi=nps).position == 1
    assert KeyChoice.objects.filter(model=economic).count() == 1


def test_governing_model_owner_is_an_executive(org, manager):
    model = GoverningModel.objects.create(organization=org, kind="cx")
    with pytest.raises(ValidationError):
        services.governing_model_update(model=model, data={"owner": manager}, version=1)


def test_governing_model_without_review_is_overdue(org):
    model = GoverningModel.objects.create(organization=org, kind="cx", review_cadence_months=3)
    assert model.is_overdue()
    model.last_reviewed_on = datetime.date(2026, 1, 31)
    assert model.next_review_on == datetime.date(2026, 4, 30)
    assert model.is_overdue(datetime.date(2026, 5, 1))
    assert not model.is_overdue(datetime.date(2026, 4, 30))


def test_governing_models_ensure_creates_the_five_once(org):
    assert len(services.governing_models_ensure(organization=org)) == 5
    services.governing_models_ensure(organization=org)
    assert GoverningModel.objects.for_org(org).count() == 5


def test_only_executives_commit_and_the_board_shows_who_has_not(org, cycle, executive, manager):
    other_exec = MembershipFactory(organization=org, role=Role.EXECUTIVE)
    with pytest.raises(ValidationError):
        services.commitment_save(cycle=cycle, executive=manager, statement="x")
    services.commitment_save(cycle=cycle, executive=executive, statement="I sponsor NPS.")
    services.commitment_save(cycle=cycle, executive=executive, statement="Restated.")
    board = selectors.commitment_board(cycle=cycle)
    assert board["have"] == 1
    assert board["missing"] == [other_exec]
    assert board["rows"][0]["commitment"] is None or board["rows"][0]["commitment"].statement


def test_executive_cannot_write_another_executives_commitment(org, cycle, executive):
    other_exec = MembershipFactory(organization=org, role=Role.EXECUTIVE)
    with pytest.raises(PermissionDenied):
        services.commitment_save(cycle=cycle, executive=other_exec, statement="x", by=executive)


def test_manager_writes_initiatives_of_their_own_unit_only(org, cycle, line):
    services.initiative_create(
        organization=org, cycle=cycle, name="Rota", org_unit=line["desk"], by=line["head"]
    )
    with pytest.raises(PermissionDenied):
        services.initiative_create(
            organization=org, cycle=cycle, name="Theirs", org_unit=line["service"], by=line["peer"]
        )


def test_initiative_goals_come_from_its_cycle(org, cycle, cascade, line):
    other = GoalFactory(cycle=CycleFactory(organization=org, name="Other"))
    with pytest.raises(ValidationError):
        services.initiative_create(
            organization=org, cycle=cycle, name="X", org_unit=line["desk"], goals=[other]
        )


def test_kpi_effect_amount_is_positive(org, cycle, line, nps):
    initiative = services.initiative_create(
        organization=org, cycle=cycle, name="X", org_unit=line["desk"]
    )
    with pytest.raises(ValidationError):
        services.effect_create(initiative=initiative, kpi=nps, direction="up", amount=Decimal(-2))
    effect = services.effect_create(initiative=initiative, kpi=nps, direction="down", amount=2,
                                    intended=False, affected_unit=line["service"])  # fmt: skip
    assert not effect.intended


def test_capability_gap_and_levels(org):
    cap = services.capability_create(organization=org, name="VoC", current_level=1, needed_level=4)
    assert cap.gap == 3
    with pytest.raises(ValidationError):
        services.capability_create(organization=org, name="Bad", current_level=1, needed_level=6)
    with pytest.raises(ValidationError):
        services.capability_create(organization=org, name="VoC", current_level=1, needed_level=2)


def test_unit_subtree_and_reporting_line(org, line, executive):
    from strategy import rules

    assert rules.unit_subtree(unit_id=line["service"].id, organization=org) == {
        line["service"].id, line["desk"].id,
    }  # fmt: skip
    assert rules.reporting_line(member_id=line["lead"].id, organization=org) == [
        line["head"].id, executive.id,
    ]  # fmt: skip


def test_vision_is_created_on_first_use_and_versioned(org):
    vision = services.vision_get(organization=org)
    services.vision_update(vision=vision, data={"vision": "Loved"}, version=1)
    with pytest.raises(VersionConflict):
        services.vision_update(vision=vision, data={"vision": "Other"}, version=1)
    assert OrgUnitFactory  # the factories module stays importable for other tests


def test_carry_over_of_5000_goals_is_a_few_bulk_queries(
    org, cycle, executive, django_assert_max_num_queries
):
    from strategy.models import Goal as G
    from tests.strategy.cascades import bulk_cascade

    bulk_cascade(cycle, executive, 5000)
    target = CycleFactory(organization=org, name="FY2027", status=Cycle.Status.PREPARING)
    with django_assert_max_num_queries(60):
        result = services.cycle_carry_over(source=cycle, target=target)
    assert result["carried"] == 5000
    leaf = G.objects.filter(cycle=target, key="B3-7").select_related("parent__parent__parent").get()
    assert leaf.parent.parent.parent.key.startswith("B0-")
    assert leaf.history.count() == 1


# ---------------------------------------------------------------- measure "none"


def test_checkin_on_a_goal_not_measurable_yet_takes_confidence_and_statement(cascade, line):
    goal = cascade["desk"]
    Goal.objects.filter(pk=goal.pk).update(measure=Goal.Measure.NONE, progress=None)
    goal.refresh_from_db()
    checkin = log(goal, line["lead"], confidence="at_risk")
    assert (checkin.value, checkin.progress, checkin.confidence) == (None, None, "at_risk")
    goal.refresh_from_db()
    assert (goal.progress, goal.confidence) == (None, "at_risk")


def test_checkin_on_a_goal_not_measurable_yet_refuses_progress(cascade, line):
    goal = cascade["desk"]
    Goal.objects.filter(pk=goal.pk).update(measure=Goal.Measure.NONE)
    goal.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        log(goal, line["lead"], progress=Decimal("0.5"))
    assert "not measurable yet" in messages_of(exc)
    assert not CheckIn.objects.filter(goal=goal).exists()


def test_switching_a_goal_to_not_measurable_clears_its_progress(cascade, line, executive):
    goal = cascade["desk"]
    log(goal, line["lead"], progress=Decimal("0.5"))
    goal.refresh_from_db()
    assert goal.progress == Decimal("0.5")
    services.goal_update(goal=goal, data={"measure": Goal.Measure.NONE}, version=goal.version,
                         by=executive)  # fmt: skip
    goal.refresh_from_db()
    assert (goal.measure, goal.progress) == (Goal.Measure.NONE, None)
