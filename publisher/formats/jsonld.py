"""schema.org ``JobPosting`` JSON-LD, as a ``DataFeed``.

``{"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": [...]}``
where each element is a ``DataFeedItem`` holding one ``JobPosting`` (``item``)
with the properties search engines require (title, description, datePosted,
hiringOrganization, jobLocation) and recommend (validThrough, employmentType,
identifier, baseSalary, directApply). A withdrawal is a ``DataFeedItem`` with
``dateDeleted`` and a bare ``JobPosting`` carrying only its ids.

Anonymous offers get :data:`~publisher.diffusion.ANONYMOUS_EMPLOYER` as
``hiringOrganization.name`` (Google requires a name; never the real one).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from jobgate.config import PartnerSettings
from jobgate.schema import CatalogueOffer, ContractType, Preselection, Visibility
from publisher.formats.atom import entry_id
from publisher.formats.base import BaseExporter, apply_url, company_name, description_of, iso
from publisher.formats.base import json_compact as _dumps

__all__ = ["EMPLOYMENT_TYPES", "REQUIRED", "JsonLdExporter", "job_posting"]

#: Contract vocabulary -> schema.org employmentType.
EMPLOYMENT_TYPES: dict[ContractType, str] = {
    ContractType.CDI: "FULL_TIME",
    ContractType.CDD: "TEMPORARY",
    ContractType.INTERIM: "TEMPORARY",
    ContractType.CDI_INTERIM: "FULL_TIME",
    ContractType.SAISONNIER: "TEMPORARY",
    ContractType.APPRENTISSAGE: "OTHER",
    ContractType.PROFESSIONNALISATION: "OTHER",
    ContractType.STAGE: "INTERN",
    ContractType.INDEPENDANT: "CONTRACTOR",
    ContractType.INSERTION: "TEMPORARY",
    ContractType.AUTRE: "OTHER",
}
_UNITS = {"hour": "HOUR", "day": "DAY", "week": "WEEK", "month": "MONTH", "year": "YEAR"}
#: Properties every live JobPosting carries.
REQUIRED = (
    "title",
    "description",
    "datePosted",
    "validThrough",
    "hiringOrganization",
    "jobLocation",
    "employmentType",
    "identifier",
    "directApply",
)


def _employment_type(offer: CatalogueOffer) -> list[str]:
    types: list[str] = []
    ctype = offer.contract.type
    full = offer.working_time.full_time
    if ctype in (ContractType.CDI, ContractType.CDI_INTERIM) and full is False:
        types.append("PART_TIME")
    elif ctype is not None:
        types.append(EMPLOYMENT_TYPES[ctype])
    if full is not None and ctype not in (ContractType.CDI, ContractType.CDI_INTERIM):
        types.append("FULL_TIME" if full else "PART_TIME")
    return types or ["OTHER"]


def job_posting(
    offer: CatalogueOffer, link: str, *, fallback_date: datetime, valid_days: int = 30
) -> dict[str, Any]:
    """The schema.org JobPosting of one (already diffusion-filtered) offer."""
    dates = offer.dates
    posted = dates.published or dates.updated or fallback_date
    valid = dates.expires or posted + timedelta(days=valid_days)
    place = offer.place
    address: dict[str, Any] = {"@type": "PostalAddress", "addressCountry": place.country or "FR"}
    if place.city or place.label:
        address["addressLocality"] = place.city or place.label
    if place.postcode:
        address["postalCode"] = place.postcode
    if place.region or place.departement:
        address["addressRegion"] = place.region or place.departement
    org: dict[str, Any] = {"@type": "Organization", "name": company_name(offer)}
    anonyme = offer.diffusion.visibility is Visibility.ANONYME
    if not anonyme:
        if offer.employer.url:
            org["sameAs"] = offer.employer.url
        if offer.employer.logo:
            org["logo"] = offer.employer.logo
    posting: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "@id": entry_id(offer.id),
        "url": link,
        "title": offer.title,
        "description": description_of(offer),
        "datePosted": iso(posted),
        "validThrough": iso(valid),
        "hiringOrganization": org,
        "jobLocation": {"@type": "Place", "address": address},
        "employmentType": _employment_type(offer),
        "identifier": {"@type": "PropertyValue", "name": "jobgate", "value": offer.id},
        "directApply": offer.diffusion.preselection is Preselection.AUCUNE
        and not anonyme
        and bool(offer.employer.contact and offer.employer.contact.url),
    }
    if offer.employer.naf:
        posting["industry"] = offer.employer.naf
    if offer.rome.code:
        posting["occupationalCategory"] = offer.rome.code
    if offer.experience:
        posting["experienceRequirements"] = offer.experience
    sal = offer.salary
    if sal.min is not None or sal.max is not None:
        value: dict[str, Any] = {"@type": "QuantitativeValue"}
        if sal.min is not None and sal.max is not None and sal.min != sal.max:
            value["minValue"], value["maxValue"] = sal.min, sal.max
        else:
            value["value"] = sal.min if sal.min is not None else sal.max
        if sal.period in _UNITS:
            value["unitText"] = _UNITS[sal.period]
        posting["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": sal.currency or "EUR",
            "value": value,
        }
    contact = offer.employer.contact
    if contact is not None:
        point = {
            k: v
            for k, v in (
                ("name", contact.name),
                ("email", contact.email),
                ("telephone", contact.phone),
                ("url", contact.url or apply_url(offer)),
            )
            if v
        }
        if point:
            posting["applicationContact"] = {"@type": "ContactPoint", **point}
    return posting


class JsonLdExporter(BaseExporter):
    """A schema.org ``DataFeed`` of ``JobPosting`` items.

    Args:
        valid_days: ``validThrough`` for offers without an expiry date is
            ``datePosted`` plus this many days (jobgate's 30-day publication
            window).
    """

    media_type = "application/ld+json"

    def __init__(
        self,
        *,
        partner: PartnerSettings | str,
        base_url: str,
        title: str,
        updated: datetime | None = None,
        valid_days: int = 30,
    ) -> None:
        super().__init__(partner=partner, base_url=base_url, title=title, updated=updated)
        self.valid_days = valid_days

    def header(self) -> str:
        """Open the DataFeed."""
        head = {
            "@context": "https://schema.org",
            "@type": "DataFeed",
            "name": self.title,
            "url": self.base_url + "/",
            "dateModified": iso(self.updated),
        }
        return _dumps(head)[:-1] + ',"dataFeedElement":['

    def _sep(self) -> str:
        return ",\n" if self.count + self.deleted else "\n"

    def offer(self, offer: CatalogueOffer) -> str:
        """One DataFeedItem."""
        posting = job_posting(
            offer,
            self.offer_link(offer.id),
            fallback_date=self.updated,
            valid_days=self.valid_days,
        )
        modified = offer.dates.updated or offer.dates.published or self.updated
        item = {"@type": "DataFeedItem", "dateModified": iso(modified), "item": posting}
        return self._sep() + _dumps(item)

    def tombstone(self, offer_id: str, deleted_at: datetime) -> str:
        """A deleted DataFeedItem."""
        item = {
            "@type": "DataFeedItem",
            "dateDeleted": iso(deleted_at),
            "item": {
                "@type": "JobPosting",
                "@id": entry_id(offer_id),
                "identifier": {"@type": "PropertyValue", "name": "jobgate", "value": offer_id},
            },
        }
        return self._sep() + _dumps(item)

    def footer(self) -> str:
        """Close the DataFeed."""
        return "\n]}\n"
