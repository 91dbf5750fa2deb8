"""Periods for targets: fiscal years, months, quarters, ISO weeks, working days (pure core).

- A fiscal year `Y` with start month `s` runs from `Y-s` for twelve months (start month 4:
  2026-04 … 2027-03). Month keys are calendar `YYYY-MM`; quarters are fiscal Q1–Q4.
- A month's amount goes to the ISO weeks that touch it, in proportion to the week's
  working days inside the month (`working_days`) or its days (`calendar_days`). A week that
  spans two months gets a part from each.
- Working days follow the Chinese public holiday calendar with its make-up workdays (调休),
  from the `chinese_calendar` package (the State Council's yearly notices). A year it does
  not know falls back to Monday–Friday, and the result says so (`unknown_years`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from gridsales.targets.decompose import (
    Problem,
    SplitError,
    _,
    fen_str,
    int_weights,
    split_fen,
)

WEEK_BASES = ("working_days", "calendar_days")


def fiscal_months(year: int, start_month: int = 1) -> list[tuple[int, int]]:
    """The twelve (year, month) of fiscal year `year` starting in `start_month`."""
    if not 1 <= start_month <= 12:
        raise ValueError("start month must be 1..12")
    return [(year + (start_month - 1 + i) // 12, (start_month - 1 + i) % 12 + 1) for i in range(12)]


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def week_key(day: datetime.date) -> str:
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def quarter_key(fiscal_month_index: int) -> str:
    """0-based index of the month in the fiscal year → "Q1".."Q4"."""
    return f"Q{fiscal_month_index // 3 + 1}"


@lru_cache(maxsize=1)
def _holiday_tables() -> tuple[frozenset, frozenset, frozenset]:
    """(holidays, make-up workdays, known years) from chinese_calendar's tables."""
    from chinese_calendar.constants import holidays, workdays

    years = frozenset(d.year for d in holidays) | frozenset(d.year for d in workdays)
    return frozenset(holidays), frozenset(workdays), years


def known_holiday_years() -> frozenset[int]:
    return _holiday_tables()[2]


def is_working_day(day: datetime.date) -> bool:
    """A working day on the Chinese calendar (make-up workdays included); Mon–Fri in years
    the calendar does not know."""
    holidays, workdays, years = _holiday_tables()
    if day.year not in years:
        return day.weekday() < 5
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def working_days(year: int, month: int) -> int:
    return sum(1 for d in month_days(year, month) if is_working_day(d))


def month_days(year: int, month: int) -> list[datetime.date]:
    first = datetime.date(year, month, 1)
    nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
    return [first + datetime.timedelta(days=i) for i in range((nxt - first).days)]


@lru_cache(maxsize=512)
def month_week_weights(year: int, month: int, basis: str) -> tuple[tuple[str, int], ...]:
    """((week key, weight), ...) of the ISO weeks touching the month, in calendar order.

    The weight is the number of the week's working days (or days) inside the month. When a
    month has no working day at all, its calendar days count instead, so nothing is lost.
    """
    if basis not in WEEK_BASES:
        raise ValueError(f"unknown week basis {basis!r}")
    weights: dict[str, int] = {}
    calendar: dict[str, int] = {}
    for day in month_days(year, month):
        key = week_key(day)
        calendar[key] = calendar.get(key, 0) + 1
        counts = basis == "calendar_days" or is_working_day(day)
        weights[key] = weights.get(key, 0) + (1 if counts else 0)
    if not any(weights.values()):
        weights = calendar
    return tuple(weights.items())


def normalise_seasonality(seasonality) -> list[Fraction]:
    """12 monthly weights (in fiscal order) → fractions summing to 1; "flat"/None → equal."""
    if seasonality is None or seasonality == "flat":
        return [Fraction(1, 12)] * 12
    values = [Fraction(Decimal(str(v))) if not isinstance(v, Fraction) else v for v in seasonality]
    if len(values) != 12:
        raise SplitError(
            [Problem(_("Seasonality needs 12 monthly weights, got {n}."), {"n": len(values)})]
        )
    if any(v < 0 for v in values):
        raise SplitError([Problem(_("Seasonality weights cannot be negative."))])
    total = sum(values, Fraction(0))
    if total == 0:
        return [Fraction(1, 12)] * 12
    return [v / total for v in values]


def seasonality_from_actuals(
    actuals: Mapping[tuple[int, int], Decimal], *, years: Iterable[int], start_month: int = 1
) -> list[Decimal]:
    """12 weights in fiscal order from past actuals: the sum over the given fiscal years of
    each fiscal month's actual. All zero (no history) → flat."""
    sums = [Decimal(0)] * 12
    for year in years:
        for i, (y, m) in enumerate(fiscal_months(year, start_month)):
            sums[i] += Decimal(actuals.get((y, m), 0))
    if not any(sums):
        return [Decimal(1)] * 12
    return sums


@dataclass
class PeriodSplit:
    """One unit's year split: fen per month, fiscal quarter and ISO week."""

    year: int
    months: dict[str, int]
    quarters: dict[str, int]
    weeks: dict[str, int]
    month_bumps: dict[str, int] = field(default_factory=dict)


