"""Each misalignment rule: one test that raises it, one for its nearest non-case."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from alignment.rules import RULES, evaluate
from alignment.rules.catalogue import CONTRACT
from cxalign.orgs.roles import Role
from feedback.models import Response
from feedback.queue import overdue_by_owner
from kpis.models import KPI
from strategy.models import Goal
from tests.alignment.figures import change
from tests.factories import (
    AudienceFactory,
    CommitmentFactory,
    CycleFactory,
    DecisionFactory,
    FollowUpFactory,
    GoalFactory,
    GoverningModelFactory,
    ImportBatchFactory,
    InitiativeFactory,
    JourneyFactory,
    KPIEffectFactory,
    MembershipFactory,
    OrgUnitFactory,
    ResponseFactory,
    ThemeFactory,
    TouchpointFactory,
)

DAY = datetime.timedelta(days=1)


def run(name, ctx):
    return [f for f in evaluate(ctx, [name]) if f.rule == name]


def one(name, ctx):
    findings = run(name, ctx)
    assert len(findings) == 1, [f.title for f in findings]
    return findings[0]


def subjects(f):
    return [(s.type, s.id, s.label) for s in f.subjects]


@pytest.fixture
def support(org):
    sam = MembershipFactory(
        organization=org, role=Role.MANAGER, user__first_name="Sam", user__last_name="Lee"
    )
    unit = OrgUnitFactory(organization=org, name="Support", leader=sam)
    sam.unit = unit
    sam.save()
    return {"unit": unit, "sam": sam}


def kpi(org, key):
    return KPI.objects.get(organization=org, key=key)


# ---------------------------------------------------------------- the cascade


def test_orphan_goal_raised_for_top_level_goal_not_owned_by_c_team(ctx, cycle, support):
    sam = support["sam"]
    goal = GoalFactory(
        cycle=cycle, title="Cut support cost 20 %", owner=sam, org_unit=support["unit"]
    )
    GoalFactory(cycle=cycle, parent=goal, owner=sam)
    f = one("orphan_goal", ctx())
    assert f.severity == "medium"
    assert f.title == (
        "Goal “Cut support cost 20 %” (Support) has no parent and is owned by Sam Lee, "
        "who is not on the C-team"
    )
    assert subjects(f) == [("goal", goal.id, "Cut support cost 20 %")]
    assert f.subjects[0].url == f"/o/acme/strategy/goals/{goal.id}/"
    assert f.evidence["owner_role"] == "manager" and f.evidence["contributing_goals"] == 1
    assert (f.owner_id, f.owner_label, f.unit_id, f.magnitude) == (
        sam.id, "Sam Lee", support["unit"].id, 2.0
    )  # fmt: skip


def test_orphan_goal_not_raised_for_c_team_goal_or_children(ctx, cycle, executive, support):
    corp = GoalFactory(cycle=cycle, owner=executive)
    GoalFactory(cycle=cycle, parent=corp, owner=support["sam"])
    GoalFactory(cycle=cycle, owner=support["sam"], status=Goal.Status.DROPPED)
    assert run("orphan_goal", ctx()) == []


def test_unit_without_cx_goal_raised_when_no_goal_on_cx_leg(ctx, cycle, support):
    GoalFactory(cycle=cycle, org_unit=support["unit"], leg="financial")
    GoalFactory(cycle=cycle, org_unit=support["unit"], leg="people")
    GoalFactory(cycle=cycle, org_unit=support["unit"], leg="cx", status=Goal.Status.DROPPED)
    f = one("unit_without_cx_goal", ctx())
    assert f.severity == "high"
    assert subjects(f) == [("unit", support["unit"].id, "Support")]
    assert f"unit={support['unit'].id}" in f.subjects[0].url
    assert f.evidence["goals"] == 2
    assert f.evidence["legs"] == {"financial": 1, "people": 1, "cx": 0}
    assert (f.owner_id, f.unit_id, f.magnitude) == (support["sam"].id, support["unit"].id, 2.0)


def test_unit_without_cx_goal_not_raised_with_one_cx_goal(ctx, cycle, support):
    GoalFactory(cycle=cycle, org_unit=support["unit"], leg="financial")
    GoalFactory(cycle=cycle, org_unit=support["unit"], leg="cx")
    assert run("unit_without_cx_goal", ctx()) == []


def test_owner_without_cx_goal_raised_for_manager_missing_third_leg(ctx, cycle, support):
    sam = support["sam"]
    GoalFactory(cycle=cycle, owner=sam, leg="financial")
    f = one("owner_without_cx_goal", ctx())
    assert f.severity == "medium"
    assert subjects(f) == [("member", sam.id, "Sam Lee")]
    assert f.evidence["legs"]["financial"] == 1 and f.evidence["goals"] == 1
    assert (f.owner_id, f.owner_label, f.unit_id, f.magnitude) == (
        sam.id, "Sam Lee", support["unit"].id, 1.0
    )  # fmt: skip


def test_owner_without_cx_goal_not_raised_when_owner_has_cx_goal(ctx, cycle, support):
    GoalFactory(cycle=cycle, owner=support["sam"], leg="financial")
    GoalFactory(cycle=cycle, owner=support["sam"], leg="cx")
    assert run("owner_without_cx_goal", ctx()) == []


def test_executive_without_cx_contribution_raised(ctx, org, cycle, executive):
    other = MembershipFactory(organization=org, role=Role.EXECUTIVE, user__username="t_cfo")
    money = GoalFactory(cycle=cycle, owner=other, leg="financial")
    CommitmentFactory(cycle=cycle, executive=other, goal=money)
    found = {f.owner_id: f for f in run("executive_without_cx_contribution", ctx())}
    assert set(found) == {executive.id, other.id}
    none, wrong = found[executive.id], found[other.id]
    assert none.severity == "high" and none.magnitude == 2.0
    assert none.evidence == {"has_commitment": False, "cycle_id": cycle.id}
    assert subjects(none) == [("member", executive.id, executive.display_name)]
    assert wrong.magnitude == 1.0 and wrong.evidence["has_commitment"] is True
    assert "names no corporate CX goal" in wrong.title


def test_executive_without_cx_contribution_not_raised_with_cx_commitment(ctx, cycle, executive):
    cx = GoalFactory(cycle=cycle, owner=executive, leg="cx")
    CommitmentFactory(cycle=cycle, executive=executive, goal=cx)
    assert run("executive_without_cx_contribution", ctx()) == []


def test_goal_without_target_raised_for_unmeasurable_and_incomplete_kpi_goals(
    ctx, org, cycle, support
):
    vague = GoalFactory(cycle=cycle, measure=Goal.Measure.NONE, owner=support["sam"])
    half = GoalFactory(
        cycle=cycle, measure=Goal.Measure.KPI, kpi=kpi(org, "nps"), baseline=Decimal("20")
    )
    found = {f.subjects[0].id: f for f in run("goal_without_target", ctx())}
    assert set(found) == {vague.id, half.id}
    assert found[vague.id].severity == "low"
    assert found[vague.id].evidence == {"measure": "none", "missing": ["measure"]}
    assert "is not measurable yet" in found[vague.id].title
    assert found[vague.id].owner_id == support["sam"].id
    assert found[half.id].evidence["missing"] == ["target", "measure_unit"]
    assert found[half.id].magnitude == 2.0


def test_goal_without_target_not_raised_for_complete_kpi_goal(ctx, org, cycle):
    GoalFactory(
        cycle=cycle, measure=Goal.Measure.KPI, kpi=kpi(org, "nps"), baseline=Decimal("20"),
        target=Decimal("40"), measure_unit="points",
    )  # fmt: skip
    GoalFactory(cycle=cycle, measure=Goal.Measure.MILESTONE)
    assert run("goal_without_target", ctx()) == []


def test_stale_checkin_raised_past_cadence(ctx, cycle, support):
    now = timezone.now()
    late = GoalFactory(cycle=cycle, owner=support["sam"], org_unit=support["unit"])
    never = GoalFactory(cycle=cycle)
    Goal.objects.filter(pk=late.pk).update(last_checkin_at=now - datetime.timedelta(days=45))
    Goal.objects.filter(pk=never.pk).update(created_at=now - datetime.timedelta(days=200))
    found = {f.subjects[0].id: f for f in run("stale_checkin", ctx(now=now))}
    assert set(found) == {late.id, never.id}
    f = found[late.id]
    assert f.severity == "medium" and f.owner_id == support["sam"].id
    assert f.evidence["days_since"] == pytest.approx(45.0, abs=1e-9)
    assert f.magnitude == pytest.approx(15.0, abs=1e-9)
    # Never checked in: counted from the cycle's start (the goal is older), 100 days.
    assert found[never.id].evidence["days_since"] == 100.0
    assert found[never.id].severity == "high" and found[never.id].magnitude == 70.0


def test_stale_checkin_not_raised_within_cadence_or_before_cycle_starts(ctx, org, cycle):
    now = timezone.now()
    goal = GoalFactory(cycle=cycle)
    Goal.objects.filter(pk=goal.pk).update(last_checkin_at=now - datetime.timedelta(days=29))
    done = GoalFactory(cycle=cycle, status=Goal.Status.ACHIEVED)
    Goal.objects.filter(pk=done.pk).update(created_at=now - datetime.timedelta(days=300))
    assert run("stale_checkin", ctx(now=now)) == []
    today = timezone.localdate()
    future = CycleFactory(organization=org, starts_on=today + DAY, ends_on=today + 90 * DAY)
    GoalFactory(cycle=future)
    from tests.alignment.figures import make_ctx

    assert run("stale_checkin", make_ctx(org, future)) == []


def _kpi_goal(org, cycle, **kw):
    fields = dict(
        measure=Goal.Measure.KPI, kpi=kpi(org, "nps"), baseline=Decimal("20"),
        target=Decimal("40"), measure_unit="points", confidence="on_track",
    )  # fmt: skip
    fields.update(kw)
    return GoalFactory(cycle=cycle, **fields)


def test_goal_confidence_contradicted_raised_when_kpi_moves_away(ctx, org, cycle, support):
    goal = _kpi_goal(org, cycle, owner=support["sam"])
    figures = {"kpis": {"nps": {"all": {"previous": 31.25, "current": 24.5}}}}
    f = one("goal_confidence_contradicted", ctx(figures))
    assert f.severity == "high" and subjects(f) == [("goal", goal.id, goal.title)]
    assert f.evidence["previous"] == 31.25 and f.evidence["current"] == 24.5
    assert f.evidence["change"] == pytest.approx(24.5 - 31.25, abs=1e-9)
    assert f.magnitude == pytest.approx(6.75, abs=1e-9)
    assert f.owner_id == support["sam"].id


def test_goal_confidence_contradicted_not_raised_when_moving_toward_or_not_on_track(
    ctx, org, cycle
):
    _kpi_goal(org, cycle)
    _kpi_goal(org, cycle, confidence="at_risk")
    assert run("goal_confidence_contradicted", ctx({"kpis": {"nps": {"all": {
        "previous": 20.0, "current": 25.0}}}})) == []  # fmt: skip
    # A goal to lower its KPI (churn 8 % -> 5 %): churn falling is toward the target.
    _kpi_goal(org, cycle, kpi=kpi(org, "churn_rate"), baseline=Decimal("8"), target=Decimal("5"))
    figures = {"kpis": {"nps": {"all": {"previous": 20, "current": 25}},
                        "churn_rate": {"all": {"previous": 8.0, "current": 7.0}}}}  # fmt: skip
    assert run("goal_confidence_contradicted", ctx(figures)) == []


# ---------------------------------------------------------------- initiatives


def test_initiative_hurts_cx_kpi_raised_for_wrong_direction(ctx, org, cycle, support):
    ini = InitiativeFactory(cycle=cycle, org_unit=support["unit"], name="Close the branch")
    churn = kpi(org, "churn_rate")
    KPIEffectFactory(initiative=ini, kpi=churn, direction="up", amount=Decimal("1.5"))
    f = one("initiative_hurts_cx_kpi", ctx())
    assert f.severity == "high"
    assert subjects(f) == [
        ("initiative", ini.id, "Close the branch"),
        ("kpi", churn.id, churn.name),
    ]
    assert f.evidence["kpi"] == "churn_rate" and f.evidence["kpi_direction"] == "down"
    assert f.evidence["amount"] == 1.5 and f.magnitude == 1.5
    # No initiative owner: its unit's leader answers for it.
    assert (f.owner_id, f.unit_id) == (support["sam"].id, support["unit"].id)


def test_initiative_hurts_cx_kpi_not_raised_for_right_direction_or_other_kpi(
    ctx, org, cycle, support
):
    ini = InitiativeFactory(cycle=cycle, org_unit=support["unit"])
    KPIEffectFactory(initiative=ini, kpi=kpi(org, "churn_rate"), direction="down")
    KPIEffectFactory(initiative=ini, kpi=kpi(org, "nps"), direction="up")
    cost = KPI.objects.create(
        organization=org, key="cost", name="Cost", unit="EUR", direction="down"
    )
    KPIEffectFactory(initiative=ini, kpi=cost, direction="up")
    stopped = InitiativeFactory(cycle=cycle, org_unit=support["unit"], status="stopped")
    KPIEffectFactory(initiative=stopped, kpi=kpi(org, "nps"), direction="down")
    assert run("initiative_hurts_cx_kpi", ctx()) == []


@pytest.fixture
def sales_goal(org, cycle):
    sales = OrgUnitFactory(organization=org, name="Sales")
    revenue = KPI.objects.create(organization=org, key="revenue", name="Revenue", unit="EUR")
    goal = GoalFactory(
        cycle=cycle, org_unit=sales, measure=Goal.Measure.KPI, kpi=revenue,
        baseline=Decimal("100"), target=Decimal("120"), measure_unit="EUR",
    )  # fmt: skip
    return goal


def test_initiative_hurts_other_unit_raised(ctx, cycle, support, sales_goal):
    ini = InitiativeFactory(cycle=cycle, org_unit=support["unit"], owner=support["sam"])
    KPIEffectFactory(initiative=ini, kpi=sales_goal.kpi, direction="down", intended=False)
    f = one("initiative_hurts_other_unit", ctx())
    sales = sales_goal.org_unit
    assert f.severity == "high"
    assert subjects(f) == [
        ("initiative", ini.id, ini.name),
        ("kpi", sales_goal.kpi.id, "Revenue"),
        ("unit", sales.id, "Sales"),
    ]
    assert f.evidence["hurt_goal_ids"] == [sales_goal.id] and f.evidence["intended"] is False
    assert (f.owner_id, f.unit_id, f.magnitude) == (support["sam"].id, support["unit"].id, 1.0)


def test_initiative_hurts_other_unit_not_raised_when_helping_or_own_unit(
    ctx, org, cycle, support, sales_goal
):
    helps = InitiativeFactory(cycle=cycle, org_unit=support["unit"])
    KPIEffectFactory(initiative=helps, kpi=sales_goal.kpi, direction="up")
    own = InitiativeFactory(cycle=cycle, org_unit=sales_goal.org_unit)
    KPIEffectFactory(initiative=own, kpi=sales_goal.kpi, direction="down")
    elsewhere = InitiativeFactory(cycle=cycle, org_unit=support["unit"])
    third = OrgUnitFactory(organization=org, name="Finance")
    KPIEffectFactory(
        initiative=elsewhere, kpi=sales_goal.kpi, direction="down", affected_unit=third
    )
    assert run("initiative_hurts_other_unit", ctx()) == []


def _periods():
    return {"current": {"first_day": "2026-07-01", "last_day": "2026-09-30"}}


def test_initiative_touchpoint_worsened_raised(ctx, org, cycle, support):
    tp = TouchpointFactory(organization=org, stage__journey__audience__organization=org)
    ini = InitiativeFactory(
        cycle=cycle, org_unit=support["unit"], starts_on=datetime.date(2026, 6, 1)
    )
    tp.initiatives.add(ini)
    figures = {
        "periods": _periods(),
        "touchpoints": {tp.name: change(12.5, -3.0, touchpoint_id=tp.id)},
    }
    f = one("initiative_touchpoint_worsened", ctx(figures))
    assert f.severity == "high"
    assert subjects(f) == [("initiative", ini.id, ini.name), ("touchpoint", tp.id, tp.name)]
    assert f.subjects[1].url == f"/o/acme/journeys/{tp.journey_id}/"
    assert f.evidence["change_points"] == -15.5 and f.evidence["current_nps"] == -3.0
    assert f.magnitude == 15.5 and f.owner_id == support["sam"].id


def test_initiative_touchpoint_worsened_not_raised_for_noise_or_later_start(
    ctx, org, cycle, support
):
    tp = TouchpointFactory(organization=org, stage__journey__audience__organization=org)
    later = InitiativeFactory(
        cycle=cycle, org_unit=support["unit"], starts_on=datetime.date(2026, 10, 1)
    )
    tp.initiatives.add(later)
    figures = {
        "periods": _periods(),
        "touchpoints": {tp.name: change(12.5, -3.0, touchpoint_id=tp.id)},
    }
    assert run("initiative_touchpoint_worsened", ctx(figures)) == []
    early = InitiativeFactory(cycle=cycle, org_unit=support["unit"])
    tp.initiatives.add(early)
    noise = {tp.name: change(12.5, 9.0, significant=False, touchpoint_id=tp.id)}
    assert run("initiative_touchpoint_worsened", ctx({"touchpoints": noise})) == []


# ---------------------------------------------------------------- journeys


def test_touchpoint_unaddressed_raised_for_negative_falling_unlinked_touchpoint(
    ctx, org, cycle, support
):
    tp = TouchpointFactory(
        organization=org, stage__journey__audience__organization=org, owner=support["unit"],
        name="Call centre",
    )  # fmt: skip
    old = CycleFactory(organization=org, starts_on=datetime.date(2024, 1, 1),
                       ends_on=datetime.date(2024, 12, 31))  # fmt: skip
    tp.goals.add(GoalFactory(cycle=old))  # last year's goal does not address it now
    tp.goals.add(GoalFactory(cycle=cycle, status=Goal.Status.DROPPED))
    figures = {"touchpoints": {"Call centre": change(10.0, -20.0, touchpoint_id=tp.id)}}
    f = one("touchpoint_unaddressed", ctx(figures))
    assert f.severity == "high"
    assert subjects(f) == [("touchpoint", tp.id, "Call centre")]
    assert f.evidence["current_nps"] == -20.0 and f.evidence["change_points"] == -30.0
    assert f.magnitude == 50.0
    assert (f.owner_id, f.unit_id) == (support["sam"].id, support["unit"].id)


def test_touchpoint_unaddressed_not_raised_when_linked_or_healthy(ctx, org, cycle):
    tp = TouchpointFactory(organization=org, stage__journey__audience__organization=org)
    fine = TouchpointFactory(organization=org, stage__journey__audience__organization=org)
    tp.initiatives.add(InitiativeFactory(cycle=cycle, org_unit=OrgUnitFactory(organization=org)))
    figures = {"touchpoints": {
        tp.name: change(10.0, -20.0, touchpoint_id=tp.id),
        fine.name: change(30.0, 25.0, significant=False, touchpoint_id=fine.id),
    }}  # fmt: skip
    assert run("touchpoint_unaddressed", ctx(figures)) == []


def test_audience_without_journey_raised_when_only_archived_journeys(ctx, org, executive):
    GoverningModelFactory(organization=org, kind="cx", owner=executive)
    audience = AudienceFactory(organization=org, name="Young families", rank=1)
    JourneyFactory(audience=audience, status="archived")
    f = one("audience_without_journey", ctx())
    assert f.severity == "high" and f.magnitude == 1.0
    assert subjects(f) == [("audience", audience.id, "Young families")]
    assert f.evidence["rank"] == 1
    assert f.owner_id == executive.id


def test_audience_without_journey_not_raised_with_a_current_journey(ctx, org):
    audience = AudienceFactory(organization=org, rank=2)
    JourneyFactory(audience=audience, status="archived")
    JourneyFactory(audience=audience, status="current")
    assert run("audience_without_journey", ctx()) == []


def test_data_asked_twice_raised_per_journey_and_field(ctx, org):
    a = TouchpointFactory(organization=org, stage__journey__audience__organization=org,
                          data_fields=["Email ", "vat number"])  # fmt: skip
    b = TouchpointFactory(stage=a.stage, data_fields=["email"])
    f = one("data_asked_twice", ctx())
    journey = a.journey
    assert f.severity == "low" and f.magnitude == 2.0
    assert subjects(f) == [("journey", journey.id, journey.name), ("data", "email", "email")]
    assert [t["id"] for t in f.evidence["touchpoints"]] == [a.id, b.id]


def test_data_asked_twice_not_raised_across_journeys_or_archived(ctx, org):
    TouchpointFactory(organization=org, stage__journey__audience__organization=org,
                      data_fields=["email"])  # fmt: skip
    TouchpointFactory(organization=org, stage__journey__audience__organization=org,
                      data_fields=["email"])  # fmt: skip
    old = TouchpointFactory(organization=org, stage__journey__audience__organization=org,
                            stage__journey__status="archived", data_fields=["phone"])  # fmt: skip
    TouchpointFactory(stage=old.stage, data_fields=["phone"])
    assert run("data_asked_twice", ctx()) == []


# ---------------------------------------------------------------- decisions and models


def test_decision_disapproved_unmitigated_raised_for_override(ctx, org, cycle, executive):
    decision = DecisionFactory(
        organization=org, cycle=cycle, title="Charge for paper bills", customer_view="disapprove",
        customer_view_why="They hate fees.", override=True, override_reason="Margin.",
        override_by=executive,
    )  # fmt: skip
    f = one("decision_disapproved_unmitigated", ctx())
    assert f.severity == "high" and "overridden without a mitigation" in f.title
    assert subjects(f) == [("decision", decision.id, "Charge for paper bills")]
    assert f.evidence["override"] is True and f.evidence["override_reason"] == "Margin."
    assert f.owner_id == executive.id


def test_decision_disapproved_unmitigated_not_raised_with_mitigation(ctx, org, cycle):
    DecisionFactory(organization=org, cycle=cycle, customer_view="disapprove",
                    mitigation="Free e-bills for everyone.")  # fmt: skip
    DecisionFactory(organization=org, cycle=cycle, customer_view="approve")
    assert run("decision_disapproved_unmitigated", ctx()) == []


def test_model_review_overdue_raised(ctx, org, executive):
    today = timezone.localdate()
    model = GoverningModelFactory(
        organization=org, kind="cx", owner=executive, last_reviewed_on=today - 200 * DAY,
        review_cadence_months=3,
    )  # fmt: skip
    f = one("model_review_overdue", ctx())
    overdue = (today - model.next_review_on).days
    assert f.severity == "high" and f.magnitude == float(overdue) and overdue > 80
    assert subjects(f) == [("model", model.id, "CX model")]
    assert f.evidence["next_review_on"] == model.next_review_on.isoformat()
    assert f.owner_id == executive.id


def test_model_review_overdue_not_raised_when_recently_reviewed(ctx, org, executive):
    GoverningModelFactory(organization=org, kind="risk", owner=executive,
                          last_reviewed_on=timezone.localdate() - 10 * DAY)  # fmt: skip
    assert run("model_review_overdue", ctx()) == []


def test_model_without_owner_raised_for_missing_or_departed_owner(ctx, org):
    gone = MembershipFactory(organization=org, role=Role.EXECUTIVE, is_active=False)
    cx = GoverningModelFactory(organization=org, kind="cx", owner=gone)
    risk = GoverningModelFactory(organization=org, kind="risk", owner=None)
    found = {f.subjects[0].id: f for f in run("model_without_owner", ctx())}
    assert set(found) == {cx.id, risk.id}
    assert found[cx.id].severity == "high" and found[cx.id].evidence["former_owner_id"] == gone.id
    assert found[risk.id].severity == "medium" and found[risk.id].owner_id is None


def test_model_without_owner_not_raised_with_active_owner(ctx, org, executive):
    GoverningModelFactory(organization=org, kind="cx", owner=executive)
    assert run("model_without_owner", ctx()) == []


# ---------------------------------------------------------------- feedback


def test_segment_nps_fell_raised_for_significant_fall(ctx, org, executive):
    GoverningModelFactory(organization=org, kind="cx", owner=executive)
    AudienceFactory(organization=org, name="Small business", segment_key="smb")
    figures = {"nps": {"all": change(30.0, 20.0), "smb": change(12.0, 2.0)}}
    found = {f.subjects[0].id: f for f in run("segment_nps_fell", ctx(figures))}
    assert set(found) == {"all", "smb"}
    assert found["all"].severity == "high" and found["all"].magnitude == 10.0
    assert found["smb"].severity == "medium"
    assert subjects(found["smb"]) == [("segment", "smb", "Small business")]
    assert found["smb"].subjects[0].url.endswith("/feedback/responses/?segment=smb")
    assert found["all"].evidence["change_points"] == -10.0
    assert found["all"].owner_id == executive.id


def test_segment_nps_fell_not_raised_for_noise_or_rise(ctx):
    figures = {"nps": {"all": change(20.0, 30.0), "smb": change(12.0, 2.0, significant=False)}}
    assert run("segment_nps_fell", ctx(figures)) == []


def _theme_figures(theme, rising=True):
    return {"themes": {theme.name: {
        "theme_id": theme.id, "previous": {"responses": 10, "share": 0.05, "nps": -10.0},
        "current": {"responses": 48, "share": 0.12, "nps": -40.0},
        "share_ratio_current_to_previous": 2.4, "rising": rising,
    }}}  # fmt: skip


def test_rising_theme_unanswered_raised(ctx, org, cycle, support):
    theme = ThemeFactory(organization=org, name="Refund delays", owner_unit=support["unit"])
    old = CycleFactory(organization=org, starts_on=datetime.date(2024, 1, 1),
                       ends_on=datetime.date(2024, 12, 31))  # fmt: skip
    theme.goals.add(GoalFactory(cycle=old))
    f = one("rising_theme_unanswered", ctx(_theme_figures(theme)))
    assert f.severity == "medium" and f.magnitude == 0.12
    assert subjects(f) == [("theme", theme.id, "Refund delays")]
    assert f.evidence["share_ratio_current_to_previous"] == 2.4
    assert (f.owner_id, f.unit_id) == (support["sam"].id, support["unit"].id)


def test_rising_theme_unanswered_not_raised_when_answered_or_not_rising(ctx, org, cycle):
    answered = ThemeFactory(organization=org)
    answered.initiatives.add(
        InitiativeFactory(cycle=cycle, org_unit=OrgUnitFactory(organization=org))
    )
    calm = ThemeFactory(organization=org)
    figures = _theme_figures(answered)
    figures["themes"].update(_theme_figures(calm, rising=False)["themes"])
    assert run("rising_theme_unanswered", ctx(figures)) == []


def test_cycle_inputs_late_raised_without_import_in_the_60_days_before(ctx, org, cycle):
    due = cycle.inputs_due_on
    at = datetime.datetime.combine(due - 61 * DAY, datetime.time(12), tzinfo=datetime.UTC)
    ImportBatchFactory(organization=org, finished_at=at)
    ImportBatchFactory(organization=org, finished_at=at + 50 * DAY, status="failed")
    f = one("cycle_inputs_late", ctx())
    late = (timezone.localdate() - due).days
    assert f.severity == "high" and f.magnitude == float(late) and late > 0
    assert subjects(f) == [("cycle", cycle.id, "FY")]
    assert f.evidence["inputs_due_on"] == due.isoformat()
    assert f.evidence["last_import_before_due"] == at.isoformat()


def test_cycle_inputs_late_not_raised_with_import_before_due(ctx, org, cycle):
    at = datetime.datetime.combine(cycle.inputs_due_on - 10 * DAY, datetime.time(12),
                                   tzinfo=datetime.UTC)  # fmt: skip
    ImportBatchFactory(organization=org, finished_at=at)
    assert run("cycle_inputs_late", ctx()) == []


def test_unlinked_feedback_raised_over_5_percent(ctx):
    quality = {"responses": 1000, "linked": 940, "unlinked": 60, "unlinked_share": 0.06}
    f = one("unlinked_feedback", ctx({"data_quality": {"current": quality}}))
    assert f.severity == "medium" and f.magnitude == 0.06
    assert f.evidence["unlinked"] == 60 and f.evidence["threshold"] == 0.05
    assert subjects(f) == [("data", "unlinked_responses", "Responses matching no customer")]


def test_unlinked_feedback_not_raised_at_5_percent(ctx):
    quality = {"responses": 1000, "unlinked": 50, "unlinked_share": 0.05}
    assert run("unlinked_feedback", ctx({"data_quality": {"current": quality}})) == []


def _aged(followup, hours, now):
    type(followup).objects.filter(pk=followup.pk).update(
        created_at=now - datetime.timedelta(hours=hours)
    )


def test_followup_backlog_raised_per_owning_unit(ctx, org, support, member):
    now = timezone.now()
    agent = MembershipFactory(organization=org, unit=support["unit"])
    for hours in (50, 72):
        _aged(FollowUpFactory(response__source__organization=org, owner=agent), hours, now)
    _aged(FollowUpFactory(response__source__organization=org), 60, now)
    _aged(
        FollowUpFactory(response__source__organization=org, owner=agent, status="contacted"),
        99,
        now,
    )
    FollowUpFactory(response__source__organization=org, owner=agent)  # within the SLA
    found = {f.subjects[0].id: f for f in run("followup_backlog", ctx(now=now))}
    assert set(found) == {support["unit"].id, "no-owner"}
    unit = found[support["unit"].id]
    assert unit.severity == "medium" and unit.magnitude == 2.0
    assert unit.evidence["open_past_sla"] == 2 and unit.evidence["sla_hours"] == 48
    assert unit.evidence["oldest_hours"] == pytest.approx(72.0, abs=1e-6)
    assert (unit.owner_id, unit.unit_id) == (support["sam"].id, support["unit"].id)
    nobody = found["no-owner"]
    assert nobody.severity == "high" and nobody.magnitude == 1.0 and nobody.owner_id is None
    assert subjects(nobody) == [("unit", "no-owner", "no owner")]


def test_followup_backlog_counts_detractors_nobody_picked_up_as_the_queue_does(ctx, org):
    """A detractor with no follow-up at all waits too: the flag counts what the follow-up
    queue shows as overdue (feedback.queue), nothing more, nothing less."""
    now = timezone.now()
    old = [ResponseFactory(source__organization=org, nps=n) for n in (0, 6, 3)]
    promoter = ResponseFactory(source__organization=org, nps=9)
    fresh = ResponseFactory(source__organization=org, nps=2)
    for response in [*old, promoter]:
        _aged(response, 49, now)
    _aged(fresh, 47, now)
    found = run("followup_backlog", ctx(now=now))
    # Independently: detractors (0-6) waiting for longer than 48 hours, nobody owning them.
    waiting = [r for r in Response.objects.filter(organization=org)
               if r.nps <= 6 and (now - r.created_at).total_seconds() > 48 * 3600]  # fmt: skip
    assert len(waiting) == 3
    assert [(f.subjects[0].id, f.magnitude, f.severity) for f in found] == [
        ("no-owner", 3.0, "high")
    ]
    assert overdue_by_owner(organization=org, now=now) == [
        {"owner_id": None, "name": "Nobody yet", "overdue": 3}
    ]
    assert found[0].subjects[0].url.endswith("/feedback/followups/?status=open&age=overdue")


def test_followup_backlog_not_raised_within_sla(ctx, org):
    now = timezone.now()
    _aged(FollowUpFactory(response__source__organization=org), 47, now)
    assert run("followup_backlog", ctx(now=now)) == []


# ---------------------------------------------------------------- the whole catalogue


def test_registered_rules_are_the_contract():
    from alignment.rules import catalogue  # noqa: F401  (registers the rules)

    assert set(RULES) == CONTRACT
    assert len(CONTRACT) == 21


def _cascade(org, cycle, executive, first: int, last: int) -> dict:
    """Units first..last-1, each with a leader, goals on two legs, an initiative hurting a CX KPI and a
    touchpoint asked twice, a rising theme, a detractor follow-up and a falling segment."""
    corp = GoalFactory(cycle=cycle, owner=executive, leg="cx")
    figures = {"nps": {}, "touchpoints": {}, "themes": {}, "kpis": {"nps": {"all": {
        "previous": 30.0, "current": 20.0}}}, "periods": _periods(),
        "data_quality": {"current": {"responses": 10, "unlinked": 5, "unlinked_share": 0.5}}}  # fmt: skip
    old = timezone.now() - datetime.timedelta(days=90)
    for i in range(first, last):
        lead = MembershipFactory(organization=org, role=Role.MANAGER)
        unit = OrgUnitFactory(organization=org, leader=lead)
        goal = GoalFactory(cycle=cycle, parent=corp, owner=lead, org_unit=unit, leg="financial")
        _kpi_goal(org, cycle, parent=goal, owner=lead, org_unit=unit, leg="people")
        GoalFactory(cycle=cycle, owner=lead, measure=Goal.Measure.NONE)
        ini = InitiativeFactory(cycle=cycle, org_unit=unit, owner=lead)
        KPIEffectFactory(initiative=ini, kpi=kpi(org, "nps"), direction="down")
        tp = TouchpointFactory(organization=org, stage__journey__audience__organization=org,
                               owner=unit, data_fields=["email"])  # fmt: skip
        twin = TouchpointFactory(stage=tp.stage, data_fields=["email"])
        tp.initiatives.add(ini)
        figures["touchpoints"][tp.name] = change(10.0, -20.0, touchpoint_id=tp.id)
        figures["touchpoints"][twin.name] = change(10.0, -20.0, touchpoint_id=twin.id)
        AudienceFactory(organization=org, segment_key=f"seg-{i}")
        figures["nps"][f"seg-{i}"] = change(10.0, -5.0)
        theme = ThemeFactory(organization=org, owner_unit=unit)
        figures["themes"].update(_theme_figures(theme)["themes"])
        DecisionFactory(organization=org, cycle=cycle, customer_view="disapprove", decided_by=lead)
        _aged(FollowUpFactory(response__source__organization=org, owner=lead), 100, timezone.now())
    Goal.objects.filter(organization=org).update(created_at=old, confidence="on_track")
    return figures


def test_evaluate_runs_every_rule_in_constant_queries(
    org, cycle, executive, django_assert_max_num_queries
):
    from tests.alignment.figures import make_ctx

    GoverningModelFactory(organization=org, kind="cx", owner=executive)
    GoverningModelFactory(organization=org, kind="risk", owner=None)
    figures = _cascade(org, cycle, executive, 0, 1)
    with django_assert_max_num_queries(30):
        small = evaluate(make_ctx(org, cycle, figures))
    figures = _cascade(org, cycle, executive, 1, 6)
    with django_assert_max_num_queries(30):
        large = evaluate(make_ctx(org, cycle, figures))
    raised = {f.rule for f in large}
    assert (
        raised
        >= CONTRACT
        - {"orphan_goal", "cycle_inputs_late", "model_review_overdue"}
        - {"audience_without_journey", "executive_without_cx_contribution"}
        or raised
    )
    assert len(large) > len(small)


# ---------------------------------------------------------------- subjects' links


@pytest.mark.parametrize(
    "name, args",
    [("strategy:cascade", ()), ("strategy:goal_detail", (7,)), ("strategy:goal_detail", (123,)),
     ("journeys:board", (98765,)), ("feedback:responses", ()), ("kpis:kpi_edit", (1,))],
)  # fmt: skip
def test_rule_links_are_the_pages_reverse_gives(ctx, org, name, args):
    """ctx.url fills a template reversed once per name: the same URL as reverse() each time."""
    from django.urls import reverse

    context = ctx()
    first = context.url(name, *args)
    assert first == reverse(name, args=[org.slug, *args])
    assert context.url(name, *args) == first  # from the template the first call kept
