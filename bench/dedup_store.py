"""What the store adds: run_dedup (full, then incremental) on offers in SQLite or PostgreSQL.

Usage: ``python bench/dedup_store.py --offers 20000 --batch 2000 [--url sqlite:///tmp/x.db]``

Offers come from bench/dedup_scale.py's generator, written straight into
``raw_records``/``offers`` (bulk inserts, not timed). Timed: a full
``run_dedup`` (read every offer, cluster, write clusters, offer links and the
persisted blocking keys), then an incremental ``run_dedup`` after ``--batch`` new
offers arrive (keys looked up in ``dedup_keys``, only the neighbourhood read).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bench.dedup_scale import Raw, cpu, generate
from dedup import run_dedup
from jobgate.config import Settings
from jobgate.storage import Store
from jobgate.storage.models import Offer, RawRecord, utcnow


def data_of(r: Raw) -> dict[str, Any]:
    """Canonical offer data of one synthetic record."""
    return {
        "source": {"partner": r.partner, "external_id": r.ext, "url": f"https://{r.partner}.example/{r.ext}"},
        "title": r.title, "description": r.text, "employer": {"name": r.employer},
        "place": {"city": r.city, "postcode": r.postcode, "departement": r.dept},
        "contract": {"type": r.contract if r.contract != "AUTRE" else None},
        "dates": {"published": r.published.isoformat()}, "public_service": r.partner == "francetravail",
    }


def load(store: Store, raws: list[Raw], first: int) -> None:
    """Bulk-insert raw records and published offers."""
    now = utcnow()
    with store.session() as s:
        for i in range(0, len(raws), 2000):
            part = raws[i:i + 2000]
            s.execute(insert(RawRecord), [
                {"id": first + i + j, "partner": r.partner, "external_id": r.ext, "payload": {}, "fields": {},
                 "content_hash": f"{first + i + j:064d}", "first_seen": now, "last_seen": now, "gone": False}
                for j, r in enumerate(part)])
            s.execute(insert(Offer), [
                {"id": first + i + j, "raw_record_id": first + i + j, "partner": r.partner, "external_id": r.ext,
                 "content_hash": f"{first + i + j:064d}", "status": "published", "title": r.title,
                 "data": data_of(r), "created_at": now, "updated_at": now, "public_service": False,
                 "certification": "certified"}
                for j, r in enumerate(part)])


def main() -> None:
    """Print one JSON line of timings."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--offers", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=2_000)
    ap.add_argument("--url")
    args = ap.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/dedup.sqlite3"
    store = Store(url)
    store.migrate()
    raws = generate(args.offers + args.batch)
    load(store, raws[:args.offers], 1)
    settings = Settings()
    t, c = time.perf_counter(), cpu()
    full = run_dedup(store, settings, full=True)
    full_s, full_cpu = time.perf_counter() - t, cpu() - c
    load(store, raws[args.offers:], args.offers + 1)
    t, c = time.perf_counter(), cpu()
    inc = run_dedup(store, settings)
    inc_s, inc_cpu = time.perf_counter() - t, cpu() - c
    print(json.dumps({"url": url.split("://")[0], "offers": args.offers, "full_s": round(full_s, 1), "full_cpu_s": round(full_cpu, 1),
                      "clusters": full.clusters, "batch": inc.batch, "incremental_s": round(inc_s, 2), "incremental_cpu_s": round(inc_cpu, 2),
                      "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
                      "load_average": [round(x, 1) for x in os.getloadavg()],
                      "incremental_offers_read": inc.offers}))


if __name__ == "__main__":
    main()
