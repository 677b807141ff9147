"""Pull feeds: what a recipient partner receives now, rendered from its delivery log.

Offers the partner carries are rendered in their diffusion mode; withdrawn ones
(closed, no longer eligible, or past the publication window) appear as
tombstones until the partner has had time to see them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import BinaryIO, TextIO

from sqlalchemy import func, select

from jobgate.config import PartnerSettings, Settings
from jobgate.errors import JobgateError
from jobgate.schema import CatalogueOffer
from jobgate.storage import Store
from jobgate.storage.models import Cluster, Delivery
from publisher.diffusion import visible_offer
from publisher.formats import get_exporter


def _parse_since(since: str | datetime | None) -> datetime | None:
    if since is None or isinstance(since, datetime):
        return since
    try:
        value = datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError:
        raise JobgateError(f"'since' must be an ISO 8601 date-time, not {since!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def write_feed(
    store: Store,
    settings: Settings,
    partner: PartnerSettings,
    fmt: str,
    out: BinaryIO | TextIO,
    *,
    since: str | datetime | None = None,
    batch: int = 500,
) -> int:
    """Write ``partner``'s feed in ``fmt`` to ``out``; returns the number of items.

    Args:
        since: only items changed after this instant (ISO 8601).

    Raises:
        JobgateError: the partner receives no offers, or ``since`` is malformed.
    """
    if "offers" not in partner.receives:
        raise JobgateError(f"partner {partner.name!r} does not receive offers (receives = [])")
    after = _parse_since(since)
    with store.session() as s:
        latest = s.scalar(select(func.max(Delivery.updated_at)).where(Delivery.partner == partner.name))
    # The feed is dated by its last change, not by now: same content, same bytes, same ETag.
    exporter = get_exporter(
        fmt, out, partner=partner, base_url=settings.publisher.base_url,
        title=f"jobgate: offres pour {partner.name}",
        updated=_aware(latest) if latest else datetime(1970, 1, 1, tzinfo=UTC),
    )
    n = 0
    last_id = 0
    while True:
        with store.session() as s:
            q = (
                select(Delivery, Cluster)
                .join(Cluster, Cluster.id == Delivery.item_id)
                .where(Delivery.partner == partner.name, Delivery.item_kind == "offer", Delivery.id > last_id)
                .order_by(Delivery.id)
                .limit(batch)
            )
            rows = s.execute(q).all()
        if not rows:
            break
        last_id = rows[-1][0].id
        for delivery, cluster in rows:
            if after and _aware(delivery.updated_at) <= after:
                continue
            if delivery.action == "delete":
                exporter.export_tombstone(cluster.id, _aware(delivery.updated_at))
            else:
                offer = CatalogueOffer.model_validate(cluster.data)
                exporter.export_offer(visible_offer(offer, partner, settings=settings.publisher))
            n += 1
    exporter.finish()
    return n
