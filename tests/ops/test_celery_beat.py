"""``jobgate beat`` fires each partner's chain on its own schedule, through a real worker and Redis.

Real processes only: a ``redis-server``, ``jobgate worker`` and ``jobgate beat``
on PostgreSQL; no eager mode, nothing sent by the test itself. Hellowork is on a
3-second schedule, the other partners keep the default hour, so within the wait
beat must start hellowork's chain again and again and never the others'.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import func, select

from jobgate.storage import Store
from jobgate.storage.models import CatalogueSearch, Cluster, FetchRun
from tests.ops.helpers import start_jobgate, stop, write_config
from tests.pg_server import PostgresServer

#: Generous on a loaded machine; the test fails, never skips, when it runs out.
WAIT_SECONDS = 300


def _runs(store: Store) -> list[tuple[str, str]]:
    with store.session() as s:
        return [(p, o) for p, o in s.execute(select(FetchRun.partner, FetchRun.outcome).order_by(FetchRun.id))]


def test_beat_fires_each_partner_on_its_schedule(pg_server: PostgresServer, redis_url: str, tmp_path: Path) -> None:
    name = f"beat{os.getpid()}"
    pg_server.execute(f"CREATE DATABASE {name} TEMPLATE jobgate_template")
    db_url = pg_server.url(name)
    # min_fetch_interval_seconds = 0: the per-partner throttle would otherwise skip
    # the repeated fetches this test waits for.
    cfg = write_config(tmp_path, db_url, broken=False, schedules={"hellowork": 0.05},
                       extra="\n[scheduler]\nmin_fetch_interval_seconds = 0\n")
    worker = start_jobgate(tmp_path, "worker", cfg, redis_url, db_url, "--concurrency", "2")
    beat = start_jobgate(tmp_path, "beat", cfg, redis_url, db_url)
    store = Store(db_url)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            runs = _runs(store)
            done = [r for r in runs if r == ("hellowork", "success")]
            with store.session() as s:
                indexed = s.scalar(select(func.count()).select_from(CatalogueSearch))
            if len(done) >= 2 and indexed:
                break
            assert beat.poll() is None and worker.poll() is None, "beat or worker exited early"
            assert time.monotonic() < deadline, f"beat did not fire hellowork twice: {runs}"
            time.sleep(1)
    finally:
        codes = {"beat": stop(beat), "worker": stop(worker)}
    beat_log = (tmp_path / "beat.log").read_text()
    worker_log = (tmp_path / "worker.log").read_text()
    # Both stop cleanly on SIGTERM (Celery's warm shutdown), within the stop timeout.
    assert codes == {"beat": 0, "worker": 0}, (codes, beat_log[-2000:], worker_log[-2000:])
    assert "Sending due task partner-hellowork (jobgate.partner_cycle)" in beat_log, beat_log[-2000:]
    for stage in ("jobgate.partner_cycle", "jobgate.fetch", "jobgate.normalize", "jobgate.dedup", "jobgate.publish"):
        assert f"Task {stage}[" in worker_log and "succeeded" in worker_log, (stage, worker_log[-3000:])
    try:
        partners = {p for p, _ in _runs(store)}
        # The other partners are on the default hour: beat has not fired them yet.
        assert partners == {"hellowork"}
        with store.session() as s:
            active = s.scalar(select(func.count()).select_from(Cluster).where(Cluster.status == "active"))
            indexed = s.scalar(select(func.count()).select_from(CatalogueSearch))
        assert active and indexed == active
    finally:
        store.dispose()
