"""Dated legal minimums (SMIC, Mayotte SMIC, intern gratification).

The values live in ``minimum_wage.json`` so a yearly update is a data change,
not a code change (certification.md, open point 7). Each entry applies from its
``from`` date until the next entry.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

__all__ = ["LEGAL_HOURS_PER_MONTH", "Minimum", "gratification", "smic"]

#: 35 h a week × 52 / 12: the monthly hours the monthly SMIC is computed on.
LEGAL_HOURS_PER_MONTH = 35 * 52 / 12


@dataclass(frozen=True, slots=True)
class Minimum:
    """A legal minimum in force from ``start``."""

    start: date
    hourly: float
    monthly: float | None = None

    @property
    def label(self) -> str:
        """Short human label, e.g. ``"12.02 €/h (from 2026-01-01)"``."""
        return f"{self.hourly:.2f} €/h (from {self.start.isoformat()})"


@lru_cache(maxsize=1)
def _tables() -> dict[str, list[Minimum]]:
    raw = json.loads(resources.files(__package__).joinpath("minimum_wage.json").read_text("utf-8"))
    out: dict[str, list[Minimum]] = {}
    for key in ("smic", "smic_mayotte", "intern_gratification"):
        rows = [
            Minimum(date.fromisoformat(r["from"]), float(r["hourly"]), r.get("monthly"))
            for r in raw[key]
        ]
        out[key] = sorted(rows, key=lambda m: m.start)
    return out


def _at(key: str, when: date) -> Minimum | None:
    rows = _tables()[key]
    i = bisect.bisect_right([m.start for m in rows], when) - 1
    return rows[i] if i >= 0 else None


def smic(when: date, *, mayotte: bool = False) -> Minimum | None:
    """Return the gross SMIC in force on ``when`` (``None`` if the table has no value)."""
    return _at("smic_mayotte" if mayotte else "smic", when)


def gratification(when: date) -> Minimum | None:
    """Return the minimum hourly intern gratification in force on ``when``."""
    return _at("intern_gratification", when)
