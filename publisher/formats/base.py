"""The exporter protocol and what every format shares.

An exporter has the shape of a scrapy item exporter: ``start`` once, then
``export_offer`` / ``export_tombstone`` for each item as it comes, then
``finish``. It writes each item as soon as it gets it and keeps nothing, so
memory does not grow with the feed. It renders exactly what it is given:
callers pass offers already passed through
:func:`publisher.diffusion.visible_offer`; the exporter does no policy.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, BinaryIO, Protocol, TextIO, cast, runtime_checkable

import orjson

from jobgate.config import PartnerSettings
from jobgate.schema import CatalogueOffer, Visibility
from publisher.diffusion import ANONYMOUS_EMPLOYER, offer_url

__all__ = [
    "NS_JOBGATE",
    "BaseExporter",
    "FeedExporter",
    "Tombstone",
    "apply_url",
    "cdata",
    "company_name",
    "description_of",
    "iso",
    "json_compact",
    "rfc822",
    "xml_attr",
    "xml_element",
    "xml_text",
]

#: Namespace of jobgate's RSS/Atom extension elements (``jobgate:status``...), version 1.
#: A URN in the ``urn:jobgate:`` family the feeds already use for ids
#: (``urn:jobgate:offer:{id}``): it names, it is never fetched, so it depends on no
#: host. The elements are documented in docs/publisher.md ("Feed extension elements");
#: an incompatible change gets a new version (``urn:jobgate:feed:2``).
NS_JOBGATE = "urn:jobgate:feed:1"

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A withdrawn offer: its catalogue id and when it was withdrawn."""

    offer_id: str
    deleted_at: datetime


@runtime_checkable
class FeedExporter(Protocol):
    """A streaming feed writer (scrapy exporter shape).

    Call :meth:`start` once, then :meth:`export_offer` and
    :meth:`export_tombstone` in any order, then :meth:`finish`.
    """

    def start(self, out: BinaryIO | TextIO) -> None:
        """Write the feed header to ``out`` (bytes or text stream)."""

    def export_offer(self, offer: CatalogueOffer) -> None:
        """Write one (already diffusion-filtered) offer."""

    def export_tombstone(self, offer_id: str, deleted_at: datetime) -> None:
        """Write one withdrawal."""

    def finish(self) -> None:
        """Write the feed footer; the stream is flushed, not closed."""


_json_fallback = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_compact(value: Any) -> str:
    """Compact JSON text (``,`` and ``:`` separators, UTF-8 characters kept as they are).

    orjson writes the same text as ``json`` with these options ten times faster
    (the feeds' main cost); the standard encoder takes the values orjson refuses
    (lone surrogates, integers past 64 bits) so every input still renders.
    """
    try:
        return orjson.dumps(value).decode("utf-8")
    except (orjson.JSONEncodeError, UnicodeDecodeError):
        return _json_fallback(value)


def _clean(text: str) -> str:
    return _INVALID_XML.sub("", text) if _INVALID_XML.search(text) else text


def xml_text(value: object) -> str:
    """Escape a value for XML character data (drops characters XML 1.0 forbids)."""
    s = _clean(str(value))
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    return s


def xml_attr(value: object) -> str:
    """Escape a value for a double-quoted XML attribute."""
    s = xml_text(value)
    if '"' in s:
        s = s.replace('"', "&quot;")
    if "\n" in s or "\r" in s or "\t" in s:
        s = s.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return s


def cdata(value: object) -> str:
    """A CDATA section holding ``value`` (``]]>`` split safely)."""
    s = _clean(str(value))
    if "]]>" in s:
        s = s.replace("]]>", "]]]]><![CDATA[>")
    return f"<![CDATA[{s}]]>"


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def iso(dt: datetime) -> str:
    """RFC 3339 / ISO 8601 timestamp (naive datetimes are taken as UTC)."""
    return _aware(dt).isoformat()


def rfc822(dt: datetime) -> str:
    """RFC 822 date for RSS (naive datetimes are taken as UTC)."""
    return format_datetime(_aware(dt))


