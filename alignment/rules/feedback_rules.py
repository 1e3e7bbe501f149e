"""Rules about the voice of the customer: falling segments, rising themes nobody answers,
late or unlinked inputs, detractors nobody calls back. Figures come from `ctx.figures`."""

import datetime
import zoneinfo
from urllib.parse import urlencode

from django.db.models import BooleanField, Case, Count, Min, Value, When

from alignment.rules.base import Finding, RuleContext, Subject, rule
from alignment.rules.common import answered, cx_sponsor, nps_fell, unit_leader
from feedback.models import ImportBatch, Theme
from feedback.queue import overdue
from journeys.models import Audience

UNLINKED_SHARE_MAX = 0.05
INPUTS_WINDOW_DAYS = 60


def _segment_subject(ctx: RuleContext, segment: str, label: str) -> Subject:
    url = ctx.url("feedback:responses")
    if segment != "all":
        url = f"{url}?{urlencode({'segment': segment})}"
    return Subject("segment", segment, label, url)


@rule("segment_nps_fell")
def segment_nps_fell(ctx: RuleContext) -> list[Finding]:
    """NPS of the company ("all") or of a segment fell significantly from the previous period
    to the current one. Severity high for the whole company, medium for a segment; magnitude is
    the points fallen. Owner: the CX model's sponsor."""
    names = dict(
        Audience.objects.for_org(ctx.organization)
        .exclude(segment_key="")
        .values_list("segment_key", "name")
    )
    sponsor_id, sponsor = cx_sponsor(ctx)
    findings = []
    for segment, figures in sorted((ctx.figures.get("nps") or {}).items()):
        if not nps_fell(figures):
            continue
        label = "the whole company" if segment == "all" else names.get(segment, segment)
        prev, cur = figures["previous"]["nps"], figures["current"]["nps"]
        findings.append(
            Finding(
                rule="segment_nps_fell",
                severity="high" if segment == "all" else "medium",
                title=f"NPS of {label} fell {abs(figures['change_points']):.1f} points "
                f"({prev:.1f} → {cur:.1f})",
                subjects=[_segment_subject(ctx, segment, label)],
                evidence={
                    "segment": segment,
                    "previous_nps": prev,
                    "current_nps": cur,
                    "previous_responses": figures["previous"]["responses"],
                    "current_responses": figures["current"]["responses"],
                    "change_points": figures["change_points"],
                    "change_z": figures.get("change_z"),
                },
                owner_id=sponsor_id,
                owner_label=sponsor,
                magnitude=-figures["change_points"],
            )
        )
    return findings


@rule("rising_theme_unanswered")
def rising_theme_unanswered(ctx: RuleContext) -> list[Finding]:
    """A theme the figures call rising (share grew by the organization's ratio, with enough
    responses) that no goal or initiative of the cycle answers. Severity medium; magnitude is
    its share of the current period's responses. Owner: the leader of the theme's unit."""
    rising = {
        f["theme_id"]: f for f in (ctx.figures.get("themes") or {}).values() if f.get("rising")
    }
    if not rising:
        return []
    themes = Theme.objects.for_org(ctx.organization).filter(id__in=list(rising))
    themes = themes.select_related("owner_unit").order_by("name")
    answered_ids = answered(ctx, Theme, list(rising))
    findings = []
    for theme in themes:
        if theme.id in answered_ids:
            continue
        figures = rising[theme.id]
        ratio = figures.get("share_ratio_current_to_previous")
        grew = f"{ratio:.1f}×" if ratio is not None else "from nothing"
        owner_id, owner = unit_leader(ctx, theme.owner_unit_id)
        findings.append(
            Finding(
                rule="rising_theme_unanswered",
                severity="medium",
                title=f"Theme “{theme.name}” is rising ({grew}, "
                f"{figures['current']['responses']} responses) and no goal or initiative "
                "answers it",
                subjects=[
                    Subject(
                        "theme", theme.id, theme.name, ctx.url("feedback:theme_detail", theme.id)
                    )
                ],
                evidence={
                    "previous": figures["previous"],
                    "current": figures["current"],
                    "share_ratio_current_to_previous": ratio,
                    "rising_theme_ratio": ctx.organization.rising_theme_ratio,
                    "rising_theme_min_responses": ctx.organization.rising_theme_min_responses,
                },
                owner_id=owner_id,
                owner_label=owner,
                unit_id=theme.owner_unit_id,
                magnitude=float(figures["current"].get("share") or 0.0),
            )
        )
    return findings


