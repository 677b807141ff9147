"""Clustering: candidate pairs from blocking rules, scored, joined with guarded merges.

:class:`DedupIndex` is the engine. It keeps every record's blocking keys, the
blocks and the clusters, so a new batch is matched against what is already
there without recomputing it (:meth:`DedupIndex.add`), and a changed or closed
record leaves its cluster (:meth:`DedupIndex.remove`). A full run is one
:meth:`~DedupIndex.add` of every record into an empty index.

Guards against chaining, at every merge of two clusters:

* cannot-link: no pair across the two clusters may be vetoed (another place,
  contract, SIRET or employer; one partner's same-day siblings), so an anonymous
  copy cannot chain two sites of a multi-site hiring;
* strong evidence: when a cluster already holds several records, at least half
  the pairs across it and the newcomer (record or cluster) must match on their own;
* a maximum cluster size.

Matched pairs are merged strongest first, so weak links come last.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain

import numpy as np

from dedup.model import BlockingStats, DedupModel, DedupRecord, RecordColumns, match_strength
from dedup.parallel import cpu_seconds, default_workers, fork_map, parallel_ok, ranges
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
        out: dict[int, list[int]] = {}
        for k in self.parent:
            out.setdefault(self.find(k), []).append(k)
        return sorted((sorted(v) for v in out.values()), key=lambda g: g[0])


def _keys_part(shared: tuple[DedupIndex, Sequence[DedupRecord]], lo: int, hi: int) -> list[np.ndarray]:
    index, batch = shared
    return index._candidate_keys_serial(batch[lo:hi])


KEY_CHUNK = 8192  # records whose keys are listed at once (bounds the Python lists)
PREFILTER_CHUNK = 1 << 22  # pairs whose cheap vetoes are computed at once (bounds the temporaries)


def key_matrix(lists: Sequence[Sequence[int]], rule_index: int) -> np.ndarray:
    """Keys per record as a zero-padded int64 matrix (0: no key), the rule index in the low 4 bits.

    A million records' keys are a few hundred MB this way, not the gigabytes of
    nested lists of Python ints.
    """
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    width = int(counts.max()) if len(lists) else 0
    out = np.zeros((len(lists), width), dtype=np.int64)
    if width:
        flat = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum()))
        rows = np.repeat(np.arange(len(lists)), counts)
        cols = np.arange(len(flat)) - np.repeat(np.cumsum(counts) - counts, counts)
        out[rows, cols] = (flat & ~0xF) | rule_index
    return out


def stack_rows(parts: Sequence[np.ndarray]) -> np.ndarray:
    """Key matrices one under the other, padded with zeros to the widest."""
    width = max((m.shape[1] for m in parts), default=0)
    if not parts:
        return np.zeros((0, 0), dtype=np.int64)
    return np.concatenate([np.pad(m, ((0, 0), (0, width - m.shape[1]))) for m in parts])


def _match_part(shared: tuple[DedupIndex, np.ndarray, np.ndarray], lo: int,
                hi: int) -> list[tuple[float, int, int]]:
    index, ps, qs = shared
    return index._match_pairs(ps[lo:hi], qs[lo:hi])


def merge_refusal(
    model: DedupModel, a: Sequence[DedupRecord], b: Sequence[DedupRecord],
    known_match: Callable[[DedupRecord, DedupRecord], bool] | None = None,
) -> str | None:
    """Why the chaining guards refuse to join cluster ``a`` with cluster ``b``, or None when they allow it.

    In order: the maximum cluster size; cannot-link (a vetoed pair across the
    two); strong evidence (when either holds several records, at least half the
    pairs across must match on their own). ``known_match`` tells pairs already
    known to match (scored in the same batch): those are not scored again (a
    match has no vetoed comparison, so it is no conflict either).
    """
    if len(a) + len(b) > model.max_cluster_size:
        return f"cluster size: {len(a)} + {len(b)} records > {model.max_cluster_size}"
    unknown = [(x, y) for x in a for y in b if known_match is None or not known_match(x, y)]
    for x, y in unknown:
        if model.conflict(x, y):
            return f"cannot-link: records {x.key} and {y.key} conflict (a vetoed pair)"
    total = len(a) * len(b)
    if (len(a) > 1 or len(b) > 1) and unknown:
        agree = total - len(unknown)
        for x, y in unknown:
            if 2 * agree >= total:
                return None  # enough evidence already: the rest need not be scored
            agree += model.match(x, y) is not None
        if 2 * agree < total:
            return f"weak evidence: {agree} of {total} pairs across the two clusters match (half needed)"
    return None


class DedupIndex:
    """Blocks and clusters of a set of records, updatable batch by batch.

    Args:
        model: blocking rules, comparisons and decision.
        stats: where per-rule pair counts accumulate (a fresh one if omitted).

    Positions are internal (records are appended); clusters are reported as
    lists of record ``key`` values.
    """

    def __init__(self, model: DedupModel, stats: BlockingStats | None = None, workers: int | None = None) -> None:
        self.model = model
        self.workers = workers if workers is not None else default_workers()
        self.stats = stats if stats is not None else BlockingStats()
        self.records: list[DedupRecord | None] = []
        self.pos: dict[int, int] = {}
        self.keys = np.zeros((0, 0), dtype=np.int64)  # block keys chosen per position (0: none)
        self.blocks: dict[int, list[int]] = {}
        self.label: list[int] = []
        self.members: dict[int, list[int]] = {}
        self.last_keys: list[np.ndarray] = []  # candidate keys of the last batch added, per rule
        self.columns = RecordColumns(self.records)  # for vectorised comparisons
        if len(model.blocking) > 16:
            raise DedupError("at most 16 blocking rules")
        self._caps = [r.max_block or model.max_block_size for r in model.blocking]

    # -- blocking ---------------------------------------------------------------
    # A block key is the rule's key with the rule's index in its low 4 bits. Keys travel as
    # int64 matrices, one row per record (0: no key): one per rule for the candidate keys,
    # one for the chosen keys of every position (``self.keys``).
    def _candidate_keys(self, batch: Sequence[DedupRecord]) -> list[np.ndarray]:
        """Every rule's candidate keys of ``batch``, computed in forked workers when it is large."""
        if parallel_ok(len(batch), self.workers):
            parts = fork_map(_keys_part, (self, batch), ranges(0, len(batch), self.workers * 4), self.workers)
        else:
            parts = [self._candidate_keys_serial(batch)]
        return [stack_rows([part[ri] for part in parts]) for ri in range(len(self.model.blocking))]

    def _candidate_keys_serial(self, batch: Sequence[DedupRecord]) -> list[np.ndarray]:
        return [stack_rows([key_matrix(rule.keys_of(batch[lo:lo + KEY_CHUNK]), ri)
                            for lo in range(0, len(batch), KEY_CHUNK)])
                for ri, rule in enumerate(self.model.blocking)]

    def _sizes(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct non-zero keys, how often each occurs in ``keys``, and its block's size in the index."""
        uniq, added = np.unique(keys[keys != 0], return_counts=True)
        if self.blocks:
            blocks = self.blocks
            old = np.fromiter((len(blocks.get(k, ())) for k in uniq.tolist()), dtype=np.int64, count=len(uniq))
        else:
            old = np.zeros(len(uniq), dtype=np.int64)
        return uniq, added, old

    def _choose(self, cand: list[np.ndarray]) -> np.ndarray:
        """Each record's keys; for ``use`` rules the first usable ones by block size."""
        n = len(cand[0]) if cand else 0
        cols = []
        for ri, rule in enumerate(self.model.blocking):
            m = cand[ri]
            if rule.use is None or m.shape[1] == 0:
                cols.append(m)
                continue
            uniq, added, old = self._sizes(m)
            size = np.zeros(m.shape, dtype=np.int64)
            nz = m != 0
            size[nz] = (added + old)[np.searchsorted(uniq, m[nz])]
            usable = nz & (size <= self._caps[ri])
            pick = usable & (np.cumsum(usable, axis=1) <= rule.use)
            order = np.argsort(~pick, axis=1, kind="stable")[:, : rule.use]  # picked keys first, in order
            kept = np.take_along_axis(m, order, 1)
            kept[~np.take_along_axis(pick, order, 1)] = 0
            cols.append(kept)
        return np.hstack(cols) if cols else np.zeros((n, 0), dtype=np.int64)

    def _count_pairs(self, chosen: np.ndarray) -> tuple[list[int], list[int]]:
        """New pairs each rule would generate, and how many of its blocks are over the cap."""
        uniq, added, old = self._sizes(chosen)
        total = old + added
        rule = (uniq & 0xF).astype(np.int64)
        over = total > np.array(self._caps, dtype=np.int64)[rule]
        new_pairs = total * (total - 1) // 2 - old * (old - 1) // 2
        n_rules = len(self.model.blocking)
        pairs = np.zeros(n_rules, dtype=np.int64)
        np.add.at(pairs, rule[~over], new_pairs[~over])
        skipped = np.bincount(rule[over], minlength=n_rules)
        return pairs.tolist(), skipped.tolist()

    def explain(self, batch: Sequence[DedupRecord]) -> dict[str, int]:
        """Pairs each blocking rule would generate for ``batch`` (nothing is changed)."""
        pairs, _ = self._count_pairs(self._choose(self._candidate_keys(batch)))
        return {rule.name: n for rule, n in zip(self.model.blocking, pairs, strict=True)}

    # -- updates ------------------------------------------------------------------
    def add(self, batch: Sequence[DedupRecord]) -> set[int]:
        """Match ``batch`` against the index and among itself; returns the touched cluster labels.

        Raises:
            DedupError: a rule would generate more than ``model.max_pairs_per_rule`` pairs;
                the index is left unchanged.
        """
        model = self.model
        with self._phase("keys"):
            cand = self._candidate_keys(batch)
        self.last_keys = cand  # what the stage persists
        with self._phase("choose keys"):
            chosen = self._choose(cand)
            pairs, skipped = self._count_pairs(chosen)
        for rule, n, sk in zip(model.blocking, pairs, skipped, strict=True):
            if n > model.max_pairs_per_rule:
                raise DedupError(
                    f"blocking rule {rule.name!r} would compare {n} pairs "
                    f"(cap {model.max_pairs_per_rule}): make it more selective"
                )
            self.stats.pairs[rule.name] = self.stats.pairs.get(rule.name, 0) + n
            self.stats.skipped_blocks[rule.name] = self.stats.skipped_blocks.get(rule.name, 0) + sk
        for r in batch:
            if r.key in self.pos:
                self.remove([r.key])
        with self._phase("blocks"):
            first, last = self._append(batch, chosen)
        with self._phase("candidate pairs"):
            ps, qs = self._candidate_pairs(first, last)
            self.stats.compared += len(ps)
        with self._phase("vectorised vetoes"):
            ps, qs = self._prefilter(ps, qs)
        with self._phase("match"):
            if parallel_ok(len(ps), self.workers):
                # Fill the columns the vector forms read here, once: a worker's would be lost.
                for c in model.comparisons:
                    if c.vector is not None:
                        c.vector(self.columns, ps[:0], qs[:0])
                parts = ranges(0, len(ps), self.workers * 4)
                matches = [m for part in fork_map(_match_part, (self, ps, qs), parts, self.workers) for m in part]
            else:
                matches = self._match_pairs(ps, qs)
        self.stats.matched += len(matches)
        with self._phase("merge"):
            return self._merge(matches) | set(range(first, len(self.records)))

    @contextmanager
    def _phase(self, name: str) -> Iterator[None]:
        """Add the CPU time of the block (this process and its workers) to ``stats.cpu[name]``."""
        start = cpu_seconds()
        try:
            yield
        finally:
            self.stats.cpu[name] = self.stats.cpu.get(name, 0.0) + cpu_seconds() - start

    def _append(self, batch: Sequence[DedupRecord], chosen: np.ndarray) -> tuple[int, int]:
        """Give ``batch`` positions and put them in their blocks; returns the positions' range."""
        first = len(self.records)
        self.records.extend(batch)
        last = len(self.records)
        self.pos.update(zip((r.key for r in batch), range(first, last), strict=True))
        self.keys = stack_rows([self.keys, chosen])
        self.label.extend(range(first, last))
        self.members.update((p, [p]) for p in range(first, last))
        blocks = self.blocks
        rows, cols = np.nonzero(chosen)  # row-major: each block's positions stay sorted
        for bk, p in zip(chosen[rows, cols].tolist(), (rows + first).tolist(), strict=True):
            block = blocks.get(bk)
            if block is None:
                blocks[bk] = [p]
            else:
                block.append(p)
        return first, last

    def _candidate_pairs(self, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
        """Unique pairs (p, q), q < p, of blocks within their cap, where p is in ``[first, last)``.

        Blocks are grouped by size so each size's pairs come from one array
        (blocks keep their positions sorted, so a block's i-th member < its j-th).
        """
        blocks, caps = self.blocks, self._caps
        mine = self.keys[first:last]
        touched = np.unique(mine[mine != 0]).tolist()
        by_size: dict[int, list[list[int]]] = {}
        for bk in touched:
            block = blocks[bk]
            if 2 <= len(block) <= caps[bk & 0xF]:
                by_size.setdefault(len(block), []).append(block)
        codes = [np.zeros(0, dtype=np.int64)]
        for n, same in by_size.items():
            arr = np.array(same, dtype=np.int64)
            i, j = np.triu_indices(n, 1)
            q, p = arr[:, i].ravel(), arr[:, j].ravel()
            keep = p >= first
            codes.append((p[keep] << 32) | q[keep])
        code = np.sort(np.concatenate(codes))  # a sort, not np.unique: its hash table is slower here
        if len(code) > 1:
            code = code[np.concatenate(([True], code[1:] != code[:-1]))]
        return code >> 32, code & 0xFFFFFFFF

    def _prefilter(self, ps: np.ndarray, qs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Drop the pairs a vectorised cheap comparison vetoes (the per-pair match would reject them too)."""
        vectors = [c for c in self.model.comparisons if c.cheap and c.veto_below is not None and c.vector is not None]
        if not vectors or not len(ps):
            return ps, qs
        kept_p, kept_q = [], []
        for lo in range(0, len(ps), PREFILTER_CHUNK):  # chunks: each vector form makes several temporaries
            p, q = ps[lo:lo + PREFILTER_CHUNK], qs[lo:lo + PREFILTER_CHUNK]
            for c in vectors:
                assert c.vector is not None and c.veto_below is not None
                with np.errstate(invalid="ignore"):
                    ok = ~(c.vector(self.columns, p, q) < c.veto_below)
                p, q = p[ok], q[ok]
            kept_p.append(p)
            kept_q.append(q)
        return np.concatenate(kept_p), np.concatenate(kept_q)

    def _match_pairs(self, ps: np.ndarray, qs: np.ndarray) -> list[tuple[float, int, int]]:
        """The matching pairs among (p, q), with their strength."""
        records, match, model = self.records, self.model.match, self.model
        out = []
        if len(ps) and all(c.vector is not None for c in model.comparisons):
            # Every score of every pair in one vectorised call per comparison (rapidfuzz's
            # cpdist for the text ones); only the decision runs per pair.
            names = [c.name for c in model.comparisons]
            columns = []
            for c in model.comparisons:
                assert c.vector is not None
                with np.errstate(invalid="ignore"):
                    columns.append(c.vector(self.columns, ps, qs).tolist())
            for p, q, *values in zip(ps.tolist(), qs.tolist(), *columns, strict=True):
                if records[p] is None or records[q] is None:
                    continue
                scores = {n: (None if v != v else v) for n, v in zip(names, values, strict=True)}  # NaN: None
                if model.decide_scores(scores):
                    out.append((match_strength(scores), q, p))
            return out
        for p, q in zip(ps.tolist(), qs.tolist(), strict=True):
            a, b = records[p], records[q]
            if a is None or b is None:
                continue
            s = match(a, b)
            if s is not None:
                out.append((match_strength(s), q, p))
        return out

    def _merge(self, matches: list[tuple[float, int, int]]) -> set[int]:
        touched: set[int] = set()
        matches.sort(key=lambda m: (-m[0], m[1], m[2]))
        matched = {(max(p, q) << 32) | min(p, q) for _s, q, p in matches}  # the guards need not score these again
        for _strength, q, p in matches:
            la, lb = self.label[q], self.label[p]
            if la == lb:
                continue
            if self.merge_refusal(self.members[la], self.members[lb], matched) is not None:
                self.stats.refused_merges += 1
                continue
            if len(self.members[la]) < len(self.members[lb]):
                la, lb = lb, la
            for m in self.members[lb]:
                self.label[m] = la
            self.members[la].extend(self.members.pop(lb))
            touched.add(la)
        return touched

    def merge_refusal(self, a: list[int], b: list[int], matched: Container[int] = ()) -> str | None:
        """Why the chaining guards refuse to join two clusters (positions), or None when they allow it.

        ``matched``: pairs of positions ``(p << 32) | q``, ``q < p``, known to match.
        """
        recs, pos = self.records, self.pos

        def known(x: DedupRecord, y: DedupRecord) -> bool:
            px, py = pos[x.key], pos[y.key]
            return ((px << 32) | py if px > py else (py << 32) | px) in matched

        return merge_refusal(self.model, [r for r in (recs[x] for x in a) if r is not None],
                             [r for r in (recs[y] for y in b) if r is not None], known if matched else None)

    def remove(self, keys: Iterable[int]) -> set[int]:
        """Take records out (changed or closed); their clusters are re-formed without them.

        Returns the labels of the re-formed clusters.
        """
        broken: set[int] = set()
        for key in keys:
            p = self.pos.pop(key, None)
            if p is None:
                continue
            row = self.keys[p]
            for bk in row[row != 0].tolist():
                block = self.blocks.get(bk)
                if block is not None:
                    block.remove(p)
                    if not block:
                        del self.blocks[bk]
            row[:] = 0
            self.records[p] = None
            lab = self.label[p]
            self.members[lab].remove(p)
            self.label[p] = -1
            broken.add(lab)
        touched: set[int] = set()
        for lab in broken:
            rest = self.members.pop(lab, [])
            for m in rest:
                self.label[m] = m
                self.members[m] = [m]
            matches = []
            for i, q in enumerate(rest):
                for p in rest[i + 1 :]:
                    rq, rp = self.records[q], self.records[p]
                    assert rq is not None and rp is not None
                    s = self.model.match(rq, rp)
                    if s is not None:
                        matches.append((match_strength(s), q, p))
            touched |= self._merge(matches) | set(rest)
        return {self.label[t] for t in touched if self.label[t] >= 0}

    # -- reading -------------------------------------------------------------------
    def cluster_keys(self, label: int) -> list[int]:
        """Record keys of one cluster, sorted."""
        out = []
        for p in self.members.get(label, ()):
            r = self.records[p]
            assert r is not None
            out.append(r.key)
        return sorted(out)

    def label_of(self, key: int) -> int:
        """Cluster label of a record key."""
        return self.label[self.pos[key]]

    def groups(self) -> list[list[int]]:
        """Every cluster as sorted record keys, ordered by smallest key."""
        return sorted((self.cluster_keys(lab) for lab in self.members), key=lambda g: g[0])


def explain(records: Sequence[DedupRecord], model: DedupModel) -> dict[str, int]:
    """Candidate pairs per blocking rule for a full run over ``records`` (for ``jobgate dedup --explain``)."""
    return DedupIndex(model).explain(records)


def candidate_pairs(
    records: Sequence[DedupRecord], model: DedupModel, stats: BlockingStats | None = None
) -> Iterator[tuple[int, int]]:
    """Unique index pairs that some blocking rule puts together (blocks over the cap skipped).

    Raises:
        DedupError: a rule would generate more than ``model.max_pairs_per_rule`` pairs.
    """
    index = DedupIndex(model, stats)
    chosen = index._choose(index._candidate_keys(records))
    pairs, skipped = index._count_pairs(chosen)
    for rule, n, sk in zip(model.blocking, pairs, skipped, strict=True):
        if stats is not None:
            stats.pairs[rule.name] = n
            stats.skipped_blocks[rule.name] = sk
        if n > model.max_pairs_per_rule:
            raise DedupError(
                f"blocking rule {rule.name!r} would compare {n} pairs "
                f"(cap {model.max_pairs_per_rule}): make it more selective"
            )
    blocks: dict[int, list[int]] = {}
    for i, ks in enumerate(chosen.tolist()):
        for bk in ks:
            if bk:
                blocks.setdefault(bk, []).append(i)
    seen: set[tuple[int, int]] = set()
    for bk, members in blocks.items():
        if len(members) > index._caps[bk & 0xF]:
            continue
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                pair = (members[x], members[y])
                if pair not in seen:
                    seen.add(pair)
                    yield pair


def score_pair(a: DedupRecord, b: DedupRecord, model: DedupModel) -> dict[str, float | None]:
    """Every comparison of one pair."""
    return model.scores(a, b)


def cluster(
    records: Sequence[DedupRecord], model: DedupModel, stats: BlockingStats | None = None
) -> list[list[int]]:
    """Group record indexes into jobs (a full run: one batch into an empty index)."""
    at = {r.key: i for i, r in enumerate(records)}
    if len(at) != len(records):
        raise DedupError("dedup records must have unique keys")
    index = DedupIndex(model, stats)
    index.add(records)
    return sorted((sorted(at[k] for k in g) for g in index.groups()), key=lambda g: g[0])
