"""Readiness for a planning cycle: a countdown to its inputs-due date and a checklist that
ticks itself from the data (six queries whatever the organization's size)."""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from alignment.engine.periods import last_full_quarter
from alignment.models import Flag, Run
from alignment.selectors import run_latest
from cxalign.orgs.models import Membership
from cxalign.orgs.roles import Role
from feedback.models import ImportBatch, Response
from strategy.models import Commitment, Cycle, GoverningModel

# An import counts for the cycle when it finished this many days before the inputs-due date
# (the same window as the `cycle_inputs_late` rule).
INPUTS_WINDOW_DAYS = 60


@dataclass
class Item:
    key: str
    label: str
    done: bool
    detail: str
    url: str = ""


@dataclass
class Readiness:
    cycle: Cycle
    inputs_due_on: datetime.date
    days_left: int
    items: list[Item] = field(default_factory=list)

    @property
    def done_count(self) -> int:
        return sum(1 for i in self.items if i.done)

    @property
    def ready(self) -> bool:
        return all(i.done for i in self.items)

    @property
    def countdown(self) -> str:
        """'Inputs due in 12 days (1 Dec 2026)', 'Inputs due today', 'Inputs were due 3 days ago'."""
        day = _day(self.inputs_due_on)
        if self.days_left == 0:
            return f"Inputs due today ({day})"
        if self.days_left > 0:
            return f"Inputs due in {_n(self.days_left, 'day')} ({day})"
        return f"Inputs were due {_n(-self.days_left, 'day')} ago ({day})"

    def as_dict(self) -> dict:
        return {
            "cycle": {"id": self.cycle.id, "name": self.cycle.name},
            "inputs_due_on": self.inputs_due_on.isoformat(),
            "days_left": self.days_left,
            "countdown": self.countdown,
            "done": self.done_count,
            "total": len(self.items),
            "items": [vars(i) for i in self.items],
        }


def _day(value) -> str:
    """1 Dec 2026 (a date, or an aware datetime read in the current time zone)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return f"{value.day} {value:%b %Y}"


def _when(value: datetime.datetime) -> str:
    return f"{_day(value)} {timezone.localtime(value):%H:%M}"


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _names(names: list[str]) -> str:
    return ", ".join(names)


def page_url(name: str, organization, query: str = "") -> str:
    """A page of the organization, or "" while that page does not exist (yet)."""
    try:
        url = reverse(name, args=[organization.slug])
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


def _day_start(day: datetime.date, tz) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


def readiness(
    *, cycle: Cycle, run: Run | None = None, today: datetime.date | None = None
) -> Readiness:
    """The cycle's checklist; `run` is the latest finished run of the cycle (read when None)."""
    organization = cycle.organization
    today = today or timezone.localdate()
    if run is None:
        run = run_latest(organization=organization, cycle=cycle)
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    imports = _imports(cycle, tz)
    items = [
        _feedback_item(cycle, run, imports, tz),
        _recompute_item(cycle, run, imports),
        _models_item(organization, today),
        _contributions_item(cycle),
        _flags_item(cycle),
    ]
    return Readiness(
        cycle=cycle,
        inputs_due_on=cycle.inputs_due_on,
        days_left=(cycle.inputs_due_on - today).days,
        items=items,
    )


def _imports(cycle: Cycle, tz) -> dict:
    """The last finished feedback import, and the last one inside the window before the due date."""
    due = cycle.inputs_due_on
    start = _day_start(due - datetime.timedelta(days=INPUTS_WINDOW_DAYS), tz)
    end = _day_start(due + datetime.timedelta(days=1), tz)
    return (
        ImportBatch.objects.for_org(cycle.organization)
        .filter(kind=ImportBatch.Kind.FEEDBACK, status=ImportBatch.Status.SUCCEEDED, dry_run=False)
        .aggregate(
            last=Max("finished_at"),
            in_window=Max("finished_at", filter=Q(finished_at__gte=start, finished_at__lt=end)),
        )
    )


def _period(cycle: Cycle, run: Run | None) -> tuple[datetime.date, datetime.date]:
    if run is not None:
        return run.current_first, run.current_last
    return last_full_quarter(cycle.inputs_due_on)


