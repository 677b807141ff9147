"""The embedded default scheduler: the same schedule as Celery beat, in one process."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from connectors import fetch_partner
from dedup import run_dedup
from jobgate.config import Settings
from jobgate.search import index_catalogue
from jobgate.storage import Store
from normalizer.stage import normalize_pending
from publisher.cvs import publish_cvs
from publisher.push import deliver
from publisher.stage import publish

log = logging.getLogger("jobgate.scheduler")


def due_partners(store: Store, settings: Settings, now: datetime | None = None) -> list[str]:
    """Partners whose last fetch started longer ago than their schedule."""
    now = now or datetime.now(UTC)
    due = []
    for p in settings.partners:
        if not p.enabled:
            continue
        runs = store.runs(p.name, limit=1)
        if not runs:
            due.append(p.name)
            continue
        started = runs[0].started_at
        started = started if started.tzinfo else started.replace(tzinfo=UTC)
        if now - started >= timedelta(minutes=p.schedule_minutes):
            due.append(p.name)
    return due


def tick(store: Store, settings: Settings) -> list[str]:
    """Fetch the due partners, bring later stages up to date, run lifecycle jobs when due.

    Returns who was fetched.
    """
    from scheduler.lifecycle import lifecycle_due, run_lifecycle

    names = due_partners(store, settings)
    for name in names:
        fetch_partner(store, settings, settings.partner(name))
    if names:
        normalize_pending(store, settings)
        run_dedup(store, settings)
        index_catalogue(store, settings)
        publish(store, settings)
        publish_cvs(store, settings)
    # Push backlogs are retried every tick, whether or not anything was fetched.
    deliver(store, settings)
    if lifecycle_due(store, settings):
        run_lifecycle(store, settings)
    return names


def run_forever(
    store: Store, settings: Settings, *, sleep: Callable[[float], None] = time.sleep, max_ticks: int | None = None
) -> None:
    """Tick every ``scheduler.tick_seconds`` until interrupted (or ``max_ticks``)."""
    n = 0
    while max_ticks is None or n < max_ticks:
        fetched = tick(store, settings)
        if fetched:
            log.info("tick", extra={"fetched": fetched})
        n += 1
        sleep(settings.scheduler.tick_seconds)
