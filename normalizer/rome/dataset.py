"""Labelled offers used to train and evaluate the ROME classifier, and the fixed split."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from normalizer.rome.referential import DATA_DIR

__all__ = ["TRAINING_FILE", "LabelledOffer", "load_offers", "split_of"]

TRAINING_FILE = DATA_DIR / "ft_offers_labelled.jsonl.gz"

#: Share of the 2025 offers held out for testing, in percent of the id-hash space.
TEST_PERCENT = 20


@dataclass(frozen=True, slots=True)
class LabelledOffer:
    """One offer with the ROME code France Travail gave it.

    Attributes:
        id: France Travail offer id.
        set: ``"ft2025"`` (13 November 2025 offers) or ``"samples"`` (other dates).
        title: Free-text title (``intitule``).
        description: Free-text description.
        naf: NAF code of the employer, e.g. ``"78.20Z"``, or ``""``.
        rome: ROME 4.0 code as given (any of the 1,584).
        appellation: Appellation label chosen by France Travail.
        date: Creation date ``YYYY-MM-DD``.
    """

    id: str
    set: str
    title: str
    description: str
    naf: str
    rome: str
    appellation: str
    date: str


def split_of(offer_id: str) -> str:
    """Fixed train/test assignment of an offer: ``"test"`` for 20 % of ids, else ``"train"``.

    The bucket is the first 4 bytes of SHA-1 of the id modulo 100, so the split never
    depends on file order and a new offer always lands in the same part.
    """
    bucket = int.from_bytes(hashlib.sha1(offer_id.encode("utf-8")).digest()[:4], "big") % 100
    return "test" if bucket < TEST_PERCENT else "train"


def load_offers(path: Path = TRAINING_FILE) -> list[LabelledOffer]:
    """Read the compact labelled-offer file built by ``build_training``."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [LabelledOffer(**json.loads(line)) for line in fh if line.strip()]
