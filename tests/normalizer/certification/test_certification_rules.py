"""Table-driven tests of the declared rules."""

from __future__ import annotations

from datetime import date

import pytest

from jobgate.schema import Severity
from normalizer.certification import certify
from normalizer.certification.testing import offer_from_fixture

TODAY = date(2026, 11, 22)

CASES = [
    # (title, description, rule id, severity or None for "must not fire")
    ("Vendeur H/F", "Profil : moins de 30 ans.", "DISC-AGE", "REJECT"),
    ("Vendeur H/F", "Âge maximum : 45 ans.", "DISC-AGE", "REJECT"),
    ("Vendeur H/F", "Candidat né après 1995.", "DISC-AGE", "REJECT"),
    ("Vendeur H/F", "Poste ouvert sans distinction d'âge.", "DISC-AGE", None),
    ("Vendeur H/F", "Vous avez 5 ans d'expérience minimum.", "DISC-AGE", None),
    ("Auxiliaire de puériculture H/F", "Soins des enfants de moins de 3 ans.", "DISC-AGE", None),
    ("Vendeur H/F", "Recherche profil jeune et dynamique.", "DISC-AGE", "WARN"),
    ("Agent H/F", "Recherche homme uniquement.", "DISC-SEX", "REJECT"),
    ("Agent H/F", "Poste réservé aux femmes.", "DISC-SEX", "REJECT"),
    ("Vendeuse", "Conseil et vente en boutique.", "DISC-SEX", "WARN"),
    ("Mécanicien", "Entretien des véhicules.", "DISC-SEX", "WARN"),
    ("Vendeur·se", "Conseil et vente.", "DISC-SEX", None),
    ("Cuisinier / Cuisinière", "Préparation des repas.", "DISC-SEX", None),
    ("Mannequin femme", "Défilé de la collection printemps.", "DISC-SEX", None),
    ("Agent H/F", "Personne non typée.", "DISC-ORIG", "REJECT"),
    ("Agent H/F", "Nationalité française exigée.", "DISC-ORIG", "REJECT"),
    ("Agent H/F", "Autorisation de travail en France requise.", "DISC-ORIG", None),
    ("Agent H/F", "Nationalité européenne souhaitée.", "DISC-ORIG", "WARN"),
    ("Agent H/F", "Candidat célibataire de préférence.", "DISC-FAM", "REJECT"),
    ("Agent H/F", "En collaboration avec Marie, notre coordinatrice.", "DISC-FAM", None),
    ("Agent H/F", "Pas de projet de grossesse.", "DISC-FAM", "REJECT"),
    ("Agent H/F", "En bonne santé, aucun problème de dos.", "DISC-HEALTH", "REJECT"),
    ("Agent H/F", "Port de charges jusqu'à 25 kg.", "DISC-HEALTH", None),
    ("Agent H/F", "Port de charges lourdes.", "DISC-HEALTH", "WARN"),
    ("Agent H/F", "Physique agréable exigé.", "DISC-APP", "REJECT"),
    ("Agent H/F", "Bonne présentation.", "DISC-APP", "WARN"),
    ("Agent H/F", "Catholique pratiquant.", "DISC-BELIEF", "REJECT"),
    ("Agent H/F", "Candidats non syndiqués.", "DISC-BELIEF", "REJECT"),
    ("Agent H/F", "Ne pas résider en QPV.", "DISC-RES", "REJECT"),
    ("Agent H/F", "Compte bancaire en France obligatoire.", "DISC-RES", "REJECT"),
    ("Agent H/F", "Français sans accent.", "DISC-LANG", "REJECT"),
    ("Agent H/F", "Anglais courant exigé.", "DISC-LANG", None),
    ("Agent H/F", "Pas de bénéficiaires du RSA.", "DISC-ECON", "REJECT"),
    ("Agent H/F", "Joindre votre RIB avec votre candidature.", "DISC-DATA", "REJECT"),
    ("Agent H/F", "Frais de dossier de 50 €.", "FEE-01", "REJECT"),
    ("Agent H/F", "Aucun frais de dossier ne sera demandé.", "FEE-01", None),
    ("Agent H/F", "Appelez le 08 99 23 45 67.", "FEE-02", "REJECT"),
    ("Agent H/F", "Appelez le 0 800 12 34 56 (gratuit).", "FEE-02", None),
    ("Agent H/F", "Marketing de réseau, achetez votre pack de démarrage.", "FEE-03", "REJECT"),
    ("Agent H/F", "Payé en liquide.", "FEE-04", "REJECT"),
    ("Caissier H/F", "Encaissement des paiements en espèces.", "FEE-04", None),
    ("Agent H/F", "Réception et réexpédition de colis depuis votre domicile.", "FEE-05", "REJECT"),
    ("Agent H/F", "Constituer notre vivier de candidats.", "TRUE-04", "WARN"),
]


@pytest.mark.parametrize(("title", "description", "rule_id", "severity"), CASES)
def test_rule(title: str, description: str, rule_id: str, severity: str | None) -> None:
    offer = offer_from_fixture({"title": title, "description": description, "contract": "CDI"})
    found = {f.severity.value for f in certify(offer, today=TODAY).findings if f.id == rule_id}
    if severity is None:
        assert not found & {"REJECT", "WARN"}, found
    else:
        assert severity in found, found


def test_every_finding_is_complete() -> None:
    offer = offer_from_fixture({"title": "Vendeuse", "description": "Moins de 30 ans, payé en liquide."})
    cert = certify(offer, today=TODAY)
    assert {f.id for f in cert.findings} >= {"DISC-AGE", "FEE-04", "DISC-SEX"}  # never stops at the first
    for f in cert.findings:
        assert f.id and f.message and f.basis and f.field and isinstance(f.severity, Severity)
