"""Measure certification: real offers (reject rate), fixture sets (recall, false rejects), speed.

Usage::

    python bench/certification_eval.py [--holdout] [--show-rejects N] [--speed-offers N]

Real data: the 3,150 France Travail offers of 2025-11-13 (as public-service offers,
and again as if a partner had sent them: public_service False, origin None), the FT
sample payloads, and the partner samples (XML, JSON, RSS), each parsed minimally here.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import html
import json
import re
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jobgate.schema import (  # noqa: E402
    CanonicalOffer,
    Certification,
    Contract,
    ContractType,
    Dates,
    Diffusion,
    Employer,
    Place,
    Salary,
    Severity,
    Source,
    Visibility,
    WorkingTime,
)
from normalizer.certification import PartnerContract, certify  # noqa: E402
from normalizer.certification.testing import load_fixtures, offer_from_fixture  # noqa: E402

SHARED = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
FT_FILE = SHARED / "ft_offers/ft_offres_2025-11-13.jsonl.gz"
FIXTURES = ROOT / "tests/fixtures/certification"
# Sets added on branches norm4 (holdout2: second holdout; tuning_extra: new tuning examples)
# and cert (tuning_generalise: varied paraphrases, tuned on).
FIXTURES2 = ROOT / "tests" / "normalizer" / "certification" / "fixtures"

FT_CONTRACT = {
    "CDI": ContractType.CDI, "CDD": ContractType.CDD, "MIS": ContractType.INTERIM,
    "SAI": ContractType.SAISONNIER, "FRA": ContractType.INDEPENDANT, "LIB": ContractType.INDEPENDANT,
    "CCE": ContractType.INDEPENDANT, "DDI": ContractType.INSERTION, "DIN": ContractType.CDI_INTERIM,
}
FT_NATURE = {"Contrat apprentissage": ContractType.APPRENTISSAGE, "Cont. professionnalisation": ContractType.PROFESSIONNALISATION}
_FT_SAL = re.compile(r"^(Horaire|Mensuel|Annuel|Hebdomadaire)\s+de\s+([\d.]+)\s+Euros(?:\s+à\s+([\d.]+)\s+Euros)?")
_PERIOD = {"Horaire": "hour", "Mensuel": "month", "Annuel": "year", "Hebdomadaire": "week"}
_HOURS = re.compile(r"(\d{1,2})H(\d{2})?/semaine")
_YEARLY = {"hour": None, "month": 12, "year": 1, "week": 52}


def _dt(value: str | None) -> datetime | None:
    if not value:
        return None
    value = value.strip()
    for fmt in ("%d/%m/%Y %H:%M:%S", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            pass
    try:
        d = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def ft_offer(r: dict[str, Any], *, as_partner: bool) -> CanonicalOffer:
    """Minimal FT record -> canonical offer (what a real FT connector would map)."""
    sal = r.get("salaire") or {}
    libelle = sal.get("libelle")
    smin = smax = yearly = None
    period = None
    hours = None
    m = _HOURS.search(r.get("dureeTravailLibelle") or "")
    if m:
        hours = int(m.group(1)) + int(m.group(2) or 0) / 60
    if libelle and (m2 := _FT_SAL.match(libelle)):
        period = _PERIOD[m2.group(1)]
        smin = float(m2.group(2))
        smax = float(m2.group(3)) if m2.group(3) else None
        factor = _YEARLY[period]
        yearly = smin * (factor if factor else (hours or 35) * 52)
    original = " ".join(x for x in (libelle, sal.get("commentaire")) if x) or None
    ctype = FT_NATURE.get(r.get("natureContrat") or "") or FT_CONTRACT.get(r.get("typeContrat") or "")
    lieu = r.get("lieuTravail") or {}
    ent = r.get("entreprise") or {}
    return CanonicalOffer(
        source=Source(partner="francetravail", external_id=r["id"]),
        title=r.get("intitule") or "",
        description=r.get("description") or "",
        employer=Employer(name=ent.get("nom"), naf=r.get("codeNAF")),
        place=Place(label=lieu.get("libelle"), postcode=lieu.get("codePostal"), insee=lieu.get("commune"),
                    latitude=lieu.get("latitude"), longitude=lieu.get("longitude")),
        contract=Contract(type=ctype, original=r.get("typeContratLibelle")),
        working_time=WorkingTime(
            full_time={"Temps plein": True, "Temps partiel": False}.get(r.get("dureeTravailLibelleConverti") or ""),
            hours_per_week=hours, original=r.get("dureeTravailLibelle")),
        salary=Salary(min=smin, max=smax, period=period, yearly_min=yearly, original=original),
        experience=r.get("experienceLibelle"),
        dates=Dates(published=_dt(r.get("dateCreation")), updated=_dt(r.get("dateActualisation"))),
        diffusion=Diffusion(visibility=Visibility.NOMINATIF if ent.get("nom") else Visibility.ANONYME),
        origin=None if as_partner else (r.get("origineOffre") or {}).get("origine"),
        public_service=False if as_partner else (r.get("origineOffre") or {}).get("origine") == "1",
    )


def _text(el: Any, path: str) -> str | None:
    found = el.find(path)
    if found is None:
        return None
    value = "".join(found.itertext()).strip()
    return value or None


_TAG = re.compile(r"<[^>]+>")


def _plain(value: str | None) -> str:
    if not value:
        return ""
    return html.unescape(_TAG.sub("\n", value.replace("<br>", "\n")))


def _offer(partner: str, i: int, *, title: str | None, desc: str | None, company: str | None = None,
           siret: str | None = None, postcode: str | None = None, city: str | None = None,
           published: datetime | None = None, contract: str | None = None, salary: str | None = None,
           naf: str | None = None) -> CanonicalOffer:
    c = (contract or "").lower()
    ctype = None
    for key, value in (("apprenti", ContractType.APPRENTISSAGE), ("alternance", ContractType.APPRENTISSAGE),
                       ("profession", ContractType.PROFESSIONNALISATION), ("stage", ContractType.STAGE),
                       ("intern", ContractType.STAGE), ("cdi", ContractType.CDI), ("cdd", ContractType.CDD),
                       ("interim", ContractType.INTERIM), ("intérim", ContractType.INTERIM),
                       ("full_time", ContractType.CDI), ("permanent", ContractType.CDI)):
        if key in c:
            ctype = value
            break
    return CanonicalOffer(
        source=Source(partner=partner, external_id=str(i)), title=title or "", description=_plain(desc),
        employer=Employer(name=company, siret=siret, naf=naf),
        place=Place(city=city, postcode=postcode, label=city),
        contract=Contract(type=ctype, original=contract), salary=Salary(original=salary),
        dates=Dates(published=published),
    )


def partner_offers() -> Iterator[tuple[str, CanonicalOffer]]:
    """Minimal parsers for the shared partner samples."""
    s = SHARED / "samples"
    root = etree.parse(str(s / "partner_xml/hellowork_feed.xml")).getroot()
    for i, j in enumerate(root.iter("job")):
        yield "hellowork", _offer("hellowork", i, title=_text(j, "title"),
                                  desc=(_text(j, "description") or "") + "\n" + (_text(j, "profile") or ""),
                                  company=_text(j, "company_title"), siret=_text(j, "siret"),
                                  postcode=_text(j, "postal_code"), city=_text(j, "city"),
                                  published=_dt(_text(j, "publication_date")), contract=_text(j, "contract"),
                                  salary=_text(j, "salary"), naf=_text(j, "naf_code"))
    root = etree.parse(str(s / "partner_xml/jooble_feed.xml")).getroot()
    for i, j in enumerate(root.iter("job")):
        yield "jooble", _offer("jooble", i, title=_text(j, "title"), desc=_text(j, "description"),
                               company=_text(j, "company"), city=_text(j, "region/city"),
                               published=_dt(_text(j, "date_updated")), contract=_text(j, "jobtype"))
    root = etree.parse(str(s / "partner_xml/talentview_kelio_source_publisher_feed.xml")).getroot()
    for i, j in enumerate(root.iter("job")):
        yield "kelio", _offer("kelio", i, title=_text(j, "name"), desc=_text(j, "html_description"),
                              company=_text(j, "company/name"), postcode=_text(j, "address/postal_code"),
                              city=_text(j, "address/city"), published=None,  # the feed has no job date (created_at is the company's)
                              contract=_text(j, "job_type"))
    root = etree.parse(str(s / "partner_xml/apec_export_offres.xml")).getroot()
    for i, j in enumerate(root.iter("Offre_emploi")):
        yield "apec", _offer("apec", i, title=_text(j, "Intitule"), desc=_text(j, "Texte_offre"),
                             company=_text(j, "Nom_entreprise"), city=_text(j, "Lieu"),
                             published=_dt(_text(j, "Date_parution")), contract=_text(j, "Contrat/Type_contrat"),
                             salary=_text(j, "Salaire_affiche"))
    root = etree.parse(str(s / "partner_xml/edf_talentsoft_offers.xml")).getroot()
    for i, j in enumerate(root.iter("offer")):
        yield "edf", _offer("edf", i, title=_text(j, "title") or _text(j, "jobTitle") or _text(j, "reference"),
                            desc=(_text(j, "jobDescription") or "") + "\n" + (_text(j, "applicantCriteria") or ""),
                            company=_text(j, "entity") or "EDF", city=_text(j, "entityAdress") or _text(j, "location"),
                            published=_dt(_text(j, "creationDate")), contract=_text(j, "contractType"))
    d = json.loads((s / "partner_json/decathlon_ads.json").read_text("utf-8"))
    for i, a in enumerate(d["ads"]):
        addr = (a.get("address") or {}).get("parts") or {}
        yield "decathlon", _offer("decathlon", i, title=a.get("title"),
                                  desc=(a.get("description") or "") + "\n" + (a.get("profile") or ""),
                                  company="Decathlon", postcode=str(addr.get("zip") or "") or None,
                                  city=addr.get("city"), published=_dt(a.get("published_at")),
                                  contract=a.get("contract_type"), salary=str(a.get("salary") or "") or None)
    d = json.loads((s / "partner_json/francetravail_careers_talentsoft_offer.json").read_text("utf-8"))
    for i, a in enumerate(d if isinstance(d, list) else [d]):
        yield "ft_careers", _offer("ft_careers", i, title=a.get("title"),
                                   desc=_plain(a.get("description1")) + "\n" + _plain(a.get("description2")),
                                   company=a.get("organisationName") or "France Travail",
                                   city=" ".join(x.get("label", "") for x in (a.get("region") or []) + (a.get("department") or [])) or None,
                                   published=_dt(a.get("startPublicationDate")),
                                   contract=(a.get("contractType") or {}).get("label"), salary=(a.get("salaryRange") or {}).get("label"))
    root = etree.parse(str(s / "rss/monster_rss_items.xml")).getroot()
    for i, j in enumerate(root.iter("item")):
        yield "monster", _offer("monster", i, title=_text(j, "title"), desc=_text(j, "JobBody"),
                                company=_text(j, "CompanyName"), siret=_text(j, "siretNumber"),
                                postcode=_text(j, "JobPostalCode"), city=_text(j, "JobCity"),
                                published=_dt(_text(j, "JobActiveDate")), contract=_text(j, "JobType"))


def ft_sample_offers() -> Iterator[dict[str, Any]]:
    """FT API sample payloads (2022, 2024, 2025; some partner offers, origine 2)."""
    for path in sorted((SHARED / "samples/france_travail").glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        items = data.get("resultats", [data]) if isinstance(data, dict) else data
        yield from (x for x in items if isinstance(x, dict) and "intitule" in x)


def summarise(label: str, certs: list[Certification], *, show: int = 0, offers: list[CanonicalOffer] | None = None) -> dict[str, Any]:
    n = len(certs)
    rejected = [i for i, c in enumerate(certs) if c.status.value == "rejected"]
    warned = [i for i, c in enumerate(certs) if c.status.value == "warning"]
    by_rule: collections.Counter[str] = collections.Counter()
    warn_rule: collections.Counter[str] = collections.Counter()
    for c in certs:
        by_rule.update({f.id for f in c.findings if f.severity is Severity.REJECT})
        warn_rule.update({f.id for f in c.findings if f.severity is Severity.WARN})
    print(f"{label}: {n} offers, rejected {len(rejected)} ({len(rejected) / max(n, 1):.2%}), "
          f"warning {len(warned)} ({len(warned) / max(n, 1):.2%})")
    if by_rule:
        print(f"  reject findings by rule: {dict(by_rule.most_common())}")
    if warn_rule:
        print(f"  warn findings by rule: {dict(warn_rule.most_common())}")
    for i in rejected[:show]:
        title = offers[i].title if offers else ""
        for f in certs[i].findings:
            if f.severity is Severity.REJECT:
                print(f"    REJECT {f.id} [{title[:50]}] {f.field}: {f.evidence}")
    return {"n": n, "rejected": len(rejected), "warning": len(warned)}


def fixtures(name: str, *, show: bool) -> None:
    path = FIXTURES / f"{name}.jsonl"
    if not path.exists():
        path = FIXTURES2 / f"{name}.jsonl"
    rows = list(load_fixtures(path))
    offending = [r for r in rows if r.get("expected")]
    lawful = [r for r in rows if not r.get("expected")]
    today = date(2026, 11, 22)
    if offending:
        strict = detected = rejected_any = 0
        misses = []
        missed_rows: list[dict[str, Any]] = []
        for i, r in enumerate(offending):
            cert = certify(offer_from_fixture(r, i), today=today)
            want = set(r["expected"])
            sev = Severity(r.get("expected_severity", "REJECT"))
            fired = {f.id for f in cert.findings if f.severity is Severity.REJECT}
            fired_warn = {f.id for f in cert.findings if f.severity in (Severity.REJECT, Severity.WARN)}
            ok_strict = bool(want & fired)
            ok = ok_strict or (sev is Severity.WARN and bool(want & fired_warn))
            strict += ok_strict
            detected += ok
            rejected_any += cert.status.value == "rejected"
            if not ok:
                missed_rows.append(r)
                misses.append((r["category"], r["title"], sorted(r["expected"]), [(f.id, f.severity.value) for f in cert.findings]))
        n = len(offending)
        n_warn_cat = sum(1 for r in offending if r.get("expected_severity") == "WARN")
        print(f"{name} offending: {n} ({n_warn_cat} WARN-level by the spec): detected by the expected rule "
              f"{detected}/{n} = {detected / n:.1%} (REJECT or spec WARN); expected rule at REJECT "
              f"{strict}/{n} = {strict / n:.1%}; offer rejected by any rule {rejected_any}/{n} = {rejected_any / n:.1%}")
        batches = sorted({r["batch"] for r in offending if "batch" in r})
        for b in batches:
            rows_b = [r for r in offending if r.get("batch") == b]
            miss_b = sum(1 for r in rows_b if any(r is m for m in missed_rows))
            print(f"  {name} batch {b}: detected {len(rows_b) - miss_b}/{len(rows_b)}")
        if show:
            for m in misses:
                print("    MISS", m)
    if lawful:
        rej = warn = 0
        for i, r in enumerate(lawful):
            cert = certify(offer_from_fixture(r, i), today=today)
            if cert.status.value == "rejected":
                rej += 1
                if show:
                    print("    FALSE REJECT", r["category"], r["title"], [(f.id, f.evidence) for f in cert.findings if f.severity is Severity.REJECT])
            elif cert.status.value == "warning":
                warn += 1
                if show:
                    print("    warn", r["category"], r["title"], [(f.id, f.evidence) for f in cert.findings if f.severity is Severity.WARN])
        n = len(lawful)
        print(f"{name} lawful: {n}: false reject {rej}/{n} = {rej / n:.1%}; warning {warn}/{n} = {warn / n:.1%}")


def speed(offers: list[CanonicalOffer], today: date, repeat: int) -> None:
    """Certifications per second, in CPU time of this process (the machine is shared).

    The first pass sees every text for the first time; later passes over the same
    offers hit the memos of normalised texts and scan results (as the same offer
    coming back from several boards or from a re-fetch would).
    """
    from normalizer.certification import model as cert_model
    from normalizer.certification import text as cert_text

    for memo in (cert_text._NORM_MEMO, cert_text._TOKENS_MEMO, cert_model._SCAN_MEMO):
        memo.clear()
    rates = []
    for _ in range(max(repeat, 1)):
        t0, c0 = time.perf_counter(), time.process_time()
        for o in offers:
            certify(o, today=today)
        rates.append((len(offers) / (time.perf_counter() - t0), len(offers) / (time.process_time() - c0)))
    mean_desc = sum(len(o.description) for o in offers) / len(offers)
    print(f"speed, first pass (all texts new): {rates[0][1]:,.0f} offers/s CPU time "
          f"({1e6 / rates[0][1]:.0f} µs/offer), {rates[0][0]:,.0f}/s wall; FT offers as partner offers, "
          f"mean description {mean_desc:,.0f} chars")
    if len(rates) > 1:
        later = sorted(r[1] for r in rates[1:])
        print(f"speed, repeated passes (memo hits): {later[len(later) // 2]:,.0f} offers/s CPU time (median)")


def main(argv: Iterable[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--show-rejects", type=int, default=0)
    ap.add_argument("--show-misses", action="store_true")
    ap.add_argument("--holdout", action="store_true", help="also report the holdout sets")
    ap.add_argument("--fixtures-only", action="store_true", help="only the hand-written fixture sets")
    ap.add_argument("--speed-repeat", type=int, default=2)
    args = ap.parse_args(list(argv) if argv is not None else None)

    if args.fixtures_only:
        for name in ("offending", "lawful", "tuning_extra", "tuning_generalise", *(("holdout", "holdout2") if args.holdout else ())):
            if (FIXTURES / f"{name}.jsonl").exists() or (FIXTURES2 / f"{name}.jsonl").exists():
                fixtures(name, show=args.show_misses)
        return
    with gzip.open(FT_FILE, "rt", encoding="utf-8") as fh:
        raw = [json.loads(line) for line in fh]
    today = date(2025, 11, 14)
    public = [ft_offer(r, as_partner=False) for r in raw]
    summarise("FT 2025-11-13 as public-service offers", [certify(o, today=today) for o in public], show=args.show_rejects, offers=public)
    partner = [ft_offer(r, as_partner=True) for r in raw]
    summarise("FT 2025-11-13 as partner offers", [certify(o, today=today) for o in partner], show=args.show_rejects, offers=partner)

    samples = [ft_offer(r, as_partner=True) for r in ft_sample_offers()]
    certs = [certify(o, today=(o.dates.published.date() + timedelta(days=1)) if o.dates.published else today) for o in samples]
    summarise("FT API samples (2022-2025) as partner offers", certs, show=args.show_rejects, offers=samples)

    groups: dict[str, list[CanonicalOffer]] = collections.defaultdict(list)
    for name, o in partner_offers():
        groups[name].append(o)
    all_p: list[CanonicalOffer] = []
    all_c: list[Certification] = []
    for name, offers in groups.items():
        newest = max((o.dates.published for o in offers if o.dates.published), default=None)
        ref = newest.date() + timedelta(days=1) if newest else date(2026, 11, 22)
        # Feeds that carry no job date get the matching partner contract (FORM-01 is then a WARN).
        contract = PartnerContract(dated_by_feed=name != "kelio")
        cs = [certify(o, today=ref, contract=contract) for o in offers]
        summarise(f"  partner sample {name}", cs)
        all_p += offers
        all_c += cs
    summarise("partner samples (XML, JSON, RSS)", all_c, show=args.show_rejects, offers=all_p)

    fixtures("offending", show=args.show_misses)
    fixtures("lawful", show=args.show_misses)
    for name in ("tuning_extra", "tuning_generalise"):
        if (FIXTURES2 / f"{name}.jsonl").exists():
            fixtures(name, show=args.show_misses)
    if args.holdout:
        fixtures("holdout", show=args.show_misses)
        fixtures("holdout2", show=args.show_misses)
    speed(partner, today, args.speed_repeat)


if __name__ == "__main__":
    main()
