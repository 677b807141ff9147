"""Catalogue API benchmark: p50/p95 per query type over a 1,000,000-offer catalogue.

Build: the 3,150 real France Travail offers of
``tests/fixtures/ft_offers/ft_offres_2025-11-13.jsonl.gz`` go through the real
pipeline (fetch, normalise, certify, ROME, dedup, search index) on a scratch
SQLite database. The resulting catalogue offers are then replicated up to
``--rows`` catalogue rows (``clusters``) with their search index rows
(``catalogue_search`` with its ``tsvector`` + GIN index on PostgreSQL,
``catalogue_text`` and its FTS5 index on SQLite), each copy with its own id, a place taken from the real places of
the fixture (city, postcode, département, INSEE code, coordinates) and a
publication date spread over 90 days. Index values are computed by the same
``jobgate.search.search_fields`` as the pipeline's indexer.

Measure: a fixed mix of queries (seeded), each type ``--runs`` times after a
warm-up, through the FastAPI app in process (``TestClient``: routing,
validation, query, JSON; no network), reporting p50/p95 per type.

Usage::

    PYTHONPATH=. .venv/bin/python bench/api_bench.py --backend sqlite --db /tmp/bench.sqlite3
    PYTHONPATH=. .venv/bin/python bench/api_bench.py --backend postgresql

``--backend postgresql`` starts a throwaway PostgreSQL server (tests/pg_server.py)
with ``shared_buffers=4GB``. ``--reuse`` skips the build when the SQLite file exists.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from jobgate.config import PartnerSettings, Settings  # noqa: E402
from jobgate.schema import CatalogueOffer  # noqa: E402
from jobgate.search import fold_text, rebuild_facets, search_fields  # noqa: E402
from jobgate.storage import Store  # noqa: E402
from jobgate.storage.models import CatalogueSearch, CatalogueText, Cluster  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "ft_offers" / "ft_offres_2025-11-13.jsonl.gz"
CHUNK = 5000
WORDS = ["commercial", "vendeur", "aide soignant", "chauffeur", "comptable", "cuisinier", "maçon",
         "développeur", "infirmier", "électricien", "serveur", "magasinier", "assistante administrative",
         "agent d'entretien", "mécanicien", "boulanger", "coiffeur", "ingénieur", "plombier", "cariste"]
ROME_CODES = ["M1805", "J1501", "N4101", "G1602", "D1106", "K2204", "F1703", "M1607", "H2913", "I1304"]


def base_catalogue(work: Path) -> list[CatalogueOffer]:
    """The real offers through the real pipeline: the catalogue offers to replicate."""
    from jobgate.pipeline import run_cycle

    with gzip.open(FIXTURE, "rt", encoding="utf-8") as lines:
        offers = [json.loads(line) for line in lines]
    feed = work / "ft.json"
    feed.write_text(json.dumps({"resultats": offers}), encoding="utf-8")
    settings = Settings(partners=(PartnerSettings(name="france-travail", connector="francetravail",
                                                  url=str(feed), public_service=True),), base_dir=work)
    store = Store(f"sqlite:///{work / 'base.sqlite3'}")
    store.migrate()
    store.ensure_partner("france-travail", "francetravail")
    run_cycle(store, settings, console=Console(file=open("/dev/null", "w")))  # noqa: SIM115
    out = [CatalogueOffer.model_validate(c.data) for c in store.iter_clusters()]
    store.dispose()
    return out


def real_places(offers: list[CatalogueOffer]) -> list[dict[str, Any]]:
    """Distinct real places with coordinates."""
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for o in offers:
        p = o.place
        if p.latitude is None or p.longitude is None or not p.departement:
            continue
        key = (p.city, p.postcode, p.departement)
        seen.setdefault(key, {"city": p.city, "postcode": p.postcode, "departement": p.departement,
                              "insee": p.insee, "region": p.region, "latitude": p.latitude,
                              "longitude": p.longitude})
    return list(seen.values())


def replicas(base: list[CatalogueOffer], places: list[dict[str, Any]], rows: int,
             now: datetime) -> Iterator[tuple[dict[str, Any], dict[str, Any], str, dict[str, Any]]]:
    """(cluster row, search columns, text, summary) for ``rows`` catalogue offers."""
    from publisher.diffusion import public_view

    prepared = []
    for offer in base:
        view = public_view(offer)
        bare = view.model_copy(deep=True)
        bare.place.city = bare.place.label = None
        _, core_text, _ = search_fields(bare)
        cols, _, summary = search_fields(view)
        prepared.append((offer.model_dump(mode="json"), cols, core_text, summary))
    rng = random.Random(42)
    for k in range(rows):
        data, cols, core, summary = prepared[k % len(prepared)]
        place = places[rng.randrange(len(places))]
        published = now - timedelta(days=rng.randrange(90), minutes=rng.randrange(1440))
        cid = f"jg-b{k:014x}"
        d = copy.copy(data)
        d["id"] = cid
        d["place"] = {**data["place"], **place, "label": f"{place['departement']} - {place['city']}"}
        d["dates"] = {**(data.get("dates") or {}), "published": published.isoformat()}
        c = {**cols, "cluster_id": cid, "departement": place["departement"], "insee": place["insee"],
             "city": fold_text(place["city"]) or None, "latitude": place["latitude"],
             "longitude": place["longitude"], "published_at": published}
        from jobgate.search import _region_of, grid_cell

        c["region"] = _region_of(place["departement"])
        c["cell"] = grid_cell(place["latitude"], place["longitude"])
        s = {**summary, "id": cid, "published": published.isoformat(),
             "place": {"label": d["place"]["label"], "city": place["city"], "postcode": place["postcode"],
                       "departement": place["departement"], "region": place["region"]}}
        cluster = {"id": cid, "status": "active", "title": d["title"], "data": d, "n_sources": 1,
                   "rome_code": cols["rome_code"], "departement": place["departement"],
                   "contract": cols["contract"], "public_service": cols["public_service"],
                   "created_at": now, "updated_at": now}
        c["cluster_updated_at"] = now
        yield cluster, c, f"{core} {fold_text(place['city'])}", s


def build(store: Store, rows: int, work: Path) -> float:
    """Fill the catalogue and its index; returns seconds."""
    t0 = time.perf_counter()
    base = base_catalogue(work)
    places = real_places(base)
    print(f"base catalogue: {len(base)} offers, {len(places)} real places", flush=True)
    pg = store.dialect == "postgresql"
    if pg:
        with store.session() as s:
            s.execute(text("DROP INDEX IF EXISTS ix_search_tsv"))
    now = datetime.now(UTC)
    batch_c: list[dict[str, Any]] = []
    batch_s: list[dict[str, Any]] = []
    batch_t: list[tuple[str, dict[str, Any]]] = []
    doc = 0

    def flush() -> None:
        nonlocal doc
        with store.session() as s:
            s.execute(insert(Cluster), batch_c)
            for row in batch_s:
                doc += 1
                row["doc"] = doc
            s.execute(insert(CatalogueSearch), batch_s)
            s.execute(insert(CatalogueText), [{"doc": r["doc"], "text": t, "summary": sm}
                                              for r, (t, sm) in zip(batch_s, batch_t, strict=True)])
        batch_c.clear()
        batch_s.clear()
        batch_t.clear()

    for i, (cluster, cols, words, summary) in enumerate(replicas(base, places, rows, now), 1):
        batch_c.append(cluster)
        batch_s.append(cols)
        batch_t.append((words, summary))
        if len(batch_c) >= CHUNK:
            flush()
        if i % 100_000 == 0:
            print(f"  {i} rows, {time.perf_counter() - t0:.0f} s", flush=True)
    if batch_c:
        flush()
    if pg:
        print("  tsvector + GIN index", flush=True)
        with store.session() as s:
            s.execute(text("UPDATE catalogue_search s SET tsv = to_tsvector('french', t.text) "
                           "FROM catalogue_text t WHERE t.doc = s.doc"))
    _finish_index(store)
    return time.perf_counter() - t0


def _finish_index(store: Store) -> None:
    """After a bulk load: doc sequence, GIN index (PostgreSQL), facet counts, statistics."""
    pg = store.dialect == "postgresql"
    if pg:
        with store.session() as s:
            s.execute(text("SELECT setval(pg_get_serial_sequence('catalogue_search', 'doc'), "
                           "(SELECT MAX(doc) FROM catalogue_search))"))
            s.execute(text("CREATE INDEX ix_search_tsv ON catalogue_search USING gin (tsv)"))
    rebuild_facets(store)
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if pg else "ANALYZE"))


def grow(store: Store, rows: int) -> float:
    """Replicate the existing catalogue in SQL up to ``rows`` offers; returns seconds.

    Copy ``k`` of the first ``n`` index rows gets ``doc + k * n`` and its own cluster
    id (``{id}-{k}``); places, texts and PostgreSQL tsvectors are copied (not
    recomputed; SQLite's FTS5 triggers index the copied text), publication dates are
    drawn again within 90 days on PostgreSQL and copied on SQLite. A 1,000,000-row
    catalogue is so made from a 100,000-row build in minutes instead of an hour of Python
    (SQLite: 5 min 40 s, its one big transaction written without the WAL).
    """
    t0 = time.perf_counter()
    pg = store.dialect == "postgresql"
    copies = "WITH RECURSIVE ks(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM ks WHERE k < :k) "

    def with_id(col: str, value: str) -> str:
        return f"jsonb_set({col}::jsonb, '{{id}}', to_jsonb({value}))" if pg else f"json_set({col}, '$.id', {value})"

    published = "now() - random() * interval '90 days'" if pg else "published_at"
    data_id = with_id("c.data", "c.id || '-' || k")
    summary_id = with_id("t.summary", "s.cluster_id || '-' || k")
    if not pg:
        # One 10 GB transaction: a WAL would hold every page twice (log, then checkpoint).
        store.engine.dispose()
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
    with store.session() as s:
        if not pg:
            s.execute(text("PRAGMA synchronous=OFF"))
            s.execute(text("PRAGMA cache_size=-4000000"))
        n = int(s.scalar(text("SELECT MAX(doc) FROM catalogue_search")) or 0)
        params = {"n": n, "k": -(-rows // n) - 1, "rows": rows}
        if pg:
            s.execute(text("DROP INDEX IF EXISTS ix_search_tsv"))
        s.execute(text(
            copies + "INSERT INTO clusters (id, status, title, data, n_sources, rome_code, departement, contract, "
            "public_service, created_at, updated_at) "
            f"SELECT c.id || '-' || k, c.status, c.title, {data_id}, "
            "c.n_sources, c.rome_code, c.departement, c.contract, c.public_service, c.created_at, c.updated_at "
            "FROM catalogue_search s JOIN clusters c ON c.id = s.cluster_id CROSS JOIN ks "
            "WHERE s.doc <= :n AND s.doc + k * :n <= :rows"), params)
        tsv = ", tsv" if pg else ""
        s.execute(text(
            copies + "INSERT INTO catalogue_search (doc, cluster_id, cluster_updated_at, rome_code, rome_domain, "
            "departement, region, insee, city, contract, salary_yearly, published_at, latitude, longitude, cell, "
            f"public_service, direct_contact{tsv}) "
            "SELECT doc + k * :n, cluster_id || '-' || k, cluster_updated_at, rome_code, rome_domain, departement, "
            f"region, insee, city, contract, salary_yearly, {published}, latitude, "
            f"longitude, cell, public_service, direct_contact{tsv} "
            "FROM catalogue_search CROSS JOIN ks WHERE doc <= :n AND doc + k * :n <= :rows "
            "ORDER BY k, doc"), params)
        s.execute(text(
            copies + "INSERT INTO catalogue_text (doc, text, summary) "
            f"SELECT t.doc + k * :n, t.text, {summary_id} "
            "FROM catalogue_text t JOIN catalogue_search s ON s.doc = t.doc CROSS JOIN ks "
            "WHERE t.doc <= :n AND t.doc + k * :n <= :rows ORDER BY k, t.doc"), params)
        print(f"  grown to {rows} rows, {time.perf_counter() - t0:.0f} s", flush=True)
    _finish_index(store)
    return time.perf_counter() - t0


def query_mix(store: Store, runs: int, rng: random.Random) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The fixed query mix: per type, ``runs`` (path, params)."""
    with store.session() as s:
        cities = [c for (c,) in s.execute(text(
            "SELECT city FROM catalogue_search WHERE city IS NOT NULL GROUP BY city "
            "ORDER BY COUNT(*) DESC, city LIMIT 200"))]
        deps = [d for (d,) in s.execute(text(
            "SELECT departement FROM catalogue_search WHERE departement IS NOT NULL GROUP BY departement "
            "ORDER BY departement"))]
        ndoc = int(s.scalar(text("SELECT MAX(doc) FROM catalogue_search")) or 0)
        ids = [s.scalar(select(CatalogueSearch.cluster_id).where(CatalogueSearch.doc == rng.randrange(1, ndoc + 1)))
               for _ in range(runs)]
    since = (datetime.now(UTC) - timedelta(days=14)).strftime("%Y-%m-%dT00:00:00Z")
    mix: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "browse (no filter, facets)": [("/offers", {"limit": 20}) for _ in range(runs)],
        "q: words": [("/offers", {"q": rng.choice(WORDS), "limit": 20}) for _ in range(runs)],
        "q + departement": [("/offers", {"q": rng.choice(WORDS), "departement": rng.choice(deps), "limit": 20})
                            for _ in range(runs)],
        "rome domain + departement": [("/offers", {"rome": rng.choice("ADFGHIJKMN"), "departement": rng.choice(deps),
                                                   "limit": 20}) for _ in range(runs)],
        "rome code": [("/offers", {"rome": rng.choice(ROME_CODES), "limit": 20}) for _ in range(runs)],
        "departement + contrat": [("/offers", {"departement": rng.choice(deps), "contrat": ["CDI"], "limit": 20})
                                  for _ in range(runs)],
        "commune + rayon 20 km": [("/offers", {"commune": rng.choice(cities), "rayon": 20, "limit": 20})
                                  for _ in range(runs)],
        "salaire_min + since": [("/offers", {"salaire_min": rng.choice([25000, 30000, 40000]), "since": since,
                                             "limit": 20}) for _ in range(runs)],
        "q, page 2 (cursor)": [("next", {"q": rng.choice(WORDS), "limit": 20}) for _ in range(runs)],
        "detail /offers/{id}": [(f"/offers/{i}", {}) for i in ids if i],
    }
    return mix


