"""ID-02: SIRENE lookups (stock file, recherche-entreprises API with a cache), the rule,
the normaliser's address flag and the publisher honouring it."""

from __future__ import annotations

import gzip
import json
import shutil
import threading
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from jobgate.config import PartnerSettings, Settings
from jobgate.schema import CanonicalOffer, CatalogueOffer, CertificationStatus, Place, Severity
from jobgate.storage import Store
from jobgate.storage.models import SireneCache
from normalizer.certification import certify
from normalizer.certification.testing import offer_from_fixture
from normalizer.normalize import NormalizerContext, normalize_record
from normalizer.rome import RomeClassifier
from normalizer.sirene import (
    ApiSource,
    Establishment,
    SireneLookup,
    SireneUnavailable,
    StockFileSource,
    sirene_lookup,
)
from publisher.diffusion import visible_offer

STOCK = Path(__file__).resolve().parents[1] / "fixtures" / "sirene" / "StockEtablissement_sample.csv"
ACTIVE, CLOSED, ND_ACTIVE, ND_CLOSED = "73282932000009", "55208131776604", "44306184110020", "38012986664663"
UNLISTED = "73282932000074"  # valid SIRET, not in the stock
TODAY = date(2026, 11, 22)


@pytest.fixture
def stock(tmp_path: Path) -> Path:
    path = tmp_path / "StockEtablissement.csv"
    shutil.copy(STOCK, path)
    return path


# ------------------------------------------------------------------ stock file


def test_stock_file_answers_every_state(stock: Path) -> None:
    lookup = SireneLookup([StockFileSource(stock)])
    assert lookup.check(ACTIVE).state == "active" and lookup.check(ACTIVE).diffusible
    assert lookup.check(CLOSED).state == "closed"
    assert lookup.check(ND_ACTIVE).state == "active" and not lookup.check(ND_ACTIVE).diffusible
    assert lookup.check(ND_CLOSED).state == "closed" and not lookup.check(ND_CLOSED).diffusible
    assert lookup.check(UNLISTED).state == "not_found"
    assert lookup.check(ACTIVE).source == "stock"


def test_stock_is_indexed_once_and_again_when_the_file_changes(stock: Path) -> None:
    src = StockFileSource(stock)
    assert src.ensure_index() == 5
    assert src.index_path.exists()
    assert src.ensure_index() is None  # up to date: kept
    with stock.open("a", encoding="utf-8") as fh:
        fh.write(f"732829320,00074,{UNLISTED},O,2020-01-01,11,false,1,RUE,X,69001,LYON,69381,F,47.71Z\n")
    assert src.ensure_index() == 6
    assert StockFileSource(stock).lookup(UNLISTED) == Establishment(UNLISTED, "F", "O")


def test_stock_lookups_read_the_index_not_the_csv(stock: Path) -> None:
    src = StockFileSource(stock, stock.parent / "idx" / "sirene.sqlite3")
    (stock.parent / "idx").mkdir()
    assert src.lookup(ACTIVE) is not None
    stock.write_text("siret\n", encoding="utf-8")  # the CSV changes after the index was built
    assert src.lookup(CLOSED) == Establishment(CLOSED, "F", "O")


@pytest.mark.parametrize("kind", ["gz", "zip"])
def test_stock_reads_compressed_files(tmp_path: Path, kind: str) -> None:
    if kind == "gz":
        path = tmp_path / "StockEtablissement.csv.gz"
        path.write_bytes(gzip.compress(STOCK.read_bytes()))
    else:
        path = tmp_path / "StockEtablissement_utf8.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.write(STOCK, "StockEtablissement_utf8.csv")
    assert StockFileSource(path).lookup(ND_ACTIVE) == Establishment(ND_ACTIVE, "A", "P")


