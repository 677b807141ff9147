"""Labelled dedup benchmark built from real France Travail offers.

Every real offer (``/work/shared/data/ft_offers``) is one job posted by the public
service. About half the jobs are reposted by 1 to 4 other boards, each copy going
through the real connector mapping of its format (FT JSON, Indeed-style XML,
schema.org JobPosting, RSS: :func:`connectors.mapping.apply_mapping` with the
declared dialects) and the normalizer's field parsers, with the changes boards
make: title casing and suffixes ("H/F", "(F/H)", "- Lyon (69)"), truncated or
re-wrapped descriptions wrapped in board boilerplate, employer suffix variants
(SAS, SARL, Groupe) or no employer at all (anonymous copy, name scrubbed from the
text), other place formats (city only, postcode only, "Lyon (69)", city in the
title), contract in the board's vocabulary, later dates; some jobs are reposted
by France Travail itself under a new id a few days later.

Hard negatives: multi-site siblings (same employer, title and text, another
city), the same title in the same city from another employer, and the real
near-duplicates of the data (kept as distinct jobs; see :func:`twin_groups`).

Labels: ``job`` (records of one job share it) and ``family`` (a real offer with
its siblings and look-alikes). The TUNING/TEST split is by family, so no job and
no hard negative crosses halves.

``python bench/dedup_data.py`` prints the dataset's shape.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import zlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import connectors.francetravail
from connectors.dialects import DIALECTS
from connectors.mapping import apply_mapping
from normalizer.fields import (
    clean_title,
    html_to_text,
    is_html,
    parse_contract,
    parse_date,
    parse_place,
    split_title_place,
)

FT_FILE = Path(__file__).resolve().parents[1] / "tests/fixtures/ft_offers/ft_offres_2025-11-13.jsonl.gz"
BOARDS = {  # partner -> dialect of its feed
    "hellowork": "indeed",
    "jooble": "indeed",
    "cadremploi": "jobposting",
    "regionsjob": "rss",
    "meteojob": "jobposting",
}
PREFIXES = {
    "hellowork": "Offre publiée par HelloWork. Postulez en un clic !",
    "jooble": "",
    "cadremploi": "Cadremploi vous présente cette offre d'emploi.",
    "regionsjob": "RegionsJob - L'emploi près de chez vous.",
    "meteojob": "",
}
SUFFIXES = {
    "hellowork": "Vous souhaitez en savoir plus ? Retrouvez toutes nos offres sur notre site.",
    "jooble": "Candidatez directement sur le site du recruteur.",
    "cadremploi": "",
    "regionsjob": "Référence de l'annonce à rappeler dans votre candidature. Postulez vite !",
    "meteojob": "Météojob, le job qui vous ressemble.",
}
CONTRACT_WORDS = {
    "indeed": {"CDI": "CDI", "CDD": "CDD", "MIS": "Intérim", "SAI": "Saisonnier"},
    "jobposting": {"CDI": "Contrat à durée indéterminée", "CDD": "CONTRACT", "MIS": "TEMPORARY"},
}


@dataclass
class BenchOffer:
    """One source record of the benchmark with its labels."""

    job: str
    family: int
    partner: str
    external_id: str
    data: dict[str, Any]  # canonical offer fields (as :func:`dedup.stage.to_record` reads them)
    kind: str = "original"  # original | copy | repost | sibling | lookalike

    @property
    def half(self) -> str:
        """TUNING or TEST, by family."""
        return "TUNING" if zlib.crc32(str(self.family).encode()) % 2 == 0 else "TEST"


def load_ft(path: Path = FT_FILE) -> list[dict[str, Any]]:
    """The real offers."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def to_offer(partner: str, fields: dict[str, Any], public_service: bool = False) -> dict[str, Any]:
    """Canonical fields of one mapped record, through the normalizer's field parsers."""
    title = clean_title(str(fields.get("title") or ""))
    place_text = fields.get("place")
    if not any(fields.get(k) for k in ("place", "city", "postcode", "insee")):
        title, place_text = split_title_place(title)
    body = str(fields.get("description") or "")
    description = html_to_text(body) if is_html(body) else body
    place = parse_place(
        place_text, city=fields.get("city"), postcode=fields.get("postcode"), insee=fields.get("insee"),
    )
    published = parse_date(fields.get("published")) if fields.get("published") else None
    siret = fields.get("siret")
    return {
        "source": {"partner": partner, "external_id": str(fields.get("external_id") or ""),
                   "url": fields.get("url")},
        "title": title,
        "title_original": fields.get("title"),
        "description": description,
        "employer": {"name": fields.get("company"), "siret": siret},
        "place": place.model_dump(mode="json", exclude_none=True),
        "contract": {"type": (ct.value if (ct := parse_contract(fields.get("contract")).type) else None)},
        "dates": {"published": published.isoformat() if published else None},
        "public_service": public_service,
    }


