"""The alignment demo: northwind's customers and two quarters of survey answers in which the
engine finds planted relations, then one recompute inline.

The quarters are the ones the engine reads for the cycle it works for today (the last full
quarter before the cycle's inputs-due date, and the one before), so the figures are never
empty whatever the date. What the data plants, per customer segment:

- smb-retail (independent shops): detractors churn about 3.5x as often as promoters;
- horeca-groups (restaurant groups): NPS falls by about 30 points, detractors churn about 2.4x;
- key-accounts (large accounts): about half are detractors, with by far the largest CLV, and
  detractors churn about 1.5x: pooled over segments, detractors look worth more than promoters
  (Simpson's paradox) while in every segment promoters are worth more;
- "Delivery at the shop" loses NPS in the current quarter, "Credit note process" stays below
  zero, invoice complaints triple, and about 9 % of the answers match no customer.

Random draws never depend on the dates, so the planted figures are the same on any day.
Idempotent: the files are imported once; a recompute starts only when no finished run of the
cycle read the same inputs over the same window.
"""

import csv
import datetime
import random
import tempfile
from pathlib import Path

from django.utils import timezone

from alignment import selectors, services
from alignment.engine import compute as engine
from alignment.engine.periods import Period, Window, window_for
from alignment.models import Run
from feedback.models import ImportBatch
from feedback.services import import_file

SOURCE = "Relationship NPS (CRM survey)"
CUSTOMER_FILE = "northwind-engine-customers.csv"
RESPONSE_FILE = "northwind-engine-responses.csv"
SEED = 20261001
CLASSES = ("promoter", "passive", "detractor")

# segment: (customers, first number, class mix previous, class mix current (P, Pa, D),
#           churn rate by class (P, Pa, D), mean CLV EUR by class (P, Pa, D), onboarding success)
SEGMENTS = {
    "smb-retail": (1500, 1001, (0.52, 0.30, 0.18), (0.52, 0.30, 0.18),
                   (0.08, 0.15, 0.28), (38_000, 32_000, 26_000), 0.7),
    "horeca-groups": (450, 3001, (0.46, 0.30, 0.24), (0.28, 0.30, 0.42),
                      (0.09, 0.14, 0.22), (150_000, 125_000, 105_000), 0.8),
    "key-accounts": (400, 4001, (0.22, 0.26, 0.52), (0.22, 0.28, 0.50),
                     (0.10, 0.13, 0.15), (720_000, 600_000, 520_000), 0.9),
}  # fmt: skip
RESPOND_SHARE = 0.8  # of the customers still with us, per quarter
UNLINKED_SHARE = 0.09  # anonymous or mistyped customer ids
TOUCHPOINTS = [
    "Delivery at the shop",
    "Delivery slot booking",
    "Credit note process",
    "Support desk phone line",
    "Quarterly business review",
    "Repeat order in web shop",
    "Order by phone",
    "Field rep visit",
    "Assortment advice call",
    "Invoice and payment terms",
]
COMMENTS = {
    "promoter": [
        "Delivery was on time and the driver was friendly",
        "Our rep knows our shop and gives great assortment advice",
        "The web shop is quick and reordering takes two minutes",
        "Quarterly review with Customer Success was genuinely useful",
        "Support solved it on the first call, thank you",
    ],
    "passive": [
        "Products are fine but delivery windows are too wide",
        "Good products, the minimum order is high for a small shop",
        "No complaints really",
        "",
    ],
    "detractor": [
        "Partial delivery again without notice, backorders never announced",
        "I was passed between departments three times before anyone owned my case",
        "On hold for 25 minutes at the support desk",
        "Prices went up but delivery reliability went down",
        "The delivery slot was ignored and the truck came at opening time",
    ],
}
INVOICE_COMPLAINT = "Charged twice on the last invoice and nobody sends the correction"
REFUND_COMPLAINT = "Still waiting weeks for the refund of missing items"


def _class(rng: random.Random, mix) -> str:
    return rng.choices(CLASSES, weights=mix)[0]


def _score(rng: random.Random, cls: str) -> int:
    if cls == "promoter":
        return rng.choice((9, 10, 10))
    if cls == "passive":
        return rng.choice((7, 8))
    return rng.choices(range(7), weights=(1, 1, 2, 3, 4, 5, 5))[0]


def _day(period: Period, fraction: float) -> datetime.date:
    days = (period.last_day - period.first_day).days
    return period.first_day + datetime.timedelta(days=int(fraction * (days + 1)))


