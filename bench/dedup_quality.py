"""Pairwise precision and recall of dedup on the labelled benchmark (bench/dedup_data.py).

Usage: ``python bench/dedup_quality.py [--half TEST|TUNING] [--errors N]``

Reports the default model and the baseline "same employer, same postcode, title
similarity >= 0.8" (transitive closure of matching pairs) on one half.
Thresholds are tuned on TUNING only; TEST is the reported figure.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz

from bench.dedup_data import BenchOffer, generate, true_pairs
from dedup.engine import UnionFind, cluster
from dedup.model import DEFAULT_MODEL, BlockingStats, DedupModel, DedupRecord
from dedup.stage import to_record


@dataclass
class Quality:
    """Pairwise counts and rates."""

    true: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        """Share of predicted pairs that are true."""
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of true pairs found."""
        return self.correct / self.true if self.true else 1.0


def records_of(offers: Sequence[BenchOffer]) -> list[DedupRecord]:
    """Dedup records of benchmark offers (key = position)."""
    return [to_record(i, o.data, 50, None) for i, o in enumerate(offers)]


def pairs_of(groups: list[list[int]]) -> set[tuple[int, int]]:
    """Index pairs within groups."""
    return {(a, b) for g in groups for x, a in enumerate(g) for b in g[x + 1:]}


def evaluate(offers: Sequence[BenchOffer], groups: list[list[int]]) -> Quality:
    """Compare predicted groups with the job labels."""
    truth = true_pairs(list(offers))
    pred = pairs_of(groups)
    return Quality(len(truth), len(pred), len(truth & pred))


def baseline(records: Sequence[DedupRecord]) -> list[list[int]]:
    """Same employer, same postcode, title similarity >= 0.8."""
    blocks: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(records):
        if r.employer and r.postcode:
            blocks.setdefault((r.employer, r.postcode), []).append(i)
    uf = UnionFind(list(range(len(records))))
    for members in blocks.values():
        for x, i in enumerate(members):
            for j in members[x + 1:]:
                if fuzz.token_set_ratio(records[i].title, records[j].title) >= 80:
                    uf.union(i, j)
    return uf.groups()


def run(half: str, model: DedupModel = DEFAULT_MODEL, errors: int = 0) -> dict[str, Quality]:
    """Quality of the model and the baseline on one half."""
    offers = [o for o in generate() if o.half == half]
    records = records_of(offers)
    stats = BlockingStats()
    t = time.perf_counter()
    groups = cluster(records, model, stats)
    elapsed = time.perf_counter() - t
    out = {"model": evaluate(offers, groups), "baseline": evaluate(offers, baseline(records))}
    print(f"{half}: {len(offers)} records, {len({o.job for o in offers})} jobs, clustered in {elapsed:.2f}s; "
          f"pairs per rule {stats.pairs}; compared {stats.compared}, matched {stats.matched}, "
          f"refused merges {stats.refused_merges}")
    if errors:
        _show_errors(offers, records, groups, model, errors)
    return out


def _show_errors(offers: Sequence[BenchOffer], records: Sequence[DedupRecord], groups: list[list[int]],
                 model: DedupModel, n: int) -> None:
    truth, pred = true_pairs(list(offers)), pairs_of(groups)
    for label, bad in (("false positive", sorted(pred - truth)), ("missed", sorted(truth - pred))):
        print(f"-- {len(bad)} {label} pairs")
        for a, b in bad[:n]:
            s = {k: (round(v, 2) if v is not None else None) for k, v in model.scores(records[a], records[b]).items()}
            print(f"  {offers[a].kind}/{offers[a].partner} {offers[a].job} | {offers[b].kind}/{offers[b].partner} "
                  f"{offers[b].job}\n    {records[a].title!r} / {records[b].title!r} {records[a].city!r}/"
                  f"{records[b].city!r} {records[a].postcode}/{records[b].postcode} {s}")


def main() -> None:
    """Print the quality table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--half", default="TEST", choices=["TEST", "TUNING"])
    ap.add_argument("--errors", type=int, default=0, help="show this many errors of each kind")
    args = ap.parse_args()
    res = run(args.half, errors=args.errors)
    print(f"{'method':<10} {'true':>6} {'pred':>6} {'ok':>6} {'precision':>10} {'recall':>8}")
    for name, q in res.items():
        print(f"{name:<10} {q.true:>6} {q.predicted:>6} {q.correct:>6} {q.precision:>10.4f} {q.recall:>8.4f}")


if __name__ == "__main__":
    main()
