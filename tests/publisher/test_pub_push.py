"""Push delivery against a local partner server: backlog after downtime, idempotency,
Retry-After, no retry storm on 4xx, withdrawals as DELETE (both store backends)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pub_push_server import PartnerBoard, partner_server
from sqlalchemy import select, update

from jobgate.config import PartnerSettings, PublisherSettings, Settings
from jobgate.errors import ConfigError
from jobgate.schema import CatalogueOffer
from jobgate.storage import Store
from jobgate.storage.models import Cluster, Delivery
from publisher.diffusion import offer_url, visible_offer
from publisher.formats.jsonfeed import offer_json
from publisher.push import (
    backoff_delay,
    deliver,
    deliver_partner,
    push_config,
    retry_after_seconds,
    retry_failed,
)
from publisher.stage import publish_partner

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
N = 12


class Sleeps(list[float]):
    """Records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_settings(url: str, **options: object) -> tuple[Settings, PartnerSettings]:
    partner = PartnerSettings(
        name="keljob", connector="rss", url="x.xml", receives=("offers",),
        options={"push_url": f"{url}/offers", **options},
    )
    settings = Settings(
        partners=(partner,),
        publisher=PublisherSettings(base_url="https://jobgate.example.org", push_attempts=3,
                                    push_backoff_seconds=0.5, push_backoff_max_seconds=600),
    )
    return settings, partner


def load_offers(store: Store, offers: list[CatalogueOffer]) -> list[str]:
    with store.session() as s:
        for o in offers:
            s.add(Cluster(id=o.id, status="active", title=o.title, data=o.model_dump(mode="json"),
                          public_service=True))
    return [o.id for o in offers]


@pytest.fixture
def offers(ft_public_offers: list[CatalogueOffer]) -> list[CatalogueOffer]:
    return ft_public_offers[:N]


@pytest.fixture
def board() -> Iterator[tuple[str, PartnerBoard]]:
    with partner_server() as served:
        yield served


def rows(store: Store) -> list[Delivery]:
    with store.session() as s:
        return list(s.scalars(select(Delivery).order_by(Delivery.id)))


def test_backlog_after_an_hour_down_arrives_once_per_key(
    store: Store, offers: list[CatalogueOffer], board: tuple[str, PartnerBoard]
) -> None:
    url, b = board
    settings, partner = make_settings(url)
    ids = load_offers(store, offers)
    assert publish_partner(store, settings, partner).upserts == N
    sleeps = Sleeps()

    b.mode = "down"
    r1 = deliver_partner(store, settings, partner, now=T0, sleep=sleeps)
    assert (r1.delivered, r1.retrying, r1.requests) == (0, N, 3)  # one row tried, the rest wait
    assert len(sleeps) == 2 and all(0 < w <= 1.0 for w in sleeps)  # 0.5 s then 1 s, jittered
    assert r1.next_attempt_at is not None and r1.next_attempt_at > T0
    head = rows(store)[0]
    assert head.status == "failed-retrying" and head.attempts == 3 and "503" in (head.last_error or "")

    # Still backing off a second later: not a single request.
    r2 = deliver_partner(store, settings, partner, now=T0 + timedelta(seconds=1), sleep=sleeps)
    assert r2.skipped == "backing off" and r2.requests == 0 and r2.retrying == N

    # The connection is dropped for a while: still nothing lost, backoff grows.
    b.mode = "drop"
    r3 = deliver_partner(store, settings, partner, now=T0 + timedelta(minutes=20), sleep=sleeps)
    assert r3.delivered == 0 and r3.retrying == N
    assert rows(store)[0].attempts == 6
    assert len(sleeps) == 4 and all(0 < w <= 1.0 for w in sleeps)  # in-run waits stay short
    assert r3.next_attempt_at is not None
    # cross-run: 0.5 s * 2**5 after 6 attempts, half of it at least (jitter)
    assert r3.next_attempt_at - (T0 + timedelta(minutes=20)) >= timedelta(seconds=8)

    b.mode = "up"
    r4 = deliver_partner(store, settings, partner, now=T0 + timedelta(hours=1), sleep=sleeps)
    assert (r4.delivered, r4.retrying, r4.failed) == (N, 0, 0)
    assert sorted(b.items) == sorted(ids)
    keys = [r.idempotency_key for r in rows(store)]
    assert sorted(b.applied) == sorted(keys)  # one applied request per key
    assert all(r.status == "delivered" and r.delivered_at is not None for r in rows(store))
    # Every request carried the row's key; the upserts were POSTs of the JSON item.
    assert {r.key for r in b.requests} == set(keys)
    assert {r.method for r in b.applied.values()} == {"POST"}

    # A second run has nothing to send.
    assert deliver_partner(store, settings, partner, now=T0 + timedelta(hours=2)).requests == 0

    # Two offers close: the withdrawals arrive as DELETE /offers/{id}.
    with store.session() as s:
        s.execute(update(Cluster).where(Cluster.id.in_(ids[:2])).values(status="closed"))
    assert publish_partner(store, settings, partner).deletes == 2
    r5 = deliver_partner(store, settings, partner, now=T0 + timedelta(hours=3), sleep=sleeps)
    assert r5.delivered == 2
    deletes = [r for r in b.requests if r.method == "DELETE"]
    assert sorted(r.path for r in deletes) == sorted(f"/offers/{i}" for i in ids[:2])
    assert sorted(b.items) == sorted(ids[2:])


