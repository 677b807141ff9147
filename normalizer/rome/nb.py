"""Sparse multinomial naive Bayes, the lexical evidence of the ROME model.

A feature ``f`` seen ``n`` times in class ``c`` (out of ``N_c`` feature occurrences, with
vocabulary size ``V`` and additive smoothing ``a``) contributes
``log((n + a) / (N_c + a V))``. Splitting it into ``log((n + a) / a)`` (stored only for
seen pairs) plus ``log(a / (N_c + a V))`` (one number per class) keeps the table sparse
and makes scoring cost proportional to the postings of the features present, not to
the number of classes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["SparseNB"]


@dataclass(frozen=True)
class SparseNB:
    """Multinomial naive Bayes over string features, stored as postings.

    Attributes:
        postings: feature -> {class: log((n + a) / a)} for pairs seen in training.
        unseen: class -> log(a / (N_c + a V)), the log-probability of an unseen feature.
    """

    postings: dict[str, dict[str, float]]
    unseen: dict[str, float]

    @classmethod
    def fit(
        cls,
        examples: Iterable[tuple[Sequence[str], str, float]],
        classes: Iterable[str],
        alpha: float,
        min_count: float = 0.0,
    ) -> SparseNB:
        """Fit from ``(features, class, weight)`` triples.

        Args:
            examples: Training examples; a feature repeated in one example counts twice.
            classes: Every class that can be predicted (classes without data get the
                smoothed uniform distribution).
            alpha: Additive smoothing.
            min_count: Drop features seen fewer times than this in all (a word seen in
                one description cannot generalise, and pruning it keeps scoring fast).

        Returns:
            The fitted model.
        """
        counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        totals: dict[str, float] = defaultdict(float)
        for feats, y, w in examples:
            for f in feats:
                counts[f][y] += w
                totals[y] += w
        vocab = len(counts) or 1
        unseen = {c: math.log(alpha / (totals[c] + alpha * vocab)) for c in classes}
        postings: dict[str, dict[str, float]] = {}
        for f, per_class in counts.items():
            if sum(per_class.values()) < min_count:
                continue
            row = {c: math.log((n + alpha) / alpha) for c, n in per_class.items() if c in unseen}
            if row:
                postings[f] = row
        return cls(postings=postings, unseen=unseen)

    def known(self, feats: Iterable[str]) -> list[str]:
        """The features that have postings (unknown features carry no evidence)."""
        p = self.postings
        return [f for f in feats if f in p]

    def evidence(self, feats: Sequence[str]) -> dict[str, float]:
        """Sum of seen-pair weights per class (sparse; only classes with some evidence)."""
        acc: dict[str, float] = {}
        get = self.postings.get
        for f in feats:
            row = get(f)
            if row:
                for c, v in row.items():
                    acc[c] = acc.get(c, 0.0) + v
        return acc

    def log_likelihood(
        self, n_known: int, evidence: dict[str, float], classes: Iterable[str]
    ) -> dict[str, float]:
        """Full log-likelihood of the known features for each class in ``classes``."""
        un = self.unseen
        return {c: evidence.get(c, 0.0) + n_known * un[c] for c in classes}

    def to_json(self) -> dict[str, Any]:
        """Serialisable form (weights rounded to 4 decimals to keep the file small)."""
        return {
            "postings": {
                f: {c: round(v, 4) for c, v in row.items()} for f, row in self.postings.items()
            },
            "unseen": {c: round(v, 4) for c, v in self.unseen.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SparseNB:
        """Inverse of :meth:`to_json`."""
        return cls(postings=data["postings"], unseen=data["unseen"])
