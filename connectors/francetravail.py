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


class FranceTravailConnector(Connector):
    """France Travail offers: saved responses or the search API."""

    kind = "francetravail"
    default_dialect = "francetravail"

    def parse(self, stream: IO[bytes]) -> Iterator[dict[str, Any] | RecordError]:
        doc = load_json(stream, self.name)
        for i, rec in enumerate(find_records(doc, self.dialect.records_path)):
            if not isinstance(rec, dict):
                yield RecordError(self.name, f"#{i + 1}", f"offer is a {type(rec).__name__}, not an object")
                continue
            yield rec
