"""Kill -9 at every stage, restart, and get the catalogue an uninterrupted run gets.

Each case runs ``jobgate run --once`` in a subprocess with one fail point armed
(:mod:`jobgate.failpoints`, action ``kill``: SIGKILL, no cleanup), checks the
process died by SIGKILL, runs it again without fail points, and compares the
whole store (raw records, source offers and their statuses, history, clusters,
dedup keys, search index and facets, delivery log, connector state, quarantine)
with an uninterrupted run on a fresh database: identical, so nothing lost and
nothing duplicated. Pushes go to a local partner that records every request:
every item arrives at least once, and an item sent twice carries the same
idempotency key both times. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
from collections import defaultdict
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from jobgate.storage import Store
from tests.connectors.simulated_partner import PartnerServer
from tests.publisher.pub_push_server import PartnerBoard, partner_server
from tests.reliability.crash_helpers import (
    FILE_PAGES,
    PAGED_OFFERS,
    differences,
    run_once,
    serve_paged_partner,
    snapshot,
    write_config,
)

_fresh = count()
#: (fail point spec, pushes the restarted run repeats): one case per crash point.
CASES = [
    ("fetch.after_page=2:kill", 0),  # two file partners fetched, the third not
    (f"fetch.before_state={FILE_PAGES + 2}:kill", 0),  # paged partner: page 2 stored, its state not saved
    (f"fetch.after_page={FILE_PAGES + 2}:kill", 0),  # paged partner: pages 1-2 and state stored, resume at 3
    ("normalize.before_commit=1:kill", 0),
    ("normalize.after_batch=1:kill", 0),
    ("dedup.before_write=1:kill", 0),
    ("dedup.mid_write=1:kill", 0),
    ("index.after_batch=1:kill", 0),
    ("publish.after_partner=1:kill", 0),  # one recipient's delivery log written, the other's not
    ("deliver.after_send=1:kill", 1),  # acknowledged, not recorded: sent again, same key
    ("deliver.after_send=30:kill", 1),
    ("deliver.after_row=20:kill", 0),
]
#: Crash points of a second cycle in which 10 of the paged partner's records are gone.
LATER_CASES = [
    ("normalize.before_commit=1:kill", 0),  # closing the gone offers
    ("dedup.mid_write=1:kill", 0),  # their clusters re-formed
]
#: Offers the paged partner lists in the second cycle (a complete snapshot: the rest are gone).
LATER_OFFERS = 30
Pushes = list[tuple[str, str, str | None]]
_baselines: dict[tuple[str, tuple[int, ...]], tuple[dict[str, Any], Pushes]] = {}


def _backend(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def _fresh_db(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Another fresh, migrated database on the same backend as ``db_url``."""
    if _backend(db_url) == "sqlite":
        url = f"sqlite:///{tmp_path / f'fresh{next(_fresh)}.sqlite3'}"
        Store(url).migrate()
        return url
    server = request.getfixturevalue("pg_server")
    name = f"fresh{os.getpid()}_{next(_fresh)}"
    server.execute(f"CREATE DATABASE {name} TEMPLATE jobgate_template")
    return str(server.url(name))


@pytest.fixture
def paged() -> Iterator[PartnerServer]:
    server = PartnerServer().start()
    serve_paged_partner(server, PAGED_OFFERS)
    yield server
    server.stop()


def _pushes(board: PartnerBoard) -> list[tuple[str, str, str | None]]:
    """(method, item id, idempotency key) of every request the partner received."""
    out = []
    for r in board.requests:
        item = r.body.get("id") if isinstance(r.body, dict) else r.path.rstrip("/").rsplit("/", 1)[-1]
        out.append((r.method, str(item), r.key))
    return out


def _cycle(tmp_path: Path, db_url: str, paged: PartnerServer, failpoints: str = "") -> tuple[Any, PartnerBoard, Path]:
    """One run (and the partner board it pushed to); returns the process result too."""
    board = PartnerBoard()
    with partner_server(board) as (push_url, _):
        cfg = write_config(tmp_path, db_url, paged.url("/api/offres"), push_url)
        proc = run_once(cfg, failpoints)
    return proc, board, cfg


