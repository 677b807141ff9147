"""Kill -9 a real Celery worker mid-task: a new worker finishes the job, the catalogue converges.

A real ``redis-server`` broker and real ``jobgate worker`` processes on PostgreSQL.
Worker 1 runs tasks in its own process (``--pool solo``) with the fail point
``dedup.mid_write`` armed: the first dedup task SIGKILLs the worker halfway
through writing the catalogue. The task was taken but never acknowledged
(``acks_late``): once ``[scheduler] visibility_timeout_seconds`` have passed,
worker 2 (no fail point) gets it again, waits until the dead worker's dedup
lock lapses (``stage_lock_seconds``: it was renewed only while worker 1 lived),
and the chain goes on to publish.
Partner chains are sent one after the other, and the store is compared with the
same stages run uninterrupted, in the same order, on a fresh database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

from connectors import fetch_partner
from dedup import run_dedup
from jobgate.config import load_settings
from jobgate.search import index_catalogue
from jobgate.storage import Store
from normalizer.stage import normalize_pending
from publisher.cvs import publish_cvs
from publisher.push import deliver
from publisher.stage import publish
from tests.conftest import ROOT
from tests.ops.helpers import write_config
from tests.pg_server import PostgresServer
from tests.reliability.crash_helpers import differences, snapshot

VISIBILITY = 3  # seconds before an unacknowledged task is handed out again
LOCK = 10  # seconds the dead worker's dedup lock outlives it
SCHEDULER = f"""
[scheduler]
visibility_timeout_seconds = {VISIBILITY}
stage_lock_seconds = {LOCK}
min_fetch_interval_seconds = 0
"""


def _database(pg_server: PostgresServer, name: str) -> str:
    pg_server.execute(f"CREATE DATABASE {name} TEMPLATE jobgate_template")
    return str(pg_server.url(name))


def _worker(cfg: Path, env: dict[str, str], log: IO[str], failpoints: str = "") -> subprocess.Popen[bytes]:
    env = {**env, "JOBGATE_FAILPOINTS": failpoints} if failpoints else env
    return subprocess.Popen([sys.executable, "-m", "jobgate.cli", "worker", "--config", str(cfg),
                             "--concurrency", "1", "--pool", "solo"],
                            cwd=cfg.parent, env=env, stdout=log, stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _client(cfg: Path, env: dict[str, str], partner: str) -> subprocess.Popen[str]:
    """Send ``partner``'s chain and wait for its end, from another process."""
    return subprocess.Popen([sys.executable, "-m", "tests.reliability.celery_client", str(cfg), partner],
                            cwd=cfg.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _done(client: subprocess.Popen[str]) -> None:
    out, _ = client.communicate(timeout=900)
    assert client.returncode == 0, out[-3000:]


def test_worker_killed_mid_task_another_worker_converges(pg_server: PostgresServer, redis_url: str,
                                                        tmp_path: Path) -> None:
    # Uninterrupted: the chain's stages, partner after partner, in this process.
    base_dir = tmp_path / "baseline"
    base_dir.mkdir()
    base_url = _database(pg_server, f"killbase{os.getpid()}")
    settings = load_settings(write_config(base_dir, base_url, broken=False, extra=SCHEDULER))
    base = Store(base_url)
    try:
        for p in settings.partners:
            fetch_partner(base, settings, p)
            normalize_pending(base, settings)
            run_dedup(base, settings)
            index_catalogue(base, settings)
            publish(base, settings)
            publish_cvs(base, settings)
            deliver(base, settings)
    finally:
        base.dispose()
    want = snapshot(base_url)
    assert want["clusters"] and want["deliveries"]

    db_url = _database(pg_server, f"killed{os.getpid()}")
    cfg = write_config(tmp_path, db_url, broken=False, extra=SCHEDULER)
    settings = load_settings(cfg)
    env = {**os.environ, "JOBGATE_BROKER_URL": redis_url, "PYTHONPATH": str(ROOT), "JOBGATE_DATABASE_URL": db_url}
    env.pop("JOBGATE_FAILPOINTS", None)
    logs = [(tmp_path / f"worker{i}.log").open("w") for i in (1, 2)]
    first = _worker(cfg, env, logs[0], "dedup.mid_write=1:kill")
    second = None
    try:
        pending = _client(cfg, env, settings.partners[0].name)
        assert first.wait(600) == -signal.SIGKILL  # died inside the first dedup task
        second = _worker(cfg, env, logs[1])
        _done(pending)  # redelivered, finished, and the chain went on to publish
        for p in settings.partners[1:]:
            _done(_client(cfg, env, p.name))
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
        for f in logs:
            f.close()
    text1, text2 = ((tmp_path / f"worker{i}.log").read_text() for i in (1, 2))
    assert "jobgate.dedup" in text1 and "succeeded" not in text1.split("jobgate.dedup")[-1], text1[-3000:]
    assert "jobgate.dedup" in text2, text2[-3000:]

    got = snapshot(db_url)
    assert differences(got, want) == []
    assert got["open_runs"] == []
