"""The pure core of the KPIs (docs/kpis.md): periods, and ratios recomputed from sums.

No Django import: a subtree's ratio is always computed here from its summed numerator and
denominator, never as an average of its children's ratios.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gridsales.core.money import to_fen

RATIO = Decimal("0.0001")
ONE_DECIMAL = Decimal("0.1")


class PeriodError(ValueError):
    """A period string we cannot read; the message says which forms are accepted."""


@dataclass(frozen=True)
class Period:
    """A calendar period: `kind` is day, week (ISO), month, quarter or year; `end` is
    inclusive."""

    kind: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        return period_containing(self.kind, self.start - dt.timedelta(days=1))

    def last_year(self) -> Period:
        """The same period one year earlier (an ISO week: the same week number)."""
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            try:
                return parse_period(f"{year - 1}-W{week:02d}")
            except PeriodError:  # week 53 of a year whose previous year has 52 weeks
                return parse_period(f"{year - 1}-W52")
        start = _minus_year(self.start)
        return period_containing(self.kind, start)

    def months(self) -> list[dt.date]:
        """The first days of the months the period covers (day and week: their month)."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = _next_month(month)
        return months

    @property
    def whole_months(self) -> bool:
        return self.kind in ("month", "quarter", "year")


_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})-W(\d{2})$"), "week"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
)


def parse_period(text: str) -> Period:
    """Read 2026-03-05 (day), 2026-W09 (ISO week), 2026-03 (month), 2026-Q1 or 2026."""
    text = (text or "").strip().upper()
    for pattern, kind in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        numbers = [int(part) for part in match.groups()]
        try:
            if kind == "day":
                return period_containing("day", dt.date(*numbers))
            if kind == "week":
                return period_containing("week", dt.date.fromisocalendar(numbers[0], numbers[1], 1))
            if kind == "month":
                return period_containing("month", dt.date(numbers[0], numbers[1], 1))
            if kind == "quarter":
                return period_containing("quarter", dt.date(numbers[0], numbers[1] * 3 - 2, 1))
            return period_containing("year", dt.date(numbers[0], 1, 1))
        except ValueError:
            break
    raise PeriodError(text)


def period_containing(kind: str, day: dt.date) -> Period:
    """The period of `kind` that contains `day`."""
    if kind == "day":
        return Period(kind, day, day)
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return Period(kind, start, start + dt.timedelta(days=6))
    if kind == "month":
        start = day.replace(day=1)
        return Period(kind, start, _next_month(start) - dt.timedelta(days=1))
    if kind == "quarter":
        start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        end = _next_month(_next_month(_next_month(start))) - dt.timedelta(days=1)
        return Period(kind, start, end)
    if kind == "year":
        return Period(kind, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    raise PeriodError(kind)


def money(value) -> str:
    """Money as a string with 2 decimals (ROUND_HALF_UP)."""
    return str(to_fen(value or 0))


def ratio(numerator, denominator, places: Decimal = RATIO) -> Decimal | None:
    """numerator / denominator rounded half-up, or None when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_UP)


def median(values: list) -> Decimal | None:
    """The median (the mean of the middle two for an even count), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle]).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    pair = Decimal(ordered[middle - 1]) + Decimal(ordered[middle])
    return (pair / 2).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def nps(promoters: int, detractors: int, responses: int) -> Decimal | None:
    """% promoters − % detractors, to one decimal."""
    if not responses:
        return None
    value = Decimal(100) * (promoters - detractors) / Decimal(responses)
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def growth(current, previous) -> Decimal | None:
    """(current − previous) / previous, or None when there is nothing to compare with."""
    if current is None or previous is None or Decimal(previous) == 0:
        return None
    change = (Decimal(current) - Decimal(previous)) / abs(Decimal(previous))
    return change.quantize(RATIO, rounding=ROUND_HALF_UP)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _minus_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def quantile_breaks(values, classes: int = 5) -> list[Decimal]:
    """The upper bounds of the first `classes` − 1 quantile classes of `values` (nearest
    rank: the value at position ⌈q·n⌉), without repeats, ascending. A value v falls in the
    first class whose bound is ≥ v, or in the last class. Empty for no values."""
    ordered = sorted(Decimal(v) for v in values if v is not None)
    if not ordered:
        return []
    n = len(ordered)
    bounds = []
    for k in range(1, classes):
        rank = -(-k * n // classes)  # ceil(k·n / classes), 1-based
        bounds.append(ordered[max(rank, 1) - 1])
    return sorted(set(bounds))


def quantile_class(value, breaks: list[Decimal]) -> int:
    """The class (0-based) of `value` among `breaks` (see quantile_breaks)."""
    value = Decimal(value)
    for index, bound in enumerate(breaks):
        if value <= bound:
            return index
    return len(breaks)
