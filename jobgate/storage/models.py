"""Database tables (SQLAlchemy 2 declarative). Migrations live in ``jobgate/migrations``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every jobgate table."""


class Partner(Base):
    """A configured partner and its operational flags."""

    __tablename__ = "partners"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    connector: Mapped[str] = mapped_column(String(32))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    api_key_hash: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FetchRun(Base):
    """One fetch of one partner: when, how it ended, what it counted."""

    __tablename__ = "fetch_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16), default="running")  # running|success|partial|failed
    complete: Mapped[bool] = mapped_column(Boolean, default=False)  # a full snapshot was read
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    http_errors: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)  # pages stored, each with its state saved
    requests: Mapped[int] = mapped_column(Integer, default=0)  # HTTP requests, retries included
    not_modified: Mapped[int] = mapped_column(Integer, default=0)  # 304 answers (conditional GET)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class RawRecord(Base):
    """A partner record exactly as fetched, keyed by (partner, external id)."""

    __tablename__ = "raw_records"
    __table_args__ = (UniqueConstraint("partner", "external_id", name="uq_raw_partner_ext"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(512))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    fields: Mapped[dict[str, Any]] = mapped_column(JsonType)
    content_hash: Mapped[str] = mapped_column(String(64))
    fetch_run_id: Mapped[int | None] = mapped_column(ForeignKey("fetch_runs.id"), nullable=True)
    seen_run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    gone: Mapped[bool] = mapped_column(Boolean, default=False)


class Quarantine(Base):
    """A record that could not be read, with the reason; replayable by operators."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner: Mapped[str] = mapped_column(String(64), index=True)
    external_id: Mapped[str | None] = mapped_column(String(512), nullable=True)
    fetch_run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    stage: Mapped[str] = mapped_column(String(16), default="fetch")  # fetch | normalize
    reason: Mapped[str] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payload: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)


class Offer(Base):
    """The canonical offer of one source record (status, ROME, certification, cluster)."""

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("partner", "external_id", name="uq_offer_partner_ext"),
        Index("ix_offers_cluster", "cluster_id"),
        Index("ix_offers_status", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raw_record_id: Mapped[int] = mapped_column(ForeignKey("raw_records.id"), unique=True)
    partner: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(512))
    content_hash: Mapped[str] = mapped_column(String(64))  # hash of the raw record normalised
    status: Mapped[str] = mapped_column(String(16))
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    title: Mapped[str] = mapped_column(Text)
    rome_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    departement: Mapped[str | None] = mapped_column(String(4), nullable=True)
    contract: Mapped[str | None] = mapped_column(String(32), nullable=True)
    certification: Mapped[str] = mapped_column(String(16), default="certified")
    public_service: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    cluster_id: Mapped[str | None] = mapped_column(ForeignKey("clusters.id"), nullable=True)
    dedup_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)  # data seen by dedup
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DedupKey(Base):
    """A blocking key of a published offer, so a new batch finds its candidates by index."""

    __tablename__ = "dedup_keys"
    __table_args__ = (Index("ix_dedup_keys_key", "key"),)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True)
    rule: Mapped[int] = mapped_column(Integer, primary_key=True)  # index of the rule in the model
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # stable 63-bit key


class OfferEvent(Base):
    """Lifecycle history of an offer: every status change with its reason."""

    __tablename__ = "offer_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    event: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Cluster(Base):
    """A catalogue offer: one job, carried by one or more source offers."""

    __tablename__ = "clusters"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | closed
    title: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    n_sources: Mapped[int] = mapped_column(Integer, default=1)
    rome_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    departement: Mapped[str | None] = mapped_column(String(4), nullable=True)
    contract: Mapped[str | None] = mapped_column(String(32), nullable=True)
    public_service: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Delivery(Base):
    """One item handed (or to hand) to a recipient partner: the delivery log."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("partner", "item_kind", "item_id", name="uq_delivery_item"),
        Index("ix_deliveries_partner_status", "partner", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner: Mapped[str] = mapped_column(String(64), index=True)
    item_kind: Mapped[str] = mapped_column(String(8), default="offer")  # offer | cv
    item_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(8), default="upsert")  # upsert | delete
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # pending | delivered | failed (4xx, kept with its reason) | failed-retrying | cancelled
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    idempotency_key: Mapped[str | None] = mapped_column(String(80), nullable=True)
    first_published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Push delivery: not retried before this instant (backoff, Retry-After). Migration 0005.
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CandidateCV(Base):
    """A candidate's CV as taken in (personal data; emptied on erasure). Migration 0005."""

    __tablename__ = "cvs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    visibility: Mapped[str] = mapped_column(String(16))  # named | anonymous
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ref_salt: Mapped[str] = mapped_column(String(32))  # derives each partner's opaque CV id
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_contact_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    erase_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)  # erasure | retention


