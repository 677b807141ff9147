"""Coverage and speed of the field parsers over real France Travail offers and partner samples.

Usage::

    python bench/fields_coverage.py [--fixtures tests/fixtures]

Prints, for the 3,150 France Travail offers of 2025-11-13 (and the older FT samples),
the share of offers whose contract type, département, publication date, working time
and salary were parsed, then the same checks over the partner samples, and the
throughput of the whole set of parsers.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from normalizer.fields import (
    clean_title,
    html_to_text,
    parse_contract,
    parse_date,
    parse_place,
    parse_salary,
    parse_working_time,
    safe_html,
)
from normalizer.fields.data.geo import DEPARTEMENTS

_DIGIT = re.compile(r"\d")
_FT_CODE_LABEL = re.compile(r"^(\d\w|97\d) - ")
_DEPARTEMENT_CODES = frozenset(DEPARTEMENTS)
# Place labels that name no département: a country, "France" or a region.
_NOT_A_DEPARTEMENT = re.compile(
    r"allemagne|portugal|espagne|belgique|suisse|luxembourg|italie|^france$|^rome$|^97[578] - "
    r"|^(?:[iî]le-de-france|bretagne|nouvelle-aquitaine|occitanie|normandie|grand est)$",
    re.IGNORECASE,
)


def _ft_offers(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _ft_samples(folder: Path) -> Iterator[dict[str, Any]]:
    for file in sorted(folder.glob("*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            data = data.get("resultats", [data])
        yield from data


def _share(counter: Counter[str], key: str, total_key: str) -> str:
    total = counter[total_key]
    return f"{counter[key]:>5}/{total:<5} {100.0 * counter[key] / total:6.2f} %" if total else "n/a"


def measure_ft(offers: Iterable[dict[str, Any]]) -> tuple[Counter[str], list[str]]:
    """Run every parser over France Travail offers; count what was parsed."""
    c: Counter[str] = Counter()
    misses: list[str] = []
    for offer in offers:
        c["offers"] += 1
        contract = parse_contract(offer.get("typeContrat") or offer.get("typeContratLibelle"),
                                  offer.get("typeContratLibelle"), nature=offer.get("natureContrat"))
        c["contract"] += contract.type is not None
        lieu = offer.get("lieuTravail") or {}
        place = parse_place(lieu.get("libelle"), postcode=lieu.get("codePostal"),
                            insee=lieu.get("commune"), latitude=lieu.get("latitude"),
                            longitude=lieu.get("longitude"))
        c["departement"] += place.departement is not None
        label = lieu.get("libelle") or ""
        coded = _FT_CODE_LABEL.match(label)
        if coded and coded.group(1) in _DEPARTEMENT_CODES:
            c["coded_label"] += 1
            c["coded_label_match"] += place.departement == coded.group(1)
        if not _NOT_A_DEPARTEMENT.search(label):
            c["french_place"] += 1
            c["french_departement"] += place.departement is not None
            if place.departement is None:
                misses.append(f"place: {label!r}")
        try:
            c["published"] += parse_date(offer.get("dateCreation")) is not None
            c["updated"] += parse_date(offer.get("dateActualisation")) is not None
        except ValueError as exc:
            misses.append(f"date: {exc}")
        wt = parse_working_time(offer.get("dureeTravailLibelle"),
                                offer.get("dureeTravailLibelleConverti"))
        if offer.get("dureeTravailLibelle") or offer.get("dureeTravailLibelleConverti"):
            c["worktime_text"] += 1
            c["worktime"] += wt.full_time is not None
        if offer.get("dureeTravailLibelle") and _DIGIT.search(offer["dureeTravailLibelle"]):
            c["hours_text"] += 1
            c["hours"] += wt.hours_per_week is not None
        salaire = offer.get("salaire") or {}
        libelle = salaire.get("libelle")
        if libelle and _DIGIT.search(libelle):
            c["salary_text"] += 1
            salary = parse_salary(libelle)
            c["salary_min"] += salary.min is not None
            c["salary_yearly"] += salary.yearly_min is not None
            if salary.min is None:
                misses.append(f"salary: {libelle!r}")
        comment = salaire.get("commentaire")
        if not libelle and comment and _DIGIT.search(comment):
            c["comment_text"] += 1
            c["comment_min"] += parse_salary(comment).min is not None
        clean_title(offer.get("intitule") or "")
    return c, misses


def time_parsers(offers: list[dict[str, Any]]) -> dict[str, float]:
    """Calls per second of each parser over the France Travail offers' fields."""
    jobs: dict[str, list[tuple[Any, ...]]] = {
        "parse_contract": [(o.get("typeContrat"), o.get("typeContratLibelle")) for o in offers],
        "parse_place": [((o.get("lieuTravail") or {}).get("libelle"),) for o in offers],
        "parse_date": [(o.get("dateCreation"),) for o in offers],
        "parse_working_time": [(o.get("dureeTravailLibelle"),) for o in offers],
        "parse_salary": [((o.get("salaire") or {}).get("libelle"),) for o in offers],
        "clean_title": [(o.get("intitule") or "",) for o in offers],
        "html_to_text": [(o.get("description") or "",) for o in offers],
        "safe_html": [(o.get("description") or "",) for o in offers],
    }
    functions: dict[str, Callable[..., Any]] = {"parse_contract": parse_contract, "parse_place": parse_place,
                 "parse_date": parse_date, "parse_working_time": parse_working_time,
                 "parse_salary": parse_salary, "clean_title": clean_title,
                 "html_to_text": html_to_text, "safe_html": safe_html}
    rates: dict[str, float] = {}
    for name, args_list in jobs.items():
        function = functions[name]
        start = time.perf_counter()
        for args in args_list:
            function(*args)
        rates[name] = len(args_list) / (time.perf_counter() - start)
    return rates


