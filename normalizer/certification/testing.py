"""Helpers to build canonical offers from the certification fixture files.

The fixture format (``tests/fixtures/certification/*.jsonl``) is one JSON object per
line: ``title``, ``description``, optional ``salary`` (text), ``salary_min``,
``salary_period``, ``contract`` (a :class:`ContractType` value), ``hours_per_week``,
``full_time``, ``published`` (ISO date), ``expected`` (rule ids) and
``expected_severity`` (``REJECT`` unless the spec makes the case a WARN).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jobgate.schema import (
    CanonicalOffer,
    Contract,
    ContractType,
    Dates,
    Employer,
    Place,
    Salary,
    Source,
    WorkingTime,
)

__all__ = ["FIXTURE_PUBLISHED", "load_fixtures", "offer_from_fixture"]

#: Publication date given to fixtures that do not set one (SMIC 2026 applies).
FIXTURE_PUBLISHED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_YEARLY = {"hour": 35 * 52, "month": 12, "year": 1, "week": 52, "day": 5 * 52}


def offer_from_fixture(row: Mapping[str, Any], index: int = 0) -> CanonicalOffer:
    """Build a partner offer (valid SIRET, place, date) around a fixture's text and pay."""
    smin, period = row.get("salary_min"), row.get("salary_period")
    hours = row.get("hours_per_week")
    yearly = None
    if smin is not None and period in _YEARLY:
        yearly = smin * (hours * 52 if period == "hour" and hours else _YEARLY[period])
    published = row.get("published")
    return CanonicalOffer(
        source=Source(partner="fixture", external_id=str(index)),
        title=row["title"],
        description=row.get("description") or "",
        employer=Employer(name="Entreprise Exemple", siret="73282932000074", naf=row.get("naf")),
        place=Place(label="Lyon", city="Lyon", postcode="69003", insee="69383"),
        contract=Contract(type=ContractType(row["contract"]) if row.get("contract") else None),
        working_time=WorkingTime(hours_per_week=hours, full_time=row.get("full_time")),
        salary=Salary(min=smin, period=period, yearly_min=yearly, original=row.get("salary")),
        dates=Dates(
            published=datetime.fromisoformat(published).replace(tzinfo=UTC) if published else FIXTURE_PUBLISHED
        ),
    )


def load_fixtures(path: str | Path) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of a ``.jsonl`` fixture file."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
