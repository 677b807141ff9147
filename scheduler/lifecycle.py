"""Offer lifecycle jobs: plain functions, run by the in-process tick and by Celery tasks.

Every closure has a reason and an ``OfferEvent`` history entry (through
:meth:`jobgate.storage.Store.close_offers`); the catalogue, the search index and
the delivery log (withdrawals to every partner carrying the offer) are brought
up to date afterwards by :func:`run_lifecycle`.

* :func:`expire_offers`: offers past their end date (``dates.expires``) close
  with reason ``expired``.
* :func:`close_unanswered_follow_ups`: a public-service offer whose record
  carries ``follow_up_due`` (France Travail ``dateRelanceEmployeur``: the date
  the employer was asked to confirm the offer) closes when
  ``[lifecycle] follow_up_days`` (8) have passed since then without an answer.
  An answer is any update of the offer at the source on or after that date
  (``dates.updated``).
* :func:`stale_offer_alerts`: published offers with no movement (latest of the
  source's ``dates.updated`` and ``dates.published``) for
  ``[lifecycle] stale_after_days`` raise an alert: a warning log, an
  ``alert`` history entry (once per period without movement) and the list
  returned to the caller (shown on the dashboard). Alerts close nothing.
* Offers gone from a complete partner snapshot are closed by the normalize
  stage (``RawRecord.gone``), not here.
* :func:`purge_expired_cvs`: retention hook for CVs (see its docstring).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from jobgate.config import Settings
from jobgate.storage import Store
from jobgate.storage.models import Offer, OfferEvent, RawRecord

log = logging.getLogger("jobgate.lifecycle")
OPEN = ("published", "held")
EXPIRED = "expired"
ALERT = "alert"
LIFECYCLE_STATE = "_lifecycle"  # connector_state key of the last lifecycle run
BATCH = 1000


def parse_when(value: Any) -> datetime | None:
    """An ISO date or datetime (``Z`` accepted) as an aware UTC datetime; None if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip().replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def expire_offers(store: Store, now: datetime | None = None) -> int:
    """Close open offers whose end date has passed; returns how many were closed."""
    now = now or datetime.now(UTC)
    with store.session() as s:
        ids = list(s.scalars(select(Offer.id).where(
            Offer.status.in_(OPEN), Offer.expires_at.is_not(None), Offer.expires_at < now)))
    n = store.close_offers(ids, EXPIRED) if ids else 0
    if n:
        log.info("offers expired", extra={"closed": n})
    return n


def close_unanswered_follow_ups(store: Store, settings: Settings, now: datetime | None = None) -> int:
    """Close public-service offers whose employer did not answer a follow-up in time.

    Returns how many offers were closed.
    """
    now = now or datetime.now(UTC)
    days = settings.lifecycle.follow_up_days
    due_col = RawRecord.fields["follow_up_due"].as_string()
    updated_col = Offer.data[("dates", "updated")].as_string()
    by_reason: dict[str, list[int]] = {}
    last = 0
    while True:
        with store.session() as s:
            rows = s.execute(
                select(Offer.id, due_col, updated_col)
                .join(RawRecord, RawRecord.id == Offer.raw_record_id)
                .where(Offer.id > last, Offer.public_service.is_(True), Offer.status.in_(OPEN),
                       due_col.is_not(None))
                .order_by(Offer.id).limit(BATCH)
            ).all()
        if not rows:
            break
        last = rows[-1][0]
        for oid, due_raw, updated_raw in rows:
            due = parse_when(due_raw)
            if due is None or now < due + timedelta(days=days):
                continue
            updated = parse_when(updated_raw)
            if updated is not None and updated >= due:
                continue  # the employer answered: the offer moved after the follow-up
            reason = f"employer did not answer the follow-up of {due.date().isoformat()} within {days} days"
            by_reason.setdefault(reason, []).append(oid)
    n = sum(store.close_offers(ids, reason) for reason, ids in by_reason.items())
    if n:
        log.info("offers closed after unanswered follow-up", extra={"closed": n})
    return n


@dataclass
class StaleAlert:
    """An offer with no movement for too long."""

    offer_id: int
    partner: str
    external_id: str
    title: str
    last_movement: datetime
    days: int


