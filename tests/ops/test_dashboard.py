"""The operator dashboard: credentials, CSRF, pages and actions (pause, resume, re-fetch, replay)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jobgate.api import create_app
from jobgate.config import Settings, load_settings
from jobgate.dashboard import bar_chart, line_chart
from jobgate.ops import replay_quarantine
from jobgate.pipeline import run_cycle
from jobgate.storage import Store
from jobgate.storage.models import Offer, Quarantine
from tests.ops.helpers import write_config

AUTH = ("operator", "s3cret-pass")


@pytest.fixture
def ops_env(store: Store, db_url: str, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, Store, Settings]]:
    monkeypatch.setenv("JOBGATE_OPERATOR_USER", AUTH[0])
    monkeypatch.setenv("JOBGATE_OPERATOR_PASSWORD", AUTH[1])
    settings = load_settings(write_config(tmp_path, db_url))
    run_cycle(store, settings)
    yield TestClient(create_app(settings, store)), store, settings


def _csrf(page: str) -> str:
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert m
    return m.group(1)


def test_credentials_required(ops_env: tuple[TestClient, Store, Settings], monkeypatch: pytest.MonkeyPatch) -> None:
    client, _, _ = ops_env
    r = client.get("/ops")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic")
    assert client.get("/ops", auth=(AUTH[0], "wrong")).status_code == 401
    assert client.get("/ops", auth=("someone", AUTH[1])).status_code == 401
    assert client.post("/ops/partners/hellowork/pause").status_code == 401
    monkeypatch.delenv("JOBGATE_OPERATOR_PASSWORD")
    assert client.get("/ops", auth=AUTH).status_code == 503  # no default password


def test_page_shows_health_and_indicators(ops_env: tuple[TestClient, Store, Settings]) -> None:
    client, _, _ = ops_env
    r = client.get("/ops", auth=AUTH)
    assert r.status_code == 200 and "no-store" in r.headers["cache-control"]
    page = r.text
    assert 'data-partner="broken-board" data-state="failing"' in page
    assert 'data-partner="france-travail" data-state="healthy"' in page
    assert page.count("<svg") >= 6 and 'id="direct-share"' in page and 'id="dedup-rate"' in page
    for words in ("Rejets de certification", "Livraisons en attente", "Par grand domaine ROME", "Par région",
                  "Par origine", "service public"):
        assert words in page


def test_actions_need_csrf_and_same_origin(ops_env: tuple[TestClient, Store, Settings]) -> None:
    client, store, _ = ops_env
    token = _csrf(client.get("/ops", auth=AUTH).text)
    assert client.post("/ops/partners/hellowork/pause", auth=AUTH).status_code == 403
    assert client.post("/ops/partners/hellowork/pause", auth=AUTH, data={"csrf": "0" * 64}).status_code == 403
    evil = client.post("/ops/partners/hellowork/pause", auth=AUTH, data={"csrf": token},
                       headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403 and not store.is_paused("hellowork")
    ok = client.post("/ops/partners/hellowork/pause", auth=AUTH, data={"csrf": token},
                     headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert ok.status_code == 303 and store.is_paused("hellowork")
    assert 'data-partner="hellowork" data-state="paused"' in client.get("/ops", auth=AUTH).text
    client.post("/ops/partners/hellowork/resume", auth=AUTH, data={"csrf": token})
    assert not store.is_paused("hellowork")
    runs = len(store.runs("hellowork"))
    client.post("/ops/partners/hellowork/refetch", auth=AUTH, data={"csrf": token})
    assert len(store.runs("hellowork")) == runs + 1
    r = client.post("/ops/partners/nobody/pause", auth=AUTH, data={"csrf": token})
    assert r.status_code == 200 and "no partner named" in r.text


def test_replay_quarantine(ops_env: tuple[TestClient, Store, Settings]) -> None:
    client, store, settings = ops_env
    # A normalize-stage quarantine (as the normalizer writes it) and a fetch-stage one.
    with store.session() as s:
        offer = s.scalars(select(Offer).where(Offer.partner == "hellowork")).first()
        assert offer is not None
        ext, updated = offer.external_id, offer.updated_at
    store.quarantine("hellowork", ext, "unreadable salary", field="salary", stage="normalize")
    store.quarantine("courrier-regional", "item-9", "bad XML", stage="fetch")
    runs = len(store.runs("courrier-regional"))
    token = _csrf(client.get("/ops", auth=AUTH).text)
    page = client.get("/ops", auth=AUTH).text
    assert "unreadable salary" in page and "bad XML" in page
    r = client.post("/ops/quarantine/replay", auth=AUTH, data={"csrf": token}, follow_redirects=True)
    assert r.status_code == 200 and "2 enregistrements rejoués" in r.text
    with store.session() as s:
        assert not list(s.scalars(select(Quarantine).where(Quarantine.resolved.is_(False),
                                                           Quarantine.partner.in_(["hellowork", "courrier-regional"]))))
        again = s.scalars(select(Offer).where(Offer.partner == "hellowork", Offer.external_id == ext)).one()
    assert again.updated_at >= updated and again.content_hash  # renormalised from its raw record
    assert len(store.runs("courrier-regional")) == runs + 1  # fetch-stage: partner re-fetched
    assert replay_quarantine(store, settings, partner="hellowork").resolved == 0


def test_svg_charts_escape_labels() -> None:
    svg = str(bar_chart([("<script>x</script>", 3.0), ("b", 1.0)]))
    assert "<script>" not in svg and svg.startswith("<svg")
    assert "<polyline" in str(line_chart({"a&b": [(0.0, 1.0), (60.0, 3.0)]}))
    assert "aucune donnée" in str(bar_chart([]))
