"""Title cleaning and title/place splitting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalizer.fields import clean_title, split_title_place


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Second de cuisine F/H ", "Second de cuisine"),
        ("Ingénieur d'études en génie électrique F/H", "Ingénieur d'études en génie électrique"),
        ("Alternance - Directeur des ventes (H/F)", "Alternance - Directeur des ventes"),
        ("Alternance |Assistant(e) Chef de Projet H/F", "Alternance | Assistant(e) Chef de Projet"),
        ("Conseiller entreprise developpement h/f (CDI)", "Conseiller entreprise developpement (CDI)"),
        ("Alternance - Conseiller clientèle / Vendeur H/F", "Alternance - Conseiller clientèle / Vendeur"),
        ("Manager en Stratégie Management et Organisation H/F",
         "Manager en Stratégie Management et Organisation"),
        ("Chauffeur PL H/F/X", "Chauffeur PL"),
        ("Comptable (H/F/NB) - CDI", "Comptable - CDI"),
        ("Développeur (m/w/d)", "Développeur"),
        ("Technicien SAV H / F", "Technicien SAV"),
        ("Aide-soignant [F/H]", "Aide-soignant"),
        ("Vendeur - H/F", "Vendeur"),
        ("H/F - Vendeur", "Vendeur"),
        ("Infirmier Homme/Femme", "Infirmier"),
        ("Serveur (F/H) en CDI", "Serveur en CDI"),
        ("Vendeur M/F", "Vendeur"),
        ("CONSEILLER(E) EN CHARGE DE L'INDEMNISATION - 77",
         "Conseiller(e) en charge de l'indemnisation - 77"),
        ("CHEF DE PROJET RH - H/F", "Chef de projet RH"),
        ("Chef de projet SI", "Chef de projet SI"),  # mixed case untouched
        ("Conseiller(e) clientèle", "Conseiller(e) clientèle"),
        ("Agent de tri (secteur C/F)", "Agent de tri (secteur C/F)"),
        ("H/F", "H/F"),  # nothing else: keep the text
        ("", ""),
    ],
)
def test_clean_title(title, expected):
    assert clean_title(title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Vendeur H/F - Lyon (69)", ("Vendeur H/F", "Lyon (69)")),
        ("Comptable - Rennes", ("Comptable", "Rennes")),
        ("Agent - Saint-Germain-en-Laye", ("Agent", "Saint-Germain-en-Laye")),
        ("Technicien SAV - Villeneuve-d'Ascq (59)", ("Technicien SAV", "Villeneuve-d'Ascq (59)")),
        ("Magasinier - LE MANS", ("Magasinier", "LE MANS")),
        ("Commercial - Ile-de-France", ("Commercial", "Ile-de-France")),
        ("Assistant - 77", ("Assistant", "77")),
        ("Serveur (33)", ("Serveur", "33")),
        ("Bastia - Serveur - Ajaccio (2A)", ("Bastia - Serveur", "Ajaccio (2A)")),
        # job, contract, sector and skill words are not places
        ("Développeur - Java", ("Développeur - Java", None)),
        ("Vendeur - Boulangerie", ("Vendeur - Boulangerie", None)),
        ("Comptable - Temps partiel", ("Comptable - Temps partiel", None)),
        ("Chauffeur - Alternance", ("Chauffeur - Alternance", None)),
        ("Vendeur - Prêt-à-porter", ("Vendeur - Prêt-à-porter", None)),
        ("Chef de projet (H/F)", ("Chef de projet (H/F)", None)),
        ("Alternance - Conseiller clientèle / Vendeur H/F",
         ("Alternance - Conseiller clientèle / Vendeur H/F", None)),
        ("Consultant - Senior", ("Consultant - Senior", None)),
        ("Lyon", ("Lyon", None)),
    ],
)
def test_split_title_place(title, expected):
    assert split_title_place(title) == expected


@given(st.text(max_size=100))
def test_title_functions_never_raise(title):
    cleaned = clean_title(title)
    assert clean_title(cleaned) == cleaned or not cleaned.strip()
    _head, place = split_title_place(title)
    assert place is None or place in title
