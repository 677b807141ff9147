"""The HTTP layer against a real local server: error table, retries, 429, timeouts, redirects, size limits, 304."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import httpx
import pytest

from connectors import fetch_partner
from connectors.policy import DEFAULT_ERROR_MAPPING, Action, merge_mapping, resolve
from connectors.ratelimit import TokenBucket
from jobgate.errors import ConfigError
from jobgate.storage import Store
from tests.connectors.conftest import make_settings
from tests.connectors.simulated_partner import PartnerServer, Reply, Req, gzip_bomb, sample, static

HELLOWORK = sample("partner_xml/hellowork_feed.xml")


def xml_partner(tmp_path: Path, server: PartnerServer, path: str = "/feed.xml", **options: object):
    s = make_settings(tmp_path, connector="xml", dialect="hellowork", url=server.url(path), options=options)
    return s, s.partners[0]


def test_error_table_defaults_and_partner_override() -> None:
    assert resolve(404, DEFAULT_ERROR_MAPPING).action is Action.FAIL
    assert resolve(401, DEFAULT_ERROR_MAPPING).action is Action.REFRESH_TOKEN_THEN_RETRY
    assert resolve(503, DEFAULT_ERROR_MAPPING).action is Action.RETRY
    assert resolve(599, DEFAULT_ERROR_MAPPING).action is Action.RETRY
    assert resolve(418, DEFAULT_ERROR_MAPPING).action is Action.FAIL
    assert resolve(429, DEFAULT_ERROR_MAPPING).action is Action.RATE_LIMITED
    assert resolve(304, DEFAULT_ERROR_MAPPING).action is Action.UNCHANGED
    assert resolve(httpx.ReadTimeout("slow"), DEFAULT_ERROR_MAPPING).action is Action.RETRY
    assert resolve(httpx.ConnectError("refused"), DEFAULT_ERROR_MAPPING).action is Action.RETRY
    assert resolve(httpx.TooManyRedirects("loop"), DEFAULT_ERROR_MAPPING).action is Action.FAIL
    table = merge_mapping({"404": "ignore", 503: "fail"})
    assert resolve(404, table).action is Action.IGNORE and resolve(503, table).action is Action.FAIL
    assert resolve(404, DEFAULT_ERROR_MAPPING).action is Action.FAIL  # the default is untouched
    with pytest.raises(ConfigError, match="unknown action"):
        merge_mapping({"404": "explode"})
    with pytest.raises(ConfigError, match="not an HTTP status"):
        merge_mapping({"four": "fail"})


def test_token_bucket_spaces_requests_and_pauses_for_retry_after() -> None:
    now = [0.0]
    sleeps: list[float] = []

    def sleep(s: float) -> None:
        sleeps.append(s)
        now[0] += s

    bucket = TokenBucket(2.0, burst=2, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        bucket.acquire()
    assert sleeps == [0.5, 0.5]  # burst of 2, then one every 0.5 s
    bucket.pause(3.0)
    bucket.acquire()
    assert now[0] >= 4.0 and bucket.waited >= 4.0


def test_5xx_is_retried_a_bounded_number_of_times_then_fails(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    partner_server.routes["/feed.xml"] = lambda req: Reply(503, b"busy")
    s, p = xml_partner(tmp_path, partner_server, retries=2)
    report = fetch_partner(store, s, p)
    assert report.outcome == "failed" and "HTTP 503" in (report.error or "")
    assert (report.requests, report.http_errors) == (3, 3)
    run = store.runs("p")[0]
    assert (run.requests, run.http_errors, run.outcome) == (3, 3, "failed")
    calls = iter([Reply(502), Reply(500), Reply(200, HELLOWORK)])
    partner_server.routes["/feed.xml"] = lambda req: next(calls)
    report = fetch_partner(store, s, p)
    assert report.outcome == "success" and report.new == 5
    assert (report.requests, report.http_errors) == (3, 2)


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_fatal_statuses_are_never_retried(tmp_path: Path, store: Store, partner_server: PartnerServer, status: int) -> None:
    partner_server.routes["/feed.xml"] = lambda req: Reply(status, b"no")
    s, p = xml_partner(tmp_path, partner_server)
    report = fetch_partner(store, s, p)
    assert report.outcome == "failed" and f"HTTP {status}" in (report.error or "")
    assert report.requests == 1 and report.http_errors == 1


def test_partner_may_map_a_status_to_retry(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    calls = iter([Reply(404), Reply(200, HELLOWORK)])
    partner_server.routes["/feed.xml"] = lambda req: next(calls)
    s, p = xml_partner(tmp_path, partner_server, error_mapping={"404": "retry"})
    report = fetch_partner(store, s, p)
    assert report.outcome == "success" and report.requests == 2


def test_429_waits_for_retry_after(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    calls = iter([Reply(429, b"slow down", {"Retry-After": "1"}), Reply(200, HELLOWORK)])
    partner_server.routes["/feed.xml"] = lambda req: next(calls)
    s, p = xml_partner(tmp_path, partner_server)
    report = fetch_partner(store, s, p)
    assert report.outcome == "success" and report.http_errors == 1
    first, second = partner_server.requests_to("/feed.xml")
    assert second.at - first.at >= 0.95


def test_too_long_retry_after_fails_the_run_as_retriable(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    partner_server.routes["/feed.xml"] = lambda req: Reply(429, b"", {"Retry-After": "3600"})
    s, p = xml_partner(tmp_path, partner_server)
    report = fetch_partner(store, s, p)
    assert report.outcome == "failed" and "Retry-After" in (report.error or "")
    assert report.requests == 1


def test_slow_response_times_out_and_is_retried(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    def slow(req: Req) -> Reply:
        time.sleep(0.6)
        return Reply(200, HELLOWORK)

    partner_server.routes["/feed.xml"] = slow
    s, p = xml_partner(tmp_path, partner_server, timeout_s=0.2, retries=1)
    report = fetch_partner(store, s, p)
    assert report.outcome == "failed" and "timeout" in (report.error or "")
    assert report.requests == 2


def test_redirect_to_another_host_is_refused(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    partner_server.routes["/feed.xml"] = lambda req: Reply(302, b"", {"Location": partner_server.url("/x.xml", "localhost")})
    s, p = xml_partner(tmp_path, partner_server)
    report = fetch_partner(store, s, p)
    assert report.outcome == "failed" and "another host 'localhost'" in (report.error or "")
    assert partner_server.requests_to("/x.xml") == []


def test_redirect_on_the_same_host_is_followed(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    partner_server.routes["/feed.xml"] = lambda req: Reply(301, b"", {"Location": "/moved.xml"})
    partner_server.routes["/moved.xml"] = static(HELLOWORK, "application/xml")
    s, p = xml_partner(tmp_path, partner_server)
    assert fetch_partner(store, s, p).new == 5


def test_gzip_bomb_in_content_encoding_stops_at_the_size_limit(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    bomb = gzip_bomb(64 * 1024**2)
    assert len(bomb) < 200_000
    partner_server.routes["/feed.xml"] = lambda req: Reply(200, bomb, {"Content-Encoding": "gzip"})
    s, p = xml_partner(tmp_path, partner_server, max_bytes=1024**2)
    report = fetch_partner(store, s, p)
    assert report.outcome == "failed" and "byte limit" in (report.error or "")
    assert report.bytes <= 2 * 1024**2


def test_gzip_bomb_as_a_gz_body_stops_at_the_size_limit(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    # Compressed once, not per request: on a loaded machine compressing 64 MB outlasts the 2 s test timeout.
    body = gzip.compress(b"<source>" + b" " * (64 * 1024**2) + b"</source>")
    partner_server.routes["/feed.xml"] = lambda req: Reply(200, body, {"Content-Type": "application/gzip"})
    s, p = xml_partner(tmp_path, partner_server, max_bytes=1024**2)
    report = fetch_partner(store, s, p)
    assert report.outcome == "failed" and "byte limit" in (report.error or "")


def test_gzipped_feed_within_limit_is_read(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    partner_server.routes["/feed.xml"] = lambda req: Reply(200, gzip.compress(HELLOWORK), {"Content-Encoding": "gzip"})
    s, p = xml_partner(tmp_path, partner_server)
    report = fetch_partner(store, s, p)
    assert report.new == 5 and report.bytes == len(HELLOWORK)


@pytest.mark.parametrize("etag", [True, False], ids=["etag", "last-modified"])
def test_conditional_get_304_is_an_unchanged_complete_run(tmp_path: Path, store: Store, partner_server: PartnerServer, etag: bool) -> None:
    partner_server.routes["/feed.xml"] = static(HELLOWORK, "application/xml", etag=etag)
    s, p = xml_partner(tmp_path, partner_server)
    first = fetch_partner(store, s, p)
    assert (first.outcome, first.new) == ("success", 5)
    assert store.get_state("p", "")["validators"]
    second = fetch_partner(store, s, p)
    assert (second.outcome, second.complete, second.not_modified) == ("unchanged", True, 1)
    assert (second.fetched, second.closed, second.pages) == (0, 0, 0)
    sent = partner_server.requests_to("/feed.xml")[-1].headers
    assert ("if-none-match" in sent) if etag else ("if-modified-since" in sent)
    assert store.count_live_raw("p") == 5
    run = store.runs("p")[0]
    assert (run.outcome, run.not_modified, run.closed) == ("unchanged", 1, 0)


def test_conditional_get_can_be_turned_off(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    partner_server.routes["/feed.xml"] = static(HELLOWORK, "application/xml")
    s, p = xml_partner(tmp_path, partner_server, conditional=False)
    fetch_partner(store, s, p)
    assert fetch_partner(store, s, p).unchanged == 5


def test_api_key_header_from_the_environment(tmp_path: Path, store: Store, partner_server: PartnerServer,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.connectors.simulated_partner import paged_json

    ads = __import__("json").loads(sample("partner_json/decathlon_ads.json"))["ads"]
    partner_server.routes["/ads"] = paged_json(ads, size=10, key="ads", api_key="k-123")
    s = make_settings(tmp_path, connector="json", dialect="decathlon", url=partner_server.url("/ads"),
                      auth={"key": "DECATHLON_KEY"})
    monkeypatch.setenv("DECATHLON_KEY", "k-123")
    assert fetch_partner(store, s, s.partners[0]).new == 3
    monkeypatch.setenv("DECATHLON_KEY", "wrong")
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "failed" and "HTTP 401" in (report.error or "") and report.requests == 1
    monkeypatch.delenv("DECATHLON_KEY")
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "failed" and "DECATHLON_KEY" in (report.error or "")