def company_name(offer: CatalogueOffer) -> str:
    """Employer name to show: :data:`ANONYMOUS_EMPLOYER` for anonymous offers
    and offers without a name (formats such as Indeed and schema.org need one)."""
    if offer.diffusion.visibility is Visibility.ANONYME:
        return ANONYMOUS_EMPLOYER
    return offer.employer.name or ANONYMOUS_EMPLOYER


def description_of(offer: CatalogueOffer) -> str:
    """Description to render: the HTML one, else the plain text, else the title
    (consumers such as Indeed and schema.org require a description)."""
    return offer.description_html or offer.description or offer.title


def apply_url(offer: CatalogueOffer) -> str | None:
    """Where a candidate applies: the (visible) contact URL, else the source URL."""
    contact = offer.employer.contact
    return (contact.url if contact else None) or offer.source.url


def _text_writer(out: BinaryIO | TextIO) -> Callable[[str], object]:
    if isinstance(out, io.TextIOBase) or (
        not isinstance(out, (io.RawIOBase, io.BufferedIOBase)) and hasattr(out, "encoding")
    ):
        return cast(Callable[[str], object], out.write)
    raw = cast(Callable[[bytes], object], out.write)

    def write(s: str) -> object:
        return raw(s.encode("utf-8"))

    return write


class BaseExporter:
    """Common state of the built-in exporters.

    Subclasses implement :meth:`header`, :meth:`offer`, :meth:`tombstone` and
    :meth:`footer`, each returning the text to write; this class owns the stream.
    Override :meth:`offer_link` to change where item links point.

    Args:
        partner: the receiving partner (settings or name).
        base_url: jobgate's public base URL (links, feed ids).
        title: the feed title.
        updated: the feed's build time (default: now, UTC).
    """

    def __init__(
        self,
        *,
        partner: PartnerSettings | str,
        base_url: str,
        title: str,
        updated: datetime | None = None,
    ) -> None:
        self.partner = partner.name if isinstance(partner, PartnerSettings) else partner
        self.base_url = base_url.rstrip("/")
        self.title = title
        self.updated = _aware(updated or datetime.now(UTC))
        self._write: Callable[[str], object] | None = None
        self._out: BinaryIO | TextIO | None = None
        self.count = 0
        self.deleted = 0

    def offer_link(self, offer_id: str) -> str:
        """Public link of an item."""
        return offer_url(self.base_url, offer_id)

    # Format hooks -----------------------------------------------------------
    def header(self) -> str:
        """Text written by :meth:`start`."""
        raise NotImplementedError

    def offer(self, offer: CatalogueOffer) -> str:
        """Text of one offer item."""
        raise NotImplementedError

    def tombstone(self, offer_id: str, deleted_at: datetime) -> str:
        """Text of one withdrawal."""
        raise NotImplementedError

    def footer(self) -> str:
        """Text written by :meth:`finish`."""
        raise NotImplementedError

    # Protocol ---------------------------------------------------------------
    def start(self, out: BinaryIO | TextIO) -> None:
        """Bind the stream and write the header."""
        self._out = out
        self._write = _text_writer(out)
        self._write(self.header())

    def _w(self) -> Callable[[str], object]:
        if self._write is None:
            raise RuntimeError("start() must be called before exporting")
        return self._write

    def export_offer(self, offer: CatalogueOffer) -> None:
        """Write one offer item."""
        self._w()(self.offer(offer))
        self.count += 1

    def export_tombstone(self, offer_id: str, deleted_at: datetime) -> None:
        """Write one withdrawal."""
        self._w()(self.tombstone(offer_id, deleted_at))
        self.deleted += 1

    def finish(self) -> None:
        """Write the footer and flush."""
        self._w()(self.footer())
        if self._out is not None and hasattr(self._out, "flush"):
            self._out.flush()


def xml_element(tag: str, value: object | None) -> str:
    """``<tag>value</tag>`` with the value escaped, or nothing when the value is empty."""
    if value is None or value == "":
        return ""
    return f"<{tag}>{xml_text(value)}</{tag}>"
