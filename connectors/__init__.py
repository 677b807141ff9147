"""Connectors: per-partner declarations over one framework (HTTP, parsing, state, quarantine)."""

from connectors.base import Connector
from connectors.registry import KINDS, build_connector
from connectors.runner import FetchReport, fetch_all, fetch_partner

__all__ = ["KINDS", "Connector", "FetchReport", "build_connector", "fetch_all", "fetch_partner"]
