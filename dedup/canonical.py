"""Canonical record of a cluster: field-level survivorship and provenance."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from jobgate.schema import CatalogueOffer, SourceRef

# Fields taken whole from the best source that has them (in survivorship order).
FIELDS = (
    "title", "title_original", "description", "description_html", "experience", "qualification",
    "origin", "counsellor",
)
# Nested objects merged key by key: a missing key is filled from the next source.
NESTED = ("employer", "place", "contract", "working_time", "salary", "rome", "dates")


def new_cluster_id(partner: str, external_id: str) -> str:
    """A stable catalogue id derived from the first source that created the cluster.

    The id is read case-blind: a partner that re-types ``ABC-1`` as ``abc-1``
    gets a new record (ids are kept as written, and the old spelling is closed),
    but the job keeps its catalogue id, since the old spelling's cluster is
    re-formed in the same dedup pass and the fresh id is the same. Two live ids
    differing only in case still get two ids (the stage suffixes the second).
    """
    digest = hashlib.sha256(f"{partner}\x00{external_id.casefold()}".encode()).hexdigest()
    return "jg-" + digest[:16]


def completeness(data: Mapping[str, Any]) -> int:
    """How many leaf fields are filled (a tie-breaker in survivorship)."""
    n = 0
    for key in NESTED:
        sub = data.get(key) or {}
        n += sum(1 for v in sub.values() if v not in (None, "", [], {}))
    n += sum(1 for k in FIELDS if data.get(k))
    return n


def survivorship_order(members: Sequence[Mapping[str, Any]], ranks: Mapping[str, int]) -> list[Mapping[str, Any]]:
    """Sources best first: the public service's own, then partner rank, completeness, age."""
    return sorted(
        members,
        key=lambda d: (
            not d.get("public_service"),
            ranks.get(d["source"]["partner"], 50),
            -completeness(d),
            d.get("_offer_id", 0),
        ),
    )


def canonical_record(
    cluster_id: str,
    members: Sequence[Mapping[str, Any]],
    ranks: Mapping[str, int],
    sources: Sequence[SourceRef],
) -> CatalogueOffer:
    """Build the catalogue offer of a cluster from its open members' data."""
    ordered = survivorship_order(members, ranks)
    best = ordered[0]
    data: dict[str, Any] = {k: v for k, v in best.items() if not k.startswith("_")}
    for k in FIELDS:
        if not data.get(k):
            for other in ordered[1:]:
                if other.get(k):
                    data[k] = other[k]
                    break
    for k in NESTED:
        merged = dict(best.get(k) or {})
        for other in ordered[1:]:
            for sk, sv in (other.get(k) or {}).items():
                if merged.get(sk) in (None, "", [], {}) and sv not in (None, "", [], {}):
                    merged[sk] = sv
        data[k] = merged
    # An establishment that opposed diffusion in SIRENE stays hidden if any source says so
    # (False would otherwise count as "filled" and win over a later source's True).
    if any((m.get("employer") or {}).get("non_diffusible") for m in members):
        data["employer"]["non_diffusible"] = True
    # Public-service diffusion rules always come from a public-service source.
    data["public_service"] = any(m.get("public_service") for m in members)
    data["carried_by"] = sorted({c for m in members for c in (m.get("carried_by") or [])})
    data["id"] = cluster_id
    data["sources"] = [s.model_dump(mode="json") for s in sources]
    data.pop("history", None)
    return CatalogueOffer.model_validate(data)
