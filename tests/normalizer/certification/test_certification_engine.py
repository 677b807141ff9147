"""certify(): statuses, overrides per partner, SIRET, public-service offers, SMIC by year."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from jobgate.schema import CertificationStatus, Severity
from normalizer.certification import RULES, PartnerContract, certify
from normalizer.certification.testing import offer_from_fixture
from normalizer.certification.wages import gratification, smic

TODAY = date(2026, 11, 22)


def _offer(**kw: object):
    row = {"title": "Vendeur H/F", "description": "Conseil et vente en magasin.", "contract": "CDI",
           "salary": "2 000 € brut mensuel", "salary_min": 2000, "salary_period": "month", "hours_per_week": 35}
    row.update(kw)
    return offer_from_fixture(row)


def _ids(cert, severity: Severity | None = None) -> set[str]:
    return {f.id for f in cert.findings if severity is None or f.severity is severity}


def test_clean_offer_is_certified() -> None:
    cert = certify(_offer(), today=TODAY)
    assert cert.status is CertificationStatus.CERTIFIED, cert.findings


def test_rule_ids_are_unique_and_from_the_spec() -> None:
    ids = RULES.ids()
    assert len(ids) == len(set(ids))
    assert {"ID-01", "ID-03", "ID-04", "ID-06", "FORM-01", "FORM-02", "FORM-03", "DISC-SEX", "DISC-AGE",
            "DISC-FAM", "DISC-ORIG", "DISC-HEALTH", "TRUE-02", "FEE-01", "FEE-06"} <= set(ids)


def test_missing_siret_is_not_a_reject() -> None:
    offer = _offer()
    offer.employer.siret = None
    cert = certify(offer, today=TODAY)
    assert cert.status is CertificationStatus.CERTIFIED
    assert [f.severity for f in cert.findings if f.id == "ID-01"] == [Severity.INFO]


def test_missing_siret_rejected_when_the_contract_requires_it() -> None:
    offer = _offer()
    offer.employer.siret = None
    cert = certify(offer, today=TODAY, contract=PartnerContract(siret_required=True))
    assert "ID-01" in _ids(cert, Severity.REJECT)


@pytest.mark.parametrize("siret", ["73282932000075", "00000000000000", "12345678901234", "1234"])
def test_invalid_or_dummy_siret_is_rejected(siret: str) -> None:
    offer = _offer()
    offer.employer.siret = siret
    assert "ID-01" in _ids(certify(offer, today=TODAY), Severity.REJECT)


def test_la_poste_siret_and_siren_only() -> None:
    offer = _offer()
    offer.employer.siret = "35600000000048"  # La Poste head office
    assert "ID-01" not in _ids(certify(offer, today=TODAY))
    offer.employer.siret = "732829320"  # a SIREN where a SIRET was expected
    assert "ID-01" in _ids(certify(offer, today=TODAY), Severity.WARN)


def test_overrides_per_partner() -> None:
    offer = _offer(title="Vendeuse")
    assert "DISC-SEX" in _ids(certify(offer, today=TODAY), Severity.WARN)
    cert = certify(offer, today=TODAY, overrides={"DISC-SEX:gendered_title": "INFO"})
    assert cert.status is CertificationStatus.CERTIFIED
    cert = certify(offer, today=TODAY, overrides={"DISC-SEX": "REJECT"})
    assert cert.status is CertificationStatus.REJECTED
    cert = certify(offer, today=TODAY, overrides={"DISC-SEX": "off"})
    assert "DISC-SEX" not in _ids(cert)


@pytest.mark.parametrize("overrides", [{"NOPE-1": "WARN"}, {"DISC-SEX": "FATAL"}])
def test_bad_overrides_raise(overrides: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        certify(_offer(), today=TODAY, overrides=overrides)


def test_public_service_offers_are_never_rejected() -> None:
    offer = _offer(description="Moins de 30 ans. Payé en liquide.")
    offer.employer.siret = "00000000000000"
    assert certify(offer, today=TODAY).status is CertificationStatus.REJECTED
    offer.origin = "1"
    cert = certify(offer, today=TODAY)
    assert cert.status is CertificationStatus.WARNING
    assert "ID-01" not in _ids(cert)  # structured rules skipped
    assert {"DISC-AGE", "FEE-04"} <= _ids(cert, Severity.WARN)


def test_missing_date_and_future_date() -> None:
    offer = _offer()
    offer.dates.published = None
    assert "FORM-01" in _ids(certify(offer, today=TODAY), Severity.REJECT)
    assert "FORM-01" in _ids(certify(offer, today=TODAY, contract=PartnerContract(dated_by_feed=False)), Severity.WARN)
    offer.dates.published = datetime(2027, 1, 1, tzinfo=UTC)
    assert "FORM-01" in _ids(certify(offer, today=TODAY), Severity.REJECT)


def test_no_salary_is_a_warning() -> None:
    offer = _offer(salary=None, salary_min=None, salary_period=None)
    assert "PAY-01" in _ids(certify(offer, today=TODAY), Severity.WARN)


def test_smic_table_by_date() -> None:
    assert smic(date(2024, 6, 1)).hourly == 11.65
    assert smic(date(2025, 6, 1)).hourly == 11.88
    assert smic(date(2026, 1, 1)).hourly == 12.02
    assert smic(date(2026, 1, 1)).monthly == 1823.03
    assert gratification(date(2026, 3, 1)).hourly == 4.50


@pytest.mark.parametrize(
    ("published", "hourly", "rejected"),
    [("2025-06-01", 11.88, False), ("2026-03-01", 11.88, True), ("2026-03-01", 12.02, False),
     ("2024-06-01", 11.70, False), ("2025-06-01", 11.70, True)],
)
def test_smic_by_publication_date(published: str, hourly: float, rejected: bool) -> None:
    offer = _offer(salary=f"{hourly} €/h", salary_min=hourly, salary_period="hour", published=published)
    assert ("TRUE-02" in _ids(certify(offer, today=TODAY), Severity.REJECT)) is rejected


@pytest.mark.parametrize(
    ("row", "severity"),
    [
        ({"salary_min": 1250, "hours_per_week": 24, "full_time": False}, None),  # part-time pro rata: lawful
        ({"salary_min": 1500, "hours_per_week": 35, "full_time": True}, "REJECT"),
        ({"salary_min": 1500, "hours_per_week": None}, "WARN"),  # hours unknown
        ({"salary_min": 950, "contract": "APPRENTISSAGE"}, "INFO"),
        ({"salary_min": 700, "contract": "STAGE"}, None),  # above 4.50 €/h
        ({"salary_min": 1500, "contract": "INDEPENDANT"}, None),
    ],
)
def test_smic_exceptions(row: dict[str, object], severity: str | None) -> None:
    base = {"salary": "salaire", "salary_period": "month", "hours_per_week": 35}
    offer = _offer(**{**base, **row})
    found = {f.severity.value for f in certify(offer, today=TODAY).findings if f.id == "TRUE-02"}
    assert found == ({severity} if severity else set())