def stale_offer_alerts(store: Store, settings: Settings, now: datetime | None = None) -> list[StaleAlert]:
    """Published offers without movement for ``stale_after_days``; records one alert event each."""
    now = now or datetime.now(UTC)
    limit = timedelta(days=settings.lifecycle.stale_after_days)
    updated_col = Offer.data[("dates", "updated")].as_string()
    published_col = Offer.data[("dates", "published")].as_string()
    alerts: list[StaleAlert] = []
    last = 0
    while True:
        with store.session() as s:
            rows = s.execute(
                select(Offer.id, Offer.partner, Offer.external_id, Offer.title, updated_col, published_col,
                       Offer.updated_at)
                .where(Offer.id > last, Offer.status == "published").order_by(Offer.id).limit(BATCH)
            ).all()
        if not rows:
            break
        last = rows[-1][0]
        for oid, partner, ext, title, upd, pub, ours in rows:
            moves = [d for d in (parse_when(upd), parse_when(pub)) if d is not None]
            movement = max(moves) if moves else parse_when(ours)
            if movement is None or now - movement <= limit:
                continue
            alerts.append(StaleAlert(oid, partner, ext, title, movement, (now - movement).days))
    if alerts:
        _record_alerts(store, alerts, settings.lifecycle.stale_after_days)
        log.warning("offers without movement", extra={"count": len(alerts),
                                                      "days": settings.lifecycle.stale_after_days})
    return alerts


def _record_alerts(store: Store, alerts: list[StaleAlert], days: int) -> None:
    """One ``alert`` event per offer and period without movement."""
    ids = [a.offer_id for a in alerts]
    with store.session() as s:
        already: set[int] = set()
        for i in range(0, len(ids), BATCH):
            part = ids[i:i + BATCH]
            already.update(s.scalars(select(OfferEvent.offer_id).where(
                OfferEvent.offer_id.in_(part), OfferEvent.event == ALERT)))
        for a in alerts:
            if a.offer_id not in already:
                s.add(OfferEvent(offer_id=a.offer_id, event=ALERT,
                                 reason=f"no movement since {a.last_movement.date().isoformat()} "
                                 f"(more than {days} days)"))


def purge_expired_cvs(store: Store, settings: Settings, now: datetime | None = None) -> int:
    """Retention: erase CVs past ``[publisher] cv_retention_months`` after the last active
    contact, queueing their withdrawal to every partner that may hold a copy. Returns how many."""
    from publisher.cvs import purge_cvs

    return purge_cvs(store, settings, now).erased


@dataclass
class LifecycleReport:
    """What one lifecycle pass did."""

    expired: int = 0
    follow_up_closed: int = 0
    stale: list[StaleAlert] = field(default_factory=list)
    cvs_purged: int = 0

    @property
    def closed(self) -> int:
        """Offers closed by this pass."""
        return self.expired + self.follow_up_closed

    def summary(self) -> dict[str, Any]:
        """A JSON-able summary."""
        return {"expired": self.expired, "follow_up_closed": self.follow_up_closed,
                "stale_alerts": len(self.stale), "cvs_purged": self.cvs_purged}


def run_lifecycle(store: Store, settings: Settings, now: datetime | None = None) -> LifecycleReport:
    """Every lifecycle job, then catalogue, search index and deliveries if anything closed."""
    from dedup import run_dedup
    from jobgate.search import index_catalogue
    from publisher.stage import publish

    now = now or datetime.now(UTC)
    report = LifecycleReport()
    report.expired = expire_offers(store, now)
    report.follow_up_closed = close_unanswered_follow_ups(store, settings, now)
    report.stale = stale_offer_alerts(store, settings, now)
    report.cvs_purged = purge_expired_cvs(store, settings, now)
    if report.closed:
        run_dedup(store, settings)
        index_catalogue(store, settings)
        publish(store, settings)
    store.set_state(LIFECYCLE_STATE, "", {"last_run": now.isoformat(), **report.summary()})
    return report


def lifecycle_due(store: Store, settings: Settings, now: datetime | None = None) -> bool:
    """Whether ``[scheduler] lifecycle_minutes`` passed since the last lifecycle run."""
    now = now or datetime.now(UTC)
    last = parse_when(store.get_state(LIFECYCLE_STATE).get("last_run"))
    return last is None or now - last >= timedelta(minutes=settings.scheduler.lifecycle_minutes)
