"""schemathesis against the OpenAPI document, on the in-process ASGI app over a real catalogue.

Every public operation gets generated requests (valid and invalid); every
response must match its documented status codes, content type and schema, and
nothing may answer 5xx. Examples are bounded so the run stays well under a minute.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from jobgate.api import create_app
from jobgate.config import load_settings
from jobgate.pipeline import run_cycle
from jobgate.storage import Store
from tests.conftest import EXAMPLES

# The app is built at import over an empty SQLite store (cheap), and filled by a
# real cycle once, before the first generated request (``catalogue`` fixture).
_DIR = Path(tempfile.mkdtemp(prefix="jobgate-fuzz-"))
_SETTINGS = load_settings(EXAMPLES / "jobgate.toml")
_STORE = Store(f"sqlite:///{_DIR / 'jobgate.sqlite3'}")
_STORE.migrate()
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_SETTINGS, _STORE))


@pytest.fixture(scope="module", autouse=True)
def catalogue() -> Iterator[None]:
    run_cycle(_STORE, _SETTINGS)
    yield
    _STORE.dispose()
    shutil.rmtree(_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi(case: schemathesis.Case) -> None:
    case.call_and_validate()


def test_operations_are_covered() -> None:
    spec = schema.raw_schema
    assert {"/health", "/offers", "/offers/{offer_id}", "/feeds/{partner}.{fmt}"} <= set(spec["paths"])
    assert not any(p.startswith("/ops") for p in spec["paths"])
