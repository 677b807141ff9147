"""Real France Travail sample offers mapped minimally to catalogue offers.

Used by the publisher tests (through ``conftest.py``) and by
``bench/publish_bench.py``. The mapping is deliberately small: enough fields
for every format and every diffusion rule, not the normalizer's job.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from jobgate.schema import (
    CatalogueOffer,
    Contact,
    Contract,
    ContractType,
    Dates,
    Employer,
    Place,
    Rome,
    Salary,
    Source,
    SourceRef,
    WorkingTime,
)
from publisher import diffusion_of

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "france_travail"

_CONTRACTS = {
    "CDI": ContractType.CDI,
    "CDD": ContractType.CDD,
    "MIS": ContractType.INTERIM,
    "SAI": ContractType.SAISONNIER,
    "DIN": ContractType.CDI_INTERIM,
    "LIB": ContractType.INDEPENDANT,
    "FRA": ContractType.INDEPENDANT,
}
_SALARY_RE = re.compile(r"(Mensuel|Annuel|Horaire) de ([\d.,]+) Euros(?: à ([\d.,]+) Euros)?")
_PERIODS = {"Mensuel": "month", "Annuel": "year", "Horaire": "hour"}


def ft_records() -> list[dict[str, Any]]:
    """Every offer object of the France Travail sample files."""
    out: list[dict[str, Any]] = []
    for path in sorted(SAMPLES_DIR.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and "resultats" in doc:
            recs = doc["resultats"]
        elif isinstance(doc, list):
            recs = doc
        else:
            recs = [doc]
        out.extend(r for r in recs if isinstance(r, dict) and r.get("id"))
    return out


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _num(s: str | None) -> float | None:
    return float(s.replace(",", ".")) if s else None


def offer_from_ft(rec: dict[str, Any], *, offer_id: str | None = None) -> CatalogueOffer:
    """Map one France Travail offer object to a :class:`CatalogueOffer`."""
    ent = rec.get("entreprise") or {}
    con = rec.get("contact") or {}
    lieu = rec.get("lieuTravail") or {}
    orig = rec.get("origineOffre") or {}
    sal = rec.get("salaire") or {}
    label = lieu.get("libelle")
    dep = city = None
    if label:
        m = re.match(r"^(\d{2,3}|2[AB]) - (.+)$", label)
        if m:
            dep, city = m.group(1), m.group(2)
    smin = smax = None
    period = None
    m2 = _SALARY_RE.search(sal.get("libelle") or "")
    if m2:
        period = _PERIODS[m2.group(1)]
        smin, smax = _num(m2.group(2)), _num(m2.group(3)) or _num(m2.group(2))
    fields = {
        "company": ent.get("nom"),
        "contact_name": con.get("nom"),
        "contact_email": con.get("courriel"),
        "contact_phone": con.get("telephone"),
        "contact_url": con.get("urlPostulation"),
        "agency_email": (rec.get("agence") or {}).get("courriel"),
    }
    public = orig.get("origine") == "1"
    oid = offer_id or f"jg-{rec['id']}"
    converted = rec.get("dureeTravailLibelleConverti")
    return CatalogueOffer(
        id=oid,
        source=Source(partner="francetravail", external_id=rec["id"], url=orig.get("urlOrigine")),
        title=rec.get("intitule") or "(sans titre)",
        description=rec.get("description") or "",
        employer=Employer(
            name=ent.get("nom"),
            naf=rec.get("codeNAF"),
            url=ent.get("url"),
            logo=ent.get("logo"),
            description=ent.get("description"),
            contact=Contact(
                name=con.get("nom"),
                email=con.get("courriel"),
                phone=con.get("telephone"),
                url=con.get("urlPostulation"),
            )
            if con
            else None,
        ),
        place=Place(
            label=label,
            city=city,
            postcode=lieu.get("codePostal"),
            insee=lieu.get("commune"),
            departement=dep,
            latitude=lieu.get("latitude"),
            longitude=lieu.get("longitude"),
        ),
        contract=Contract(
            type=_CONTRACTS.get(rec.get("typeContrat") or "", ContractType.AUTRE),
            original=rec.get("typeContratLibelle"),
        ),
        working_time=WorkingTime(
            full_time=None if converted is None else converted == "Temps plein",
            original=rec.get("dureeTravailLibelle"),
        ),
        salary=Salary(min=smin, max=smax, period=period, original=sal.get("libelle")),
        experience=rec.get("experienceLibelle"),
        qualification=rec.get("qualificationLibelle"),
        rome=Rome(code=rec.get("romeCode"), appellation=rec.get("appellationlibelle")),
        dates=Dates(
            published=_dt(rec.get("dateCreation")), updated=_dt(rec.get("dateActualisation"))
        ),
        diffusion=diffusion_of(fields),
        origin=orig.get("origine"),
        public_service=public,
        carried_by=[p.get("nom") for p in orig.get("partenaires") or [] if p.get("nom")],
        sources=[
            SourceRef(partner="francetravail", external_id=rec["id"], url=orig.get("urlOrigine"))
        ],
    )


def public_service_offers() -> list[CatalogueOffer]:
    """The sample offers entered at the public service (``origine == "1"``)."""
    return [
        offer_from_ft(r)
        for r in ft_records()
        if (r.get("origineOffre") or {}).get("origine") == "1"
    ]


def cycle_offers(n: int, base: list[CatalogueOffer] | None = None) -> Iterator[CatalogueOffer]:
    """``n`` offers cycling through ``base`` with distinct ids (lazily)."""
    base = base or public_service_offers()
    for i in range(n):
        o = base[i % len(base)]
        yield o.model_copy(update={"id": f"{o.id}-{i}"})
