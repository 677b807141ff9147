"""Incremental state: saved after each stored page, so a killed run resumes without gap or duplicate."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors import fetch_partner
from jobgate.storage import Store
from jobgate.storage.models import RawRecord
from tests.connectors.conftest import make_settings
from tests.connectors.simulated_partner import PartnerServer, Reply, Req, ft_offers, paged_json

OFFERS = ft_offers()  # 148 real offers
SIZE = 20  # 8 pages


def stored(store: Store) -> list[tuple[str, int | None]]:
    with store.session() as s:
        return [(r.external_id, r.fetch_run_id) for r in s.scalars(select(RawRecord).where(RawRecord.partner == "p"))]


STYLES = {
    "page": {"pagination": "page", "page_size": SIZE},
    "offset": {"pagination": "offset", "page_size": SIZE},
    "cursor": {"pagination": "cursor", "cursor_path": "meta/next_cursor"},
    "next": {"pagination": "next"},
}


@pytest.mark.parametrize("style", list(STYLES))
def test_killed_run_resumes_at_the_first_page_not_stored(tmp_path: Path, store: Store, partner_server: PartnerServer, style: str) -> None:
    path = "/api/next" if style == "next" else "/api/offres"
    partner_server.routes[path] = paged_json(OFFERS, size=SIZE, style=style, die_after=3)
    s = make_settings(tmp_path, connector="json", dialect="francetravail", url=partner_server.url(path),
                      options={**STYLES[style], "retries": 1})
    p = s.partners[0]

    first = fetch_partner(store, s, p)
    assert first.outcome == "failed" and first.pages == 3 and first.fetched == 3 * SIZE
    assert first.closed == 0
    assert store.get_state("p", "")["next"] is not None

    served_before = len(partner_server.requests_to(path))
    partner_server.routes[path] = paged_json(OFFERS, size=SIZE, style=style)
    second = fetch_partner(store, s, p)
    assert second.outcome == "success" and second.fetched == len(OFFERS) - 3 * SIZE
    assert second.complete is False and second.closed == 0  # a resumed run is no snapshot
    asked = partner_server.requests_to(path)[served_before:]
    assert len(asked) == 5  # pages 4..8 only: nothing re-read

    rows = stored(store)
    ids = Counter(ext for ext, _ in rows)
    assert set(ids) == {o["id"] for o in OFFERS} and max(ids.values()) == 1
    assert Counter(run for _, run in rows) == {first.run_id: 3 * SIZE, second.run_id: len(OFFERS) - 3 * SIZE}
    assert store.get_state("p", "")["next"] is None

    third = fetch_partner(store, s, p)  # the next run reads everything again: a snapshot
    assert (third.complete, third.unchanged, third.closed) == (True, len(OFFERS), 0)


def test_bad_record_in_a_page_is_quarantined_and_paging_goes_on(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    bad: list = [dict(o) for o in OFFERS[:SIZE]]
    bad[5] = "not an object"
    partner_server.routes["/api/offres"] = paged_json(bad + OFFERS[SIZE:], size=SIZE)
    s = make_settings(tmp_path, connector="json", dialect="francetravail", url=partner_server.url("/api/offres"),
                      options=STYLES["page"])
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "success" and report.quarantined == 1 and report.fetched == len(OFFERS) - 1
    assert report.pages == 8


def test_incremental_bookmark_asks_only_for_newer_records(tmp_path: Path, store: Store, partner_server: PartnerServer) -> None:
    seen_since: list[str | None] = []
    base = paged_json(OFFERS, size=SIZE)

    def listing(req: Req) -> Reply:
        since = req.query.get("updated_since")
        seen_since.append(since)
        if since:
            newer = [o for o in OFFERS if o["dateActualisation"] > since]
            return paged_json(newer, size=SIZE)(req)
        return base(req)

    partner_server.routes["/api/offres"] = listing
    s = make_settings(tmp_path, connector="json", dialect="francetravail", url=partner_server.url("/api/offres"),
                      options={**STYLES["page"], "cursor_field": "updated", "since_param": "updated_since"})
    first = fetch_partner(store, s, s.partners[0])
    latest = max(o["dateActualisation"] for o in OFFERS)
    assert first.fetched == len(OFFERS) and store.get_state("p", "")["bookmark"] == latest
    second = fetch_partner(store, s, s.partners[0])
    assert seen_since[-1] == latest and second.fetched == 0
    assert second.complete is False and second.closed == 0  # an incremental run never closes
