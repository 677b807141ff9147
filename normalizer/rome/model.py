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

from normalizer.rome.index import AppellationIndex
from normalizer.rome.nb import SparseNB
from normalizer.rome.referential import DATA_DIR
from normalizer.rome.text import DESC_LIMIT, description_features, title_features

__all__ = [
    "FEATURE_NAMES",
    "MODEL_FILE",
    "Query",
    "RomeModel",
    "TitlePart",
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
class TitlePart:
    """The title-only half of the candidate features (see ``RomeModel.title_part``).

    Attributes:
        codes: Candidate main codes.
        rows: Per candidate: title, title per token, prior, exact, mem_frac, mem_log,
            title_first, app_sim.
        has_evidence: False when no title word is known to the model.
    """

    codes: tuple[str, ...]
    rows: tuple[tuple[float, ...], ...]
    has_evidence: bool


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

    def __post_init__(self) -> None:
        by_class: dict[str, dict[str, float]] = {}
        for f, row in self.desc.postings.items():
            for c, v in row.items():
                by_class.setdefault(c, {})[f] = v
        # Derived index, not a field: frozen dataclasses allow it through object.__setattr__.
        object.__setattr__(self, "_desc_by_class", by_class)

    _desc_by_class: dict[str, dict[str, float]] = field(init=False, repr=False, compare=False)

    # ------------------------------------------------------------------ features

    def naf_affinity(self, naf: str, code: str, p_code: float) -> float:
        """log(P(code | naf) / P(code)) with backoff naf -> division -> prior."""
        if not naf:
            return 0.0
        div = naf[:2]
        d2 = self.naf_counts.get(div)
        p2 = p_code
        if d2:
            p2 = (d2.get(code, 0) + NAF_K * p_code) / (self.naf_totals[div] + NAF_K)
        d1 = self.naf_counts.get(naf)
        p1 = p2
        if d1:
            p1 = (d1.get(code, 0) + NAF_K * p2) / (self.naf_totals[naf] + NAF_K)
        return math.log(p1 / p_code)

    def title_part(self, q: Query, index: AppellationIndex) -> TitlePart:
        """Candidates and title-only features of a query (cacheable per title)."""
        known = self.title.known(q.title_feats)
        n = len(known)
        ev = self.title.evidence(known)
        unseen = self.title.unseen
        prior = self.prior
        mem = self.memory.get(q.title_key, {})
        pool = set(ev)
        if len(pool) < MIN_CANDIDATES:
            # Always offer a few alternatives, even for a title known to one code only.
            for c in self.top_prior:
                if len(pool) >= MIN_CANDIDATES:
                    break
                pool.add(c)
        t_score = {c: ev.get(c, 0.0) + n * unseen[c] for c in pool}
        ranked = sorted(pool, key=lambda c: (-(t_score[c] + prior[c]), c))
        cands = ranked[:TOP_K]
        extra = sorted((set(mem) | q.exact_codes) - set(cands))
        for c in extra:
            t_score.setdefault(c, ev.get(c, 0.0) + n * unseen[c])
        cands.extend(extra)
        t_max = max(t_score[c] for c in cands)
        m_total = sum(mem.values())
        n_exact = len(q.exact_codes)
        rows = []
        for c in cands:
            t_rel = t_score[c] - t_max
            m = mem.get(c, 0)
            rows.append(
                (
                    t_rel,
                    t_rel / n if n else 0.0,
                    prior[c],
                    1.0 / n_exact if c in q.exact_codes else 0.0,
                    m / m_total if m_total else 0.0,
                    math.log1p(m),
                    1.0 if c == ranked[0] else 0.0,
                    index.title_sim(q.title_words, c),
                )
            )
        return TitlePart(tuple(cands), tuple(rows), bool(ev))

    def candidates(
        self,
        q: Query,
        index: AppellationIndex,
        title_part: TitlePart | None = None,
        desc_memo: dict[str, tuple[float, float]] | None = None,
    ) -> tuple[list[str], list[list[float]]]:
        """Candidate main codes and their feature vectors (``FEATURE_NAMES`` order).

        Args:
            q: The query.
            index: Appellation index.
            title_part: ``title_part(q, index)`` if already computed (it only depends
                on the title, so callers may cache it).
            desc_memo: Per-description memo (code -> raw description evidence and
                appellation cover), filled as codes are scored; callers may keep it
                per description, since both only depend on the description.
        """
        tp = title_part or self.title_part(q, index)
        cands = list(tp.codes)
        rows = list(tp.rows)
        dfeats = self.desc.known(q.desc_feats)
        nd = len(dfeats)
        dun = self.desc.unseen
        if not tp.has_evidence and dfeats:
            # An uninformative title ("Recherche partenaires…"): let the description
            # propose codes, with neutral title features.
            dev = self.desc.evidence(dfeats)
            more = sorted(dev, key=lambda c: (-(dev[c] + nd * dun[c]), c))[:TOP_K]
            for c in more:
                if c not in cands:
                    cands.append(c)
                    rows.append((0.0, 0.0, self.prior[c], 0.0, 0.0, 0.0, 0.0, 0.0))
        # Description: mean log-likelihood per known description feature, restricted to
        # the candidates (a full scan of 532 codes per offer would be too slow).
        d_score = dict.fromkeys(cands, 0.0)
        cover = dict.fromkeys(cands, 0.0)
        words = q.desc_words
        if words:
            memo: dict[str, tuple[float, float]] = {} if desc_memo is None else desc_memo
            # Class-major postings: a C-level set intersection per candidate instead of
            # a dictionary probe per (word, candidate) pair.
            by_class = self._desc_by_class
            for c in cands:
                hit = memo.get(c)
                if hit is None:
                    row = by_class.get(c)
                    raw = sum(map(row.__getitem__, words & row.keys())) if (row and dfeats) else 0.0
                    hit = memo[c] = (raw, index.desc_cover(words, c))
                d_score[c], cover[c] = hit
            if dfeats:
                d_score = {c: (d_score[c] + nd * dun[c]) / nd for c in cands}
            else:
                d_score = dict.fromkeys(cands, 0.0)
        d_max = max(d_score.values())
        prior = self.prior
        naf = q.naf
        vecs = []
        for c, (t_rel, t_tok, pr, exact, m_frac, m_log, first, sim) in zip(
            cands, rows, strict=True
        ):
            vecs.append(
                [
                    t_rel,
                    t_tok,
                    d_score[c] - d_max,
                    self.naf_affinity(naf, c, math.exp(prior[c])) if naf else 0.0,
                    pr,
                    exact,
                    m_frac,
                    m_log,
                    first,
                    sim,
                    cover[c],
                ]
            )
        return cands, vecs

    def rank(
        self,
        q: Query,
        index: AppellationIndex,
        title_part: TitlePart | None = None,
        desc_memo: dict[str, tuple[float, float]] | None = None,
    ) -> list[tuple[str, float]]:
        """Candidates with their probabilities, best first (ties broken by code)."""
        cands, vecs = self.candidates(q, index, title_part, desc_memo)
        probs = softmax([dot(self.weights, v) for v in vecs])
        return sorted(zip(cands, probs, strict=True), key=lambda cp: (-cp[1], cp[0]))

    def fiche_evidence(self, title_feats: Sequence[str]) -> tuple[int, dict[str, float]]:
        """Fiche-level title evidence, computed once per offer for :meth:`best_fiche`."""
        known = self.fiche.known(title_feats)
        return len(known), self.fiche.evidence(known)

    def best_fiche(
        self, code: str, children: Sequence[str], evidence: tuple[int, dict[str, float]]
    ) -> str:
        """Most likely fiche of main code ``code`` given :meth:`fiche_evidence`."""
        if len(children) == 1:
            return children[0]
        ll = self.fiche.log_likelihood(evidence[0], evidence[1], children)
        fp = self.fiche_prior
        return max(children, key=lambda f: (ll[f] + fp.get(f, -20.0), f == code, f))

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
