"""Atom 1.0 feed (RFC 4287) with RFC 6721 tombstones.

Entry ids are ``urn:jobgate:offer:{id}``; a withdrawal is an
``<at:deleted-entry ref="urn:jobgate:offer:{id}" when="…"/>`` element. The
employer (or :data:`~publisher.diffusion.ANONYMOUS_EMPLOYER`) is the entry's
author; the contact channel and origin travel as ``jobgate`` extension elements.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from jobgate.schema import CatalogueOffer
from publisher.formats.base import (
    NS_JOBGATE,
    BaseExporter,
    apply_url,
    company_name,
    description_of,
    iso,
    xml_attr,
    xml_element,
    xml_text,
)

__all__ = ["NS_ATOM", "NS_TOMBSTONES", "AtomExporter", "entry_id"]

NS_ATOM = "http://www.w3.org/2005/Atom"
NS_TOMBSTONES = "http://purl.org/atompub/tombstones/1.0"


def entry_id(offer_id: str) -> str:
    """Atom entry id of a catalogue offer."""
    return "urn:jobgate:offer:" + quote(offer_id, safe="")


class AtomExporter(BaseExporter):
    """Atom 1.0 with tombstones and the ``jobgate`` extension namespace."""

    media_type = "application/atom+xml; charset=utf-8"

    def header(self) -> str:
        """Feed header."""
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<feed xmlns="{NS_ATOM}" xmlns:at="{NS_TOMBSTONES}" xmlns:jobgate="{NS_JOBGATE}" '
            'xml:lang="fr">\n'
            f"<id>urn:jobgate:feed:{xml_text(quote(self.partner, safe=''))}</id>\n"
            f"<title>{xml_text(self.title)}</title>\n"
            f"<updated>{iso(self.updated)}</updated>\n"
            f'<link rel="alternate" href="{xml_attr(self.base_url + "/")}"/>\n'
            "<author><name>jobgate</name></author>\n"
            "<generator>jobgate</generator>\n"
        )

    def offer(self, offer: CatalogueOffer) -> str:
        """One ``<entry>``."""
        dates = offer.dates
        updated = dates.updated or dates.published or self.updated
        contact = offer.employer.contact
        place = offer.place
        parts = [
            "<entry>",
            f"<id>{entry_id(offer.id)}</id>",
            f"<title>{xml_text(offer.title)}</title>",
            f"<updated>{iso(updated)}</updated>",
        ]
        if dates.published is not None:
            parts.append(f"<published>{iso(dates.published)}</published>")
        parts.append(f'<link rel="alternate" href="{xml_attr(self.offer_link(offer.id))}"/>')
        url = apply_url(offer)
        if url:
            parts.append(f'<link rel="related" href="{xml_attr(url)}"/>')
        company = company_name(offer)
        if company:
            parts.append(f"<author><name>{xml_text(company)}</name></author>")
        if offer.rome.code:
            parts.append(
                f'<category scheme="urn:jobgate:rome" term="{xml_attr(offer.rome.code)}"/>'
            )
        if offer.description_html:
            parts.append(f'<content type="html">{xml_text(offer.description_html)}</content>')
        else:
            parts.append(f'<content type="text">{xml_text(description_of(offer))}</content>')
        parts.append("<jobgate:status>active</jobgate:status>")
        parts.append(f"<jobgate:offerId>{xml_text(offer.id)}</jobgate:offerId>")
        parts.append(
            f'<jobgate:origin partner="{xml_attr(offer.source.partner)}" '
            f'ref="{xml_attr(offer.source.external_id)}"/>'
        )
        parts.append(xml_element("jobgate:city", place.city or place.label))
        parts.append(xml_element("jobgate:postcode", place.postcode))
        parts.append(xml_element("jobgate:departement", place.departement))
        parts.append(xml_element("jobgate:region", place.region))
        if offer.contract.type is not None:
            parts.append(xml_element("jobgate:contract", offer.contract.type.value))
        parts.append(xml_element("jobgate:salary", offer.salary.original))
        if dates.expires is not None:
            parts.append(f"<jobgate:expires>{iso(dates.expires)}</jobgate:expires>")
        parts.append(
            f'<jobgate:diffusion visibility="{offer.diffusion.visibility.value}" '
            f'preselection="{offer.diffusion.preselection.value}"/>'
        )
        if contact is not None:
            parts.append(xml_element("jobgate:contactName", contact.name))
            parts.append(xml_element("jobgate:contactEmail", contact.email))
            parts.append(xml_element("jobgate:contactPhone", contact.phone))
        parts.append("</entry>\n")
        return "".join(parts)

    def tombstone(self, offer_id: str, deleted_at: datetime) -> str:
        """An RFC 6721 deleted entry."""
        return (
            f'<at:deleted-entry ref="{xml_attr(entry_id(offer_id))}" when="{iso(deleted_at)}">'
            f"<jobgate:offerId>{xml_text(offer_id)}</jobgate:offerId>"
            "<jobgate:status>deleted</jobgate:status></at:deleted-entry>\n"
        )

    def footer(self) -> str:
        """Feed close."""
        return "</feed>\n"
