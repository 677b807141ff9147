"""The hand-written fixture sets, with thresholds slightly below the measured figures
(docs/certification-results.md). The holdout set is never tuned on."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from jobgate.schema import Severity
from normalizer.certification import certify
from normalizer.certification.testing import load_fixtures, offer_from_fixture

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "certification"
TODAY = date(2026, 11, 22)


def _rows(name: str, offending: bool) -> list[dict[str, Any]]:
    return [r for r in load_fixtures(FIXTURES / f"{name}.jsonl") if bool(r["expected"]) is offending]


def _detected(row: dict[str, Any], index: int) -> bool:
    cert = certify(offer_from_fixture(row, index), today=TODAY)
    ok = {Severity.REJECT} if row.get("expected_severity", "REJECT") == "REJECT" else {Severity.REJECT, Severity.WARN}
    return any(f.id in row["expected"] and f.severity in ok for f in cert.findings)


def _rejected(row: dict[str, Any], index: int) -> bool:
    return certify(offer_from_fixture(row, index), today=TODAY).status.value == "rejected"


@pytest.mark.parametrize(("name", "minimum"), [("offending", 0.97), ("holdout", 0.90)])
def test_offending_detected(name: str, minimum: float) -> None:
    rows = _rows(name, True)
    assert len(rows) >= 40
    rate = sum(_detected(r, i) for i, r in enumerate(rows)) / len(rows)
    assert rate >= minimum, rate


@pytest.mark.parametrize(("name", "maximum"), [("lawful", 0.02), ("holdout", 0.05)])
def test_lawful_not_rejected(name: str, maximum: float) -> None:
    rows = _rows(name, False)
    assert len(rows) >= 30
    rate = sum(_rejected(r, i) for i, r in enumerate(rows)) / len(rows)
    assert rate <= maximum, rate


@pytest.mark.parametrize("row", _rows("offending", True), ids=lambda r: f"{r['category']}:{r['title'][:30]}")
def test_each_offending_fixture(row: dict[str, Any]) -> None:
    assert _detected(row, 0)


@pytest.mark.parametrize("row", _rows("lawful", False), ids=lambda r: f"{r['category']}:{r['title'][:30]}")
def test_each_lawful_fixture(row: dict[str, Any]) -> None:
    assert not _rejected(row, 0)
