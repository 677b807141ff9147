"""Quality floor on the TEST half of the labelled benchmark (measured: P 0.998, R 0.993)."""

from __future__ import annotations

from bench.dedup_quality import run


def test_dedup_quality_on_the_test_half() -> None:
    res = run("TEST")
    model, base = res["model"], res["baseline"]
    assert model.true > 4000
    assert model.precision >= 0.99
    assert model.recall >= 0.98
    assert model.recall > base.recall
