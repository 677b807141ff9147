"""Every real sample payload is read by the right connector into usable records."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors import build_connector
from connectors.source import open_source
from jobgate.config import PartnerSettings
from jobgate.errors import RecordError
from jobgate.schema import SourceRecord
from tests.conftest import SAMPLES

# (file, connector kind, dialect, expected record count)
CASES = [
    ("france_travail/ft_search_resultats_2022_148offres.json", "francetravail", None, 148),
    ("france_travail/ft_search_response_with_filtresPossibles_2024.json", "francetravail", None, 6),
    ("france_travail/ft_offre_detail_data_engineer.json", "francetravail", None, 1),
    ("france_travail/ft_offres_data_engineer_4offres_2025-01.json", "francetravail", None, 4),
    ("france_travail/ft_offres_data_scientist_52offres_partenaires.json", "francetravail", None, 52),
    ("partner_xml/hellowork_feed.xml", "xml", "hellowork", 5),
    ("partner_xml/jooble_feed.xml", "xml", "jooble", 2),
    ("partner_xml/apec_export_offres.xml", "xml", "apec", 5),
    ("partner_xml/edf_talentsoft_offers.xml", "xml", "talentsoft", 3),
    ("partner_xml/talentview_kelio_source_publisher_feed.xml", "xml", "talentview", 2),
    ("partner_json/decathlon_ads.json", "json", "decathlon", 3),
    ("partner_json/francetravail_careers_talentsoft_offer.json", "json", "talentsoft-json", 1),
    ("rss/monster_rss_items.xml", "rss", "monster", 3),
]


def read(path: Path, kind: str, dialect: str | None) -> list[SourceRecord | RecordError]:
    partner = PartnerSettings(name="sample", connector=kind, url=str(path), dialect=dialect)
    with open_source(str(path), "sample") as stream:
        return list(build_connector(partner).records(stream))


def test_every_sample_file_is_covered() -> None:
    files = {str(p.relative_to(SAMPLES)) for p in SAMPLES.rglob("*") if p.suffix in (".xml", ".json")}
    assert files == {c[0] for c in CASES}


@pytest.mark.parametrize(("name", "kind", "dialect", "count"), CASES, ids=[c[0] for c in CASES])
def test_sample_records_have_id_title_description(name: str, kind: str, dialect: str | None, count: int) -> None:
    records = read(SAMPLES / name, kind, dialect)
    errors = [r for r in records if isinstance(r, RecordError)]
    assert not errors, [e.reason for e in errors]
    assert len(records) == count
    ids = set()
    for r in records:
        assert isinstance(r, SourceRecord)
        assert r.partner == "sample" and r.external_id.strip()
        assert r.fields["title"].strip()
        assert str(r.fields.get("description", "")).strip(), f"{r.external_id} has no description"
        ids.add(r.external_id)
    assert len(ids) == count


def test_external_ids_kept_exactly() -> None:
    ft = read(SAMPLES / "france_travail/ft_offre_detail_data_engineer.json", "francetravail", None)
    assert [r.external_id for r in ft if isinstance(r, SourceRecord)] == ["184TRJB"]
    jooble = read(SAMPLES / "partner_xml/jooble_feed.xml", "xml", "jooble")
    assert jooble[0].external_id == "-6366765753872521621"  # type: ignore[union-attr]
    hw = read(SAMPLES / "partner_xml/hellowork_feed.xml", "xml", "hellowork")
    assert hw[0].external_id == "1792883/10218731 MESMEO/94V"  # type: ignore[union-attr]


def test_france_travail_partner_offers_keep_provenance() -> None:
    recs = [r for r in read(SAMPLES / "france_travail/ft_offres_data_scientist_52offres_partenaires.json",
                            "francetravail", None) if isinstance(r, SourceRecord)]
    partner_offers = [r for r in recs if r.fields.get("origin") == "2"]
    assert len(partner_offers) == 44
    assert all(r.fields.get("carried_by") for r in partner_offers)
