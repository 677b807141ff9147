"""Operations: what the dashboard shows and what operators may do (plain functions).

Indicators read the store only; actions go through the same stage functions as
the scheduler, so an operator action is exactly a scheduled run, on demand.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update

from jobgate.config import Settings
from jobgate.errors import ConfigError
from jobgate.storage import Store
from jobgate.storage.models import (
    CatalogueSearch,
    Cluster,
    Delivery,
    Offer,
    Quarantine,
    RawRecord,
)

#: The 14 ROME grands domaines.
ROME_DOMAINS: dict[str, str] = {
    "A": "Agriculture et pêche, espaces naturels et verts, soins aux animaux",
    "B": "Arts et façonnage d'ouvrages d'art",
    "C": "Banque, assurance, immobilier",
    "D": "Commerce, vente et grande distribution",
    "E": "Communication, média et multimédia",
    "F": "Construction, bâtiment et travaux publics",
    "G": "Hôtellerie-restauration, tourisme, loisirs et animation",
    "H": "Industrie",
    "I": "Installation et maintenance",
    "J": "Santé",
    "K": "Services à la personne et à la collectivité",
    "L": "Spectacle",
    "M": "Support à l'entreprise",
    "N": "Transport et logistique",
}
REJECTS_SCANNED = 20_000


# -- indicators ----------------------------------------------------------------

def certification_rejects(store: Store, limit: int = REJECTS_SCANNED) -> list[tuple[str, int]]:
    """Rejected source offers by reason (``ID: message`` of each REJECT finding), most frequent first.

    Scans at most ``limit`` most recent rejected offers.
    """
    counts: Counter[str] = Counter()
    with store.session() as s:
        rows = s.scalars(select(Offer.data).where(Offer.status == "rejected").order_by(Offer.id.desc()).limit(limit))
        for data in rows:
            findings = (data.get("certification") or {}).get("findings") or []
            reasons = {f"{f.get('id')}: {f.get('message')}" for f in findings if f.get("severity") == "REJECT"}
            counts.update(reasons or {"(no finding)"})
    return counts.most_common()


@dataclass
class DedupStats:
    """How much dedup merged."""

    published_offers: int
    catalogue_offers: int
    multi_source: int

    @property
    def rate(self) -> float:
        """Share of published source offers that duplicate another (1 − catalogue / published)."""
        if not self.published_offers:
            return 0.0
        return max(0.0, 1 - self.catalogue_offers / self.published_offers)


def dedup_stats(store: Store) -> DedupStats:
    """Published source offers, catalogue offers, catalogue offers with several sources."""
    with store.session() as s:
        published = s.scalar(select(func.count()).select_from(Offer).where(Offer.status == "published")) or 0
        active = s.scalar(select(func.count()).select_from(Cluster).where(Cluster.status == "active")) or 0
        multi = s.scalar(select(func.count()).select_from(Cluster)
                         .where(Cluster.status == "active", Cluster.n_sources > 1)) or 0
    return DedupStats(int(published), int(active), int(multi))


def delivery_backlog(store: Store) -> list[dict[str, Any]]:
    """Per recipient partner: pending and failed deliveries, oldest pending."""
    with store.session() as s:
        rows = s.execute(
            select(Delivery.partner, Delivery.status, func.count(), func.min(Delivery.updated_at))
            .where(Delivery.status.in_(("pending", "failed"))).group_by(Delivery.partner, Delivery.status)
        ).all()
    out: dict[str, dict[str, Any]] = {}
    for partner, status, n, oldest in rows:
        d = out.setdefault(partner, {"partner": partner, "pending": 0, "failed": 0, "oldest_pending": None})
        d[status] = int(n)
        if status == "pending":
            d["oldest_pending"] = oldest
    return sorted(out.values(), key=lambda d: -d["pending"])


@dataclass
class Transparency:
    """Transparency indicators of the public catalogue (from the search index)."""

    total: int = 0
    direct_contact: int = 0
    by_origin: dict[str, int] = field(default_factory=dict)
    by_domain: list[tuple[str, int]] = field(default_factory=list)
    by_region: list[tuple[str, int]] = field(default_factory=list)

    @property
    def direct_share(self) -> float:
        """Share of offers a job seeker can contact directly (nominatif without preselection)."""
        return self.direct_contact / self.total if self.total else 0.0


def transparency(store: Store) -> Transparency:
    """Direct-contact share, catalogue by origin, ROME grand domaine and region."""
    from normalizer.fields.data.geo import REGIONS

    t = Transparency()
    with store.session() as s:
        for public, direct, n in s.execute(
            select(CatalogueSearch.public_service, CatalogueSearch.direct_contact, func.count())
            .group_by(CatalogueSearch.public_service, CatalogueSearch.direct_contact)
        ).all():
            t.total += int(n)
            t.direct_contact += int(n) if direct else 0
            origin = "service public" if public else "partenaires"
            t.by_origin[origin] = t.by_origin.get(origin, 0) + int(n)
        domains = s.execute(select(CatalogueSearch.rome_domain, func.count())
                            .group_by(CatalogueSearch.rome_domain)).all()
        regions = s.execute(select(CatalogueSearch.region, func.count()).group_by(CatalogueSearch.region)).all()
    t.by_domain = sorted(((f"{d} {ROME_DOMAINS.get(d, '')}".strip() if d else "sans code ROME", int(n))
                          for d, n in domains), key=lambda kv: -kv[1])
    t.by_region = sorted(((REGIONS.get(r, r) if r else "inconnue", int(n)) for r, n in regions),
                         key=lambda kv: -kv[1])
    return t


def recent_quarantine(store: Store, limit: int = 50) -> list[Quarantine]:
    """The latest unresolved quarantined records."""
    with store.session() as s:
        return list(s.scalars(select(Quarantine).where(Quarantine.resolved.is_(False))
                              .order_by(Quarantine.id.desc()).limit(limit)))


# -- actions ---------------------------------------------------------------------

def _known(settings: Settings, partner: str) -> None:
    settings.partner(partner)  # ConfigError when unknown


def pause_partner(store: Store, settings: Settings, partner: str) -> None:
    """Pause a partner: it is not fetched until resumed; health says ``paused``."""
    _known(settings, partner)
    p = settings.partner(partner)
    store.ensure_partner(p.name, p.connector)
    store.set_paused(partner, True)


def resume_partner(store: Store, settings: Settings, partner: str) -> None:
    """Resume a paused partner."""
    _known(settings, partner)
    store.set_paused(partner, False)


def _downstream(store: Store, settings: Settings) -> None:
    from dedup import run_dedup
    from jobgate.search import index_catalogue
    from normalizer.stage import normalize_pending
    from publisher.stage import publish

    normalize_pending(store, settings)
    run_dedup(store, settings)
    index_catalogue(store, settings)
    publish(store, settings)


def refetch_partner(store: Store, settings: Settings, partner: str) -> str:
    """Fetch a partner now and bring later stages up to date; returns the fetch outcome."""
    from connectors import fetch_partner

    report = fetch_partner(store, settings, settings.partner(partner))
    _downstream(store, settings)
    return report.outcome


@dataclass
class ReplayReport:
    """What a quarantine replay did."""

    resolved: int = 0
    renormalized: int = 0
    refetched: list[str] = field(default_factory=list)


def replay_quarantine(
    store: Store, settings: Settings, *, partner: str | None = None, ids: list[int] | None = None
) -> ReplayReport:
    """Replay quarantined records: mark them resolved and run them again.

    Normalize-stage records are normalised again from their stored raw record;
    fetch-stage records (unreadable in the feed itself) are re-read by
    re-fetching their partner. A record that fails again is quarantined again,
    with its (new) reason.
    """
    from connectors import fetch_partner

    if partner is not None:
        _known(settings, partner)
    report = ReplayReport()
    with store.session() as s:
        q = select(Quarantine).where(Quarantine.resolved.is_(False))
        if partner:
            q = q.where(Quarantine.partner == partner)
        if ids:
            q = q.where(Quarantine.id.in_(ids))
        rows = list(s.scalars(q))
        keys: set[tuple[str, str]] = set()
        refetch: set[str] = set()
        for row in rows:
            row.resolved = True
            if row.stage == "normalize" and row.external_id:
                keys.add((row.partner, row.external_id))
            else:
                refetch.add(row.partner)
        report.resolved = len(rows)
        for p_name in {k[0] for k in keys}:
            exts = [k[1] for k in keys if k[0] == p_name]
            raw_ids = select(RawRecord.id).where(RawRecord.partner == p_name, RawRecord.external_id.in_(exts))
            # An empty hash makes the offer stale: the normalize stage rebuilds it.
            res = s.execute(update(Offer).where(Offer.raw_record_id.in_(raw_ids)).values(content_hash=""))
            report.renormalized += int(getattr(res, "rowcount", 0) or 0)
    for p_name in sorted(refetch):
        try:
            fetch_partner(store, settings, settings.partner(p_name))
            report.refetched.append(p_name)
        except ConfigError:
            continue  # a partner no longer configured: nothing to re-read
    _downstream(store, settings)
    return report


def lifecycle_status(store: Store) -> dict[str, Any]:
    """The last lifecycle run (time and counts), empty if none yet."""
    from scheduler.lifecycle import LIFECYCLE_STATE

    return store.get_state(LIFECYCLE_STATE)


def now_utc() -> datetime:
    """Now, UTC (for templates)."""
    return datetime.now(UTC)
