"""Build the compact labelled-offer file shipped in ``normalizer/rome/data``.

Run from the repository root::

    python -m normalizer.rome.build_training /work/shared/data/ft_offers/ft_offres_2025-11-13.jsonl.gz \\
        /work/shared/samples/france_travail

It keeps, for each France Travail offer with a ``romeCode``, only the fields the classifier
learns from (id, title, description, NAF, ROME code, appellation, creation date) and drops
contact details, company data and the rest of the payload. Each row records the set it
belongs to: ``ft2025`` for the 13 November 2025 offers (split into train/test by
:func:`normalizer.rome.dataset.split_of`), ``samples`` for the partner/sample payloads,
which are a second, independent test set and are never trained on.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from normalizer.rome.dataset import TRAINING_FILE

__all__ = ["build", "main"]


def _offers_from_json(path: Path) -> Iterator[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("resultats", [data])
    yield from data


def _row(o: dict[str, Any], origin: str) -> dict[str, Any] | None:
    if not o.get("romeCode") or not o.get("intitule"):
        return None
    return {
        "id": str(o["id"]),
        "set": origin,
        "title": o["intitule"],
        "description": o.get("description") or "",
        "naf": o.get("codeNAF") or "",
        "rome": o["romeCode"],
        "appellation": o.get("appellationlibelle") or o.get("appellationLibelle") or "",
        "date": (o.get("dateCreation") or "")[:10],
    }


def build(jsonl_gz: Path, samples_dir: Path | None, dest: Path = TRAINING_FILE) -> int:
    """Write the compact file; returns the number of rows written.

    Offers are de-duplicated by id; an id seen in the main file wins over a sample.
    """
    rows: dict[str, dict[str, Any]] = {}
    with gzip.open(jsonl_gz, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = _row(json.loads(line), "ft2025")
            if r:
                rows.setdefault(r["id"], r)
    if samples_dir is not None:
        for p in sorted(samples_dir.glob("*.json")):
            for o in _offers_from_json(p):
                r = _row(o, "samples")
                if r:
                    rows.setdefault(r["id"], r)
    # mtime=0 and sorted rows keep the output byte-identical across rebuilds.
    with (
        dest.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz,
    ):
        for r in sorted(rows.values(), key=lambda r: (r["set"], r["id"])):
            gz.write((json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``build_training OFFERS_JSONL_GZ [SAMPLES_DIR]``."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    n = build(Path(args[0]), Path(args[1]) if len(args) > 1 else None)
    print(f"wrote {n} offers to {TRAINING_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
