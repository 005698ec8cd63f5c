"""Periods the figures are counted over: local calendar days in the centre's time zone.

A period is a run of whole local days. Its bounds in UTC come from the centre's zone, so an act
at 23:30 on 31 December in Warsaw belongs to that December, whatever the server's clock says.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from ..errors import Invalid
from ..forms import FIRST_YEAR, LAST_YEAR

KINDS = ("month", "quarter", "year", "custom")
GRANULARITIES = ("day", "month", "quarter", "year")
# A custom period, an API range: long enough for any report, short enough to stay cheap.
MAX_DAYS = 366 * 5
MAX_BUCKETS = 120


@dataclass(frozen=True)
class Period:
    """Local days ``start`` to ``end``, both included."""

    start: date
    end: date
    kind: str = "custom"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise Invalid(_("The period must end on or after the day it starts."))
        if self.start.year < FIRST_YEAR or self.end.year > LAST_YEAR:
            raise Invalid(_("Choose dates from %(first)d to %(last)d.",
                            first=FIRST_YEAR, last=LAST_YEAR))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """The period in UTC: from its first local midnight to the one after its last day."""
        return utc_midnight(self.start, timezone), utc_midnight(self.end + timedelta(days=1),
                                                               timezone)

    def previous(self) -> Period:
        """The period just before, of the same kind: last month, last quarter, last year,
        or as many days before a custom period."""
        if self.kind == "month":
            return month_period(self.start - timedelta(days=1))
        if self.kind == "quarter":
            return quarter_period(self.start - timedelta(days=1))
        if self.kind == "year":
            return year_period(self.start.year - 1)
        before = self.start - timedelta(days=1)
        return Period(before - timedelta(days=self.days - 1), before, "custom")

    def label(self) -> str:
        if self.kind == "month":
            return format_date(self.start, "LLLL y")
        if self.kind == "quarter":
            return _("Q%(quarter)d %(year)d", quarter=(self.start.month - 1) // 3 + 1,
                     year=self.start.year)
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "day":
            return format_date(self.start, "long")
        return _("%(start)s to %(end)s", start=format_date(self.start, "medium"),
                 end=format_date(self.end, "medium"))

    def split(self, granularity: str) -> list[Period]:
        """The period cut into days, months, quarters or years (the first and last may be
        partial: they keep only the days inside this period)."""
        make = {"day": day_period, "month": month_period, "quarter": quarter_period,
                "year": lambda day: year_period(day.year)}[granularity]
        buckets, day = [], self.start
        while day <= self.end:
            whole = make(day)
            buckets.append(whole if whole.start >= self.start and whole.end <= self.end
                           else Period(max(whole.start, self.start), min(whole.end, self.end)))
            day = whole.end + timedelta(days=1)
            if len(buckets) > MAX_BUCKETS:
                raise Invalid(ngettext(
                    "That is too many parts: choose a shorter range or a coarser step (at "
                    "most %(num)d part).",
                    "That is too many parts: choose a shorter range or a coarser step (at "
                    "most %(num)d parts).", MAX_BUCKETS))
        return buckets

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def utc_midnight(day: date, timezone: str) -> datetime:
    """The UTC instant at which ``day`` starts in ``timezone``."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def local_today(timezone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def day_period(day: date) -> Period:
    return Period(day, day, "day")


def month_period(day: date) -> Period:
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=1), day.replace(day=last), "month")


def quarter_period(day: date) -> Period:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    return Period(start, month_period(date(day.year, first_month + 2, 1)).end, "quarter")


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), "year")


def custom_period(start: date, end: date) -> Period:
    period = Period(start, end, "custom")
    if period.days > MAX_DAYS:
        raise Invalid(ngettext("Choose a period of at most %(num)d year.",
                               "Choose a period of at most %(num)d years.", MAX_DAYS // 366))
    return period


def period_of_kind(kind: str, day: date) -> Period:
    """The month, quarter or year that contains ``day``."""
    if kind == "month":
        return month_period(day)
    if kind == "quarter":
        return quarter_period(day)
    if kind == "year":
        return year_period(day.year)
    raise Invalid(_("Choose a month, a quarter, a year or your own dates."))


def trailing_months(period: Period, count: int = 12) -> list[Period]:
    """``count`` whole months ending with the month the period ends in: the trend's axis."""
    months = [month_period(period.end)]
    while len(months) < count:
        months.insert(0, month_period(months[0].start - timedelta(days=1)))
    return months
