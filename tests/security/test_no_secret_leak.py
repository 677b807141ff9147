"""No secret in logs, errors, stored run records, health output or API responses.

A cycle runs with every kind of secret set to a recognisable value (OAuth2 client secret,
a partner's fetch key, its pull key, a push token, the operator password) against a
hostile local partner that refuses everything and echoes the credentials it was sent
back in its error bodies; a bad configuration is loaded too. Then every place a secret
could surface is searched for each value.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jobgate.api import create_app
from jobgate.config import load_settings
from jobgate.errors import ConfigError
from jobgate.health import format_text, partner_health
from jobgate.logs import setup_logging
from jobgate.pipeline import run_cycle
from jobgate.storage import Store
from jobgate.storage.models import Delivery, FetchRun, Quarantine
from tests.connectors.simulated_partner import PartnerServer, Reply, Req
from tests.ops.helpers import PARTNERS

SECRETS = {
    "SEC_FT_ID": "client-id-Hq2x7Lm4",
    "SEC_FT_SECRET": "client-secret-Vb9w3Kz1",
    "SEC_FEED_KEY": "feed-key-Tn5c8Rj2",
    "SEC_PULL_KEY": "pull-key-Ys4d6Pq9",
    "SEC_PUSH_TOKEN": "push-token-Gm1f7Xe3",
    "JOBGATE_OPERATOR_PASSWORD": "op-pass-Wk3s9Dn6",
}


def _echo(req: Req) -> Reply:
    """A hostile partner: 401, with the request's headers and body in the error body."""
    return Reply(401, json.dumps({"error": "denied", "you_sent": req.headers,
                                  "body": req.body.decode("utf-8", "replace")}).encode(),
                 {"Content-Type": "application/json"})


def _config(tmp_path: Path, db_url: str, server: PartnerServer) -> Path:
    path = tmp_path / "jobgate.toml"
    path.write_text(f"""
[database]
url = "{db_url}"

[[partners]]
name = "france-travail"
connector = "francetravail"
url = "{PARTNERS / 'france-travail-offres.json'}"
public_service = true

[[partners]]
name = "oauth-board"
connector = "json"
url = "{server.url('/offers.json')}"
auth = {{ client_id = "SEC_FT_ID", client_secret = "SEC_FT_SECRET" }}
options = {{ token_url = "{server.url('/token')}", retries = 0, rate_per_s = 0 }}

[[partners]]
name = "key-board"
connector = "xml"
url = "{server.url('/feed.xml')}"
api_key_env = "SEC_PULL_KEY"
receives = ["offers"]
auth = {{ key = "SEC_FEED_KEY", push_token = "SEC_PUSH_TOKEN" }}
options = {{ push_url = "{server.url('/push')}", retries = 0, rate_per_s = 0, push_attempts = 1 }}
""", encoding="utf-8")
    return path


def test_no_secret_value_surfaces_anywhere(store: Store, db_url: str, tmp_path: Path,
                                           partner_server: PartnerServer, monkeypatch: pytest.MonkeyPatch,
                                           caplog: pytest.LogCaptureFixture) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("JOBGATE_OPERATOR_USER", "operator")
    for path in ("/token", "/offers.json", "/feed.xml", "/push"):
        partner_server.routes[path] = _echo
    logs = io.StringIO()
    setup_logging("DEBUG", stream=logs)
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []

    settings = load_settings(_config(tmp_path, db_url, partner_server))
    report = run_cycle(store, settings)
    seen.append(json.dumps(report.summary(), default=str))
    seen += [f.error or "" for f in report.fetches]
    failed = {f.partner: f.outcome for f in report.fetches}
    assert failed["oauth-board"] == "failed" and failed["key-board"] == "failed"
    assert any(r.path == "/push" for r in partner_server.log), "the push partner was reached"
    # the hostile partner did receive the credentials (so the test can fail)
    sent = json.dumps([(r.headers, r.body.decode("utf-8", "replace")) for r in partner_server.log])
    assert SECRETS["SEC_FT_SECRET"] in sent and SECRETS["SEC_FEED_KEY"] in sent
    assert SECRETS["SEC_PUSH_TOKEN"] in sent

    # a bad configuration: a secret written in the file instead of a variable name
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[[partners]]\nname = "x"\nconnector = "rss"\nurl = "x.xml"\n'
                   f'auth = {{ client_secret = "{SECRETS["SEC_FT_SECRET"]}" }}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(bad)
    seen.append(str(info.value))

    with store.session() as s:
        seen += [r.error or "" for r in s.scalars(select(FetchRun))]
        seen += [d.last_error or "" for d in s.scalars(select(Delivery))]
        seen += [f"{q.reason} {q.payload}" for q in s.scalars(select(Quarantine))]
    assert any("HTTP 401" in d for d in seen), "the push failure was recorded"
    health = partner_health(store, settings)
    seen += [format_text(health), json.dumps([h.to_dict() for h in health], default=str)]

    client = TestClient(create_app(settings, store))
    op = ("operator", SECRETS["JOBGATE_OPERATOR_PASSWORD"])
    for url, kw in [("/health", {}), ("/metrics", {}), ("/ops", {"auth": op}),
                    ("/ops", {"auth": ("operator", "wrong")}),
                    ("/feeds/key-board.rss", {"headers": {"X-API-Key": SECRETS["SEC_PULL_KEY"]}}),
                    ("/feeds/key-board.rss", {"headers": {"X-API-Key": "guess"}}),
                    ("/partners/key-board/quarantine", {"headers": {"X-API-Key": SECRETS["SEC_PULL_KEY"]}}),
                    ("/openapi.json", {})]:
        r = client.get(url, **kw)
        assert r.status_code < 500, url
        seen.append(f"{url} {r.status_code} {dict(r.headers)} {r.text}")
    seen += [logs.getvalue(), caplog.text]
    assert logs.getvalue().count("\n") > 5  # JSON logs were captured

    text = "\n".join(seen)
    leaks = {name for name, value in SECRETS.items() if value in text}
    assert not leaks, leaks


@pytest.mark.parametrize(("raw", "hidden"), [
    ("Authorization: Bearer eyJhbGciOi.abc.def", "eyJhbGciOi.abc.def"),
    ('{"client_secret": "s3cr3t-value", "grant_type": "client_credentials"}', "s3cr3t-value"),
    ("grant_type=client_credentials&client_secret=s3cr3t-value&scope=x", "s3cr3t-value"),
    ('{"x-api-key": "k-123456789"}', "k-123456789"),
    ("postgresql://jobgate:pa55word@db:5432/jobgate", "pa55word"),
    ("key jgk_0123456789abcdef_" + "A" * 43 + " refused", "A" * 43),
])
def test_credential_shapes_are_masked(raw: str, hidden: str) -> None:
    from jobgate.redaction import MASK, redact

    out = redact(raw)
    assert hidden not in out and MASK in out
