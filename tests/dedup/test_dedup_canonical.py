"""Survivorship of the canonical record: what one source says must not be lost."""

from __future__ import annotations

from typing import Any

from dedup.canonical import canonical_record
from jobgate.schema import CanonicalOffer, SourceRef


def _member(partner: str, ext: str, *, public: bool, siret: str | None, non_diffusible: bool) -> dict[str, Any]:
    offer = CanonicalOffer.model_validate({
        "source": {"partner": partner, "external_id": ext},
        "title": "Serveur H/F", "description": "Service en salle.",
        "employer": {"name": "Brasserie du Port", "siret": siret, "non_diffusible": non_diffusible},
        "public_service": public,
    })
    return offer.model_dump(mode="json")


def test_non_diffusible_from_any_source_survives_a_better_source_saying_false() -> None:
    best = _member("france-travail", "1", public=True, siret=None, non_diffusible=False)
    other = _member("board", "b-1", public=False, siret="73282932000074", non_diffusible=True)
    refs = [SourceRef(partner="france-travail", external_id="1"), SourceRef(partner="board", external_id="b-1")]
    out = canonical_record("jg-1", [best, other], {}, refs)
    assert out.source.partner == "france-travail"  # the public service's data wins survivorship...
    assert out.employer.non_diffusible is True  # ...but not over the establishment's opposition
    assert out.employer.siret == "73282932000074"
    plain = canonical_record("jg-1", [best, _member("board", "b-1", public=False, siret=None,
                                                     non_diffusible=False)], {}, refs)
    assert plain.employer.non_diffusible is False
