"""The two periods a run compares, and how a date range becomes a range of instants.

Dates are inclusive and read by the date part of `responded_at` in the organization's time
zone: a period from 1 July to 30 September covers the instants from 1 July 00:00 to
1 October 00:00 (exclusive), local time.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError

QUARTER_FIRST_MONTHS = (1, 4, 7, 10)


@dataclass(frozen=True)
class Period:
    first_day: datetime.date
    last_day: datetime.date
    churn_cutoff: datetime.date

    def instants(self, tz: zoneinfo.ZoneInfo) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as aware datetimes: local midnight of the first day and of the day after."""
        start = datetime.datetime.combine(self.first_day, datetime.time.min, tzinfo=tz)
        end_day = self.last_day + datetime.timedelta(days=1)
        return start, datetime.datetime.combine(end_day, datetime.time.min, tzinfo=tz)

    def as_dict(self) -> dict:
        return {
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "churn_cutoff": self.churn_cutoff.isoformat(),
        }


@dataclass(frozen=True)
class Window:
    previous: Period
    current: Period


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day of the calendar quarter holding `day`."""
    first_month = QUARTER_FIRST_MONTHS[(day.month - 1) // 3]
    first = datetime.date(day.year, first_month, 1)
    return first, next_quarter_start(first) - datetime.timedelta(days=1)


def next_quarter_start(first: datetime.date) -> datetime.date:
    month = first.month + 3
    return datetime.date(first.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def is_calendar_quarter(first: datetime.date, last: datetime.date) -> bool:
    return quarter_of(first) == (first, last)


def last_full_quarter(on_or_before: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last full calendar quarter ending on or before the given day."""
    first, last = quarter_of(on_or_before)
    if last == on_or_before:
        return first, last
    previous_last = first - datetime.timedelta(days=1)
    return quarter_of(previous_last)


def previous_range(
    first: datetime.date, last: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The quarter before a calendar quarter, else as many days right before."""
    if is_calendar_quarter(first, last):
        return quarter_of(first - datetime.timedelta(days=1))
    days = (last - first).days + 1
    return first - datetime.timedelta(days=days), first - datetime.timedelta(days=1)


def window_for(
    *,
    inputs_due_on: datetime.date,
    horizon_days: int,
    current: tuple[datetime.date, datetime.date] | None = None,
    previous: tuple[datetime.date, datetime.date] | None = None,
) -> Window:
    """The run's periods: explicit dates when given, else the defaults of the contract."""
    if previous is not None and current is None:
        raise ValidationError({"period": "Give the current period when you give the previous one."})
    cur_first, cur_last = current or last_full_quarter(inputs_due_on)
    prev_first, prev_last = previous or previous_range(cur_first, cur_last)
    for name, (first, last) in (
        ("current", (cur_first, cur_last)),
        ("previous", (prev_first, prev_last)),
    ):
        if last < first:
            raise ValidationError(
                {name: f"The {name} period ends ({last}) before it starts ({first})."}
            )
    if prev_last >= cur_first:
        raise ValidationError(
            {
                "previous": f"The previous period must end before the current one starts ({cur_first})."
            }
        )
    horizon = datetime.timedelta(days=horizon_days)
    return Window(
        previous=Period(prev_first, prev_last, prev_last + horizon),
        current=Period(cur_first, cur_last, cur_last + horizon),
    )
