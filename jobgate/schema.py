"""The canonical offer: the one typed shape every stage reads and writes.

Connectors produce :class:`SourceRecord` values (a partner record with its fields
mapped to a flat, partner-neutral vocabulary, still as text). The normalizer turns
one into a :class:`CanonicalOffer` (parsed, ROME-coded, certified) or a
:class:`Rejection`. Dedup groups canonical offers into catalogue clusters, and the
publisher renders catalogue offers for partners. The JSON Schema of
:class:`CanonicalOffer` is written to ``docs/offer.schema.json`` by
``jobgate schema`` and checked by the tests.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, use_enum_values=False)


class ContractType(enum.StrEnum):
    """Closed vocabulary of contract types (France Travail codes map onto it)."""

    CDI = "CDI"  # contrat à durée indéterminée
    CDD = "CDD"  # contrat à durée déterminée
    INTERIM = "INTERIM"  # mission intérimaire (MIS), CDI intérimaire is CDI_INTERIM
    CDI_INTERIM = "CDI_INTERIM"
    SAISONNIER = "SAISONNIER"
    APPRENTISSAGE = "APPRENTISSAGE"
    PROFESSIONNALISATION = "PROFESSIONNALISATION"
    STAGE = "STAGE"
    INDEPENDANT = "INDEPENDANT"  # profession libérale, franchise, VDI, commercial
    INSERTION = "INSERTION"  # CDD / travail temporaire d'insertion
    AUTRE = "AUTRE"


class Visibility(enum.StrEnum):
    """What a candidate may see of the employer (diffusion mode, first axis)."""

    NOMINATIF = "nominatif"  # name and contact details shown
    VISIBILITE = "visibilite"  # name only
    ANONYME = "anonyme"  # nothing that identifies the employer


class Preselection(enum.StrEnum):
    """Whether candidates go through the counsellor (diffusion mode, second axis)."""

    AUCUNE = "aucune"
    VERIFICATION = "verification"
    VALORISATION = "valorisation"
    EVALUATION = "evaluation"


class OfferStatus(enum.StrEnum):
    """Lifecycle state of a source record's offer."""

    PUBLISHED = "published"
    HELD = "held"  # kept for human review (low ROME confidence, WARN findings)
    REJECTED = "rejected"  # failed certification; kept with its findings
    QUARANTINED = "quarantined"  # could not be parsed; kept with its reason
    CLOSED = "closed"  # filled, withdrawn, expired or gone from a full snapshot


class Severity(enum.StrEnum):
    """Severity of a certification finding."""

    REJECT = "REJECT"
    WARN = "WARN"
    INFO = "INFO"


class CertificationStatus(enum.StrEnum):
    """Outcome of certification over all findings."""

    CERTIFIED = "certified"
    WARNING = "warning"
    REJECTED = "rejected"


class Source(_Model):
    """Where a record comes from."""

    partner: str
    external_id: str
    url: str | None = None


