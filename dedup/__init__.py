"""Dedup: one catalogue offer per job, declared blocking rules and comparisons."""

from dedup.engine import DedupError, cluster
from dedup.model import DEFAULT_MODEL, DedupModel, DedupRecord, block_on, exact, similarity
from dedup.stage import DedupReport, run_dedup

__all__ = [
    "DEFAULT_MODEL",
    "DedupError",
    "DedupModel",
    "DedupRecord",
    "DedupReport",
    "block_on",
    "cluster",
    "exact",
    "run_dedup",
    "similarity",
]
