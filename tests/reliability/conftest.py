"""One seeded scenario per test session: each test runs its fault on a copy of the seeded database.

Seeding (a full good cycle over six partners) costs more than a fault, so it
is done once on SQLite and copied; the PostgreSQL path is covered by
``test_faults_on_each_backend``, which seeds its own database.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobgate.storage import Store
from tests.ops.helpers import redis_url  # noqa: F401  (a fixture: a real redis-server)
from tests.reliability.hostile import Scenario


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Scenario, Path]]:
    """The scenario, seeded once; and its SQLite file."""
    where = tmp_path_factory.mktemp("seeded")
    db = where / "seed.sqlite3"
    url = f"sqlite:///{db}"
    store = Store(url)
    store.migrate()
    sc = Scenario(where, url)
    sc.seed(store)
    store.dispose()
    yield sc, db
    sc.close()


@pytest.fixture
def scenario_store(seeded: tuple[Scenario, Path], tmp_path: Path) -> Iterator[tuple[Scenario, Store]]:
    """The seeded scenario on a fresh copy of the seeded database (faults cleared)."""
    sc, db = seeded
    copy = tmp_path / "jobgate.sqlite3"
    shutil.copyfile(db, copy)
    url = f"sqlite:///{copy}"
    sc.use_database(url, tmp_path)
    store = Store(url)
    yield sc, store
    store.dispose()
    sc.use_database(f"sqlite:///{db}", db.parent)
