"""Declared partner dialects: the record element and the field mapping of each format.

``external_id`` follows the contract: Indeed-style XML ``referencenumber``, else
``guid``, else ``url``; JobPosting ``identifier.value`` (or ``identifier``), else
``url``; RSS/Atom ``guid``/``id``, else the link; other dialects declare theirs.
A partner may override any entry with ``mapping`` in its configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Dialect:
    """How to find records in a partner format and map their fields."""

    name: str
    item_tag: str | None = None  # xml: element holding one record
    records_path: str | None = None  # json: where the list is
    mapping: dict[str, str] = field(default_factory=dict)


INDEED = Dialect(
    "indeed",
    item_tag="job",
    mapping={
        "external_id": "referencenumber | guid | url",
        "url": "url",
        "title": "title",
        "published": "date | date_updated",
        "expires": "expiration_date | date_expired",
        "company": "company",
        "city": "city | region/city",
        "region": "state | region/state",
        "country": "country | region/country",
        "postcode": "postalcode",
        "description": "description",
        "salary": "salary/#text | salary",
        "salary_min": "salary/min",
        "salary_max": "salary/max",
        "salary_period": "salary/rate",
        "salary_currency": "salary/currency | currency",
        "contract": "jobtype",
        "experience": "experience",
        "qualification": "education",
    },
)

HELLOWORK = Dialect(
    "hellowork",
    item_tag="job",
    mapping={
        "external_id": "guid | job_id",
        "url": "url",
        "title": "title",
        "description": "description",
        "profile": "profile + benefits",
        "company": "company_title",
        "company_description": "company_description",
        "logo": "company_logo | logo",
        "siret": "siret",
        "naf": "naf_code",
        "place": "address",
        "city": "city",
        "postcode": "postal_code",
        "departement": "department",
        "region": "region",
        "country": "country",
        "geoloc": "geoloc",
        "published": "publication_date",
        "updated": "updated_date",
        "contract": "contract",
        "contract_duration": "contract_period_value",
        "working_time": "job_time",
        "salary": "salary",
        "experience": "experience",
        "qualification": "qualification",
        "rome_code": "code_rome",
    },
)

APEC = Dialect(
    "apec",
    item_tag="Offre_emploi",
    mapping={
        "external_id": "Reference_apec",
        "url": "URL",
        "title": "Intitule",
        "published": "Date_parution",
        "contract": "Contrat/Type_contrat",
        "contract_duration": "Contrat/Duree_contrat",
        "experience": "Niveau_experience",
        "qualification": "Statut",
        "salary": "Salaire_affiche",
        "naf": "Secteur_activite/NAF_secteur",
        "description": "Texte_offre",
        "company": "Nom_entreprise",
        "insee": "Lieu/COG_lieu",
        "city": "Lieu/Libelle_lieu",
    },
)

TALENTSOFT_XML = Dialect(
    "talentsoft",
    item_tag="offer",
    mapping={
        "external_id": "reference | id",
        "url": "directUrl",
        "title": "jobDescription/title",
        "description": "jobDescription/description + jobDescription/missionDescriptionFormatted",
        "profile": "jobDescription/applicantProfileFormatted | jobDescription/applicantProfile",
        "company_description": "entityDescription",
        "company": "jobDescription/salaryRange",
        "contact_name": "mainSupervisor/FullName",
        "contact_email": "mainSupervisor/Email",
        "contact_phone": "mainSupervisor/PhoneNumber",
        "published": "creationDate",
        "updated": "modificationDate",
        "contract": "jobDescription/contract",
        "contract_duration": "jobDescription/contractLength",
        "city": "jobDescription/location/jobLocation",
        "departement": "jobDescription/location/departements/departement",
        "region": "jobDescription/location/regions/region",
        "salary": "applicantCriteria/customFields/list1",
        "experience": "applicantCriteria/experienceLevel",
    },
)

TALENTVIEW = Dialect(
    "talentview",
    item_tag="job",
    mapping={
        "external_id": "id | url",
        "url": "url",
        "title": "name",
        "description": "html_description | description",
        "profile": "html_profile | profile",
        "company": "company/name",
        "company_description": "company/company_description",
        "city": "address/city",
        "postcode": "address/postal_code",
        "country": "address/country",
        "latitude": "address/latitude",
        "longitude": "address/longitude",
        "published": "created_at",
        "updated": "last_activation_at",
        "contract": "job_type",
        "contract_duration": "contract_duration",
        "working_time": "working_time",
        "salary_min": "salary/min",
        "salary_max": "salary/max",
    },
)

JOBPOSTING = Dialect(
    "jobposting",
    mapping={
        "external_id": "identifier/value | identifier | url",
        "url": "url",
        "title": "title",
        "description": "description",
        "company": "hiringOrganization/name",
        "company_url": "hiringOrganization/sameAs | hiringOrganization/url",
        "logo": "hiringOrganization/logo",
        "published": "datePosted",
        "expires": "validThrough",
        "contract": "employmentType",
        "city": "jobLocation/address/addressLocality",
        "postcode": "jobLocation/address/postalCode",
        "region": "jobLocation/address/addressRegion",
        "country": "jobLocation/address/addressCountry",
        "latitude": "jobLocation/geo/latitude",
        "longitude": "jobLocation/geo/longitude",
        "salary_min": "baseSalary/value/minValue | baseSalary/value/value",
        "salary_max": "baseSalary/value/maxValue",
        "salary_period": "baseSalary/value/unitText",
        "salary_currency": "baseSalary/currency",
        "experience": "experienceRequirements",
        "qualification": "educationRequirements",
    },
)

DECATHLON = Dialect(
    "decathlon",
    records_path="ads",
    mapping={
        "external_id": "reference",
        "url": "apply_url",
        "title": "title",
        "description": "description",
        "profile": "profile",
        "company": "brand/name | entity/public_name",
        "logo": "brand/logo",
        "published": "published_at",
        "contract": "contract_type",
        "contract_duration": "contract_duration/max | contract_duration/min",
        "working_time": "contract_work_period",
        "salary_min": "salary/min",
        "salary_max": "salary/max",
        "salary_period": "salary/kind",
        "salary_currency": "salary/currency",
        "experience": "experience_level",
        "qualification": "education_level",
        "place": "address/formatted",
        "city": "address/parts/city",
        "postcode": "address/parts/zip",
        "departement": "address/parts/county",
        "region": "address/parts/state",
        "country": "address/parts/country",
        "latitude": "address/position/lat",
        "longitude": "address/position/lon",
    },
)

TALENTSOFT_JSON = Dialect(
    "talentsoft-json",
    mapping={
        "external_id": "reference",
        "url": "offerUrl",
        "title": "title",
        "description": "description1Formatted + description2Formatted | description1 + description2",
        "company": "organisationName",
        "company_description": "organisationDescription",
        "logo": "organisationLogoUrl",
        "published": "startPublicationDate",
        "updated": "modificationDate",
        "contract": "contractType/label",
        "salary": "salaryRange/label",
        "place": "geographicalLocation/0/label | location/label",
        "latitude": "latitude",
        "longitude": "longitude",
    },
)

MONSTER_RSS = Dialect(
    "monster",
    mapping={
        "external_id": "id | postingid | link",
        "url": "link",
        "title": "title",
        "description": "jobbody | summary",
        "company": "companyname",
        "siret": "siretnumber",
        "postcode": "jobpostalcode",
        "city": "jobcity",
        "region": "state",
        "country": "country",
        "latitude": "latitude",
        "longitude": "longitude",
        "published": "jobactivedate | published",
        "contract": "jobtype",
        "working_time": "jobstatus",
        "logo": "companyjoblogourl",
    },
)

RSS = Dialect(
    "rss",
    mapping={
        "external_id": "id | link",
        "url": "link",
        "title": "title",
        "description": "content/0/value | summary",
        "published": "published | updated",
        "updated": "updated",
        "company": "author",
        "place": "location",
    },
)

DIALECTS: dict[str, Dialect] = {
    d.name: d
    for d in (
        INDEED, HELLOWORK, APEC, TALENTSOFT_XML, TALENTVIEW, JOBPOSTING, DECATHLON,
        TALENTSOFT_JSON, MONSTER_RSS, RSS,
    )
}
# Jooble and Meteojob feeds are Indeed-style.
DIALECTS["jooble"] = INDEED
DIALECTS["meteojob"] = TALENTVIEW
