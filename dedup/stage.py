"""The dedup stage: cluster published offers into catalogue offers with stable ids.

Incremental by default: the batch is every offer whose ``dedup_hash`` differs
from its current content and status (new, changed, closed, held...). The
batch's blocking keys are looked up in ``dedup_keys`` (persisted per published
offer), and only the neighbourhood is re-clustered: the batch, its candidates,
and every member of the clusters they belong to or belonged to. The rest of the
catalogue is not read. ``full=True`` re-clusters everything and rewrites the keys.

Ids are stable across runs: a job keeps the id of the cluster most of its
sources already had. A cluster whose sources are all closed is closed; one that
keeps a single open source stays open. Closed sources stay attached as provenance.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from dedup.bulk import insert_rows, update_rows
from dedup.canonical import canonical_record, new_cluster_id
from dedup.engine import DedupIndex
from dedup.model import (
    DEFAULT_MODEL,
    BlockingStats,
    DedupModel,
    DedupRecord,
    city_key,
    employer_key,
    fold,
    text_words,
)
from dedup.parallel import chunked_map, default_workers
from jobgate.config import Settings
from jobgate.failpoints import failpoint
from jobgate.schema import OfferStatus, SourceRef
from jobgate.storage import Store, content_hash
from jobgate.storage.models import Cluster, DedupKey, Offer, RawRecord, utcnow

log = logging.getLogger("jobgate.dedup")
CHUNK = 900  # bound parameters per IN (...) query
KEY_MASK = ~0xF  # persisted keys drop the engine's rule bits


@dataclass
class DedupReport:
    """What a dedup pass did."""

    offers: int = 0  # published offers clustered in this pass
    clusters: int = 0  # clusters written in this pass
    merged: int = 0  # offers that joined another offer's cluster
    closed_clusters: int = 0
    batch: int = 0  # offers whose dedup hash had changed
    full: bool = False
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
        description="",
        words=text_words(data.get("description")),
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


def _records_part(shared: tuple[Sequence[Any], dict[str, int]], lo: int, hi: int) -> list[DedupRecord]:
    rows, ranks = shared
    return [to_record(r.id, r.data, ranks.get(r.partner, 50), r.cluster_id) for r in rows[lo:hi]]


def to_records(rows: Sequence[Any], ranks: dict[str, int], workers: int | None = None) -> list[DedupRecord]:
    """The dedup records of offer rows; built in forked workers when there are many (folding is CPU-bound)."""
    return chunked_map(_records_part, (rows, ranks), len(rows), workers or default_workers())


def dedup_hash_expr() -> Any:
    """SQL expression of the hash an offer has once dedup has seen its current state."""
    return func.substr(Offer.content_hash, 1, 40) + ":" + Offer.status


def dedup_hash_of(content: str, status: str) -> str:
    """Python twin of :func:`dedup_hash_expr`."""
    return f"{content[:40]}:{status}"


_COLUMNS = (Offer.id, Offer.data, Offer.cluster_id, Offer.partner, Offer.external_id, Offer.status,
            Offer.content_hash, RawRecord.first_seen, RawRecord.last_seen)


def load_offers(s: Session, where: Any) -> list[Any]:
    """Offer rows (with their raw record's first and last seen) matching ``where``, by id."""
    return list(s.execute(select(*_COLUMNS).join(RawRecord, RawRecord.id == Offer.raw_record_id)
                          .where(where).order_by(Offer.id)).all())


def _chunks(items: Sequence[Any], n: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def run_dedup(
    store: Store, settings: Settings, model: DedupModel = DEFAULT_MODEL, *, full: bool = False
) -> DedupReport:
    """Bring the catalogue up to date with the offers (idempotent).

    Args:
        store: the store.
        settings: partner ranks come from here.
        model: the dedup model.
        full: re-cluster every published offer instead of the changed ones.
    """
    ranks = {p.name: p.rank for p in settings.partners}
    report = DedupReport(full=full)
    with store.session() as s:
        if full:
            rows = load_offers(s, Offer.id.is_not(None))
            report.batch = len(rows)
            changed = rows
        else:
            changed = load_offers(s, Offer.dedup_hash.is_(None) | (Offer.dedup_hash != dedup_hash_expr()))
            report.batch = len(changed)
            if not changed:
                return report
            rows = _neighbourhood(s, changed, ranks, model)
    published = [r for r in rows if r.status == OfferStatus.PUBLISHED.value]
    records = to_records(published, ranks)
    index = DedupIndex(model, report.stats)
    index.add(records)
    report.offers = len(records)
    failpoint("dedup.before_write")
    _write(store, model, rows, changed, index, ranks, report, full)
    log.info("dedup finished", extra={"offers": report.offers, "clusters": report.clusters, "batch": report.batch,
                                      "merged": report.merged, "pairs": report.stats.pairs, "full": full})
    return report


def _neighbourhood(
    s: Session, changed: list[Any], ranks: dict[str, int], model: DedupModel
) -> list[Any]:
    """The changed offers and every member of the clusters they leave or join.

    The batch's keys are looked up in ``dedup_keys``; the candidates found are
    matched against the batch, and only the clusters of matching candidates (and
    the clusters the changed offers were in) are re-formed.
    """
    batch_ids = {r.id for r in changed}
    records = [to_record(r.id, r.data, ranks.get(r.partner, 50), r.cluster_id)
               for r in changed if r.status == OfferStatus.PUBLISHED.value]
    wanted: dict[int, int] = {}  # key -> rule index
    for ri, brule in enumerate(model.blocking):
        for ks in brule.keys_of(records):
            for k in ks:
                wanted[k & KEY_MASK] = ri
    holders: dict[tuple[int, int], list[int]] = {}
    for part in _chunks(list(wanted)):
        for oid, rule, key in s.execute(select(DedupKey.offer_id, DedupKey.rule, DedupKey.key)
                                        .where(DedupKey.key.in_(part))):
            if wanted.get(key) == rule and oid not in batch_ids:
                holders.setdefault((rule, key), []).append(oid)
    candidates: set[int] = set()
    for (rule, _key), oids in holders.items():
        cap = model.blocking[rule].max_block or model.max_block_size
        if len(oids) < cap:
            candidates.update(oids)
    cand_rows: dict[int, Any] = {}
    for part in _chunks(sorted(candidates)):
        for r in load_offers(s, Offer.id.in_(part) & (Offer.status == OfferStatus.PUBLISHED.value)):
            cand_rows[r.id] = r
    probe = DedupIndex(model, workers=1)
    probe.add([to_record(r.id, r.data, ranks.get(r.partner, 50), r.cluster_id) for r in cand_rows.values()])
    probe.add(records)
    clusters = {r.cluster_id for r in changed if r.cluster_id}
    for r in records:
        for k in probe.cluster_keys(probe.label_of(r.key)):
            row = cand_rows.get(k)
            if row is not None and row.cluster_id:
                clusters.add(row.cluster_id)
    rows = {r.id: r for r in changed}
    for part in _chunks(sorted(clusters)):
        for r in load_offers(s, Offer.cluster_id.in_(part)):
            rows.setdefault(r.id, r)
    return [rows[k] for k in sorted(rows)]


def _write(
    store: Store, model: DedupModel, rows: list[Any], changed: list[Any], index: DedupIndex,
    ranks: dict[str, int], report: DedupReport, full: bool,
) -> None:
    by_id = {r.id: r for r in rows}
    now = utcnow()
    with store.session() as s:
        # Ids: a group keeps the id most of its members had; ids of clusters this
        # pass does not touch are never handed out again.
        involved = {r.cluster_id for r in rows if r.cluster_id}
        taken: set[str] = set()
        assignment: dict[int, str] = {}
        groups = index.groups()
        fresh: list[tuple[list[Any], str]] = []
        for group in groups:
            members = [by_id[k] for k in group]
            previous = Counter(m.cluster_id for m in members if m.cluster_id)
            cid = None
            for candidate, _n in sorted(previous.items(), key=lambda kv: (-kv[1], kv[0])):
                if candidate not in taken:
                    cid = candidate
                    break
            if cid is None:
                first = min(members, key=lambda m: m.id)
                fresh.append((members, new_cluster_id(first.partner, first.external_id)))
                continue
            taken.add(cid)
            for m in members:
                assignment[m.id] = cid
            report.merged += len(members) - 1
        # A new id must not be one this pass does not own (an untouched cluster's).
        wanted = sorted({c for _m, c in fresh} - involved)
        foreign: set[str] = set()
        for part in _chunks(wanted):
            foreign.update(s.scalars(select(Cluster.id).where(Cluster.id.in_(part))))
        for members, cid in fresh:
            if cid in taken or cid in foreign:
                first = min(members, key=lambda m: m.id)
                cid = new_cluster_id(first.partner, f"{first.external_id}#{first.id}")
            taken.add(cid)
            for m in members:
                assignment[m.id] = cid
            report.merged += len(members) - 1
        report.clusters = len(groups)

        closed_members: dict[str, list[Any]] = {}
        for r in rows:
            if r.id not in assignment and r.cluster_id and r.status == OfferStatus.CLOSED.value:
                closed_members.setdefault(r.cluster_id, []).append(r)

        if full:
            existing = {c.id: c for c in s.scalars(select(Cluster))}
        else:
            ids = sorted(involved | set(assignment.values()))
            existing = {}
            for part in _chunks(ids):
                existing.update({c.id: c for c in s.scalars(select(Cluster).where(Cluster.id.in_(part)))})
        new_clusters: list[dict[str, Any]] = []
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
                new_clusters.append({"id": cid, "created_at": now, "updated_at": now, **values})
            elif content_hash(row.data) != content_hash(data) or row.status != "active":
                for k, v in values.items():
                    setattr(row, k, v)
                row.updated_at = now
        if new_clusters:  # one bulk insert, not an ORM object per cluster
            s.execute(insert(Cluster), new_clusters)
        s.flush()
        failpoint("dedup.mid_write")
        for cid, row in existing.items():
            if cid not in groups_by_cid and row.status == "active":
                row.status = "closed"
                row.updated_at = now
                report.closed_clusters += 1
        # Offers leaving the catalogue (held, rejected...) are detached, closed ones keep theirs.
        changed_ids = {r.id for r in changed}
        updates = []
        for r in rows:
            target = assignment.get(r.id)
            if target is None and r.status == OfferStatus.CLOSED.value:
                target = r.cluster_id
            new_hash = dedup_hash_of(r.content_hash, r.status) if r.id in changed_ids else None
            if r.cluster_id != target or new_hash is not None:
                updates.append((target, new_hash or dedup_hash_of(r.content_hash, r.status), r.id))
        s.flush()  # clusters first: offers point at them
        update_rows(s, Offer.__tablename__, "id", ("cluster_id", "dedup_hash"), updates)
        _write_keys(s, model, index, changed, full)


def _write_keys(s: Session, model: DedupModel, index: DedupIndex, changed: list[Any], full: bool) -> None:
    """Persist the blocking keys of the changed offers (all offers in a full pass)."""
    if full:
        s.execute(delete(DedupKey))
    else:
        for part in _chunks([r.id for r in changed]):
            s.execute(delete(DedupKey).where(DedupKey.offer_id.in_(part)))
    targets = {r.id for r in changed if r.status == OfferStatus.PUBLISHED.value}

    def rows() -> Iterator[tuple[int, int, int]]:
        # index.last_keys: one key matrix per rule, a row per record of the batch (0: no key)
        for ri, matrix in enumerate(index.last_keys):
            for rec, keys in zip(index.records, (matrix & KEY_MASK).tolist(), strict=True):
                if rec is not None and rec.key in targets:
                    for k in set(keys):
                        if k:
                            yield rec.key, ri, k

    insert_rows(s, DedupKey.__tablename__, ("offer_id", "rule", "key"), rows())


def _source(m: Any) -> SourceRef:
    return SourceRef(
        partner=m.partner,
        external_id=m.external_id,
        url=(m.data.get("source") or {}).get("url"),
        status=OfferStatus(m.status),
        first_seen=m.first_seen,
        last_seen=m.last_seen,
    )
