"""Clustering: candidate pairs from blocking rules, scored, joined with a guarded union-find."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence

from dedup.model import BlockingStats, DedupModel, DedupRecord
from jobgate.errors import JobgateError

log = logging.getLogger("jobgate.dedup")


class DedupError(JobgateError):
    """Dedup cannot run as declared (e.g. a blocking rule exceeds its pair cap)."""


class UnionFind:
    """Union-find with sizes, so large merges can be refused."""

    def __init__(self, keys: Sequence[int]) -> None:
        self.parent = {k: k for k in keys}
        self.size = dict.fromkeys(keys, 1)

    def find(self, k: int) -> int:
        """Root of ``k`` (path halving)."""
        p = self.parent
        while p[k] != k:
            p[k] = p[p[k]]
            k = p[k]
        return k

    def union(self, a: int, b: int) -> int:
        """Join the sets of ``a`` and ``b``; returns the new root."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return ra

    def groups(self) -> list[list[int]]:
        """The sets, each sorted, ordered by smallest member."""
        out: dict[int, list[int]] = defaultdict(list)
        for k in self.parent:
            out[self.find(k)].append(k)
        return sorted((sorted(v) for v in out.values()), key=lambda g: g[0])


def candidate_pairs(
    records: Sequence[DedupRecord], model: DedupModel, stats: BlockingStats | None = None
) -> Iterator[tuple[int, int]]:
    """Unique index pairs that some blocking rule puts together.

    Raises:
        DedupError: a rule would generate more than ``model.max_pairs_per_rule`` pairs.
    """
    seen: set[tuple[int, int]] = set()
    for rule in model.blocking:
        blocks: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(records):
            k = rule.key(r)
            if k:
                blocks[k].append(i)
        n_pairs = sum(len(b) * (len(b) - 1) // 2 for b in blocks.values() if len(b) <= model.max_block_size)
        skipped = sum(1 for b in blocks.values() if len(b) > model.max_block_size)
        if stats is not None:
            stats.pairs[rule.name] = n_pairs
            stats.skipped_blocks[rule.name] = skipped
        if n_pairs > model.max_pairs_per_rule:
            raise DedupError(
                f"blocking rule {rule.name!r} would compare {n_pairs} pairs "
                f"(cap {model.max_pairs_per_rule}): make it more selective"
            )
        for members in blocks.values():
            if len(members) < 2 or len(members) > model.max_block_size:
                continue
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    pair = (members[x], members[y])
                    if pair not in seen:
                        seen.add(pair)
                        yield pair


def score_pair(a: DedupRecord, b: DedupRecord, model: DedupModel) -> dict[str, float | None]:
    """Every comparison of one pair."""
    return {c.name: c.score(a, b) for c in model.comparisons}


def cluster(
    records: Sequence[DedupRecord], model: DedupModel, stats: BlockingStats | None = None
) -> list[list[int]]:
    """Group record indexes into jobs.

    A guard against chaining: two groups of more than one record each are only
    joined when the pair is near-identical (title and text both >= 0.95).
    """
    uf = UnionFind(list(range(len(records))))
    for i, j in candidate_pairs(records, model, stats):
        a, b = records[i], records[j]
        if a.partner == b.partner and a.key == b.key:
            continue
        s = score_pair(a, b, model)
        if not model.decide(s):
            continue
        ri, rj = uf.find(i), uf.find(j)
        if ri != rj and uf.size[ri] > 1 and uf.size[rj] > 1:
            strong = (s.get("title_tokens") or 0) >= 0.95 and (s.get("description_head") or 0) >= 0.95
            if not strong:
                continue
        uf.union(i, j)
    return uf.groups()
