"""Parameter choice for the ROME model by cross-validation inside the *train* part only.

Run from the repository root::

    .venv/bin/python bench/rome_cv.py --desc-limit 1200 600 [--folds 0 1 2]

Each development fold is a quarter of the train part (SHA-256 of the offer id modulo 4,
as in docs/rome.md); the model is trained on the other three quarters with the shipped
code (``train_model``: components plus the out-of-fold re-ranker) and scored on the fold.
The 2025 test part and the sample offers are never read here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.rome_eval import evaluate
from normalizer.rome import model as rome_model
from normalizer.rome import text as rome_text
from normalizer.rome.classifier import RomeClassifier
from normalizer.rome.dataset import load_offers, split_of
from normalizer.rome.index import AppellationIndex
from normalizer.rome.referential import Referential
from normalizer.rome.train import train_model


def dev_fold(offer_id: str) -> int:
    """Development fold (0-3) of a train offer."""
    return int(hashlib.sha256(offer_id.encode("utf-8")).hexdigest(), 16) % 4


def set_desc_limit(limit: int) -> None:
    """Make training and classification read ``limit`` characters of each description
    (the constant is read at call time by the model, and is the function's default)."""
    rome_text.DESC_LIMIT = limit
    rome_model.DESC_LIMIT = limit
    rome_text.description_features.__defaults__ = (limit,)


def main(argv: list[str] | None = None) -> int:
    """Print top-1 / top-3 per development fold and their means, per setting."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--desc-limit", type=int, nargs="+", default=[rome_text.DESC_LIMIT])
    ap.add_argument("--folds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args(argv)
    ref = Referential.load()
    index = AppellationIndex.build(ref)
    train = [o for o in load_offers() if o.set == "ft2025" and split_of(o.id) == "train"]
    out = []
    for limit in args.desc_limit:
        set_desc_limit(limit)
        folds = []
        for k in args.folds:
            rest = [o for o in train if dev_fold(o.id) != k]
            dev = [o for o in train if dev_fold(o.id) == k]
            clf = RomeClassifier(train_model(rest, ref, index), ref, index)
            got = evaluate(clf, dev, index)
            folds.append({"fold": k, "n": len(dev), "top1": got["top1"], "top3": got["top3"]})
        row = {
            "desc_limit": limit,
            "folds": folds,
            "mean_top1": round(statistics.mean(f["top1"] for f in folds), 4),
            "mean_top3": round(statistics.mean(f["top3"] for f in folds), 4),
        }
        print(json.dumps(row), flush=True)
        out.append(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
