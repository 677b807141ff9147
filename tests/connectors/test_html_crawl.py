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
from tests.connectors.simulated_partner import PartnerServer, jobposting_site

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
