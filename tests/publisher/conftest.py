"""Fixtures for the publisher tests: real France Travail offers and partners."""

from __future__ import annotations

import pytest
from publisher_samples import public_service_offers

from jobgate.config import PartnerSettings, PublisherSettings
from jobgate.schema import CatalogueOffer, Contact


@pytest.fixture(scope="session")
def ft_public_offers() -> list[CatalogueOffer]:
    """Real public-service offers (origine 1) from the samples."""
    offers = public_service_offers()
    assert len(offers) > 100
    return offers


@pytest.fixture
def pub_partner() -> PartnerSettings:
    """A partner that receives our offers."""
    return PartnerSettings(
        name="regional-daily", connector="rss", url="x.xml", receives=("offers",)
    )


@pytest.fixture
def pub_settings() -> PublisherSettings:
    """Publisher settings with a fixed base URL."""
    return PublisherSettings(base_url="https://jobgate.example.org")


@pytest.fixture
def pub_agency() -> Contact:
    """An agency counsellor channel."""
    return Contact(email="ape.94076@francetravail.fr", phone="01 49 58 00 00")
