"""Connector health: one state per partner, from its fetch runs and operator flags.

States, checked in this order:

``paused``
    an operator paused the partner (``Partner.paused``) or the configuration
    disables it (``enabled = false``): it is not fetched, on purpose.
``failing``
    its latest finished fetch run ended ``failed`` or ``suspicious`` (a snapshot
    so small it was held instead of applied), or quarantined records (the
    reason names the first one: record, field, why).
``late``
    no successful fetch within twice its schedule (``2 × schedule_minutes``):
    counted from the last success, or from when the partner was first
    registered if it never succeeded.
``healthy``
    otherwise.

Alongside the state: last success, last error, lag behind schedule (how long
ago the next fetch was due, ``now − (last success + schedule)``, never
negative), error rate over the latest ``[scheduler] health_runs`` finished runs
(failed or suspicious), unresolved quarantined records, and records per run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from jobgate.config import Settings
from jobgate.storage import Store
from jobgate.storage.models import FetchRun, Partner, Quarantine

HEALTHY, LATE, FAILING, PAUSED = "healthy", "late", "failing", "paused"
STATES = (HEALTHY, LATE, FAILING, PAUSED)
BAD_OUTCOMES = ("failed", "suspicious", "interrupted")  # interrupted: the process died mid-run


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@dataclass
class PartnerHealth:
    """The health of one partner's connector."""

    partner: str
    state: str
    reason: str
    schedule_minutes: int | float
    last_run_at: datetime | None = None
    last_outcome: str | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    lag_seconds: float = 0.0
    error_rate: float = 0.0
    runs_considered: int = 0
    quarantined: int = 0
    records_per_run: list[tuple[datetime, int]] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """Whether the state is ``healthy``."""
        return self.state == HEALTHY

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""

        def iso(d: datetime | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "partner": self.partner,
            "state": self.state,
            "reason": self.reason,
            "schedule_minutes": self.schedule_minutes,
            "last_run_at": iso(self.last_run_at),
            "last_outcome": self.last_outcome,
            "last_success_at": iso(self.last_success_at),
            "last_error": self.last_error,
            "lag_seconds": round(self.lag_seconds, 1),
            "error_rate": round(self.error_rate, 4),
            "runs_considered": self.runs_considered,
            "quarantined": self.quarantined,
            "records_per_run": [{"at": iso(at), "fetched": n} for at, n in self.records_per_run],
        }


def partner_health(store: Store, settings: Settings, *, now: datetime | None = None) -> list[PartnerHealth]:
    """The health of every configured partner, in configuration order."""
    now = now or datetime.now(UTC)
    window = settings.scheduler.health_runs
    with store.session() as s:
        partners = {p.name: p for p in s.scalars(select(Partner))}
        quarantined = dict(s.execute(
            select(Quarantine.partner, func.count()).where(Quarantine.resolved.is_(False))
            .group_by(Quarantine.partner)
        ).all())
        last_success = dict(s.execute(
            select(FetchRun.partner, func.max(FetchRun.started_at)).where(FetchRun.outcome == "success")
            .group_by(FetchRun.partner)
        ).all())
    out = []
    for p in settings.partners:
        row = partners.get(p.name)
        runs = [r for r in store.runs(p.name, limit=window + 1) if r.outcome != "running"][:window]
        h = PartnerHealth(partner=p.name, state=HEALTHY, reason="", schedule_minutes=p.schedule_minutes,
                          quarantined=int(quarantined.get(p.name, 0)))
        h.runs_considered = len(runs)
        if runs:
            last = runs[0]
            h.last_run_at, h.last_outcome = _aware(last.started_at), last.outcome
            h.error_rate = sum(r.outcome in BAD_OUTCOMES for r in runs) / len(runs)
            h.last_error = next((r.error for r in runs if r.error), None)
            h.records_per_run = [(_aware(r.started_at) or now, r.fetched) for r in reversed(runs)]
        h.last_success_at = _aware(last_success.get(p.name))
        schedule = timedelta(minutes=p.schedule_minutes)
        since = h.last_success_at or _aware(row.created_at if row else None) or now
        h.lag_seconds = max(0.0, (now - (since + schedule)).total_seconds())
        if (row is not None and row.paused) or not p.enabled:
            h.state = PAUSED
            h.reason = "paused by an operator" if row is not None and row.paused else "disabled in the configuration"
        elif runs and runs[0].outcome in BAD_OUTCOMES:
            h.state = FAILING
            h.reason = f"last fetch {runs[0].outcome}: {runs[0].error or 'no detail'}"
        elif runs and runs[0].quarantined:
            h.state = FAILING
            h.reason = _quarantine_reason(store, runs[0])
        elif now - since > 2 * schedule:
            h.state = LATE
            what = "no successful fetch" + ("" if h.last_success_at else " ever")
            h.reason = f"{what} within 2 × {p.schedule_minutes:g} min"
        out.append(h)
    return out


def _quarantine_reason(store: Store, run: FetchRun) -> str:
    """``last fetch quarantined N record(s): record 'X', field 'f': why`` (the run's first one)."""
    with store.session() as s:
        first = s.scalars(select(Quarantine).where(Quarantine.fetch_run_id == run.id)
                          .order_by(Quarantine.id).limit(1)).first()
    what = f"last fetch quarantined {run.quarantined} record{'s' if run.quarantined > 1 else ''}"
    if first is None:
        return what
    where = f"record {first.external_id!r}" if first.external_id else "a record"
    if first.field:
        where += f", field {first.field!r}"
    return f"{what}, first {where}: {first.reason}"


def format_text(report: list[PartnerHealth]) -> str:
    """A fixed-width table, then one line per partner that is not healthy."""
    head = f"{'partner':<28} {'state':<8} {'last success':<20} {'lag':>8} {'errors':>7} {'quar.':>6} last error"
    lines = [head]
    for h in report:
        last = h.last_success_at.strftime("%Y-%m-%d %H:%M:%S") if h.last_success_at else "never"
        lag = f"{int(h.lag_seconds // 60)}m"
        err = (h.last_error or "").replace("\n", " ")[:80]
        lines.append(f"{h.partner:<28} {h.state:<8} {last:<20} {lag:>8} {h.error_rate:>6.0%} {h.quarantined:>6} {err}")
    bad = [h for h in report if not h.healthy]
    lines.append("")
    if not bad:
        lines.append(f"all {len(report)} partners healthy")
    for h in bad:
        lines.append(f"{h.state.upper()} {h.partner}: {h.reason}"
                     + (f" (last error: {h.last_error})" if h.last_error and h.last_error not in h.reason else ""))
    return "\n".join(lines)
