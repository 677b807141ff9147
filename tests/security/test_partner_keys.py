"""Partner API keys: stored hashed, issued/listed/revoked by the CLI, checked on every partner route;
a partner reads only its own feeds, CV feed, rejections and quarantine."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from jobgate.api import create_app
from jobgate.cli import main
from jobgate.config import Settings, load_settings
from jobgate.keys import issue_key, list_keys, revoke_key
from jobgate.pipeline import run_cycle
from jobgate.storage import Store
from jobgate.storage.models import Offer, PartnerKey
from publisher import cvs
from publisher.cv import CV
from tests.security.helpers import A_KEY, B_KEY, cv_json, write_partners_config

A, B = "courrier-regional", "hellowork"


@pytest.fixture
def env(store: Store, db_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, Store, Settings, Path]]:
    monkeypatch.setenv("SEC_TEST_A_KEY", A_KEY)
    monkeypatch.setenv("SEC_TEST_B_KEY", B_KEY)
    cfg = write_partners_config(tmp_path, db_url)
    settings = load_settings(cfg)
    run_cycle(store, settings)
    with store.session() as s:  # one rejected offer for each partner
        for partner in (A, B):
            first = s.scalar(select(Offer.id).where(Offer.partner == partner).order_by(Offer.id).limit(1))
            s.execute(update(Offer).where(Offer.id == first).values(status="rejected",
                                                                     status_reason=f"rejected-{partner}"))
    cvs.save_cv(store, settings, CV.model_validate(cv_json("C-1", {A: True, B: False})))
    cvs.save_cv(store, settings, CV.model_validate(cv_json("C-2", {A: False, B: True})))
    yield TestClient(create_app(settings, store)), store, settings, cfg


def test_issued_key_is_stored_only_hashed_and_opens_only_its_partner(
        env: tuple[TestClient, Store, Settings, Path]) -> None:
    client, store, settings, _ = env
    issued = issue_key(store, settings, A)
    assert issued.key.startswith(f"jgk_{issued.prefix}_") and len(issued.key) > 60
    with store.session() as s:
        row = s.scalar(select(PartnerKey).where(PartnerKey.prefix == issued.prefix))
        assert row is not None and row.last_used_at is None
        assert row.key_hash == hashlib.sha256(issued.key.encode()).hexdigest()
        assert issued.key not in json.dumps([row.prefix, row.partner, row.key_hash])
    url = f"/feeds/{A}.rss"
    assert client.get(url, headers={"X-API-Key": issued.key}).status_code == 200
    assert client.get(f"/feeds/{B}.rss", headers={"X-API-Key": issued.key}).status_code == 403
    # a key with the right prefix but a wrong secret opens nothing
    forged = issued.key[:-4] + ("AAAA" if not issued.key.endswith("AAAA") else "BBBB")
    assert client.get(url, headers={"X-API-Key": forged}).status_code == 401
    assert [k.last_used_at is not None for k in list_keys(store, A)] == [True]
    assert revoke_key(store, issued.prefix) and not revoke_key(store, issued.prefix)
    assert client.get(url, headers={"X-API-Key": issued.key}).status_code == 401
    assert client.get(url, headers={"X-API-Key": A_KEY}).status_code == 200  # env key still accepted


def test_keys_cli_issue_list_revoke(env: tuple[TestClient, Store, Settings, Path],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    client, _, _, cfg = env
    assert main(["keys", "issue", "--partner", B, "--config", str(cfg)]) == 0
    out = capsys.readouterr()
    key = out.out.strip()
    assert key.startswith("jgk_") and key not in out.err
    assert client.get(f"/cv-feeds/{B}.json", headers={"X-API-Key": key}).status_code == 200
    assert main(["keys", "list", "--config", str(cfg)]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(k["partner"], k["revoked_at"]) for k in listed] == [(B, None)]
    assert key not in json.dumps(listed) and hashlib.sha256(key.encode()).hexdigest() not in json.dumps(listed)
    assert main(["keys", "revoke", listed[0]["prefix"], "--config", str(cfg)]) == 0
    assert main(["keys", "revoke", listed[0]["prefix"], "--config", str(cfg)]) == 1
    assert main(["keys", "issue", "--partner", "nobody", "--config", str(cfg)]) == 2
    assert client.get(f"/cv-feeds/{B}.json", headers={"X-API-Key": key}).status_code == 401


PARTNER_ROUTES = ["/feeds/{p}.rss", "/feeds/{p}.json", "/cv-feeds/{p}.json", "/partners/{p}/rejections",
                  "/partners/{p}/quarantine"]


@pytest.mark.parametrize("route", PARTNER_ROUTES)
def test_a_partner_reads_only_its_own(env: tuple[TestClient, Store, Settings, Path], route: str) -> None:
    client = env[0]
    for me, key, other in ((A, A_KEY, B), (B, B_KEY, A)):
        assert client.get(route.format(p=me), headers={"X-API-Key": key}).status_code == 200
        assert client.get(route.format(p=other), headers={"X-API-Key": key}).status_code == 403
        assert client.get(route.format(p=other)).status_code == 401
        assert client.get(route.format(p=me), headers={"X-API-Key": key + "x"}).status_code == 401
        assert client.get(route.format(p="nobody"), headers={"X-API-Key": key}).status_code == 403
        assert client.get(route.format(p="nobody"), headers={"X-API-Key": "guess"}).status_code == 401


def test_rejections_and_quarantine_are_the_partners_own(env: tuple[TestClient, Store, Settings, Path]) -> None:
    client = env[0]
    ra = client.get(f"/partners/{A}/rejections", headers={"X-API-Key": A_KEY}).json()
    rb = client.get(f"/partners/{B}/rejections", headers={"X-API-Key": B_KEY}).json()
    assert [r["reason"] for r in ra["rejections"]] == [f"rejected-{A}"]
    assert [r["reason"] for r in rb["rejections"]] == [f"rejected-{B}"]
    qa = client.get(f"/partners/{A}/quarantine", headers={"X-API-Key": A_KEY}).json()["quarantine"]
    qb = client.get(f"/partners/{B}/quarantine", headers={"X-API-Key": B_KEY}).json()["quarantine"]
    assert qa == [] and [q["field"] for q in qb] == ["title"]


def test_cv_feed_only_consented_cvs_with_etag_and_tombstones(env: tuple[TestClient, Store, Settings, Path]) -> None:
    client, store, settings, _ = env
    url = f"/cv-feeds/{A}.json"
    r = client.get(url, headers={"X-API-Key": A_KEY})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    feed = r.json()
    assert len(feed["cvs"]) == 1 and feed["deleted"] == []
    assert "Dupré" not in r.text and "elodie" not in r.text.lower()  # anonymous: no name, no contact
    assert client.get(url, headers={"X-API-Key": A_KEY, "If-None-Match": r.headers["etag"]}).status_code == 304
    assert client.get(f"/cv-feeds/{A}.xml", headers={"X-API-Key": A_KEY}).status_code == 404
    assert [d.partner for d in cvs.disclosures(store, "C-1")] == [A]
    cvs.erase_cv(store, settings, "C-1")
    after = client.get(url, headers={"X-API-Key": A_KEY}).json()
    assert after["cvs"] == [] and [t["id"] for t in after["deleted"]] == [feed["cvs"][0]["id"]]
    later = client.get(url, params={"since": "2999-01-01T00:00:00Z"}, headers={"X-API-Key": A_KEY}).json()
    assert later == {"cvs": [], "deleted": []}
    assert [d.action for d in cvs.disclosures(store, "C-1")] == ["sent", "withdrawn"]
