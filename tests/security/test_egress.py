"""Outbound requests only to a partner's configured hosts (SSRF): fetches, redirects, OAuth2 token
requests, the scrapy crawler and push delivery; link-local/metadata addresses refused unless set."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from connectors import fetch_partner
from connectors.egress import EgressPolicy, partner_hosts
from connectors.http import HttpSession
from jobgate.config import PartnerSettings, PublisherSettings, Settings
from jobgate.errors import FatalPartnerError
from jobgate.storage import Store
from jobgate.storage.models import Delivery
from publisher import cvs
from publisher.cv import CV
from publisher.push import deliver_partner
from tests.connectors.conftest import FAST, make_settings
from tests.connectors.simulated_partner import PartnerServer, Reply, jobposting_site, sample, static
from tests.security.helpers import cv_json

HELLOWORK = sample("partner_xml/hellowork_feed.xml")


def _partner(**kw: object) -> PartnerSettings:
    return PartnerSettings(name="p", connector="xml", url="https://feeds.partner.example/offers.xml",
                           **kw)  # type: ignore[arg-type]


def test_allow_list_is_derived_from_the_configuration() -> None:
    p = _partner(options={"token_url": "https://auth.partner.example/token",
                          "push_url": "https://api.partner.example/push",
                          "allowed_hosts": ["CDN.partner.example"]})
    assert partner_hosts(p) == {"feeds.partner.example", "auth.partner.example", "api.partner.example",
                                "cdn.partner.example"}
    pol = EgressPolicy.for_partner(p)
    assert pol.refusal("https://feeds.partner.example/page/2") is None
    assert pol.refusal("https://cdn.partner.example/x") is None
    assert "not one of" in (pol.refusal("https://evil.example/x") or "")
    assert "not one of" in (pol.refusal("https://feeds.partner.example.evil.example/") or "")
    assert "scheme" in (pol.refusal("file:///etc/passwd") or "")
    assert "scheme" in (pol.refusal("gopher://feeds.partner.example/") or "")


@pytest.mark.parametrize("host", ["169.254.169.254", "[fe80::1]", "[::ffff:169.254.169.254]",
                                  "metadata.google.internal"])
def test_link_local_and_metadata_refused_even_when_listed(host: str) -> None:
    bare = host.strip("[]")
    pol = EgressPolicy("p", [bare])
    assert "link-local or metadata" in (pol.refusal(f"http://{host}/latest/meta-data/") or "")
    assert EgressPolicy("p", [bare], allow_link_local=True).refusal(f"http://{host}/") is None
    with pytest.raises(httpx.RequestError, match="link-local"):
        pol.check(f"http://{host}/")


def test_session_refuses_before_sending_even_with_a_client_handed_in() -> None:
    sent: list[httpx.Request] = []
    client = httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200)))
    s = HttpSession("p", "http://169.254.169.254/feed.xml", client=client)
    with pytest.raises(FatalPartnerError, match="allow-list"):
        s.get("http://169.254.169.254/feed.xml")
    with pytest.raises(FatalPartnerError, match="not on the partner's host"):
        s.url("http://elsewhere.example/x")
    assert sent == []


def _xml_feed(tmp_path: Path, server: PartnerServer, **options: object) -> Settings:
    return make_settings(tmp_path, connector="xml", dialect="hellowork", url=server.url("/feed.xml"),
                         options={**FAST, **options})


def test_redirect_to_an_unlisted_host_is_refused_and_a_listed_one_followed(
        tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    partner_server.routes["/feed.xml"] = lambda req: Reply(302, b"", {"Location": partner_server.url("/x.xml", "localhost")})
    partner_server.routes["/x.xml"] = static(HELLOWORK, "application/xml")
    s = _xml_feed(tmp_path, partner_server)
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "failed" and "not one of partner 'p'" in (report.error or "")
    assert partner_server.requests_to("/x.xml") == []
    s = _xml_feed(tmp_path, partner_server, allowed_hosts=["localhost"])
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "success" and report.new > 0 and len(partner_server.requests_to("/x.xml")) == 1


def test_oauth2_token_url_on_an_unlisted_scheme_never_leaves(tmp_path: Path, store: Store,
                                                             partner_server: PartnerServer,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEC_ID", "id-1")
    monkeypatch.setenv("SEC_SECRET", "secret-Q8")
    s = make_settings(tmp_path, connector="json", url=partner_server.url("/offers.json"),
                      auth={"client_id": "SEC_ID", "client_secret": "SEC_SECRET"},
                      options={**FAST, "token_url": "http://169.254.169.254/token"})
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "failed" and "link-local" in (report.error or "")
    assert partner_server.log == []


def test_crawler_does_not_follow_a_redirect_off_the_allow_list(tmp_path: Path, store: Store,
                                                             partner_server: PartnerServer) -> None:
    jobposting_site(partner_server)
    partner_server.routes["/offres/1"] = lambda req: Reply(302, b"", {"Location": partner_server.url("/offres/3", "localhost")})
    opts = {"download_delay": 0, "autothrottle_start_delay": 0.01, "link_selector": "a.offer, a.next, a"}
    s = make_settings(tmp_path, connector="html", url=partner_server.url("/offres"), options=opts)
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "success", report.error
    assert not any(r.headers.get("host", "").startswith("localhost") for r in partner_server.log)
    s = make_settings(tmp_path, connector="html", url=partner_server.url("/offres"),
                      options={**opts, "allowed_hosts": ["localhost"]})
    assert fetch_partner(store, s, s.partners[0]).outcome == "success"
    assert any(r.headers.get("host", "").startswith("localhost") for r in partner_server.log)


def test_push_to_a_link_local_endpoint_is_refused_without_a_request(store: Store) -> None:
    partner = PartnerSettings(name="meta", connector="rss", url="x.xml", receives=("cvs",),
                              options={"push_url": "http://169.254.169.254/latest"})
    settings = Settings(partners=(partner,), publisher=PublisherSettings(base_url="https://jobgate.example.org"))
    cvs.save_cv(store, settings, CV.model_validate(cv_json("C-1", {"meta": True})))
    sent: list[httpx.Request] = []
    client = httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200)))
    report = deliver_partner(store, settings, partner, client=client)
    assert sent == [] and report.failed == 1 and report.delivered == 0
    with store.session() as s:
        assert "link-local" in (s.scalar(select(Delivery.last_error)) or "")
