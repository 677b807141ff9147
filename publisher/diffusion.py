"""Diffusion policy: what one partner may see of one catalogue offer.

Two independent choices of the employer make the diffusion mode
(:class:`~jobgate.schema.Diffusion`):

============  ===========================================================
visibility    what is shown of the employer
============  ===========================================================
nominatif     name and contact details
visibilite    name only: no contact, SIRET, e-mail, phone, website
anonyme       nothing that identifies the employer, not even in the text
============  ===========================================================

With any preselection other than ``aucune`` candidates apply through the
counsellor in charge of the offer, so the recruiter's direct contact is never
shown, whatever the visibility.

Whenever the employer's own contact is hidden, :func:`visible_offer` puts the
public-service channel in its place (``employer.contact``): the agency e-mail
and phone when known and the offer's public-service URL (``source.url``), or
jobgate's own offer page for partner offers.

Everything here is pure: no I/O, no clock, inputs are never mutated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from jobgate.config import PartnerSettings, PublisherSettings
from jobgate.schema import CatalogueOffer, Contact, Diffusion, Place, Preselection, Visibility
from publisher.redact import Redactor, fold, is_public_service, phone_digits

__all__ = [
    "ANONYMOUS_EMPLOYER",
    "COUNSELLOR_NAME",
    "contact_hidden",
    "diffusion_of",
    "offer_url",
    "visible_offer",
]

#: Organisation name shown for anonymous offers where a format requires one
#: (schema.org ``hiringOrganization``, Indeed ``<company>``).
ANONYMOUS_EMPLOYER = "Entreprise anonyme"
#: Name of the replacement contact when candidates go through the public service.
COUNSELLOR_NAME = "Conseiller France Travail"

_VIS_ORDER = (Visibility.NOMINATIF, Visibility.VISIBILITE, Visibility.ANONYME)
_PRE_ORDER = (
    Preselection.AUCUNE,
    Preselection.VERIFICATION,
    Preselection.VALORISATION,
    Preselection.EVALUATION,
)
_VISIBILITY_WORDS: dict[str, Visibility] = {
    "nominatif": Visibility.NOMINATIF,
    "nominative": Visibility.NOMINATIF,
    "visibilite": Visibility.VISIBILITE,
    "anonyme": Visibility.ANONYME,
}
_PRESELECTION_WORDS: dict[str, Preselection] = {
    "aucune": Preselection.AUCUNE,
    "sans": Preselection.AUCUNE,
    "sans preselection": Preselection.AUCUNE,
    "non": Preselection.AUCUNE,
    "verification": Preselection.VERIFICATION,
    "avec": Preselection.VERIFICATION,
    "avec preselection": Preselection.VERIFICATION,
    "oui": Preselection.VERIFICATION,
    "valorisation": Preselection.VALORISATION,
    "evaluation": Preselection.EVALUATION,
}
_LEGACY_CODES: dict[str, Diffusion] = {
    "A": Diffusion(visibility=Visibility.NOMINATIF, preselection=Preselection.AUCUNE),
    "C": Diffusion(visibility=Visibility.ANONYME, preselection=Preselection.VERIFICATION),
}
# "94 - VILLEJUIF", "Paris", "Nouvelle-Aquitaine", "2A - AJACCIO": no street, no number.
_CITY_LABEL_RE = re.compile(r"^(?:\d{2,3}|2[AB])?(?:\s*-\s*)?[^\d,;]*$", re.IGNORECASE)
_CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone", "contact_url")


def _text(fields: Mapping[str, Any], key: str) -> str | None:
    value = fields.get(key)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _stricter_vis(a: Visibility, b: Visibility) -> Visibility:
    return max(a, b, key=_VIS_ORDER.index)


def _stricter_pre(a: Preselection, b: Preselection) -> Preselection:
    return max(a, b, key=_PRE_ORDER.index)


def diffusion_of(fields: Mapping[str, Any], *, strict: bool = False) -> Diffusion:
    """Derive the diffusion mode of a public-service record from its mapped fields.

    Reads ``visibility`` (nominatif | visibilite | anonyme), ``preselection``
    (aucune | verification | valorisation | evaluation; ``sans``/``avec`` are
    accepted) and the legacy ``diffusion_code`` (``A`` = nominatif without
    preselection, ``C`` = anonyme with preselection *vérification*). Matching
    ignores case and accents. When several fields are present and disagree, the
    most restrictive value of each axis wins.

    Without any diffusion field the mode is derived conservatively: no employer
    name (``company``) means *anonyme*; a name without any contact field means
    *visibilite*; otherwise *nominatif*. Preselection is *vérification* when the
    record gives only the agency channel (``agency_email``/``agency_phone``) and no
    contact of its own, else *aucune*.

    Unknown values: by default the axis falls back to its most restrictive value
    (*anonyme*, *évaluation*), so an offer is never shown more than its employer
    may have allowed and is still published. With ``strict=True`` a
    :class:`ValueError` naming the field and the value is raised instead, for
    callers that prefer to quarantine the record.

    Args:
        fields: a :class:`~jobgate.schema.SourceRecord`'s ``fields``.
        strict: raise on unknown values instead of falling back.

    Returns:
        The diffusion mode.

    Raises:
        ValueError: only with ``strict=True``, on an unknown value.
    """
    vis_raw = _text(fields, "visibility")
    pre_raw = _text(fields, "preselection")
    code_raw = _text(fields, "diffusion_code")

    visibility: Visibility | None = None
    preselection: Preselection | None = None

    def unknown(field: str, raw: str) -> None:
        if strict:
            raise ValueError(f"unknown diffusion {field} {raw!r}")

    if code_raw is not None:
        legacy = _LEGACY_CODES.get(code_raw.upper())
        if legacy is None:
            unknown("diffusion_code", code_raw)
            visibility, preselection = Visibility.ANONYME, Preselection.EVALUATION
        else:
            visibility, preselection = legacy.visibility, legacy.preselection
    if vis_raw is not None:
        v = _VISIBILITY_WORDS.get(" ".join(fold(vis_raw).split()))
        if v is None:
            unknown("visibility", vis_raw)
            v = Visibility.ANONYME
        visibility = v if visibility is None else _stricter_vis(visibility, v)
    if pre_raw is not None:
        p = _PRESELECTION_WORDS.get(" ".join(fold(pre_raw).replace("-", " ").split()))
        if p is None:
            unknown("preselection", pre_raw)
            p = Preselection.EVALUATION
        preselection = p if preselection is None else _stricter_pre(preselection, p)

    has_contact = any(_text(fields, k) for k in _CONTACT_FIELDS)
    if visibility is None:
        if not _text(fields, "company"):
            visibility = Visibility.ANONYME
        elif not has_contact:
            visibility = Visibility.VISIBILITE
        else:
            visibility = Visibility.NOMINATIF
    if preselection is None:
        has_agency = bool(_text(fields, "agency_email") or _text(fields, "agency_phone"))
        preselection = (
            Preselection.VERIFICATION if has_agency and not has_contact else Preselection.AUCUNE
        )
    return Diffusion(visibility=visibility, preselection=preselection)


def contact_hidden(diffusion: Diffusion) -> bool:
    """Whether the employer's own contact must be hidden in this mode."""
    return (
        diffusion.visibility is not Visibility.NOMINATIF
        or diffusion.preselection is not Preselection.AUCUNE
    )


