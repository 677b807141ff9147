"""Celery app for scale-out: thin idempotent tasks that call the plain stage functions.

Tasks take names, never payloads, and are safe to run twice (each stage is
idempotent), hence ``acks_late``. Queues per stage: fetch, normalize, dedup,
publish. Beat runs one chain per partner on its ``schedule_minutes``.
The configuration file comes from ``JOBGATE_CONFIG`` (default ``./jobgate.toml``).
"""

from __future__ import annotations

import os
from datetime import timedelta
from functools import lru_cache
from typing import Any

from celery import Celery, chain

from jobgate.config import Settings, load_settings
from jobgate.storage import Store

app = Celery("jobgate")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    task_routes={
        "jobgate.fetch": {"queue": "fetch"},
        "jobgate.normalize": {"queue": "normalize"},
        "jobgate.dedup": {"queue": "dedup"},
        "jobgate.publish": {"queue": "publish"},
    },
    task_default_queue="fetch",
    broker_connection_retry_on_startup=True,
)
RETRY = {"autoretry_for": (ConnectionError,), "max_retries": 3, "retry_backoff": True, "retry_jitter": True}


def configure(settings: Settings) -> Celery:
    """Point the app at the configured broker and install the beat schedule."""
    broker = os.environ.get("JOBGATE_BROKER_URL") or settings.scheduler.broker_url
    app.conf.broker_url = broker
    app.conf.result_backend = os.environ.get("JOBGATE_RESULT_BACKEND") or broker
    app.conf.beat_schedule = {
        f"partner-{p.name}": {
            "task": "jobgate.partner_cycle",
            "schedule": timedelta(minutes=p.schedule_minutes),
            "args": (p.name,),
        }
        for p in settings.partners
        if p.enabled
    }
    return app


@lru_cache(maxsize=1)
def _context() -> tuple[Settings, Store]:
    settings = load_settings(os.environ.get("JOBGATE_CONFIG"))
    store = Store(settings.database_url)
    store.migrate()
    return settings, store


@app.task(name="jobgate.fetch", **RETRY)
def fetch_task(partner: str, *_: Any) -> dict[str, Any]:
    """Fetch one partner into the raw store."""
    from connectors import fetch_partner

    settings, store = _context()
    r = fetch_partner(store, settings, settings.partner(partner))
    return {"partner": partner, "outcome": r.outcome, "fetched": r.fetched, "error": r.error}


@app.task(name="jobgate.normalize", **RETRY)
def normalize_task(*_: Any) -> dict[str, int]:
    """Normalise every pending raw record."""
    from normalizer.stage import normalize_pending

    settings, store = _context()
    return normalize_pending(store, settings).by_status


@app.task(name="jobgate.dedup", **RETRY)
def dedup_task(*_: Any) -> dict[str, int]:
    """Recluster the catalogue."""
    from dedup import run_dedup

    settings, store = _context()
    r = run_dedup(store, settings)
    return {"offers": r.offers, "clusters": r.clusters}


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


@app.task(name="jobgate.partner_cycle")
def partner_cycle(partner: str) -> str:
    """Chain one partner's fetch through every later stage."""
    result = chain(fetch_task.s(partner), normalize_task.s(), dedup_task.s(), publish_task.s()).apply_async()
    return str(result.id)
