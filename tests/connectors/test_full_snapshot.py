"""Incremental partners: a periodic full read closes what the partner removed (with the suspicious-drop guard)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from connectors import fetch_partner
from connectors.base import full_snapshot_due
from jobgate.storage import Store
from tests.connectors.conftest import make_settings
from tests.connectors.simulated_partner import PartnerServer, Reply, Req, ft_offers, paged_json

OFFERS = ft_offers()  # 148 real offers
SIZE = 20


class Listing:
    """A paged listing honouring ``updated_since``; ``offers`` may change between runs."""

    def __init__(self, server: PartnerServer) -> None:
        self.offers: list[dict[str, Any]] = list(OFFERS)
        self.since: list[str | None] = []
        self.die_after: int | None = None  # drop the connection after this many more pages
        server.routes["/api/offres"] = self

    def __call__(self, req: Req) -> Reply:
        since = req.query.get("updated_since")
        if req.query.get("page", "1") == "1":
            self.since.append(since)
        if self.die_after is not None:
            if self.die_after <= 0:
                return Reply(drop=True)
            self.die_after -= 1
        rows = [o for o in self.offers if not since or o["dateActualisation"] > since]
        return paged_json(rows, size=SIZE)(req)


def settings(tmp_path: Path, server: PartnerServer, **options: Any):  # type: ignore[no-untyped-def]
    return make_settings(tmp_path, connector="json", dialect="francetravail", url=server.url("/api/offres"),
                         options={"pagination": "page", "page_size": SIZE, "cursor_field": "updated",
                                  "since_param": "updated_since", "retries": 1, **options})


def test_full_read_every_n_hours_closes_removed_offers(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    listing = Listing(partner_server)
    s = settings(tmp_path, partner_server)
    p = s.partners[0]
    first = fetch_partner(store, s, p)
    assert first.complete and first.fetched == len(OFFERS)
    listing.offers = OFFERS[3:]  # the partner removed three offers and never says so
    second = fetch_partner(store, s, p)  # within the day: incremental
    assert listing.since[-1] is not None and (second.complete, second.closed) == (False, 0)
    assert store.count_live_raw("p") == len(OFFERS)
    # A day later (pinned by rewinding the saved time of the last full read): a full read.
    state = store.get_state("p", "")
    old = (datetime.now(UTC) - timedelta(hours=25)).strftime("%Y-%m-%dT%H:%M:%SZ")
    store.set_state("p", "", {**state, "last_full": old})
    third = fetch_partner(store, s, p)
    assert listing.since[-1] is None  # asked without the bookmark
    assert third.outcome == "success" and third.complete and third.closed == 3
    assert sorted(third.gone) == sorted(o["id"] for o in OFFERS[:3])
    assert store.count_live_raw("p") == len(OFFERS) - 3
    new_state = store.get_state("p", "")
    assert new_state["last_full"] > old and new_state["incremental_runs"] == 0 and new_state["bookmark"]


def test_full_read_every_n_runs(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    listing = Listing(partner_server)
    s = settings(tmp_path, partner_server, full_snapshot_every_runs=2)
    for _ in range(5):
        fetch_partner(store, s, s.partners[0])
    full = [since is None for since in listing.since]
    assert full == [True, False, False, True, False]


def test_partner_not_declared_snapshot_is_closed_by_the_full_read(tmp_path: Path, store: Store,
                                                                  partner_server: PartnerServer) -> None:
    listing = Listing(partner_server)
    s = settings(tmp_path, partner_server, full_snapshot_every=0)
    p = s.partners[0].model_copy(update={"snapshot": False})
    fetch_partner(store, s, p)
    listing.offers = OFFERS[1:]
    report = fetch_partner(store, s, p)
    assert listing.since == [None, None] and report.closed == 1


def test_sudden_drop_in_a_full_read_is_held_as_suspicious(tmp_path: Path, store: Store,
                                                          partner_server: PartnerServer) -> None:
    listing = Listing(partner_server)
    s = settings(tmp_path, partner_server, full_snapshot_every=0)
    fetch_partner(store, s, s.partners[0])
    listing.offers = OFFERS[:5]
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "suspicious" and report.closed == 0
    assert store.count_live_raw("p") == len(OFFERS)


def test_killed_full_read_resumes_as_a_full_read_and_closes_nothing(tmp_path: Path, store: Store,
                                                                    partner_server: PartnerServer) -> None:
    listing = Listing(partner_server)
    s = settings(tmp_path, partner_server, full_snapshot_every=0)
    fetch_partner(store, s, s.partners[0])
    listing.offers = OFFERS[2:]
    listing.die_after = 3
    killed = fetch_partner(store, s, s.partners[0])
    assert killed.outcome == "failed" and store.get_state("p", "")["pass"] == "full"
    listing.die_after = None
    s2 = settings(tmp_path, partner_server, full_snapshot_every=1000)  # a new full read would not be due
    resumed = fetch_partner(store, s2, s2.partners[0])
    asked = partner_server.requests_to("/api/offres")[-1]
    assert "updated_since" not in asked.query  # the full pass is finished as it began
    assert resumed.outcome == "success" and resumed.complete is False and resumed.closed == 0
    assert store.get_state("p", "")["incremental_runs"] == 0  # but it does count as the full read


def test_due_rule() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert full_snapshot_due({}, None, 0, now)
    assert not full_snapshot_due({}, "2026-11-22T00:00:00Z", 5, now)
    assert full_snapshot_due({}, "2026-11-21T12:00:00Z", 0, now)
    assert full_snapshot_due({"full_snapshot_every": 6}, "2026-11-22T06:00:00Z", 0, now)
    assert full_snapshot_due({"full_snapshot_every_runs": 3}, "2026-11-22T11:00:00Z", 3, now)
    assert not full_snapshot_due({"full_snapshot_every": False}, "2020-01-01T00:00:00Z", 99, now)