def offer_url(base_url: str, offer_id: str) -> str:
    """jobgate's public page for a catalogue offer (override the route here only)."""
    return f"{base_url.rstrip('/')}/offers/{quote(offer_id, safe='')}"


def _agency_of(offer: CatalogueOffer, agency: Contact | None) -> Contact | None:
    if agency is not None:
        return agency
    return offer.counsellor


def _host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def visible_offer(
    offer: CatalogueOffer,
    partner: PartnerSettings,
    *,
    settings: PublisherSettings | None = None,
    agency: Contact | None = None,
    all_sources: bool = False,
) -> CatalogueOffer:
    """What ``partner`` may see of ``offer``: a redacted deep copy.

    Rules, by the offer's :class:`~jobgate.schema.Diffusion`:

    * *nominatif* without preselection: everything the catalogue has.
    * contact hidden (*visibilite*, *anonyme*, or any preselection): the
      employer's contact, SIRET and website are removed, every e-mail, French
      phone number, URL and SIRET/SIREN-shaped number that is not the public
      service's is masked in the free text, and ``employer.contact`` becomes the
      public-service channel (:data:`COUNSELLOR_NAME`, agency e-mail/phone, the
      offer's public-service URL).
    * *anonyme* also removes the name, logo, employer description, precise
      place (street label, coordinates; city, postcode, département and region
      stay) and masks the employer's name (case/accent-insensitive, with or
      without legal form) in every free-text field; source URLs that carry the
      name are dropped. NAF (a sector) stays.

    An establishment SIRENE marks non-diffusible (``employer.non_diffusible``) is
    shown at city level whatever the mode: no street label, no coordinates.

    Internal data never leaves: certification findings, history, ROME
    alternatives and status reason are cleared, and ``sources`` keeps only the
    offer's origin and the receiving partner's own listing (other boards' ids
    are none of this partner's business).

    Args:
        offer: the catalogue offer (not modified).
        partner: the receiving partner.
        settings: publisher settings (``base_url`` for jobgate's offer pages).
        agency: the counsellor channel; defaults to the offer's ``counsellor``.
        all_sources: keep every source (the public catalogue shows them all).

    Returns:
        A new :class:`~jobgate.schema.CatalogueOffer` sharing no mutable state
        with ``offer``.
    """
    settings = settings or PublisherSettings()
    # A deep copy rebuilt from a dump: pydantic-core does it in compiled code, several
    # times faster than copy.deepcopy through model_copy(deep=True), same values.
    out = type(offer).model_validate(offer.model_dump())
    out.certification.findings = []
    out.history = []
    out.rome.alternatives = []
    out.status_reason = None
    keep = {offer.source.partner, partner.name}
    if not all_sources:
        out.sources = [s for s in out.sources if s.partner in keep]

    if offer.employer.non_diffusible:
        # SIRENE non-diffusible establishment (ID-02): its address is never published.
        out.place = _coarse_place(out.place)
    diffusion = offer.diffusion
    anonyme = diffusion.visibility is Visibility.ANONYME
    if not contact_hidden(diffusion):
        return out

    emp = out.employer
    contact = emp.contact or Contact()
    agency_c = _agency_of(offer, agency)
    keep_hosts = [h for h in (_host_of(settings.base_url),) if h]
    keep_phones = [d for d in (phone_digits(agency_c.phone or "") if agency_c else None,) if d]

    names: list[str] = [contact.name] if contact.name else []
    literals: list[str] = []
    for value in (contact.email, contact.url, emp.url, emp.logo if anonyme else None):
        if value and not is_public_service(value, keep_hosts):
            literals.append(value)
            host = _host_of(value) if "://" in value or value.startswith("www.") else ""
            if "@" in value:
                host = value.rsplit("@", 1)[1]
            if host and not is_public_service(host, keep_hosts):
                literals.append(host)
    digits: list[str] = []
    if contact.phone:
        d = phone_digits(contact.phone)
        digits.append(d or contact.phone)
    if emp.siret:
        siret = "".join(c for c in emp.siret if c.isdigit())
        digits.extend([siret, siret[:9]])
    if anonyme and emp.name:
        names.append(emp.name)

    red = Redactor(
        names=names,
        literals=literals,
        digits=digits,
        contacts=True,
        numbers=True,
        keep_hosts=keep_hosts,
        keep_phones=keep_phones,
        spare=[emp.name] if emp.name and not anonyme else [],
    )

    # Public-service channel in place of the employer's own contact.
    channel_url = red.url(offer.source.url) or offer_url(settings.base_url, offer.id)
    emp.contact = Contact(
        name=COUNSELLOR_NAME if offer.public_service else None,
        email=agency_c.email if agency_c else None,
        phone=agency_c.phone if agency_c else None,
        url=channel_url,
    )
    emp.siret = None
    emp.url = None
    if anonyme:
        emp.name = None
        emp.logo = None
        emp.description = None
        out.place = _coarse_place(out.place)
    else:
        emp.description = red.text(emp.description)

    # Every free-text field.
    out.title = red.text(out.title) or ""
    out.title_original = red.text(out.title_original)
    out.description = red.text(out.description) or ""
    out.description_html = red.html(out.description_html)
    out.experience = red.text(out.experience)
    out.qualification = red.text(out.qualification)
    out.contract.original = red.text(out.contract.original)
    out.working_time.original = red.text(out.working_time.original)
    out.salary.original = red.text(out.salary.original)
    out.rome.appellation = red.text(out.rome.appellation)
    out.place.label = red.text(out.place.label)
    out.carried_by = [c for c in (red.text(c) for c in out.carried_by) if c]
    out.source.url = red.url(out.source.url)
    for s in out.sources:
        s.url = red.url(s.url)
    return out


def _coarse_place(place: Place) -> Place:
    """City-level place: no street label, no coordinates."""
    label = place.label
    if label and not _CITY_LABEL_RE.match(label.strip()):
        label = " - ".join(x for x in (place.departement, place.city) if x) or None
    return Place(
        label=label,
        city=place.city,
        postcode=place.postcode,
        insee=place.insee,
        departement=place.departement,
        region=place.region,
        country=place.country,
    )


#: The public site, seen as a recipient: it shows what any partner could show.
PUBLIC_SITE = PartnerSettings(name="public-site", connector="json", url="-", receives=("offers",))


def public_view(offer: CatalogueOffer, settings: PublisherSettings | None = None) -> CatalogueOffer:
    """What the public catalogue shows of ``offer``: its diffusion mode, every source."""
    return visible_offer(offer, PUBLIC_SITE, settings=settings, all_sources=True)