def _feedback_item(cycle: Cycle, run: Run | None, imports: dict, tz) -> Item:
    first, last = _period(cycle, run)
    covered = (
        Response.objects.for_org(cycle.organization)
        .filter(
            responded_at__gte=_day_start(first, tz),
            responded_at__lt=_day_start(last + datetime.timedelta(days=1), tz),
        )
        .filter(
            Exists(
                ImportBatch.objects.filter(
                    id=OuterRef("batch_id"),
                    kind=ImportBatch.Kind.FEEDBACK,
                    status=ImportBatch.Status.SUCCEEDED,
                )
            )
        )
        .exists()
    )
    period = f"{_day(first)} – {_day(last)}"
    if covered:
        detail = f"Imported feedback covers the period {period}."
    elif imports["in_window"]:
        detail = (
            f"A feedback import finished on {_day(timezone.localtime(imports['in_window'], tz).date())}, "
            f"within {INPUTS_WINDOW_DAYS} days of the due date."
        )
    else:
        detail = f"No imported feedback covers {period}, and no import finished in the {INPUTS_WINDOW_DAYS} days before the due date."
    return Item(
        key="feedback_imported",
        label="Customer feedback imported for the period",
        done=bool(covered or imports["in_window"]),
        detail=detail,
        url=page_url("feedback:imports", cycle.organization),
    )


def _recompute_item(cycle: Cycle, run: Run | None, imports: dict) -> Item:
    last_import = imports["last"]
    if run is None:
        done, detail = False, "No recompute has finished for this cycle yet."
    elif last_import is not None and run.finished_at <= last_import:
        done = False
        detail = (
            f"The latest recompute (run {run.id}, {_when(run.finished_at)}) "
            f"is older than the last import ({_when(last_import)})."
        )
    else:
        done = True
        detail = f"Run {run.id} finished {_when(run.finished_at)}, after the last import."
    return Item(
        key="recompute_fresh",
        label="Figures recomputed since the last import",
        done=done,
        detail=detail,
        url=page_url("alignment:runs", cycle.organization, f"cycle={cycle.id}"),
    )


def _models_item(organization, today: datetime.date) -> Item:
    models = {m.kind: m for m in GoverningModel.objects.for_org(organization)}
    late = []
    for kind, label in GoverningModel.Kind.choices:
        model = models.get(kind)
        if model is None:
            late.append(f"{label} not set up")
        elif model.last_reviewed_on is None:
            late.append(f"{label} never reviewed")
        elif model.is_overdue(today):
            late.append(f"{label} due {_day(model.next_review_on)}")
    total = len(GoverningModel.Kind.choices)
    detail = f"{total - len(late)} of {total} governing models reviewed within their cadence"
    return Item(
        key="models_reviewed",
        label="Each governing model reviewed within its cadence",
        done=not late,
        detail=detail + (f": {_names(late)}." if late else "."),
        url=page_url("strategy:models", organization),
    )


def _contributions_item(cycle: Cycle) -> Item:
    executives = list(
        Membership.objects.for_org(cycle.organization)
        .filter(is_active=True, role=Role.EXECUTIVE)
        .select_related("user")
        .annotate(
            stated=Exists(Commitment.objects.filter(cycle=cycle, executive_id=OuterRef("pk")))
        )
        .order_by("user__first_name", "user__username")
    )
    missing = [e.display_name for e in executives if not e.stated]
    total = len(executives)
    if total == 0:
        detail, done = "Nobody has the executive role yet: the C-team is empty.", False
    else:
        detail = f"{total - len(missing)} of {total} executives stated their contribution"
        detail += f": {_names(missing)} missing." if missing else "."
        done = not missing
    return Item(
        key="contributions_stated",
        label="Each C-team member's contribution stated",
        done=done,
        detail=detail,
        url=page_url("strategy:commitments", cycle.organization, f"cycle={cycle.id}"),
    )


def _flags_item(cycle: Cycle) -> Item:
    counts = (
        Flag.objects.for_org(cycle.organization)
        .filter(cycle=cycle, severity=Flag.Severity.HIGH)
        .aggregate(
            total=Count("id"),
            open=Count("id", filter=Q(state=Flag.State.OPEN)),
        )
    )
    total, still_open = counts["total"], counts["open"]
    if total == 0:
        detail = "No high-severity flag raised."
    elif still_open == 0:
        detail = f"All {_n(total, 'high flag')} acknowledged or resolved."
    else:
        detail = f"{still_open} of {_n(total, 'high flag')} still open."
    return Item(
        key="high_flags_handled",
        label="High flags acknowledged or resolved",
        done=still_open == 0,
        detail=detail,
        url=page_url(
            "alignment:flags", cycle.organization, f"cycle={cycle.id}&severity=high&state=open"
        ),
    )
