"""The learned ROME model: lexical evidence plus a small re-ranker.

Classification runs in two steps:

1. *Candidates*: a title naive Bayes (trained on offer titles and on every appellation
   label) proposes the plausible main codes through its postings, plus the codes whose
   appellation label equals the title and the codes seen with the very same title in
   training.
2. *Re-ranking*: each candidate gets a handful of features (title and description
   likelihood, NAF affinity, prior, exact-label match, title memory) and a conditional
   logit over the candidates turns them into probabilities. Its weights are fitted on
   out-of-fold predictions, so the probabilities are honest confidences.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from normalizer.rome.index import AppellationIndex
from normalizer.rome.nb import SparseNB
from normalizer.rome.referential import DATA_DIR
from normalizer.rome.text import DESC_LIMIT, description_features, title_features
from normalizer.rome.vector import AppellationArrays, FloatArray, IntArray, Postings, TitleSims

__all__ = [
    "FEATURE_NAMES",
    "MODEL_FILE",
    "Query",
    "RomeModel",
    "ScoredBatch",
    "build_query",
    "fit_reranker",
]

MODEL_FILE = DATA_DIR / "rome_model.json.gz"

FEATURE_NAMES: tuple[str, ...] = (
    "title",  # title log-likelihood minus the best candidate's
    "title_per_token",  # same, divided by the number of known title features
    "desc",  # mean description log-likelihood minus the best candidate's
    "naf",  # log P(code | NAF) / P(code), backed off NAF class -> division -> prior
    "prior",  # log P(code) in the labelled offers
    "exact",  # 1 / (number of codes) when the title is exactly an appellation label
    "mem_frac",  # share of training offers with this very title coded this way
    "mem_log",  # log(1 + that count)
    "title_first",  # 1 for the title model's own best candidate
    "app_sim",  # best IDF-weighted Dice between the title and one appellation of the code
    "desc_app",  # best share of one appellation's words found in the description
)

#: How many title-model candidates the re-ranker considers.
TOP_K = 15
#: Fewest candidates ever returned (padded with the most frequent codes).
MIN_CANDIDATES = 5
#: Backoff strength for the NAF estimates (pseudo-counts).
NAF_K = 4.0


@dataclass(frozen=True, slots=True)
class Query:
    """Pre-computed features of one offer.

    Attributes:
        title_feats: Sparse title features (``title_features``).
        title_key: Order-insensitive key of the title (``label_key``).
        desc_feats: Sparse description features, possibly empty.
        naf: NAF code such as ``"78.20Z"`` or ``""``.
        exact_codes: Main codes having an appellation whose key equals ``title_key``.
        title_words: Canonical title words.
        desc_words: Canonical description words (the description features as a set).
    """

    title_feats: tuple[str, ...]
    title_key: str
    desc_feats: tuple[str, ...]
    naf: str
    exact_codes: frozenset[str]
    title_words: frozenset[str]
    desc_words: frozenset[str]


def build_query(
    index: AppellationIndex,
    tokens: Sequence[str],
    naf: str,
    description: str,
    desc_feats: tuple[str, ...] | None = None,
) -> Query:
    """Build the :class:`Query` of an offer.

    Args:
        index: Appellation index (for exact label matches).
        tokens: ``title_tokens`` of the title.
        naf: Normalised NAF code or ``""``.
        description: Description text or ``""`` (only the start is read).
        desc_feats: ``description_features(description)`` if already computed.
    """
    key = " ".join(sorted(set(tokens)))
    if desc_feats is not None:
        dfeats = desc_feats
    else:
        dfeats = tuple(description_features(description, DESC_LIMIT)) if description else ()
    return Query(
        title_feats=tuple(title_features(tokens)),
        title_key=key,
        desc_feats=dfeats,
        naf=naf,
        exact_codes=index.codes_by_key.get(key, frozenset()) if key else frozenset(),
        title_words=frozenset(tokens),
        desc_words=frozenset(dfeats),
    )


@dataclass(frozen=True, slots=True)
class ScoredBatch:
    """Candidates and features of a batch of queries (see ``RomeModel.score``).

    Attributes:
        candidates: Per query, candidate main codes.
        features: Per query, a ``(candidates, FEATURE_NAMES)`` array.
        title_sims: IDF-weighted Dice of each title with the appellations sharing a
            word with it, to choose appellations.
        fiche_ll: ``(queries, fiches)`` fiche-level title log-likelihood
            (``RomeModel.fiches`` columns), to choose the fiche within a code.
    """

    candidates: list[list[str]]
    features: list[FloatArray]
    title_sims: TitleSims
    fiche_ll: FloatArray


@dataclass(frozen=True)
class RomeModel:
    """Fitted components and re-ranker weights (see the module docstring).

    Attributes:
        title: Title naive Bayes over the 532 main codes.
        fiche: Title naive Bayes over the 1,584 fiches (picks the fiche within a code).
        desc: Description naive Bayes over the 532 main codes.
        prior: log P(code), smoothed.
        fiche_prior: log P(fiche | its main code), smoothed.
        naf_counts: NAF code (``"78.20Z"``) or division (``"78"``) -> code -> count.
        naf_totals: Same keys -> total count.
        memory: title key -> code -> number of training offers.
        top_prior: Codes by decreasing prior (fallback candidates).
        weights: Re-ranker weights, aligned with ``FEATURE_NAMES``.
        meta: Free-form training metadata (sizes, split, parameters).
    """

    title: SparseNB
    fiche: SparseNB
    desc: SparseNB
    prior: dict[str, float]
    fiche_prior: dict[str, float]
    naf_counts: dict[str, dict[str, int]]
    naf_totals: dict[str, int]
    memory: dict[str, dict[str, int]]
    top_prior: tuple[str, ...]
    weights: tuple[float, ...] = field(default=(0.0,) * len(FEATURE_NAMES))
    meta: dict[str, Any] = field(default_factory=dict)

    #: Score columns: main codes in code order (ties between codes go to the lower one).
    codes: tuple[str, ...] = field(init=False, repr=False, compare=False)
    #: Fiche-level columns, in code order.
    fiches: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _arrays: _ModelArrays = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Derived arrays, not fields: frozen dataclasses allow them through object.__setattr__.
        codes = tuple(sorted(self.prior))
        fiches = tuple(sorted(self.fiche.unseen))
        object.__setattr__(self, "codes", codes)
        object.__setattr__(self, "fiches", fiches)
        object.__setattr__(self, "_arrays", _ModelArrays(self, codes, fiches))

    # ------------------------------------------------------------------ features

    def naf_affinity(self, naf: str) -> FloatArray:
        """log(P(code | naf) / P(code)) for every code, backed off naf -> division -> prior.

        Memoised per NAF code (a few hundred occur in practice; the memo is bounded).
        """
        arr = self._arrays
        hit = arr.naf_memo.get(naf)
        if hit is not None:
            return hit
        p_code = arr.p_code
        p = p_code
        for key in (naf[:2], naf):
            counts = self.naf_counts.get(key)
            if counts:
                row = np.zeros(len(self.codes))
                for c, k in counts.items():
                    row[arr.col[c]] = k
                p = (row + NAF_K * p) / (self.naf_totals[key] + NAF_K)
        out = np.log(p / p_code)
        if len(arr.naf_memo) < 10_000:
            arr.naf_memo[naf] = out
        return out

    def score(self, queries: Sequence[Query], apps: AppellationArrays) -> ScoredBatch:
        """Candidates and their feature vectors (``FEATURE_NAMES`` order) for a batch.

        Every code is scored at once per component (``vector.gather``); the candidates
        are the title model's ``TOP_K`` best, the codes whose appellation label equals
        the title and the codes seen in training with that very title. An uninformative
        title ("Recherche partenaires…") lets the description propose codes, with
        neutral title features.
        """
        arr = self._arrays
        n_codes = len(self.codes)
        t_ids = [arr.title.ids(q.title_feats) for q in queries]
        t_known = np.asarray([len(ids) for ids in t_ids], dtype=np.float64)
        t_ev = arr.title.evidence(t_ids)
        t_score = t_ev + t_known[:, None] * arr.title.unseen
        t_rank = t_score + arr.prior
        d_ids = [arr.desc.ids(q.desc_feats) for q in queries]
        d_known = np.asarray([len(ids) for ids in d_ids], dtype=np.float64)
        d_ev = arr.desc.evidence(d_ids)
        # Mean log-likelihood per known description feature.
        d_score = (d_ev + d_known[:, None] * arr.desc.unseen) / np.maximum(d_known, 1.0)[:, None]
        t_sims = apps.title_sims([q.title_words for q in queries])
        sim = t_sims.per_code
        f_ids = [arr.fiche.ids(q.title_feats) for q in queries]
        f_known = np.asarray([len(ids) for ids in f_ids], dtype=np.float64)
        fiche_ll = arr.fiche.evidence(f_ids) + f_known[:, None] * arr.fiche.unseen

        col = arr.col
        cands_out: list[list[str]] = []
        sels: list[IntArray] = []
        n_titles: list[int] = []
        firsts: list[int] = []
        for i, q in enumerate(queries):
            pool = np.flatnonzero(t_ev[i] > 0.0)
            if len(pool) < MIN_CANDIDATES:
                # Always offer a few alternatives, even for a title known to one code only.
                have = set(pool.tolist())
                pad = [j for j in arr.top_prior_idx if j not in have]
                pool = np.asarray(sorted([*have, *pad[: MIN_CANDIDATES - len(have)]]), dtype=np.int64)
            # Stable sort over code-ordered columns: ties go to the lower code.
            ranked = pool[np.argsort(-t_rank[i, pool], kind="stable")]
            idx = ranked[:TOP_K].tolist()
            mem = self.memory.get(q.title_key, {})
            taken = set(idx)
            idx += sorted(j for j in {col[c] for c in (*mem, *q.exact_codes)} if j not in taken)
            n_titles.append(len(idx))
            if not t_known[i] and d_known[i]:
                pool_d = np.flatnonzero(d_ev[i] > 0.0)
                taken = set(idx)
                idx += [
                    j
                    for j in pool_d[np.argsort(-d_score[i, pool_d], kind="stable")][:TOP_K].tolist()
                    if j not in taken
                ]
            firsts.append(int(ranked[0]))
            sels.append(np.asarray(idx, dtype=np.int64))
            cands_out.append([self.codes[j] for j in idx])

        # The features of every (offer, candidate) pair of the batch at once: row ``r``,
        # code column ``c``; each offer's candidates are one contiguous run, title
        # candidates first (the same values, operation for operation, as per offer).
        counts = np.asarray([len(sel) for sel in sels], dtype=np.int64)
        starts = np.cumsum(counts) - counts
        r = np.repeat(np.arange(len(queries)), counts)
        c = np.concatenate(sels) if sels else np.zeros(0, dtype=np.int64)
        title_part = np.arange(len(c)) - starts[r] < np.asarray(n_titles, dtype=np.int64)[r]
        x = np.zeros((len(c), len(FEATURE_NAMES)))
        if len(c):
            ts = t_score[r, c]
            t_max = np.maximum.reduceat(np.where(title_part, ts, -np.inf), starts)
            t_rel = np.where(title_part, ts - t_max[r], 0.0)
            x[:, 0] = t_rel
            known = t_known[r]
            x[:, 1] = np.where(title_part & (known > 0), t_rel / np.maximum(known, 1.0), 0.0)
            with_desc = np.asarray([bool(q.desc_words) for q in queries]) & (d_known > 0)
            ds = d_score[r, c]
            x[:, 2] = np.where(with_desc[r], ds - np.maximum.reduceat(ds, starts)[r], 0.0)
            nafs = [(i, q.naf) for i, q in enumerate(queries) if q.naf]
            if nafs:
                naf_rows = np.zeros((len(queries), n_codes))
                for i, naf in nafs:
                    naf_rows[i] = self.naf_affinity(naf)
                x[:, 3] = naf_rows[r, c]
            x[:, 4] = arr.prior[c]
            x[:, 8] = title_part & (c == np.asarray(firsts, dtype=np.int64)[r])
            x[:, 9] = np.where(title_part, sim[r, c], 0.0)
            keep = np.zeros((len(queries), n_codes), dtype=np.bool_)
            has_words = np.asarray([bool(q.desc_words) for q in queries])
            keep[r[has_words[r]], c[has_words[r]]] = True
            if keep.any():
                # The description's appellation cover is only computed for the candidates.
                x[:, 10] = apps.covers([q.desc_words for q in queries], keep)[r, c]
        feats_out = np.split(x, starts[1:]) if len(queries) else []
        for i, q in enumerate(queries):
            mem = self.memory.get(q.title_key, {})
            if not mem and not q.exact_codes:
                continue
            xi = feats_out[i]
            m_total = sum(mem.values())
            for k, code in enumerate(cands_out[i][: n_titles[i]]):
                if code in q.exact_codes:
                    xi[k, 5] = 1.0 / len(q.exact_codes)
                m = mem.get(code, 0)
                if m:
                    xi[k, 6] = m / m_total
                    xi[k, 7] = math.log1p(m)
        return ScoredBatch(cands_out, feats_out, t_sims, fiche_ll)

    def rank(self, features: FloatArray, candidates: Sequence[str]) -> list[tuple[str, float]]:
        """Candidates with their re-ranker probabilities, best first (ties by code)."""
        s = features @ self._arrays.weights
        e = np.exp(s - s.max())
        p = (e / e.sum()).tolist()
        return sorted(zip(candidates, p, strict=True), key=lambda cp: (-cp[1], cp[0]))

    def best_fiche(self, code: str, children: Sequence[str], fiche_ll: FloatArray) -> str:
        """Most likely fiche of main code ``code`` given one row of ``ScoredBatch.fiche_ll``."""
        if len(children) == 1:
            return children[0]
        fp = self.fiche_prior
        fcol = self._arrays.fiche_col
        return max(
            children, key=lambda f: (float(fiche_ll[fcol[f]]) + fp.get(f, -20.0), f == code, f)
        )

    # ------------------------------------------------------------- persistence

    def to_json(self) -> dict[str, Any]:
        """Serialisable form of the model."""
        return {
            "feature_names": list(FEATURE_NAMES),
            "weights": list(self.weights),
            "title": self.title.to_json(),
            "fiche": self.fiche.to_json(),
            "desc": self.desc.to_json(),
            "prior": {c: round(v, 5) for c, v in self.prior.items()},
            "fiche_prior": {c: round(v, 5) for c, v in self.fiche_prior.items()},
            "naf_counts": self.naf_counts,
            "naf_totals": self.naf_totals,
            "memory": self.memory,
            "top_prior": list(self.top_prior),
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RomeModel:
        """Inverse of :meth:`to_json`; rejects a file made for other features."""
        if tuple(d["feature_names"]) != FEATURE_NAMES:
            raise ValueError("ROME model file was built for other features; rebuild it")
        return cls(
            title=SparseNB.from_json(d["title"]),
            fiche=SparseNB.from_json(d["fiche"]),
            desc=SparseNB.from_json(d["desc"]),
            prior=d["prior"],
            fiche_prior=d["fiche_prior"],
            naf_counts=d["naf_counts"],
            naf_totals=d["naf_totals"],
            memory=d["memory"],
            top_prior=tuple(d["top_prior"]),
            weights=tuple(d["weights"]),
            meta=d.get("meta", {}),
        )


class _ModelArrays:
    """The model's tables as arrays over ``RomeModel.codes`` / ``RomeModel.fiches``."""

    def __init__(self, model: RomeModel, codes: tuple[str, ...], fiches: tuple[str, ...]) -> None:
        self.col = {c: i for i, c in enumerate(codes)}
        self.fiche_col = {f: i for i, f in enumerate(fiches)}
        self.title = Postings(model.title, codes)
        self.desc = Postings(model.desc, codes, dense=True)
        self.fiche = Postings(model.fiche, fiches)
        self.prior = np.asarray([model.prior[c] for c in codes], dtype=np.float64)
        self.p_code = np.exp(self.prior)
        self.top_prior_idx = [self.col[c] for c in model.top_prior]
        self.weights = np.asarray(model.weights, dtype=np.float64)
        self.naf_memo: dict[str, FloatArray] = {}


