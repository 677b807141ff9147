"""Connector throughput and memory: big generated feeds read into the raw store through fetch_partner.

Feeds are generated from the real France Travail offers in
``/work/shared/data/ft_offers/*.jsonl.gz``, cycled with new ids, and written to
``/tmp`` (never the repository). Each measurement runs in a child process so
its peak RSS (``ru_maxrss``) is its own; the forked record producer of
``connectors.parallel`` is reported apart (CPU time added to the run's, peak RSS
as ``producer_peak_rss_mb``). The median of ``--runs`` runs is kept.

    python bench/connectors_bench.py --sizes 100M,1G --kinds xml --runs 3
    python bench/connectors_bench.py --sizes 20M --kinds rss,json --runs 3
    python bench/connectors_bench.py --sizes 20M --parallel both --roots .,../main   # A/B
    python bench/connectors_bench.py --sizes 20M --stages --runs 3                  # producer stages

``--roots`` measures other checkouts (their code, this script); a checkout
without ``options.parallel`` ignores it (always one process).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
OFFERS = Path(__file__).resolve().parents[1] / "tests/fixtures/ft_offers/ft_offres_2025-11-13.jsonl.gz"
OUT = Path(tempfile.gettempdir()) / "jobgate-bench"


def real_offers() -> list[dict[str, Any]]:
    with gzip.open(OFFERS, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def cycled(target: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """Offers cycled until about ``target`` bytes were produced (the caller counts)."""
    offers = real_offers()
    n = 0
    while True:
        for o in offers:
            yield n, o
            n += 1


def _indeed_job(n: int, o: dict[str, Any]) -> str:
    place = o.get("lieuTravail") or {}
    company = (o.get("entreprise") or {}).get("nom") or ""
    salary = (o.get("salaire") or {}).get("libelle") or ""
    return (
        "<job>"
        f"<referencenumber>{escape(o['id'])}-{n}</referencenumber>"
        f"<title><![CDATA[{o.get('intitule', '')}]]></title>"
        f"<date>{escape(o.get('dateCreation', ''))}</date>"
        f"<url>https://candidat.francetravail.fr/offres/recherche/detail/{escape(o['id'])}?n={n}</url>"
        f"<company><![CDATA[{company}]]></company>"
        f"<city>{escape(place.get('libelle', ''))}</city>"
        f"<postalcode>{escape(place.get('codePostal', '') or '')}</postalcode>"
        f"<country>FR</country>"
        f"<description><![CDATA[{(o.get('description') or '').replace(']]>', ']] >')}]]></description>"
        f"<salary>{escape(salary)}</salary>"
        f"<jobtype>{escape(o.get('typeContratLibelle', '') or '')}</jobtype>"
        "</job>\n"
    )


def _rss_item(n: int, o: dict[str, Any]) -> str:
    return (
        "<item>"
        f"<guid isPermaLink=\"false\">{escape(o['id'])}-{n}</guid>"
        f"<title>{escape(o.get('intitule', ''))}</title>"
        f"<link>https://candidat.francetravail.fr/offres/recherche/detail/{escape(o['id'])}?n={n}</link>"
        f"<description>{escape(o.get('description') or '')}</description>"
        "</item>\n"
    )


def generate(kind: str, size: int) -> Path:
    """Write a feed of about ``size`` bytes (reused when already there)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"feed-{kind}-{size}.{ 'json' if kind == 'json' else 'xml'}"
    if path.exists() and path.stat().st_size >= size:
        return path
    written = 0
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8") as fh:
        if kind == "xml":
            head, tail = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<source><publisher>bench</publisher>\n", "</source>\n"
        elif kind == "rss":
            head, tail = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>bench</title>\n", "</channel></rss>\n"
        else:
            head, tail = "{\"resultats\": [\n", "]}\n"
        fh.write(head)
        for n, o in cycled(size):
            if kind == "xml":
                chunk = _indeed_job(n, o)
            elif kind == "rss":
                chunk = _rss_item(n, o)
            else:
                rec = dict(o, id=f"{o['id']}-{n}")
                chunk = ("," if n else "") + json.dumps(rec, ensure_ascii=False) + "\n"
            fh.write(chunk)
            written += len(chunk.encode("utf-8")) if n % 64 == 0 else len(chunk)
            if written >= size:
                break
        fh.write(tail)
    tmp.rename(path)
    return path