def ft_fields(rec: dict[str, Any]) -> dict[str, Any]:
    """An FT payload mapped by the FT connector's dialect."""
    fields = apply_mapping(rec, DIALECTS["francetravail"].mapping)
    if not fields.get("description"):
        fields["description"] = connectors.francetravail.describe_structured(rec)
    return fields


def _text_key(r: dict[str, Any]) -> str:
    return " ".join(re.findall(r"\w+", str(r.get("description") or "").lower())[:60])


def twin_groups(rows: list[dict[str, Any]]) -> list[list[int]]:
    """Real FT near-duplicates: same title and place, or same text and place (distinct offers).

    Checked by hand (2026-11-22): 146 offers in 68 groups. 86 share employer, title and place, all
    published by France Travail within minutes of each other. Many differ in
    contract (CDD/CDI), pay or text; the rest are identical postings of several
    positions (e.g. five "Auxiliaire de vie Nuits" in Beaufort-en-Anjou). Others
    share the text and place under two titles or employers (anonymous accounting
    firms). All are distinct offers for the public service, so they are distinct
    jobs here (hard negatives), and no board copy is made of them: a copy of one of
    several identical postings cannot be told from the others.
    """
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        label = (r.get("lieuTravail") or {}).get("libelle")
        groups[("title", r.get("intitule"), label)].append(i)
        groups[("text", _text_key(r), label)].append(i)
    uf = list(range(len(rows)))

    def find(x: int) -> int:
        while uf[x] != x:
            uf[x] = uf[uf[x]]
            x = uf[x]
        return x

    for g in groups.values():
        for x in g[1:]:
            uf[find(x)] = find(g[0])
    out: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        out[find(i)].append(i)
    return [g for g in out.values() if len(g) > 1]


# -- board rewrites ----------------------------------------------------------------

_GENDER = re.compile(r"\s*[\(\[]?\s*\b[hHfF]\s*/\s*[hHfF]\b\s*[\)\]]?")


def vary_title(title: str, city: str | None, dept: str | None, rng: random.Random, city_in_title: bool) -> str:
    """The title as another board writes it."""
    t = _GENDER.sub("", title).strip(" -")
    t = rng.choice([t, t.upper(), t.title(), t.lower().capitalize()])
    t += rng.choice(["", " H/F", " (F/H)", " - H/F", " (H/F)"])
    if city and (city_in_title or rng.random() < 0.15):
        t += f" - {city} ({dept})" if dept else f" - {city}"
    return t


