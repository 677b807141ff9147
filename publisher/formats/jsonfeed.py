"""Paged JSON feed: ``{"offers": [...], "deleted": [...], "next": cursor}``.

Offers are written as they come; withdrawals are small (an id and a date) and
are held until :meth:`JsonExporter.finish` so the document keeps its fixed key
order; a page bounds how many there are. :func:`write_json_page` is the paging
API: given items sorted by :func:`item_key` and the client's cursor, it writes
one page and returns the cursor of the next one.

Cursors are opaque strings (URL-safe base64 of the sort key of the last item
on the page); :func:`decode_cursor` turns one back into ``(changed_at, id)``
for a keyset query ``WHERE (changed_at, id) > (:at, :id) ORDER BY changed_at, id``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, BinaryIO, TextIO

from jobgate.config import PartnerSettings
from jobgate.schema import CatalogueOffer
from publisher.formats.base import BaseExporter, Tombstone, apply_url, company_name, iso
from publisher.formats.base import json_compact as _dumps

__all__ = [
    "FeedItem",
    "JsonExporter",
    "decode_cursor",
    "encode_cursor",
    "item_key",
    "offer_json",
    "write_json_page",
]

FeedItem = CatalogueOffer | Tombstone
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _d(dt: datetime | None) -> str | None:
    return iso(dt) if dt is not None else None


def offer_json(offer: CatalogueOffer, link: str) -> dict[str, Any]:
    """The JSON object of one offer (the ``offers[]`` item shape)."""
    emp = offer.employer
    contact = emp.contact
    place = offer.place
    sal = offer.salary
    return {
        "id": offer.id,
        "url": link,
        "source": {
            "partner": offer.source.partner,
            "id": offer.source.external_id,
            "url": offer.source.url,
        },
        "title": offer.title,
        "description": offer.description,
        "description_html": offer.description_html,
        "published": _d(offer.dates.published),
        "updated": _d(offer.dates.updated),
        "expires": _d(offer.dates.expires),
        "employer": {
            "name": company_name(offer),
            "naf": emp.naf,
            "url": emp.url,
            "logo": emp.logo,
            "description": emp.description,
        },
        "contact": None
        if contact is None
        else {
            "name": contact.name,
            "email": contact.email,
            "phone": contact.phone,
            "url": contact.url,
        },
        "apply_url": apply_url(offer),
        "place": {
            "label": place.label,
            "city": place.city,
            "postcode": place.postcode,
            "insee": place.insee,
            "departement": place.departement,
            "region": place.region,
            "country": place.country,
            "latitude": place.latitude,
            "longitude": place.longitude,
        },
        "contract": {
            "type": offer.contract.type.value if offer.contract.type else None,
            "duration_months": offer.contract.duration_months,
            "label": offer.contract.original,
        },
        "working_time": {
            "full_time": offer.working_time.full_time,
            "hours_per_week": offer.working_time.hours_per_week,
            "label": offer.working_time.original,
        },
        "salary": {
            "min": sal.min,
            "max": sal.max,
            "period": sal.period,
            "currency": sal.currency,
            "label": sal.original,
        },
        "rome": {
            "code": offer.rome.code,
            "fiche": offer.rome.fiche,
            "appellation": offer.rome.appellation,
        },
        "experience": offer.experience,
        "qualification": offer.qualification,
        "diffusion": {
            "visibility": offer.diffusion.visibility.value,
            "preselection": offer.diffusion.preselection.value,
        },
        "certification": offer.certification.status.value,
        "public_service": offer.public_service,
    }


class JsonExporter(BaseExporter):
    """One JSON page. Set :attr:`next_cursor` before :meth:`finish` when a page follows."""

    media_type = "application/json"

    def __init__(
        self,
        *,
        partner: PartnerSettings | str,
        base_url: str,
        title: str,
        updated: datetime | None = None,
    ) -> None:
        super().__init__(partner=partner, base_url=base_url, title=title, updated=updated)
        self.next_cursor: str | None = None
        self._deleted: list[str] = []

    def header(self) -> str:
        """Open the document and the ``offers`` array."""
        return '{"offers":['

    def offer(self, offer: CatalogueOffer) -> str:
        """One offer object, with its leading separator."""
        sep = "," if self.count else ""
        return sep + "\n" + _dumps(offer_json(offer, self.offer_link(offer.id)))

    def export_tombstone(self, offer_id: str, deleted_at: datetime) -> None:
        """Hold one withdrawal for the ``deleted`` array."""
        self._w()
        self._deleted.append(self.tombstone(offer_id, deleted_at))
        self.deleted += 1

    def tombstone(self, offer_id: str, deleted_at: datetime) -> str:
        """One ``deleted[]`` object."""
        return _dumps({"id": offer_id, "deleted_at": iso(deleted_at)})

    def footer(self) -> str:
        """Close ``offers``, write ``deleted`` and ``next``."""
        deleted = ",\n".join(self._deleted)
        self._deleted = []
        return f'\n],\n"deleted":[{deleted}],\n"next":{_dumps(self.next_cursor)}}}\n'


def item_key(item: FeedItem) -> tuple[datetime, str]:
    """Default sort key of a feed item: (change time, offer id).

    Offers change at ``dates.updated`` (else ``published``), withdrawals at
    ``deleted_at``. Pass your own key to :func:`write_json_page` when the store
    has a better change time (e.g. the delivery's).
    """
    if isinstance(item, Tombstone):
        return item.deleted_at, item.offer_id
    at = item.dates.updated or item.dates.published or _EPOCH
    return at, item.id


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def encode_cursor(changed_at: datetime, offer_id: str) -> str:
    """Opaque cursor for the position just after ``(changed_at, offer_id)``."""
    raw = f"{_aware(changed_at).isoformat()}|{offer_id}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """``(changed_at, offer_id)`` of a cursor.

    Raises:
        ValueError: the cursor is not one :func:`encode_cursor` made (answer 400).
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
        at, offer_id = raw.split("|", 1)
        return _aware(datetime.fromisoformat(at)), offer_id
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"invalid feed cursor {cursor!r}") from exc


