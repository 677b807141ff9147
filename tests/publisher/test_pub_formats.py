"""Every format read back by a real consumer: feedparser, lxml, json."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from lxml import etree

from jobgate.config import PartnerSettings, PublisherSettings
from jobgate.schema import CatalogueOffer, Contact, Diffusion, Preselection, Visibility
from publisher import FORMATS, get_exporter, visible_offer
from publisher.formats import Tombstone, decode_cursor, encode_cursor, write_json_page
from publisher.formats.base import FeedExporter
from publisher.formats.jsonld import REQUIRED

WHEN = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
GONE = [("jg-gone-1", WHEN - timedelta(days=1)), ("jg-gone-2", WHEN)]


def _visible(
    offers: list[CatalogueOffer], partner: PartnerSettings, settings: PublisherSettings
) -> list[CatalogueOffer]:
    return [visible_offer(o, partner, settings=settings) for o in offers]


def _render(fmt: str, offers: list[CatalogueOffer], partner: PartnerSettings) -> bytes:
    buf = io.BytesIO()
    exp = get_exporter(
        fmt,
        buf,
        partner=partner,
        base_url="https://jobgate.example.org",
        title="Offres",
        updated=WHEN,
    )
    for o in offers:
        exp.export_offer(o)
    for oid, at in GONE:
        exp.export_tombstone(oid, at)
    exp.finish()
    return buf.getvalue()


@pytest.fixture
def mixed_offers(ft_public_offers: list[CatalogueOffer]) -> list[CatalogueOffer]:
    """Real offers in every mode, plus one with hostile characters."""
    modes = [(v, p) for v in Visibility for p in Preselection]
    out = []
    for i, o in enumerate(ft_public_offers):
        o = o.model_copy(deep=True)
        v, p = modes[i % len(modes)]
        o.diffusion = Diffusion(visibility=v, preselection=p)
        out.append(o)
    nasty = out[0].model_copy(deep=True)
    nasty.id = "jg-nasty&<1>"
    nasty.title = 'Chef "de" rang & <sommelier> ]]> \x0b\x01 é'
    nasty.description = "a ]]> b <![CDATA[ c & d \x00 e"
    nasty.description_html = "<p>Équipe &amp; <b>cuisine</b> ]]></p>"
    out.append(nasty)
    return out


def test_registry_and_protocol() -> None:
    assert set(FORMATS) == {"rss", "atom", "xml", "json", "jsonld"}
    for fmt in FORMATS:
        exp = get_exporter(fmt, io.StringIO(), partner="p", base_url="http://x", title="t")
        assert isinstance(exp, FeedExporter)
    with pytest.raises(ValueError, match="unknown feed format 'csv'"):
        get_exporter("csv", io.BytesIO(), partner="p", base_url="http://x", title="t")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_text_and_binary_streams_give_the_same_bytes(
    fmt: str, ft_public_offers: list[CatalogueOffer]
) -> None:
    offers = ft_public_offers[:5]
    binary = _render(fmt, offers, "p")  # type: ignore[arg-type]
    text = io.StringIO()
    exp = get_exporter(
        fmt, text, partner="p", base_url="https://jobgate.example.org", title="Offres", updated=WHEN
    )
    for o in offers:
        exp.export_offer(o)
    for oid, at in GONE:
        exp.export_tombstone(oid, at)
    exp.finish()
    assert text.getvalue().encode("utf-8") == binary


def test_rss_feedparser_reads_every_item(
    mixed_offers: list[CatalogueOffer],
    pub_partner: PartnerSettings,
    pub_settings: PublisherSettings,
) -> None:
    vis = _visible(mixed_offers, pub_partner, pub_settings)
    feed = feedparser.parse(_render("rss", vis, pub_partner))
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "rss20"
    ids = [e.id for e in feed.entries]
    assert ids == [o.id for o in vis] + [g for g, _ in GONE]
    live, gone = feed.entries[: len(vis)], feed.entries[len(vis) :]
    assert all(e.get("jobgate_status") == "active" for e in live)
    assert all(e.get("jobgate_status") == "deleted" for e in gone)
    assert all("deleted" in [t.term for t in e.tags] for e in gone)
    assert feed.entries[-2].guidislink is False


def test_rss_guid_is_not_a_permalink(
    ft_public_offers: list[CatalogueOffer], pub_partner: PartnerSettings
) -> None:
    root = etree.fromstring(_render("rss", ft_public_offers[:3], pub_partner))
    guids = root.findall("channel/item/guid")
    assert [g.text for g in guids[:3]] == [o.id for o in ft_public_offers[:3]]
    assert {g.get("isPermaLink") for g in guids} == {"false"}


def test_atom_feedparser_and_tombstones(
    mixed_offers: list[CatalogueOffer],
    pub_partner: PartnerSettings,
    pub_settings: PublisherSettings,
) -> None:
    vis = _visible(mixed_offers, pub_partner, pub_settings)
    data = _render("atom", vis, pub_partner)
    feed = feedparser.parse(data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert [e.id for e in feed.entries] == [
        f"urn:jobgate:offer:{o.id}".replace("&", "%26").replace("<", "%3C").replace(">", "%3E")
        for o in vis
    ]
    root = etree.fromstring(data)
    ns = {"at": "http://purl.org/atompub/tombstones/1.0"}
    deleted = root.findall("at:deleted-entry", ns)
    assert [d.get("ref") for d in deleted] == [f"urn:jobgate:offer:{g}" for g, _ in GONE]
    assert deleted[1].get("when") == WHEN.isoformat()


def test_indeed_xml_parses_with_lxml(
    mixed_offers: list[CatalogueOffer],
    pub_partner: PartnerSettings,
    pub_settings: PublisherSettings,
) -> None:
    vis = _visible(mixed_offers, pub_partner, pub_settings)
    root = etree.fromstring(_render("xml", vis, pub_partner))
    assert root.tag == "source"
    assert root.findtext("publisher") == "Offres"
    jobs = root.findall("job")
    assert [j.findtext("referencenumber") for j in jobs] == [o.id for o in vis] + [
        g for g, _ in GONE
    ]
    for job, offer in zip(jobs, vis, strict=False):
        assert job.findtext("status") == "active"
        assert job.findtext("title") == offer.title.replace("\x0b", "").replace("\x01", "")
        for tag in ("date", "url", "company", "country", "description"):
            assert job.findtext(tag), (offer.id, tag)
    assert [j.findtext("status") for j in jobs[len(vis) :]] == ["deleted", "deleted"]
    anon = [
        j for j, o in zip(jobs, vis, strict=False) if o.diffusion.visibility is Visibility.ANONYME
    ]
    assert anon and {j.findtext("company") for j in anon} == {"Entreprise anonyme"}


def test_jsonld_items_have_every_required_property(
    mixed_offers: list[CatalogueOffer],
    pub_partner: PartnerSettings,
    pub_settings: PublisherSettings,
) -> None:
    vis = _visible(mixed_offers, pub_partner, pub_settings)
    doc = json.loads(_render("jsonld", vis, pub_partner))
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "DataFeed"
    elements = doc["dataFeedElement"]
    live = [e for e in elements if "dateDeleted" not in e]
    assert len(live) == len(vis)
    for el, offer in zip(live, vis, strict=True):
        posting = el["item"]
        assert posting["@type"] == "JobPosting"
        missing = [p for p in REQUIRED if p not in posting or posting[p] in (None, "", [])]
        assert not missing, (offer.id, missing)
        assert posting["identifier"] == {
            "@type": "PropertyValue",
            "name": "jobgate",
            "value": offer.id,
        }
        addr = posting["jobLocation"]["address"]
        assert addr["@type"] == "PostalAddress" and addr["addressCountry"]
        assert posting["hiringOrganization"]["name"]
        datetime.fromisoformat(posting["datePosted"])
        datetime.fromisoformat(posting["validThrough"])
        if offer.diffusion.visibility is Visibility.ANONYME:
            assert posting["hiringOrganization"] == {
                "@type": "Organization",
                "name": "Entreprise anonyme",
            }
            assert posting["directApply"] is False
        if offer.salary.min is not None:
            assert posting["baseSalary"]["currency"] == "EUR"
    gone = [e for e in elements if "dateDeleted" in e]
    assert [g["item"]["identifier"]["value"] for g in gone] == [g for g, _ in GONE]


def test_jsonld_employment_types(ft_public_offers: list[CatalogueOffer]) -> None:
    from publisher.formats.jsonld import job_posting

    allowed = {
        "FULL_TIME",
        "PART_TIME",
        "CONTRACTOR",
        "TEMPORARY",
        "INTERN",
        "VOLUNTEER",
        "PER_DIEM",
        "OTHER",
    }
    seen = set()
    for o in ft_public_offers:
        types = job_posting(o, "http://x", fallback_date=WHEN)["employmentType"]
        assert set(types) <= allowed
        seen.update(types)
    assert {"FULL_TIME", "TEMPORARY"} <= seen


def test_json_pages_chain_through_next(
    mixed_offers: list[CatalogueOffer],
    pub_partner: PartnerSettings,
    pub_settings: PublisherSettings,
) -> None:
    from publisher.formats.jsonfeed import item_key

    vis = _visible(mixed_offers, pub_partner, pub_settings)
    items: list[CatalogueOffer | Tombstone] = [*vis, *(Tombstone(i, at) for i, at in GONE)]
    items.sort(key=item_key)
    seen_offers: list[str] = []
    seen_deleted: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        buf = io.BytesIO()
        nxt = write_json_page(
            iter(items),
            buf,
            after=cursor,
            limit=7,
            partner=pub_partner,
            base_url=pub_settings.base_url,
        )
        page = json.loads(buf.getvalue())
        assert set(page) == {"offers", "deleted", "next"}
        assert page["next"] == nxt
        assert len(page["offers"]) + len(page["deleted"]) <= 7
        seen_offers += [o["id"] for o in page["offers"]]
        seen_deleted += [d["id"] for d in page["deleted"]]
        pages += 1
        if nxt is None:
            break
        cursor = nxt
    assert pages == -(-len(items) // 7)
    assert sorted(seen_offers) == sorted(o.id for o in vis)
    assert sorted(seen_deleted) == sorted(g for g, _ in GONE)


def test_json_page_errors() -> None:
    with pytest.raises(ValueError, match="invalid feed cursor"):
        write_json_page([], io.BytesIO(), after="%%%", limit=5, partner="p", base_url="http://x")
    with pytest.raises(ValueError, match="limit"):
        write_json_page([], io.BytesIO(), after=None, limit=0, partner="p", base_url="http://x")
    late, early = Tombstone("b", WHEN), Tombstone("a", WHEN - timedelta(days=1))
    with pytest.raises(ValueError, match="not sorted"):
        write_json_page(
            [late, early], io.BytesIO(), after=None, limit=5, partner="p", base_url="http://x"
        )
    c = encode_cursor(WHEN, "jg-1|x")
    assert decode_cursor(c) == (WHEN, "jg-1|x")


def test_json_items_carry_ids_and_diffusion(
    ft_public_offers: list[CatalogueOffer], pub_partner: PartnerSettings
) -> None:
    doc = json.loads(_render("json", ft_public_offers[:3], pub_partner))
    assert [o["id"] for o in doc["offers"]] == [o.id for o in ft_public_offers[:3]]
    first = doc["offers"][0]
    assert first["source"] == {
        "partner": "francetravail",
        "id": ft_public_offers[0].source.external_id,
        "url": ft_public_offers[0].source.url,
    }
    assert first["diffusion"] == {"visibility": "nominatif", "preselection": "aucune"}
    assert doc["next"] is None


def test_agency_channel_in_every_format(
    ft_public_offers: list[CatalogueOffer], pub_partner: PartnerSettings, pub_agency: Contact
) -> None:
    o = ft_public_offers[0].model_copy(deep=True)
    o.diffusion = Diffusion(visibility=Visibility.NOMINATIF, preselection=Preselection.EVALUATION)
    v = visible_offer(o, pub_partner, agency=pub_agency)
    for fmt in FORMATS:
        out = _render(fmt, [v], pub_partner).decode()
        assert pub_agency.email in out, fmt


@pytest.mark.parametrize("fmt", ["rss", "atom", "xml", "jsonld"])
def test_iter_feed_streams_the_same_bytes(fmt: str, ft_public_offers: list[CatalogueOffer]) -> None:
    from publisher.formats import iter_feed

    offers = ft_public_offers[:25]
    chunks = list(
        iter_feed(
            fmt,
            iter(offers),
            [Tombstone(i, at) for i, at in GONE],
            partner="p",
            base_url="https://jobgate.example.org",
            title="Offres",
            updated=WHEN,
            chunk_items=10,
        )
    )
    assert len(chunks) == 3
    assert b"".join(chunks) == _render(fmt, offers, "p")  # type: ignore[arg-type]
