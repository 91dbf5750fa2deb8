"""Survey result arithmetic (pure: no Django). See docs/care.md for the definitions.

- CSAT: the mean of the 1–5 satisfaction scores, to 2 decimals.
- NPS: % promoters (scores 9–10) − % detractors (0–6) of the 0–10 recommendation
  scores, from −100 to 100, to 1 decimal; passives score 7–8.
Rounding is half up (as for money), on exact rationals, so 2.675 → 2.68.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

PROMOTER_MIN = 9
DETRACTOR_MAX = 6


def _round(value: Fraction, places: str) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Scores:
    responses: int
    csat: Decimal | None
    nps: Decimal | None
    promoters: int
    passives: int
    detractors: int
    csat_count: int

    def as_dict(self) -> dict:
        """The API's shape: csat and nps as strings with 2 and 1 decimals (or null)."""
        return {
            "responses": self.responses,
            "csat": None if self.csat is None else str(self.csat),
            "nps": None if self.nps is None else str(self.nps),
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
        }


def summarise(responses: int, csats: list[int], npss: list[int]) -> Scores:
    """Scores of `responses` answered surveys with these CSAT and NPS answers (None left out
    by the caller). Exact: the mean and the percentages are rationals until rounded."""
    promoters = sum(1 for s in npss if s >= PROMOTER_MIN)
    detractors = sum(1 for s in npss if s <= DETRACTOR_MAX)
    passives = len(npss) - promoters - detractors
    csat = _round(Fraction(sum(csats), len(csats)), "0.01") if csats else None
    nps = _round(Fraction(100 * (promoters - detractors), len(npss)), "0.1") if npss else None
    return Scores(responses, csat, nps, promoters, passives, detractors, len(csats))
