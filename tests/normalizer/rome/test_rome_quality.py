"""Quality floor on the held-out offers (model trained on the train split only).

Measured on 2026-11-22 (branch rome2): top-1 0.773, top-3 0.859 on the 616 test offers
(see docs/rome.md).
The floors sit a little below so that a real regression fails.
"""

from __future__ import annotations

import pytest

from normalizer.rome.classifier import RomeClassifier
from normalizer.rome.dataset import load_offers, split_of
from normalizer.rome.index import AppellationIndex
from normalizer.rome.referential import Referential
from normalizer.rome.train import train_model


@pytest.mark.slow
def test_held_out_quality_floor() -> None:
    ref = Referential.load()
    index = AppellationIndex.build(ref)
    offers = [o for o in load_offers() if o.set == "ft2025"]
    train = [o for o in offers if split_of(o.id) == "train"]
    test = [o for o in offers if split_of(o.id) == "test"]
    assert len(test) == 616 and not {o.id for o in train} & {o.id for o in test}
    clf = RomeClassifier(train_model(train, ref, index), ref, index)
    top1 = top3 = 0
    for o in test:
        gold = ref.validate_code(o.rome)
        assert gold is not None
        r = clf.classify(o.title, o.description, o.naf)
        top1 += r.code_rome == gold[0]
        top3 += gold[0] in [a.code_rome for a in r.alternatives[:3]]
    assert top1 / len(test) >= 0.74
    assert top3 / len(test) >= 0.84


def test_split_is_fixed() -> None:
    assert split_of("200HHPB") == split_of("200HHPB")
    ft = [o for o in load_offers() if o.set == "ft2025"]
    assert sum(split_of(o.id) == "test" for o in ft) == 616
