"""Lifecycle jobs: expiry, unanswered follow-ups, no-movement alerts, CV retention hook, tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from jobgate.config import load_settings
from jobgate.pipeline import run_cycle
from jobgate.storage import Store
from jobgate.storage.models import CatalogueSearch, Cluster, Delivery, Offer, OfferEvent, RawRecord
from scheduler.inprocess import tick
from scheduler.lifecycle import (
    ALERT,
    EXPIRED,
    close_unanswered_follow_ups,
    expire_offers,
    lifecycle_due,
    purge_expired_cvs,
    run_lifecycle,
    stale_offer_alerts,
)
from tests.ops.helpers import write_config

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _cluster_of(store: Store, offer_id: int) -> str:
    with store.session() as s:
        cid = s.scalar(select(Offer.cluster_id).where(Offer.id == offer_id))
    assert cid
    return cid


def test_expiry_closes_with_reason_history_and_withdrawal(store: Store, db_url: str, tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, db_url, broken=False))
    run_cycle(store, settings)
    with store.session() as s:
        # A courrier-regional offer alone in its cluster, so closing it closes the catalogue offer.
        oid = s.scalar(select(Offer.id).join(Cluster, Cluster.id == Offer.cluster_id)
                       .where(Offer.partner == "france-travail", Offer.status == "published",
                              Cluster.n_sources == 1).order_by(Offer.id))
        s.execute(update(Offer).where(Offer.id == oid).values(expires_at=NOW - timedelta(days=1)))
    cid = _cluster_of(store, oid)
    report = run_lifecycle(store, settings, now=NOW)
    assert report.expired == 1
    with store.session() as s:
        offer = s.get(Offer, oid)
        assert offer is not None and offer.status == "closed" and offer.status_reason == EXPIRED
        cluster = s.get(Cluster, cid)
        assert cluster is not None and cluster.status == "closed"
        assert s.scalar(select(CatalogueSearch.doc).where(CatalogueSearch.cluster_id == cid)) is None
        withdrawal = s.scalar(select(Delivery).where(Delivery.partner == "courrier-regional",
                                                     Delivery.item_id == cid))
    assert withdrawal is None or withdrawal.action == "delete"
    assert [(e.event, e.reason) for e in store.history(oid)][-1] == ("closed", EXPIRED)
    assert expire_offers(store, NOW) == 0  # idempotent
    run_cycle(store, settings)  # an unchanged record does not reopen it
    with store.session() as s:
        assert s.scalar(select(Offer.status).where(Offer.id == oid)) == "closed"


def test_unanswered_follow_up(store: Store, db_url: str, tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, db_url, broken=False))
    run_cycle(store, settings)
    with store.session() as s:
        rows = s.execute(select(Offer.id, Offer.raw_record_id).where(
            Offer.partner == "france-travail", Offer.status == "published").order_by(Offer.id).limit(3)).all()
        (late, late_raw), (answered, answered_raw), (recent, recent_raw) = rows

        def set_fields(raw_id: int, due: str, updated: str | None = None) -> None:
            raw = s.get(RawRecord, raw_id)
            assert raw is not None
            raw.fields = {**raw.fields, "follow_up_due": due}
            if updated is not None:
                offer = s.scalars(select(Offer).where(Offer.raw_record_id == raw_id)).one()
                offer.data = {**offer.data, "dates": {**(offer.data.get("dates") or {}), "updated": updated}}

        set_fields(late_raw, "2026-11-01T00:00:00.000Z", "2026-10-01T00:00:00+00:00")
        set_fields(answered_raw, "2026-11-01T00:00:00.000Z", "2026-11-05T09:00:00+00:00")
        set_fields(recent_raw, "2026-11-18")
    assert settings.lifecycle.follow_up_days == 8
    assert close_unanswered_follow_ups(store, settings, NOW) == 1
    with store.session() as s:
        statuses = {oid: s.get(Offer, oid).status for oid in (late, answered, recent)}  # type: ignore[union-attr]
        reason = s.scalar(select(Offer.status_reason).where(Offer.id == late))
    assert statuses == {late: "closed", answered: "published", recent: "published"}
    assert reason == "employer did not answer the follow-up of 2026-11-01 within 8 days"
    assert store.history(late)[-1].event == "closed"
    assert close_unanswered_follow_ups(store, settings, NOW + timedelta(days=20)) == 1  # now `recent` too


def test_stale_alerts_once_and_cv_hook(store: Store, db_url: str, tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, db_url, broken=False))
    run_cycle(store, settings)
    alerts = stale_offer_alerts(store, settings, NOW)
    assert alerts and all(a.days > settings.lifecycle.stale_after_days for a in alerts)
    with store.session() as s:
        n_events = len(list(s.scalars(select(OfferEvent).where(OfferEvent.event == ALERT))))
        published = s.scalar(select(Offer.id).where(Offer.status == "published").limit(1))
    assert n_events == len(alerts)
    stale_offer_alerts(store, settings, NOW)
    with store.session() as s:
        assert len(list(s.scalars(select(OfferEvent).where(OfferEvent.event == ALERT)))) == n_events
    # Alerts close nothing.
    with store.session() as s:
        assert s.scalar(select(Offer.status).where(Offer.id == published)) == "published"
    assert purge_expired_cvs(store, settings, NOW) == 0  # no CV past retention


def test_tick_runs_lifecycle_when_due(store: Store, db_url: str, tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, db_url, broken=False))
    assert lifecycle_due(store, settings)
    tick(store, settings)
    assert not lifecycle_due(store, settings)
    assert lifecycle_due(store, settings, now=datetime.now(UTC) + timedelta(minutes=61))