def vary_text(text: str, partner: str, rng: random.Random, employer: str | None, anonymous: bool) -> str:
    """The description as another board carries it."""
    if anonymous and employer:
        text = re.sub(re.escape(employer), "notre client", text, flags=re.IGNORECASE)
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    mode = rng.random()
    if mode < 0.3:  # re-wrapped: one paragraph
        paras = [" ".join(paras)]
    elif mode < 0.55 and paras:  # truncated
        words = " ".join(paras).split()
        keep = max(20, int(len(words) * rng.uniform(0.45, 0.9)))
        paras = [" ".join(words[:keep]) + " …"]
    if PREFIXES[partner] and rng.random() < 0.7:
        paras.insert(0, PREFIXES[partner])
    if SUFFIXES[partner] and rng.random() < 0.7:
        paras.append(SUFFIXES[partner])
    if rng.random() < 0.5:
        return "".join(f"<p>{p}</p>" for p in paras)
    return "\n\n".join(paras)


def vary_employer(name: str | None, rng: random.Random) -> str | None:
    """Employer written another way."""
    if not name:
        return None
    return rng.choice([name, f"{name} SAS", f"{name} SARL", f"Groupe {name}", name.title(), f"{name.title()} SAS"])


def board_payload(
    partner: str, ext: str, src: dict[str, Any], rng: random.Random, published: datetime
) -> dict[str, Any]:
    """A copy of one FT offer in the board's own format (before mapping)."""
    dialect = BOARDS[partner]
    anonymous = rng.random() < 0.2
    company = (src.get("entreprise") or {}).get("nom")
    employer = None if anonymous else vary_employer(company, rng)
    lieu = src.get("lieuTravail") or {}
    label = str(lieu.get("libelle") or "")
    city = label.split(" - ", 1)[1].title() if " - " in label else None
    dept = label.split(" - ", 1)[0] if " - " in label else None
    postcode = lieu.get("codePostal")
    title = vary_title(src.get("intitule") or "", city, dept, rng, city_in_title=dialect == "rss")
    text = vary_text(src.get("description") or "", partner, rng, company, anonymous)
    ctype = src.get("typeContrat") or ""
    contract = CONTRACT_WORDS.get(dialect, CONTRACT_WORDS["indeed"]).get(ctype, ctype)
    date = (published + timedelta(hours=rng.uniform(2, 96))).strftime("%Y-%m-%dT%H:%M:%S")
    place_style = rng.choice(["city", "postcode", "label", "both"]) if city else "postcode"
    if dialect == "indeed":
        return {
            "referencenumber": ext, "url": f"https://{partner}.example/{ext}", "title": title,
            "company": employer, "description": text, "jobtype": contract, "date": date,
            "city": city if place_style in ("city", "both") else (f"{city} ({dept})" if place_style == "label" else None),
            "postalcode": postcode if place_style in ("postcode", "both") else None,
        }
    if dialect == "jobposting":
        address: dict[str, Any] = {}
        if place_style in ("city", "both", "label"):
            address["addressLocality"] = city
        if place_style in ("postcode", "both"):
            address["postalCode"] = postcode
        return {
            "identifier": {"value": ext}, "url": f"https://{partner}.example/o/{ext}", "title": title,
            "description": text, "hiringOrganization": {"name": employer} if employer else None,
            "jobLocation": {"address": address}, "employmentType": contract, "datePosted": date,
        }
    return {  # rss: no place field, the city is in the title
        "id": ext, "link": f"https://{partner}.example/rss/{ext}", "title": title, "summary": text,
        "author": employer, "published": date,
    }


def board_copy(partner: str, ext: str, src: dict[str, Any], rng: random.Random, published: datetime) -> dict[str, Any]:
    """A board's copy of one FT offer, mapped and parsed."""
    payload = board_payload(partner, ext, src, rng, published)
    fields = apply_mapping(payload, DIALECTS[BOARDS[partner]].mapping)
    return to_offer(partner, fields)


def _published(rec: dict[str, Any]) -> datetime:
    d = parse_date(rec.get("dateCreation"))
    assert d is not None
    return d


