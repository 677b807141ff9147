"""Every route that is not public answers 401 without credentials (enumerated from the app, so
a new route that forgets its check fails here); the operators' CV API: intake, consent,
withdrawal, erasure reaching the partners' CV feeds, and the disclosure log."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route

from jobgate.api import create_app
from jobgate.config import Settings, load_settings
from jobgate.storage import Store
from tests.security.helpers import A_KEY, B_KEY, OPERATOR, cv_json, write_partners_config

A, B = "courrier-regional", "hellowork"
#: Routes anyone may read, each for a reason (docs/security.md): liveness, the public
#: catalogue, the API's own description, and aggregated counts for Prometheus.
PUBLIC = {"/health", "/metrics", "/offers", "/offers/{offer_id}", "/openapi.json", "/docs",
          "/docs/oauth2-redirect", "/redoc"}


@pytest.fixture
def env(store: Store, db_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, Store, Settings]]:
    monkeypatch.setenv("SEC_TEST_A_KEY", A_KEY)
    monkeypatch.setenv("SEC_TEST_B_KEY", B_KEY)
    monkeypatch.setenv("JOBGATE_OPERATOR_USER", OPERATOR[0])
    monkeypatch.setenv("JOBGATE_OPERATOR_PASSWORD", OPERATOR[1])
    settings = load_settings(write_partners_config(tmp_path, db_url))
    yield TestClient(create_app(settings, store)), store, settings


def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """Every (path, methods) of the app, included routers walked into (FastAPI keeps them as
    wrappers holding ``original_router`` and the include ``prefix``)."""
    for r in routes:
        if isinstance(r, Route | APIRoute):
            yield prefix + r.path, set(r.methods or ())
        elif hasattr(r, "original_router"):
            yield from _routes(r.original_router.routes, prefix + getattr(r.include_context, "prefix", ""))
        else:
            raise AssertionError(f"a route of unknown kind: {r!r}")


def _calls(client: TestClient) -> list[tuple[str, str]]:
    out = []
    for path, methods in _routes(client.app.routes):  # type: ignore[attr-defined]
        if path in PUBLIC:
            continue
        path = re.sub(r"\{fmt\}", "json", path)
        path = re.sub(r"\{[^}]+\}", "x", path)
        out += [(m, path) for m in sorted(methods) if m != "HEAD"]
    return out


def test_every_non_public_route_needs_credentials(env: tuple[TestClient, Store, Settings]) -> None:
    client = env[0]
    calls = _calls(client)
    # the enumeration sees the operator pages and actions, the CV API and the partner routes
    assert {p.split("/")[1] for _, p in calls} >= {"ops", "cvs", "feeds", "cv-feeds", "partners"}
    assert sum(p.startswith("/ops") for _, p in calls) >= 3 and sum(p.startswith("/cvs") for _, p in calls) >= 5
    for method, path in calls:
        for auth in (None, ("someone", "guess"), (OPERATOR[0], "wrong")):
            r = client.request(method, path, auth=auth, headers={"Content-Type": "application/json"},
                               content=b"{}" if method in ("POST", "PUT") else None)
            assert r.status_code == 401, (method, path, auth, r.status_code)
        if not path.startswith(("/ops", "/cvs")):
            continue
        # a partner's key is no operator credential
        r = client.request(method, path, headers={"X-API-Key": A_KEY})
        assert r.status_code == 401, (method, path)


def test_operator_routes_closed_when_no_credential_is_configured(
        env: tuple[TestClient, Store, Settings], monkeypatch: pytest.MonkeyPatch) -> None:
    client = env[0]
    monkeypatch.delenv("JOBGATE_OPERATOR_PASSWORD")
    for method, path in _calls(client):
        if path.startswith(("/ops", "/cvs")):
            assert client.request(method, path, auth=OPERATOR).status_code == 503, (method, path)


def test_cv_api_intake_consent_withdraw_erase_and_disclosures(env: tuple[TestClient, Store, Settings]) -> None:
    client = env[0]
    a_feed, b_feed = f"/cv-feeds/{A}.json", f"/cv-feeds/{B}.json"
    r = client.post("/cvs", auth=OPERATOR, json=cv_json("C-7", {A: True, B: False}))
    assert r.status_code == 200 and r.json() == {"candidate_id": "C-7", "outcome": "new", "consents_recorded": 2}
    first = client.get(a_feed, headers={"X-API-Key": A_KEY}).json()
    assert len(first["cvs"]) == 1 and client.get(b_feed, headers={"X-API-Key": B_KEY}).json()["cvs"] == []
    # B is granted, then everything withdrawn: both that received it get a tombstone
    r = client.put("/cvs/C-7/consents", auth=OPERATOR, json={B: True})
    assert r.json()["changed"] == {B: True} and r.json()["consents"] == {A: True, B: True}
    assert len(client.get(b_feed, headers={"X-API-Key": B_KEY}).json()["cvs"]) == 1
    assert sorted(client.post("/cvs/C-7/withdraw", auth=OPERATOR, json={}).json()["withdrawn"]) == [A, B]
    for feed, key in ((a_feed, A_KEY), (b_feed, B_KEY)):
        got = client.get(feed, headers={"X-API-Key": key}).json()
        assert got["cvs"] == [] and len(got["deleted"]) == 1
    # a second CV erased after A read it
    client.post("/cvs", auth=OPERATOR, json=cv_json("C-8", {A: True}))
    assert len(client.get(a_feed, headers={"X-API-Key": A_KEY}).json()["cvs"]) == 1
    assert client.delete("/cvs/C-8", auth=OPERATOR).json() == {"candidate_id": "C-8", "erased": True}
    assert client.delete("/cvs/C-8", auth=OPERATOR).status_code == 404
    assert len(client.get(a_feed, headers={"X-API-Key": A_KEY}).json()["deleted"]) == 2
    log = client.get("/cvs/C-7/disclosures", auth=OPERATOR).json()["disclosures"]
    assert [(d["partner"], d["action"]) for d in log] == [(A, "sent"), (B, "sent"), (A, "withdrawn"),
                                                          (B, "withdrawn")]
    assert all(d["at"] and d["channel"] == "pull" and "cv" not in d for d in log)


def test_cv_api_refuses_cross_site_and_does_not_echo_personal_data(env: tuple[TestClient, Store, Settings]) -> None:
    client = env[0]
    body = cv_json("C-9", {A: True})
    assert client.post("/cvs", auth=OPERATOR, data={"candidate_id": "C-9"}).status_code == 415
    r = client.post("/cvs", auth=OPERATOR, json=body, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert client.delete("/cvs/C-9", auth=OPERATOR, headers={"Origin": "https://evil.example"}).status_code == 403
    bad = {**body, "birth_date": "Dupré-1990-secret"}
    r = client.post("/cvs", auth=OPERATOR, json=bad)
    assert r.status_code == 422 and "birth_date" in r.text and "Dupré-1990-secret" not in r.text
