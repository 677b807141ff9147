"""Normalise N offers end to end (field parsing, ROME, certification) on one core.

Offers are the 3,150 real France Travail offers, cycled with fresh ids and
slightly varied titles so the ROME cache does not make repeats free. Reports
offers/s (median of --repeat runs) with a cold classifier cache and empty text
memos per run. Descriptions repeat every 3,150 offers, so with --offers 100000
most offers hit the description memos (repaired text, HTML, certification's
normalised text); --offers 3150 gives the rate when every offer is new.

    python bench/normalize_bench.py --offers 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import time
from pathlib import Path

# Measure this checkout, not whatever copy of the packages the virtualenv points to.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.francetravail import FranceTravailConnector
from jobgate.config import PartnerSettings
from normalizer.normalize import NormalizerContext, clear_text_memos, normalize_record
from normalizer.rome import RomeClassifier

DATA = Path(__file__).resolve().parents[1] / "tests/fixtures/ft_offers/ft_offres_2025-11-13.jsonl.gz"
SUFFIXES = ["", " H/F", " (F/H)", " - CDI", " confirmé", " junior", " - Lyon", " expérimenté"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    conn = FranceTravailConnector(PartnerSettings(name="bench", connector="francetravail", url="-"))
    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        base = [conn.to_source_record(json.loads(line), i).fields for i, line in enumerate(fh)]
    records = []
    for i in range(args.offers):
        f = dict(base[i % len(base)])
        f["title"] = f["title"] + SUFFIXES[(i // len(base)) % len(SUFFIXES)]
        records.append((f"B{i}", f))
    rates: list[float] = []
    cpu_rates: list[float] = []
    for _ in range(args.repeat):
        clf = RomeClassifier.default()
        clf.cache_clear()
        clear_text_memos()  # each run starts with every cache and memo empty
        ctx = NormalizerContext(classifier=clf)
        start, cpu = time.perf_counter(), time.process_time()
        for ext, f in records:
            normalize_record("bench", ext, f, ctx)
        rates.append(len(records) / (time.perf_counter() - start))
        cpu_rates.append(len(records) / (time.process_time() - cpu))
    print(f"offers={len(records)} wall={[round(r) for r in rates]} median={statistics.median(rates):.0f}/s "
          f"cpu={[round(r) for r in cpu_rates]} median={statistics.median(cpu_rates):.0f}/s "
          f"load={os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