def test_lost_acknowledgement_is_resent_under_the_same_key(
    store: Store, offers: list[CatalogueOffer], board: tuple[str, PartnerBoard]
) -> None:
    url, b = board
    settings, partner = make_settings(url)
    load_offers(store, offers[:3])
    publish_partner(store, settings, partner)
    b.lost_acks = 1  # the partner applies the first request but its answer is lost
    report = deliver_partner(store, settings, partner, now=T0, sleep=Sleeps())
    assert report.delivered == 3 and report.requests == 4
    first = b.requests[0].key
    assert [r.key for r in b.requests].count(first) == 2  # at least once...
    assert len(b.applied) == 3 and len(b.items) == 3  # ...exactly once for the partner


def test_429_retry_after_is_honoured(
    store: Store, offers: list[CatalogueOffer], board: tuple[str, PartnerBoard]
) -> None:
    url, b = board
    settings, partner = make_settings(url, push_backoff_seconds=0.01)
    load_offers(store, offers[:2])
    publish_partner(store, settings, partner)
    b.script = [(429, {"Retry-After": "2"})]
    sleeps = Sleeps()
    report = deliver_partner(store, settings, partner, now=T0, sleep=sleeps)
    assert report.delivered == 2 and report.requests == 3
    assert sleeps == [2.0]

    # A Retry-After longer than we wait inline reschedules the partner instead.
    with store.session() as s:
        s.execute(update(Delivery).values(status="pending", idempotency_key=Delivery.idempotency_key + "-2"))
    b.script = [(429, {"Retry-After": "3600"})]
    sleeps.clear()
    report = deliver_partner(store, settings, partner, now=T0, sleep=sleeps)
    assert report.delivered == 0 and report.requests == 1 and sleeps == []
    assert report.next_attempt_at is not None and report.next_attempt_at >= T0 + timedelta(hours=1)
    assert deliver_partner(store, settings, partner, now=T0 + timedelta(minutes=59)).requests == 0
    later = deliver_partner(store, settings, partner, now=T0 + timedelta(hours=1, seconds=1), sleep=sleeps)
    assert later.delivered == 2


def test_400_marks_the_row_failed_without_retrying_and_keeps_it(
    store: Store, offers: list[CatalogueOffer], board: tuple[str, PartnerBoard]
) -> None:
    url, b = board
    settings, partner = make_settings(url)
    ids = load_offers(store, offers[:4])
    publish_partner(store, settings, partner)
    b.script = [(400, {})]
    sleeps = Sleeps()
    report = deliver_partner(store, settings, partner, now=T0, sleep=sleeps)
    assert (report.delivered, report.failed, report.requests) == (3, 1, 4) and sleeps == []
    failed = [r for r in rows(store) if r.status == "failed"]
    assert len(failed) == 1 and failed[0].attempts == 1
    assert failed[0].last_error and "HTTP 400" in failed[0].last_error and "scripted" in failed[0].last_error
    assert report.errors and "HTTP 400" in report.errors[0]
    # Not retried by later runs...
    assert deliver_partner(store, settings, partner, now=T0 + timedelta(days=1)).requests == 0
    # ...until the operator requeues it (or its content changes).
    assert retry_failed(store, partner.name) == 1
    assert deliver_partner(store, settings, partner, now=T0 + timedelta(days=1)).delivered == 1
    assert sorted(b.items) == sorted(ids)


