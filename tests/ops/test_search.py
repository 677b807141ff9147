"""The public catalogue search: words (accents folded), filters, facets, cursor pages, index upkeep."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import select

from jobgate.api import create_app
from jobgate.config import Settings, load_settings
from jobgate.pipeline import run_cycle
from jobgate.search import (
    KM_PER_DEG_LAT,
    KM_PER_DEG_LON_EQUATOR,
    _cells,
    commune_centre,
    fold_text,
    grid_cell,
    index_catalogue,
)
from jobgate.storage import Store
from jobgate.storage.migrate import alembic_config
from jobgate.storage.models import CatalogueSearch, Cluster, utcnow
from tests.conftest import EXAMPLES


@pytest.fixture
def env(store: Store) -> Iterator[tuple[TestClient, Store, Settings]]:
    settings = load_settings(EXAMPLES / "jobgate.toml")
    run_cycle(store, settings)
    yield TestClient(create_app(settings, store)), store, settings


def _all(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = None
    while True:
        page = client.get("/offers", params={**params, "limit": 7, **({"after": after} if after else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        out.extend(body["offers"])
        after = body["next"]
        if not after:
            return out


def test_fold_text() -> None:
    assert fold_text("Chef de Cuisine (H/F) – Œnologie, Développeur") == "chef de cuisine h f oenologie developpeur"


def test_words_accents_and_pages(env: tuple[TestClient, Store, Settings]) -> None:
    client, store, _ = env
    everything = _all(client)
    with store.session() as s:
        active = s.scalar(select(Cluster.id).where(Cluster.status == "active").limit(1))
        n_active = len(list(s.scalars(select(Cluster.id).where(Cluster.status == "active"))))
    assert active and len(everything) == n_active == len({o["id"] for o in everything})
    plain = _all(client, q="developpeur")
    accented = _all(client, q="DÉVELOPPEUR")
    assert plain and [o["id"] for o in plain] == [o["id"] for o in accented]
    assert all("developpeur" in fold_text(str(o)) or o["rome"]["code"] for o in plain)
    assert _all(client, q="zzqqxx") == []
    facets = client.get("/offers", params={"q": "developpeur"}).json()["facets"]
    assert sum(f["count"] for f in facets["contract"]) == len(plain)


def test_filters_and_facets(env: tuple[TestClient, Store, Settings]) -> None:
    client, _, _ = env
    body = client.get("/offers", params={"limit": 1}).json()
    total = sum(f["count"] for f in body["facets"]["contract"])
    assert total == sum(f["count"] for f in body["facets"]["departement"]) == len(_all(client))
    m = _all(client, rome="M")
    assert m and all(o["rome"]["code"].startswith("M") for o in m)
    m18 = _all(client, rome="M18")
    assert m18 and all(o["rome"]["code"].startswith("M18") for o in m18) and len(m18) < len(m)
    code = m18[0]["rome"]["code"]
    assert all(o["rome"]["code"] == code for o in _all(client, rome=code))
    paris = _all(client, departement="75")
    assert paris and all(o["place"]["departement"] == "75" for o in paris)
    facet_75 = client.get("/offers", params={"departement": "75"}).json()["facets"]
    assert sum(f["count"] for f in facet_75["contract"]) == len(paris)
    cdi = _all(client, contrat="CDI")
    both = _all(client, contrat=["CDI", "CDD"])
    assert cdi and all(o["contract"] == "CDI" for o in cdi) and len(both) > len(cdi)
    rich = _all(client, salaire_min=40000)
    assert rich and all(max(o["salary"]["yearly_max"] or 0, o["salary"]["yearly_min"] or 0) >= 40000 for o in rich)
    near = _all(client, commune="Paris", rayon=15)
    assert near and {o["place"]["departement"] for o in near} <= {"75", "92", "93", "94", "78", "91", "95", "77"}
    assert len(_all(client, commune="Paris", rayon=150)) > len(near)
    assert _all(client, commune="Nullepart-sur-Mer", rayon=10) == []
    recent = _all(client, since="2025-01-01T00:00:00Z")
    assert recent and all(o["published"] >= "2025-01-01" for o in recent)
    assert len(_all(client, rayon=10)) == len(_all(client))  # a radius without commune is ignored
    assert client.get("/offers", params={"rome": "M18055"}).status_code == 422
    assert client.get("/offers", params={"after": "jg-x"}).status_code == 422


def test_detail_sources_and_jsonld(env: tuple[TestClient, Store, Settings]) -> None:
    client, _, _ = env
    multi = next(o for o in _all(client) if len(o["sources"]) > 1)
    one = client.get(f"/offers/{multi['id']}").json()
    assert len(one["sources"]) > 1 and all(s["partner"] and "url" in s for s in one["sources"])
    ld = one["jsonld"]
    assert ld["@type"] == "JobPosting" and ld["title"] == one["title"] and ld["identifier"]["value"] == one["id"]
    assert client.get("/offers/jg-nope").status_code == 404


def test_index_follows_catalogue_and_hides_anonymous_employers(env: tuple[TestClient, Store, Settings]) -> None:
    client, store, settings = env
    with store.session() as s:
        named, closed = list(s.scalars(select(Cluster).where(Cluster.status == "active").order_by(Cluster.id).limit(2)))
        data = dict(named.data)
        data["employer"] = {**(data.get("employer") or {}), "name": "Zorglub Industries"}
        data["diffusion"] = {"visibility": "anonyme", "preselection": "aucune"}
        named.data, named.updated_at = data, utcnow() + timedelta(seconds=1)
        closed.status, closed.updated_at = "closed", utcnow() + timedelta(seconds=1)
    report = index_catalogue(store, settings)
    assert report.indexed == 1 and report.removed == 1
    assert _all(client, q="zorglub") == []
    with store.session() as s:
        assert s.scalar(select(CatalogueSearch.doc).where(CatalogueSearch.cluster_id == closed.id)) is None
    assert client.get(f"/offers/{closed.id}").status_code == 404
    assert index_catalogue(store, settings).indexed == 0  # idempotent


def test_grid_cells_cover_every_position_of_a_box() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        lat, lon = rng.uniform(-60, 60), rng.uniform(-179, 179)
        dlat, dlon = rng.uniform(0.001, 0.5), rng.uniform(0.001, 0.5)
        cells = _cells(lat - dlat, lat + dlat, lon - dlon, lon + dlon)
        assert cells is not None
        for _ in range(5):
            y, x = rng.uniform(lat - dlat, lat + dlat), rng.uniform(lon - dlon, lon + dlon)
            assert grid_cell(y, x) in cells
    assert grid_cell(48.8566, 2.3522) != grid_cell(48.8566, 2.6)  # 0.2° apart in longitude
    assert _cells(40.0, 50.0, -5.0, 9.0) is None  # too many cells: the caller walks the box instead


def test_radius_matches_exact_distances_newest_first(env: tuple[TestClient, Store, Settings]) -> None:
    """Every radius path (cells, box walk) returns exactly the offers within the distance, newest first."""
    client, store, _ = env
    with store.session() as s:
        rows = s.execute(select(CatalogueSearch.doc, CatalogueSearch.cluster_id, CatalogueSearch.latitude,
                                CatalogueSearch.longitude, CatalogueSearch.cell)).all()
    assert all(r.cell == grid_cell(r.latitude, r.longitude) for r in rows)
    checked = 0
    for commune, radius in (("Paris", 5), ("Paris", 15), ("Lyon", 30), ("Marseille", 40), ("Paris", 150),
                            ("Toulouse", 200)):
        centre = commune_centre(store, commune)
        if centre is None:
            continue
        lat0, lon0 = centre
        kx = KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat0))
        expected = [r.cluster_id for r in sorted(rows, key=lambda r: -r.doc)
                    if r.latitude is not None and r.longitude is not None
                    and ((r.latitude - lat0) * KM_PER_DEG_LAT) ** 2 + ((r.longitude - lon0) * kx) ** 2
                    <= radius * radius + 1e-9]
        found = _all(client, commune=commune, rayon=radius)
        assert [o["id"] for o in found] == expected, (commune, radius)
        body = client.get("/offers", params={"commune": commune, "rayon": radius}).json()
        assert body["facets_complete"] and sum(f["count"] for f in body["facets"]["contract"]) == len(expected)
        checked += bool(expected)
    assert checked >= 3


def test_migration_fills_the_cell_of_existing_rows(env: tuple[TestClient, Store, Settings]) -> None:
    """0010_search_1m computes in SQL the cell the indexer computes in Python."""
    _, store, _ = env
    with store.session() as s:
        before = dict(s.execute(select(CatalogueSearch.doc, CatalogueSearch.cell)).all())
    assert sum(c is not None for c in before.values()) > 10
    command.downgrade(alembic_config(store.engine), "0009_search_perf")
    store.migrate()
    with store.session() as s:
        assert dict(s.execute(select(CatalogueSearch.doc, CatalogueSearch.cell)).all()) == before


@pytest.mark.parametrize("budget", [2000, 3])
def test_words_and_filter_equal_words_then_filter(env: tuple[TestClient, Store, Settings],
                                                  monkeypatch: pytest.MonkeyPatch, budget: int) -> None:
    """Words + département (PostgreSQL: the bounded newest-first walk, or its fallback) = words, then filtered."""
    client, _, _ = env
    monkeypatch.setattr("jobgate.search.WALK_BUDGET", budget)
    checked = 0
    for offer in _all(client)[:40]:
        words = [w for w in fold_text(offer["title"]).split() if len(w) >= 4][:2]
        dep = offer["place"]["departement"]
        if len(words) < 2 or not dep:
            continue
        q = " ".join(words)
        expected = [o["id"] for o in _all(client, q=q) if o["place"]["departement"] == dep]
        assert offer["id"] in expected
        assert [o["id"] for o in _all(client, q=q, departement=dep)] == expected
        checked += 1
    assert checked >= 5
