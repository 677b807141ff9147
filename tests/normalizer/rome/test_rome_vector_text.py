"""Fast paths of the ROME batch code give exactly what the plain forms give."""

from __future__ import annotations

import gzip
import json
import re

import numpy as np

from normalizer.rome.classifier import RomeClassifier
from normalizer.rome.text import _desc_word, description_features
from normalizer.rome.vector import Postings
from tests.conftest import FIXTURES

# The former word scan: runs of Unicode letters and digits, each folded and split again.
_RAW_WORD = re.compile(r"[^\W_]+")

TRICKY = [
    "Vous êtes l’élu(e)! m² ﬁnance, 3x8_postes; co-voiturage... «qualité» H/F",
    "a\u00a0b\u2009cde\u202ffgh—ijk–lmn O'Neil aujourd'hui ŒUVRE Straße",
    "Électricien·ne/Électricienne (H/F) : câblage, tirage de câbles.\n\tHabilitations B1V-BR",
    "",
]


def _reference(description: str, limit: int) -> list[str]:
    out: dict[str, None] = {}
    for w in _RAW_WORD.findall(description[:limit].lower()):
        for x in _desc_word(w):
            out[x] = None
    return list(out)


def _fixture_descriptions() -> list[str]:
    with gzip.open(FIXTURES / "ft_offers" / "ft_offres_2025-11-13.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line).get("description") or "" for line, _ in zip(fh, range(400), strict=False)]


def test_description_words_match_the_regex_scan() -> None:
    texts = TRICKY + _fixture_descriptions()
    assert sum(1 for t in texts if len(t) > 600) > 100
    for text in texts:
        for limit in (600, 100_000):
            assert description_features(text, limit) == _reference(text, limit)


def test_dense_postings_sum_like_the_sparse_gather() -> None:
    model = RomeClassifier.default().model
    sparse = Postings(model.desc, model.codes)
    dense = Postings(model.desc, model.codes, dense=True)
    assert dense.dense is not None and sparse.dense is None
    rows = [
        dense.ids(description_features(t))
        for t in [*TRICKY, *_fixture_descriptions()[:100]]
    ]
    assert sum(map(len, rows)) > 1000 and [] in rows
    got, want = dense.evidence(rows), sparse.evidence(rows)
    assert got.shape == want.shape == (len(rows), len(model.codes))
    assert np.abs(want).sum() > 0
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
