"""Reading the cells of sales imports: decimals, dates, choice labels, header names.

Values arrive as text (core.io.tabular: XLSX numbers and dates already turned into text).
Each reader answers (value, None) or (None, reason); reasons are translated when asked,
so a report made in a request is in the user's language. Results are cached: an ERP file
repeats the same dates and prices on thousands of lines.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext as _

# "1234.50", "-3", and thousands separated by commas "1,234.50" (groups of three only, so
# a decimal comma "1,5" is refused rather than read as 15).
_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
# 2026-03-02, 2026/3/2, and the "2026-03-02 00:00:00" an XLSX date cell becomes.
_DATE = re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[ T]00:00(?::00)?)?$")


@lru_cache(maxsize=65536)
def read_decimal(text: str, places: int) -> tuple[Decimal | None, str | None]:
    """(value, None) or (None, "number" | "places"); see decimal_problem() for the reason."""
    if _PLAIN.match(text):
        value = Decimal(text)
    elif _GROUPED.match(text):
        value = Decimal(text.replace(",", ""))
    else:
        return None, "number"
    try:
        if value != value.quantize(Decimal(1).scaleb(-places)):
            return None, "places"
    except InvalidOperation:
        return None, "number"
    return value, None


def decimal_problem(problem: str, places: int) -> str:
    """The reason, in the user's language, for a problem code of read_decimal()."""
    if problem == "places":
        return _("At most {places} decimals.").format(places=places)
    return _("Not a number: write digits with a decimal point, e.g. 1234.50.")


def parse_decimal(text: str, places: int) -> tuple[Decimal | None, str | None]:
    """A decimal with at most `places` decimals: (value, None) or (None, reason)."""
    value, problem = read_decimal(text, places)
    if problem:
        return None, decimal_problem(problem, places)
    return value, None


@lru_cache(maxsize=8192)
def _date(text: str) -> dt.date | None:
    match = _DATE.match(text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[3]), int(match[4]))
    except ValueError:
        return None


def parse_date(text: str) -> tuple[dt.date | None, str | None]:
    """A date written YYYY-MM-DD or YYYY/MM/DD (or an XLSX date cell)."""
    value = _date(text)
    if value is None:
        return None, _("Not a date: write it as YYYY-MM-DD, e.g. 2026-03-02.")
    return value, None


def key(text) -> str:
    """Lower case without spaces: "Confirmed", "confirmed " and "已 确认" match alike."""
    return "".join(str(text).lower().split())


def choice_map(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Code, label in English or Chinese, or an `extra` alias → code (see key())."""
    found = {key(value): value for value in choices.values}
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            for value, label in choices.choices:
                found.setdefault(key(label), value)
    for alias, value in (extra or {}).items():
        found.setdefault(key(alias), value)
    return found


def header_map(fields: dict[str, tuple], aliases: dict[str, str]) -> dict[str, str]:
    """Header (see key()) → column: the column names, the `aliases` (the contract's
    Chinese titles) and, in English and Chinese, the verbose names of `fields`
    ({column: (model, field name)})."""
    names = {key(column): column for column in fields}
    names.update({key(alias): column for alias, column in aliases.items()})
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            for column, (model, field) in fields.items():
                names.setdefault(key(model._meta.get_field(field).verbose_name), column)
    return names
