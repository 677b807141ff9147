"""The pipeline through a real Celery worker and a real Redis broker, on PostgreSQL.

A ``redis-server`` (free loopback port, no persistence) and ``jobgate worker``
(a separate process consuming the fetch, normalize, dedup and publish queues)
are started; each partner's chain (fetch → normalize → dedup + index →
publish) is sent through the broker, exactly as beat does, and the catalogue is
checked in PostgreSQL. No eager mode; Redis missing is an error, never a skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from jobgate.config import load_settings
from jobgate.storage import Store
from jobgate.storage.models import CatalogueSearch, Cluster, Delivery, FetchRun
from tests.conftest import ROOT
from tests.ops.helpers import write_config
from tests.pg_server import PostgresServer


def test_pipeline_through_celery_worker(pg_server: PostgresServer, redis_url: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"celery{os.getpid()}"
    pg_server.execute(f"CREATE DATABASE {name} TEMPLATE jobgate_template")
    db_url = pg_server.url(name)
    cfg = write_config(tmp_path, db_url)
    settings = load_settings(cfg)
    env = {**os.environ, "JOBGATE_BROKER_URL": redis_url, "PYTHONPATH": str(ROOT),
           "JOBGATE_DATABASE_URL": db_url}
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "jobgate.cli", "worker", "--config", str(cfg), "--concurrency", "2"],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    monkeypatch.setenv("JOBGATE_BROKER_URL", redis_url)
    from scheduler.celery_app import configure, partner_chain, partner_cycle

    app = configure(settings)
    assert not app.conf.task_always_eager
    try:
        results = [partner_chain(p.name).apply_async() for p in settings.partners]
        published = [r.get(timeout=240) for r in results]
        assert all(isinstance(p, dict) for p in published)
        # Beat's entry point: partner_cycle enqueues the chain; a second fetch of the
        # same partner within min_fetch_interval_seconds is throttled (per-partner rate limit).
        chain_id = partner_cycle.delay("hellowork").get(timeout=60)
        assert isinstance(app.AsyncResult(chain_id).get(timeout=120), dict)  # the chain's publish step
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
    text = (tmp_path / "worker.log").read_text()
    assert "jobgate.fetch" in text and "jobgate.dedup" in text, text[-3000:]

    store = Store(db_url)
    try:
        with store.session() as s:
            all_runs = s.execute(select(FetchRun.partner, FetchRun.outcome)).all()
            runs = dict(all_runs)
            active = s.scalar(select(func.count()).select_from(Cluster).where(Cluster.status == "active"))
            indexed = s.scalar(select(func.count()).select_from(CatalogueSearch))
            deliveries = s.scalar(select(func.count()).select_from(Delivery))
        assert runs == {"france-travail": "success", "courrier-regional": "success", "hellowork": "success",
                        "broken-board": "failed"}
        assert len(all_runs) == 4  # the second hellowork fetch was throttled: no run started
        assert active and active > 150 and indexed == active
        assert deliveries and deliveries > 0  # courrier-regional receives offers
    finally:
        store.dispose()