def test_unreadable_stock_is_unknown_never_a_finding(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("siret,etatAdministratifEtablissement\n" + ACTIVE + ",A\n", encoding="utf-8")
    with pytest.raises(SireneUnavailable, match="statutDiffusionEtablissement"):
        StockFileSource(bad).lookup(ACTIVE)
    lookup = SireneLookup([StockFileSource(bad), StockFileSource(tmp_path / "missing.csv")])
    assert lookup.check(ACTIVE).state == "unknown"
    cert = certify(offer_from_fixture({"title": "Vendeur H/F"}), today=TODAY, sirene=lookup)
    assert "ID-02" not in {f.id for f in cert.findings}


# ------------------------------------------------------------------ API (local server)


class _Api:
    """A local stand-in for recherche-entreprises: /search?q=<siret>."""

    def __init__(self) -> None:
        self.units: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []
        self.status = 200

    def serve(self) -> Iterator[str]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                api.requests.append(self.path)
                q = self.path.split("q=", 1)[-1]
                body = json.dumps({"results": [api.units[q]] if q in api.units else [], "total_results": 0})
                self.send_response(api.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture
def api() -> Iterator[tuple[_Api, str]]:
    fake = _Api()
    fake.units[UNLISTED] = {
        "siren": UNLISTED[:9], "statut_diffusion": "O",
        "siege": {"siret": "73282932000009", "etat_administratif": "A"},
        "matching_etablissements": [{"siret": UNLISTED, "etat_administratif": "F"}],
    }
    fake.units[ACTIVE] = {"siren": ACTIVE[:9], "statut_diffusion": "P",
                          "siege": {"siret": ACTIVE, "etat_administratif": "A"}, "matching_etablissements": []}
    for url in fake.serve():
        yield fake, url


def test_api_answers_and_caches_in_the_database(store: Store, api: tuple[_Api, str]) -> None:
    fake, url = api
    src = ApiSource(url, store, ttl=timedelta(days=30))
    assert src.lookup(UNLISTED) == Establishment(UNLISTED, "F", "O")
    assert src.lookup(ACTIVE) == Establishment(ACTIVE, "A", "P")
    assert src.lookup(CLOSED) is None  # not found is cached too
    assert len(fake.requests) == 3
    again = ApiSource(url, store, ttl=timedelta(days=30))  # a new process: the cache is in the database
    assert again.lookup(UNLISTED) == Establishment(UNLISTED, "F", "O")
    assert again.lookup(CLOSED) is None
    assert len(fake.requests) == 3 and again.requests == 0
    with store.session() as s:
        s.execute(update(SireneCache).where(SireneCache.siret == UNLISTED)
                  .values(fetched_at=datetime.now(UTC) - timedelta(days=31)))
    fake.units[UNLISTED]["matching_etablissements"][0]["etat_administratif"] = "A"
    assert again.lookup(UNLISTED) == Establishment(UNLISTED, "A", "O")  # expired: asked again
    assert len(fake.requests) == 4


def test_api_errors_are_unknown_and_not_cached(store: Store, api: tuple[_Api, str]) -> None:
    fake, url = api
    fake.status = 429
    lookup = SireneLookup([ApiSource(url, store)])
    assert lookup.check(UNLISTED).state == "unknown"
    with store.session() as s:
        assert s.get(SireneCache, UNLISTED) is None
    fake.status = 200
    assert SireneLookup([ApiSource(url, store)]).check(UNLISTED).state == "closed"


def test_api_down_is_unknown(store: Store) -> None:
    lookup = SireneLookup([ApiSource("http://127.0.0.1:9", store, timeout=2)])
    assert lookup.check(ACTIVE).state == "unknown"


def test_the_api_is_asked_when_the_stock_does_not_know(stock: Path, api: tuple[_Api, str]) -> None:
    fake, url = api
    lookup = SireneLookup([StockFileSource(stock), ApiSource(url)])
    assert lookup.check(CLOSED).source == "stock"
    assert lookup.check(UNLISTED).state == "closed" and lookup.check(UNLISTED).source == "api"
    assert len(fake.requests) == 1  # the stock answered CLOSED; UNLISTED once (memoised)


# ------------------------------------------------------------------ configuration


def test_lookup_from_settings(tmp_path: Path, stock: Path) -> None:
    assert sirene_lookup(Settings()) is None  # nothing configured: ID-02 stays silent
    settings = Settings.model_validate(
        {"base_dir": stock.parent, "certification": {"sirene": {"stock_path": stock.name, "api_url": "http://127.0.0.1:9"}}}
    )
    lookup = sirene_lookup(settings)
    assert lookup is not None
    assert [s.name for s in lookup.sources] == ["stock", "api"]
    assert lookup.check(ND_ACTIVE).state == "active"


# ------------------------------------------------------------------ the rule


def _cert(siret: str | None, lookup: SireneLookup | None, **kw: Any):
    offer = offer_from_fixture({"title": "Vendeur H/F"})
    offer.employer.siret = siret
    for k, v in kw.items():
        setattr(offer, k, v)
    return certify(offer, today=TODAY, sirene=lookup)


def _id02(cert) -> list[tuple[Severity, str | None]]:
    return [(f.severity, f.evidence) for f in cert.findings if f.id == "ID-02"]


def test_rule_rejects_closed_and_warns_not_found_or_non_diffusible(stock: Path) -> None:
    lookup = SireneLookup([StockFileSource(stock)])
    assert _id02(_cert(ACTIVE, lookup)) == []
    closed = _cert(CLOSED, lookup)
    assert _id02(closed) == [(Severity.REJECT, CLOSED)]
    assert closed.status is CertificationStatus.REJECTED
    assert _id02(_cert(UNLISTED, lookup)) == [(Severity.WARN, UNLISTED)]
    assert _id02(_cert(ND_ACTIVE, lookup)) == [(Severity.WARN, f"{ND_ACTIVE} (diffusion partielle)")]
    assert [s for s, _ in _id02(_cert(ND_CLOSED, lookup))] == [Severity.REJECT, Severity.WARN]


def test_rule_is_silent_without_lookup_invalid_siret_or_public_service(stock: Path) -> None:
    lookup = SireneLookup([StockFileSource(stock)])
    assert _id02(_cert(CLOSED, None)) == []
    assert _id02(_cert("55208131776605", lookup)) == []  # bad checksum: ID-01's business
    assert _id02(_cert(None, lookup)) == []
    assert _id02(_cert(CLOSED, lookup, public_service=True)) == []


def test_partner_override_applies(stock: Path) -> None:
    offer = offer_from_fixture({"title": "Vendeur H/F"})
    offer.employer.siret = CLOSED
    cert = certify(offer, today=TODAY, sirene=SireneLookup([StockFileSource(stock)]),
                   overrides={"ID-02:closed": "WARN"})
    assert _id02(cert) == [(Severity.WARN, CLOSED)]


# ------------------------------------------------------------------ normaliser and publisher


def _record(siret: str) -> dict[str, Any]:
    return {"title": "Vendeur en magasin H/F", "description": "Conseil et vente en magasin de sport.",
            "company": "Sport Conseil", "siret": siret, "contract": "CDI", "salary": "2 100 € brut mensuel",
            "place": "12 rue de la République, 69002 Lyon", "city": "Lyon", "postcode": "69002",
            "latitude": "45.76", "longitude": "4.83", "published": "2026-11-20T09:00:00+00:00"}


def test_normaliser_flags_non_diffusible_and_publisher_hides_the_address(stock: Path) -> None:
    ctx = NormalizerContext(classifier=RomeClassifier.default(), sirene=SireneLookup([StockFileSource(stock)]),
                            now=datetime(2026, 11, 22, tzinfo=UTC))
    hidden = normalize_record("p", "1", _record(ND_ACTIVE), ctx)
    shown = normalize_record("p", "2", _record(ACTIVE), ctx)
    assert isinstance(hidden, CanonicalOffer) and isinstance(shown, CanonicalOffer)
    assert hidden.employer.non_diffusible and not shown.employer.non_diffusible
    partner = PartnerSettings(name="board", connector="json", url="-", receives=("offers",))
    for offer, street in ((hidden, False), (shown, True)):
        cat = CatalogueOffer.model_validate({**offer.model_dump(), "id": "c1"})
        seen = visible_offer(cat, partner)
        assert ("rue de la République" in (seen.place.label or "")) is street
        assert (seen.place.latitude is not None) is street
        assert seen.place.city == "Lyon"
    closed = normalize_record("p", "3", _record(CLOSED), ctx)
    assert isinstance(closed, CanonicalOffer) and closed.status.value == "rejected"


def test_stage_uses_the_configured_stock(tmp_path: Path, stock: Path, store: Store) -> None:
    from jobgate.schema import SourceRecord
    from normalizer.stage import normalize_pending

    settings = Settings.model_validate({
        "base_dir": tmp_path,
        "partners": [{"name": "p", "connector": "json", "url": "-"}],
        "certification": {"sirene": {"stock_path": str(stock)}},
    })
    run = store.start_run("p")
    store.upsert_raw(run, [SourceRecord(partner="p", external_id=s, fields=_record(s), payload={"s": s})
                           for s in (ACTIVE, CLOSED, ND_ACTIVE)])
    normalize_pending(store, settings, classifier=RomeClassifier.default())
    from sqlalchemy import select

    from jobgate.storage.models import Offer

    with store.session() as s:
        got = {o.external_id: (o.status, o.data["employer"]["non_diffusible"]) for o in s.scalars(select(Offer))}
    assert got[CLOSED][0] == "rejected"
    assert got[ND_ACTIVE][1] is True and got[ND_ACTIVE][0] != "rejected"
    assert got[ACTIVE][1] is False


def test_place_model_has_no_street_field() -> None:
    # visible_offer hides the address by coarsening the place: the only street-level data
    # are the label and the coordinates; a new Place field would need the same treatment.
    assert set(Place.model_fields) == {"label", "city", "postcode", "insee", "departement", "region",
                                       "country", "latitude", "longitude"}
