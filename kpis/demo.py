"""Demo KPI values: Northwind's own KPIs over the last months, imported or entered by hand.

The built-in CX KPIs get their values from the alignment engine's recompute (alignment's demo
runs one); these are the company's own measures, so the catalogue shows trends and every
kind of source. Idempotent: a value already there for a KPI and month is left alone.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from cxalign.orgs.demo import Demo
from kpis.models import KPI, Measurement

IMPORTED = ("imported", "Imported from the monthly operations report")
FINANCE = ("imported", "Imported from the finance close")
HR = ("entered", "Entered by HR after the monthly people review")
# key: (first value, last value, monthly wiggle, source and note); values end near the ones
# managers typed at their latest check-ins.
SERIES = {
    "first_contact_resolution": ("62", "70", "0.8", IMPORTED),
    "on_time_delivery": ("86", "91", "0.6", IMPORTED),
    "lead_time": ("3.3", "2.6", "0.08", IMPORTED),
    "operating_margin": ("6.4", "7.1", "0.15", FINANCE),
    "revenue": ("119", "123", "0.7", FINANCE),
    "staff_turnover": ("25", "22", "0.4", HR),
}
MONTHS = 10


def month_ends(today: datetime.date, count: int) -> list[datetime.date]:
    """The last `count` month ends before `today`, oldest first."""
    ends, day = [], today.replace(day=1) - datetime.timedelta(days=1)
    for _ in range(count):
        ends.append(day)
        day = day.replace(day=1) - datetime.timedelta(days=1)
    return ends[::-1]


def series(first: Decimal, last: Decimal, wiggle: Decimal, count: int) -> list[Decimal]:
    """A steady path from `first` to `last` with a fixed zig-zag, so the line looks measured."""
    step = (last - first) / (count - 1)
    shape = [0, 1, -1, 0, 1, 0, -1, 1, 0, 0]
    return [first + step * i + wiggle * shape[i % len(shape)] for i in range(count)]


def load(demo: Demo) -> dict:
    org = demo.northwind
    kpis = {k.key: k for k in KPI.objects.for_org(org).filter(key__in=SERIES)}
    ends = month_ends(timezone.localdate(), MONTHS)
    rows = []
    for key, (first, last, wiggle, (source, note)) in SERIES.items():
        if key not in kpis:
            continue
        values = series(Decimal(first), Decimal(last), Decimal(wiggle), MONTHS)
        values[-1] = Decimal(last)
        rows += [
            Measurement(organization=org, kpi=kpis[key], measured_on=day, segment="",
                        value=value.quantize(Decimal("0.01")), source=source, note=note)
            for day, value in zip(ends, values, strict=True)
        ]  # fmt: skip
    before = Measurement.objects.for_org(org).count()
    # bulk_create skips change history, which is right for rows nobody edited yet.
    Measurement.objects.bulk_create(rows, ignore_conflicts=True)
    created = Measurement.objects.for_org(org).count() - before
    return {"measurements": created} if created else {}
