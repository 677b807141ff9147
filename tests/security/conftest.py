"""The security tests reuse the connectors' simulated partner server."""

from tests.connectors.conftest import partner_server

__all__ = ["partner_server"]