def dot(w: Sequence[float], x: Sequence[float]) -> float:
    """Inner product."""
    return sum(a * b for a, b in zip(w, x, strict=True))


def softmax(scores: Sequence[float]) -> list[float]:
    """Numerically stable softmax."""
    m = max(scores)
    e = [math.exp(s - m) for s in scores]
    z = sum(e)
    return [v / z for v in e]


def fit_reranker(
    rows: Sequence[tuple[list[list[float]], int]], l2: float = 1.0, iterations: int = 30
) -> tuple[float, ...]:
    """Fit conditional-logit weights by Newton's method.

    Args:
        rows: ``(candidate feature vectors, index of the gold candidate)`` per example.
        l2: Ridge penalty (keeps the weights finite when a feature separates the data).
        iterations: Maximum Newton steps.

    Returns:
        The weights, aligned with the feature vectors.
    """
    dim = len(rows[0][0][0])
    w = [0.0] * dim
    for _ in range(iterations):
        grad = [-l2 * wi for wi in w]
        hess = [[(l2 if i == j else 0.0) for j in range(dim)] for i in range(dim)]
        for vecs, gold in rows:
            p = softmax([dot(w, v) for v in vecs])
            mean = [sum(pk * v[i] for pk, v in zip(p, vecs, strict=True)) for i in range(dim)]
            g = vecs[gold]
            for i in range(dim):
                grad[i] += g[i] - mean[i]
            for pk, v in zip(p, vecs, strict=True):
                if pk < 1e-9:
                    continue
                dv = [v[i] - mean[i] for i in range(dim)]
                for i in range(dim):
                    if dv[i]:
                        pdi = pk * dv[i]
                        row = hess[i]
                        for j in range(dim):
                            row[j] += pdi * dv[j]
        step = _solve(hess, grad)
        # Damped Newton: halve the step until the objective improves (plain Newton
        # overshoots from w = 0 when feature scales differ by orders of magnitude).
        base = _objective(rows, w, l2)
        scale = 1.0
        while scale > 1e-4:
            trial = [wi + scale * si for wi, si in zip(w, step, strict=True)]
            if _objective(rows, trial, l2) >= base:
                break
            scale /= 2
        else:
            break
        w = trial
        if max(abs(scale * s) for s in step) < 1e-6:
            break
    return tuple(w)


def _objective(
    rows: Sequence[tuple[list[list[float]], int]], w: Sequence[float], l2: float
) -> float:
    """Penalised conditional log-likelihood."""
    total = -0.5 * l2 * sum(wi * wi for wi in w)
    for vecs, gold in rows:
        s = [dot(w, v) for v in vecs]
        m = max(s)
        total += s[gold] - m - math.log(sum(math.exp(x - m) for x in s))
    return total


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Solve ``a x = b`` for a small symmetric positive-definite ``a`` (Gaussian elimination)."""
    n = len(b)
    m = [[*row[:], b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        pv = m[col][col]
        for r in range(col + 1, n):
            f = m[r][col] / pv
            if f:
                for k in range(col, n + 1):
                    m[r][k] -= f * m[col][k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x
