"""CVs in the store (both backends): intake and quarantine, the consent matrix, withdrawal
and erasure propagated to exactly the partners that received the CV (push DELETE, pull
tombstone), retention purge, and the disclosure log answering who received what, when."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pub_push_server import PartnerBoard, partner_server
from sqlalchemy import select, update

from jobgate.config import PartnerSettings, PublisherSettings, Settings
from jobgate.storage import Store
from jobgate.storage.models import CandidateCV, Delivery, Disclosure, Quarantine
from publisher.cvs import (
    consents,
    cv_feed,
    disclosures,
    erase_cv,
    holders,
    intake_cvs,
    publish_cvs,
    purge_cvs,
    record_consent,
    write_cv_feed,
)
from publisher.push import deliver

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
AT = "2026-11-20T10:00:00+00:00"


def cv_line(cid: str, consents: dict[str, bool], *, visibility: str = "anonymous",
            title: str = "Comptable", last_contact: str | None = None) -> str:
    return json.dumps({
        "candidate_id": cid, "visibility": visibility, "consents": consents, "consents_at": AT,
        "title": title, "summary": f"Je suis Élodie Dupré ({cid}), joignable au 06 12 34 56 78.",
        "skills": ["Sage"], "rome_codes": ["M1203"],
        "place": {"commune": "Montreuil", "postcode": "93100"},
        "contact": {"first_name": "Élodie", "last_name": "Dupré", "email": "elodie.dupre@gmail.com",
                    "phone": "06 12 34 56 78", "address": "12 rue des Lilas, 93100 Montreuil"},
        "birth_date": "1990-04-12", "last_contact_at": last_contact,
    }, ensure_ascii=False)


@pytest.fixture
def board() -> Iterator[tuple[str, PartnerBoard]]:
    with partner_server() as served:
        yield served


def make_settings(url: str, **publisher: Any) -> Settings:
    def p(name: str, receives: tuple[str, ...], push: bool) -> PartnerSettings:
        return PartnerSettings(name=name, connector="rss", url="x.xml", receives=receives,  # type: ignore[arg-type]
                               options={"push_url": f"{url}/{name}"} if push else {})
    return Settings(
        partners=(
            p("push-yes", ("offers", "cvs"), True),      # consents, push
            p("pull-yes", ("cvs",), False),              # consents, pull
            p("push-no", ("cvs",), True),                # refused
            p("offers-only", ("offers",), True),         # consents but receives no CVs
            p("never-asked", ("cvs",), True),            # no decision = no consent
            p("pull-unread", ("cvs",), False),           # consents, never reads its feed
        ),
        publisher=PublisherSettings(base_url="https://jobgate.example.org", **publisher),
    )


CONSENTS = {"push-yes": True, "pull-yes": True, "push-no": False, "offers-only": True,
            "pull-unread": True}


def cv_requests(b: PartnerBoard) -> list[tuple[str, str]]:
    return [(r.method, r.path.rsplit("/", 1)[0] if r.method == "DELETE" else r.path)
            for r in b.requests]


def test_consent_matrix_and_withdrawal_reach_exactly_the_receivers(
    store: Store, board: tuple[str, PartnerBoard]
) -> None:
    url, b = board
    settings = make_settings(url)
    report = intake_cvs(store, settings, [cv_line("C-1", CONSENTS)], now=T0)
    assert (report.new, report.consents, report.quarantined) == (1, 5, 0)

    # No consent, or no CVs in `receives`: nothing queued, nothing sent.
    with store.session() as s:
        queued = {d.partner for d in s.scalars(select(Delivery).where(Delivery.item_kind == "cv"))}
    assert queued == {"push-yes", "pull-yes", "pull-unread"}
    reports = {r.partner: r for r in deliver(store, settings, now=T0, sleep=lambda _: None)}
    assert reports["push-yes"].delivered == 1
    assert all(r.requests == 0 for name, r in reports.items() if name != "push-yes")
    assert cv_requests(b) == [("POST", "/push-yes/cvs")]
    sent = b.requests[0]
    assert sent.key and sent.key.startswith("cv:")
    # The partner sees the anonymous view under its own opaque id.
    body = sent.body
    assert body["visibility"] == "anonymous" and body["id"].startswith("cv-")
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("Dupré", "Élodie", "elodie.dupre", "06 12 34 56 78", "1990", "Lilas", "C-1", "Montreuil"):
        assert secret not in text
    assert body["cv"]["place"] == {"commune": None, "postcode": None, "departement": "93"}

    pulled = list(cv_feed(store, settings.partner("pull-yes"), now=T0 + timedelta(minutes=5)))
    assert len(pulled) == 1 and pulled[0]["id"] != body["id"]  # one id per partner: unlinkable
    assert list(cv_feed(store, settings.partner("pull-yes"), now=T0 + timedelta(minutes=6))) == pulled
    assert holders(store, "C-1") == {"push-yes", "pull-yes"}

    # The candidate withdraws every consent.
    withdraw = {k: False for k in CONSENTS}
    intake_cvs(store, settings, [cv_line("C-1", withdraw)], now=T0 + timedelta(hours=1))
    assert consents(store, "C-1") == withdraw
    later = T0 + timedelta(hours=1, minutes=1)
    reports = {r.partner: r for r in deliver(store, settings, now=later, sleep=lambda _: None)}
    assert reports["push-yes"].delivered == 1
    deletes = [r for r in b.requests if r.method == "DELETE"]
    assert [r.path for r in deletes] == [f"/push-yes/cvs/{body['id']}"]
    assert b.items == {}
    tomb = list(cv_feed(store, settings.partner("pull-yes"), now=later))
    assert tomb == [{"id": pulled[0]["id"], "deleted": True, "deleted_at": tomb[0]["deleted_at"]}]
    # The partner that never read its feed gets nothing, not even a tombstone.
    assert list(cv_feed(store, settings.partner("pull-unread"), now=later)) == []
    assert holders(store, "C-1") == set()

    log = disclosures(store, "C-1")
    assert [(d.partner, d.action, d.channel) for d in log] == [
        ("push-yes", "sent", "push"), ("pull-yes", "sent", "pull"),
        ("push-yes", "withdrawn", "push"), ("pull-yes", "withdrawn", "pull")]
    assert [d.at for d in log] == [T0, T0 + timedelta(minutes=5), later, later]
    assert log[0].visibility == "anonymous" and log[0].content_hash and len(log[0].content_hash) == 64
    assert log[0].ref == body["id"] and log[2].content_hash is None


def test_named_visibility_and_updates_go_out_under_a_new_key(
    store: Store, board: tuple[str, PartnerBoard]
) -> None:
    url, b = board
    settings = make_settings(url)
    intake_cvs(store, settings, [cv_line("C-2", {"push-yes": True}, visibility="named")], now=T0)
    deliver(store, settings, now=T0, sleep=lambda _: None)
    first = b.requests[-1]
    assert first.body["visibility"] == "named"
    assert first.body["cv"]["contact"]["last_name"] == "Dupré"
    assert first.body["cv"]["contact"]["address"] is None and first.body["cv"]["birth_date"] is None
    # Re-reading the same line changes nothing; a new title is a new version.
    assert intake_cvs(store, settings, [cv_line("C-2", {"push-yes": True}, visibility="named")],
                      now=T0).unchanged == 1
    assert deliver(store, settings, now=T0, sleep=lambda _: None)[0].requests == 0
    intake_cvs(store, settings, [cv_line("C-2", {"push-yes": True}, visibility="named",
                                         title="Comptable confirmée")], now=T0 + timedelta(days=1))
    deliver(store, settings, now=T0 + timedelta(days=1), sleep=lambda _: None)
    second = b.requests[-1]
    assert second.key != first.key and second.body["cv"]["title"] == "Comptable confirmée"
    assert len(b.items) == 1
    assert [d.action for d in disclosures(store, "C-2")] == ["sent", "sent"]


def test_erasure_propagates_to_every_receiver(store: Store, board: tuple[str, PartnerBoard]) -> None:
    url, b = board
    settings = make_settings(url)
    intake_cvs(store, settings, [cv_line("C-3", CONSENTS)], now=T0)
    deliver(store, settings, now=T0, sleep=lambda _: None)
    list(cv_feed(store, settings.partner("pull-yes"), now=T0))
    assert erase_cv(store, settings, "C-3", now=T0 + timedelta(days=2))
    assert not erase_cv(store, settings, "C-3")  # already erased
    with store.session() as s:
        row = s.scalar(select(CandidateCV).where(CandidateCV.candidate_id == "C-3"))
        assert row is not None and row.data is None and row.erase_reason == "erasure"
    deliver(store, settings, now=T0 + timedelta(days=2), sleep=lambda _: None)
    assert [r.method for r in b.requests] == ["POST", "DELETE"]
    assert [i.get("deleted") for i in cv_feed(store, settings.partner("pull-yes"))] == [True]
    assert holders(store, "C-3") == set()
    # Re-publishing after the erasure queues nothing new.
    assert all(r.upserts == 0 for r in publish_cvs(store, settings))


def test_consent_withdrawn_through_the_api_function(store: Store, board: tuple[str, PartnerBoard]) -> None:
    url, b = board
    settings = make_settings(url)
    intake_cvs(store, settings, [cv_line("C-4", {"push-yes": True, "pull-yes": True})], now=T0)
    deliver(store, settings, now=T0, sleep=lambda _: None)
    assert record_consent(store, settings, "C-4", "push-yes", False, at=T0 + timedelta(hours=1))
    assert not record_consent(store, settings, "C-4", "push-yes", False, at=T0 + timedelta(hours=2))
    # An older decision arriving late does not override the withdrawal.
    assert not record_consent(store, settings, "C-4", "push-yes", True, at=T0)
    deliver(store, settings, now=T0 + timedelta(hours=3), sleep=lambda _: None)
    assert [r.method for r in b.requests] == ["POST", "DELETE"]
    # The pull partner that never read keeps its pending copy; it is not affected.
    assert [i["visibility"] for i in cv_feed(store, settings.partner("pull-yes"))] == ["anonymous"]


def test_retention_purge(store: Store, board: tuple[str, PartnerBoard]) -> None:
    url, b = board
    settings = make_settings(url, cv_retention_months=24)
    now = T0
    old = (now - timedelta(days=365 * 2 + 40)).isoformat()
    recent = (now - timedelta(days=365 * 2 - 40)).isoformat()
    intake_cvs(store, settings, [cv_line("old", {"push-yes": True}, last_contact=old),
                                 cv_line("recent", {"push-yes": True}, last_contact=recent),
                                 "{broken"], now=now - timedelta(days=800))
    deliver(store, settings, now=now - timedelta(days=800), sleep=lambda _: None)
    with store.session() as s:
        s.execute(update(Quarantine).values(created_at=now - timedelta(days=800)))
    report = purge_cvs(store, settings, now)
    assert (report.erased, report.withdrawals, report.quarantine_cleared) == (1, 1, 1)
    deliver(store, settings, now=now, sleep=lambda _: None)
    assert [r.method for r in b.requests] == ["POST", "POST", "DELETE"]
    assert holders(store, "old") == set() and holders(store, "recent") == {"push-yes"}
    with store.session() as s:
        erased = s.scalar(select(CandidateCV).where(CandidateCV.candidate_id == "old"))
        assert erased is not None and erased.erase_reason == "retention" and erased.data is None
        assert s.scalar(select(Quarantine.payload)) is None
    assert purge_cvs(store, settings, now).erased == 0  # idempotent


def test_intake_quarantines_bad_lines_and_never_stores_a_nir(store: Store, tmp_path: Any) -> None:
    settings = make_settings("http://127.0.0.1:9")
    path = tmp_path / "cvs.jsonl"
    good = json.loads(cv_line("C-5", {"pull-yes": True}))
    good["summary"] = "NIR 2 90 04 75 112 345 67, IBAN FR7630006000011234567890189."
    path.write_text("\n".join([json.dumps(good), '{"candidate_id": "x"', json.dumps({**good, "title": None})]),
                    encoding="utf-8")
    report = intake_cvs(store, settings, path, now=T0)
    assert (report.read, report.new, report.quarantined) == (3, 1, 2)
    assert report.errors[0].startswith("line 2: not JSON")
    assert report.errors[1].startswith("line 3: title:")
    rows = store.quarantined("cv-intake")
    assert sorted((q.external_id, q.field) for q in rows) == [(f"{path}:2", None), (f"{path}:3", "title")]
    assert all(q.stage == "cv" and q.payload for q in rows)  # nothing lost
    with store.session() as s:
        data = s.scalar(select(CandidateCV.data).where(CandidateCV.candidate_id == "C-5"))
    assert data is not None and "112 345" not in json.dumps(data) and "FR76" not in json.dumps(data)
    assert data["contact"]["last_name"] == "Dupré"  # kept locally; only shared views drop it


def test_disclosure_log_holds_no_content_and_the_feed_writer(store: Store) -> None:
    settings = make_settings("http://127.0.0.1:9")
    intake_cvs(store, settings, [cv_line("C-6", {"pull-yes": True}), cv_line("C-7", {"pull-yes": True})],
               now=T0)
    erase_cv(store, settings, "C-7", now=T0)  # never read: cancelled, not in the feed
    buf = io.BytesIO()
    assert write_cv_feed(store, settings.partner("pull-yes"), buf, now=T0) == 1
    doc = json.loads(buf.getvalue())
    assert len(doc["cvs"]) == 1 and doc["deleted"] == []
    assert write_cv_feed(store, settings.partner("pull-yes"), io.StringIO(), since=T0) == 0
    with store.session() as s:
        (row,) = s.scalars(select(Disclosure))
        values = json.dumps({c.name: str(getattr(row, c.name)) for c in Disclosure.__table__.columns})
    assert "Dupré" not in values and "Comptable" not in values and "06 12" not in values
    assert [d.partner for d in disclosures(store, "C-6")] == ["pull-yes"] and disclosures(store, "C-7") == []
