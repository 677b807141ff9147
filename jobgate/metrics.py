"""Prometheus metrics, read from the store at each scrape (``/metrics``).

Nothing is counted in process memory: API replicas and workers all agree
because every value comes from the database (fetch runs, quarantine,
catalogue, delivery log).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from jobgate.config import Settings
from jobgate.health import STATES, partner_health
from jobgate.storage import Store
from jobgate.storage.models import Cluster, Delivery, FetchRun, Offer, Quarantine


class StoreCollector(Collector):
    """Collects jobgate's metrics from the store on each scrape.

    Args:
        store: the store to read.
        settings: the configuration (partners, schedules).
    """

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        """Yield every metric family."""
        now = datetime.now(UTC)
        runs = CounterMetricFamily("jobgate_fetch_runs", "Finished fetch runs by partner and outcome",
                                   labels=["partner", "outcome"])
        records = CounterMetricFamily("jobgate_fetch_records", "Records read by fetch runs", labels=["partner"])
        quarantined_runs = CounterMetricFamily("jobgate_fetch_quarantined_records",
                                               "Records quarantined by fetch runs", labels=["partner"])
        per_partner: dict[str, list[int]] = {}
        with self.store.session() as s:
            for partner, outcome, n, fetched, quar in s.execute(
                select(FetchRun.partner, FetchRun.outcome, func.count(), func.sum(FetchRun.fetched),
                       func.sum(FetchRun.quarantined))
                .where(FetchRun.outcome != "running").group_by(FetchRun.partner, FetchRun.outcome)
            ):
                runs.add_metric([partner, outcome], int(n))
                acc = per_partner.setdefault(partner, [0, 0])
                acc[0] += int(fetched or 0)
                acc[1] += int(quar or 0)
            catalogue = int(s.scalar(select(func.count()).select_from(Cluster).where(Cluster.status == "active"))
                            or 0)
            by_status = s.execute(select(Offer.status, func.count()).group_by(Offer.status)).all()
            quarantine = s.execute(
                select(Quarantine.partner, Quarantine.stage, func.count()).where(Quarantine.resolved.is_(False))
                .group_by(Quarantine.partner, Quarantine.stage)
            ).all()
            pending = s.execute(
                select(Delivery.partner, func.count()).where(Delivery.status == "pending").group_by(Delivery.partner)
            ).all()
        for partner, (fetched_total, quar_total) in sorted(per_partner.items()):
            records.add_metric([partner], fetched_total)
            quarantined_runs.add_metric([partner], quar_total)
        yield runs
        yield records
        yield quarantined_runs

        state = GaugeMetricFamily("jobgate_partner_state", "1 for the partner's current health state",
                                  labels=["partner", "state"])
        last_success = GaugeMetricFamily("jobgate_fetch_last_success_timestamp_seconds",
                                         "Start of the partner's last successful fetch (Unix time)",
                                         labels=["partner"])
        last_records = GaugeMetricFamily("jobgate_fetch_last_run_records", "Records read by the latest fetch run",
                                         labels=["partner"])
        lag = GaugeMetricFamily("jobgate_partner_lag_seconds", "How long ago the next fetch was due",
                                labels=["partner"])
        err = GaugeMetricFamily("jobgate_partner_error_rate", "Share of failed or suspicious latest runs",
                                labels=["partner"])
        for h in partner_health(self.store, self.settings, now=now):
            for st in STATES:
                state.add_metric([h.partner, st], 1.0 if h.state == st else 0.0)
            if h.last_success_at:
                last_success.add_metric([h.partner], h.last_success_at.timestamp())
            if h.records_per_run:
                last_records.add_metric([h.partner], h.records_per_run[-1][1])
            lag.add_metric([h.partner], h.lag_seconds)
            err.add_metric([h.partner], h.error_rate)
        yield from (state, last_success, last_records, lag, err)

        cat = GaugeMetricFamily("jobgate_catalogue_offers", "Active catalogue offers (one per job)")
        cat.add_metric([], catalogue)
        yield cat
        offers = GaugeMetricFamily("jobgate_source_offers", "Source offers by status", labels=["status"])
        for status, n in by_status:
            offers.add_metric([status], int(n))
        yield offers
        q = GaugeMetricFamily("jobgate_quarantine_records", "Unresolved quarantined records",
                              labels=["partner", "stage"])
        for partner, stage, n in quarantine:
            q.add_metric([partner, stage], int(n))
        yield q
        d = GaugeMetricFamily("jobgate_deliveries_pending", "Delivery log items not yet delivered",
                              labels=["partner"])
        for partner, n in pending:
            d.add_metric([partner], int(n))
        yield d


def render_metrics(store: Store, settings: Settings) -> bytes:
    """The Prometheus text exposition of every jobgate metric."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(store, settings))
    return generate_latest(registry)