class Contact(_Model):
    """A person or channel to apply through."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    url: str | None = None


class Employer(_Model):
    """The employer as the source gives it (diffusion decides what is shown)."""

    name: str | None = None
    siret: str | None = None
    naf: str | None = None
    description: str | None = None
    url: str | None = None
    logo: str | None = None
    contact: Contact | None = None
    #: SIRENE says the establishment is not diffusible (ID-02): its address is never published.
    non_diffusible: bool = False


class Place(_Model):
    """Place of work."""

    label: str | None = None
    city: str | None = None
    postcode: str | None = None
    insee: str | None = None
    departement: str | None = None
    region: str | None = None
    country: str | None = "FR"
    latitude: float | None = None
    longitude: float | None = None


class Contract(_Model):
    """Contract type from the closed vocabulary, with duration and original text."""

    type: ContractType | None = None
    duration_months: float | None = None
    original: str | None = None


class WorkingTime(_Model):
    """Full or part time, with weekly hours when known."""

    full_time: bool | None = None
    hours_per_week: float | None = None
    original: str | None = None


class Salary(_Model):
    """Pay as parsed from the source text; ``yearly_*`` are gross yearly equivalents."""

    min: float | None = None
    max: float | None = None
    period: str | None = None  # hour | day | week | month | year
    currency: str | None = "EUR"
    yearly_min: float | None = None
    yearly_max: float | None = None
    original: str | None = None


class Rome(_Model):
    """ROME coding of the offer."""

    code: str | None = None  # one of the 532 main codes
    fiche: str | None = None  # ROME 4.0 fiche code (may equal ``code``)
    ogr: str | None = None
    appellation: str | None = None
    score: float = 0.0
    method: str = "none"
    alternatives: list[dict[str, Any]] = Field(default_factory=list)


class Dates(_Model):
    """Publication dates, timezone-aware UTC (a source time without zone is read as Paris time)."""

    published: datetime | None = None
    updated: datetime | None = None
    expires: datetime | None = None


class Diffusion(_Model):
    """Diffusion mode chosen by the employer."""

    visibility: Visibility = Visibility.NOMINATIF
    preselection: Preselection = Preselection.AUCUNE


class Finding(_Model):
    """One certification finding."""

    id: str
    severity: Severity
    message: str
    basis: str | None = None
    field: str | None = None
    evidence: str | None = None


class Certification(_Model):
    """Certification outcome with every finding."""

    status: CertificationStatus = CertificationStatus.CERTIFIED
    findings: list[Finding] = Field(default_factory=list)


class HistoryEntry(_Model):
    """One lifecycle event of an offer."""

    at: datetime
    event: str
    reason: str | None = None


class CanonicalOffer(_Model):
    """A partner offer, parsed, ROME-coded and certified."""

    source: Source
    title: str
    title_original: str | None = None
    description: str = ""
    description_html: str | None = None
    employer: Employer = Field(default_factory=Employer)
    place: Place = Field(default_factory=Place)
    contract: Contract = Field(default_factory=Contract)
    working_time: WorkingTime = Field(default_factory=WorkingTime)
    salary: Salary = Field(default_factory=Salary)
    experience: str | None = None
    qualification: str | None = None
    rome: Rome = Field(default_factory=Rome)
    dates: Dates = Field(default_factory=Dates)
    diffusion: Diffusion = Field(default_factory=Diffusion)
    certification: Certification = Field(default_factory=Certification)
    status: OfferStatus = OfferStatus.PUBLISHED
    status_reason: str | None = None
    # "1": entered at the public service; "2": partner offer (France Travail semantics);
    # None for offers collected from a partner's own feed.
    origin: str | None = None
    public_service: bool = False
    carried_by: list[str] = Field(default_factory=list)  # boards listed by the source
    # Public-service offers: the counsellor channel (agency e-mail/phone, offer URL)
    # candidates use when the employer chose a preselection.
    counsellor: Contact | None = None
    history: list[HistoryEntry] = Field(default_factory=list)


class SourceRecord(_Model):
    """A partner record as a connector yields it: external id, mapped fields, payload.

    ``fields`` uses the flat vocabulary of :data:`RECORD_FIELDS`; values are the
    partner's text, untouched apart from XML/JSON decoding. ``payload`` is the
    original record, kept so nothing is lost.
    """

    partner: str
    external_id: str
    fields: dict[str, Any]
    payload: dict[str, Any]


class Rejection(_Model):
    """A record the normalizer could not turn into an offer (it is quarantined)."""

    partner: str
    external_id: str
    reason: str
    field: str | None = None


#: The flat field vocabulary connectors map partner records onto.
RECORD_FIELDS: dict[str, str] = {
    "url": "link to the original offer",
    "title": "offer title",
    "description": "description, plain text or HTML",
    "profile": "profile sought (appended to the description)",
    "company": "employer name",
    "company_description": "employer presentation",
    "company_url": "employer website",
    "logo": "employer logo URL",
    "siret": "employer SIRET",
    "naf": "NAF/APE code",
    "contact_name": "contact person",
    "contact_email": "contact e-mail",
    "contact_phone": "contact phone",
    "contact_url": "application URL",
    "place": "place label as written",
    "city": "city",
    "postcode": "postcode",
    "insee": "INSEE commune code",
    "departement": "département code or name",
    "region": "region",
    "country": "country",
    "latitude": "latitude",
    "longitude": "longitude",
    "contract": "contract type code or label",
    "contract_duration": "contract duration text",
    "contract_nature": "nature of the contract (apprenticeship...)",
    "working_time": "working time text",
    "working_time_converted": "full or part time, as the source classifies it",
    "salary": "salary text",
    "salary_min": "salary minimum",
    "salary_max": "salary maximum",
    "salary_period": "salary period",
    "salary_currency": "salary currency",
    "experience": "experience asked",
    "qualification": "qualification",
    "rome_code": "ROME code given by the source",
    "appellation": "ROME appellation given by the source",
    "published": "publication date",
    "updated": "update date",
    "expires": "expiry date",
    "origin": "France Travail origineOffre.origine",
    "carried_by": "list of boards carrying the offer",
    "visibility": "diffusion visibility",
    "preselection": "diffusion preselection",
    "diffusion_code": "legacy diffusion code (A, C)",
    "follow_up_due": "date the employer's follow-up answer is due",
    "agency_email": "public-service agency e-mail (counsellor channel)",
    "agency_phone": "public-service agency phone",
    "geoloc": "latitude,longitude in one string",
}


class SourceRef(_Model):
    """One source carrying a catalogue offer (provenance)."""

    partner: str
    external_id: str
    url: str | None = None
    status: OfferStatus = OfferStatus.PUBLISHED
    first_seen: datetime | None = None
    last_seen: datetime | None = None


class CatalogueOffer(CanonicalOffer):
    """A catalogue offer: one job, the best value of each field, every source."""

    id: str
    sources: list[SourceRef] = Field(default_factory=list)