def _customer(rng: random.Random, segment: str, number: int, window: Window) -> dict:
    _, _, _, _, _, clv_means, onboarding = SEGMENTS[segment]
    new_in = rng.choices((None, "previous", "current"), weights=(0.8, 0.1, 0.1))[0]
    if new_in:
        start = _day(getattr(window, new_in), rng.random() * 0.3)
    else:
        start = window.previous.first_day - datetime.timedelta(days=30 + rng.randrange(3000))
    return {
        "id": f"NW-{number:04d}",
        "segment": segment,
        "start": start,
        "clv_means": clv_means,
        "onboarding": (rng.random() < onboarding) if new_in else rng.random() < 0.85,
        "spread": rng.lognormvariate(0, 0.35),
        "churned_on": None,
        "class": None,
    }


def _answers(rng: random.Random, customer: dict, period_name: str, period: Period) -> list[dict]:
    """One or two answers in the period (never before the customer started)."""
    segment = SEGMENTS[customer["segment"]]
    mix = segment[2] if period_name == "previous" else segment[3]
    cls = _class(rng, mix)
    count = 1 + (rng.random() < 0.4)
    earliest = max(period.first_day, customer["start"])
    span = (period.last_day - earliest).days
    days = sorted(rng.random() for _ in range(count))
    answers = []
    for fraction in days:
        day = earliest + datetime.timedelta(days=int(fraction * span))
        answer_class = cls if rng.random() < 0.9 else _class(rng, mix)
        answers.append(_answer(rng, customer["id"], customer["segment"], day, answer_class,
                               period_name))  # fmt: skip
    customer["class"] = answers[-1]["class"]  # the latest answer classes the customer
    customer["last_day"] = answers[-1]["day"]
    return answers


def _answer(rng, customer_id: str, segment: str, day, cls: str, period_name: str) -> dict:
    weights = [1.0] * len(TOUCHPOINTS)
    if cls == "detractor":
        weights[TOUCHPOINTS.index("Credit note process")] = 4.0
        if period_name == "current":
            weights[TOUCHPOINTS.index("Delivery at the shop")] = 5.0
    elif cls == "promoter":
        weights[TOUCHPOINTS.index("Credit note process")] = 0.2
    touchpoint = rng.choices(TOUCHPOINTS, weights=weights)[0]
    comment = rng.choice(COMMENTS[cls])
    if touchpoint == "Credit note process" and cls == "detractor":
        comment = REFUND_COMPLAINT
    invoice_rate = 0.25 if period_name == "current" else 0.06
    if cls != "promoter" and rng.random() < invoice_rate:
        comment = f"{comment}. {INVOICE_COMPLAINT}" if comment else INVOICE_COMPLAINT
    good = {"promoter": (4, 5), "passive": (3, 5), "detractor": (1, 3)}[cls]
    effort = {"promoter": (1, 3), "passive": (2, 5), "detractor": (4, 7)}[cls]
    return {
        "customer_id": customer_id,
        "segment": segment,
        "day": day,
        "minute": rng.randrange(8 * 60, 18 * 60),
        "class": cls,
        "nps": _score(rng, cls),
        "csat": rng.randint(*good),
        "ces": rng.randint(*effort),
        "channel": rng.choice(("email", "email", "sms")),
        "touchpoint": touchpoint,
        "comment": comment,
    }


def _churn(rng: random.Random, customers: list[dict], period: Period, today) -> None:
    """Exactly the planted share of each (segment, class) group churns within the horizon,
    after its last answer (never later than today: no churn is scheduled in the demo)."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for customer in customers:
        groups.setdefault((customer["segment"], customer["class"]), []).append(customer)
    for (segment, cls), members in sorted(groups.items()):
        rate = SEGMENTS[segment][4][CLASSES.index(cls)]
        for customer in rng.sample(members, round(rate * len(members))):
            last = customer["last_day"] + datetime.timedelta(days=1)
            end = min(period.churn_cutoff, today)
            span = max(0, (end - last).days)
            customer["churned_on"] = last + datetime.timedelta(days=int(rng.random() * span))


def _clv(customer: dict) -> float:
    """By the class of the customer's latest answer: within a segment promoters are worth more."""
    cls = customer["class"] or "passive"
    return customer["clv_means"][CLASSES.index(cls)] * customer["spread"]


