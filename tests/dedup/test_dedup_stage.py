"""The dedup stage over the store (SQLite and PostgreSQL): ids, closures, incremental runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from dedup import run_dedup
from jobgate.config import PartnerSettings, Settings
from jobgate.exports import record_lines
from jobgate.schema import CanonicalOffer
from jobgate.storage import Store
from jobgate.storage.models import Cluster, DedupKey, Offer, RawRecord
from tests.dedup.dedup_helpers import OTHER, TEXT

SETTINGS = Settings(partners=(PartnerSettings(name="francetravail", connector="francetravail", url="file:///dev/null", rank=1),))


def offer(partner: str, ext: str, title: str, text: str = TEXT, employer: str | None = "Mode",
          city: str | None = "Lyon", postcode: str | None = "69003", day: int = 2) -> dict[str, Any]:
    """Canonical data of one source offer."""
    return CanonicalOffer.model_validate({
        "source": {"partner": partner, "external_id": ext, "url": f"https://{partner}.example/{ext}"},
        "title": title, "description": text, "employer": {"name": employer},
        "place": {"city": city, "postcode": postcode, "departement": (postcode or "")[:2] or None},
        "contract": {"type": "CDI"}, "dates": {"published": f"2026-11-{day:02d}T09:00:00+00:00"},
        "public_service": partner == "francetravail",
    }).model_dump(mode="json")


def put(store: Store, data: dict[str, Any], status: str = "published") -> None:
    """Store one source offer (raw record + canonical offer), as the normalizer would."""
    from jobgate.schema import SourceRecord

    partner, ext = data["source"]["partner"], data["source"]["external_id"]
    run = store.start_run(partner)
    store.upsert_raw(run, [SourceRecord(partner=partner, external_id=ext, fields={}, payload={**data, "_s": status})])
    with store.session() as s:
        raw = s.scalar(select(RawRecord).where(RawRecord.partner == partner, RawRecord.external_id == ext))
    assert raw is not None
    store.save_offers([(raw, data, status, None if status == "published" else "test")])


def clusters(store: Store) -> dict[str, str | None]:
    """external id -> cluster id."""
    with store.session() as s:
        return {o.external_id: o.cluster_id for o in s.scalars(select(Offer))}


def catalogue(store: Store) -> dict[str, Cluster]:
    """Active clusters by id."""
    return {c.id: c for c in store.iter_clusters()}


def job_offers() -> list[dict[str, Any]]:
    """FT original, two board copies (one anonymous), its Paris site, and a bakery job."""
    return [
        offer("francetravail", "FT1", "Vendeur H/F"),
        offer("hellowork", "HW1", "VENDEUR (F/H)", "Postulez ! " + TEXT[:250], postcode=None, day=3),
        offer("regionsjob", "RJ1", "Vendeur", TEXT + " Candidatez vite.", employer=None, city=None, day=3),
        offer("francetravail", "FT2", "Vendeur H/F", city="Paris", postcode="75001"),
        offer("francetravail", "FT3", "Vendeur H/F", OTHER, employer="Boulangerie Martin"),
    ]


def test_one_catalogue_offer_per_job_with_stable_ids(store: Store) -> None:
    for d in job_offers():
        put(store, d)
    report = run_dedup(store, SETTINGS)
    got = clusters(store)
    assert got["FT1"] == got["HW1"] == got["RJ1"]
    assert len({got["FT1"], got["FT2"], got["FT3"]}) == 3
    assert report.offers == 5 and report.clusters == 3 and report.merged == 2
    cat = catalogue(store)
    job = cat[got["FT1"] or ""]
    assert job.n_sources == 3
    sources = job.data["sources"]
    assert {s["partner"] for s in sources} == {"francetravail", "hellowork", "regionsjob"}
    assert all(s["url"] and s["first_seen"] and s["last_seen"] for s in sources)
    assert job.data["employer"]["name"] == "Mode"  # the public service's own record wins
    # a second run (incremental: nothing changed) and a full run keep every id
    assert run_dedup(store, SETTINGS).batch == 0
    run_dedup(store, SETTINGS, full=True)
    assert clusters(store) == got
    # the export contract: every source record carries its cluster
    lines = {r["external_id"]: r["cluster"] for r in record_lines(store)}
    assert lines == got


def test_closing_one_source_keeps_the_offer_while_another_carries_it(store: Store) -> None:
    data = job_offers()
    for d in data:
        put(store, d)
    run_dedup(store, SETTINGS)
    cid = clusters(store)["FT1"]
    put(store, data[0], status="closed")
    report = run_dedup(store, SETTINGS)
    assert report.batch == 1
    assert clusters(store)["FT1"] == cid  # a closed source stays attached as provenance
    job = catalogue(store)[cid or ""]
    assert job.status == "active" and job.n_sources == 2
    assert {s["external_id"]: s["status"] for s in job.data["sources"]}["FT1"] == "closed"
    for i in (1, 2):
        put(store, data[i], status="closed")
    run_dedup(store, SETTINGS)
    assert store.get_cluster(cid or "").status == "closed"  # type: ignore[union-attr]


def test_incremental_batches_equal_a_full_run(store: Store) -> None:
    data = job_offers()
    put(store, data[0])
    put(store, data[3])
    run_dedup(store, SETTINGS)
    for d in data[1:3]:
        put(store, d)
    report = run_dedup(store, SETTINGS)
    assert report.batch == 2 and report.offers < 5  # the Paris site and the bakery were not read
    put(store, data[4])
    run_dedup(store, SETTINGS)
    incremental = clusters(store)
    with store.session() as s:
        keys_before = s.scalar(select(func.count()).select_from(DedupKey))
    run_dedup(store, SETTINGS, full=True)
    assert clusters(store) == incremental
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(DedupKey)) == keys_before


def test_a_changed_record_leaves_its_cluster_and_joins_another(store: Store) -> None:
    data = job_offers()
    for d in data:
        put(store, d)
    run_dedup(store, SETTINGS)
    before = clusters(store)
    # the board rewrites its copy into the bakery's job
    put(store, offer("hellowork", "HW1", "Vendeur", OTHER, employer="Boulangerie Martin", day=3))
    run_dedup(store, SETTINGS)
    after = clusters(store)
    assert after["HW1"] == before["FT3"]
    assert after["FT1"] == after["RJ1"] == before["FT1"]
    assert catalogue(store)[after["FT1"] or ""].n_sources == 2


def test_a_held_offer_leaves_the_catalogue(store: Store) -> None:
    data = job_offers()
    for d in data:
        put(store, d)
    run_dedup(store, SETTINGS)
    put(store, data[2], status="held")
    run_dedup(store, SETTINGS)
    got = clusters(store)
    assert got["RJ1"] is None and got["FT1"] == got["HW1"]


def test_repost_by_the_same_partner_joins_the_job(store: Store) -> None:
    put(store, offer("francetravail", "FT1", "Vendeur H/F"))
    run_dedup(store, SETTINGS)
    put(store, offer("francetravail", "FT1b", "Vendeur H/F", TEXT + " Offre republiée.", day=14))
    put(store, offer("francetravail", "FT1c", "Vendeur H/F"))  # same day: another position
    run_dedup(store, SETTINGS)
    got = clusters(store)
    assert got["FT1b"] == got["FT1"] != got["FT1c"]