class PeriodPlan:
    """The calendar skeleton of a plan year, computed once and applied to every unit."""

    def __init__(
        self,
        *,
        year: int,
        start_month: int = 1,
        seasonality=None,
        week_basis: str = "working_days",
    ):
        if week_basis not in WEEK_BASES:
            raise SplitError(
                [
                    Problem(
                        _("Unknown week basis {basis}: use working_days or calendar_days."),
                        {"basis": week_basis},
                    )
                ]
            )
        self.year = year
        self.start_month = start_month
        self.week_basis = week_basis
        self.months = fiscal_months(year, start_month)
        self.month_keys = [month_key(y, m) for y, m in self.months]
        self.quarter_of = {k: quarter_key(i) for i, k in enumerate(self.month_keys)}
        self.month_weights = int_weights(normalise_seasonality(seasonality))
        self.week_tables = [
            (
                [k for k, _w in month_week_weights(y, m, week_basis)],
                [w for _k, w in month_week_weights(y, m, week_basis)],
            )
            for y, m in self.months
        ]
        self.week_keys = list(dict.fromkeys(k for keys, _w in self.week_tables for k in keys))
        known = known_holiday_years()
        self.unknown_years = sorted(
            {y for y, _m in self.months} - known if week_basis == "working_days" else set()
        )

    def remaining_weights(self, first_future: int) -> list[int]:
        """Integer seasonality weights of the months from index `first_future` on."""
        return self.month_weights[first_future:]

    @property
    def calendar_note(self) -> str | None:
        if not self.unknown_years:
            return None
        note = _("No Chinese holiday data for {years}: working days there are Monday to Friday.")
        return note.format(years=", ".join(str(y) for y in self.unknown_years))

    def split(self, amount: int, month_weights: Sequence[int] | None = None) -> PeriodSplit:
        """Split `amount` fen over the months (seasonality), quarters and weeks."""
        parts, bumps = split_fen(amount, month_weights or self.month_weights)
        result = self.from_months(parts)
        result.month_bumps = dict(zip(self.month_keys, bumps, strict=True))
        return result

    def fix_months(self, year: int, fixed: Mapping[str, int], *, unit: str) -> list[int]:
        """Month amounts (fen, fiscal order) of `unit` whose months `fixed` ({"YYYY-MM":
        fen}) are set by hand: see `fix_months`."""
        unknown = [k for k in fixed if k not in self.month_keys]
        if unknown:
            raise SplitError(
                [
                    Problem(
                        _(
                            "Unit {unit}: month {month} is not in the plan year ({first} to {last})."
                        ),
                        {
                            "unit": unit,
                            "month": ", ".join(unknown),
                            "first": self.month_keys[0],
                            "last": self.month_keys[-1],
                        },
                    )
                ]
            )
        by_index = {self.month_keys.index(k): fen for k, fen in fixed.items()}
        return fix_months(year, self.month_weights, by_index, unit=unit, keys=self.month_keys)

    def from_months(self, parts: Sequence[int]) -> PeriodSplit:
        """Quarters and weeks of given month amounts (fen, fiscal order)."""
        months = dict(zip(self.month_keys, parts, strict=True))
        quarters = {"Q1": 0, "Q2": 0, "Q3": 0, "Q4": 0}
        weeks = dict.fromkeys(self.week_keys, 0)
        for key, fen, (wkeys, wweights) in zip(
            self.month_keys, parts, self.week_tables, strict=True
        ):
            quarters[self.quarter_of[key]] += fen
            wparts, _b = split_fen(fen, wweights)
            for wk, wfen in zip(wkeys, wparts, strict=True):
                weeks[wk] += wfen
        return PeriodSplit(self.year, months, quarters, weeks)


def fix_months(
    year: int,
    weights: Sequence[int],
    fixed: Mapping[int, int],
    *,
    unit: str = "",
    keys: Sequence[str] | None = None,
) -> list[int]:
    """A unit's month amounts (fen, fiscal order) when the months `fixed` ({index: fen}) are
    set by hand: those keep their amounts, the other months share `year − sum(fixed)` by
    their seasonality `weights` (largest remainder to the fen, ties to the earlier month;
    all-zero weights share equally). The year total is unchanged.

    Errors (naming the unit and the months): a negative fixed amount; fixed months adding
    up to more than the year (the others would have to be negative); every month fixed but
    not adding up to the year."""
    keys = list(keys) if keys is not None else [str(i + 1) for i in range(len(weights))]

    def names(indexes) -> str:
        return ", ".join(keys[i] for i in sorted(indexes))

    negative = [i for i, fen in fixed.items() if fen < 0]
    if negative:
        raise SplitError(
            [
                Problem(
                    _("Unit {unit}, month {month}: a month's amount cannot be negative."),
                    {"unit": unit, "month": names(negative)},
                )
            ]
        )
    taken = sum(fixed.values())
    rest = year - taken
    free = [i for i in range(len(weights)) if i not in fixed]
    if rest < 0:
        raise SplitError(
            [
                Problem(
                    _(
                        "Unit {unit}: the months fixed by hand ({months}) add up to {fixed},"
                        " more than the year's {year}; the other months would have to be"
                        " negative."
                    ),
                    {
                        "unit": unit,
                        "months": names(fixed),
                        "fixed": fen_str(taken),
                        "year": fen_str(year),
                    },
                )
            ]
        )
    if not free and rest != 0:
        raise SplitError(
            [
                Problem(
                    _(
                        "Unit {unit}: every month is fixed by hand ({months}) and they add up"
                        " to {fixed}, not the year's {year}."
                    ),
                    {
                        "unit": unit,
                        "months": names(fixed),
                        "fixed": fen_str(taken),
                        "year": fen_str(year),
                    },
                )
            ]
        )
    parts, _bumps = split_fen(rest, [weights[i] for i in free])
    result = [0] * len(weights)
    for i, fen in fixed.items():
        result[i] = fen
    for i, fen in zip(free, parts, strict=True):
        result[i] = fen
    return result
