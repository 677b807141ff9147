"""Running a partner fetch: pages, store in batches, save state, quarantine, record the run.

The connector yields :class:`~connectors.base.Page` values; the runner stores
each page's records and only then saves that page's state for its partition,
so a run killed halfway resumes without gap (and, the store being keyed on
(partner, external id), without duplicate).

Within one page (one document) an external id counts once: the first
occurrence is stored, every later one quarantined as a duplicate (deterministic
whatever the batch size). A record quarantined under an id the store already
holds still counts as seen, so a snapshot never closes an offer only because its
new version could not be read.

Snapshot rule: only a complete read of a partner that publishes full snapshots
(or the periodic full read of an incremental partner) may mark records as
gone, and a sudden drop to zero or near zero is held as suspicious instead of
applied. A 304 (conditional GET) ends the run as
"unchanged": complete, nothing re-read, nothing closed. A resumed or
incremental run is never a snapshot.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from connectors.base import FetchContext, Page
from connectors.parallel import can_fork, prepared_batches
from connectors.registry import build_connector
from jobgate.config import PartnerSettings, Settings
from jobgate.errors import JobgateError, PartnerError, RecordError
from jobgate.failpoints import failpoint
from jobgate.schema import SourceRecord
from jobgate.storage import Store
from jobgate.storage.store import UpsertCounts

log = logging.getLogger("jobgate.connectors")
BATCH = 2000
#: A snapshot below this share of the live records (with at least SUSPICIOUS_MIN live) is suspicious.
SUSPICIOUS_RATIO = 0.2
SUSPICIOUS_MIN = 20


@dataclass
class FetchReport:
    """What one fetch did (mirrors the fetch run row)."""

    partner: str
    run_id: int | None = None
    outcome: str = "running"
    complete: bool = False
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    closed: int = 0
    bytes: int = 0
    http_errors: int = 0
    pages: int = 0  # pages stored (each with its state saved)
    requests: int = 0  # HTTP requests, retries included
    not_modified: int = 0  # 304 answers
    error: str | None = None
    gone: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        """Counters to store on the fetch run."""
        return {
            k: getattr(self, k)
            for k in ("outcome", "complete", "fetched", "new", "updated", "unchanged", "quarantined",
                      "closed", "bytes", "http_errors", "pages", "requests", "not_modified", "error")
        }


def fetch_partner(store: Store, settings: Settings, partner: PartnerSettings) -> FetchReport:
    """Fetch one partner into the raw store; never raises for partner faults."""
    report = FetchReport(partner=partner.name)
    store.ensure_partner(partner.name, partner.connector)
    if store.is_paused(partner.name) or not partner.enabled:
        report.outcome = "paused"
        return report
    run_id = store.start_run(partner.name)
    report.run_id = run_id
    ctx: FetchContext | None = None
    try:
        connector = build_connector(partner)
        location = settings.resolve_source(partner)
        ctx = FetchContext(
            partner=partner,
            location=location,
            get_state=lambda partition: store.get_state(partner.name, partition),
            limits=connector.limits(),
            session_factory=lambda: connector.make_session(location),
        )
        all_unchanged = True
        for page in connector.pages(ctx):
            if page.unchanged:
                report.not_modified += 1
                continue
            all_unchanged = False
            _store_page(store, run_id, page, ctx, report)
            if page.seen:
                report.unchanged += store.touch_raw(partner.name, run_id, page.seen)
            failpoint("fetch.before_state")
            if page.state is not None:
                store.set_state(partner.name, page.partition, page.state)
            if page.reset_other_partitions:
                store.clear_state(partner.name, keep=page.partition)
            report.pages += 1
            failpoint("fetch.after_page")
        report.complete = not ctx.partial
        report.outcome = "unchanged" if all_unchanged and report.not_modified else "success"
    except PartnerError as exc:
        report.outcome = "failed"
        report.error = exc.reason
        log.warning("fetch failed", extra={"partner": partner.name, "error": exc.reason})
    except JobgateError as exc:
        report.outcome = "failed"
        report.error = str(exc)
    finally:
        if ctx is not None:
            report.bytes, report.requests, report.http_errors = ctx.bytes, ctx.requests, ctx.http_errors
            if ctx._session is not None:
                report.bytes += ctx.session.bytes
                report.http_errors += ctx.session.http_errors
                report.requests += ctx.session.requests
            ctx.close()
    full_read = partner.snapshot or (ctx is not None and ctx.full_snapshot)
    if report.complete and full_read and report.outcome == "success":
        _apply_snapshot(store, partner, run_id, store.count_seen(partner.name, run_id), report)
    store.finish_run(run_id, **report.counts())
    log.info("fetch finished", extra={"partner": partner.name, **report.counts()})
    return report


def _store_page(store: Store, run_id: int, page: Page, ctx: FetchContext, report: FetchReport) -> None:
    """Store one page's records in batches, quarantining bad ones and repeated ids.

    A forkable page (a local file) is read by a forked producer while this
    process writes (``options.parallel = false`` turns it off). Either way an
    external id counts once per page: the first occurrence is kept.
    """
    first: dict[str, int] = {}  # external id -> position of its first occurrence in the page
    if page.forkable and ctx.partner.options.get("parallel", True) and can_fork():
        position = 0
        for prepared, errors in prepared_batches(page.items, ctx, BATCH):
            for err in errors:
                _quarantine(store, run_id, err)
            report.quarantined += len(errors)
            kept = []
            for rec in prepared:
                position += 1
                if rec.external_id in first:
                    dup = RecordError(rec.partner, rec.external_id,
                                      f"duplicate id in one feed: record #{first[rec.external_id]} with this id is kept, this one is not",
                                      field="external_id")
                    dup.payload = rec.payload
                    _quarantine(store, run_id, dup)
                    report.quarantined += 1
                    continue
                first[rec.external_id] = position
                kept.append(rec)
            report.fetched += len(kept)
            _count(report, store.upsert_prepared(run_id, kept))
        return
    batch: list[SourceRecord] = []
    for position, item in enumerate(page.items, 1):
        if isinstance(item, SourceRecord) and item.external_id in first:
            item = _duplicate(item, first[item.external_id])
        if isinstance(item, RecordError):
            _quarantine(store, run_id, item)
            report.quarantined += 1
            continue
        first[item.external_id] = position
        report.fetched += 1
        batch.append(item)
        if len(batch) >= BATCH:
            _flush(store, run_id, batch, report)
    _flush(store, run_id, batch, report)


def _duplicate(record: SourceRecord, first: int) -> RecordError:
    """A later occurrence of an id in one document: quarantined, the first one is kept."""
    err = RecordError(record.partner, record.external_id,
                      f"duplicate id in one feed: record #{first} with this id is kept, this one is not",
                      field="external_id")
    err.payload = json.dumps(record.payload, ensure_ascii=False, default=str)
    return err


def _apply_snapshot(store: Store, partner: PartnerSettings, run_id: int, seen: int, report: FetchReport) -> None:
    live = store.count_live_raw(partner.name)
    # ``live`` counts what this run saw plus what it did not: the records at stake.
    missing = live - seen
    if missing <= 0:
        return
    if seen == 0 or (live >= SUSPICIOUS_MIN and seen < SUSPICIOUS_RATIO * live):
        report.outcome = "suspicious"
        report.error = (
            f"snapshot has {seen} offers where {live} were live: held as suspicious, "
            "nothing closed"
        )
        return
    report.gone = store.mark_gone_except_run(partner.name, run_id)
    report.closed = len(report.gone)


def _flush(store: Store, run_id: int, batch: list[SourceRecord], report: FetchReport) -> None:
    if not batch:
        return
    _count(report, store.upsert_raw(run_id, batch))
    batch.clear()


def _count(report: FetchReport, counts: UpsertCounts) -> None:
    report.new += counts.new
    report.updated += counts.updated
    report.unchanged += counts.unchanged


def _quarantine(store: Store, run_id: int, err: RecordError) -> None:
    store.quarantine(err.partner, err.external_id, err.reason, field=err.field,
                     payload=err.payload, run_id=run_id, stage="fetch")
    if err.external_id:
        store.mark_seen(err.partner, [err.external_id], run_id)


def fetch_all(store: Store, settings: Settings) -> list[FetchReport]:
    """Fetch every enabled partner; one partner's failure never stops the others."""
    return [fetch_partner(store, settings, p) for p in settings.partners]
