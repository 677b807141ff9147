"""HTTP connectors replayed from vcrpy cassettes recorded against the simulated partner.

Replay (the default) runs with ``record_mode="none"``: no server, no network.
To re-record after changing the simulated partner::

    JOBGATE_RECORD_CASSETTES=1 pytest tests/connectors/test_cassettes_replay.py

Hosts are rewritten to ``partner.test`` and credentials filtered before they are
written. The ``html`` kind is not here: scrapy does not use httpx (its crawl is
tested against the live simulated site).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import vcr

from connectors import fetch_partner
from connectors.francetravail import FranceTravailConnector
from jobgate.storage import Store
from tests.connectors.conftest import make_settings
from tests.connectors.simulated_partner import (
    FranceTravailSim,
    PartnerServer,
    ft_offers,
    paged_json,
    sample,
    static,
)

CASSETTES = Path(__file__).resolve().parents[1] / "fixtures" / "cassettes"
RECORD = os.environ.get("JOBGATE_RECORD_CASSETTES") == "1"
HOST = "partner.test"


def _rewrite(request: Any) -> Any:
    request.uri = request.uri.replace(request.host + (f":{request.port}" if f":{request.port}" in request.uri else ""), HOST, 1)
    return request


def recorder() -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="all" if RECORD else "none",
        match_on=["method", "path", "query"],
        before_record_request=_rewrite,
        filter_headers=["authorization", "x-api-key", "host"],
        filter_post_data_parameters=["client_secret", "client_id"],
        decode_compressed_response=True,
    )


def _csv_body() -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["identifier", "title", "description", "url"])
    for o in ft_offers()[:10]:
        w.writerow([o["id"], o["intitule"], o["description"], f"https://example.org/{o['id']}"])
    return buf.getvalue().encode()


def _serve_json(server: PartnerServer) -> None:
    ads = json.loads(sample("partner_json/decathlon_ads.json"))["ads"]
    server.routes["/ads"] = paged_json(ads, size=2, key="ads", api_key="k-123")


# kind → (serve, path, partner settings, expected new records)
CASES: dict[str, tuple[Callable[[PartnerServer], Any], str, dict[str, Any], int]] = {
    "xml": (lambda s: s.routes.__setitem__("/feed.xml", static(sample("partner_xml/hellowork_feed.xml"), "application/xml")),
            "/feed.xml", {"dialect": "hellowork"}, 5),
    "rss": (lambda s: s.routes.__setitem__("/feed.rss", static(sample("rss/monster_rss_items.xml"), "application/rss+xml")),
            "/feed.rss", {"dialect": "monster"}, 3),
    "json": (_serve_json, "/ads", {"dialect": "decathlon", "auth": {"key": "DECATHLON_KEY"},
                                   "options": {"pagination": "page", "page_size": 2}}, 3),
    "csv": (lambda s: s.routes.__setitem__("/offers.csv", static(_csv_body(), "text/csv")), "/offers.csv", {}, 10),
    "francetravail": (lambda s: FranceTravailSim(s, {"33": 60}, partner_offers=3), "/offres/search",
                      {"auth": {"client_id": "FT_CLIENT_ID", "client_secret": "FT_CLIENT_SECRET"},
                       "options": {"token_url": "/token?realm=%2Fpartenaire", "partner_code": "JOBGATE",
                                   "page_size": 50}}, 60),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_replay_cassette(kind: str, tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DECATHLON_KEY", "k-123")
    monkeypatch.setenv("FT_CLIENT_ID", FranceTravailSim.CLIENT_ID)
    monkeypatch.setenv("FT_CLIENT_SECRET", FranceTravailSim.CLIENT_SECRET)
    # The harvest's upper bound is in the query: pin it so the replay asks what was recorded.
    monkeypatch.setattr(FranceTravailConnector, "now", lambda self: datetime(2026, 11, 22, tzinfo=UTC))
    serve, path, extra, expected = CASES[kind]
    extra = json.loads(json.dumps(extra))
    server = PartnerServer().start() if RECORD else None
    try:
        if server:
            serve(server)
        base = server.url("") if server else f"http://{HOST}"
        opts = extra.pop("options", {})
        if "token_url" in opts:
            opts["token_url"] = base + opts["token_url"]
        s = make_settings(tmp_path, connector=kind, url=base + path, options=opts, **extra)
        cassette = f"{kind}.yaml"
        if not RECORD and not (CASSETTES / cassette).exists():
            pytest.fail(f"missing cassette {cassette}: record with JOBGATE_RECORD_CASSETTES=1")
        with recorder().use_cassette(cassette) as tape:
            report = fetch_partner(store, s, s.partners[0])
        assert report.outcome == "success", report.error
        assert report.new == expected and report.quarantined == 0
        if not RECORD:
            assert tape.all_played and tape.play_count == len(tape)
    finally:
        if server:
            server.stop()