def dataset(window: Window, today: datetime.date) -> tuple[list[dict], list[dict]]:
    """(customers, answers) of the demo over the window; deterministic."""
    rng = random.Random(SEED)
    customers = [
        _customer(rng, segment, first + i, window)
        for segment, (count, first, *_rest) in SEGMENTS.items()
        for i in range(count)
    ]
    answers: list[dict] = []
    for name in ("previous", "current"):
        period = getattr(window, name)
        responding, linked = [], []
        for customer in customers:
            stayed = customer["churned_on"] is None and customer["start"] <= period.last_day
            if stayed and rng.random() < RESPOND_SHARE:
                linked.extend(_answers(rng, customer, name, period))
                responding.append(customer)
        _churn(rng, responding, period, today)
        answers += linked + _unlinked(rng, name, period, len(linked))
    return customers, answers


def _unlinked(rng: random.Random, name: str, period: Period, linked: int) -> list[dict]:
    count = round(UNLINKED_SHARE * linked)
    rows = []
    for i in range(count):
        segment = rng.choice(list(SEGMENTS))
        mix = SEGMENTS[segment][2 if name == "previous" else 3]
        customer_id = "" if i % 3 else f"NW-9{rng.randrange(1000):03d}"  # anonymous or mistyped
        rows.append(_answer(rng, customer_id, segment, _day(period, rng.random()),
                            _class(rng, mix), name))  # fmt: skip
    return rows


def _write(directory: Path, customers: list[dict], answers: list[dict]) -> tuple[Path, Path]:
    customer_path, response_path = directory / CUSTOMER_FILE, directory / RESPONSE_FILE
    with customer_path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Customer ID", "Segment", "Customer since", "Annual revenue", "CLV",
                      "Churned on", "Onboarding success"])  # fmt: skip
        for c in customers:
            clv = _clv(c)
            churned = c["churned_on"].isoformat() if c["churned_on"] else ""
            out.writerow([c["id"], c["segment"], c["start"].isoformat(), f"{clv / 4:.2f}",
                          f"{clv:.2f}", churned, "yes" if c["onboarding"] else "no"])  # fmt: skip
    with response_path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Response ID", "Customer ID", "Responded at", "NPS", "CSAT", "CES",
                      "Channel", "Comment", "Segment", "Touchpoint"])  # fmt: skip
        for i, a in enumerate(answers, start=1):
            at = f"{a['day'].isoformat()} {a['minute'] // 60:02d}:{a['minute'] % 60:02d}:00"
            out.writerow([f"CRM-{i:06d}", a["customer_id"], at, a["nps"], a["csat"], a["ces"],
                          a["channel"], a["comment"], a["segment"], a["touchpoint"]])  # fmt: skip
    return customer_path, response_path


def _imported(org, file_name: str) -> bool:
    return (
        ImportBatch.objects.for_org(org)
        .filter(file_name=file_name, status=ImportBatch.Status.SUCCEEDED, dry_run=False)
        .exists()
    )


def _import(demo, window: Window, today: datetime.date) -> dict:
    org = demo.northwind
    if _imported(org, RESPONSE_FILE):
        return {}
    customers, answers = dataset(window, today)
    by = demo.member(org, "cxlead")
    with tempfile.TemporaryDirectory() as tmp:
        customer_path, response_path = _write(Path(tmp), customers, answers)
        made = import_file(organization=org, path=customer_path, kind="customers", created_by=by)
        batch = import_file(organization=org, path=response_path, source_name=SOURCE,
                            created_by=by)  # fmt: skip
    for done in (made, batch):
        if done.status != ImportBatch.Status.SUCCEEDED:
            raise RuntimeError(f"The demo import of {done.file_name} failed: {done.message}")
    return {"customers": made.rows_new, "responses": batch.rows_new}


def _recompute(demo, cycle) -> dict:
    """One recompute inline, unless a finished run of the cycle read the same inputs."""
    org = demo.northwind
    latest = selectors.run_latest(organization=org, cycle=cycle)
    if latest is not None and latest.inputs == engine.inputs_of(org):
        window = services.run_window(latest)
        if window == _window(org, cycle):
            return {}
    run = services.run_request(organization=org, cycle=cycle, trigger=Run.Trigger.COMMAND,
                               member=demo.member(org, "cxlead"), enqueue=False)  # fmt: skip
    services.run_compute(run_id=run.id)
    run = services.run_publish(run_id=run.id)
    return {"recompute_runs": 1, "flags": run.flags_open}


def _window(org, cycle) -> Window:
    return window_for(inputs_due_on=cycle.inputs_due_on, horizon_days=org.churn_horizon_days)


def load(demo) -> dict:
    """Northwind's engine data over the current cycle's window, then a recompute."""
    org = demo.northwind
    cycle = selectors.cycle_current(organization=org)
    if cycle is None:
        return {}
    created = _import(demo, _window(org, cycle), timezone.localdate())
    return {**created, **_recompute(demo, cycle)}
