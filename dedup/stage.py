"""The dedup stage: cluster published offers into catalogue offers with stable ids.

Ids are stable across runs: a job keeps the id of the cluster most of its
sources already had. A cluster whose sources are all closed is closed; one that
keeps a single open source stays open.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from dedup.canonical import canonical_record, new_cluster_id
from dedup.engine import cluster
from dedup.model import DEFAULT_MODEL, BlockingStats, DedupModel, DedupRecord, city_key, employer_key, fold, fold_text
from jobgate.config import Settings
from jobgate.schema import OfferStatus, SourceRef
from jobgate.storage import Store, content_hash
from jobgate.storage.models import Cluster, Offer, RawRecord, utcnow

log = logging.getLogger("jobgate.dedup")


@dataclass
class DedupReport:
    """What a dedup pass did."""

    offers: int = 0
    clusters: int = 0
    merged: int = 0  # offers that joined another offer's cluster
    closed_clusters: int = 0
    stats: BlockingStats = field(default_factory=BlockingStats)

    @property
    def duplicate_rate(self) -> float:
        """Share of offers that are duplicates of another."""
        return self.merged / self.offers if self.offers else 0.0


def to_record(offer_id: int, data: dict[str, Any], rank: int, cluster_id: str | None) -> DedupRecord:
    """The dedup view of one offer's canonical data."""
    place = data.get("place") or {}
    employer = data.get("employer") or {}
    contract = data.get("contract") or {}
    published = (data.get("dates") or {}).get("published")
    return DedupRecord(
        key=offer_id,
        partner=data["source"]["partner"],
        title=fold(data.get("title")),
        description=fold_text(data.get("description")),
        employer=employer_key(employer.get("name")),
        siret=employer.get("siret") or "",
        city=city_key(place.get("city")),
        postcode=place.get("postcode") or "",
        departement=place.get("departement") or "",
        contract=contract.get("type") or "",
        published=datetime.fromisoformat(published) if published else None,
        public_service=bool(data.get("public_service")),
        rank=rank,
        cluster_id=cluster_id,
        external_id=str(data["source"].get("external_id") or ""),
    )


def run_dedup(store: Store, settings: Settings, model: DedupModel = DEFAULT_MODEL) -> DedupReport:
    """Recluster published offers and rewrite the catalogue (idempotent)."""
    ranks = {p.name: p.rank for p in settings.partners}
    report = DedupReport()
    with store.session() as s:
        rows = s.execute(
            select(Offer.id, Offer.data, Offer.cluster_id, Offer.partner, Offer.external_id, Offer.status,
                   RawRecord.first_seen, RawRecord.last_seen)
            .join(RawRecord, RawRecord.id == Offer.raw_record_id)
            .order_by(Offer.id)
        ).all()
    open_rows = [r for r in rows if r.status == OfferStatus.PUBLISHED.value]
    records = [to_record(r.id, r.data, ranks.get(r.partner, 50), r.cluster_id) for r in open_rows]
    groups = cluster(records, model, report.stats)
    report.offers = len(records)
    by_id = {r.id: r for r in rows}

    taken: set[str] = set()
    assignment: dict[int, str] = {}
    for group in groups:
        members = [open_rows[i] for i in group]
        previous = Counter(m.cluster_id for m in members if m.cluster_id)
        cid = None
        for candidate, _n in sorted(previous.items(), key=lambda kv: (-kv[1], kv[0])):
            if candidate not in taken:
                cid = candidate
                break
        if cid is None:
            first = min(members, key=lambda m: m.id)
            cid = new_cluster_id(first.partner, first.external_id)
            if cid in taken:  # the first source's cluster was split off earlier in this pass
                cid = new_cluster_id(first.partner, f"{first.external_id}#{first.id}")
        taken.add(cid)
        for m in members:
            assignment[m.id] = cid
        report.merged += len(members) - 1
    report.clusters = len(groups)

    # Closed offers stay attached to their cluster as provenance.
    closed_members: dict[str, list[Any]] = {}
    for r in rows:
        if r.id not in assignment and r.cluster_id and r.status == OfferStatus.CLOSED.value:
            closed_members.setdefault(r.cluster_id, []).append(r)

    now = utcnow()
    with store.session() as s:
        existing = {c.id: c for c in s.scalars(select(Cluster))}
        groups_by_cid: dict[str, list[Any]] = {}
        for oid, cid in assignment.items():
            groups_by_cid.setdefault(cid, []).append(by_id[oid])
        for cid, members in groups_by_cid.items():
            members.sort(key=lambda m: m.id)
            sources = [_source(m) for m in members] + [_source(m) for m in closed_members.get(cid, [])]
            offer = canonical_record(cid, [{**m.data, "_offer_id": m.id} for m in members], ranks, sources)
            data = offer.model_dump(mode="json")
            row = existing.get(cid)
            values = {
                "status": "active",
                "title": offer.title,
                "data": data,
                "n_sources": len(members),
                "rome_code": offer.rome.code,
                "departement": offer.place.departement,
                "contract": offer.contract.type.value if offer.contract.type else None,
                "public_service": offer.public_service,
            }
            if row is None:
                s.add(Cluster(id=cid, created_at=now, updated_at=now, **values))
            elif content_hash(row.data) != content_hash(data) or row.status != "active":
                for k, v in values.items():
                    setattr(row, k, v)
                row.updated_at = now
        s.flush()
        for cid, row in existing.items():
            if cid not in groups_by_cid and row.status == "active":
                row.status = "closed"
                row.updated_at = now
                report.closed_clusters += 1
        # Offers leaving the catalogue (held, rejected...) are detached, closed ones keep theirs.
        for r in rows:
            target = assignment.get(r.id)
            if target is None and r.status == OfferStatus.CLOSED.value:
                continue
            if r.cluster_id != target:
                s.execute(update(Offer).where(Offer.id == r.id).values(cluster_id=target))
    log.info("dedup finished", extra={"offers": report.offers, "clusters": report.clusters,
                                      "merged": report.merged, "pairs": report.stats.pairs})
    return report


def _source(m: Any) -> SourceRef:
    return SourceRef(
        partner=m.partner,
        external_id=m.external_id,
        url=(m.data.get("source") or {}).get("url"),
        status=OfferStatus(m.status),
        first_seen=m.first_seen,
        last_seen=m.last_seen,
    )