def run_once(kind: str, feed: Path, parallel: bool = True, root: Path = ROOT) -> dict[str, Any]:
    """Child process body: one fetch into a fresh SQLite store; prints a JSON line."""
    sys.path.insert(0, str(root))
    from connectors import fetch_partner
    from jobgate.config import PartnerSettings, Settings
    from jobgate.storage import Store

    db = Path(tempfile.mkdtemp(prefix="jobgate-bench-")) / "bench.sqlite3"
    store = Store(f"sqlite:///{db}")
    store.migrate()
    connector, dialect = {"xml": ("xml", "indeed"), "rss": ("rss", "rss"), "json": ("francetravail", None)}[kind]
    options = {} if parallel else {"parallel": False}
    partner = PartnerSettings(name="bench", connector=connector, url=str(feed), dialect=dialect, options=options)
    settings = Settings(partners=(partner,), base_dir=feed.parent)
    t0, c0, k0 = time.perf_counter(), time.process_time(), _children_cpu()
    report = fetch_partner(store, settings, partner)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    # The forked record producer (connectors.parallel) is a child: its CPU time and peak count too.
    child_cpu = _children_cpu() - k0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    cpu += child_cpu
    out = {"kind": kind, "parallel": parallel, "root": str(root), "feed_mb": feed.stat().st_size / 1e6, "outcome": report.outcome, "error": report.error,
           "offers": report.fetched, "new": report.new, "seconds": round(dt, 2),
           "offers_per_s": round(report.fetched / dt), "cpu_s": round(cpu, 2),
           "offers_per_cpu_s": round(report.fetched / cpu), "producer_cpu_s": round(child_cpu, 2),
           "peak_rss_mb": round(rss, 1), "producer_peak_rss_mb": round(child_rss, 1),
           "db_mb": round(db.stat().st_size / 1e6, 1)}
    store.dispose()
    for f in db.parent.iterdir():
        f.unlink()
    db.parent.rmdir()
    return out


def stages(feed: Path, runs: int) -> dict[str, float]:
    """CPU µs per offer of the producer's stages on an Indeed feed, in this process (median of ``runs``)."""
    sys.path.insert(0, str(ROOT))
    from connectors.source import open_file
    from connectors.xmlfeed import XmlFeedConnector
    from jobgate.config import PartnerSettings
    from jobgate.storage.rawbulk import prepare_record

    conn = XmlFeedConnector(PartnerSettings(name="bench", connector="xml", url=str(feed)))

    def parse() -> int:
        with open_file(str(feed), "bench") as s:
            return sum(1 for _ in conn.parse(s))

    def records() -> int:
        with open_file(str(feed), "bench") as s:
            return sum(1 for _ in conn.records(s))

    def prepared() -> int:
        with open_file(str(feed), "bench") as s:
            return sum(1 for r in conn.records(s) if prepare_record(r))  # type: ignore[arg-type]

    out: dict[str, float] = {}
    for label, fn in (("parse", parse), ("parse+map+validate", records), ("parse+map+validate+prepare", prepared)):
        times = []
        for _ in range(runs):
            c0 = time.process_time()
            n = fn()
            times.append((time.process_time() - c0) / n * 1e6)
        out[label + "_us_per_offer"] = round(statistics.median(times), 1)
    return out


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def measure(kind: str, feed: Path, runs: int, parallel: bool = True, root: Path = ROOT) -> dict[str, Any]:
    results = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, __file__, "--child", kind, str(feed), str(int(parallel)), str(root)],
                              capture_output=True, text=True, check=True, cwd=root)
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print("  run:", results[-1], file=sys.stderr)
    med = sorted(results, key=lambda r: r["offers_per_s"])[len(results) // 2]
    return {**med, "runs": runs, "offers_per_s_all": [r["offers_per_s"] for r in results],
            "peak_rss_mb_max": max(r["peak_rss_mb"] for r in results),
            "producer_peak_rss_mb_max": max(r["producer_peak_rss_mb"] for r in results),
            "seconds_median": statistics.median(r["seconds"] for r in results),
            "cpu_s_median": statistics.median(r["cpu_s"] for r in results),
            "offers_per_s_median": statistics.median(r["offers_per_s"] for r in results),
            "offers_per_cpu_s_median": statistics.median(r["offers_per_cpu_s"] for r in results),
            # The pipeline's pace with a core each: the busier of writer and producer.
            "offers_per_critical_cpu_s_median": statistics.median(
                round(r["offers"] / max(r["cpu_s"] - r.get("producer_cpu_s", 0), r.get("producer_cpu_s", 0)))
                for r in results),
            "load_avg": os.getloadavg()}


def _size(text: str) -> int:
    units = {"K": 10**3, "M": 10**6, "G": 10**9}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def main() -> None:
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        parallel = len(sys.argv) < 5 or sys.argv[4] == "1"
        root = Path(sys.argv[5]) if len(sys.argv) > 5 else ROOT
        print(json.dumps(run_once(sys.argv[2], Path(sys.argv[3]), parallel, root)))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100M,1G")
    ap.add_argument("--kinds", default="xml")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--stages", action="store_true",
                    help="instead: CPU µs per offer of parse, mapping and preparation (XML feed of --sizes)")
    ap.add_argument("--parallel", choices=("on", "off", "both"), default="on",
                    help="read file feeds with the forked producer (connectors.parallel), without, or both")
    ap.add_argument("--roots", default=str(ROOT),
                    help="comma-separated checkouts to measure in turn (A/B against another branch)")
    args = ap.parse_args()
    if args.stages:
        for size in args.sizes.split(","):
            print(json.dumps({"size": size, **stages(generate("xml", _size(size)), args.runs)}))
        return
    modes = {"on": [True], "off": [False], "both": [False, True]}[args.parallel]
    for kind in args.kinds.split(","):
        for size in args.sizes.split(","):
            feed = generate(kind, _size(size))
            print(f"{kind} {size}: {feed} ({feed.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)
            for root in args.roots.split(","):
                for parallel in modes:
                    print(json.dumps(measure(kind, feed, args.runs, parallel, Path(root))))
    print(f"cpus={os.cpu_count()}", file=sys.stderr)


if __name__ == "__main__":
    main()
