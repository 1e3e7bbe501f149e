"""Demo strategy data: northwind's vision, models, cycles, cascade, check-ins and the rest.

Idempotent: every row is found by its natural key first, so a second run creates nothing.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from cxalign.orgs.demo import Demo
from kpis.models import KPI
from kpis.services import kpi_builtins_ensure
from strategy.models import (
    Capability,
    CheckIn,
    Commitment,
    Cycle,
    Decision,
    Goal,
    GoverningModel,
    Initiative,
    KeyChoice,
    KPIEffect,
    Vision,
)
from strategy.rollup import kpi_progress

VISION = {
    "vision": "Every customer who tries Northwind tells a friend — because we are easy to deal "
    "with, keep our promises and remember them.",
    "mission": "We bring fresh speciality food to independent shops and restaurants, on time "
    "and first time, with people who know their customers by name.",
    "values": "Customer first — we ask what our best customers would think before we decide\n"
    "Keep promises — on time, first time, every time\n"
    "One team — no unit wins by making another lose\n"
    "Know the numbers — we follow the money from loyalty to profit",
}

MODELS = {
    # kind: (owner, cadence months, reviewed days ago, summary, [choices])
    "business": ("exec", 12, 200, "Specialist distributor for independent food retail and "
                 "hospitality; we win on reliability and advice, not on price.",
                 ["Serve independents, not chains", "Advice-led selling by category experts",
                  "Own the last mile in our core regions"]),
    "economic": ("cfo", 3, 120, "Profit grows from retained customers: lifetime value over "
                 "volume.", [("Grow customer lifetime value faster than revenue", "clv"),
                              ("Cut churn of top-tier customers below 8 %", "churn_rate"),
                              ("Fund CX work from the margin of retained accounts", None)]),
    # Nobody took the operational model over when the old COO's deputy left: no owner.
    "operational": (None, 3, 40, "Two regional hubs, next-day delivery, one customer "
                    "service desk.", ["Next-day delivery for orders before 18:00",
                                      "One number, one team for every customer question",
                                      "Plan production with sales and marketing weekly"]),
    "risk": ("cro", 6, 30, "Risks to customers' trust come first.",
             [("Supplier failure on a key category", 3, 4),
              ("Data breach of customer accounts", 2, 5),
              ("Promotion demand beyond production capacity", 4, 3),
              ("Loss of experienced service staff", 3, 3)]),
    "cx": ("exec", 3, 100, "Our promise: easy to order, on time, and we remember you. "
           "Sponsored by the CEO; the CX Office runs it.",
           ["Measure NPS and effort at every key touchpoint",
            "Close the loop with every detractor within 48 hours",
            "Every unit keeps a CX leg in its goals"]),
}  # fmt: skip

CUSTOM_KPIS = [
    ("revenue", "Sales revenue", "EUR m", "up", "Net revenue in the period."),
    ("staff_turnover", "Staff turnover", "%", "down", "Share of staff who left in 12 months."),
    ("lead_time", "Order lead time", "days", "down", "Days from order to delivery."),
    ("on_time_delivery", "On-time delivery", "%", "up", "Orders delivered on the promised day."),
    ("operating_margin", "Operating margin", "%", "up", "Operating profit over revenue."),
    ("first_contact_resolution", "First-contact resolution", "%", "up",
     "Questions solved in the first contact."),
]  # fmt: skip

# key, parent, title, owner, unit, leg, measure/kpi, baseline, target, unit, weight
K, M, R = "kpi", "milestone", "rollup"
GOALS = [
    ("C1", None, "Become the most recommended supplier in our markets", "exec", "Northwind", "cx", ("nps",), 18, 35, "points", 3),
    ("C2", None, "Grow profitable revenue", "cfo", "Finance & Risk", "financial", ("revenue",), 120, 130, "EUR m", 2),
    ("C3", None, "Keep the people who serve our customers", "exec", "Northwind", "people", ("staff_turnover",), 24, 15, "%", 2),
    ("C4", None, "Deliver every order on time, first time", "coo", "Operations", "cx", R, None, None, "", 2),
    ("C5", None, "Keep risk within our appetite", "cro", "Risk & Compliance", "financial", R, None, None, "", 1),
    # A second root: Marketing's own top goal, owned by a manager and not measurable yet.
    ("MKT-0", None, "Be the most talked-about brand at trade fairs", "mmarketing", "Marketing", "financial", "none", None, None, "", 1),
    # Level 2: divisions
    ("CX-1", "C1", "Close the loop with every detractor within 48 hours", "cxlead", "CX Office", "cx", ("csat",), 71, 85, "%", 2),
    ("CX-2", "C1", "Make onboarding effortless", "cxlead", "Digital", "cx", ("onboarding_success_rate",), 62, 80, "%", 1),
    ("CO-1", "C1", "Win back lapsed accounts with advice, not discounts", "cco", "Commercial", "cx", R, None, None, "", 1),
    ("CO-2", "C2", "Grow revenue from existing accounts", "cco", "Commercial", "financial", R, None, None, "", 2),
    ("OP-1", "C4", "Raise on-time delivery", "coo", "Operations", "cx", ("on_time_delivery",), 88, 97, "%", 2),
    ("OP-2", "C4", "Resolve customer questions at first contact", "coo", "Customer Service", "cx", R, None, None, "", 1),
    ("OP-3", "C2", "Lower cost to serve without hurting CX", "coo", "Operations", "financial", ("operating_margin",), 6.5, 8, "%", 1),
    ("FR-1", "C2", "Lift operating margin", "cfo", "Finance", "financial", ("operating_margin",), 6.5, 8.5, "%", 1),
    ("FR-2", "C5", "Fix the top three customer-facing risks", "cro", "Risk & Compliance", "financial", M, None, None, "", 1),
    ("PC-1", "C3", "Make frontline jobs ones people keep", "exec", "People & Culture", "people", R, None, None, "", 1),
    # Level 3: departments
    ("SAL-1", "CO-2", "Grow share of wallet in top-tier accounts", "msales", "Sales", "financial", ("revenue",), 48, 54, "EUR m", 2),
    ("SAL-2", "CO-1", "Quarterly business reviews with every top-tier account", "msales", "Sales", "cx", M, None, None, "", 1),
    ("SAL-3", "PC-1", "Replace the quota bonus with a team-and-NPS bonus", "msales", "Sales", "people", M, None, None, "", 1),
    ("MKT-1", "CO-2", "Campaigns planned with production capacity", "mmarketing", "Marketing", "financial", M, None, None, "", 1),
    ("MKT-2", "CO-1", "Win-back programme for lapsed accounts", "mmarketing", "Marketing", "cx", ("churn_rate",), 14, 10, "%", 1),
    ("MKT-3", "CX-2", "Rewrite the welcome journey with customers", "mmarketing", "Marketing", "cx", M, None, None, "", 1),
    ("PRD-1", "OP-1", "Cut order lead time", "mproduction", "Production", "cx", ("lead_time",), 3.2, 1.5, "days", 2),
    ("PRD-2", "OP-3", "Reduce waste in the fresh range", "mproduction", "Production", "financial", M, None, None, "", 1),
    ("PRD-3", "PC-1", "Safer, steadier shifts in production", "mproduction", "Production", "people", ("staff_turnover",), 28, 18, "%", 1),
    ("LOG-1", "OP-1", "Next-day delivery for orders before 18:00", "coo", "Logistics", "cx", ("on_time_delivery",), 85, 96, "%", 1),
    ("CS-1", "OP-2", "Raise first-contact resolution", "manager", "Customer Service", "cx", ("first_contact_resolution",), 64, 80, "%", 2),
    ("CS-2", "CX-1", "Call back every detractor within 48 hours", "manager", "Customer Service", "cx", M, None, None, "", 1),
    ("CS-3", "PC-1", "Coaching time for every service agent", "manager", "Customer Service", "people", M, None, None, "", 1),
    ("CS-4", "OP-3", "Lower cost per contact with self-service", "manager", "Customer Service", "financial", M, None, None, "", 1),
    ("HR-1", "PC-1", "Halve first-year attrition in frontline roles", "mhr", "Human Resources", "people", ("staff_turnover",), 31, 16, "%", 2),
    ("HR-2", "C3", "Career paths for service and production staff", "mhr", "Human Resources", "people", M, None, None, "", 1),
    ("CXO-1", "CX-1", "NPS and effort at the five key touchpoints", "cxlead", "CX Office", "cx", M, None, None, "", 1),
    ("CXO-2", "C1", "Follow the money: link NPS to churn and CLV", "cxlead", "CX Office", "financial", M, None, None, "", 1),
    ("DIG-1", "CX-2", "Self-service order tracking", "cxlead", "Digital", "cx", ("ces",), 4.6, 3.2, "points", 1),
    ("FIN-1", "FR-1", "Cost-to-serve by customer tier", "cfo", "Finance", "financial", M, None, None, "", 1),
    ("RSK-1", "FR-2", "Promotion capacity check before every campaign", "cro", "Risk & Compliance", "financial", M, None, None, "", 1),
    # Level 4: teams
    ("SD-1", "CS-1", "Knowledge base for the top 50 questions", "msupport", "Support Desk", "cx", M, None, None, "", 1),
    ("SD-2", "CS-2", "Detractor call-back rota", "msupport", "Support Desk", "cx", M, None, None, "", 1),
    ("SD-3", "CS-1", "Fewer transfers between teams", "msupport", "Support Desk", "cx", ("first_contact_resolution",), 60, 78, "%", 1),
    ("SD-4", "CS-3", "Weekly one-to-ones for every agent", "msupport", "Support Desk", "people", M, None, None, "", 1),
    ("IS-1", "SAL-1", "Inside sales: reorder reminders for top-tier accounts", "msales", "Inside Sales", "financial", M, None, None, "", 1),
    ("FS-1", "SAL-2", "Field sales: a review plan per account", "msales", "Field Sales", "cx", M, None, None, "", 1),
    ("FS-2", "SAL-1", "Field sales: advice visits in the cheese range", "msales", "Field Sales", "financial", ("revenue",), 6, 7.5, "EUR m", 1),
]  # fmt: skip

# key: [(days ago, value or progress %, confidence, statement)]
CHECKINS = {
    "C1": [(40, 22, "at_risk", "NPS is moving but detractors from late deliveries hold it back.")],
    "C2": [(35, 123, "on_track", "Existing accounts grow; new business is flat.")],
    "C3": [(38, 22, "at_risk", "Turnover in sales rose after the quota scheme; HR and Sales act on it.")],
    "CX-1": [(50, 74, "at_risk", "Loop closed for 60 % of detractors."),
             (12, 78, "on_track", "Call-back rota in place; 82 % of detractors reached in 48 h.")],
    "CX-2": [(20, 66, "at_risk", "Welcome journey rewrite has started with five customers.")],
    "OP-1": [(15, 91, "at_risk", "Campaign peaks still overload production; capacity check now required.")],
    "FR-1": [(25, 7.1, "on_track", "Waste reduction and self-service lower the cost to serve.")],
    "FR-2": [(30, 40, "on_track", "Supplier dual-sourcing done; promotion capacity check in pilot.")],
    "SAL-1": [(45, 49, "on_track", "Top-tier accounts buy more categories."),
              (9, 50.5, "on_track", "Reorder reminders lift basket size; feeds CO-2 directly.")],
    "SAL-2": [(14, 55, "on_track", "31 of 56 reviews held; customers ask for them twice a year.")],
    "SAL-3": [(10, 30, "off_track", "Quota bonus drove turnover to 35 % in sales; new bonus design "
              "waits for the board.")],
    "MKT-1": [(18, 50, "at_risk", "Spring campaign is now planned with production; autumn not yet.")],
    "MKT-2": [(22, 12.5, "on_track", "Win-back offers advice visits instead of discounts.")],
    "PRD-1": [(16, 2.6, "at_risk", "Lead time down but campaign peaks push it back up.")],
    "PRD-2": [(28, 70, "on_track", "Waste down 18 % in the fresh range.")],
    "PRD-3": [(21, 25, "at_risk", "Overtime during campaign peaks hurts retention.")],
    "LOG-1": [(13, 90, "on_track", "New evening cut-off works in two regions of three.")],
    "CS-1": [(60, 66, "at_risk", "Too many transfers between teams."),
             (11, 71, "on_track", "Knowledge base live; first-contact resolution up 5 points.")],
    "CS-2": [(11, 80, "on_track", "Every detractor called back within 48 h since October.")],
    "CS-3": [(40, 40, "at_risk", "Coaching slots keep being cancelled at peak times.")],
    "HR-1": [(17, 24, "at_risk", "Onboarding buddies help; pay review due in Q1.")],
    "HR-2": [(33, 25, "on_track", "Career paths drafted for service roles.")],
    "CXO-1": [(19, 60, "on_track", "Three of five touchpoints measured.")],
    "CXO-2": [(26, 45, "on_track", "Promoters' churn is a third of detractors'; CLV link next.")],
    "DIG-1": [(24, 4.1, "on_track", "Tracking page in beta with 40 customers.")],
    "FIN-1": [(29, 60, "on_track", "Tiers defined; cost model for top tier done.")],
    "SD-1": [(8, 70, "on_track", "35 of 50 answers written and tested with agents.")],
    "SD-2": [(7, 100, "on_track", "Rota runs; two agents per shift on call-backs.")],
    "SD-3": [(9, 68, "on_track", "Transfers down a quarter since the skills-based routing.")],
    "FS-2": [(12, 6.6, "on_track", "Advice visits in 40 shops; cheese range sales up.")],
}  # fmt: skip

INITIATIVES = [
    # name, kind, unit, owner, status, days ago, goals, description, outcome, effects
    ("Quota-based sales rewards", "program", "Sales", "msales", "stopped", 300, ["SAL-1"],
     "Individual sales quotas with a bonus for the top sellers each month.",
     "Sales rose 9 %, but the cutthroat culture drove staff turnover in sales to 35 % and "
     "customers complained about pushy selling. Stopped in September.",
     [("revenue", "up", 9, True, None, "Sales rose as planned"),
      ("staff_turnover", "up", 11, False, "Sales", "Cutthroat culture, people left"),
      ("nps", "down", 4, False, None, "Customers felt pushed")]),
    ("Spring promotion: 20 % off the fresh range", "campaign", "Marketing", "mmarketing", "done",
     240, ["MKT-1"],
     "A six-week discount campaign to lift orders in the fresh range.",
     "Orders doubled, but production could not keep up: lead times tripled, deliveries were "
     "late and loyal customers defected.",
     [("revenue", "up", 2, True, None, "More orders"),
      ("lead_time", "up", 4, False, "Production", "Production overwhelmed"),
      ("on_time_delivery", "down", 12, False, "Logistics", "Late deliveries"),
      ("churn_rate", "up", 2, False, None, "Loyal customers left")]),
    ("Detractor call-back rota", "process", "Customer Service", "manager", "active", 60,
     ["CS-2", "SD-2"], "Two agents per shift call back every detractor within 48 hours.", "",
     [("nps", "up", 5, True, None, ""), ("churn_rate", "down", 1, True, None, "")]),
    ("Knowledge base for agents", "tool", "Customer Service", "manager", "active", 90,
     ["CS-1", "SD-1"], "Answers to the top 50 questions, written with agents.", "",
     [("first_contact_resolution", "up", 10, True, None, ""), ("ces", "down", 0.5, True, None, "")]),
    ("Campaign capacity check", "process", "Risk & Compliance", "cro", "active", 45,
     ["RSK-1", "MKT-1"], "Every campaign is checked against production capacity before launch.",
     "", [("on_time_delivery", "up", 4, True, "Logistics", "")]),
    ("Self-service order tracking", "tool", "Digital", "cxlead", "active", 70, ["DIG-1"],
     "Customers see where their order is without calling.", "",
     [("ces", "down", 1.2, True, None, ""), ("first_contact_resolution", "up", 3, True, "Customer Service", "Fewer where-is-my-order calls")]),
    ("Cheaper packaging supplier", "cost_cut", "Production", "mproduction", "proposed", 10,
     ["PRD-2"], "Switch to a cheaper packaging supplier to save 4 % on packaging.", "",
     [("operating_margin", "up", 0.3, True, None, ""), ("lead_time", "up", 0.5, False, "Production", "Longer supplier lead times expected")]),
    ("Fewer delivery slots per route", "cost_cut", "Logistics", "coo", "active", 480, ["OP-3"],
     "Two delivery slots per route instead of four, to save driver hours.", "",
     [("operating_margin", "up", 0.4, True, None, ""),
      ("nps", "down", 3, False, None, "Shops lose the delivery slot they plan their day around")]),
]  # fmt: skip

DECISIONS = [
    ("Stop the quota-based sales bonus", 70, "exec", "approve",
     "Our best customers told us sales visits felt pushy; they want advice.", "", False, "",
     ["SAL-3"], ["Quota-based sales rewards"]),
    ("Check every campaign against production capacity", 45, "coo", "approve",
     "They would rather wait for a promotion than get late deliveries.", "", False, "",
     ["RSK-1"], ["Campaign capacity check"]),
    ("Raise the minimum order for free delivery to EUR 150", 20, "cfo", "disapprove",
     "Small restaurants among our best customers order little and often; they would pay more.",
     "Keep free delivery for top-tier accounts and offer combined weekly delivery slots.", False,
     "", ["FR-1"], []),
    ("Close the phone line on Saturdays", 12, "coo", "disapprove",
     "Weekend restaurants would lose the only way to fix a wrong order before service.", "",
     True, "Staffing cannot cover Saturdays this quarter; we review it in the next cycle.",
     ["CS-4"], []),
    ("Switch to a cheaper packaging supplier", 5, "cfo", "neutral",
     "Customers will not notice the packaging if deliveries stay on time.", "", False, "",
     ["PRD-2"], ["Cheaper packaging supplier"]),
]  # fmt: skip

CAPABILITIES = [
    ("Voice-of-customer measurement at touchpoints", 2, 4, "cxlead", "CX Office"),
    ("Customer data in one place", 1, 4, "cxlead", "Digital"),
    ("Capacity planning across sales, marketing and production", 1, 3, "coo", "Operations"),
    ("Coaching for frontline staff", 2, 4, "mhr", "Human Resources"),
    ("Advice-led selling", 3, 4, "msales", "Sales"),
    ("Cost-to-serve analytics", 2, 3, "cfo", "Finance"),
    ("Next-day logistics", 4, 4, "coo", "Logistics"),
]

COMMITMENTS = {
    "exec": "I sponsor the CX model and review NPS with the C-team every month.",
    "coo": "On-time delivery to 97 %: campaigns are planned with production, never against it.",
    "cfo": "I fund CX work from the margin of retained accounts and report cost to serve by tier.",
}


def _kpis(demo: Demo, org) -> dict:
    kpi_builtins_ensure(organization=org)  # normally done when the organization was created
    for key, name, unit, direction, description in CUSTOM_KPIS:
        _, created = KPI.objects.get_or_create(
            organization=org,
            key=key,
            defaults={
                "name": name,
                "unit": unit,
                "direction": direction,
                "description": description,
            },
        )
        demo.count("kpis", created)
    return {k.key: k for k in KPI.objects.filter(organization=org)}


def _northwind(demo: Demo) -> None:
    org = demo.northwind
    kpis = _kpis(demo, org)
    today = timezone.localdate()
    person = lambda name: demo.member(org, name)  # noqa: E731
    unit = lambda name: demo.unit(org, name)  # noqa: E731

    _, created = Vision.objects.get_or_create(organization=org, defaults=VISION)
    demo.count("vision", created)

    for kind, (owner, cadence, ago, summary, choices) in MODELS.items():
        model, created = GoverningModel.objects.get_or_create(
            organization=org,
            kind=kind,
            defaults={
                "owner": person(owner) if owner else None,
                "review_cadence_months": cadence,
                "last_reviewed_on": today - datetime.timedelta(days=ago),
                "summary": summary,
            },
        )
        demo.count("governing_models", created)
        for position, choice in enumerate(choices, start=1):
            fields = {"position": position}
            if kind == "risk":
                text, fields["likelihood"], fields["impact"] = choice
            elif kind == "economic":
                text, kpi_key = choice
                fields["kpi"] = kpis.get(kpi_key) if kpi_key else None
            else:
                text = choice
            _, created = KeyChoice.objects.get_or_create(
                organization=org, model=model, text=text, defaults=fields
            )
            demo.count("key_choices", created)

    year = today.year
    current, created = Cycle.objects.get_or_create(
        organization=org,
        name=f"FY{year}",
        defaults={
            "kind": Cycle.Kind.ANNUAL,
            "starts_on": datetime.date(year, 1, 1),
            "ends_on": datetime.date(year, 12, 31),
            "status": Cycle.Status.ACTIVE,
        },
    )
    demo.count("cycles", created)
    nxt, created = Cycle.objects.get_or_create(
        organization=org,
        name=f"FY{year + 1}",
        defaults={
            "kind": Cycle.Kind.ANNUAL,
            "starts_on": datetime.date(year + 1, 1, 1),
            "ends_on": datetime.date(year + 1, 12, 31),
            "status": Cycle.Status.PREPARING,
        },
    )
    demo.count("cycles", created)
    _, created = Cycle.objects.get_or_create(
        organization=org,
        name=f"FY{year + 1} Q1",
        defaults={
            "kind": Cycle.Kind.QUARTERLY,
            "starts_on": datetime.date(year + 1, 1, 1),
            "ends_on": datetime.date(year + 1, 3, 31),
            "status": Cycle.Status.PREPARING,
        },
    )
    demo.count("cycles", created)

    goals: dict[str, Goal] = {
        g.key: g for g in Goal.objects.filter(cycle=current).select_related("parent")
    }
    for key, parent, title, owner, unit_name, leg, measure, base, target, munit, weight in GOALS:
        if key in goals:
            continue
        is_kpi = isinstance(measure, tuple)
        goal = Goal.objects.create(
            organization=org,
            cycle=current,
            parent=goals.get(parent),
            key=key,
            title=title,
            owner=person(owner),
            org_unit=unit(unit_name),
            leg=leg,
            measure=Goal.Measure.KPI if is_kpi else measure,
            kpi=kpis[measure[0]] if is_kpi else None,
            baseline=Decimal(str(base)) if base is not None else None,
            target=Decimal(str(target)) if target is not None else None,
            measure_unit=munit,
            weight=Decimal(weight),
            due_on=datetime.date(year, 12, 31),
        )
        goals[key] = goal
        demo.count("goals", True)

    now = timezone.now()
    for key, entries in CHECKINS.items():
        goal = goals[key]
        if CheckIn.objects.filter(goal=goal).exists():
            continue
        last = None
        for ago, number, confidence, statement in entries:
            number = Decimal(str(number))
            if goal.measure == Goal.Measure.KPI:
                value = number
                share = kpi_progress(baseline=goal.baseline, target=goal.target, value=value)
                progress = Decimal(str(round(share, 4))) if share is not None else None
            elif goal.measure == Goal.Measure.MILESTONE:
                value, progress = None, number / 100
            else:
                value = progress = None
            checkin = CheckIn.objects.create(
                organization=org,
                goal=goal,
                author=goal.owner,
                value=value,
                progress=progress,
                confidence=confidence,
                statement=statement,
            )
            at = now - datetime.timedelta(days=ago)
            CheckIn.objects.filter(pk=checkin.pk).update(created_at=at)
            last = (value, progress, confidence, at)
            demo.count("checkins", True)
        value, progress, confidence, at = last
        mirror = {"confidence": confidence, "last_checkin_at": at}
        if goal.measure != Goal.Measure.ROLLUP:
            mirror.update(current_value=value, progress=progress)
        Goal.objects.filter(pk=goal.pk).update(**mirror)

    initiatives = {}
    for name, kind, unit_name, owner, status, ago, goal_keys, desc, outcome, effects in INITIATIVES:
        initiative, created = Initiative.objects.get_or_create(
            organization=org,
            name=name,
            defaults={
                "cycle": current,
                "kind": kind,
                "org_unit": unit(unit_name),
                "owner": person(owner),
                "status": status,
                "starts_on": today - datetime.timedelta(days=ago),
                "description": desc,
                "outcome": outcome,
            },
        )
        initiatives[name] = initiative
        demo.count("initiatives", created)
        if created:
            initiative.goals.set([goals[k] for k in goal_keys])
            for kpi_key, direction, amount, intended, affected, note in effects:
                KPIEffect.objects.create(
                    organization=org,
                    initiative=initiative,
                    kpi=kpis[kpi_key],
                    direction=direction,
                    amount=Decimal(str(amount)),
                    intended=intended,
                    affected_unit=unit(affected) if affected else None,
                    note=note,
                )
                demo.count("kpi_effects", True)

    for title, ago, by, view, why, mitigation, override, reason, gkeys, inames in DECISIONS:
        decision, created = Decision.objects.get_or_create(
            organization=org,
            title=title,
            defaults={
                "cycle": current,
                "decided_on": today - datetime.timedelta(days=ago),
                "decided_by": person(by),
                "customer_view": view,
                "customer_view_why": why,
                "mitigation": mitigation,
                "override": override,
                "override_reason": reason,
                "override_by": person(by) if override else None,
                "override_at": now - datetime.timedelta(days=ago) if override else None,
            },
        )
        demo.count("decisions", created)
        if created:
            decision.goals.set([goals[k] for k in gkeys])
            decision.initiatives.set([initiatives[n] for n in inames])

    for name, current_level, needed, owner, unit_name in CAPABILITIES:
        _, created = Capability.objects.get_or_create(
            organization=org,
            name=name,
            defaults={
                "current_level": current_level,
                "needed_level": needed,
                "owner": person(owner),
                "org_unit": unit(unit_name),
            },
        )
        demo.count("capabilities", created)

    for username, statement in COMMITMENTS.items():
        _, created = Commitment.objects.get_or_create(
            organization=org,
            cycle=current,
            executive=person(username),
            defaults={"statement": statement, "goal": goals["C1"]},
        )
        demo.count("commitments", created)

    # The cycle being prepared starts with next year's corporate CX goal.
    _, created = Goal.objects.get_or_create(
        organization=org,
        cycle=nxt,
        key="C1",
        defaults={
            "title": "Become the most recommended supplier in our markets",
            "owner": person("exec"),
            "org_unit": unit("Northwind"),
            "leg": "cx",
            "measure": Goal.Measure.KPI,
            "kpi": kpis["nps"],
            "baseline": Decimal("30"),
            "target": Decimal("40"),
            "measure_unit": "points",
            "weight": Decimal("3"),
        },
    )
    demo.count("goals", created)


def _globex(demo: Demo) -> None:
    org = demo.globex
    kpis = _kpis(demo, org)
    today = timezone.localdate()
    _, created = Vision.objects.get_or_create(
        organization=org,
        defaults={
            "vision": "Support so good our customers never think about it.",
            "mission": "",
            "values": "",
        },
    )
    demo.count("vision", created)
    cycle, created = Cycle.objects.get_or_create(
        organization=org,
        name=f"FY{today.year}",
        defaults={
            "starts_on": datetime.date(today.year, 1, 1),
            "ends_on": datetime.date(today.year, 12, 31),
            "status": Cycle.Status.ACTIVE,
        },
    )
    demo.count("cycles", created)
    outsider = demo.member(org, "outsider")
    top, created = Goal.objects.get_or_create(
        organization=org,
        cycle=cycle,
        key="G1",
        defaults={
            "title": "Answer every ticket within a day",
            "owner": demo.member(org, "exec"),
            "org_unit": demo.unit(org, "Globex"),
            "leg": "cx",
            "measure": Goal.Measure.KPI,
            "kpi": kpis["csat"],
            "baseline": Decimal("70"),
            "target": Decimal("85"),
            "measure_unit": "%",
        },
    )
    demo.count("goals", created)
    _, created = Goal.objects.get_or_create(
        organization=org,
        cycle=cycle,
        key="G1.1",
        defaults={
            "title": "Support rota covering every weekday",
            "parent": top,
            "owner": outsider,
            "org_unit": demo.unit(org, "Globex Support"),
            "leg": "cx",
            "measure": Goal.Measure.MILESTONE,
        },
    )
    demo.count("goals", created)


def load(demo: Demo) -> dict:
    """Create the strategy demo data; returns counts of what it created (empty on a re-run)."""
    before = dict(demo.created)
    _northwind(demo)
    _globex(demo)
    return {k: v - before.get(k, 0) for k, v in demo.created.items() if v - before.get(k, 0)}
