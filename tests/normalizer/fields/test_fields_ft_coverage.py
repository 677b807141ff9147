"""Coverage floor over the 3,150 real France Travail offers shipped in tests/fixtures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests/fixtures/ft_offers/ft_offres_2025-11-13.jsonl.gz"
BENCH = ROOT / "bench" / "fields_coverage.py"


def test_ft_offers_coverage():
    spec = importlib.util.spec_from_file_location("fields_coverage", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    counts, _ = bench.measure_ft(bench._ft_offers(DATA))
    total = counts["offers"]
    assert total == 3150
    assert counts["contract"] / total >= 0.99
    assert counts["published"] / total >= 0.99
    assert counts["french_departement"] / counts["french_place"] >= 0.99
    assert counts["salary_min"] / counts["salary_text"] >= 0.98
    assert counts["worktime"] / counts["worktime_text"] >= 0.99
