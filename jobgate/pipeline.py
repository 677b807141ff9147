"""The gateway's main job: fetch → normalise → dedup → publish, for every partner.

Stages talk only through the store; each is idempotent, so a cycle killed
halfway is finished by the next one.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from connectors import FetchReport, fetch_partner
from dedup import DedupReport, run_dedup
from jobgate.config import Settings
from jobgate.search import IndexReport, index_catalogue
from jobgate.storage import Store
from normalizer.stage import NormalizeReport, normalize_pending
from publisher.cvs import publish_cvs
from publisher.push import DeliveryReport, deliver
from publisher.stage import PublishReport, publish
from scheduler.lifecycle import run_lifecycle

log = logging.getLogger("jobgate.pipeline")


@dataclass
class CycleReport:
    """What one cycle did, stage by stage."""

    fetches: list[FetchReport] = field(default_factory=list)
    normalize: NormalizeReport | None = None
    dedup: DedupReport | None = None
    index: IndexReport | None = None
    publish: list[PublishReport] = field(default_factory=list)
    deliveries: list[DeliveryReport] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """A JSON-able summary."""
        return {
            "fetch": {f.partner: {"outcome": f.outcome, "fetched": f.fetched, "new": f.new,
                                  "updated": f.updated, "quarantined": f.quarantined,
                                  "closed": f.closed, "error": f.error} for f in self.fetches},
            "normalize": self.normalize.by_status if self.normalize else {},
            "dedup": {"offers": self.dedup.offers, "catalogue": self.dedup.clusters,
                      "merged": self.dedup.merged} if self.dedup else {},
            "publish": {p.partner: {"upserts": p.upserts, "deletes": p.deletes} for p in self.publish},
            "seconds": round(self.seconds, 2),
        }


def open_store(settings: Settings) -> Store:
    """The configured store, migrated to the latest schema."""
    store = Store(settings.database_url)
    store.migrate()
    for p in settings.partners:
        store.ensure_partner(p.name, p.connector)
    return store


def run_cycle(store: Store, settings: Settings, *, console: Console | None = None) -> CycleReport:
    """One full cycle over every configured partner."""
    started = time.monotonic()
    report = CycleReport()
    console = console or Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=not console.is_terminal) as progress:
        task = progress.add_task("fetch", total=len(settings.partners))
        for partner in settings.partners:
            progress.update(task, description=f"fetch {partner.name}")
            report.fetches.append(fetch_partner(store, settings, partner))
            progress.advance(task)
        norm = progress.add_task("normalise", total=None)
        report.normalize = normalize_pending(store, settings, on_batch=lambda n: progress.advance(norm, n))
        progress.update(norm, total=report.normalize.processed, completed=report.normalize.processed)
        progress.add_task("dedup", total=1)
        report.dedup = run_dedup(store, settings)
        report.index = index_catalogue(store, settings)
        report.publish = publish(store, settings)
        publish_cvs(store, settings)
        # Expiry, unanswered follow-ups, stale alerts and CV retention: the same pass the
        # scheduler runs; it re-propagates through dedup and publish only if something closed.
        run_lifecycle(store, settings)
        report.deliveries = deliver(store, settings)
    report.seconds = time.monotonic() - started
    log.info("cycle finished", extra=report.summary())
    return report
