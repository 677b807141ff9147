"""Fixtures for connector tests: the simulated partner server and partner settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jobgate.config import PartnerSettings, Settings
from tests.connectors.simulated_partner import PartnerServer

#: Fast, unthrottled limits for tests (rate limiting has its own tests).
FAST = {"rate_per_s": 0, "backoff_s": 0.01, "timeout_s": 2}


@pytest.fixture
def partner_server() -> Iterator[PartnerServer]:
    """A fresh simulated partner on 127.0.0.1."""
    server = PartnerServer().start()
    yield server
    server.stop()


def make_settings(tmp_path: Path, **partner: Any) -> Settings:
    """Settings with one partner (``name`` defaults to ``p``); ``options`` merged over FAST."""
    partner.setdefault("name", "p")
    partner["options"] = {**FAST, **partner.get("options", {})}
    return Settings(partners=(PartnerSettings(**partner),), base_dir=tmp_path)
