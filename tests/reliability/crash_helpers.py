"""Helpers of the crash tests: a multi-partner configuration, a crashing run, a store snapshot.

The configuration has three bundled example partners read from files (one of
them pulls our offers) and a paginated HTTP partner (4 pages of 10 real France
Travail offers, served by :class:`~tests.connectors.simulated_partner.PartnerServer`)
that also receives our offers by push (a
:class:`~tests.publisher.pub_push_server.PartnerBoard` that records every request
with its ``Idempotency-Key``).

:func:`snapshot` reads everything the pipeline keeps, keyed by natural keys
(partner, external id, cluster id), never by surrogate ids or clock times, so
a crashed-then-restarted database can be compared with an uninterrupted one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import select

from jobgate.storage import Store
from jobgate.storage.models import (
    CatalogueFacet,
    CatalogueSearch,
    CatalogueText,
    Cluster,
    ConnectorState,
    DedupKey,
    Delivery,
    FetchRun,
    Offer,
    OfferEvent,
    Quarantine,
    RawRecord,
)
from scheduler.lifecycle import LIFECYCLE_STATE
from tests.conftest import ROOT
from tests.connectors.simulated_partner import PartnerServer, ft_offers, paged_json
from tests.ops.helpers import write_config as ops_config

PAGED = "/api/offres"
PAGE_SIZE = 10
PAGED_OFFERS = 40  # 4 pages
#: Pages the pipeline reads in one cycle: one per file partner, then the paged partner's.
FILE_PAGES = 3
PAGES = FILE_PAGES + PAGED_OFFERS // PAGE_SIZE
#: Clock-dependent fields, dropped before comparing.
VOLATILE = frozenset({"first_seen", "last_seen"})


def serve_paged_partner(server: PartnerServer, offers: int = PAGED_OFFERS) -> None:
    """Serve the paginated partner's first ``offers`` offers on ``server`` (page 2 has an unreadable record)."""
    records: list[Any] = ft_offers()[:offers]
    records[PAGE_SIZE + 2] = "not an object"  # quarantined at fetch: once, however often page 2 is read
    server.routes[PAGED] = paged_json(records, size=PAGE_SIZE)


def write_config(tmp_path: Path, db_url: str, paged_url: str, push_url: str) -> Path:
    """The crash tests' configuration: the operations tests' three file partners, then the
    paginated partner, which also receives our offers by push (``courrier-regional`` pulls)."""
    return ops_config(tmp_path, db_url, broken=False, extra=f"""
[[partners]]
name = "board-api"
connector = "json"
dialect = "francetravail"
url = "{paged_url}"
rank = 50
receives = ["offers"]
options = {{ pagination = "page", page_size = {PAGE_SIZE}, rate_per_s = 0, backoff_s = 0.01, timeout_s = 5, \
push_url = "{push_url}/offers", push_timeout_seconds = 10 }}
""")


def run_once(config: Path, failpoints: str = "", *, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``jobgate run --once`` in a subprocess, with ``JOBGATE_FAILPOINTS`` set to ``failpoints``."""
    env = {k: v for k, v in os.environ.items() if k not in ("JOBGATE_FAILPOINTS", "JOBGATE_DATABASE_URL")}
    env["PYTHONPATH"] = str(ROOT)
    if failpoints:
        env["JOBGATE_FAILPOINTS"] = failpoints
    return subprocess.run([sys.executable, "-m", "jobgate.cli", "run", "--once", "--config", str(config)],
                          cwd=config.parent, env=env, capture_output=True, text=True, timeout=timeout)


def _stable(value: Any) -> Any:
    """``value`` without clock-dependent fields (at any depth)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _state(state: Any) -> Any:
    """A connector state with the time of its last full snapshot reduced to whether it has one."""
    if isinstance(state, dict) and "last_full" in state:
        return {**state, "last_full": state["last_full"] is not None}
    return state


def snapshot(db_url: str) -> dict[str, Any]:
    """Everything the pipeline keeps, by natural key, clock fields left out."""
    store = Store(db_url)
    try:
        with store.session() as s:
            keys = {o.id: (o.partner, o.external_id) for o in s.scalars(select(Offer))}
            snap: dict[str, Any] = {
                "raw": {(r.partner, r.external_id): (r.content_hash, r.gone, _stable(r.fields))
                        for r in s.scalars(select(RawRecord))},
                "offers": {(o.partner, o.external_id): (o.status, o.status_reason, o.cluster_id, o.content_hash,
                                                        o.dedup_hash, o.title, _stable(o.data))
                           for o in s.scalars(select(Offer))},
                "events": Counter((keys[e.offer_id], e.event, e.reason) for e in s.scalars(select(OfferEvent))),
                "clusters": {c.id: (c.status, c.n_sources, c.title, c.rome_code, c.departement, c.contract,
                                    c.public_service, _stable(c.data)) for c in s.scalars(select(Cluster))},
                "dedup_keys": Counter((keys[k.offer_id], k.rule, k.key) for k in s.scalars(select(DedupKey))),
                "quarantine": Counter((q.partner, q.external_id, q.reason, q.field, q.stage)
                                      for q in s.scalars(select(Quarantine))),
                "deliveries": {(d.partner, d.item_kind, d.item_id): (d.action, d.status, d.content_hash,
                                                                      d.idempotency_key)
                               for d in s.scalars(select(Delivery))},
                "search": {cs.cluster_id: (cs.rome_code, cs.rome_domain, cs.departement, cs.region, cs.insee,
                                           cs.city, cs.contract, cs.salary_yearly, cs.latitude, cs.longitude,
                                           cs.public_service, cs.direct_contact, ct.text, ct.summary)
                           for cs, ct in s.execute(select(CatalogueSearch, CatalogueText)
                                                   .join(CatalogueText, CatalogueText.doc == CatalogueSearch.doc))},
                "search_rows": s.query(CatalogueSearch).count(),
                "facets": sorted((f.contract, f.departement, f.rome_domain, f.n)
                                 for f in s.scalars(select(CatalogueFacet))),
                "state": {(c.partner, c.partition): _state(c.state) for c in s.scalars(select(ConnectorState))
                          if c.partner != LIFECYCLE_STATE},
                "open_runs": sorted(r.partner for r in s.scalars(select(FetchRun))
                                    if r.outcome in ("running",)),
            }
            last: dict[str, str] = {}
            for r in s.scalars(select(FetchRun).order_by(FetchRun.id)):
                last[r.partner] = r.outcome
            snap["last_run"] = last
        return snap
    finally:
        store.dispose()


def differences(got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """Readable differences between two snapshots (empty when identical)."""
    out = []
    for part in want:
        a, b = got.get(part), want[part]
        if a == b:
            continue
        if isinstance(a, dict | Counter) and isinstance(b, dict | Counter):
            missing = [k for k in b if k not in a]
            extra = [k for k in a if k not in b]
            changed = [k for k in b if k in a and a[k] != b[k]]
            first = f": {str(a[changed[0]])[:400]} != {str(b[changed[0]])[:400]}" if changed else ""
            out.append(f"{part}: {len(missing)} missing {missing[:3]}, {len(extra)} extra {extra[:3]}, "
                       f"{len(changed)} changed {changed[:3]}{first}")
        else:
            out.append(f"{part}: {str(a)[:300]} != {str(b)[:300]}")
    return out
