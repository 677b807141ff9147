"""The ``html`` kind: a scrapy crawl in a child process over a local partner site with JobPosting pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from connectors import fetch_partner
from connectors._crawl import jsonld_postings, microdata_postings
from jobgate.storage import Store
from tests.connectors.conftest import make_settings
from tests.connectors.simulated_partner import (
    PartnerServer,
    Reply,
    ft_offers,
    jobposting,
    jobposting_site,
    ld,
    page,
    static,
)

FAST_CRAWL = {"download_delay": 0, "autothrottle_start_delay": 0.01, "link_selector": "a.offer, a.next, a"}


def test_crawl_extracts_jobpostings_obeys_robots_and_stays_on_host(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    jobposting_site(partner_server)
    s = make_settings(tmp_path, connector="html", url=partner_server.url("/offres"), options=FAST_CRAWL)
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "success", report.error
    got = {q.external_id for q in store.quarantined("p")}
    assert report.quarantined == 1 and got == {partner_server.url("/offres/broken")}
    ids = sorted(r.external_id for r in _raw(store))
    # identifier.value, identifier as a string, else the page url; microdata too
    assert ids == sorted(["REF-0", "REF-1", partner_server.url("/offres/2"), "3", "MICRO-1"])
    assert partner_server.requests_to("/private/x") == []  # robots.txt obeyed
    assert partner_server.requests_to("/robots.txt")
    assert all(r.headers["user-agent"].startswith("jobgate/") for r in partner_server.log)
    assert report.requests >= 7 and report.bytes > 0 and report.complete


def test_crawler_failure_is_a_fatal_partner_error(tmp_path: Path, store: Store) -> None:
    s = make_settings(tmp_path, connector="html", url="http://127.0.0.1:9/none", options={**FAST_CRAWL, "max_depth": "x"})
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "failed" and "crawler exited" in (report.error or "")


def test_page_limit_makes_an_incomplete_crawl(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    jobposting_site(partner_server)
    s = make_settings(tmp_path, connector="html", url=partner_server.url("/offres"), options={**FAST_CRAWL, "max_pages": 2})
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "success" and report.complete is False and report.closed == 0


def test_next_crawl_asks_offer_pages_conditionally_and_stores_only_what_changed(
    tmp_path: Path, store: Store, partner_server: PartnerServer
) -> None:
    jobposting_site(partner_server)
    s = make_settings(tmp_path, connector="html", url=partner_server.url("/offres"), options=FAST_CRAWL)
    first = fetch_partner(store, s, s.partners[0])
    assert first.outcome == "success" and first.new == 5, first.error
    pages = store.get_state("p", "")["pages"]
    offer_pages = {partner_server.url(f"/offres/{k}") for k in ("0", "1", "2", "3", "micro")}
    assert set(pages) == offer_pages  # listing pages are not kept: they are always read
    assert pages[partner_server.url("/offres/0")]["ids"] == ["REF-0"] and pages[partner_server.url("/offres/0")]["etag"]

    second = fetch_partner(store, s, s.partners[0])
    assert second.outcome == "success" and second.complete, second.error
    assert (second.fetched, second.new, second.updated, second.unchanged, second.closed) == (0, 0, 0, 5, 0)
    assert partner_server.requests_to("/offres/0")[-1].headers["if-none-match"] == pages[partner_server.url("/offres/0")]["etag"]
    assert "if-modified-since" in partner_server.requests_to("/offres/micro")[-1].headers
    assert "if-none-match" not in partner_server.requests_to("/offres")[-1].headers
    assert set(store.get_state("p", "")["pages"]) == offer_pages  # unchanged pages stay known

    # One offer page changes, another disappears: the first is re-read, the second's offer closed.
    changed = dict(ft_offers()[1], intitule="Comptable confirmé")
    partner_server.routes["/offres/1"] = static(page(ld(jobposting(changed, "REF-1"))), "text/html")
    partner_server.routes["/offres/2"] = lambda r: Reply(404, b"gone")
    third = fetch_partner(store, s, s.partners[0])
    assert third.outcome == "success" and third.complete, third.error
    assert (third.fetched, third.updated, third.unchanged, third.closed) == (1, 1, 3, 1)
    assert third.gone == [partner_server.url("/offres/2")]
    assert partner_server.url("/offres/2") not in store.get_state("p", "")["pages"]


def test_conditional_off_rereads_every_page(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    jobposting_site(partner_server)
    s = make_settings(tmp_path, connector="html", url=partner_server.url("/offres"),
                      options={**FAST_CRAWL, "conditional": False})
    fetch_partner(store, s, s.partners[0])
    second = fetch_partner(store, s, s.partners[0])
    assert (second.fetched, second.unchanged) == (5, 5)
    assert "if-none-match" not in partner_server.requests_to("/offres/0")[-1].headers


def test_jsonld_and_microdata_extractors() -> None:
    found, errors = jsonld_postings(['[{"@type": ["JobPosting"], "title": "a"}]', '{"@graph": [{"@type": "JobPosting"}]}', "{"])
    assert len(found) == 2 and len(errors) == 1
    root = lxml_html.fromstring('<div itemscope itemtype="http://schema.org/JobPosting/"><p itemprop="title">T</p>'
                                '<a itemprop="url" href="/x">x</a><div itemscope itemtype="http://schema.org/Place" '
                                'itemprop="jobLocation"><span itemprop="name">Paris</span></div></div>')
    assert microdata_postings(root) == [{"@type": "JobPosting", "title": "T", "url": "/x",
                                         "jobLocation": {"@type": "Place", "name": "Paris"}}]


def _raw(store: Store) -> list[Any]:
    from sqlalchemy import select

    from jobgate.storage.models import RawRecord

    with store.session() as s:
        return list(s.scalars(select(RawRecord)))


@pytest.fixture(autouse=True)
def _no_scrapy_in_this_process() -> Any:
    import sys

    before = "scrapy" in sys.modules
    yield
    assert "twisted.internet.reactor" not in sys.modules or before