def _baseline(db_url: str, tmp_path: Path, request: pytest.FixtureRequest, paged: PartnerServer,
              cycles: tuple[int, ...]) -> tuple[dict[str, Any], Pushes]:
    """Snapshot after uninterrupted cycles on a fresh database, and the last cycle's pushes.

    ``cycles``: how many offers the paged partner lists in each cycle. Once per backend.
    """
    key = (_backend(db_url), cycles)
    if key not in _baselines:
        where = tmp_path / "baseline"
        where.mkdir()
        url = _fresh_db(db_url, where, request)
        for n in cycles:
            serve_paged_partner(paged, n)
            proc, board, _ = _cycle(where, url, paged)
            assert proc.returncode == 0, proc.stderr[-3000:]
        _baselines[key] = (snapshot(url), _pushes(board))
    return _baselines[key]


@pytest.mark.parametrize(("failpoints", "repeated"), CASES, ids=[c[0] for c in CASES])
def test_kill_and_restart_ends_identical_to_an_uninterrupted_run(
    db_url: str, tmp_path: Path, request: pytest.FixtureRequest, paged: PartnerServer,
    failpoints: str, repeated: int,
) -> None:
    want, want_pushes = _baseline(db_url, tmp_path, request, paged, (PAGED_OFFERS,))
    assert want["clusters"] and want["deliveries"] and want_pushes  # a baseline that proves something
    _crash_and_compare(db_url, tmp_path, paged, failpoints, repeated, want, want_pushes)


@pytest.mark.parametrize(("failpoints", "repeated"), LATER_CASES, ids=[c[0] for c in LATER_CASES])
def test_kill_in_a_later_cycle_that_closes_offers(
    db_url: str, tmp_path: Path, request: pytest.FixtureRequest, paged: PartnerServer,
    failpoints: str, repeated: int,
) -> None:
    want, want_pushes = _baseline(db_url, tmp_path, request, paged, (PAGED_OFFERS, LATER_OFFERS))
    gone = [k for k, v in want["offers"].items() if v[0] == "closed"]
    assert len(gone) == PAGED_OFFERS - LATER_OFFERS  # a cycle that closes offers
    serve_paged_partner(paged, PAGED_OFFERS)
    first, _board, _ = _cycle(tmp_path, db_url, paged)
    assert first.returncode == 0, first.stderr[-3000:]
    serve_paged_partner(paged, LATER_OFFERS)
    _crash_and_compare(db_url, tmp_path, paged, failpoints, repeated, want, want_pushes)


def _crash_and_compare(db_url: str, tmp_path: Path, paged: PartnerServer, failpoints: str, repeated: int,
                       want: dict[str, Any], want_pushes: Pushes) -> None:
    """Run killed at ``failpoints``, restart, compare store and pushes with the uninterrupted run."""
    crashed, board1, _ = _cycle(tmp_path, db_url, paged, failpoints)
    assert crashed.returncode == -signal.SIGKILL, (crashed.returncode, crashed.stderr[-3000:])
    restarted, board2, _ = _cycle(tmp_path, db_url, paged)
    assert restarted.returncode == 0, restarted.stderr[-3000:]

    got = snapshot(db_url)
    assert differences(got, want) == []
    assert got["open_runs"] == []

    # Push: every item of the uninterrupted run arrived, at least once, under the same key.
    pushes = _pushes(board1) + _pushes(board2)
    assert set(pushes) == set(want_pushes)
    keys: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    for method, item, key in pushes:
        keys[(method, item)].add(key)
    assert all(len(k) == 1 for k in keys.values()), "an item was sent under two idempotency keys"
    assert len(pushes) - len(set(pushes)) == repeated
    assert sorted(set(board1.applied) | set(board2.applied)) == sorted(k for _m, _i, k in want_pushes)
