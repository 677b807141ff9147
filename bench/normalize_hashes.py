"""Hash every canonical offer the normaliser builds from the real offers and samples.

Run before and after a change to the normaliser: the digests must be equal when the
change is meant to keep results identical (speed work)::

    python bench/normalize_hashes.py > before.txt   # on the old checkout
    python bench/normalize_hashes.py > after.txt && diff before.txt after.txt

Inputs: the 3,150 France Travail offers of tests/fixtures/ft_offers (as a partner and
as the public service), the France Travail sample payloads of tests/fixtures/samples,
and every example partner of examples/jobgate.toml (built from the partner samples).
One line per set (count and SHA-256 over the offers' JSON), then per-offer digests
with ``--each``. ``--drop employer.non_diffusible`` leaves a field out, to compare
with a baseline taken before that field existed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.base import RecordError
from connectors.francetravail import FranceTravailConnector
from connectors.registry import build_connector
from jobgate.config import PartnerSettings, load_settings
from jobgate.schema import Rejection
from normalizer.normalize import NormalizerContext, normalize_record
from normalizer.rome import RomeClassifier
from normalizer.stage import contexts

ROOT = Path(__file__).resolve().parents[1]
FT_OFFERS = ROOT / "tests/fixtures/ft_offers/ft_offres_2025-11-13.jsonl.gz"
FT_SAMPLES = ROOT / "tests/fixtures/samples/france_travail"
EXAMPLES = ROOT / "examples/jobgate.toml"
#: Fixed clock so expiry-based statuses do not drift between runs.
NOW = datetime(2026, 11, 22, tzinfo=UTC)


#: Dotted keys left out of the digests (``--drop``: a field added since the baseline).
DROP: list[str] = []


def _digest(result: Any) -> str:
    data = result.model_dump(mode="json") if not isinstance(result, Rejection) else {"rejection": result.model_dump()}
    for key in DROP:
        *parents, last = key.split(".")
        node = data
        for part in parents:
            node = node.get(part) or {}
        node.pop(last, None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _ft_records() -> Iterator[tuple[str, dict[str, Any]]]:
    conn = FranceTravailConnector(PartnerSettings(name="ft", connector="francetravail", url="-"))
    with gzip.open(FT_OFFERS, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            rec = conn.to_source_record(json.loads(line), i)
            yield rec.external_id, rec.fields


def _sample_records() -> Iterator[tuple[str, dict[str, Any]]]:
    conn = FranceTravailConnector(PartnerSettings(name="ft", connector="francetravail", url="-"))
    for path in sorted(FT_SAMPLES.glob("*.json")):
        with path.open("rb") as fh:
            for item in conn.records(fh):
                if not isinstance(item, RecordError):
                    yield f"{path.name}:{item.external_id}", item.fields


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--each", action="store_true", help="print one digest per offer")
    parser.add_argument("--drop", action="append", default=[], help="dotted key to leave out (repeatable)")
    args = parser.parse_args()
    DROP.extend(args.drop)
    clf = RomeClassifier.default()
    sets: dict[str, list[tuple[str, str]]] = {}
    ft = list(_ft_records())
    ctx = NormalizerContext(classifier=clf, now=NOW)
    # As published by France Travail (origin "1": public-service rules) and as if a
    # partner had sent the same offers (no origin: every rule at full severity).
    sets["ft-public-service"] = [(ext, _digest(normalize_record("ft", ext, f, ctx))) for ext, f in ft]
    sets["ft-as-partner"] = [
        (ext, _digest(normalize_record("ft", ext, {**f, "origin": None}, ctx))) for ext, f in ft
    ]
    sets["ft-samples"] = [(ext, _digest(normalize_record("ft", ext, f, ctx))) for ext, f in _sample_records()]
    settings = load_settings(EXAMPLES)
    ctxs = {k: NormalizerContext(**{**v.__dict__, "now": NOW}) for k, v in contexts(settings, clf).items()}
    examples: list[tuple[str, str]] = []
    for partner in settings.partners:
        conn = build_connector(partner)
        path = (EXAMPLES.parent / partner.url) if not partner.url.startswith("http") else None
        if path is None or not path.exists():
            continue
        with path.open("rb") as fh:
            for item in conn.records(fh):
                if isinstance(item, RecordError):
                    continue
                res = normalize_record(partner.name, item.external_id, item.fields, ctxs[partner.name])
                examples.append((f"{partner.name}:{item.external_id}", _digest(res)))
    sets["examples"] = examples
    for name, rows in sets.items():
        total = hashlib.sha256("".join(d for _, d in rows).encode()).hexdigest()
        print(f"{name} n={len(rows)} sha256={total}")
        if args.each:
            for ext, d in rows:
                print(f"  {ext} {d}")


if __name__ == "__main__":
    main()
