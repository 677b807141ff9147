"""One conformance suite every connector kind passes (singer-sdk's ``get_tap_test_class`` style).

Each kind is served real sample payloads by the simulated partner; the same
checks then run for all: records carry partner, external id, title and
description; a second run resumes from the saved state without duplicates; a
bad record is quarantined with its reason while the others are stored; hostile
XML is refused.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from connectors import KINDS, fetch_partner
from jobgate.config import Settings
from jobgate.storage import Store
from jobgate.storage.models import RawRecord
from tests.connectors.conftest import make_settings
from tests.connectors.simulated_partner import (
    FranceTravailSim,
    PartnerServer,
    Reply,
    ft_offers,
    jobposting_site,
    sample,
    static,
)


@dataclass
class Case:
    """How to serve one kind (``bad``: with one record lacking its title) and configure its partner."""

    kind: str
    serve: Callable[[PartnerServer, bool], None]
    path: str
    count: int
    extra: dict[str, Any]


def _xml(server: PartnerServer, bad: bool) -> None:
    body = sample("partner_xml/hellowork_feed.xml")
    if bad:
        body = body.replace(b"<title>", b"<title_>", 1).replace(b"</title>", b"</title_>", 1)
    server.routes["/feed.xml"] = static(body, "application/xml")


def _rss(server: PartnerServer, bad: bool) -> None:
    body = sample("rss/monster_rss_items.xml")
    if bad:
        head, sep, rest = body.partition(b"<item>")
        rest = rest.replace(b"<title>", b"<x-title>", 1).replace(b"</title>", b"</x-title>", 1)
        body = head + sep + rest
    server.routes["/feed.rss"] = static(body, "application/rss+xml")


def _json(server: PartnerServer, bad: bool) -> None:
    doc = json.loads(sample("partner_json/decathlon_ads.json"))
    if bad:
        doc["ads"][1]["title"] = ""
    server.routes["/ads.json"] = static(json.dumps(doc).encode(), "application/json")


def _csv(server: PartnerServer, bad: bool) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(["identifier", "title", "description", "url"])
    for i, o in enumerate(ft_offers()[:6]):
        w.writerow([o["id"], "" if bad and i == 2 else o["intitule"], o["description"], f"https://example.org/{o['id']}"])
    server.routes["/offers.csv"] = static(buf.getvalue().encode(), "text/csv")


def _ft(server: PartnerServer, bad: bool) -> None:
    sim = FranceTravailSim(server, {"33": 6})
    if bad:
        sim.offers[2]["intitule"] = ""


def _html(server: PartnerServer, bad: bool) -> None:
    offers = [dict(o) for o in ft_offers()[:4]]
    jobposting_site(server, offers)
    if not bad:  # the broken page repaired
        fixed = {"@type": "JobPosting", "identifier": "FIXED", "title": offers[1]["intitule"],
                 "description": offers[1]["description"]}
        page = f'<html><body><script type="application/ld+json">{json.dumps(fixed)}</script></body></html>'
        server.routes["/offres/broken"] = lambda req: Reply(200, page.encode(), {"Content-Type": "text/html"})


CASES = {
    "xml": Case("xml", _xml, "/feed.xml", 5, {"dialect": "hellowork"}),
    "rss": Case("rss", _rss, "/feed.rss", 3, {"dialect": "monster"}),
    "json": Case("json", _json, "/ads.json", 3, {"dialect": "decathlon"}),
    "csv": Case("csv", _csv, "/offers.csv", 6, {}),
    "francetravail": Case("francetravail", _ft, "/offres/search", 6, {
        "auth": {"client_id": "FT_CLIENT_ID", "client_secret": "FT_CLIENT_SECRET"},
        "options": {"token_url": "/token?realm=%2Fpartenaire"}}),
    "html": Case("html", _html, "/offres", 6, {
        "options": {"download_delay": 0, "autothrottle_start_delay": 0.01, "link_selector": "a.offer, a.next"}}),
}


def test_every_kind_is_in_the_suite() -> None:
    assert set(CASES) == set(KINDS)


@pytest.fixture(params=list(CASES))
def case(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Case:
    monkeypatch.setenv("FT_CLIENT_ID", FranceTravailSim.CLIENT_ID)
    monkeypatch.setenv("FT_CLIENT_SECRET", FranceTravailSim.CLIENT_SECRET)
    return CASES[request.param]


def settings(tmp_path: Path, server: PartnerServer, case: Case) -> Settings:
    extra = json.loads(json.dumps(case.extra))
    opts = extra.pop("options", {})
    if "token_url" in opts:
        opts["token_url"] = server.url(opts["token_url"])
    return make_settings(tmp_path, connector=case.kind, url=server.url(case.path), options=opts, **extra)


def rows(store: Store) -> list[RawRecord]:
    with store.session() as s:
        return list(s.scalars(select(RawRecord).where(RawRecord.partner == "p")))


def test_records_have_partner_id_title_description(tmp_path: Path, store: Store, partner_server: PartnerServer, case: Case) -> None:
    case.serve(partner_server, False)
    s = settings(tmp_path, partner_server, case)
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "success" and report.complete, report.error
    assert (report.fetched, report.new, report.quarantined) == (case.count, case.count, 0)
    assert report.requests >= 1 and report.bytes > 0
    for r in rows(store):
        assert r.partner == "p" and r.external_id.strip() == r.external_id != ""
        assert r.fields["title"].strip() and str(r.fields.get("description", "")).strip()
    run = store.runs("p")[0]
    assert (run.outcome, run.fetched, run.pages) == ("success", case.count, report.pages)


def test_second_run_resumes_from_state_without_duplicates(tmp_path: Path, store: Store, partner_server: PartnerServer, case: Case) -> None:
    case.serve(partner_server, False)
    s = settings(tmp_path, partner_server, case)
    fetch_partner(store, s, s.partners[0])
    if case.kind != "html":  # a crawl keeps no state: each crawl is a snapshot
        assert store.get_state("p", "")
    second = fetch_partner(store, s, s.partners[0])
    assert second.outcome in ("success", "unchanged") and second.new == 0 and second.closed == 0
    assert len(rows(store)) == case.count == len({r.external_id for r in rows(store)})


def test_bad_record_is_quarantined_and_the_others_stored(tmp_path: Path, store: Store, partner_server: PartnerServer, case: Case) -> None:
    case.serve(partner_server, True)
    s = settings(tmp_path, partner_server, case)
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "success" and report.quarantined == 1
    assert report.fetched == case.count - 1
    (q,) = store.quarantined("p")
    assert q.reason and q.payload and q.fetch_run_id == report.run_id


ENTITY_BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               + b"".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">'.encode()
                          for i in range(9))
               + b"]><source><job><referencenumber>1</referencenumber><title>&lol8;</title></job></source>")
XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b"<rss version=\"2.0\"><channel><item><guid>1</guid><title>&xxe;</title></item></channel></rss>")


@pytest.mark.parametrize(("kind", "body"), [("xml", ENTITY_BOMB), ("xml", XXE), ("rss", ENTITY_BOMB), ("rss", XXE)],
                         ids=["xml-bomb", "xml-xxe", "rss-bomb", "rss-xxe"])
def test_hostile_xml_is_refused(tmp_path: Path, store: Store, partner_server: PartnerServer, kind: str, body: bytes) -> None:
    partner_server.routes["/feed"] = lambda req: Reply(200, body, {"Content-Type": "application/xml"})
    s = make_settings(tmp_path, connector=kind, url=partner_server.url("/feed"))
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "failed" and "entit" in (report.error or "").lower()
    assert rows(store) == []
