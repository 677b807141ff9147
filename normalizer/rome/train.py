"""Training of the ROME model from labelled offers and the referential.

Run from the repository root to rebuild the shipped model::

    python -m normalizer.rome.train            # all 2025 offers (production model)
    python -m normalizer.rome.train --train-only

The re-ranker is fitted on out-of-fold predictions: the offers are cut into folds by a
hash of their id, the lexical components are fitted without a fold and used to score
it, so the re-ranker learns how much to trust components on offers they never saw.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from normalizer.rome.dataset import LabelledOffer, load_offers, split_of
from normalizer.rome.index import AppellationIndex
from normalizer.rome.model import (
    FEATURE_NAMES,
    MODEL_FILE,
    Query,
    RomeModel,
    build_query,
    fit_reranker,
)
from normalizer.rome.nb import SparseNB
from normalizer.rome.referential import Referential
from normalizer.rome.text import description_features, title_features, title_tokens
from normalizer.rome.vector import AppellationArrays

__all__ = ["MODEL_FILE", "fit_components", "make_query", "save_model", "train_model"]

#: Smoothing of the title and description naive Bayes, weight of one appellation label
#: relative to one offer title. Chosen on a development fold carved out of the training
#: part (never on the test part).
TITLE_ALPHA = 0.1
DESC_ALPHA = 0.01
APPELLATION_WEIGHT = 0.5
FOLDS = 5


def make_query(
    index: AppellationIndex, title: str, description: str | None, naf: str | None
) -> Query:
    """Turn raw offer fields into the model's :class:`Query` (as the classifier does)."""
    return build_query(
        index, title_tokens(title or ""), (naf or "").strip().upper(), description or ""
    )


def fit_components(
    offers: Sequence[LabelledOffer], ref: Referential, index: AppellationIndex
) -> RomeModel:
    """Fit every lexical component on ``offers`` (re-ranker weights left at zero)."""
    codes = list(ref.codes)
    fiches = list(ref.fiches)
    labels = [ref.validate_code(o.rome) for o in offers]
    rows = [(o, lab) for o, lab in zip(offers, labels, strict=True) if lab]
    title_toks = [title_tokens(o.title) for o, _ in rows]
    pseudo = list(index.pseudo_documents(ref))

    title_ex = [
        (title_features(t), lab[0], 1.0) for t, (_, lab) in zip(title_toks, rows, strict=True)
    ]
    title_ex += [
        (title_features(t), ref.fiches[a.code_fiche].code_rome, APPELLATION_WEIGHT)
        for t, a in pseudo
    ]
    fiche_ex = [
        (title_features(t), lab[1], 1.0) for t, (_, lab) in zip(title_toks, rows, strict=True)
    ]
    fiche_ex += [(title_features(t), a.code_fiche, APPELLATION_WEIGHT) for t, a in pseudo]
    desc_ex = [
        (description_features(o.description), lab[0], 1.0) for o, lab in rows if o.description
    ]

    counts = Counter(lab[0] for _, lab in rows)
    n = len(rows)
    prior = {c: math.log((counts[c] + 0.5) / (n + 0.5 * len(codes))) for c in codes}
    fcounts = Counter(lab[1] for _, lab in rows)
    fiche_prior: dict[str, float] = {}
    for f in fiches:
        parent = ref.fiches[f].code_rome
        # Main fiches get one extra pseudo-count: with no data, the main fiche is the
        # safest guess within a code.
        bonus = 1.0 if f == parent else 0.0
        fiche_prior[f] = math.log(fcounts[f] + 0.2 + bonus) - math.log(counts[parent] + 2.0)

    naf_counts: dict[str, Counter[str]] = defaultdict(Counter)
    for o, lab in rows:
        if o.naf:
            naf = o.naf.strip().upper()
            naf_counts[naf][lab[0]] += 1
            naf_counts[naf[:2]][lab[0]] += 1
    memory: dict[str, Counter[str]] = defaultdict(Counter)
    for t, (_, lab) in zip(title_toks, rows, strict=True):
        key = " ".join(sorted(set(t)))
        if key:
            memory[key][lab[0]] += 1

    return RomeModel(
        title=SparseNB.fit(title_ex, codes, TITLE_ALPHA),
        fiche=SparseNB.fit(fiche_ex, fiches, TITLE_ALPHA),
        desc=SparseNB.fit(desc_ex, codes, DESC_ALPHA, min_count=2),
        prior=prior,
        fiche_prior=fiche_prior,
        naf_counts={k: dict(v) for k, v in naf_counts.items()},
        naf_totals={k: sum(v.values()) for k, v in naf_counts.items()},
        memory={k: dict(v) for k, v in memory.items()},
        top_prior=tuple(sorted(codes, key=lambda c: (-prior[c], c))),
    )


def _fold(offer_id: str) -> int:
    # A different hash from the train/test split, so folds cut across it evenly.
    return int(hashlib.md5(offer_id.encode("utf-8")).hexdigest(), 16) % FOLDS


def train_model(
    offers: Sequence[LabelledOffer],
    ref: Referential | None = None,
    index: AppellationIndex | None = None,
    meta: dict[str, object] | None = None,
) -> RomeModel:
    """Fit the components on ``offers`` and the re-ranker on out-of-fold predictions."""
    ref = ref or Referential.load()
    index = index or AppellationIndex.build(ref)
    rows: list[tuple[list[list[float]], int]] = []
    apps: AppellationArrays | None = None
    for k in range(FOLDS):
        part = fit_components([o for o in offers if _fold(o.id) != k], ref, index)
        if apps is None:
            apps = AppellationArrays(index, part.codes, ref.appellations)
        held = [
            (o, lab)
            for o in offers
            if _fold(o.id) == k and (lab := ref.validate_code(o.rome)) is not None
        ]
        scored = part.score(
            [make_query(index, o.title, o.description, o.naf) for o, _ in held], apps
        )
        for (_, lab), cands, vecs in zip(held, scored.candidates, scored.features, strict=True):
            if lab[0] in cands:
                rows.append((vecs.tolist(), cands.index(lab[0])))
    weights = fit_reranker(rows)
    full = fit_components(offers, ref, index)
    info = dict(meta or {})
    info.update(
        {
            "offers": len(offers),
            "reranker_rows": len(rows),
            "weights": dict(zip(FEATURE_NAMES, (round(w, 4) for w in weights), strict=True)),
        }
    )
    return replace(full, weights=weights, meta=info)


def save_model(model: RomeModel, path: Path = MODEL_FILE) -> None:
    """Write the model as deterministic gzipped JSON."""
    data = json.dumps(model.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(data.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    """Rebuild ``rome_model.json.gz``; ``--train-only`` leaves the test part out."""
    args = sys.argv[1:] if argv is None else argv
    train_only = "--train-only" in args
    offers = [o for o in load_offers() if o.set == "ft2025"]
    if train_only:
        offers = [o for o in offers if split_of(o.id) == "train"]
    model = train_model(
        offers, meta={"trained_on": "ft2025 train split" if train_only else "ft2025 all"}
    )
    save_model(model)
    print(f"wrote {MODEL_FILE} ({len(offers)} offers); weights {model.meta['weights']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