def _xml_jobs(path: Path, tag: str) -> list[etree._Element]:
    return list(etree.parse(str(path)).getroot().iter(tag))


def _t(el: etree._Element, path: str) -> str | None:
    found = el.find(path)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def measure_samples(samples: Path) -> dict[str, Counter[str]]:
    """Contract, département and date coverage over each partner sample."""
    out: dict[str, Counter[str]] = {}

    def record(name: str, contract: Any, place: Any, date: Any, salary: Any = None) -> None:
        c = out.setdefault(name, Counter())
        c["records"] += 1
        c["contract"] += contract is not None and contract.type is not None
        c["departement"] += place is not None and place.departement is not None
        c["date"] += date is not None
        if salary is not None and salary.original and _DIGIT.search(salary.original):
            c["salary_text"] += 1
            c["salary_min"] += salary.min is not None

    xml = samples / "partner_xml"
    for job in _xml_jobs(xml / "hellowork_feed.xml", "job"):
        record("hellowork", parse_contract(_t(job, "contract"), _t(job, "contract_period_value")),
               parse_place(_t(job, "city"), city=_t(job, "city"), postcode=_t(job, "postal_code"),
                           departement=_t(job, "department"), region=_t(job, "region")),
               parse_date(_t(job, "publication_date")))
    for job in _xml_jobs(xml / "jooble_feed.xml", "job"):
        record("jooble", parse_contract(_t(job, "jobtype")),
               parse_place(_t(job, "region/state"), city=_t(job, "region/city"),
                           country=_t(job, "region/country")),
               parse_date(_t(job, "date_updated")),
               parse_salary(None, min_value=_t(job, "salary/min"), max_value=_t(job, "salary/max"),
                            period=_t(job, "salary/rate"), currency=_t(job, "salary/currency")))
    for job in _xml_jobs(xml / "talentview_kelio_source_publisher_feed.xml", "job"):
        record("talentview", parse_contract(_t(job, "job_type"), _t(job, "contract_duration")),
               parse_place(city=_t(job, "address/city"), postcode=_t(job, "address/postal_code"),
                           country=_t(job, "address/country"),
                           latitude=_t(job, "address/latitude"),
                           longitude=_t(job, "address/longitude")),
               parse_date(_t(job, "created_at")))
        html_to_text(_t(job, "html_description"))
    for job in _xml_jobs(xml / "apec_export_offres.xml", "Offre_emploi"):
        record("apec", parse_contract(_t(job, "Contrat/Type_contrat"),
                                      _t(job, "Contrat/Duree_contrat")),
               parse_place(_t(job, "Lieu/Libelle_lieu"), insee=_t(job, "Lieu/COG_lieu")),
               parse_date(_t(job, "Date_parution")), parse_salary(_t(job, "Salaire_affiche")))
        html_to_text(_t(job, "Texte_offre"))
    for job in _xml_jobs(xml / "edf_talentsoft_offers.xml", "offer"):
        record("edf_talentsoft", parse_contract(_t(job, "jobDescription/contract")),
               parse_place(departement=_t(job, ".//departements/departement"),
                           region=_t(job, ".//regions/region"),
                           country=_t(job, "entityAdress/country")),
               parse_date(_t(job, "creationDate")))
    for item in _xml_jobs(samples / "rss" / "monster_rss_items.xml", "item"):
        record("monster", parse_contract(_t(item, "JobType")),
               parse_place(city=_t(item, "JobCity"), postcode=_t(item, "JobPostalCode"),
                           region=_t(item, "State"), country=_t(item, "Country"),
                           latitude=_t(item, "Latitude"), longitude=_t(item, "Longitude")),
               parse_date(_t(item, "JobActiveDate")))
    deca = json.loads((samples / "partner_json" / "decathlon_ads.json").read_text("utf-8"))
    for ad in deca["ads"]:
        parts = ad["address"]["parts"]
        pos = ad["address"].get("position") or {}
        sal = ad.get("salary") or {}
        record("decathlon", parse_contract(ad.get("contract_type"), ad.get("contract_duration")),
               parse_place(ad["address"].get("formatted"), city=parts.get("city"),
                           postcode=parts.get("zip"), departement=parts.get("county"),
                           region=parts.get("state"), country=parts.get("country"),
                           latitude=pos.get("lat"), longitude=pos.get("lon")),
               parse_date(ad.get("published_at")),
               parse_salary(None, min_value=sal.get("min"), max_value=sal.get("max"),
                            period=sal.get("kind"), currency=sal.get("currency")))
    ts = json.loads((samples / "partner_json" / "francetravail_careers_talentsoft_offer.json")
                    .read_text("utf-8"))
    record("ft_careers_talentsoft", parse_contract(ts["contractType"]["label"]),
           parse_place(departement=(ts.get("region") or [{}])[0].get("label")),
           parse_date(ts.get("startPublicationDate")),
           parse_salary(ts["salaryRange"]["label"]))
    return out


