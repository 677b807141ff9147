"""Anonymised and named CVs: property tests that identifiers never leak (CV-02, CV-05),
special categories are stripped, and the intake model reports bad lines by field."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import iban as std_iban
from stdnum.fr import nir as std_nir

from publisher.cv import CV, CvLineError, read_cv_lines
from publisher.cv_redact import (
    anonymise_cv,
    is_nir,
    mask_bank_and_nir,
    mask_bank_details,
    mask_nir,
    minimise_cv,
    shared_cv,
    strip_special_categories,
)
from publisher.redact import fold

FIRST = ["Élodie", "Jean-Pierre", "Zoé", "François", "Maëlys", "Anaïs", "Chloé", "Noël", "Hélène",
         "Loïc", "Bérénice", "Côme", "Inès", "Aurélien", "Joël", "Oumar", "Fatoumata", "Kévin"]
LAST = ["Dupré", "Lefèvre", "N'Diaye", "Da Silva", "Le Goff", "Müller", "Benoît", "Özdemir",
        "García", "Château", "Moreau-Lévêque", "Zéphir", "Vasseur", "Kowalczyk", "Nguyen"]
PARTICLES = {"de", "du", "des", "le", "la", "les", "da", "di", "van", "von"}
STREETS = ["rue", "avenue", "boulevard", "allée", "impasse", "chemin", "place", "quai"]
STREET_NAMES = ["des Lilas", "Victor Hugo", "du Général Leclerc", "Pasteur", "de la Paix",
                "Émile Zola", "des Peupliers", "Saint-Exupéry"]
COMMUNES = [("Montreuil", "93100"), ("Ajaccio", "20000"), ("Bastia", "20200"), ("Lyon", "69003"),
            ("Fort-de-France", "97200"), ("Quimper", "29000"), ("Besançon", "25000")]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]


def casing(s: str) -> st.SearchStrategy[str]:
    return st.sampled_from([s, s.upper(), s.lower(), fold(s), fold(s).upper(), s.replace("-", " ")])


@st.composite
def nirs(draw: st.DrawFn) -> str:
    sex = draw(st.sampled_from("12"))
    yy = f"{draw(st.integers(0, 99)):02d}"
    mm = f"{draw(st.integers(1, 12)):02d}"
    dep = draw(st.sampled_from(["75", "93", "2A", "2B", "13", "01", "95", "59"]))
    commune = f"{draw(st.integers(1, 999)):03d}"
    order = f"{draw(st.integers(1, 999)):03d}"
    body = f"{sex}{yy}{mm}{dep}{commune}{order}"
    nir = body + std_nir.calc_check_digits(body)
    assert std_nir.is_valid(nir)
    fmt = draw(st.integers(0, 3))
    if fmt == 0:
        return nir
    if fmt == 1:
        return f"{sex} {yy} {mm} {dep} {commune} {order} {nir[13:]}"
    if fmt == 2:
        return f"{sex} {yy} {mm} {dep} {commune} {order} - {nir[13:]}"
    return f"{sex}.{yy}.{mm}.{dep}.{commune}.{order}.{nir[13:]}"


@st.composite
def ibans(draw: st.DrawFn) -> str:
    bban = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=23, max_size=23)))
    check = std_iban.calc_check_digits("FR00" + bban)
    compact = f"FR{check}{bban}"
    assert std_iban.is_valid(compact)
    if draw(st.booleans()):
        return compact
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


@st.composite
def phones(draw: st.DrawFn) -> tuple[str, str]:
    first = draw(st.sampled_from("1234567"))
    rest = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=8, max_size=8)))
    sig = first + rest
    pairs = [rest[i:i + 2] for i in range(0, 8, 2)]
    forms = [f"0{first} {' '.join(pairs)}", f"0{first}.{'.'.join(pairs)}", f"0{sig}",
             f"+33 {first} {' '.join(pairs)}", f"+33 (0){first} {' '.join(pairs)}", f"0033{sig}",
             f"0{first}-{'-'.join(pairs)}"]
    return draw(st.sampled_from(forms)), sig


def date_forms(d: date) -> list[str]:
    return [d.strftime("%d/%m/%Y"), d.strftime("%d-%m-%Y"), d.strftime("%Y-%m-%d"),
            d.strftime("%d.%m.%Y"), f"{d.day} {MONTHS[d.month - 1]} {d.year}",
            f"{'1er' if d.day == 1 else d.day} {MONTHS[d.month - 1]} {d.year}", d.strftime("%d/%m/%y")]


@st.composite
def identities(draw: st.DrawFn) -> dict[str, Any]:
    first, last = draw(st.sampled_from(FIRST)), draw(st.sampled_from(LAST))
    phone, sig = draw(phones())
    commune, postcode = draw(st.sampled_from(COMMUNES))
    street = f"{draw(st.integers(1, 250))} {draw(st.sampled_from(STREETS))} {draw(st.sampled_from(STREET_NAMES))}"
    birth = draw(st.dates(date(1950, 1, 1), date(2006, 12, 31)))
    local = draw(st.sampled_from([f"{fold(first)}.{fold(last)}", f"{fold(first)[0]}{fold(last)}", "candidat.75"]))
    local = re.sub(r"[^a-z0-9.]", "", local)
    return {
        "first": first, "last": last, "phone": phone, "phone_sig": sig,
        "email": f"{local}@{draw(st.sampled_from(['gmail.com', 'orange.fr', 'free.fr']))}",
        "nir": draw(nirs()), "iban": draw(ibans()), "street": street, "commune": commune,
        "postcode": postcode, "birth": birth, "birth_text": draw(st.sampled_from(date_forms(birth))),
        "first_text": draw(casing(first)), "last_text": draw(casing(last)),
    }


def cv_with(ident: dict[str, Any], visibility: str = "anonymous") -> CV:
    i = ident
    address = f"{i['street']}, {i['postcode']} {i['commune']}"
    summary = (
        f"Je m'appelle {i['first_text']} {i['last_text']}, née le {i['birth_text']}. "
        f"Téléphone : {i['phone']} ; e-mail {i['email']}. Numéro de sécurité sociale {i['nir']}. "
        f"Mon IBAN : {i['iban']}. J'habite {address}."
    )
    return CV.model_validate({
        "candidate_id": "C-42", "visibility": visibility, "title": f"Comptable - {i['last_text']}",
        "summary": summary,
        "skills": ["Sage", f"Réf. {i['last_text'].upper()}", f"Joignable au {i['phone']}"],
        "experiences": [{"employer": f"Cabinet {i['last']}", "title": "Aide-comptable",
                         "start": "2015-01-01", "end": "2019-06-30",
                         "description": f"Dossiers suivis par {i['first_text']} ; IBAN {i['iban']}; "
                                        f"NIR {i['nir']} ; né(e) le {i['birth_text']} ; {i['street']}"}],
        "education": [{"title": "BTS comptabilité", "school": "Lycée Turgot", "year": 2014,
                       "description": f"Contact {i['email']} / {i['phone']}"}],
        "rome_codes": ["M1203"], "place": {"commune": i["commune"], "postcode": i["postcode"]},
        "availability": f"immédiate, écrire à {i['email']}",
        "contact": {"first_name": i["first"], "last_name": i["last"], "email": i["email"],
                    "phone": i["phone"], "address": address},
        "birth_date": i["birth"].isoformat(), "photo_url": "https://photos.example/p.jpg",
    })


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    return []


def name_tokens(*names: str) -> set[str]:
    return {t for n in names for t in re.split(r"[\W_]+", fold(n))
            if len(t) >= 3 and t not in PARTICLES}


def leaks(view: CV, ident: dict[str, Any], *, named: bool) -> list[str]:
    """Every identifier of ``ident`` still found in ``view`` (each field and the JSON)."""
    dumped = view.model_dump(mode="json")
    texts = [*strings(dumped), json.dumps(dumped, ensure_ascii=False)]
    if named:  # the contact block is shown as given: look at everything else
        dumped = {k: v for k, v in dumped.items() if k != "contact"}
        texts = [*strings(dumped), json.dumps(dumped, ensure_ascii=False)]
    found: list[str] = []
    nir = re.sub(r"[\s.\-]", "", ident["nir"]).upper()
    iban = re.sub(r"\s", "", ident["iban"]).upper()
    birth_forms = [fold(f) for f in date_forms(ident["birth"])]
    for text in texts:
        folded = fold(text)
        squeezed = re.sub(r"[\s.\-/]", "", text).upper()
        digits = re.sub(r"\D", "", text)
        if nir[:13] in squeezed:
            found.append(f"NIR in {text!r}")
        if iban in squeezed or iban[4:] in squeezed:
            found.append(f"IBAN in {text!r}")
        found += [f"birth date {f!r} in {text!r}" for f in birth_forms if f in folded]
        if fold(ident["street"]) in folded:
            found.append(f"address in {text!r}")
        if not named:
            for tok in name_tokens(ident["first"], ident["last"]):
                if re.search(rf"(?<![^\W_]){re.escape(tok)}(?![^\W_])", folded):
                    found.append(f"name {tok!r} in {text!r}")
            if fold(ident["email"]) in folded:
                found.append(f"e-mail in {text!r}")
            if ident["phone_sig"] in digits:
                found.append(f"phone in {text!r}")
            if ident["postcode"] in digits or re.search(rf"\b{re.escape(fold(ident['commune']))}\b", folded):
                found.append(f"commune/postcode in {text!r}")
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(identities())
def test_anonymised_cv_never_contains_an_identifier(ident: dict[str, Any]) -> None:
    cv = cv_with(ident)
    view = anonymise_cv(cv)
    assert len(leaks(cv, ident, named=False)) > 10  # the check itself sees the identifiers
    assert leaks(view, ident, named=False) == []
    assert view.contact is None and view.birth_date is None and view.photo_url is None
    assert view.place is not None and view.place.commune is None and view.place.postcode is None
    assert view.place.departement == {"20000": "2A", "20200": "2B", "97200": "972"}.get(
        ident["postcode"], ident["postcode"][:2])
    assert view.consents == {} and view.last_contact_at is None
    assert shared_cv(cv) == view
    # What carries no identity survives.
    assert view.rome_codes == ["M1203"] and "Sage" in view.skills
    assert view.experiences[0].title == "Aide-comptable"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(identities())
def test_named_cv_keeps_identity_but_strips_nir_iban_birth_date_address(ident: dict[str, Any]) -> None:
    cv = cv_with(ident, visibility="named")
    view = minimise_cv(cv)
    assert len(leaks(cv, ident, named=True)) > 5
    assert leaks(view, ident, named=True) == []
    assert view.contact is not None and view.contact.last_name == ident["last"]
    assert view.contact.email == ident["email"] and view.contact.address is None
    assert view.birth_date is None and view.photo_url is None  # photo not opted in
    assert view.place is not None and view.place.commune == ident["commune"]
    assert ident["first_text"] in (view.summary or "")
    assert shared_cv(cv) == view
    opted = minimise_cv(cv.model_copy(update={"photo_shared": True}))
    assert opted.photo_url == "https://photos.example/p.jpg"


@given(nirs())
def test_every_nir_form_is_detected(nir: str) -> None:
    assert is_nir(nir)
    assert mask_nir(f"n° {nir}.") == "n° […]."


@given(ibans())
def test_every_iban_form_is_masked(iban: str) -> None:
    assert mask_bank_details(f"IBAN {iban} (compte courant)") == "IBAN […] (compte courant)"


def test_bank_details_and_nir_edge_cases() -> None:
    # A wrong key is still a NIR / bank details; phone numbers and years are not.
    assert mask_nir("NIR 2 90 04 2A 112 345 00") == "NIR […]"
    assert mask_bank_details("FR76 3000 6000 0112 3456 7890 180") == "[…]"
    assert mask_bank_details("RIB 30006 00001 12345678901 89") == "RIB […]"
    assert mask_bank_details("BIC : AGRIFRPP882") == "BIC : […]"
    for keep in ("06 12 34 56 78", "de 2015 à 2019", "SIRET 732 829 320 00074", "M1203"):
        assert mask_nir(keep) == keep and mask_bank_details(keep) == keep


def test_special_categories_are_stripped_with_their_clause() -> None:
    cases = {
        "Reconnue RQTH depuis 2020, permis B": "[…], permis B",
        "Travailleuse handicapée. Rigoureuse.": "[…]. Rigoureuse.",
        "Délégué syndical CGT ; gestion de la paie": "[…] ; gestion de la paie",
        "Catholique pratiquant, bénévole": "[…], bénévole",
        "Militante à La France insoumise. Anglais courant": "[…]. Anglais courant",
        "Homosexuel, 10 ans d'expérience": "[…], 10 ans d'expérience",
        "D'origine maghrébine, bilingue arabe": "[…], bilingue arabe",
        "Mariée, deux enfants, mobile": "[…], […], mobile",
        "Diabétique et en arrêt maladie en 2021": "[…]",
    }
    for text, expected in cases.items():
        assert strip_special_categories(text) == expected, text
    for keep in ("Marie Curie Lycée", "mise en place de procédures", "produits d'origine animale",
                 "Comptable unique, 10 ans", "Santé et sécurité au travail (SST)"):
        assert strip_special_categories(keep) == keep


def test_lexicon_applies_to_named_cvs_and_list_items_go_whole() -> None:
    cv = CV.model_validate({
        "candidate_id": "c1", "visibility": "named", "title": "Assistante RH",
        "summary": "Rigoureuse. Enceinte de 5 mois. Âgée de 34 ans.",
        "skills": ["Paie", "Délégué syndical", "RQTH"],
        "contact": {"name": "Anne Martin", "email": "anne@example.org"},
    })
    view = minimise_cv(cv)
    assert view.skills == ["Paie"]
    assert view.summary == "Rigoureuse. […]. […]."
    assert view.contact is not None and view.contact.name == "Anne Martin"


def test_intake_lines_report_line_number_and_field() -> None:
    good = {"candidate_id": "c1", "visibility": "named", "title": "Cariste",
            "consents": {"keljob": True}, "consents_at": "2026-11-20T10:00:00Z"}
    lines = [
        json.dumps(good),
        "",
        "{not json",
        json.dumps({**good, "visibility": "public"}),
        json.dumps({**good, "contact": {"email": "nope"}}),
        json.dumps({k: v for k, v in good.items() if k != "consents_at"}),
        json.dumps({**good, "rome_codes": ["M12"]}),
        json.dumps({**good, "nir": "1850578006084"}),
        json.dumps([1, 2]),
    ]
    out = list(read_cv_lines(lines))
    assert isinstance(out[0], CV) and out[0].consents["keljob"].granted
    errors = [o for o in out if isinstance(o, CvLineError)]
    assert [(e.line, e.field) for e in errors] == [
        (3, None), (4, "visibility"), (5, "contact.email"), (6, "consents_at"), (7, "rome_codes"),
        (8, "nir"), (9, None)]
    for e in errors:
        assert e.reason.startswith(f"line {e.line}: ")
        assert "1850578006084" not in e.reason  # the reason never copies the content


def test_iban_whose_tail_reads_as_a_nir_is_masked_whole() -> None:
    # Found by hypothesis: "1000 0000 0000 000" is a NIR shape; masked first, it left
    # "FR82 0020 2000" behind (no longer a valid IBAN, so not masked either).
    assert mask_bank_and_nir("IBAN FR82 0020 2000 1000 0000 0000 000; NIR") == "IBAN […]; NIR"
