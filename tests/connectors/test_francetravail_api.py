"""France Travail API mode against a simulated search API: OAuth2, range paging, the 3149 cap, exclusion, 429, resume."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors import fetch_partner
from connectors.francetravail import DEPARTEMENTS
from jobgate.config import Settings
from jobgate.storage import Store
from tests.connectors.conftest import make_settings
from tests.connectors.simulated_partner import FranceTravailSim, PartnerServer, Reply, Req


@pytest.fixture(autouse=True)
def _ft_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FT_CLIENT_ID", FranceTravailSim.CLIENT_ID)
    monkeypatch.setenv("FT_CLIENT_SECRET", FranceTravailSim.CLIENT_SECRET)


def ft_settings(tmp_path: Path, server: PartnerServer, **options: object) -> Settings:
    return make_settings(
        tmp_path, name="ft", connector="francetravail", url=server.url("/offres/search"),
        auth={"client_id": "FT_CLIENT_ID", "client_secret": "FT_CLIENT_SECRET"},
        options={"token_url": server.url("/token?realm=%2Fpartenaire"), "partner_code": "JOBGATE", **options},
    )


def live_ids(store: Store) -> set[str]:
    from sqlalchemy import select

    from jobgate.storage.models import RawRecord

    with store.session() as s:
        return set(s.scalars(select(RawRecord.external_id).where(RawRecord.partner == "ft", RawRecord.gone.is_(False))))


def test_departements_are_the_101_codes() -> None:
    assert len(DEPARTEMENTS) == len(set(DEPARTEMENTS)) == 101
    assert {"01", "2A", "2B", "95", "971", "976"} <= set(DEPARTEMENTS) and "20" not in DEPARTEMENTS


def test_more_than_the_index_cap_is_split_by_departement_then_date_windows(
    tmp_path: Path, store: Store, partner_server: PartnerServer
) -> None:
    sim = FranceTravailSim(partner_server, {"75": 3400, "13": 400, "2A": 7, "971": 12}, partner_offers=30)
    s = ft_settings(tmp_path, partner_server)
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "success" and report.complete, report.error
    expected = sim.expected_ids
    assert len(expected) == 3819
    # Every offer exactly once: read once, stored once; none of ours re-imported.
    assert report.fetched == len(expected) and report.new == len(expected)
    assert live_ids(store) == expected
    assert max(Counter(sim.served_ids).values()) == 1
    searches = partner_server.requests_to("/offres/search")
    assert all(r.query["partenaires"] == "JOBGATE" and r.query["modeSelectionPartenaires"] == "EXCLU" for r in searches)
    assert all(int(r.query["range"].split("-")[1]) <= 3149 for r in searches)
    deps = {r.query.get("departement") for r in searches}
    assert deps == {None, *DEPARTEMENTS}  # the root query, then each département
    paris_windows = {(r.query["minCreationDate"], r.query["maxCreationDate"])
                     for r in searches if r.query.get("departement") == "75"}
    assert len(paris_windows) > 2  # 75 alone exceeded the cap: creation-date windows were halved
    assert len(sim.tokens) == 1  # one token for the whole run (cached)
    assert store.runs("ft")[0].pages == report.pages > 0


def test_offers_above_departement_level_are_read_by_the_remainder_query(
    tmp_path: Path, store: Store, partner_server: PartnerServer
) -> None:
    places = {"75": 3300, "13": 200, "France": 60, "Île-de-France": 25, "Allemagne": 15}
    sim = FranceTravailSim(partner_server, places, partner_offers=10)
    s = ft_settings(tmp_path, partner_server)
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "success" and report.complete, report.error
    expected = sim.expected_ids
    assert len(expected) == 3600 > 3150
    elsewhere = {o["id"] for o in sim.offers if " - " not in o["lieuTravail"]["libelle"]}
    assert len(elsewhere) == 100 and elsewhere <= expected
    assert live_ids(store) == expected  # the union covers every offer, those without a département included
    searches = partner_server.requests_to("/offres/search")
    rest = [r for r in searches if "departement" not in r.query]
    assert len({(r.query["minCreationDate"], r.query["maxCreationDate"]) for r in rest}) > 2  # windows, not one query
    assert all(int(r.query["range"].split("-")[1]) <= 3149 for r in searches)
    # The département queries were still used (the remainder only adds what they cannot reach).
    assert {r.query.get("departement") for r in searches} == {None, *DEPARTEMENTS}


def test_remainder_query_off_misses_offers_without_departement(
    tmp_path: Path, store: Store, partner_server: PartnerServer
) -> None:
    sim = FranceTravailSim(partner_server, {"75": 3200, "France": 30})
    s = ft_settings(tmp_path, partner_server, remainder=False)
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "success"
    assert sim.expected_ids - live_ids(store) == {o["id"] for o in sim.offers if o["lieuTravail"]["libelle"] == "France"}


def test_token_is_refreshed_after_a_401(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    sim = FranceTravailSim(partner_server, {"33": 400})
    search = sim.search
    revoked = []

    def revoking(req: Req) -> Reply:
        if sim.searches == 1 and not revoked:
            revoked.append(True)
            sim.tokens.clear()  # the provider revoked our token mid-run
        return search(req)

    partner_server.routes["/offres/search"] = revoking
    s = ft_settings(tmp_path, partner_server)
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "success" and report.fetched == 400
    assert len(partner_server.requests_to("/token")) == 2 and report.http_errors == 1


def test_bad_client_credentials_fail_without_retry(tmp_path: Path, store: Store, partner_server: PartnerServer,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    FranceTravailSim(partner_server, {"33": 10})
    monkeypatch.setenv("FT_CLIENT_SECRET", "wrong")
    s = ft_settings(tmp_path, partner_server)
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "failed" and "refused the client credentials" in (report.error or "")
    assert len(partner_server.requests_to("/token")) == 1 and not partner_server.requests_to("/offres/search")


def test_429_retry_after_is_honoured(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    sim = FranceTravailSim(partner_server, {"33": 400}, rate_limit_every=2, retry_after="1")
    s = ft_settings(tmp_path, partner_server)
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "success" and report.fetched == 400 and report.http_errors >= 1
    searches = partner_server.requests_to("/offres/search")
    gaps = [b.at - a.at for a, b in itertools.pairwise(searches)]
    assert sim.searches == len(searches) and max(gaps) >= 0.95


def test_killed_harvest_resumes_with_the_same_queries(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    sim = FranceTravailSim(partner_server, {"75": 3400, "13": 400})
    search = sim.search
    budget = {"left": 30}

    def dying(req: Req) -> Reply:
        budget["left"] -= 1
        return search(req) if budget["left"] >= 0 else Reply(drop=True)

    partner_server.routes["/offres/search"] = dying
    s = ft_settings(tmp_path, partner_server, retries=1)
    first = fetch_partner(store, s, s.partners[0])
    assert first.outcome == "failed" and 0 < first.fetched < 3800
    harvest = store.get_state("ft", "")["harvest"]
    done = done_queries(store)
    assert done and all(k.startswith("q:") for k in done)
    asked_before = len(partner_server.requests_to("/offres/search"))
    budget["left"] = 10_000
    second = fetch_partner(store, s, s.partners[0])
    assert second.outcome == "success" and second.complete is False and second.closed == 0
    assert live_ids(store) == sim.expected_ids
    asked = partner_server.requests_to("/offres/search")[asked_before:]
    # Same harvest bounds; finished queries are not asked again; at most one page per resumed query is re-read.
    assert all(r.query["maxCreationDate"] <= harvest["until"] for r in asked)
    keys = {f"q:{r.query.get('departement', 'all')}:{r.query['minCreationDate']}..{r.query['maxCreationDate']}"
            for r in asked}
    assert not keys & done
    assert first.fetched + second.fetched - len(sim.expected_ids) <= 150
    assert "harvest" not in store.get_state("ft", "") and done_queries(store) == set()


def done_queries(store: Store) -> set[str]:
    from sqlalchemy import select

    from jobgate.storage.models import ConnectorState

    with store.session() as s:
        rows = s.scalars(select(ConnectorState).where(ConnectorState.partner == "ft"))
        return {r.partition for r in rows if r.state.get("done")}


def test_incremental_runs_ask_only_for_recent_creations(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    sim = FranceTravailSim(partner_server, {"33": 200})
    s = ft_settings(tmp_path, partner_server)
    first = fetch_partner(store, s, s.partners[0])
    assert first.complete and first.fetched == 200
    state = store.get_state("ft", "")
    assert state["bookmark"] == state["last_full"]
    now = datetime.now(UTC)
    fresh = [sim._offer(sim.offers[0], f"NEW{i}", "33", now - timedelta(minutes=5), None) for i in range(3)]
    sim.offers = fresh + sim.offers
    second = fetch_partner(store, s, s.partners[0])
    assert second.outcome == "success" and second.fetched == 3 and second.complete is False and second.closed == 0
    last = partner_server.requests_to("/offres/search")[-1].query
    assert last["minCreationDate"] > "2026" or last["minCreationDate"] > state["bookmark"][:4]
    full = ft_settings(tmp_path, partner_server, full_refresh_hours=0)
    third = fetch_partner(store, full, full.partners[0])
    assert third.complete and third.fetched == 203
