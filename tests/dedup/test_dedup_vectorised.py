"""The vectorised forms (sketches, pair prefilter) agree with the per-record and per-pair forms."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta
from itertools import combinations

import numpy as np

from dedup.engine import DedupIndex
from dedup.model import DEFAULT_MODEL, RecordColumns, encode_words, text_sketch, text_sketches
from tests.dedup.dedup_helpers import OTHER, T0, TEXT, rec, shop


def varied() -> list:
    """Records covering every branch of the cheap comparisons (missing, equal, different, 60 days)."""
    base = shop()
    out = list(base)
    out.append(rec(7, "francetravail", "Vendeur", city="Lyon", dept="69", days=60))  # 60 days after 1
    out.append(rec(8, "hellowork", "Vendeur", postcode="69003", days=0.5, ext="hellowork-2"))
    out.append(rec(9, "hellowork", "Vendeur", postcode="69004", dept="69", days=1.5, ext="hellowork-2"))
    out.append(replace(base[0], key=10, published=None, departement="", postcode="", city=""))
    out.append(rec(11, "regionsjob", "Vendeur", dept="69", contract="CDD", siret="12345678901234"))
    out.append(rec(12, "regionsjob", "Vendeur", dept="75", contract="", siret="12345678900000"))
    out.append(replace(base[1], key=13, published=T0 + timedelta(days=59, hours=23, microseconds=999_999)))
    return out


def test_vector_comparisons_agree_with_scalar_ones_on_every_pair() -> None:
    records = varied()
    cols = RecordColumns(records)
    pairs = list(combinations(range(len(records)), 2))
    p = np.array([a for a, _ in pairs], dtype=np.int64)
    q = np.array([b for _, b in pairs], dtype=np.int64)
    checked = 0
    for c in DEFAULT_MODEL.comparisons:
        if c.vector is None:
            continue
        got = c.vector(cols, p, q)
        for (a, b), v in zip(pairs, got.tolist(), strict=True):
            want = c.score(records[a], records[b])
            assert (want is None and math.isnan(v)) or want == v, (c.name, a, b, want, v)
            checked += 1
    assert checked == 8 * len(pairs)  # every comparison of the default model has a vector form


def test_prefilter_drops_exactly_the_pairs_the_match_vetoes() -> None:
    records = varied()
    index = DedupIndex(DEFAULT_MODEL, workers=1)
    index.records.extend(records)
    pairs = list(combinations(range(len(records)), 2))
    p = np.array([b for _, b in pairs], dtype=np.int64)
    q = np.array([a for a, _ in pairs], dtype=np.int64)
    kept = set(zip(*(x.tolist() for x in index._prefilter(p, q)), strict=True))
    vectorised = [c for c in DEFAULT_MODEL.comparisons if c.vector is not None and c.veto_below is not None]

    def vetoed_by_vectorised(x: int, y: int) -> bool:
        return any((v := c.score(records[x], records[y])) is not None and v < (c.veto_below or 0) for c in vectorised)

    dropped = {(b, a) for a, b in pairs} - kept
    assert dropped and kept
    assert dropped == {(b, a) for a, b in pairs if vetoed_by_vectorised(b, a)}
    # nothing the full per-pair veto would keep is dropped
    assert all(DEFAULT_MODEL.conflict(records[x], records[y]) for x, y in dropped)


def test_batch_sketches_equal_one_by_one_sketches() -> None:
    texts = [TEXT, OTHER, TEXT + " " + OTHER, "trop court", " ".join(["mot"] * 50), ""]
    folded = [t.lower().replace(",", " ").replace(".", " ") for t in texts]
    batch = text_sketches([encode_words(t) for t in folded])
    assert batch == [text_sketch(t) for t in folded]
    assert [len(s) for s in batch] == [24, 24, 24, 0, 1, 0]  # distinct shingles only; short texts none
    assert all(s == sorted(s) and all(k & 0xF == 0 for k in s) for s in batch)
    # a passage shared by two texts gives them shared sketch keys (MinHash containment)
    assert len(set(batch[0]) & set(batch[2])) >= 6


def test_bounded_sketch_sort_equals_the_full_sort(monkeypatch) -> None:
    """Sorting only the hashes under a per-text bound gives the same sketches as sorting them all,
    including texts that repeat a passage (few distinct shingles under the bound) and short ones."""
    import dedup.model as model

    words = (TEXT + " " + OTHER).lower().replace(",", " ").replace(".", " ").split()
    texts = [" ".join(words[i:i + n]) for i, n in ((0, 200), (5, 40), (10, 21), (0, 19), (30, 120))]
    texts += [" ".join(words[:12] * 20), " ".join(words[3:9] * 50), " ".join(words[:30] * 3)]
    codes = [encode_words(t) for t in texts]
    bounded = text_sketches(codes)
    monkeypatch.setattr(model, "SKETCH_SPARE", 10**9)  # a bound above every hash: the full sort
    assert bounded == text_sketches(codes)
    assert [len(s) for s in bounded] == [24, 24, 18, 0, 24, 12, 6, 24]
