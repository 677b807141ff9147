"""Indeed-style XML job feed.

``<source><publisher/><publisherurl/><lastBuildDate/><job>…</job>…</source>``
with one ``<job>`` per offer (``title``, ``date``, ``referencenumber`` = catalogue
offer id, ``url``, ``company``, ``city``, ``state``, ``country``, ``postalcode``,
``description``, ``salary``, ``jobtype``, and contact elements when visible),
text in CDATA. A withdrawal is a ``<job>`` with its ``referencenumber`` and
``<status>deleted</status>``; live jobs carry ``<status>active</status>``.
"""

from __future__ import annotations

from datetime import datetime

from jobgate.schema import CatalogueOffer, ContractType
from publisher.formats.base import (
    BaseExporter,
    apply_url,
    cdata,
    company_name,
    description_of,
    rfc822,
    xml_text,
)

__all__ = ["JOBTYPES", "IndeedExporter"]

#: Contract vocabulary -> Indeed ``jobtype`` words.
JOBTYPES: dict[ContractType, str] = {
    ContractType.CDI: "permanent",
    ContractType.CDD: "contract",
    ContractType.INTERIM: "temporary",
    ContractType.CDI_INTERIM: "permanent",
    ContractType.SAISONNIER: "temporary",
    ContractType.APPRENTISSAGE: "apprenticeship",
    ContractType.PROFESSIONNALISATION: "apprenticeship",
    ContractType.STAGE: "internship",
    ContractType.INDEPENDANT: "freelance",
    ContractType.INSERTION: "contract",
    ContractType.AUTRE: "other",
}


def _el(tag: str, value: object | None) -> str:
    if value is None or value == "":
        return ""
    return f"<{tag}>{cdata(value)}</{tag}>"


class IndeedExporter(BaseExporter):
    """Indeed-style XML (``<source>`` of ``<job>``)."""

    media_type = "application/xml; charset=utf-8"

    def header(self) -> str:
        """Source header."""
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<source>\n'
            f"<publisher>{xml_text(self.title)}</publisher>\n"
            f"<publisherurl>{xml_text(self.base_url + '/')}</publisherurl>\n"
            f"<lastBuildDate>{rfc822(self.updated)}</lastBuildDate>\n"
        )

    def offer(self, offer: CatalogueOffer) -> str:
        """One ``<job>``."""
        place = offer.place
        contact = offer.employer.contact
        date = offer.dates.published or offer.dates.updated
        jobtype = offer.contract.type
        hours = offer.working_time.full_time
        parts = [
            "<job>",
            _el("title", offer.title),
            _el("date", rfc822(date) if date else None),
            _el("referencenumber", offer.id),
            _el("url", self.offer_link(offer.id)),
            _el("company", company_name(offer)),
            _el("city", place.city or place.label),
            _el("state", place.region or place.departement),
            _el("country", place.country),
            _el("postalcode", place.postcode),
            _el("description", description_of(offer)),
            _el("salary", offer.salary.original),
            _el(
                "jobtype",
                ", ".join(
                    x
                    for x in (
                        JOBTYPES.get(jobtype) if jobtype else None,
                        None if hours is None else ("fulltime" if hours else "parttime"),
                    )
                    if x
                )
                or None,
            ),
            _el("category", offer.rome.code),
            _el("experience", offer.experience),
            _el("education", offer.qualification),
            _el("expirationdate", rfc822(offer.dates.expires) if offer.dates.expires else None),
            _el("sourcepartner", offer.source.partner),
            _el("sourcereference", offer.source.external_id),
            _el("applyurl", apply_url(offer)),
        ]
        if contact is not None:
            parts.append(_el("contactname", contact.name))
            parts.append(_el("email", contact.email))
            parts.append(_el("phone", contact.phone))
        parts.append("<status>active</status></job>\n")
        return "".join(parts)

    def tombstone(self, offer_id: str, deleted_at: datetime) -> str:
        """A deleted ``<job>``."""
        return (
            f"<job>{_el('referencenumber', offer_id)}{_el('date', rfc822(deleted_at))}"
            "<status>deleted</status></job>\n"
        )

    def footer(self) -> str:
        """Source close."""
        return "</source>\n"
