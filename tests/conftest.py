"""Shared fixtures: database backends (SQLite and a real PostgreSQL), paths, settings.

``JOBGATE_TEST_DATABASES`` chooses the backends store tests run on:
``sqlite,postgresql`` (default: both), ``sqlite`` or ``postgresql``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobgate.storage import Store
from tests.pg_server import PostgresServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLES = FIXTURES / "samples"
EXAMPLES = ROOT / "examples"
BACKENDS = [b.strip() for b in os.environ.get("JOBGATE_TEST_DATABASES", "sqlite,postgresql").split(",") if b.strip()]
_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the session, with a migrated template database."""
    server = PostgresServer().start()
    try:
        server.execute("CREATE DATABASE jobgate_template")
        template = Store(server.url("jobgate_template"))
        template.migrate()
        template.dispose()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database URL on each configured backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'jobgate.sqlite3'}"
        Store(url).migrate()
        yield url
        return
    server: PostgresServer = request.getfixturevalue("pg_server")
    name = f"t{os.getpid()}_{next(_counter)}"
    server.execute(f"CREATE DATABASE {name} TEMPLATE jobgate_template")
    yield server.url(name)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A store on a fresh database (each backend)."""
    s = Store(db_url)
    s.migrate()
    yield s
    s.dispose()
