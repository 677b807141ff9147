"""Text normalisation, and the speed devices (triggers, anchors) never hiding a match."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobgate.schema import CanonicalOffer, Source
from normalizer.certification import RULES, PartnerContract, certify, normalise_text
from normalizer.certification.model import Context, scan
from normalizer.certification.testing import load_fixtures, offer_from_fixture

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "certification"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Vendeur·se", "vendeur/vendeuse"),
        ("vendeur(se)", "vendeur/vendeuse"),
        ("vendeur.euse", "vendeur/vendeuse"),
        ("Directeur·rice", "directeur/directrice"),
        ("salarié.e.s", "salaries/salariees"),
        ("technicien(ne) H/F", "technicien/technicienne h/f"),
        ("candidat(e)s", "candidats/candidates"),
        ("Âgé(e)   de\n\n 25 ans", "age/agee de\n25 ans"),
        ("Cœur’s", "coeur's"),
        ("clients.Les", "clients.les"),
        ("km/h", "km/h"),
        ("", ""),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def _fixture_offers() -> list[CanonicalOffer]:
    rows = []
    for name in ("offending", "lawful", "holdout"):
        rows += list(load_fixtures(FIXTURES / f"{name}.jsonl"))
    # The generalised patterns (branch cert) are checked on their own tuning set too.
    rows += list(load_fixtures(Path(__file__).resolve().parent / "fixtures" / "tuning_generalise.jsonl"))
    return [offer_from_fixture(r, i) for i, r in enumerate(rows)]


def test_triggers_and_anchors_never_hide_a_match() -> None:
    """Running every pattern with and without its triggers/anchors gives the same hits."""
    for offer in _fixture_offers():
        ctx = Context(offer, PartnerContract(), date(2026, 11, 22))
        for rule in RULES:
            for p in rule.patterns:
                fast = [(h.field, h.evidence) for h in scan(ctx, (p,))]
                slow = [(h.field, h.evidence) for h in scan(ctx, (p,), use_triggers=False)]
                assert fast == slow, (rule.id, p.regex.pattern[:60], offer.title)


@settings(max_examples=150, deadline=None)
@given(title=st.text(max_size=80), description=st.text(max_size=600))
def test_certify_never_crashes(title: str, description: str) -> None:
    offer = CanonicalOffer(source=Source(partner="p", external_id="1"), title=title, description=description)
    cert = certify(offer, today=date(2026, 11, 22))
    assert cert.status.value in {"certified", "warning", "rejected"}