def test_put_auth_header_and_body_is_the_visible_offer(
    store: Store, offers: list[CatalogueOffer], board: tuple[str, PartnerBoard],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, b = board
    monkeypatch.setenv("KELJOB_PUSH_TOKEN", "s3cret")
    partner = PartnerSettings(
        name="keljob", connector="rss", url="x.xml", receives=("offers",),
        auth={"push_token": "KELJOB_PUSH_TOKEN"},
        options={"push_url": f"{url}/offers/", "push_method": "PUT"},
    )
    settings = Settings(partners=(partner,),
                        publisher=PublisherSettings(base_url="https://jobgate.example.org"))
    offer = offers[0]
    load_offers(store, [offer])
    publish_partner(store, settings, partner)
    reports = deliver(store, settings, sleep=Sleeps())
    assert [r.delivered for r in reports] == [1]
    (req,) = b.requests
    assert req.method == "PUT" and req.path == f"/offers/{offer.id}"
    assert req.headers["authorization"] == "Bearer s3cret"
    assert req.headers["content-type"] == "application/json"
    expected = offer_json(visible_offer(offer, partner, settings=settings.publisher),
                          offer_url(settings.publisher.base_url, offer.id))
    assert req.body == json.loads(json.dumps(expected, default=str))


def test_pull_partners_and_bad_options(store: Store) -> None:
    pull = PartnerSettings(name="daily", connector="rss", url="x.xml", receives=("offers",))
    settings = Settings(partners=(pull,))
    assert push_config(settings, pull) is None
    assert deliver_partner(store, settings, pull).skipped
    assert deliver(store, settings) == []
    for options, word in (({"push_url": "ftp://x"}, "push_url"),
                          ({"push_url": "http://x", "push_method": "PATCH"}, "push_method"),
                          ({"push_url": "http://x", "push_attempts": "many"}, "push_attempts")):
        bad = PartnerSettings(name="bad", connector="rss", url="x.xml", options=options)
        with pytest.raises(ConfigError, match=f"'bad'.*{word}"):
            push_config(Settings(partners=(bad,)), bad)


def test_network_errors_and_timeouts_are_transient(store: Store, offers: list[CatalogueOffer]) -> None:
    settings, partner = make_settings("http://127.0.0.1:9")
    load_offers(store, offers[:2])
    publish_partner(store, settings, partner)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    with httpx.Client(transport=httpx.MockTransport(refuse)) as client:
        report = deliver_partner(store, settings, partner, client=client, now=T0, sleep=Sleeps())
    assert report.retrying == 2 and report.delivered == 0
    assert "ConnectTimeout" in (rows(store)[0].last_error or "")


def test_backoff_and_retry_after_parsing() -> None:
    import random

    rng = random.Random(7)
    for attempt in range(1, 20):
        d = backoff_delay(attempt, 1.0, 900.0, rng)
        exp = min(900.0, 2 ** (attempt - 1))
        assert exp / 2 <= d <= exp
    assert retry_after_seconds("7", T0) == 7.0
    assert retry_after_seconds("Mon, 23 Nov 2026 08:01:00 GMT", T0) == 60.0
    assert retry_after_seconds("garbage", T0) is None and retry_after_seconds(None, T0) is None


def test_offer_back_after_a_withdrawal_gets_a_new_key(store: Store, offers: list[CatalogueOffer]) -> None:
    # Same content as the first upsert: a partner deduplicating by key must still apply it.
    with partner_server() as (url, b):
        settings, partner = make_settings(url)
        (cid,) = load_offers(store, offers[:1])
        for i, status in enumerate(("active", "closed", "active")):
            with store.session() as s:
                s.execute(update(Cluster).where(Cluster.id == cid).values(status=status))
            publish_partner(store, settings, partner)
            assert deliver_partner(store, settings, partner, now=T0 + timedelta(hours=i)).delivered == 1
        assert [r.method for r in b.requests] == ["POST", "DELETE", "POST"]
        assert len({r.key for r in b.requests}) == 3
        assert cid in b.items
