"""The normalize stage: raw records whose offer is missing or stale become offers.

Idempotent: an offer remembers the raw content hash it was built from, so a
re-run only touches what changed; a record gone from a complete snapshot closes
its offer with that reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jobgate.config import Settings
from jobgate.failpoints import failpoint
from jobgate.schema import CanonicalOffer, OfferStatus, Rejection
from jobgate.storage import Store
from jobgate.storage.models import RawRecord
from normalizer.certification import PartnerContract
from normalizer.normalize import NormalizerContext, normalize_record, rome_input
from normalizer.rome import RomeClassifier, RomeInput, RomeResult
from normalizer.sirene import sirene_lookup

log = logging.getLogger("jobgate.normalizer")
GONE_REASON = "gone from partner snapshot"


@dataclass
class NormalizeReport:
    """Counts of one normalize pass, by resulting status."""

    processed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> None:
        """Count one offer with ``status``."""
        self.processed += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1


def contexts(
    settings: Settings, classifier: RomeClassifier | None = None, store: Store | None = None
) -> dict[str, NormalizerContext]:
    """One normalisation context per configured partner (``store`` holds the SIRENE API cache)."""
    clf = classifier or RomeClassifier.default()
    sirene = sirene_lookup(settings, store)
    public = frozenset(p.name for p in settings.partners if p.public_service)
    out = {}
    for p in settings.partners:
        out[p.name] = NormalizerContext(
            classifier=clf,
            hold_below=settings.rome.hold_below,
            overrides={**settings.certification.overrides, **p.certification},
            contract=PartnerContract(siret_required=p.siret_required),
            hold_on_warn=settings.certification.hold_on_warn,
            public_service_partners=public,
            sirene=sirene,
        )
    return out


def normalize_pending(
    store: Store,
    settings: Settings,
    *,
    classifier: RomeClassifier | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> NormalizeReport:
    """Normalise every raw record whose offer is missing or stale."""
    ctxs = contexts(settings, classifier, store)
    default_ctx = NormalizerContext(classifier=classifier or RomeClassifier.default())
    report = NormalizeReport()
    for batch in store.raw_to_normalize():
        items: list[tuple[RawRecord, dict[str, Any], str, str | None]] = []
        codings = _classify_batch(batch, [ctxs.get(raw.partner, default_ctx) for raw in batch])
        for raw, coding in zip(batch, codings, strict=True):
            ctx = ctxs.get(raw.partner, default_ctx)
            result = normalize_record(raw.partner, raw.external_id, raw.fields, ctx, coding)
            if isinstance(result, Rejection):
                items.append(_quarantined(store, raw, result))
                report.count(OfferStatus.QUARANTINED.value)
                continue
            status, reason = result.status, result.status_reason
            if raw.gone:
                status, reason = OfferStatus.CLOSED, GONE_REASON
            data = offer_data(result, status, reason)
            items.append((raw, data, status.value, reason))
            report.count(status.value)
        store.save_offers(items)
        failpoint("normalize.after_batch")
        if on_batch:
            on_batch(len(batch))
    log.info("normalize finished", extra={"processed": report.processed, **report.by_status})
    return report


def _classify_batch(
    batch: Sequence[RawRecord], batch_ctxs: Sequence[NormalizerContext]
) -> list[RomeResult | None]:
    """ROME coding of a batch's records, one ``classify_many`` per classifier (several
    times faster than one call per offer; same results). ``None``: left to
    ``normalize_record`` (the record is rejected for its title before being coded)."""
    out: list[RomeResult | None] = [None] * len(batch)
    groups: dict[int, tuple[RomeClassifier, list[int], list[RomeInput]]] = {}
    for i, (raw, ctx) in enumerate(zip(batch, batch_ctxs, strict=True)):
        query = rome_input(raw.fields)
        if query is not None:
            group = groups.setdefault(id(ctx.classifier), (ctx.classifier, [], []))
            group[1].append(i)
            group[2].append(query)
    for clf, positions, queries in groups.values():
        for i, coding in zip(positions, clf.classify_many(queries), strict=True):
            out[i] = coding
    return out


def offer_data(offer: CanonicalOffer, status: OfferStatus, reason: str | None) -> dict[str, Any]:
    """JSON data stored for an offer."""
    offer.status, offer.status_reason = status, reason
    return offer.model_dump(mode="json", exclude={"history"})


def _quarantined(store: Store, raw: RawRecord, rej: Rejection) -> tuple[RawRecord, dict[str, Any], str, str | None]:
    store.quarantine(raw.partner, raw.external_id, rej.reason, field=rej.field, stage="normalize")
    reason = f"{rej.field}: {rej.reason}" if rej.field else rej.reason
    title = raw.fields.get("title") if isinstance(raw.fields.get("title"), str) else ""
    data = {
        "source": {"partner": raw.partner, "external_id": raw.external_id, "url": raw.fields.get("url")},
        "title": title or "",
        "status": OfferStatus.QUARANTINED.value,
        "status_reason": reason,
    }
    return raw, data, OfferStatus.QUARANTINED.value, reason
