"""Generalised detection (branch cert): exclusion and restriction constructions over
protected-criterion lexicons, co-occurrence patterns, not-French detection, and the
tuning_generalise set. Each pattern family has cases that must fire and lawful
look-alikes that must not."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from jobgate.schema import Severity
from normalizer.certification import PartnerContract, certify
from normalizer.certification.model import Context, pattern, scan
from normalizer.certification.rules_discrimination import age_value
from normalizer.certification.testing import load_fixtures, offer_from_fixture

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = date(2026, 11, 22)


def _findings(description: str, title: str = "Agent H/F", **row: Any) -> dict[str, set[str]]:
    offer = offer_from_fixture({"title": title, "description": description, "contract": "CDI", **row})
    out: dict[str, set[str]] = {}
    for f in certify(offer, today=TODAY).findings:
        out.setdefault(f.id, set()).add(f.severity.value)
    return out


# (description, rule id) pairs that must be REJECTed by that rule.
OFFENDING = [
    # exclusion after the group
    ("Les femmes ne seront pas retenues pour ce poste.", "DISC-SEX"),
    ("Messieurs s'abstenir.", "DISC-SEX"),
    ("Candidatures masculines non acceptées.", "DISC-SEX"),
    ("Les quinquagénaires ne sont pas acceptés.", "DISC-AGE"),
    ("Les plus de quarante-cinq ans ne seront pas retenus.", "DISC-AGE"),
    ("Divorcés et familles monoparentales s'abstenir.", "DISC-FAM"),
    ("Candidats roumains ou bulgares exclus.", "DISC-ORIG"),
    ("Les personnes malentendantes sont exclues.", "DISC-HEALTH"),
    ("Candidats roux ou chauves s'abstenir.", "DISC-APP"),
    ("Les adhérents de la CGT ne sont pas les bienvenus.", "DISC-BELIEF"),
    ("Les habitants de Clichy-sous-Bois ne seront pas retenus.", "DISC-RES"),
    ("Chômeurs de longue durée exclus.", "DISC-ECON"),
    # exclusion before the group
    ("Pas de candidats transgenres.", "DISC-BELIEF"),
    ("Nous ne recrutons pas de personnes homosexuelles.", "DISC-BELIEF"),
    ("Aucun candidat juif ne sera accepté.", "DISC-BELIEF"),
    ("Pas de gens des cités.", "DISC-RES"),
    ("Interdit aux personnes souffrant d'asthme.", "DISC-HEALTH"),
    ("Nous écartons les candidats étrangers.", "DISC-ORIG"),
    ("Le poste ne convient pas aux femmes.", "DISC-SEX"),
    ("Merci de ne pas postuler si vous êtes d'origine étrangère.", "DISC-ORIG"),
    ("Pas de SDF.", "DISC-ECON"),
    ("Non fiché à la Banque de France.", "DISC-ECON"),
    # restriction
    ("Poste réservé à la gent masculine.", "DISC-SEX"),
    ("Préférence pour un profil féminin.", "DISC-SEX"),
    ("Uniquement des habitants de Neuilly.", "DISC-RES"),
    ("Couple marié exigé pour la loge.", "DISC-FAM"),
    ("Profil européen exigé.", "DISC-ORIG"),
    ("Candidat en parfaite santé physique et mentale exigé.", "DISC-HEALTH"),
    ("Le candidat doit être de confession catholique.", "DISC-BELIEF"),
    # age limits in words
    ("Nous cherchons un candidat de vingt à trente ans.", "DISC-AGE"),
    ("Âge limite : quarante ans.", "DISC-AGE"),
    ("Limite d'âge fixée à 45 ans.", "DISC-AGE"),
    ("Âge souhaité : trentaine maximum.", "DISC-AGE"),
    # family, appearance, origin wordings
    ("Personne libre de toute attache familiale.", "DISC-FAM"),
    ("Veuillez préciser votre situation de famille.", "DISC-FAM"),
    ("Silhouette fine exigée.", "DISC-APP"),
    ("Taille minimale : un mètre soixante-dix.", "DISC-APP"),
    ("Merci de ne postuler que si vous êtes Français de naissance.", "DISC-ORIG"),
    # bank or social-security data with the application, any order
    ("Votre IBAN est demandé avec le CV.", "DISC-DATA"),
    ("Mentionnez votre NIR dans la lettre de motivation.", "DISC-DATA"),
    # fees: an amount, a payment, the candidate pays
    ("Une contribution de 45 € vous sera demandée pour l'ouverture de votre dossier.", "FEE-01"),
    ("Dépôt de 500 € exigé à la remise des clés.", "FEE-01"),
    ("Pack de bienvenue facturé 390 € au nouveau conseiller.", "FEE-01"),
    ("Votre inscription de 49 € vous donne accès à nos offres d'emploi.", "FEE-01"),
    ("Un virement de 50 € est nécessaire pour finaliser votre dossier.", "FEE-01"),
    ("Coût de la formation : 150 € à votre charge.", "FEE-01"),
    # premium numbers in any spacing, SMS short codes, per-minute prices
    ("Informations au 0 892 68 01 23.", "FEE-02"),
    ("Contact : 0-891-55-44-33.", "FEE-02"),
    ("Tapez EMPLOI et envoyez au 6 15 20.", "FEE-02"),
    ("Service à 0,80 €/min.", "FEE-02"),
    # pyramids
    ("Construisez votre réseau de distributeurs et touchez des commissions sur plusieurs niveaux.", "FEE-03"),
    ("Parrainez des amis et percevez 20 % sur leurs commandes.", "FEE-03"),
    ("Gagnez de l'argent en faisant adhérer vos proches, 10 % sur leurs achats.", "FEE-03"),
    # money mules, parcels, escorting
    ("Vous recevrez des fonds sur votre compte personnel et les transférerez à nos partenaires.", "FEE-05"),
    ("Prêtez votre adresse pour recevoir des marchandises destinées à l'export.", "FEE-05"),
    ("Accompagnement de messieurs fortunés lors de dîners, discrétion assurée.", "FEE-05"),
    ("Utilisez votre compte PayPal pour recevoir des paiements de nos clients.", "FEE-05"),
]

# (description, rule id, title, extra fixture fields) that must NOT be rejected by that rule.
LAWFUL = [
    ("Poste ouvert aux personnes en situation de handicap.", "DISC-HEALTH", "Agent H/F", {}),
    ("Poste réservé aux travailleurs handicapés (ESAT).", "DISC-HEALTH", "Agent H/F", {}),
    ("Accompagnement des bénéficiaires du RSA et des chômeurs de longue durée.", "DISC-ECON", "Conseiller H/F", {}),
    ("Poste en insertion ouvert aux demandeurs d'emploi de longue durée.", "DISC-ECON", "Agent H/F", {}),
    ("Titre de séjour autorisant à travailler en France exigé.", "DISC-ORIG", "Agent H/F", {}),
    ("Anglais courant exigé.", "DISC-ORIG", "Agent H/F", {}),
    ("Spécialités d'origine italienne, pâtes fraîches.", "DISC-ORIG", "Cuisinier H/F", {}),
    ("Coupe homme et femme, barbe.", "DISC-SEX", "Coiffeur H/F", {}),
    ("Intervention auprès des habitants des quartiers prioritaires.", "DISC-RES", "Médiateur H/F", {}),
    ("Boulangerie située dans le quartier de la gare recherche un boulanger.", "DISC-RES", "Boulanger H/F", {}),
    ("Permis B valide exigé.", "DISC-HEALTH", "Livreur H/F", {}),
    ("Non allergique au white-spirit utilisé sur le chantier.", "DISC-HEALTH", "Peintre H/F", {}),
    ("Spécialiste des cheveux blonds et des balayages.", "DISC-APP", "Coiffeur H/F", {}),
    ("Relations avec les délégués syndicaux et les élus du CSE.", "DISC-BELIEF", "Juriste H/F", {}),
    ("Accueil des personnes âgées de plus de 80 ans.", "DISC-AGE", "Auxiliaire de vie H/F", {}),
    ("Contrat d'apprentissage, candidats de 16 à 29 ans.", "DISC-AGE", "Apprenti H/F", {"contract": "APPRENTISSAGE"}),
    ("Après l'embauche, vous fournirez votre RIB.", "DISC-DATA", "Agent H/F", {}),
    ("Vous saisissez les RIB des salariés pour la paie.", "DISC-DATA", "Gestionnaire de paie H/F", {}),
    ("Salaire de 2 000 € brut par mois, mutuelle et formation.", "FEE-01", "Agent H/F", {}),
    ("Prime de cooptation de 500 € si vous recommandez un collègue.", "FEE-01", "Agent H/F", {}),
    ("Frais de déplacement remboursés, 0,35 € par kilomètre.", "FEE-01", "Agent H/F", {}),
    ("Les clients paient un abonnement de 29 € par mois.", "FEE-01", "Commercial H/F", {}),
    ("Candidatures au 0800 12 34 56 (appel gratuit).", "FEE-02", "Agent H/F", {}),
    ("Prime de cooptation : parrainez des proches et gagnez 150 € de cadeaux.", "FEE-03", "Agent H/F", {}),
    ("Vous encadrez 8 vendeurs salariés, prime sur les résultats de l'équipe.", "FEE-03", "Manager H/F", {}),
    ("Vous traitez les virements et les transferts de fonds des clients.", "FEE-05", "Conseiller bancaire H/F", {}),
    ("Livraison de colis au domicile des particuliers.", "FEE-05", "Livreur H/F", {}),
    ("Votre salaire est versé par virement sur votre compte bancaire.", "FEE-05", "Agent H/F", {}),
    ("Salaire : 1 900 € brut, virement mensuel, mutuelle.", "FEE-01", "Agent H/F", {}),
    ("Interprète pour accompagner des hommes d'affaires lors de salons professionnels.", "FEE-05", "Interprète H/F", {}),
]


@pytest.mark.parametrize(("description", "rule_id"), OFFENDING, ids=[d[:40] for d, _ in OFFENDING])
def test_generalised_offending(description: str, rule_id: str) -> None:
    assert "REJECT" in _findings(description).get(rule_id, set())


@pytest.mark.parametrize(("description", "rule_id", "title", "row"), LAWFUL, ids=[d[:40] for d, *_ in LAWFUL])
def test_generalised_lawful(description: str, rule_id: str, title: str, row: dict[str, Any]) -> None:
    assert "REJECT" not in _findings(description, title, **row).get(rule_id, set())


NOT_FRENCH = [
    ("Barista", "We need a friendly barista for our coffee shop. Must be available on weekends and speak good English."),
    ("Kassierer (m/w/d)", "Wir suchen ab sofort eine Kassiererin in Teilzeit für unseren Markt in Straßburg."),
    ("Recepcionista", "Buscamos recepcionista con experiencia para un hotel en Niza, horario de mañana."),
    ("Cameriere", "Cerchiamo un cameriere per il nostro ristorante sul lago, con esperienza nel servizio."),
    ("Sales Manager H/F - Lyon", "We are looking for a Sales Manager to grow our business in France. You will manage key "
     "accounts and report to the CEO. Poste basé à Lyon, CDI."),
]
FRENCH = [
    ("Vendeur H/F", "Nous recherchons un vendeur pour notre magasin de sport. Vous accueillez les clients et les conseillez."),
    ("Data engineer H/F", "Rejoignez notre équipe data : pipelines Spark, Airflow, cloud AWS. Anglais courant, stack "
     "moderne, télétravail 2 jours par semaine."),
    ("Hôte d'accueil bilingue H/F", "Accueil d'une clientèle internationale. Anglais courant : « Welcome, how can I help "
     "you? ». Vous orientez les visiteurs et gérez le standard."),
    ("COFFREUR BANCHEUR", "RECHERCHE COFFREUR BANCHEUR EXPERIMENTE CHANTIER LYON 7 DEMARRAGE IMMEDIAT"),
]


@pytest.mark.parametrize(("title", "description"), NOT_FRENCH, ids=[t for t, _ in NOT_FRENCH])
def test_not_french_rejected(title: str, description: str) -> None:
    assert "REJECT" in _findings(description, title).get("FORM-03", set())


@pytest.mark.parametrize(("title", "description"), FRENCH, ids=[t for t, _ in FRENCH])
def test_french_not_rejected(title: str, description: str) -> None:
    assert "REJECT" not in _findings(description, title).get("FORM-03", set())


def test_foreign_language_medium_is_exempt() -> None:
    title, description = NOT_FRENCH[0]
    offer = offer_from_fixture({"title": title, "description": description, "contract": "CDI"})
    cert = certify(offer, today=TODAY, contract=PartnerContract(foreign_language_medium=True))
    assert "FORM-03" not in {f.id for f in cert.findings}


@pytest.mark.parametrize(("text", "value"), [("18", 18), ("dix-huit", 18), ("vingt-six", 26), ("quarante", 40), ("vingt et un", 21)])
def test_age_value(text: str, value: int) -> None:
    assert age_value(text) == value


def test_written_minimum_age_of_eighteen_is_not_rejected_with_a_legal_context() -> None:
    found = _findings("Vous devez avoir dix-huit ans minimum (service d'alcool).", "Barman H/F")
    assert "REJECT" not in found.get("DISC-AGE", set())


def _ctx(description: str) -> Context:
    return Context(offer_from_fixture({"title": "Agent H/F", "description": description}), PartnerContract(), TODAY)


def test_context_before_or_after_is_required() -> None:
    p = pattern(r"\bchats?\b", "chat chats", context_before=r"pas de $", context_after=r" interdits?")
    assert [h.evidence for h in scan(_ctx("Pas de chats."), (p,))]
    assert [h.evidence for h in scan(_ctx("Les chats interdits ici."), (p,))]
    assert not list(scan(_ctx("Nous aimons les chats."), (p,)))
    # the context stops at the sentence boundary
    assert not list(scan(_ctx("Il n'y a pas de. Chats bienvenus."), (p,)))


def test_needs_are_required_in_the_same_sentence() -> None:
    p = pattern(r"\b\d+ eur\b", "eur", anchors=" eur", needs=(r"\bfrais\b", r"\bcandidat\b"))
    assert list(scan(_ctx("Le candidat paie 30 € de frais."), (p,)))
    assert not list(scan(_ctx("Le candidat touche 30 €. Les frais sont remboursés."), (p,)))


def _rows(offending: bool) -> list[dict[str, Any]]:
    return [r for r in load_fixtures(FIXTURES / "tuning_generalise.jsonl") if bool(r["expected"]) is offending]


def _detected(row: dict[str, Any]) -> bool:
    cert = certify(offer_from_fixture(row), today=TODAY)
    return any(f.id in row["expected"] and f.severity is Severity.REJECT for f in cert.findings)


def test_tuning_generalise_offending_detected() -> None:
    """Tuned on (docs/certification-results.md): threshold slightly below the measured 100 %."""
    rows = _rows(True)
    assert len(rows) >= 150
    rate = sum(map(_detected, rows)) / len(rows)
    assert rate >= 0.98, rate


def test_tuning_generalise_lawful_not_rejected() -> None:
    rows = _rows(False)
    assert len(rows) >= 80
    assert not [r["title"] for r in rows if certify(offer_from_fixture(r), today=TODAY).status.value == "rejected"]