def generate(seed: int = 7, rows: list[dict[str, Any]] | None = None) -> list[BenchOffer]:
    """The labelled benchmark (deterministic for a seed)."""
    rng = random.Random(seed)
    rows = rows if rows is not None else load_ft()
    twins = {i for g in twin_groups(rows) for i in g}
    by_rome: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_rome[str(r.get("romeCode"))].append(i)
    out: list[BenchOffer] = []
    for i, src in enumerate(rows):
        job = f"ft:{src['id']}"
        published = _published(src)
        out.append(BenchOffer(job, i, "francetravail", src["id"], to_offer("francetravail", ft_fields(src), True)))
        if i not in twins and rng.random() < 0.5:
            out.extend(_copies(job, i, src, rng, published))
        r = rng.random()
        if r < 0.08:  # multi-site sibling: same employer, title, text; another city
            other = rows[rng.randrange(len(rows))]
            olieu = other.get("lieuTravail") or {}
            if (olieu.get("libelle") != (src.get("lieuTravail") or {}).get("libelle")
                    and " - " in str(olieu.get("libelle")) and olieu.get("codePostal")):
                sib = dict(src, id=src["id"] + "S", lieuTravail=other.get("lieuTravail"))
                sjob = f"ft:{sib['id']}"
                out.append(BenchOffer(sjob, i, "francetravail", sib["id"],
                                      to_offer("francetravail", ft_fields(sib), True), "sibling"))
                if rng.random() < 0.5:
                    out.extend(_copies(sjob, i, sib, rng, published))
        elif r < 0.14:  # same title, same city, another employer and text
            peers = [j for j in by_rome[str(src.get("romeCode"))] if j != i and _text_key(rows[j]) != _text_key(src)]
            donor = rows[rng.choice(peers)] if peers else rows[rng.randrange(len(rows))]
            look = dict(donor, id=src["id"] + "L", intitule=src.get("intitule"), lieuTravail=src.get("lieuTravail"),
                        entreprise=donor.get("entreprise") if (donor.get("entreprise") or {}).get("nom")
                        != (src.get("entreprise") or {}).get("nom") else {"nom": "AUTRE EMPLOYEUR " + str(i)})
            ljob = f"ft:{look['id']}"
            out.append(BenchOffer(ljob, i, "francetravail", look["id"],
                                  to_offer("francetravail", ft_fields(look), True), "lookalike"))
            if rng.random() < 0.5:
                out.extend(_copies(ljob, i, look, rng, published))
    return out


def _copies(job: str, family: int, src: dict[str, Any], rng: random.Random, published: datetime) -> Iterator[BenchOffer]:
    n = rng.randint(1, 4)  # 2 to 5 records of the job in all
    for partner in rng.sample(sorted(BOARDS), n):
        ext = f"{partner[:3].upper()}-{zlib.crc32((job + partner).encode()):08x}"
        yield BenchOffer(job, family, partner, ext, board_copy(partner, ext, src, rng, published), "copy")
    if rng.random() < 0.15:  # the public service reposts it under a new id, days later
        later = published + timedelta(days=rng.uniform(2, 20))
        rep = dict(src, id=src["id"] + "R", dateCreation=later.isoformat())
        if rng.random() < 0.5:
            rep["description"] = (src.get("description") or "") + "\n\nOffre republiée."
        yield BenchOffer(job, family, "francetravail", rep["id"], to_offer("francetravail", ft_fields(rep), True),
                         "repost")


def true_pairs(offers: list[BenchOffer]) -> set[tuple[int, int]]:
    """Index pairs (i < j) of records of the same job."""
    by_job: dict[str, list[int]] = defaultdict(list)
    for i, o in enumerate(offers):
        by_job[o.job].append(i)
    return {(a, b) for g in by_job.values() for x, a in enumerate(g) for b in g[x + 1:]}


if __name__ == "__main__":
    from collections import Counter

    data = generate()
    print(len(data), "records,", len({o.job for o in data}), "jobs")
    print(Counter(o.kind for o in data))
    print(Counter(o.partner for o in data))
    print(Counter(o.half for o in data))
    print(len(true_pairs(data)), "true pairs")