def _day_start(day: datetime.date, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


@rule("cycle_inputs_late")
def cycle_inputs_late(ctx: RuleContext) -> list[Finding]:
    """The cycle's inputs-due date has passed and no feedback import succeeded in the 60 days
    up to it (days read in the organization's time zone). Closed cycles are not flagged.
    Severity high; magnitude is days since the due date. Owner: the CX model's sponsor."""
    cycle, due = ctx.cycle, ctx.cycle.inputs_due_on
    if cycle.status == cycle.Status.CLOSED or ctx.today <= due:
        return []
    tz = zoneinfo.ZoneInfo(ctx.organization.time_zone)
    window_start = _day_start(due - datetime.timedelta(days=INPUTS_WINDOW_DAYS), tz)
    window_end = _day_start(due + datetime.timedelta(days=1), tz)
    last = (
        ImportBatch.objects.for_org(ctx.organization)
        .filter(kind=ImportBatch.Kind.FEEDBACK, status=ImportBatch.Status.SUCCEEDED)
        .filter(finished_at__lt=window_end, dry_run=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if last is not None and last >= window_start:
        return []
    late = (ctx.today - due).days
    sponsor_id, sponsor = cx_sponsor(ctx)
    url = ctx.url("strategy:cycle_edit", cycle.id)
    return [
        Finding(
            rule="cycle_inputs_late",
            severity="high",
            title=f"Customer inputs for {cycle.name} were due on {due.isoformat()} and no "
            f"feedback import finished in the {INPUTS_WINDOW_DAYS} days before",
            subjects=[Subject("cycle", cycle.id, cycle.name, url)],
            evidence={
                "inputs_due_on": due.isoformat(),
                "window_days": INPUTS_WINDOW_DAYS,
                "last_import_before_due": last.isoformat() if last else None,
                "days_late": late,
            },
            owner_id=sponsor_id,
            owner_label=sponsor,
            magnitude=float(late),
        )
    ]


@rule("unlinked_feedback")
def unlinked_feedback(ctx: RuleContext) -> list[Finding]:
    """Over 5 % of the current period's responses match no customer, so the links to churn and
    CLV miss them. Severity medium; magnitude is the unlinked share (0..1)."""
    quality = (ctx.figures.get("data_quality") or {}).get("current") or {}
    share = quality.get("unlinked_share")
    if share is None or share <= UNLINKED_SHARE_MAX:
        return []
    sponsor_id, sponsor = cx_sponsor(ctx)
    return [
        Finding(
            rule="unlinked_feedback",
            severity="medium",
            title=f"{share:.1%} of this period's responses ({quality.get('unlinked')} of "
            f"{quality.get('responses')}) match no customer",
            subjects=[
                Subject(
                    "data",
                    "unlinked_responses",
                    "Responses matching no customer",
                    ctx.url("feedback:customers"),
                )
            ],
            evidence={**quality, "threshold": UNLINKED_SHARE_MAX},
            owner_id=sponsor_id,
            owner_label=sponsor,
            magnitude=float(share),
        )
    ]


@rule("followup_backlog")
def followup_backlog(ctx: RuleContext) -> list[Finding]:
    """Detractors still waiting for a call (no follow-up yet, or an open one) longer than the
    organization's service level, as the follow-up queue counts them (`feedback.queue.overdue`),
    per owning unit (the owner's unit; nobody's as "no owner", owners without a unit as "no
    unit"). Severity high for "no owner" (nobody will call), medium otherwise; magnitude is the
    number past the service level."""
    unowned = Case(
        When(followup__owner__isnull=True, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    rows = (
        overdue(organization=ctx.organization, now=ctx.now)
        .annotate(unowned=unowned)
        .values("unowned", "followup__owner__unit_id", "followup__owner__unit__name")
        .annotate(count=Count("id"), oldest=Min("raised_at"))
        .order_by("unowned", "followup__owner__unit__name")
    )
    return [_backlog(ctx, row, ctx.organization.followup_sla_hours) for row in rows]


def _backlog(ctx: RuleContext, row: dict, sla: int) -> Finding:
    unit_id = row["followup__owner__unit_id"]
    if row["unowned"]:
        key, label = "no-owner", "no owner"
    elif unit_id is None:
        key, label = "no-unit", "owners without a unit"
    else:
        key, label = unit_id, row["followup__owner__unit__name"]
    oldest_hours = (ctx.now - row["oldest"]).total_seconds() / 3600
    owner_id, owner = unit_leader(ctx, unit_id)
    url = f"{ctx.url('feedback:followups')}?status=open&age=overdue"
    return Finding(
        rule="followup_backlog",
        severity="high" if row["unowned"] else "medium",
        title=f"{row['count']} detractor(s) of {label} waiting for a call for more than {sla} hours "
        f"(oldest {oldest_hours:.0f} hours)",
        subjects=[Subject("unit", key, label, url)],
        evidence={"open_past_sla": row["count"], "oldest_hours": oldest_hours, "sla_hours": sla},
        owner_id=owner_id,
        owner_label=owner,
        unit_id=unit_id,
        magnitude=float(row["count"]),
    )
