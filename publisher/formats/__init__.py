"""Feed formats: streaming exporters, one per format name.

::

    exporter = get_exporter("rss", out, partner=partner, base_url=url, title="Offres")
    for offer in offers:                      # already visible_offer()-filtered
        exporter.export_offer(offer)
    for offer_id, deleted_at in withdrawals:
        exporter.export_tombstone(offer_id, deleted_at)
    exporter.finish()

:func:`get_exporter` builds the exporter and calls ``start(out)`` on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import BinaryIO, TextIO, cast

from jobgate.config import PartnerSettings
from jobgate.schema import CatalogueOffer
from publisher.formats.atom import AtomExporter
from publisher.formats.base import BaseExporter, FeedExporter, Tombstone
from publisher.formats.indeed import IndeedExporter
from publisher.formats.jsonfeed import (
    JsonExporter,
    decode_cursor,
    encode_cursor,
    item_key,
    write_json_page,
)
from publisher.formats.jsonld import JsonLdExporter
from publisher.formats.rss import RssExporter

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "AtomExporter",
    "BaseExporter",
    "FeedExporter",
    "IndeedExporter",
    "JsonExporter",
    "JsonLdExporter",
    "RssExporter",
    "Tombstone",
    "decode_cursor",
    "encode_cursor",
    "get_exporter",
    "item_key",
    "iter_feed",
    "write_json_page",
]

#: Format name -> exporter class (register a new format by adding it here).
FORMATS: dict[str, type[BaseExporter]] = {
    "rss": RssExporter,
    "atom": AtomExporter,
    "xml": IndeedExporter,
    "json": JsonExporter,
    "jsonld": JsonLdExporter,
}

#: Format name -> HTTP Content-Type.
MEDIA_TYPES: dict[str, str] = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
    "json": "application/json",
    "jsonld": "application/ld+json",
}


def get_exporter(
    fmt: str,
    out: BinaryIO | TextIO,
    *,
    partner: PartnerSettings | str,
    base_url: str,
    title: str,
    updated: datetime | None = None,
) -> FeedExporter:
    """Build the exporter for ``fmt`` and start it on ``out``.

    The header is written before this returns; call ``export_offer`` /
    ``export_tombstone`` per item, then ``finish()``.

    Args:
        fmt: one of :data:`FORMATS` (``rss``, ``atom``, ``xml``, ``json``, ``jsonld``).
        out: a binary (UTF-8 is written) or text stream.
        partner: the receiving partner (settings or name).
        base_url: jobgate's public base URL.
        title: the feed title.
        updated: the feed's build time (default now, UTC).

    Raises:
        ValueError: ``fmt`` is not a known format (the message lists them).
    """
    try:
        cls = FORMATS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown feed format {fmt!r} (expected one of {', '.join(FORMATS)})"
        ) from None
    exporter = cls(partner=partner, base_url=base_url, title=title, updated=updated)
    exporter.start(out)
    return exporter


class _Chunks:
    """A binary sink that keeps what was written until it is drained."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(data)
        return len(data)

    def flush(self) -> None:
        """Nothing to flush."""

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def iter_feed(
    fmt: str,
    offers: Iterable[CatalogueOffer],
    tombstones: Iterable[Tombstone] = (),
    *,
    partner: PartnerSettings | str,
    base_url: str,
    title: str,
    updated: datetime | None = None,
    chunk_items: int = 100,
) -> Iterator[bytes]:
    """The whole feed as UTF-8 chunks, for a streaming HTTP response.

    Pulls ``offers`` (already :func:`~publisher.diffusion.visible_offer`-filtered)
    then ``tombstones`` lazily and yields every ``chunk_items`` items, so memory
    stays bounded. For the paged JSON format use
    :func:`~publisher.formats.jsonfeed.write_json_page` instead.

    Raises:
        ValueError: ``fmt`` is not a known format.
    """
    sink = _Chunks()
    exporter = get_exporter(
        fmt, cast(BinaryIO, sink), partner=partner, base_url=base_url, title=title, updated=updated
    )
    n = 0
    for offer in offers:
        exporter.export_offer(offer)
        n += 1
        if n % chunk_items == 0:
            yield sink.drain()
    for t in tombstones:
        exporter.export_tombstone(t.offer_id, t.deleted_at)
        n += 1
        if n % chunk_items == 0:
            yield sink.drain()
    exporter.finish()
    yield sink.drain()