def main() -> None:
    """Print coverage figures and throughput."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", default=Path(__file__).resolve().parents[1] / "tests" / "fixtures", type=Path)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    offers = list(_ft_offers(args.fixtures / "ft_offers/ft_offres_2025-11-13.jsonl.gz"))

    start = time.perf_counter()
    counts, misses = measure_ft(offers)
    elapsed = time.perf_counter() - start
    print(f"France Travail offers 2025-11-13 ({counts['offers']} offers)")
    rows = [
        ("contract type", "contract", "offers"),
        ("département (all offers)", "departement", "offers"),
        ("département (labels naming a French place)", "french_departement", "french_place"),
        ("département = NN of an FT \"NN - X\" label", "coded_label_match", "coded_label"),
        ("publication date (dateCreation)", "published", "offers"),
        ("update date (dateActualisation)", "updated", "offers"),
        ("full/part time (text present)", "worktime", "worktime_text"),
        ("weekly hours (text with a digit)", "hours", "hours_text"),
        ("salary min (salaire.libelle with a digit)", "salary_min", "salary_text"),
        ("salary yearly equivalent (same)", "salary_yearly", "salary_text"),
        ("salary min (commentaire with a digit, no libelle)", "comment_min", "comment_text"),
    ]
    for name, key, total in rows:
        print(f"  {name:<52} {_share(counts, key, total)}")
    print(f"  throughput: {counts['offers'] / elapsed:,.0f} offers/s "
          "(contract, place, 2 dates, working time, salary, title)")
    if args.show_misses:
        for miss in Counter(misses).most_common(40):
            print("   miss:", miss)

    print("  per parser (calls/s over the same offers):")
    for name, rate in time_parsers(offers).items():
        print(f"    {name:<20} {rate:>10,.0f}")

    samples_ft, _ = measure_ft(_ft_samples(args.fixtures / "samples/france_travail"))
    print(f"\nFrance Travail samples 2022-2025 ({samples_ft['offers']} offers)")
    for name, key, total in rows:
        print(f"  {name:<52} {_share(samples_ft, key, total)}")

    print("\nPartner samples (records with contract type / département / date / salary min)")
    for name, c in measure_samples(args.fixtures / "samples").items():
        salary = f"{c['salary_min']}/{c['salary_text']}" if c["salary_text"] else "-"
        print(f"  {name:<24} n={c['records']:<3} contract {c['contract']:<3} "
              f"département {c['departement']:<3} date {c['date']:<3} salary {salary}")


if __name__ == "__main__":
    main()
