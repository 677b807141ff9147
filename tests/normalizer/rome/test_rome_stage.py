"""The normalize stage codes each batch with ``classify_many`` and gets the same offers as
``normalize_record`` coding one record at a time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

from connectors import build_connector
from connectors.source import open_source
from jobgate.config import DEFAULT_ROME_HOLD_BELOW, PartnerSettings, RomeSettings, Settings
from jobgate.schema import CanonicalOffer, SourceRecord
from jobgate.storage import Store
from jobgate.storage.models import Offer
from normalizer.normalize import NormalizerContext, normalize_record, rome_input
from normalizer.rome import RomeClassifier, RomeInput, RomeResult
from normalizer.rome.cli import DEFAULT_HOLD_BELOW
from normalizer.stage import contexts, normalize_pending
from tests.conftest import SAMPLES

FILES = [
    ("france_travail/ft_search_resultats_2022_148offres.json", "francetravail", None),
    ("partner_xml/hellowork_feed.xml", "xml", "hellowork"),
    ("partner_xml/apec_export_offres.xml", "xml", "apec"),
    ("partner_json/decathlon_ads.json", "json", "decathlon"),
    ("rss/monster_rss_items.xml", "rss", "monster"),
]


class CountingClassifier(RomeClassifier):
    """The shipped classifier, recording the size of each ``classify_many`` call."""

    def __init__(self) -> None:
        base = RomeClassifier.default()
        super().__init__(base.model, base.referential, base.index)
        self.calls: list[int] = []

    def classify_many(
        self, offers: Iterable[RomeInput | tuple[str, str | None, str | None, str | None]]
    ) -> list[RomeResult]:
        items = list(offers)
        self.calls.append(len(items))
        return super().classify_many(items)


def _records(partner: str) -> list[SourceRecord]:
    out: list[SourceRecord] = []
    for name, kind, dialect in FILES:
        path = SAMPLES / name
        settings = PartnerSettings(name=partner, connector=kind, url=str(path), dialect=dialect)
        with open_source(str(path), partner) as stream:
            recs = [r for r in build_connector(settings).records(stream) if isinstance(r, SourceRecord)]
        out += recs
    # Half of the France Travail offers without their code, so the model codes them too;
    # two records rejected for their title (never coded).
    for i, r in enumerate(out):
        if i % 2 and r.fields.get("rome_code"):
            r.fields.pop("rome_code")
    first = out[0]
    out.append(SourceRecord(partner=partner, external_id="no-title", fields={**first.fields, "title": ""},
                            payload={"k": 1}))
    out.append(SourceRecord(partner=partner, external_id="only-dash", fields={**first.fields, "title": " - "},
                            payload={"k": 2}))
    return out


def _rome(offer: CanonicalOffer | Any) -> dict[str, Any]:
    assert isinstance(offer, CanonicalOffer)
    return offer.rome.model_dump(mode="json")


def test_stage_codes_batches_with_the_same_results(tmp_path: Path, store: Store) -> None:
    settings = Settings.model_validate(
        {"base_dir": tmp_path, "partners": [{"name": "p", "connector": "json", "url": "-"}]}
    )
    records = _records("p")
    assert sum(1 for r in records if r.fields.get("rome_code")) > 10
    run = store.start_run("p")
    store.upsert_raw(run, records)
    batched = CountingClassifier()
    normalize_pending(store, settings, classifier=batched)
    coded = [r for r in records if rome_input(r.fields) is not None]
    assert len(coded) == len(records) - 2
    # Every coded record went through one multi-offer call per store batch.
    assert sum(batched.calls) == len(coded) and max(batched.calls) > 1
    assert len(batched.calls) < len(coded)

    with store.session() as s:
        stored = {o.external_id: o for o in s.scalars(select(Offer))}
    assert set(stored) == {r.external_id for r in records}
    # Reference: one record at a time, a classifier with an empty cache.
    ctx = contexts(settings, CountingClassifier())["p"]
    methods = set()
    for r in records:
        expected = normalize_record("p", r.external_id, r.fields, ctx)
        got = stored[r.external_id]
        if not isinstance(expected, CanonicalOffer):
            assert got.status == "quarantined"
            continue
        assert got.data["rome"] == _rome(expected), r.external_id
        assert got.status == expected.status.value and got.data["status_reason"] == expected.status_reason
        methods.add(expected.rome.method)
    assert {"source", "model"} <= methods


def test_precomputed_coding_is_used_as_given() -> None:
    clf = RomeClassifier.default()
    fields = {"title": "Boulanger H/F", "description": "Fabrication du pain.", "city": "Lyon"}
    query = rome_input(fields)
    assert query == RomeInput("Boulanger", "Fabrication du pain.", None, None)
    other = clf.classify("Infirmier de bloc opératoire")
    ctx = NormalizerContext(classifier=clf)
    offer = normalize_record("p", "1", fields, ctx, other)
    assert isinstance(offer, CanonicalOffer)
    assert offer.rome.code == other.code_rome != clf.classify(*query).code_rome


def test_hold_threshold_default_has_one_source() -> None:
    clf = RomeClassifier.default()
    defaults: Sequence[float] = (
        RomeSettings().hold_below,
        NormalizerContext(classifier=clf).hold_below,
        DEFAULT_HOLD_BELOW,
    )
    assert all(d is DEFAULT_ROME_HOLD_BELOW for d in defaults)
