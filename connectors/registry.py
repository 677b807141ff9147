"""Connector kinds by their ``connector`` value in the configuration."""

from __future__ import annotations

from connectors.base import Connector
from connectors.csvfeed import CsvConnector
from connectors.francetravail import FranceTravailConnector
from connectors.html import HtmlConnector
from connectors.jsonapi import JsonConnector
from connectors.rss import RssConnector
from connectors.xmlfeed import XmlFeedConnector
from jobgate.config import PartnerSettings
from jobgate.errors import ConfigError

KINDS: dict[str, type[Connector]] = {
    c.kind: c
    for c in (FranceTravailConnector, RssConnector, XmlFeedConnector, JsonConnector, CsvConnector, HtmlConnector)
}


def build_connector(partner: PartnerSettings) -> Connector:
    """The connector for a partner's settings."""
    try:
        cls = KINDS[partner.connector]
    except KeyError:
        raise ConfigError(
            f"partner {partner.name!r}: connector {partner.connector!r} is not available "
            f"(available: {', '.join(sorted(KINDS))})"
        ) from None
    return cls(partner)
