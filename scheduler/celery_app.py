"""Celery app for scale-out: thin idempotent tasks that call the plain stage functions.

* Tasks take names, never payloads, and are safe to run twice (each stage is
  idempotent), hence ``acks_late`` (a task whose worker dies is redelivered);
  ``partner_cycle`` only enqueues a chain and is acked early.
* Queues per stage: ``fetch``, ``normalize``, ``dedup`` (dedup, search index and
  lifecycle jobs), ``publish``. ``partner_cycle`` chains one partner's fetch
  through every later stage; beat runs it per partner on its
  ``schedule_minutes``, and the lifecycle jobs every ``[scheduler]
  lifecycle_minutes``.
* Per-partner limits (Redis, the broker): at most one fetch of a partner at a
  time (a lock) and at most one fetch start per ``min_fetch_interval_seconds``;
  a fetch that finds its partner busy or throttled is skipped (outcome
  ``busy``/``throttled``), the rest of the chain still runs. Normalize and dedup
  are single-flight across workers (a lock each).
* Locks outlive no worker: each has a short time-to-live (``fetch_lock_seconds``,
  ``stage_lock_seconds``) that its holder renews from a thread while the task
  runs. A worker killed mid-task stops renewing, so its lock lapses within that
  time, and the redelivered task (``acks_late``, after
  ``visibility_timeout_seconds``) can take it.
* Retries are bounded: database and broker connection errors are retried at
  most 3 times with exponential backoff and jitter. Partner faults are not
  errors here: ``fetch_partner`` records them as failed runs.

The configuration file comes from ``JOBGATE_CONFIG`` (default ``./jobgate.toml``);
``JOBGATE_BROKER_URL`` overrides ``[scheduler] broker_url``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import lru_cache
from typing import Any

from celery import Celery, chain

from jobgate.config import Settings, load_settings
from jobgate.errors import StoreError
from jobgate.storage import Store

log = logging.getLogger("jobgate.celery")
QUEUES = ("fetch", "normalize", "dedup", "publish")
app = Celery("jobgate")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    result_expires=3600,
    task_time_limit=4 * 3600,
    task_soft_time_limit=4 * 3600 - 60,
    task_routes={
        "jobgate.fetch": {"queue": "fetch"},
        "jobgate.partner_cycle": {"queue": "fetch"},
        "jobgate.normalize": {"queue": "normalize"},
        "jobgate.dedup": {"queue": "dedup"},
        "jobgate.lifecycle": {"queue": "dedup"},
        "jobgate.lifecycle.*": {"queue": "dedup"},
        "jobgate.publish": {"queue": "publish"},
    },
    task_default_queue="fetch",
    broker_connection_retry_on_startup=True,
)
RETRY: dict[str, Any] = {
    "autoretry_for": (ConnectionError, StoreError),
    "max_retries": 3,
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
}


def broker_url(settings: Settings) -> str:
    """The broker URL: ``JOBGATE_BROKER_URL`` wins over ``[scheduler] broker_url``."""
    return os.environ.get("JOBGATE_BROKER_URL") or settings.scheduler.broker_url


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """One ``partner_cycle`` per enabled partner on its schedule, plus the lifecycle jobs."""
    schedule: dict[str, dict[str, Any]] = {
        f"partner-{p.name}": {
            "task": "jobgate.partner_cycle",
            "schedule": timedelta(minutes=p.schedule_minutes),
            "args": (p.name,),
        }
        for p in settings.partners
        if p.enabled
    }
    schedule["lifecycle"] = {
        "task": "jobgate.lifecycle",
        "schedule": timedelta(minutes=settings.scheduler.lifecycle_minutes),
    }
    return schedule


def configure(settings: Settings) -> Celery:
    """Point the app at the configured broker and install the beat schedule."""
    broker = broker_url(settings)
    app.conf.broker_url = broker
    app.conf.result_backend = os.environ.get("JOBGATE_RESULT_BACKEND") or broker
    app.conf.beat_schedule = beat_schedule(settings)
    timeout = settings.scheduler.visibility_timeout_seconds
    # acks_late: a dead worker's task stays unacknowledged in Redis and is restored after
    # the visibility timeout; sweep for such tasks every tenth of it (at most every minute).
    app.conf.broker_transport_options = {"visibility_timeout": timeout,
                                         "unacked_restore_interval": max(1, min(60, timeout // 10)),
                                         "unacked_restore_throttle": 1}
    return app


@lru_cache(maxsize=1)
def _context() -> tuple[Settings, Store]:
    settings = load_settings(os.environ.get("JOBGATE_CONFIG"))
    store = Store(settings.database_url)
    store.migrate()
    for p in settings.partners:
        store.ensure_partner(p.name, p.connector)
    return settings, store


@lru_cache(maxsize=1)
def _redis() -> Any:
    """A Redis client on the broker, or None when the broker is not Redis."""
    settings, _ = _context()
    url = broker_url(settings)
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    import redis

    return redis.Redis.from_url(url)


@contextmanager
def kept_alive(lock: Any, ttl: float) -> Iterator[None]:
    """Renew a held Redis lock to ``ttl`` seconds every third of that until the block ends.

    The lock must be made with ``thread_local=False``: a thread renews it.
    """
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(ttl / 3):
            try:
                lock.reacquire()
            except Exception:  # lost (expired during a stall, broker gone): nothing to keep
                log.warning("could not renew lock %s", lock.name)
                return

    thread = threading.Thread(target=renew, name=f"renew {lock.name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@contextmanager
def partner_slot(partner: str) -> Iterator[str | None]:
    """Take a partner's fetch slot: yields None when taken, else why it is not available.

    At most one fetch per partner at a time, and at most one start per
    ``min_fetch_interval_seconds``. Without Redis (tests, eager mode) always free.
    """
    settings, _ = _context()
    r = _redis()
    if r is None:
        yield None
        return
    interval = settings.scheduler.min_fetch_interval_seconds
    ttl = settings.scheduler.fetch_lock_seconds
    lock = r.lock(f"jobgate:fetch-lock:{partner}", timeout=ttl, thread_local=False)
    if not lock.acquire(blocking=False):
        yield "busy"
        return
    try:
        if interval and not r.set(f"jobgate:fetch-last:{partner}", "1", nx=True, ex=interval):
            yield "throttled"
            return
        with kept_alive(lock, ttl):
            yield None
    finally:
        try:
            lock.release()
        except Exception:  # the lock expired meanwhile: nothing to release
            log.warning("fetch lock of %s expired before release", partner)


@contextmanager
def single_flight(name: str, wait_seconds: int = 600) -> Iterator[bool]:
    """Run a global stage on one worker at a time: yields whether the lock was taken."""
    r = _redis()
    if r is None:
        yield True
        return
    ttl = _context()[0].scheduler.stage_lock_seconds
    lock = r.lock(f"jobgate:stage-lock:{name}", timeout=ttl, blocking_timeout=wait_seconds, thread_local=False)
    if not lock.acquire():
        yield False
        return
    try:
        with kept_alive(lock, ttl):
            yield True
    finally:
        try:
            lock.release()
        except Exception:
            log.warning("stage lock of %s expired before release", name)


@app.task(name="jobgate.fetch", **RETRY)
def fetch_task(partner: str, *_: Any) -> dict[str, Any]:
    """Fetch one partner into the raw store (skipped when the partner is busy or throttled)."""
    from connectors import fetch_partner

    settings, store = _context()
    with partner_slot(partner) as unavailable:
        if unavailable:
            log.info("fetch skipped", extra={"partner": partner, "why": unavailable})
            return {"partner": partner, "outcome": unavailable, "fetched": 0, "error": None}
        r = fetch_partner(store, settings, settings.partner(partner))
    return {"partner": partner, "outcome": r.outcome, "fetched": r.fetched, "error": r.error}


@app.task(name="jobgate.normalize", bind=True, **RETRY)
def normalize_task(self: Any, *_: Any) -> dict[str, int]:
    """Normalise every pending raw record."""
    from normalizer.stage import normalize_pending

    settings, store = _context()
    with single_flight("normalize") as taken:
        if not taken:
            raise self.retry(countdown=30)
        return normalize_pending(store, settings).by_status


@app.task(name="jobgate.dedup", bind=True, **RETRY)
def dedup_task(self: Any, *_: Any) -> dict[str, int]:
    """Recluster the catalogue, then bring the search index up to date."""
    from dedup import run_dedup
    from jobgate.search import index_catalogue

    settings, store = _context()
    with single_flight("dedup") as taken:
        if not taken:
            raise self.retry(countdown=30)
        r = run_dedup(store, settings)
        idx = index_catalogue(store, settings)
    return {"offers": r.offers, "clusters": r.clusters, "indexed": idx.indexed, "unindexed": idx.removed}


@app.task(name="jobgate.publish", **RETRY)
def publish_task(*_: Any) -> dict[str, int]:
    """Update every recipient's delivery log."""
    from publisher.cvs import publish_cvs
    from publisher.push import deliver
    from publisher.stage import publish

    settings, store = _context()
    out = {p.partner: p.upserts + p.deletes for p in publish(store, settings)}
    publish_cvs(store, settings)
    deliver(store, settings)
    return out


