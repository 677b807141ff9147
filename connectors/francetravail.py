"""France Travail "Offres d'emploi v2".

With a file (or a URL serving a saved body) it reads a search response
(``{"resultats": [...]}``), a JSON array of offers, or one offer object, so saved
payloads replay offline. Offers with ``origineOffre.origine == "1"`` are the
public service's own; ``"2"`` are partner offers whose boards are kept from
``partenaires[]`` as provenance.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from connectors.base import Connector
from connectors.dialects import DIALECTS, Dialect
from connectors.jsonapi import find_records, load_json
from jobgate.errors import RecordError

DIALECTS["francetravail"] = Dialect(
    "francetravail",
    records_path=None,
    mapping={
        "external_id": "id",
        "url": "origineOffre/urlOrigine",
        "title": "intitule",
        "description": "description",
        "company": "entreprise/nom",
        "company_description": "entreprise/description",
        "company_url": "entreprise/url",
        "logo": "entreprise/logo",
        "siret": "entreprise/siret",
        "naf": "codeNAF",
        "contact_name": "contact/nom",
        "contact_email": "contact/courriel",
        "contact_phone": "contact/telephone",
        "contact_url": "contact/urlPostulation | contact/urlRecruteur",
        "agency_email": "agence/courriel",
        "agency_phone": "agence/telephone",
        "place": "lieuTravail/libelle",
        "postcode": "lieuTravail/codePostal",
        "insee": "lieuTravail/commune",
        "latitude": "lieuTravail/latitude",
        "longitude": "lieuTravail/longitude",
        "contract": "typeContrat",
        "contract_duration": "typeContratLibelle",
        "contract_nature": "natureContrat",
        "working_time": "dureeTravailLibelle",
        "working_time_converted": "dureeTravailLibelleConverti",
        "salary": "salaire/libelle | salaire/commentaire",
        "experience": "experienceLibelle",
        "qualification": "qualificationLibelle",
        "rome_code": "romeCode",
        "appellation": "appellationlibelle | appellationLibelle",
        "published": "dateCreation",
        "updated": "dateActualisation",
        "origin": "origineOffre/origine",
        "carried_by": "origineOffre/partenaires[]/nom",
        "visibility": "diffusion/visibilite",
        "preselection": "diffusion/preselection",
        "diffusion_code": "codeDiffusion",
        "follow_up_due": "dateRelanceEmployeur",
    },
)


def describe_structured(record: dict[str, Any]) -> str:
    """A description from an offer's structured requirements (skills, qualities, training).

    Some offers carry no free text; what the public site shows them with is this.
    """
    parts: list[str] = []
    skills = [c.get("libelle") for c in record.get("competences") or [] if isinstance(c, dict)]
    if any(skills):
        parts.append("Compétences :\n" + "\n".join(f"- {s}" for s in skills if s))
    qualities = [q.get("libelle") for q in record.get("qualitesProfessionnelles") or [] if isinstance(q, dict)]
    if any(qualities):
        parts.append("Qualités professionnelles :\n" + "\n".join(f"- {q}" for q in qualities if q))
    training = [
        " ".join(x for x in (f.get("niveauLibelle"), f.get("domaineLibelle")) if x)
        for f in record.get("formations") or [] if isinstance(f, dict)
    ]
    if any(training):
        parts.append("Formation :\n" + "\n".join(f"- {t}" for t in training if t))
    if record.get("experienceLibelle"):
        parts.append(f"Expérience : {record['experienceLibelle']}")
    return "\n\n".join(parts)


class FranceTravailConnector(Connector):
    """France Travail offers: saved responses or the search API."""

    kind = "francetravail"
    default_dialect = "francetravail"

    def post_process(self, fields: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
        """Fill a missing description from the structured requirements."""
        if not fields.get("description"):
            text = describe_structured(record)
            if text:
                fields["description"] = text
        return fields

    def parse(self, stream: IO[bytes]) -> Iterator[dict[str, Any] | RecordError]:
        doc = load_json(stream, self.name)
        for i, rec in enumerate(find_records(doc, self.dialect.records_path)):
            if not isinstance(rec, dict):
                yield RecordError(self.name, f"#{i + 1}", f"offer is a {type(rec).__name__}, not an object")
                continue
            yield rec