class CvConsent(Base):
    """One consent decision of a candidate for one partner (append-only proof, CV-01)."""

    __tablename__ = "cv_consents"
    __table_args__ = (Index("ix_cv_consents_candidate_partner", "candidate_id", "partner"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String(64))
    partner: Mapped[str] = mapped_column(String(64))
    granted: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Disclosure(Base):
    """A CV copy sent to or withdrawn from a partner: who, what (no content), when (CV-04)."""

    __tablename__ = "disclosures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String(64), index=True)
    cv_id: Mapped[int] = mapped_column(Integer)
    partner: Mapped[str] = mapped_column(String(64))
    partner_ref: Mapped[str] = mapped_column(String(64))  # the CV id as that partner knows it
    action: Mapped[str] = mapped_column(String(16))  # sent | withdrawn
    visibility: Mapped[str | None] = mapped_column(String(16), nullable=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    channel: Mapped[str] = mapped_column(String(8))  # push | pull
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PartnerKey(Base):
    """A partner's API key, stored only as a SHA-256 of the whole key (never the key).

    ``prefix`` is the key's public id (the part before its secret), for look-up and
    for operators to name a key; ``revoked_at`` set means the key no longer opens
    anything.
    """

    __tablename__ = "partner_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    partner: Mapped[str] = mapped_column(String(64), index=True)
    key_hash: Mapped[str] = mapped_column(String(64))  # hex sha256 of the whole key
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ConnectorState(Base):
    """Incremental state per (partner, partition), advanced only after a commit."""

    __tablename__ = "connector_state"
    partner: Mapped[str] = mapped_column(String(64), primary_key=True)
    partition: Mapped[str] = mapped_column(String(128), primary_key=True, default="")
    state: Mapped[dict[str, Any]] = mapped_column(JsonType)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CatalogueSearch(Base):
    """Search index of the public catalogue: one narrow row per active catalogue offer.

    Kept in sync with :class:`Cluster` by :func:`jobgate.search.index_catalogue`.
    ``doc`` is the full-text document id (SQLite FTS5 rowid) and the sort key of
    search results (newest indexed first). Values come from the offer's *public*
    view, so nothing a diffusion mode hides can be searched for. On PostgreSQL the
    row also holds ``tsv`` (``to_tsvector('french', text)``, GIN-indexed, kept out of
    line), a column created by migration ``0009_search_perf`` and absent from this model.
    """

    __tablename__ = "catalogue_search"
    __table_args__ = (
        Index("ix_search_departement", "departement", "doc"),
        Index("ix_search_contract", "contract", "doc"),
        Index("ix_search_rome", "rome_code", "doc"),
        Index("ix_search_domain", "rome_domain", "doc"),
        Index("ix_search_insee", "insee"),
        Index("ix_search_city", "city"),
        Index("ix_search_lat", "latitude", "longitude"),
        Index("ix_search_since_cover", "published_at", "salary_yearly", "contract", "departement", "rome_domain"),
        Index("ix_search_cell", "cell", "doc", "latitude", "longitude"),
    )
    doc: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cluster_id: Mapped[str] = mapped_column(String(40), unique=True)
    cluster_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rome_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    rome_domain: Mapped[str | None] = mapped_column(String(1), nullable=True)
    departement: Mapped[str | None] = mapped_column(String(4), nullable=True)
    region: Mapped[str | None] = mapped_column(String(4), nullable=True)  # INSEE region code
    insee: Mapped[str | None] = mapped_column(String(8), nullable=True)
    city: Mapped[str | None] = mapped_column(String(128), nullable=True)  # folded
    contract: Mapped[str | None] = mapped_column(String(32), nullable=True)
    salary_yearly: Mapped[float | None] = mapped_column(Float, nullable=True)  # top of the yearly range
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    cell: Mapped[int | None] = mapped_column(Integer, nullable=True)  # jobgate.search.grid_cell
    public_service: Mapped[bool] = mapped_column(Boolean, default=False)
    direct_contact: Mapped[bool] = mapped_column(Boolean, default=False)  # nominatif, no preselection


class CatalogueText(Base):
    """The searchable text (accents folded) and the public summary of one indexed offer.

    SQLite: the content table of the FTS5 index ``catalogue_fts`` (kept in sync by
    triggers). PostgreSQL: the text's ``tsvector`` lives on :class:`CatalogueSearch`.
    """

    __tablename__ = "catalogue_text"
    doc: Mapped[int] = mapped_column(ForeignKey("catalogue_search.doc", ondelete="CASCADE"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    summary: Mapped[dict[str, Any]] = mapped_column(JsonType)


class CatalogueFacet(Base):
    """Pre-aggregated counts of the catalogue by contract, département and ROME domain.

    Rebuilt by :func:`jobgate.search.index_catalogue` whenever the index changes;
    answers the facets of searches filtered only on these dimensions. Missing
    values are stored as ``""``.
    """

    __tablename__ = "catalogue_facets"
    contract: Mapped[str] = mapped_column(String(32), primary_key=True)
    departement: Mapped[str] = mapped_column(String(4), primary_key=True)
    rome_domain: Mapped[str] = mapped_column(String(1), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class SireneCache(Base):
    """Answers of the recherche-entreprises API by SIRET (ID-02), kept for a TTL.

    ``found`` False caches a "no such establishment" answer too, so an unknown SIRET
    is not asked again on every run.
    """

    __tablename__ = "sirene_cache"
    siret: Mapped[str] = mapped_column(String(14), primary_key=True)
    found: Mapped[bool] = mapped_column(Boolean)
    etat: Mapped[str | None] = mapped_column(String(1), nullable=True)
    diffusion: Mapped[str | None] = mapped_column(String(1), nullable=True)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
