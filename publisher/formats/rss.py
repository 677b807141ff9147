"""RSS 2.0 feed.

Each offer is an ``<item>`` whose ``<guid isPermaLink="false">`` is the catalogue
offer id. jobgate extension elements (namespace :data:`~publisher.formats.base.NS_JOBGATE`,
prefix ``jobgate``) carry what RSS has no element for: status, origin, company,
place, contract and the contact channel. A withdrawal is an item with the same
guid, ``<category domain="…/status">deleted</category>`` and
``<jobgate:status>deleted</jobgate:status>``.
"""

from __future__ import annotations

from datetime import datetime

from jobgate.schema import CatalogueOffer
from publisher.formats.base import (
    NS_JOBGATE,
    BaseExporter,
    apply_url,
    company_name,
    description_of,
    rfc822,
    xml_attr,
    xml_element,
    xml_text,
)

__all__ = ["RssExporter"]

_STATUS_DOMAIN = NS_JOBGATE + ":status"


class RssExporter(BaseExporter):
    """RSS 2.0 with the ``jobgate`` extension namespace."""

    media_type = "application/rss+xml; charset=utf-8"

    def header(self) -> str:
        """Channel header."""
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<rss version="2.0" xmlns:jobgate="{NS_JOBGATE}">\n<channel>\n'
            f"<title>{xml_text(self.title)}</title>\n"
            f"<link>{xml_text(self.base_url + '/')}</link>\n"
            f"<description>{xml_text(self.title)} ({xml_text(self.partner)})</description>\n"
            "<language>fr</language>\n"
            f"<lastBuildDate>{rfc822(self.updated)}</lastBuildDate>\n"
            "<generator>jobgate</generator>\n"
        )

    def offer(self, offer: CatalogueOffer) -> str:
        """One ``<item>``."""
        contact = offer.employer.contact
        place = offer.place
        parts = [
            "<item>",
            xml_element("title", offer.title),
            xml_element("link", self.offer_link(offer.id)),
            xml_element("description", description_of(offer)),
            f'<guid isPermaLink="false">{xml_text(offer.id)}</guid>',
        ]
        if offer.dates.published is not None:
            parts.append(f"<pubDate>{rfc822(offer.dates.published)}</pubDate>")
        if offer.rome.code:
            parts.append(f'<category domain="ROME">{xml_text(offer.rome.code)}</category>')
        parts.append(f'<category domain="{_STATUS_DOMAIN}">active</category>')
        parts.append("<jobgate:status>active</jobgate:status>")
        parts.append(
            f'<jobgate:origin partner="{xml_attr(offer.source.partner)}" '
            f'ref="{xml_attr(offer.source.external_id)}"/>'
        )
        parts.append(xml_element("jobgate:company", company_name(offer)))
        parts.append(xml_element("jobgate:naf", offer.employer.naf))
        parts.append(xml_element("jobgate:city", place.city or place.label))
        parts.append(xml_element("jobgate:postcode", place.postcode))
        parts.append(xml_element("jobgate:departement", place.departement))
        parts.append(xml_element("jobgate:region", place.region))
        if offer.contract.type is not None:
            parts.append(xml_element("jobgate:contract", offer.contract.type.value))
        parts.append(xml_element("jobgate:salary", offer.salary.original))
        if offer.dates.expires is not None:
            parts.append(f"<jobgate:expires>{rfc822(offer.dates.expires)}</jobgate:expires>")
        parts.append(
            f'<jobgate:diffusion visibility="{offer.diffusion.visibility.value}" '
            f'preselection="{offer.diffusion.preselection.value}"/>'
        )
        if contact is not None:
            parts.append(xml_element("jobgate:contactName", contact.name))
            parts.append(xml_element("jobgate:contactEmail", contact.email))
            parts.append(xml_element("jobgate:contactPhone", contact.phone))
        parts.append(xml_element("jobgate:applyUrl", apply_url(offer)))
        parts.append("</item>\n")
        return "".join(parts)

    def tombstone(self, offer_id: str, deleted_at: datetime) -> str:
        """A withdrawal item."""
        oid = xml_text(offer_id)
        return (
            f"<item><title>Offre retirée</title>"
            f'<guid isPermaLink="false">{oid}</guid>'
            f"<pubDate>{rfc822(deleted_at)}</pubDate>"
            f'<category domain="{_STATUS_DOMAIN}">deleted</category>'
            f"<jobgate:status>deleted</jobgate:status>"
            f"<jobgate:deletedAt>{rfc822(deleted_at)}</jobgate:deletedAt></item>\n"
        )

    def footer(self) -> str:
        """Channel close."""
        return "</channel>\n</rss>\n"
