"""CPU cost of the security controls on the request path (issue 8).

Measures, in CPU time (``time.process_time``), median of ``--runs`` runs of ``--n`` calls:

* ``redact``: masking one JSON log line (300 characters) with 10 registered secrets;
* ``identify (env key)``: a partner key from ``api_key_env`` (20 partners' digests compared);
* ``identify (stored key)``: an issued key checked against the key store (SQLite, one row read);
* ``identify (wrong key)``: a well-formed issued-looking key that is not in the store;
* ``egress refusal``: the allow-list check of one URL whose host is an IP literal (no DNS).

Usage: ``python bench/security_bench.py [--n 20000] [--runs 5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.egress import EgressPolicy
from jobgate.config import PartnerSettings, Settings
from jobgate.keys import KeyChecker, issue_key
from jobgate.redaction import redact, register
from jobgate.storage import Store


def cpu_per_call(fn: Callable[[], object], n: int, runs: int) -> float:
    """Median CPU microseconds per call over ``runs`` runs of ``n`` calls."""
    out = []
    for _ in range(runs):
        t0 = time.process_time()
        for _ in range(n):
            fn()
        out.append((time.process_time() - t0) / n * 1e6)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    register(*(f"secret-value-{i:02d}-Zq8w" for i in range(10)))
    line = json.dumps({"time": "2026-11-22T05:00:00.000+00:00", "level": "info", "logger": "jobgate.connectors",
                       "message": "fetch finished", "partner": "courrier-regional", "fetched": 1234, "new": 12,
                       "updated": 3, "error": "HTTP 503 from https://feeds.example.org/offres.xml: unavailable"})
    partners = tuple(PartnerSettings(name=f"p{i:02d}", connector="rss", url="x.xml", api_key_env=f"BENCH_KEY_{i}")
                     for i in range(20))
    for i in range(20):
        os.environ[f"BENCH_KEY_{i}"] = f"bench-env-key-{i:02d}-abcdefghijkl"
    settings = Settings(partners=partners)
    with tempfile.TemporaryDirectory() as d:
        store = Store(f"sqlite:///{d}/bench.sqlite3")
        store.migrate()
        issued = issue_key(store, settings, "p07")
        checker = KeyChecker(settings, store)
        wrong = f"jgk_{'0' * 16}_{'A' * 43}"
        policy = EgressPolicy("p", ["feeds.example.org", "93.184.215.14"])
        rows = {
            "redact (300-char JSON log line, 10 secrets)": cpu_per_call(lambda: redact(line), args.n, args.runs),
            "identify (env key, 20 partners)": cpu_per_call(lambda: checker.identify("bench-env-key-19-abcdefghijkl"),
                                                            args.n, args.runs),
            "identify (stored key, SQLite)": cpu_per_call(lambda: checker.identify(issued.key), args.n // 10, args.runs),
            "identify (unknown key)": cpu_per_call(lambda: checker.identify(wrong), args.n // 10, args.runs),
            "egress check (IP-literal host)": cpu_per_call(lambda: policy.refusal("http://93.184.215.14/x"),
                                                           args.n, args.runs),
        }
        store.dispose()
    for name, us in rows.items():
        print(f"{name}: {us:.1f} µs CPU per call")


if __name__ == "__main__":
    main()