def write_json_page(
    items: Iterable[FeedItem],
    out: BinaryIO | TextIO,
    *,
    after: str | None,
    limit: int,
    partner: PartnerSettings | str,
    base_url: str,
    title: str = "jobgate",
    key: Callable[[FeedItem], tuple[datetime, str]] = item_key,
    updated: datetime | None = None,
) -> str | None:
    """Write one JSON page of ``items`` and return the next cursor (``None`` at the end).

    ``items`` must be sorted by ``key`` ascending (offers already passed through
    :func:`~publisher.diffusion.visible_offer`); items at or before the ``after``
    cursor are skipped, so the caller may pass everything or, better, only what
    its keyset query returned (``limit + 1`` rows suffice). Reads at most
    ``limit + 1`` items past the cursor.

    Raises:
        ValueError: ``after`` is not a valid cursor, ``limit < 1``, or ``items``
            is not sorted.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    start = decode_cursor(after) if after else None
    exporter = JsonExporter(partner=partner, base_url=base_url, title=title, updated=updated)
    exporter.start(out)
    written = 0
    last: tuple[datetime, str] | None = None
    prev: tuple[datetime, str] | None = None
    for item in items:
        k = key(item)
        k = (_aware(k[0]), k[1])
        if prev is not None and k < prev:
            raise ValueError(f"feed items are not sorted: {k[1]!r} comes after {prev[1]!r}")
        prev = k
        if start is not None and k <= start:
            continue
        if written == limit:
            assert last is not None
            exporter.next_cursor = encode_cursor(*last)
            break
        if isinstance(item, Tombstone):
            exporter.export_tombstone(item.offer_id, item.deleted_at)
        else:
            exporter.export_offer(item)
        written += 1
        last = k
    exporter.finish()
    return exporter.next_cursor
