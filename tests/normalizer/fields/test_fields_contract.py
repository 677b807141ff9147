"""Contract type and duration parsing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobgate.schema import ContractType as T
from normalizer.fields import parse_contract


@pytest.mark.parametrize(
    ("label", "duration", "expected_type", "expected_months"),
    [
        ("CDI", None, T.CDI, None),
        ("CDD", None, T.CDD, None),
        ("MIS", None, T.INTERIM, None),
        ("SAI", None, T.SAISONNIER, None),
        ("LIB", None, T.INDEPENDANT, None),
        ("FRA", None, T.INDEPENDANT, None),
        ("CCE", None, T.INDEPENDANT, None),
        ("REP", None, T.INDEPENDANT, None),
        ("DIN", None, T.CDI_INTERIM, None),
        ("DDI", None, T.INSERTION, None),
        ("TTI", None, T.INSERTION, None),
        # France Travail labels (ft_offres_2025-11-13 and the samples)
        ("Contrat à durée déterminée - 6 Mois", None, T.CDD, 6.0),
        ("Mission intérimaire - 18 Jour(s)", None, T.INTERIM, 0.59),
        ("Intérim - 5 Jour(s)", None, T.INTERIM, 0.16),
        ("CDD - 12 Mois", None, T.CDD, 12.0),
        ("Saisonnier - 38 Jour(s)", None, T.SAISONNIER, 1.25),
        ("Contrat travail saisonnier - 5 Mois", None, T.SAISONNIER, 5.0),
        ("CDD Insertion - 4 Mois", None, T.INSERTION, 4.0),
        ("CDI Intérimaire", None, T.CDI_INTERIM, None),
        ("Contrat à durée indéterminée", None, T.CDI, None),
        ("Profession libérale", None, T.INDEPENDANT, None),
        ("Franchise", None, T.INDEPENDANT, None),
        # partner labels
        ("CDD - Alternance - Contrat d'apprentissage", "12", T.APPRENTISSAGE, 12.0),
        ("CDD - Alternance - Contrat de professionnalisation", "24", T.PROFESSIONNALISATION, 24.0),
        ("CDI - Alternance - Contrat d'apprentissage", "12", T.APPRENTISSAGE, 12.0),
        ("Contrat d'alternance (pro, apprentissage)", {"min": 12, "max": 24}, T.APPRENTISSAGE, 24.0),
        ("Alternating", "12", T.APPRENTISSAGE, 12.0),
        ("Alternance", None, T.APPRENTISSAGE, None),
        ("_TS_CO_Contract_CDD", None, T.CDD, None),
        ("CONTRAT_ALTERNANCE", None, T.APPRENTISSAGE, None),
        ("VIE", None, T.AUTRE, None),
        ("INTERN", None, T.STAGE, None),
        ("PERMANENT", None, T.CDI, None),
        ("Stage", "6 mois", T.STAGE, 6.0),
        ("Freelance", None, T.INDEPENDANT, None),
        ("temporary", None, T.INTERIM, None),
        ("CDD", "2 ans", T.CDD, 24.0),
        ("CDD", "3 semaines", T.CDD, 0.69),
        ("CDD", 18, T.CDD, 18.0),
        ("CDI", "12", T.CDI, None),  # open-ended: no duration
        # working-time words carry no contract type
        ("full-time", None, None, None),
        ("FULL_TIME", None, None, None),
        ("", None, None, None),
        (None, None, None, None),
        ("n'importe quoi", None, None, None),
    ],
)
def test_parse_contract(label, duration, expected_type, expected_months):
    contract = parse_contract(label, duration)
    assert contract.type == expected_type
    assert contract.duration_months == expected_months
    assert contract.original == (label.strip() or None if label else None)


@pytest.mark.parametrize(
    ("code", "nature", "expected"),
    [
        ("CDD", "Contrat apprentissage", T.APPRENTISSAGE),
        ("CDI", "Cont. professionnalisation", T.PROFESSIONNALISATION),
        ("CDD", "Contrat travail", T.CDD),
        ("MIS", "Contrat d'usage", T.INTERIM),
        (None, "Emploi non salarié", T.INDEPENDANT),
    ],
)
def test_nature_overrides(code, nature, expected):
    assert parse_contract(code, nature=nature).type == expected


def test_duration_kept_with_nature_override():
    contract = parse_contract("CDD - 24 Mois", nature="Contrat apprentissage")
    assert (contract.type, contract.duration_months) == (T.APPRENTISSAGE, 24.0)


@given(st.text(max_size=80), st.one_of(st.none(), st.text(max_size=20), st.integers(-5, 500)))
def test_never_raises(label, duration):
    contract = parse_contract(label, duration)
    assert contract.duration_months is None or contract.duration_months > 0
