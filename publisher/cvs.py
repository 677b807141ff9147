"""CVs in the store: intake, consent, syndication, withdrawal, erasure, retention, audit.

* :func:`intake_cvs` / :func:`save_cv` take CVs in (JSON lines or one :class:`~publisher.cv.CV`
  from an API); a bad line is quarantined (``partner = "cv-intake"``, ``stage = "cv"``) with
  its line number and field. NIRs and bank details are masked before anything is stored.
* Consents are append-only (:class:`~jobgate.storage.models.CvConsent`, the proof CV-01
  asks for); the latest decision per (candidate, partner) wins.
* :func:`publish_cvs` keeps the delivery log (``Delivery`` rows with ``item_kind = "cv"``) in
  step: a partner whose ``receives`` has ``"cvs"`` and that the candidate consented to gets
  the CV in the visibility the candidate chose (:func:`~publisher.cv_redact.shared_cv`);
  when consent is withdrawn, the CV erased (:func:`erase_cv`) or past retention
  (:func:`purge_cvs`), every partner that may have it gets a withdrawal (DELETE on push, a
  tombstone in :func:`cv_feed`); a copy never sent is just cancelled.
* Every copy that leaves, and every withdrawal, is logged in ``disclosures`` (partner, CV,
  visibility, content hash, channel, time; never the content): :func:`disclosures`.

Each partner knows a CV by an opaque id (:func:`partner_ref`): an HMAC of the partner's
name keyed by a random per-CV salt, so two partners cannot link their copies by id.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from jobgate.config import PartnerSettings, Settings
from jobgate.storage import Store, content_hash
from jobgate.storage.models import CandidateCV, CvConsent, Delivery, Disclosure, Quarantine, utcnow
from publisher.cv import CV, CvLineError, read_cv_lines
from publisher.cv_redact import sanitise_for_storage, shared_cv
from publisher.formats.base import json_compact as _dumps

log = logging.getLogger("jobgate.publisher.cvs")

INTAKE_PARTNER = "cv-intake"
_BATCH = 500


@dataclass
class IntakeReport:
    """What one intake did."""

    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    consents: int = 0  # consent decisions recorded
    quarantined: int = 0
    errors: list[str] = field(default_factory=list)  # "line N: field: reason"


@dataclass
class CvPublishReport:
    """CV delivery-log changes for one partner."""

    partner: str
    upserts: int = 0
    deletes: int = 0
    cancelled: int = 0
    unchanged: int = 0


@dataclass
class PurgeReport:
    """What a retention purge did."""

    erased: int = 0
    withdrawals: int = 0
    quarantine_cleared: int = 0


@dataclass(frozen=True)
class CvDisclosure:
    """One CV copy about to be sent to, or withdrawn from, a partner (no content)."""

    candidate_id: str
    cv_id: int
    partner: str
    ref: str
    action: str  # sent | withdrawn
    visibility: str | None
    content_hash: str | None


@dataclass(frozen=True)
class CvPushItem:
    """What push delivery sends for one CV row."""

    ref: str
    body: dict[str, Any] | None
    disclosure: CvDisclosure


@dataclass(frozen=True)
class DisclosureRecord:
    """An entry of the disclosure log, as :func:`disclosures` returns it."""

    partner: str
    ref: str
    action: str
    visibility: str | None
    content_hash: str | None
    channel: str
    at: datetime


# -- intake -----------------------------------------------------------------


def intake_cvs(
    store: Store,
    settings: Settings,
    source: str | Path | TextIO | Iterable[str],
    *,
    now: datetime | None = None,
) -> IntakeReport:
    """Read CVs from JSON lines (a path, a text stream or lines) into the store.

    Valid lines are saved with :func:`save_cv` (consent changes propagate at once);
    bad ones are quarantined with their line number and field. Nothing is lost.
    """
    now = _aware(now or utcnow())
    report = IntakeReport()
    name = str(source) if isinstance(source, str | Path) else getattr(source, "name", "<stream>")
    stream: Iterable[str]
    if isinstance(source, str | Path):
        with open(source, encoding="utf-8") as fh:
            _intake(store, settings, fh, name, now, report)
        return report
    stream = source
    _intake(store, settings, stream, name, now, report)
    return report


def _intake(store: Store, settings: Settings, lines: Iterable[str], name: str, now: datetime,
            report: IntakeReport) -> None:
    for item in read_cv_lines(lines):
        report.read += 1
        if isinstance(item, CvLineError):
            report.quarantined += 1
            report.errors.append(item.reason)
            store.quarantine(INTAKE_PARTNER, f"{name}:{item.line}", item.reason, field=item.field,
                             payload=item.raw, stage="cv")
            continue
        outcome, consents = save_cv(store, settings, item, now=now)
        report.consents += consents
        setattr(report, outcome, getattr(report, outcome) + 1)
    log.info("cv intake finished", extra={"source": name, "read": report.read, "new": report.new,
                                          "updated": report.updated, "quarantined": report.quarantined})


def save_cv(store: Store, settings: Settings, cv: CV, *, now: datetime | None = None) -> tuple[str, int]:
    """Store one CV and its consent decisions; queue what changes for partners.

    Returns ``("new" | "updated" | "unchanged", consent decisions recorded)``. A CV
    taken in again after erasure starts a new life (new salt, so new partner ids).
    """
    now = _aware(now or utcnow())
    clean = sanitise_for_storage(cv)
    data = clean.model_dump(mode="json", exclude={"consents"})
    h = content_hash(data)
    last_contact = clean.last_contact_at or now
    with store.session() as s:
        row = s.scalar(select(CandidateCV).where(CandidateCV.candidate_id == cv.candidate_id))
        if row is None:
            row = CandidateCV(candidate_id=cv.candidate_id, data=data, visibility=cv.visibility,
                              content_hash=h, ref_salt=secrets.token_hex(16), created_at=now,
                              updated_at=now, last_contact_at=last_contact)
            s.add(row)
            s.flush()
            outcome = "new"
        elif row.erased_at is not None or row.content_hash != h:
            if row.erased_at is not None:
                row.ref_salt, row.erased_at, row.erase_reason = secrets.token_hex(16), None, None
            row.data, row.visibility, row.content_hash, row.updated_at = data, cv.visibility, h, now
            row.last_contact_at = max(_aware(row.last_contact_at), last_contact)
            outcome = "updated"
        else:
            row.last_contact_at = max(_aware(row.last_contact_at), last_contact)
            outcome = "unchanged"
        recorded = _record_consents(s, cv.candidate_id, {p: (c.granted, c.at) for p, c in cv.consents.items()})
        _reconcile(s, settings, row, now)
    return outcome, recorded


def record_consent(
    store: Store, settings: Settings, candidate_id: str, partner: str, granted: bool,
    *, at: datetime | None = None,
) -> bool:
    """Record one consent decision (e.g. a withdrawal from the candidate's space).

    Returns whether it changed anything; a withdrawal queues the deletion for that
    partner at once.
    """
    at = _aware(at or utcnow())
    with store.session() as s:
        changed = _record_consents(s, candidate_id, {partner: (granted, at)}) > 0
        row = s.scalar(select(CandidateCV).where(CandidateCV.candidate_id == candidate_id))
        if row is not None:
            _reconcile(s, settings, row, at)
    return changed


def _record_consents(s: Session, candidate_id: str, decisions: dict[str, tuple[bool, datetime]]) -> int:
    n = 0
    for partner, (granted, at) in decisions.items():
        latest = _latest_consent(s, candidate_id, partner)
        if latest is not None and (_aware(latest.at) > _aware(at) or latest.granted == granted):
            continue  # an older decision arriving late, or no change
        s.add(CvConsent(candidate_id=candidate_id, partner=partner, granted=granted, at=at))
        n += 1
    s.flush()
    return n


def _latest_consent(s: Session, candidate_id: str, partner: str) -> CvConsent | None:
    return s.scalar(
        select(CvConsent)
        .where(CvConsent.candidate_id == candidate_id, CvConsent.partner == partner)
        .order_by(CvConsent.at.desc(), CvConsent.id.desc())
        .limit(1)
    )


def consents(store: Store, candidate_id: str) -> dict[str, bool]:
    """The candidate's current decision per partner."""
    with store.session() as s:
        rows = s.scalars(select(CvConsent).where(CvConsent.candidate_id == candidate_id)
                         .order_by(CvConsent.at, CvConsent.id))
        return {r.partner: r.granted for r in rows}


# -- what a partner sees ----------------------------------------------------


def cv_recipients(settings: Settings) -> list[PartnerSettings]:
    """Enabled partners whose ``receives`` has ``"cvs"``."""
    return [p for p in settings.partners if p.enabled and "cvs" in p.receives]


def partner_ref(row: CandidateCV, partner: str) -> str:
    """The opaque id ``partner`` knows this CV by."""
    mac = hmac.new(row.ref_salt.encode(), partner.encode(), hashlib.sha256).hexdigest()
    return f"cv-{mac[:32]}"


def shared_view(row: CandidateCV) -> dict[str, Any] | None:
    """The shared view of a stored CV as JSON (``None`` once erased): no candidate id,
    consents or last-contact date."""
    if row.data is None or row.erased_at is not None:
        return None
    cv = CV.model_validate({**row.data, "consents": {}})
    return shared_cv(cv).model_dump(
        mode="json", exclude={"candidate_id", "consents", "last_contact_at", "photo_shared"}
    )


def cv_payload(row: CandidateCV, partner: str, view: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The JSON a partner receives for this CV (``None`` once erased):
    ``{"id", "visibility", "updated", "cv": {...}}`` (``view``: a precomputed :func:`shared_view`).
    """
    view = view if view is not None else shared_view(row)
    if view is None:
        return None
    return {"id": partner_ref(row, partner), "visibility": row.visibility,
            "updated": _aware(row.updated_at).isoformat(), "cv": view}


def _may_have_it(d: Delivery) -> bool:
    """Whether the partner may hold a copy (so a withdrawal must reach it)."""
    return d.delivered_at is not None or d.attempts > 0 or d.status == "delivered"


def _reconcile(s: Session, settings: Settings, row: CandidateCV, now: datetime,
               reports: dict[str, CvPublishReport] | None = None) -> None:
    """Bring this CV's delivery rows in step with its consents and state."""
    existing = {d.partner: d for d in s.scalars(
        select(Delivery).where(Delivery.item_kind == "cv", Delivery.item_id == str(row.id)))}
    live = row.erased_at is None and row.data is not None
    latest: dict[str, bool] = {}
    if live:
        for c in s.scalars(select(CvConsent).where(CvConsent.candidate_id == row.candidate_id)
                           .order_by(CvConsent.at, CvConsent.id)):
            latest[c.partner] = c.granted
    view: dict[str, Any] | None = None
    for partner in cv_recipients(settings):
        rep = reports.setdefault(partner.name, CvPublishReport(partner.name)) if reports is not None else None
        d = existing.pop(partner.name, None)
        if live and latest.get(partner.name):
            view = view if view is not None else shared_view(row)
            payload = cv_payload(row, partner.name, view)
            h = content_hash(payload)
            if d is None:
                s.add(Delivery(partner=partner.name, item_kind="cv", item_id=str(row.id), action="upsert",
                               content_hash=h, status="pending", first_published_at=now,
                               updated_at=now, idempotency_key=f"cv:{row.id}:{h[:24]}"))
                _count(rep, "upserts")
            elif d.action == "delete" or d.content_hash != h:
                d.action, d.content_hash, d.status, d.updated_at = "upsert", h, "pending", now
                d.idempotency_key = f"cv:{row.id}:{h[:24]}"
                d.attempts, d.last_error, d.next_attempt_at = 0, None, None
                _count(rep, "upserts")
            else:
                _count(rep, "unchanged")
        elif d is not None:
            _withdraw(d, row, now, rep)
    for d in existing.values():  # partners no longer configured for CVs still get the withdrawal
        if not (live and latest.get(d.partner)):
            _withdraw(d, row, now, None)


def _withdraw(d: Delivery, row: CandidateCV, now: datetime, rep: CvPublishReport | None) -> None:
    if d.action == "delete":
        _count(rep, "unchanged")
        return
    if _may_have_it(d):
        d.action, d.status, d.updated_at = "delete", "pending", now
        d.idempotency_key = f"cv:{row.id}:delete:{now:%Y%m%d%H%M%S%f}"
        d.attempts, d.last_error, d.next_attempt_at = 0, None, None
        _count(rep, "deletes")
    else:
        d.action, d.status, d.updated_at = "delete", "cancelled", now
        d.next_attempt_at = None
        _count(rep, "cancelled")


def _count(rep: CvPublishReport | None, what: str) -> None:
    if rep is not None:
        setattr(rep, what, getattr(rep, what) + 1)


def publish_cvs(store: Store, settings: Settings, *, now: datetime | None = None) -> list[CvPublishReport]:
    """Bring every CV's delivery rows in step (idempotent; run it with the publish stage)."""
    now = _aware(now or utcnow())
    reports: dict[str, CvPublishReport] = {p.name: CvPublishReport(p.name) for p in cv_recipients(settings)}
    last = 0
    while True:
        with store.session() as s:
            rows = list(s.scalars(select(CandidateCV).where(CandidateCV.id > last)
                                  .order_by(CandidateCV.id).limit(_BATCH)))
            for row in rows:
                _reconcile(s, settings, row, now, reports)
        if not rows:
            break
        last = rows[-1].id
    return list(reports.values())


# -- erasure and retention --------------------------------------------------


def erase_cv(store: Store, settings: Settings, candidate_id: str, *, now: datetime | None = None,
             reason: str = "erasure") -> bool:
    """Erase a CV (art. 17) and queue its withdrawal from every partner that may have it.

    The content is deleted; the row keeps the candidate id, dates and salt so the
    withdrawals and the disclosure log still work. Consent records stay as proof.
    Returns whether there was a CV to erase.
    """
    now = _aware(now or utcnow())
    with store.session() as s:
        row = s.scalar(select(CandidateCV).where(CandidateCV.candidate_id == candidate_id))
        if row is None or row.erased_at is not None:
            return False
        _erase(s, settings, row, now, reason)
    log.info("cv erased", extra={"cv_id": row.id, "reason": reason})
    return True


def _erase(s: Session, settings: Settings, row: CandidateCV, now: datetime, reason: str) -> None:
    row.data, row.content_hash, row.erased_at, row.erase_reason = None, None, now, reason
    row.updated_at = now
    _reconcile(s, settings, row, now)


def _months_before(now: datetime, months: int) -> datetime:
    y, m = divmod(now.month - 1 - months, 12)
    year, month = now.year + y, m + 1
    for day in (now.day, 30, 29, 28):
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def purge_cvs(store: Store, settings: Settings, now: datetime | None = None) -> PurgeReport:
    """Erase CVs whose last active contact is older than ``cv_retention_months`` (CV-03).

    Their withdrawals are queued for every partner that may hold a copy; quarantined
    intake lines older than the same limit lose their content.
    """
    now = _aware(now or utcnow())
    cutoff = _months_before(now, settings.publisher.cv_retention_months)
    report = PurgeReport()
    while True:
        with store.session() as s:
            rows = list(s.scalars(select(CandidateCV).where(
                CandidateCV.erased_at.is_(None), CandidateCV.last_contact_at < cutoff)
                .order_by(CandidateCV.id).limit(_BATCH)))
            for row in rows:
                _erase(s, settings, row, now, "retention")
                report.erased += 1
            s.flush()
            if rows:
                report.withdrawals += len(list(s.scalars(select(Delivery.id).where(
                    Delivery.item_kind == "cv", Delivery.item_id.in_([str(r.id) for r in rows]),
                    Delivery.action == "delete", Delivery.status == "pending"))))
        if not rows:
            break
    with store.session() as s:
        res = s.execute(update(Quarantine).where(
            Quarantine.partner == INTAKE_PARTNER, Quarantine.created_at < cutoff,
            Quarantine.payload.is_not(None)).values(payload=None))
        report.quarantine_cleared = int(getattr(res, "rowcount", 0) or 0)
    log.info("cv purge finished", extra={"erased": report.erased, "withdrawals": report.withdrawals})
    return report


# -- delivery ---------------------------------------------------------------


def _disclosure(row: CandidateCV, d: Delivery) -> CvDisclosure:
    return CvDisclosure(
        candidate_id=row.candidate_id, cv_id=row.id, partner=d.partner, ref=partner_ref(row, d.partner),
        action="withdrawn" if d.action == "delete" else "sent", visibility=row.visibility,
        content_hash=d.content_hash if d.action != "delete" else None,
    )


def push_item(store: Store, settings: Settings, partner: PartnerSettings, d: Delivery) -> CvPushItem | None:
    """What push delivery sends for a CV row (``None``: the CV is gone, nothing to send)."""
    with store.session() as s:
        row = s.get(CandidateCV, int(d.item_id))
    if row is None:
        return None
    if d.action == "delete":
        return CvPushItem(partner_ref(row, partner.name), None, _disclosure(row, d))
    payload = cv_payload(row, partner.name)
    if payload is None:
        return None
    disc = _disclosure(row, d)
    return CvPushItem(disc.ref, payload, CvDisclosure(**{**disc.__dict__, "content_hash": content_hash(payload)}))


def record_disclosure(s: Session, disc: CvDisclosure, *, at: datetime, channel: str) -> None:
    """Log a copy sent or withdrawn (inside the caller's transaction)."""
    s.add(Disclosure(candidate_id=disc.candidate_id, cv_id=disc.cv_id, partner=disc.partner,
                     partner_ref=disc.ref, action=disc.action, visibility=disc.visibility,
                     content_hash=disc.content_hash, channel=channel, at=at))


def cv_feed(
    store: Store,
    partner: PartnerSettings,
    *,
    since: datetime | None = None,
    record: bool = True,
    now: datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """The CVs a pull partner receives: ``{"id", "visibility", "updated", "cv"}`` items and
    ``{"id", "deleted": true, "deleted_at"}`` tombstones, in the order they changed.

    With ``record`` (the default, for a real partner read) each item not yet handed
    over is marked delivered and logged as a disclosure (``channel = "pull"``) as it
    is yielded; a re-read of the same copy logs nothing new.

    Args:
        since: only items changed after this instant.
    """
    now = _aware(now or utcnow())
    last: tuple[datetime, int] | None = None
    while True:
        with store.session() as s:
            q = (select(Delivery)
                 .where(Delivery.partner == partner.name, Delivery.item_kind == "cv",
                        Delivery.status != "cancelled")
                 .order_by(Delivery.updated_at, Delivery.id).limit(_BATCH))
            if last is not None:
                q = q.where(or_(Delivery.updated_at > last[0],
                                and_(Delivery.updated_at == last[0], Delivery.id > last[1])))
            rows = list(s.scalars(q))
        if not rows:
            return
        last = (rows[-1].updated_at, rows[-1].id)
        for d in rows:
            if since is not None and _aware(d.updated_at) <= _aware(since):
                continue
            with store.session() as s:
                cv_row = s.get(CandidateCV, int(d.item_id))
                if cv_row is None:
                    continue
                if d.action == "delete":
                    item: dict[str, Any] = {"id": partner_ref(cv_row, partner.name), "deleted": True,
                                            "deleted_at": _aware(d.updated_at).isoformat()}
                else:
                    payload = cv_payload(cv_row, partner.name)
                    if payload is None:
                        continue
                    item = payload
                if record and d.status != "delivered":
                    fresh = s.get(Delivery, d.id)
                    if fresh is not None and fresh.idempotency_key == d.idempotency_key:
                        fresh.status, fresh.delivered_at, fresh.attempts = "delivered", now, fresh.attempts + 1
                        disc = _disclosure(cv_row, d)
                        if d.action != "delete":
                            disc = CvDisclosure(**{**disc.__dict__, "content_hash": content_hash(item)})
                        record_disclosure(s, disc, at=now, channel="pull")
            yield item


def write_cv_feed(store: Store, partner: PartnerSettings, out: BinaryIO | TextIO, **kwargs: Any) -> int:
    """Write :func:`cv_feed` as ``{"cvs": [...], "deleted": [...]}``; returns the item count."""
    binary = not isinstance(out, io.TextIOBase) and "b" in getattr(out, "mode", "b")

    def w(text: str) -> None:
        out.write(text.encode("utf-8") if binary else text)  # type: ignore[arg-type]

    deleted: list[str] = []  # tombstones are small: held for the fixed key order
    shown = 0
    w('{"cvs":[')
    for item in cv_feed(store, partner, **kwargs):
        if item.get("deleted"):
            deleted.append(_dumps(item))
        else:
            w(("," if shown else "") + "\n" + _dumps(item))
            shown += 1
    w('\n],\n"deleted":[' + ",\n".join(deleted) + "]}\n")
    return shown + len(deleted)


# -- audit ------------------------------------------------------------------


def disclosures(store: Store, candidate_id: str) -> list[DisclosureRecord]:
    """Who received this candidate's CV, what and when (oldest first; no content)."""
    with store.session() as s:
        rows = s.scalars(select(Disclosure).where(Disclosure.candidate_id == candidate_id)
                         .order_by(Disclosure.at, Disclosure.id))
        return [DisclosureRecord(r.partner, r.partner_ref, r.action, r.visibility, r.content_hash,
                                 r.channel, _aware(r.at)) for r in rows]


def holders(store: Store, candidate_id: str) -> set[str]:
    """Partners that hold a copy now: last logged action per partner is ``sent``."""
    state: dict[str, str] = {}
    with store.session() as s:
        for partner, action in s.execute(select(Disclosure.partner, Disclosure.action).where(
                Disclosure.candidate_id == candidate_id).order_by(Disclosure.id)):
            state[partner] = action  # in the order they were logged, whatever the clocks said
    return {p for p, a in state.items() if a == "sent"}


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
