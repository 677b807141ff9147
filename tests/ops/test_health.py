"""Connector health states, the `jobgate health` command and the Prometheus metrics."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from jobgate.api import create_app
from jobgate.cli import main
from jobgate.config import load_settings
from jobgate.health import FAILING, HEALTHY, LATE, PAUSED, partner_health
from jobgate.pipeline import run_cycle
from jobgate.storage import Store
from jobgate.storage.models import FetchRun, Partner
from tests.ops.helpers import write_config


def test_states(store: Store, db_url: str, tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, db_url))
    run_cycle(store, settings)
    by = {h.partner: h for h in partner_health(store, settings)}
    assert by["france-travail"].state == HEALTHY and by["france-travail"].last_success_at
    assert by["france-travail"].records_per_run[-1][1] == 148
    broken = by["broken-board"]
    assert broken.state == FAILING and broken.error_rate == 1.0 and "not found" in (broken.last_error or "").lower()
    store.set_paused("hellowork", True)
    assert {h.partner: h.state for h in partner_health(store, settings)}["hellowork"] == PAUSED
    store.set_paused("hellowork", False)
    # Two schedules (2 × 60 min) after the last success a partner is late.
    later = datetime.now(UTC) + timedelta(minutes=121)
    states = {h.partner: h for h in partner_health(store, settings, now=later)}
    assert states["courrier-regional"].state == LATE and states["courrier-regional"].lag_seconds > 3600
    assert states["broken-board"].state == FAILING  # failing wins over late
    # Whatever its schedule, a partner whose last run failed is failing.
    with store.session() as s:
        s.execute(update(FetchRun).where(FetchRun.partner == "hellowork").values(outcome="failed", error="x"))
        s.execute(update(Partner).where(Partner.name == "hellowork")
                  .values(created_at=datetime.now(UTC) - timedelta(days=1)))
    assert {h.partner: h.state for h in partner_health(store, settings)}["hellowork"] == FAILING


def test_health_command_exit_codes(store: Store, db_url: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path, db_url)
    run_cycle(store, load_settings(cfg))
    assert main(["health", "--config", str(cfg)]) == 1
    out = capsys.readouterr().out
    assert "FAILING broken-board" in out and "not found" in out.lower()
    assert main(["health", "--config", str(cfg), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["healthy"] is False
    bad = [p for p in doc["partners"] if p["state"] != "healthy"]
    assert [p["partner"] for p in bad] == ["broken-board"] and bad[0]["last_error"]
    good = tmp_path / "good"
    good.mkdir()
    cfg_ok = write_config(good, db_url, broken=False)
    assert main(["health", "--config", str(cfg_ok)]) == 0
    assert "all 3 partners healthy" in capsys.readouterr().out


def test_metrics(store: Store, db_url: str, tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, db_url))
    run_cycle(store, settings)
    text = TestClient(create_app(settings, store)).get("/metrics").text
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for fam in text_string_to_metric_families(text) for s in fam.samples}
    assert samples[("jobgate_fetch_runs_total", (("outcome", "failed"), ("partner", "broken-board")))] == 1
    assert samples[("jobgate_fetch_records_total", (("partner", "france-travail"),))] == 148
    assert samples[("jobgate_partner_state", (("partner", "broken-board"), ("state", "failing")))] == 1
    assert samples[("jobgate_partner_state", (("partner", "hellowork"), ("state", "healthy")))] == 1
    assert samples[("jobgate_catalogue_offers", ())] > 100
    assert any(name == "jobgate_deliveries_pending" for name, _ in samples)
