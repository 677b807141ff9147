"""The sets added on branch norm4: tuning_extra (tuned on) and holdout2 (written before
the rule changes, never tuned on; thresholds slightly below the measured figures in
docs/certification-results.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from jobgate.schema import Severity
from normalizer.certification import certify
from normalizer.certification.testing import load_fixtures, offer_from_fixture

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = date(2026, 11, 22)


def _rows(name: str, offending: bool) -> list[dict[str, Any]]:
    return [r for r in load_fixtures(FIXTURES / f"{name}.jsonl") if bool(r["expected"]) is offending]


def _detected(row: dict[str, Any]) -> bool:
    cert = certify(offer_from_fixture(row), today=TODAY)
    ok = {Severity.REJECT} if row.get("expected_severity", "REJECT") == "REJECT" else {Severity.REJECT, Severity.WARN}
    return any(f.id in row["expected"] and f.severity in ok for f in cert.findings)


def _rejected(row: dict[str, Any]) -> bool:
    return certify(offer_from_fixture(row), today=TODAY).status.value == "rejected"


@pytest.mark.parametrize(("name", "minimum", "size"), [("tuning_extra", 1.0, 25), ("holdout2", 0.95, 40)])
def test_offending_detected(name: str, minimum: float, size: int) -> None:
    rows = _rows(name, True)
    assert len(rows) >= size
    assert sum(map(_detected, rows)) / len(rows) >= minimum


@pytest.mark.parametrize(("name", "size"), [("tuning_extra", 10), ("holdout2", 30)])
def test_lawful_not_rejected(name: str, size: int) -> None:
    rows = _rows(name, False)
    assert len(rows) >= size
    assert not [r["title"] for r in rows if _rejected(r)]
