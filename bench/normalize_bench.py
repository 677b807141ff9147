"""Normalise N offers end to end (field parsing, ROME, certification) on one core.

Offers are the 3,150 real France Travail offers, cycled with fresh ids and
slightly varied titles so the ROME cache does not make repeats free. Reports
offers/s (median of --repeat runs, wall clock and CPU time) with a cold classifier
cache and empty text memos per run.

``--texts`` decides how often a description comes back:

- ``repeat`` (default): descriptions repeat every 3,150 offers, so with
  ``--offers 100000`` 96.85 % of offers hit the description memos (repaired text,
  HTML, certification's normalised text and scan hits);
- ``new``: every copy of a description gets its own reference line, so every
  offer's text is new (0 % repetition; titles still repeat every 25,200 offers).

``--passes 2`` normalises the same offers twice per run and reports the second
pass ("re-normalising unchanged offers": memos and ROME cache warm up to their
bounds). ``--no-rome`` replaces the classifier by a lookup of results computed
before timing, to measure the rest of the normaliser alone.

    python bench/normalize_bench.py --offers 100000 --repeat 3 [--texts new] [--passes 2] [--no-rome]
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
from typing import Any, cast

# Measure this checkout, not whatever copy of the packages the virtualenv points to.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.francetravail import FranceTravailConnector
from jobgate.config import PartnerSettings
from normalizer.normalize import NormalizerContext, clear_text_memos, normalize_record
from normalizer.rome import RomeClassifier, RomeResult

DATA = Path(__file__).resolve().parents[1] / "tests/fixtures/ft_offers/ft_offres_2025-11-13.jsonl.gz"
SUFFIXES = ["", " H/F", " (F/H)", " - CDI", " confirmé", " junior", " - Lyon", " expérimenté"]


class _Precomputed:
    """Stands for the classifier: returns results computed before timing (``--no-rome``)."""

    def __init__(self, clf: RomeClassifier) -> None:
        self._clf = clf
        self._results: dict[tuple[str, str | None, str | None, str | None], RomeResult] = {}

    def classify(
        self, title: str, description: str | None = None, naf: str | None = None, source_code: str | None = None
    ) -> RomeResult:
        key = (title, description, naf, source_code)
        hit = self._results.get(key)
        if hit is None:
            hit = self._results[key] = self._clf.classify(title, description, naf, source_code)
        return hit


def build_records(n: int, texts: str) -> list[tuple[str, dict[str, Any]]]:
    """``n`` records cycled from the real offers (see the module docstring)."""
    conn = FranceTravailConnector(PartnerSettings(name="bench", connector="francetravail", url="-"))
    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        base = [conn.to_source_record(json.loads(line), i).fields for i, line in enumerate(fh)]
    records = []
    for i in range(n):
        f = dict(base[i % len(base)])
        copy = i // len(base)
        f["title"] = f["title"] + SUFFIXES[copy % len(SUFFIXES)]
        if texts == "new" and copy:
            f["description"] = f"Référence interne de l'annonce : {copy}-{i}.\n" + (f.get("description") or "")
        records.append((f"B{i}", f))
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--texts", choices=("repeat", "new"), default="repeat")
    parser.add_argument("--passes", type=int, default=1, help="report the last of this many passes")
    parser.add_argument("--no-rome", action="store_true", help="exclude ROME (results computed before timing)")
    args = parser.parse_args()
    records = build_records(args.offers, args.texts)
    rates: list[float] = []
    cpu_rates: list[float] = []
    precomputed: _Precomputed | None = None
    if args.no_rome:
        precomputed = _Precomputed(RomeClassifier.default())
        warm = NormalizerContext(classifier=cast(RomeClassifier, precomputed))
        for ext, f in records:
            normalize_record("bench", ext, f, warm)
    for _ in range(args.repeat):
        clf = RomeClassifier.default()
        clf.cache_clear()
        clear_text_memos()  # each run starts with every cache and memo empty
        ctx = NormalizerContext(classifier=cast(RomeClassifier, precomputed) if precomputed else clf)
        for _ in range(args.passes):
            start, cpu = time.perf_counter(), time.process_time()
            for ext, f in records:
                normalize_record("bench", ext, f, ctx)
            wall, used = time.perf_counter() - start, time.process_time() - cpu
        rates.append(len(records) / wall)
        cpu_rates.append(len(records) / used)
    print(f"offers={len(records)} texts={args.texts} passes={args.passes} rome={'excluded' if args.no_rome else 'included'} "
          f"wall={[round(r) for r in rates]} median={statistics.median(rates):.0f}/s "
          f"cpu={[round(r) for r in cpu_rates]} median={statistics.median(cpu_rates):.0f}/s "
          f"load={os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
