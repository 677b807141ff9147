"""The publish stage: which catalogue offer each recipient partner carries now.

For every partner configured with ``receives = ["offers"]`` it keeps the
delivery log up to date: new or changed eligible offers become pending upserts,
offers that closed or are no longer eligible become pending deletions
(tombstones in pull feeds, DELETE on push), and an offer handed to a partner
is published at most ``max_days`` days unless renewed.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from jobgate.config import PartnerSettings, Settings
from jobgate.failpoints import failpoint
from jobgate.schema import CatalogueOffer
from jobgate.storage import Store, content_hash
from jobgate.storage.models import Delivery, utcnow
from publisher.diffusion import visible_offer
from publisher.eligibility import eligible

log = logging.getLogger("jobgate.publisher")
#: Fields of a visible offer no format or push sends (provenance clock times).
_UNSENT = {"sources": {"__all__": {"first_seen", "last_seen"}}}


@dataclass
class PublishReport:
    """Delivery log changes for one partner."""

    partner: str
    upserts: int = 0
    deletes: int = 0
    unchanged: int = 0


def idempotency_key(partner: str, item_id: str, version: str, previous: str | None = None) -> str:
    """A fixed-length key for one version of one item sent to one partner (fits the column).

    ``previous`` is the key the item's last delivery had: chaining it in gives a
    new key to a version sent again after a withdrawal (which a partner that
    deduplicates by key must not drop), while the key stays a function of the
    delivery history only, never of the clock: a stage redone after a crash
    writes the key it would have written.
    """
    chain = f"\x00{previous}" if previous else ""
    return hashlib.sha256(f"{partner}\x00{item_id}\x00{version}{chain}".encode()).hexdigest()


def recipients(settings: Settings) -> list[PartnerSettings]:
    """Partners that receive our offers."""
    return [p for p in settings.partners if "offers" in p.receives and p.enabled]


def publish(store: Store, settings: Settings) -> list[PublishReport]:
    """Update the delivery log of every recipient partner."""
    reports = []
    for p in recipients(settings):
        reports.append(publish_partner(store, settings, p))
        failpoint("publish.after_partner")
    return reports


def publish_partner(store: Store, settings: Settings, partner: PartnerSettings) -> PublishReport:
    """Update one partner's delivery log from the catalogue (idempotent)."""
    report = PublishReport(partner=partner.name)
    now = utcnow()
    max_age = timedelta(days=settings.publisher.max_days)
    wanted: dict[str, str] = {}
    count = 0
    for row in store.iter_clusters(status="active"):
        offer = CatalogueOffer.model_validate(row.data)
        if not eligible(offer, partner, settings.publisher):
            continue
        if partner.max_offers is not None and count >= partner.max_offers:
            break
        count += 1
        view = visible_offer(offer, partner, settings=settings.publisher)
        # The hash (hence the idempotency key) covers what the partner can be sent: not
        # when we saw each source, which moves with every fetch and is never published.
        wanted[row.id] = content_hash(view.model_dump(mode="json", exclude=_UNSENT))
    with store.session() as s:
        existing = {d.item_id: d for d in s.scalars(
            select(Delivery).where(Delivery.partner == partner.name, Delivery.item_kind == "offer"))}
        for cid, h in wanted.items():
            d = existing.get(cid)
            if d is None:
                s.add(Delivery(partner=partner.name, item_kind="offer", item_id=cid, action="upsert",
                               content_hash=h, status="pending", first_published_at=now,
                               updated_at=now, expires_at=now + max_age,
                               idempotency_key=idempotency_key(partner.name, cid, h)))
                report.upserts += 1
            elif d.action == "delete" or d.content_hash != h:
                # Back in the feed, or updated by its source: that renews the window.
                d.action, d.content_hash, d.status, d.updated_at = "upsert", h, "pending", now
                d.idempotency_key = idempotency_key(partner.name, cid, h, d.idempotency_key)
                d.expires_at = now + max_age
                _requeued(d)
                report.upserts += 1
            elif d.expires_at and _aware(d.expires_at) < now:
                # Past the publication window and not renewed: withdraw it.
                d.action, d.status, d.updated_at = "delete", "pending", now
                d.idempotency_key = idempotency_key(partner.name, cid, "delete", d.idempotency_key)
                _requeued(d)
                report.deletes += 1
            else:
                report.unchanged += 1
        for cid, d in existing.items():
            if cid not in wanted and d.action != "delete":
                d.action, d.status, d.updated_at = "delete", "pending", now
                d.idempotency_key = idempotency_key(partner.name, cid, "delete", d.idempotency_key)
                _requeued(d)
                report.deletes += 1
    log.info("publish finished", extra={"partner": partner.name, "upserts": report.upserts,
                                        "deletes": report.deletes, "unchanged": report.unchanged})
    return report


def _requeued(d: Delivery) -> None:
    # A new version of the item: push delivery starts afresh (new idempotency key).
    d.attempts, d.last_error, d.next_attempt_at = 0, None, None


def _aware(dt: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
