"""Held-out evaluation of the ROME classifier.

Run from the repository root::

    /work/main/.venv/bin/python bench/rome_eval.py [--json bench/out/rome_eval.json]

What it does, so the figures are honest:

* trains a model on the *train* part of the 13 November 2025 offers only (fixed split
  by SHA-1 of the offer id, ``normalizer.rome.dataset.split_of``; 20 % test), with the
  same code as the shipped model (``normalizer.rome.train.train_model``);
* evaluates it on the 2025 *test* part, which neither the components nor the
  re-ranker nor any parameter choice ever saw (parameters were chosen on a dev fold
  carved out of the train part);
* evaluates it again on the sample payloads (2022–2025 offers, other days), a second
  independent set;
* measures two baselines (a naive rapidfuzz best match against the appellation labels,
  and the exact-label lookup alone) and the throughput on one core.

The shipped model (``rome_model.json.gz``) is trained on all 2025 offers, so it is
*not* evaluated on the 2025 test part here; it is evaluated on the samples set, which it
never saw either.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from normalizer.rome.classifier import RomeClassifier, RomeInput
from normalizer.rome.dataset import LabelledOffer, load_offers, split_of
from normalizer.rome.index import AppellationIndex
from normalizer.rome.referential import Referential
from normalizer.rome.text import label_key
from normalizer.rome.train import train_model

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def evaluate(
    clf: RomeClassifier,
    offers: Sequence[LabelledOffer],
    index: AppellationIndex,
    use_desc: bool = True,
) -> dict[str, Any]:
    """Accuracy, fiche accuracy and confidence table of ``clf`` on ``offers``."""
    ref = clf.referential
    rows = []
    for o in offers:
        gold = ref.validate_code(o.rome)
        assert gold is not None
        r = clf.classify(o.title, o.description if use_desc else None, o.naf or None)
        top = [a.code_rome for a in r.alternatives]
        rows.append(
            {
                "top1": r.code_rome == gold[0],
                "top3": gold[0] in top[:3],
                "fiche": r.code_fiche == gold[1],
                "score": r.score,
                "exact_title": bool(index.codes_by_key.get(label_key(o.title))),
            }
        )
    return summarise(rows)


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate per-offer rows into the reported figures."""
    n = len(rows)

    def rate(sel: list[dict[str, Any]], k: str) -> float:
        return round(sum(r[k] for r in sel) / len(sel), 3) if sel else float("nan")

    non_app = [r for r in rows if not r["exact_title"]]
    table = []
    for t in THRESHOLDS:
        kept = [r for r in rows if r["score"] >= t]
        table.append(
            {
                "threshold": t,
                "precision": rate(kept, "top1"),
                "kept": round(len(kept) / n, 3),
                "held_below": round(1 - len(kept) / n, 3),
            }
        )
    return {
        "n": n,
        "top1": rate(rows, "top1"),
        "top3": rate(rows, "top3"),
        "fiche_top1": rate(rows, "fiche"),
        "non_appellation_n": len(non_app),
        "non_appellation_top1": rate(non_app, "top1"),
        "non_appellation_top3": rate(non_app, "top3"),
        "confidence": table,
    }


def baseline_rapidfuzz(ref: Referential, offers: Sequence[LabelledOffer]) -> float:
    """Top-1 of a naive rapidfuzz WRatio best match of the title on appellation labels."""
    from rapidfuzz import process, utils

    labels = [a.label for a in ref.appellations.values()]
    codes = [a.code_rome for a in ref.appellations.values()]
    hits = 0
    for o in offers:
        best = process.extractOne(o.title, labels, processor=utils.default_process)
        gold = ref.validate_code(o.rome)
        hits += bool(best and gold and codes[best[2]] == gold[0])
    return round(hits / len(offers), 3)


