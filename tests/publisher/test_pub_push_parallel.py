"""Two ``jobgate deliver`` processes in parallel on PostgreSQL share the backlog (FOR UPDATE SKIP LOCKED).

Real processes, a real PostgreSQL and a local partner endpoint. The endpoint
holds the first requests until two are in flight at once, so the runs
certainly overlap; each answer takes a little while so they keep overlapping.
Every delivery-log row must reach the partner exactly once (one request per
idempotency key: no row was sent by both runs), and both runs must have sent
some.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from pub_push_server import PartnerBoard, partner_server
from sqlalchemy import select

from jobgate.config import load_settings
from jobgate.schema import CatalogueOffer
from jobgate.storage import Store
from jobgate.storage.models import Cluster, Delivery
from publisher.stage import publish_partner
from tests.conftest import ROOT
from tests.pg_server import PostgresServer

N = 40


def test_parallel_deliver_runs_never_send_a_row_twice(pg_server: PostgresServer, tmp_path: Path,
                                                      ft_public_offers: list[CatalogueOffer]) -> None:
    name = f"deliver{os.getpid()}"
    pg_server.execute(f"CREATE DATABASE {name} TEMPLATE jobgate_template")
    db_url = pg_server.url(name)
    board = PartnerBoard(rendezvous=threading.Barrier(2, timeout=120), delay=0.05)
    with partner_server(board) as (url, b):
        cfg = tmp_path / "jobgate.toml"
        cfg.write_text(f"""
[database]
url = "{db_url}"

[publisher]
base_url = "https://jobgate.example.org"

[[partners]]
name = "keljob"
connector = "rss"
url = "x.xml"
receives = ["offers"]
options = {{ push_url = "{url}/offers" }}
""", encoding="utf-8")
        settings = load_settings(cfg)
        store = Store(db_url)
        try:
            with store.session() as s:
                for o in ft_public_offers[:N]:
                    s.add(Cluster(id=o.id, status="active", title=o.title, data=o.model_dump(mode="json"),
                                  public_service=True))
            store.ensure_partner("keljob", "rss")
            assert publish_partner(store, settings, settings.partner("keljob")).upserts == N
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            cmd = [sys.executable, "-m", "jobgate.cli", "deliver", "--config", str(cfg), "--partner", "keljob"]
            runs = [subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                    for _ in range(2)]
            outs = [r.communicate(timeout=300) for r in runs]
            assert [r.returncode for r in runs] == [0, 0], [e.decode()[-2000:] for _, e in outs]
            reports = [json.loads(o.decode().strip().splitlines()[-1]) for o, _ in outs]
            with store.session() as s:
                rows = list(s.scalars(select(Delivery).where(Delivery.partner == "keljob")))
        finally:
            store.dispose()
    keys = sorted(r.idempotency_key for r in rows if r.idempotency_key)
    assert len(rows) == N and len(keys) == N
    assert all(r.status == "delivered" for r in rows)
    sent = sorted(r.key for r in b.requests if r.key)
    assert sent == keys  # every row once: none sent by both runs
    assert sorted(b.applied) == keys
    assert sum(r["delivered"] for r in reports) == N
    assert all(r["delivered"] > 0 for r in reports), reports  # the backlog was shared