@app.task(name="jobgate.lifecycle", bind=True, **RETRY)
def lifecycle_task(self: Any) -> dict[str, int]:
    """Every lifecycle job (expiry, follow-ups, alerts, CV retention), then catalogue and deliveries."""
    from scheduler.lifecycle import run_lifecycle

    settings, store = _context()
    with single_flight("dedup") as taken:
        if not taken:
            raise self.retry(countdown=60)
        return run_lifecycle(store, settings).summary()


@app.task(name="jobgate.lifecycle.expire", **RETRY)
def expire_task() -> int:
    """Close offers past their end date (catalogue updated by the next dedup)."""
    from scheduler.lifecycle import expire_offers

    _, store = _context()
    return expire_offers(store)


@app.task(name="jobgate.lifecycle.follow_ups", **RETRY)
def follow_ups_task() -> int:
    """Close public-service offers whose employer did not answer a follow-up in time."""
    from scheduler.lifecycle import close_unanswered_follow_ups

    settings, store = _context()
    return close_unanswered_follow_ups(store, settings)


@app.task(name="jobgate.lifecycle.stale_alerts", **RETRY)
def stale_alerts_task() -> int:
    """Alert on offers without movement; returns how many."""
    from scheduler.lifecycle import stale_offer_alerts

    settings, store = _context()
    return len(stale_offer_alerts(store, settings))


@app.task(name="jobgate.lifecycle.purge_cvs", **RETRY)
def purge_cvs_task() -> int:
    """Purge CVs past retention (a no-op until CVs are stored)."""
    from scheduler.lifecycle import purge_expired_cvs

    settings, store = _context()
    return purge_expired_cvs(store, settings)


def partner_chain(partner: str) -> Any:
    """The signature of one partner run: fetch → normalize → dedup (+ index) → publish."""
    return chain(fetch_task.s(partner), normalize_task.s(), dedup_task.s(), publish_task.s())


@app.task(name="jobgate.partner_cycle", acks_late=False)
def partner_cycle(partner: str) -> str:
    """Chain one partner's fetch through every later stage; returns the chain's id."""
    result = partner_chain(partner).apply_async()
    return str(result.id)


__all__ = ["QUEUES", "app", "beat_schedule", "configure", "partner_chain", "partner_cycle"]