def throughput(fn: Callable[[], int], repeat: int = 5) -> float:
    """Median over ``repeat`` calls of the calls per second of ``fn`` (which returns its
    call count), in CPU time of this process (``time.process_time``): the machine is
    shared, and wall-clock rates mostly measure the other jobs."""
    rates = []
    for _ in range(repeat):
        t = time.process_time()
        n = fn()
        rates.append(n / max(time.process_time() - t, 1e-9))
    return round(statistics.median(rates))


def speed(clf: RomeClassifier, offers: Sequence[LabelledOffer]) -> dict[str, float]:
    """Classifications per second on one core.

    * ``no_cache``: every offer computed (a classifier without result cache): all
      distinct titles, the cold path;
    * ``cold_stream``: the offers in file order with the caches cleared first, so the
      real repetition of titles and descriptions in the 3,150 offers pays;
    * ``warm``: the same stream again, every result cached.

    Each one call per offer (``classify``) and in batches of 256 (``classify_many``, as
    the normaliser stage and ``rome classify --batch`` use it).
    """
    nocache = RomeClassifier(clf.model, clf.referential, clf.index, cache_size=0)

    def run(c: RomeClassifier, desc: bool, clear: bool, batch: int) -> Callable[[], int]:
        items = [RomeInput(o.title, o.description if desc else None, o.naf) for o in offers]

        def go() -> int:
            if clear:
                c.cache_clear()
            if batch == 1:
                for it in items:
                    c.classify(*it)
            else:
                for k in range(0, len(items), batch):
                    c.classify_many(items[k : k + batch])
            return len(items)

        return go

    out: dict[str, float] = {}
    for label, desc in (("titles", False), ("title_desc", True)):
        for mode, batch in (("", 1), ("batch_", 256)):
            clf.cache_clear()
            run(clf, desc, False, batch)()
            out[f"{label}_{mode}no_cache"] = throughput(run(nocache, desc, True, batch))
            out[f"{label}_{mode}cold_stream"] = throughput(run(clf, desc, True, batch))
            out[f"{label}_{mode}warm"] = throughput(run(clf, desc, False, batch))
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print (and optionally save) the figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument(
        "--speed-only", action="store_true", help="only measure throughput, with the shipped model"
    )
    args = ap.parse_args(argv)
    if args.speed_only:
        ft_all = [o for o in load_offers() if o.set == "ft2025"]
        print(json.dumps(speed(RomeClassifier.default(), ft_all), indent=2))
        return 0

    t0 = time.perf_counter()
    ref = Referential.load()
    index = AppellationIndex.build(ref)
    offers = load_offers()
    ft = [o for o in offers if o.set == "ft2025"]
    train = [o for o in ft if split_of(o.id) == "train"]
    test = [o for o in ft if split_of(o.id) == "test"]
    samples = [o for o in offers if o.set == "samples"]
    model = train_model(train, ref, index, meta={"trained_on": "ft2025 train split"})
    clf = RomeClassifier(model, ref, index)
    t_train = time.perf_counter() - t0

    t = time.perf_counter()
    shipped = RomeClassifier.default()
    t_load = time.perf_counter() - t

    out: dict[str, Any] = {
        "date": "2026-11-22",
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "split": {"train": len(train), "test": len(test), "samples": len(samples)},
        "train_seconds": round(t_train, 1),
        "default_load_seconds": round(t_load, 2),
        "weights": model.meta["weights"],
        "test": evaluate(clf, test, index),
        "test_title_only": evaluate(clf, test, index, use_desc=False),
        "samples": evaluate(clf, samples, index),
        "samples_shipped_model": evaluate(shipped, samples, index),
        "baseline_rapidfuzz_test_top1": baseline_rapidfuzz(ref, test),
        "baseline_rapidfuzz_samples_top1": baseline_rapidfuzz(ref, samples),
    }
    if not args.no_speed:
        out["speed_per_second"] = speed(clf, ft)
    print(json.dumps(out, indent=2, ensure_ascii=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
