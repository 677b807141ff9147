"""The store: every stage reads and writes through this facade.

It hides SQLAlchemy sessions, batches writes, and keeps the invariants the
pipeline relies on: upserts keyed on (partner, external id) that skip unchanged
content by hash, closures only with a reason and a history entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    create_engine,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from jobgate.errors import StoreError
from jobgate.failpoints import failpoint
from jobgate.redaction import redact
from jobgate.schema import SourceRecord
from jobgate.storage.models import (
    Cluster,
    ConnectorState,
    FetchRun,
    Offer,
    OfferEvent,
    Partner,
    Quarantine,
    RawRecord,
    utcnow,
)
from jobgate.storage.rawbulk import (
    PreparedRecord,
    canonical_json,
    prepare_record,
    touch_prepared,
    upsert_prepared,
)

BATCH = 500
#: Outcome of a fetch run whose process died before recording how it ended.
INTERRUPTED = "interrupted"


def content_hash(payload: Any) -> str:
    """Stable SHA-256 of a JSON-able value (keys sorted)."""
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


@dataclass
class UpsertCounts:
    """What an upsert batch did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[int] = field(default_factory=list)

    def add(self, other: UpsertCounts) -> None:
        """Accumulate another batch's counts."""
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged


class Store:
    """Facade over the database used by every stage.

    Args:
        url: a SQLAlchemy URL (``sqlite:///path`` or ``postgresql+psycopg://...``).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        if url.startswith("sqlite:///") and not url.endswith(":memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            # hide_parameters: a failing statement's error never carries the values (CVs, keys)
            self.engine: Engine = create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(f"cannot open database {_redact(self.url)}: {exc}") from exc
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    # -- schema -----------------------------------------------------------
    def migrate(self) -> None:
        """Bring the schema to the latest Alembic revision (idempotent)."""
        from jobgate.storage.migrate import upgrade

        try:
            upgrade(self.engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot migrate database {_redact(self.url)}: {exc}") from exc

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success, rolled back on error."""
        s = self._sessions()
        try:
            yield s
            s.commit()
        except SQLAlchemyError as exc:
            s.rollback()
            raise StoreError(f"database error: {exc}") from exc
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # -- partners ---------------------------------------------------------
    def ensure_partner(self, name: str, connector: str) -> Partner:
        """Create the partner row if missing; return it."""
        with self.session() as s:
            p = s.scalar(select(Partner).where(Partner.name == name))
            if p is None:
                p = Partner(name=name, connector=connector)
                s.add(p)
            elif p.connector != connector:
                p.connector = connector
            return p

    def set_paused(self, name: str, paused: bool) -> None:
        """Pause or resume a partner."""
        with self.session() as s:
            s.execute(update(Partner).where(Partner.name == name).values(paused=paused))

    def is_paused(self, name: str) -> bool:
        """Whether an operator paused this partner."""
        with self.session() as s:
            return bool(s.scalar(select(Partner.paused).where(Partner.name == name)))

    # -- fetch runs -------------------------------------------------------
    def start_run(self, partner: str) -> int:
        """Record the start of a fetch run; returns its id.

        A run of this partner still marked ``running`` was killed (one fetch of a
        partner runs at a time): it is closed as ``interrupted``, so it is neither
        shown as running forever nor left out of the partner's error rate.
        """
        with self.session() as s:
            s.execute(update(FetchRun).where(FetchRun.partner == partner, FetchRun.outcome == "running")
                      .values(outcome=INTERRUPTED, finished_at=utcnow(),
                              error="the process stopped before the run finished (killed or crashed)"))
            run = FetchRun(partner=partner)
            s.add(run)
            s.flush()
            return run.id

    def finish_run(self, run_id: int, **values: Any) -> None:
        """Record how a fetch run ended (outcome, counts, error...)."""
        with self.session() as s:
            run = s.get(FetchRun, run_id)
            if run is None:
                raise StoreError(f"no fetch run {run_id}")
            run.finished_at = utcnow()
            started = run.started_at
            if started.tzinfo is None:
                started = started.replace(tzinfo=run.finished_at.tzinfo)
            run.duration_s = (run.finished_at - started).total_seconds()
            for k, v in values.items():
                setattr(run, k, redact(v) if k == "error" and isinstance(v, str) else v)

    def runs(self, partner: str | None = None, limit: int = 50) -> list[FetchRun]:
        """Latest fetch runs, newest first."""
        with self.session() as s:
            q = select(FetchRun).order_by(FetchRun.id.desc()).limit(limit)
            if partner:
                q = q.where(FetchRun.partner == partner)
            return list(s.scalars(q))

    # -- raw records ------------------------------------------------------
    def upsert_raw(self, run_id: int, records: Sequence[SourceRecord]) -> UpsertCounts:
        """Store a batch of records; idempotent on (partner, external id), hash-skipping.

        A record seen again with the same content only has ``last_seen`` and
        ``seen_run_id`` touched; a changed one is updated; a new one inserted.
        A record marked gone by an earlier snapshot comes back when seen again.
        Each payload is serialised once: the canonical JSON that is hashed is
        the JSON stored (see :mod:`jobgate.storage.rawbulk`).
        """
        return self.upsert_prepared(run_id, [prepare_record(r) for r in records])

    def upsert_prepared(self, run_id: int, records: Sequence[PreparedRecord]) -> UpsertCounts:
        """:meth:`upsert_raw` for records already serialised and hashed (one transaction)."""
        if not records:
            return UpsertCounts()
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        try:
            with self.engine.begin() as conn:
                c = upsert_prepared(conn, run_id, records, utcnow())
        except (SQLAlchemyError, dbapi_error) as exc:
            raise StoreError(f"database error: {exc}") from exc
        return UpsertCounts(new=c.new, updated=c.updated, unchanged=c.unchanged)

    def touch_raw(self, partner: str, run_id: int, external_ids: Sequence[str]) -> int:
        """Mark live records as seen by ``run_id`` without re-reading them; returns how many."""
        if not external_ids:
            return 0
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        try:
            with self.engine.begin() as conn:
                return touch_prepared(conn, partner, run_id, list(dict.fromkeys(external_ids)), utcnow())
        except (SQLAlchemyError, dbapi_error) as exc:
            raise StoreError(f"database error: {exc}") from exc

    def mark_gone_except_run(self, partner: str, run_id: int) -> list[str]:
        """After a complete snapshot: mark records not seen by ``run_id`` as gone.

        Returns the external ids newly marked gone. Callers must only call this
        for a complete, non-suspicious snapshot.
        """
        with self.session() as s:
            rows = list(
                s.scalars(
                    select(RawRecord).where(
                        RawRecord.partner == partner,
                        RawRecord.gone.is_(False),
                        (RawRecord.seen_run_id != run_id) | RawRecord.seen_run_id.is_(None),
                    )
                )
            )
            for row in rows:
                row.gone = True
            return [r.external_id for r in rows]

    def mark_seen(self, partner: str, external_ids: Sequence[str], run_id: int) -> int:
        """Count live records as seen by ``run_id`` without changing them (a quarantined new version).

        The partner still lists them: a snapshot must not close them because
        this run could not read their new content.
        """
        if not external_ids:
            return 0
        table: Any = RawRecord.__table__
        c = table.c
        with self.session() as s:
            result = s.execute(update(table).where(
                c.partner == partner, c.external_id.in_(list(external_ids)), c.gone.is_(False),
            ).values(seen_run_id=run_id))
            return int(getattr(result, "rowcount", 0) or 0)

    def count_seen(self, partner: str, run_id: int) -> int:
        """How many distinct records of this partner the run ``run_id`` stored or saw."""
        with self.session() as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(RawRecord)
                    .where(RawRecord.partner == partner, RawRecord.seen_run_id == run_id)
                )
                or 0
            )

    def count_live_raw(self, partner: str) -> int:
        """How many records of this partner are not gone."""
        with self.session() as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(RawRecord)
                    .where(RawRecord.partner == partner, RawRecord.gone.is_(False))
                )
                or 0
            )

    def raw_to_normalize(self, partner: str | None = None, batch: int = BATCH) -> Iterator[list[RawRecord]]:
        """Batches of raw records whose offer is missing or stale (hash differs), or gone."""
        last_id = 0
        while True:
            with self.session() as s:
                q = (
                    select(RawRecord)
                    .outerjoin(Offer, Offer.raw_record_id == RawRecord.id)
                    .where(
                        RawRecord.id > last_id,
                        (Offer.id.is_(None))
                        | (Offer.content_hash != RawRecord.content_hash)
                        | (RawRecord.gone & (Offer.status != "closed"))
                        | (RawRecord.gone.is_(False) & (Offer.status == "closed")
                           & (Offer.status_reason == "gone from partner snapshot")),
                    )
                    .order_by(RawRecord.id)
                    .limit(batch)
                )
                if partner:
                    q = q.where(RawRecord.partner == partner)
                rows = list(s.scalars(q))
            if not rows:
                return
            last_id = rows[-1].id
            yield rows

    # -- quarantine -------------------------------------------------------
    def quarantine(
        self,
        partner: str,
        external_id: str | None,
        reason: str,
        *,
        field: str | None = None,
        payload: str | None = None,
        run_id: int | None = None,
        stage: str = "fetch",
    ) -> None:
        """Keep a record that could not be read, with its reason.

        Idempotent: the same record failing the same way again (a re-read feed, a
        batch redone after a crash) refreshes the open entry instead of adding one.
        """
        payload = payload[:1_000_000] if payload else None
        with self.session() as s:
            same = s.scalar(select(Quarantine).where(
                Quarantine.partner == partner, Quarantine.external_id.is_not_distinct_from(external_id),
                Quarantine.stage == stage, Quarantine.reason == reason,
                Quarantine.field.is_not_distinct_from(field), Quarantine.payload.is_not_distinct_from(payload),
                Quarantine.resolved.is_(False),
            ).limit(1))
            if same is not None:
                same.fetch_run_id = run_id
                return
            s.add(
                Quarantine(
                    partner=partner,
                    external_id=external_id,
                    reason=reason,
                    field=field,
                    payload=_cap(payload),
                    fetch_run_id=run_id,
                    stage=stage,
                )
            )

    def quarantined(self, partner: str | None = None, include_resolved: bool = False) -> list[Quarantine]:
        """Quarantined records, newest first."""
        with self.session() as s:
            q = select(Quarantine).order_by(Quarantine.id.desc())
            if partner:
                q = q.where(Quarantine.partner == partner)
            if not include_resolved:
                q = q.where(Quarantine.resolved.is_(False))
            return list(s.scalars(q))

    # -- offers -----------------------------------------------------------
    def save_offers(self, items: Iterable[tuple[RawRecord, dict[str, Any], str, str | None]]) -> int:
        """Write canonical offers: (raw row, canonical data, status, reason) tuples.

        A status change adds a history entry. Returns how many offers were written.
        """
        rows = list(items)
        now = utcnow()
        with self.session() as s:
            # One read for the whole batch and one flush for its new offers (not a
            # SELECT and a flush per record): the normalize stage writes in batches.
            existing: dict[int, Offer] = {}
            ids = sorted({raw.id for raw, _, _, _ in rows})
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                existing.update((o.raw_record_id, o) for o in s.scalars(select(Offer).where(Offer.raw_record_id.in_(chunk))))
            created: list[tuple[Offer, str, str | None]] = []
            for raw, data, status, reason in rows:
                offer = existing.get(raw.id)
                cols = _offer_columns(data)
                if offer is None:
                    offer = Offer(
                        raw_record_id=raw.id,
                        partner=raw.partner,
                        external_id=raw.external_id,
                        content_hash=raw.content_hash,
                        status=status,
                        status_reason=reason,
                        data=data,
                        created_at=now,
                        updated_at=now,
                        **cols,
                    )
                    s.add(offer)
                    existing[raw.id] = offer
                    created.append((offer, status, reason))
                else:
                    if offer.status != status:
                        if offer.id is None:  # created earlier in this batch
                            s.flush()
                        s.add(OfferEvent(offer_id=offer.id, at=now, event=status, reason=reason))
                    offer.status = status
                    offer.status_reason = reason
                    offer.content_hash = raw.content_hash
                    offer.data = data
                    offer.updated_at = now
                    for k, v in cols.items():
                        setattr(offer, k, v)
            if created:
                s.flush()
                s.add_all(OfferEvent(offer_id=o.id, at=now, event=st, reason=r) for o, st, r in created)
            s.flush()
            failpoint("normalize.before_commit")
        return len(rows)

    def close_offers(self, offer_ids: Sequence[int], reason: str, *, event: str = "closed") -> int:
        """Close open offers with a reason and a history entry each; returns how many changed.

        Offers already closed are left untouched (idempotent).
        """
        now = utcnow()
        n = 0
        with self.session() as s:
            for i in range(0, len(offer_ids), BATCH):
                part = list(offer_ids[i:i + BATCH])
                for offer in s.scalars(select(Offer).where(Offer.id.in_(part), Offer.status != "closed")):
                    offer.status = "closed"
                    offer.status_reason = reason
                    offer.updated_at = now
                    data = dict(offer.data)
                    data["status"], data["status_reason"] = "closed", reason
                    offer.data = data
                    s.add(OfferEvent(offer_id=offer.id, at=now, event=event, reason=reason))
                    n += 1
        return n

    def add_event(self, offer_id: int, event: str, reason: str | None = None) -> None:
        """Append a history entry to an offer (alerts, operator notes)."""
        with self.session() as s:
            s.add(OfferEvent(offer_id=offer_id, event=event, reason=reason))

    def offers_for_dedup(self) -> list[Offer]:
        """Every offer, with its cluster (dedup decides which take part)."""
        with self.session() as s:
            return list(s.scalars(select(Offer).order_by(Offer.id)))

    def history(self, offer_id: int) -> list[OfferEvent]:
        """An offer's lifecycle events, oldest first."""
        with self.session() as s:
            return list(
                s.scalars(select(OfferEvent).where(OfferEvent.offer_id == offer_id).order_by(OfferEvent.id))
            )

    def iter_offers(self, batch: int = BATCH) -> Iterator[Offer]:
        """Every source offer, by id, in batches (bounded memory)."""
        last = 0
        while True:
            with self.session() as s:
                rows = list(s.scalars(select(Offer).where(Offer.id > last).order_by(Offer.id).limit(batch)))
            if not rows:
                return
            yield from rows
            last = rows[-1].id

    def iter_clusters(self, status: str | None = "active", batch: int = BATCH) -> Iterator[Cluster]:
        """Catalogue offers, by id, in batches."""
        last = ""
        while True:
            with self.session() as s:
                q = select(Cluster).where(Cluster.id > last).order_by(Cluster.id).limit(batch)
                if status:
                    q = q.where(Cluster.status == status)
                rows = list(s.scalars(q))
            if not rows:
                return
            yield from rows
            last = rows[-1].id

    def cluster_sources(self, cluster_ids: Sequence[str]) -> dict[str, list[Offer]]:
        """Source offers of each cluster (open ones first)."""
        out: dict[str, list[Offer]] = {c: [] for c in cluster_ids}
        if not cluster_ids:
            return out
        with self.session() as s:
            for o in s.scalars(select(Offer).where(Offer.cluster_id.in_(list(cluster_ids))).order_by(Offer.id)):
                if o.cluster_id is not None:
                    out[o.cluster_id].append(o)
        return out

    def get_cluster(self, cluster_id: str) -> Cluster | None:
        """One catalogue offer."""
        with self.session() as s:
            return s.get(Cluster, cluster_id)

    # -- connector state --------------------------------------------------
    def get_state(self, partner: str, partition: str = "") -> dict[str, Any]:
        """Incremental state of (partner, partition), empty if none."""
        with self.session() as s:
            row = s.get(ConnectorState, (partner, partition))
            return dict(row.state) if row else {}

    def set_state(self, partner: str, partition: str, state: dict[str, Any]) -> None:
        """Save incremental state; call only after the data it covers is stored."""
        with self.session() as s:
            row = s.get(ConnectorState, (partner, partition))
            if row is None:
                s.add(ConnectorState(partner=partner, partition=partition, state=state))
            else:
                row.state = state
                row.updated_at = utcnow()


    def clear_state(self, partner: str, keep: str | None = None) -> int:
        """Delete a partner's incremental state (all partitions but ``keep``); returns how many."""
        with self.session() as s:
            q = delete(ConnectorState).where(ConnectorState.partner == partner)
            if keep is not None:
                q = q.where(ConnectorState.partition != keep)
            return int(s.execute(q).rowcount or 0)  # type: ignore[attr-defined]


#: Longest payload kept in the quarantine (a 50 MB hostile record is kept cut, and says so).
QUARANTINE_PAYLOAD_CHARS = 1_000_000


def _cap(payload: str | None) -> str | None:
    if payload is None or len(payload) <= QUARANTINE_PAYLOAD_CHARS:
        return payload
    return payload[:QUARANTINE_PAYLOAD_CHARS] + f"... [cut: {len(payload)} characters in all]"


def _offer_columns(data: dict[str, Any]) -> dict[str, Any]:
    """Indexed columns denormalised from canonical offer data."""
    rome = data.get("rome") or {}
    place = data.get("place") or {}
    contract = data.get("contract") or {}
    dates = data.get("dates") or {}
    cert = data.get("certification") or {}
    return {
        "title": data.get("title") or "",
        "rome_code": rome.get("code"),
        "departement": place.get("departement"),
        "contract": contract.get("type"),
        "certification": cert.get("status", "certified"),
        "public_service": bool(data.get("public_service")),
        "published_at": _dt(dates.get("published")),
        "expires_at": _dt(dates.get("expires")),
    }


def _dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _redact(url: str) -> str:
    """A database URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
