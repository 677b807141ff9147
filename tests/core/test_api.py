"""The HTTP API over a store filled by a real cycle: health, OpenAPI, catalogue, partner feeds."""

from __future__ import annotations

from collections.abc import Iterator

import feedparser
import pytest
from fastapi.testclient import TestClient

from jobgate.api import create_app
from jobgate.config import load_settings
from jobgate.pipeline import run_cycle
from jobgate.storage import Store
from tests.conftest import EXAMPLES


@pytest.fixture
def client(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("COURRIER_REGIONAL_API_KEY", "k-regional")
    settings = load_settings(EXAMPLES / "jobgate.toml")
    run_cycle(store, settings)
    yield TestClient(create_app(settings, store))


def test_health_and_openapi(client: TestClient) -> None:
    h = client.get("/health").json()
    assert h["status"] == "ok" and h["catalogue_offers"] >= 50 and h["last_fetch"]
    spec = client.get("/openapi.json").json()
    assert {"/health", "/offers", "/offers/{offer_id}", "/feeds/{partner}.{fmt}"} <= set(spec["paths"])


def test_catalogue_pages_and_detail(client: TestClient) -> None:
    page1 = client.get("/offers", params={"limit": 20}).json()
    assert len(page1["offers"]) == 20 and page1["next"]
    page2 = client.get("/offers", params={"limit": 20, "after": page1["next"]}).json()
    assert not {o["id"] for o in page1["offers"]} & {o["id"] for o in page2["offers"]}
    one = client.get(f"/offers/{page1['offers'][0]['id']}").json()
    assert one["title"] and one["sources"]
    assert client.get("/offers/jg-nope").status_code == 404


def test_partner_feed_needs_its_own_key_and_supports_etag(client: TestClient) -> None:
    url = "/feeds/courrier-regional.rss"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"X-API-Key": "wrong"}).status_code == 401
    assert client.get("/feeds/jobagreg.rss", headers={"X-API-Key": "k-regional"}).status_code == 403  # not its own
    r = client.get(url, headers={"X-API-Key": "k-regional"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/rss+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo and len(feed.entries) >= 50
    again = client.get(url, headers={"X-API-Key": "k-regional", "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    later = client.get(url, params={"since": "2999-01-01T00:00:00Z"}, headers={"X-API-Key": "k-regional"})
    assert later.status_code == 200 and len(feedparser.parse(later.content).entries) == 0
