"""Personal data end to end, through the operators' API and the partners' own channels:
erasure reaches every partner that received the CV (push: DELETE; pull: tombstone in
/cv-feeds) and no other; the retention purge runs from the lifecycle job; the disclosure
log answers "who received this CV, and when" by CLI and API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from jobgate.api import create_app
from jobgate.cli import main
from jobgate.config import load_settings
from jobgate.storage import Store
from publisher.push import deliver
from scheduler.lifecycle import run_lifecycle
from tests.publisher.pub_push_server import partner_server
from tests.security.helpers import A_KEY, B_KEY, OPERATOR, cv_json, write_partners_config

A, B, PUSH = "courrier-regional", "hellowork", "push-board"


def test_erasure_retention_and_disclosures(store: Store, db_url: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SEC_TEST_A_KEY", A_KEY)
    monkeypatch.setenv("SEC_TEST_B_KEY", B_KEY)
    monkeypatch.setenv("JOBGATE_OPERATOR_USER", OPERATOR[0])
    monkeypatch.setenv("JOBGATE_OPERATOR_PASSWORD", OPERATOR[1])
    with partner_server() as (url, board):
        cfg = write_partners_config(tmp_path, db_url, extra=f"""
[[partners]]
name = "{PUSH}"
connector = "rss"
url = "{tmp_path / 'none.rss'}"
receives = ["cvs"]
options = {{ push_url = "{url}/jobgate", push_attempts = 1 }}
""")
        settings = load_settings(cfg)
        client = TestClient(create_app(settings, store))
        feed = {A: (f"/cv-feeds/{A}.json", A_KEY), B: (f"/cv-feeds/{B}.json", B_KEY)}

        def read(partner: str) -> dict[str, list[dict[str, object]]]:
            path, key = feed[partner]
            r = client.get(path, headers={"X-API-Key": key})
            assert r.status_code == 200
            return r.json()  # type: ignore[no-any-return]

        consents = {PUSH: True, A: True, B: False}
        old = {**cv_json("C-old", {A: True}), "last_contact_at": "2022-01-10T09:00:00+00:00"}
        for body in (cv_json("C-1", consents), old):
            assert client.post("/cvs", auth=OPERATOR, json=body).status_code == 200
        assert [r.delivered for r in deliver(store, settings)] == [1]
        pushed = [r for r in board.requests if r.method == "POST"]
        assert [r.path for r in pushed] == ["/jobgate/cvs"]
        ref_push = pushed[0].body["id"]
        got_a = read(A)["cvs"]
        assert len(got_a) == 2 and read(B) == {"cvs": [], "deleted": []}  # B never consented

        # erasure: the push partner gets a DELETE, A a tombstone, B nothing
        assert client.delete("/cvs/C-1", auth=OPERATOR).json()["erased"] is True
        assert [r.failed for r in deliver(store, settings)] == [0]
        deletes = [r.path for r in board.requests if r.method == "DELETE"]
        assert deletes == [f"/jobgate/cvs/{ref_push}"] and ref_push not in board.items
        after_a = read(A)
        refs_a = {c["id"] for c in got_a}
        assert len(after_a["deleted"]) == 1 and after_a["deleted"][0]["id"] in refs_a
        assert read(B) == {"cvs": [], "deleted": []}

        # retention: the lifecycle job erases the CV whose last contact is too old
        summary = run_lifecycle(store, settings).summary()
        assert summary["cvs_purged"] == 1
        assert {t["id"] for t in read(A)["deleted"]} == refs_a  # both of A's copies withdrawn

    # the disclosure log: who received C-1, what and when (CLI and API agree)
    assert main(["cvs", "disclosures", "C-1", "--config", str(cfg)]) == 0
    cli = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    api = client.get("/cvs/C-1/disclosures", auth=OPERATOR).json()["disclosures"]
    who = sorted((d["partner"], d["action"], d["channel"]) for d in cli)
    assert who == [(A, "sent", "pull"), (A, "withdrawn", "pull"), (PUSH, "sent", "push"),
                   (PUSH, "withdrawn", "push")]
    assert sorted((d["partner"], d["action"], d["channel"]) for d in api) == who
    assert all(d["at"] for d in cli) and [d["at"][:19] for d in cli] == [d["at"][:19] for d in api]
    old_log = client.get("/cvs/C-old/disclosures", auth=OPERATOR).json()["disclosures"]
    assert [(d["partner"], d["action"]) for d in old_log] == [(A, "sent"), (A, "withdrawn")]