def _server_cpu(store: Store) -> Callable[[], float]:
    """Seconds of CPU spent so far by the database server processes serving this process.

    PostgreSQL: the sum over the backends of this process's own connections (recorded
    as the pool opens them, after a ``dispose``) of ``/proc/PID/schedstat`` (ns, same
    machine), so other sessions on the database do not count; SQLite runs inside this
    process, whose CPU time is counted apart: 0.
    """
    if store.dialect != "postgresql":
        return lambda: 0.0
    from sqlalchemy import event

    pids: set[int] = set()
    store.engine.dispose()
    event.listen(store.engine, "connect", lambda dbapi, _rec: pids.add(int(dbapi.info.backend_pid)))

    def cpu() -> float:
        total = 0
        for pid in list(pids):
            try:
                total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue
        return total / 1e9

    return cpu


def _quantiles(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {"p50": statistics.median(values), "p95": values[max(0, int(len(values) * 0.95) - 1)],
            "max": values[-1]}


def measure(store: Store, runs: int) -> dict[str, dict[str, float]]:
    """Per query type: wall p50/p95 (ms) and CPU p50/p95 (ms: this process + the database server).

    Wall time on a shared machine includes waiting for a core; CPU time (client
    ``time.process_time`` + the PostgreSQL backends' own CPU) does not, so it is the
    figure that compares across loads.
    """
    from fastapi.testclient import TestClient

    from jobgate.api import create_app

    client = TestClient(create_app(Settings(), store))
    rng = random.Random(7)
    mix = query_mix(store, runs, rng)
    results: dict[str, dict[str, float]] = {}
    server = _server_cpu(store)
    for name, calls in mix.items():
        for path, params in calls[:5]:  # warm-up
            client.get("/offers" if path == "next" else path, params=params)
        times, cpus = [], []
        for path, params in calls:
            if path == "next":
                first = client.get("/offers", params={**params, "facets": False}).json()
                if not first["next"]:
                    continue
                params = {**params, "after": first["next"]}
                path = "/offers"
            c0, s0 = time.process_time(), server()
            t = time.perf_counter()
            r = client.get(path, params=params)
            times.append((time.perf_counter() - t) * 1000)
            cpus.append((time.process_time() - c0 + server() - s0) * 1000)
            assert r.status_code == 200, (path, params, r.text[:200])
        wall, cpu = _quantiles(times), _quantiles(cpus)
        results[name] = {"n": len(times), **wall, "cpu_p50": cpu["p50"], "cpu_p95": cpu["p95"]}
        print(f"  {name:<30} n={len(times):>4} wall p50={wall['p50']:6.1f} p95={wall['p95']:6.1f} ms | "
              f"CPU p50={cpu['p50']:6.1f} p95={cpu['p95']:6.1f} ms | load {os.getloadavg()[0]:.1f}", flush=True)
    return results


def main() -> None:
    """Build (or reuse) the catalogue, then measure."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--db", help="SQLite file (default: a temporary one)")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--reuse", action="store_true", help="reuse an existing SQLite file")
    ap.add_argument("--url", help="an existing PostgreSQL database (default: a throwaway server)")
    ap.add_argument("--json", help="write results here")
    ap.add_argument("--grow", action="store_true", help="replicate an existing smaller catalogue in "
                    "SQL up to --rows (see grow())")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jobgate-apibench-"))
    server = None
    if args.backend == "postgresql" and args.url:
        url = args.url
    elif args.backend == "postgresql":
        from tests.pg_server import PostgresServer

        class BenchServer(PostgresServer):
            def _run(self, *a: str) -> None:
                if a[0] == "pg_ctl" and "start" in a:
                    i = a.index("-o")
                    a = (*a[:i + 1], a[i + 1] + " -c shared_buffers=4GB -c work_mem=64MB "
                         "-c maintenance_work_mem=2GB -c effective_cache_size=16GB", *a[i + 2:])
                super()._run(*a)

        server = BenchServer().start()
        server.execute("CREATE DATABASE bench")
        url = server.url("bench")
    else:
        db = Path(args.db) if args.db else work / "bench.sqlite3"
        if db.exists() and not args.reuse:
            db.unlink()
        url = f"sqlite:///{db}"
    try:
        store = Store(url)
        store.migrate()
        with store.session() as s:
            have = int(s.scalar(text("SELECT COUNT(*) FROM catalogue_search")) or 0)
        built = 0.0
        if have and have < args.rows and args.grow:
            built = grow(store, args.rows)
        elif have < args.rows:
            built = build(store, args.rows, work)
        with store.session() as s:
            have = int(s.scalar(text("SELECT COUNT(*) FROM catalogue_search")) or 0)
        print(f"{args.backend}: {have} catalogue offers (built in {built:.0f} s); "
              f"{platform.python_implementation()} {platform.python_version()}", flush=True)
        results = measure(store, args.runs)
        if args.json:
            Path(args.json).write_text(json.dumps({"backend": args.backend, "rows": have, "build_s": built,
                                                   "results": results}, indent=2))
        store.dispose()
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
