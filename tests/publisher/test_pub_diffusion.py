"""Diffusion modes, visible_offer rules and eligibility, one rule per test."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies

from jobgate.config import PartnerSettings, PublisherSettings
from jobgate.errors import ConfigError
from jobgate.schema import (
    CatalogueOffer,
    CertificationStatus,
    Contact,
    ContractType,
    Diffusion,
    Finding,
    HistoryEntry,
    OfferStatus,
    Preselection,
    Severity,
    SourceRef,
    Visibility,
)
from publisher import diffusion_of, eligible, visible_offer
from publisher.diffusion import COUNSELLOR_NAME
from publisher.redact import _PHONE_RE, _SIRET_RE, PHONE_PATTERN, SIRET_PATTERN, Redactor

V, P = Visibility, Preselection


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"visibility": "nominatif", "preselection": "aucune"}, (V.NOMINATIF, P.AUCUNE)),
        (
            {"visibility": "Visibilité", "preselection": "Vérification"},
            (V.VISIBILITE, P.VERIFICATION),
        ),
        ({"visibility": "ANONYME", "preselection": "évaluation"}, (V.ANONYME, P.EVALUATION)),
        (
            {"visibility": "nominatif", "preselection": "valorisation"},
            (V.NOMINATIF, P.VALORISATION),
        ),
        ({"diffusion_code": "A"}, (V.NOMINATIF, P.AUCUNE)),
        ({"diffusion_code": "c"}, (V.ANONYME, P.VERIFICATION)),
        # Disagreeing fields: the most restrictive of each axis.
        ({"diffusion_code": "A", "visibility": "anonyme"}, (V.ANONYME, P.AUCUNE)),
        (
            {"diffusion_code": "C", "visibility": "nominatif", "preselection": "aucune"},
            (V.ANONYME, P.VERIFICATION),
        ),
        # No diffusion field: derived conservatively.
        ({"company": "ACME", "contact_email": "a@acme.fr"}, (V.NOMINATIF, P.AUCUNE)),
        ({"company": "ACME"}, (V.VISIBILITE, P.AUCUNE)),
        ({"company": "  ", "contact_email": "a@acme.fr"}, (V.ANONYME, P.AUCUNE)),
        ({}, (V.ANONYME, P.AUCUNE)),
        (
            {"company": "ACME", "agency_email": "ape@francetravail.fr"},
            (V.VISIBILITE, P.VERIFICATION),
        ),
        # Unknown values: most restrictive.
        ({"visibility": "semi", "preselection": "aucune"}, (V.ANONYME, P.AUCUNE)),
        ({"visibility": "nominatif", "preselection": "peut-être"}, (V.NOMINATIF, P.EVALUATION)),
        ({"diffusion_code": "Z"}, (V.ANONYME, P.EVALUATION)),
    ],
)
def test_diffusion_of(fields: dict[str, str], expected: tuple[Visibility, Preselection]) -> None:
    d = diffusion_of(fields)
    assert (d.visibility, d.preselection) == expected


@pytest.mark.parametrize(
    "fields",
    [{"visibility": "semi"}, {"preselection": "peut-être"}, {"diffusion_code": "Z"}],
)
def test_diffusion_of_strict_names_the_value(fields: dict[str, str]) -> None:
    value = next(iter(fields.values()))
    with pytest.raises(ValueError, match=value):
        diffusion_of(fields, strict=True)


def _offer(base: CatalogueOffer, v: Visibility, p: Preselection) -> CatalogueOffer:
    o = base.model_copy(deep=True)
    o.diffusion = Diffusion(visibility=v, preselection=p)
    o.employer.name = "Boulangerie Dupré SARL"
    o.employer.siret = "73282932000074"
    o.employer.url = "https://www.dupre-pains.fr"
    o.employer.logo = "https://cdn.dupre-pains.fr/logo.png"
    o.employer.description = "Maison fondée en 1920."
    o.employer.contact = Contact(
        name="Boulangerie Dupré - Mme Zoé Kerval",
        email="zoe@dupre-pains.fr",
        phone="06 12 34 56 78",
        url="https://www.dupre-pains.fr/postuler",
    )
    o.place.label = "12 rue des Lilas, 94800 Villejuif"
    o.description = "La BOULANGERIE DUPRE recrute. Appelez Zoé Kerval au 0612345678."
    o.certification.findings = [Finding(id="ID-01", severity=Severity.INFO, message="Dupré")]
    return o


def test_nominatif_aucune_shows_everything(
    ft_public_offers: list[CatalogueOffer], pub_partner: PartnerSettings
) -> None:
    o = _offer(ft_public_offers[0], V.NOMINATIF, P.AUCUNE)
    v = visible_offer(o, pub_partner)
    assert v.employer.name == o.employer.name and v.employer.siret == o.employer.siret
    assert v.employer.contact == o.employer.contact
    assert v.description == o.description
    assert v.certification.findings == []  # internal, never sent
    assert v is not o and v.employer is not o.employer


def test_visibilite_shows_name_only(
    ft_public_offers: list[CatalogueOffer], pub_partner: PartnerSettings, pub_agency: Contact
) -> None:
    o = _offer(ft_public_offers[0], V.VISIBILITE, P.AUCUNE)
    v = visible_offer(o, pub_partner, agency=pub_agency)
    assert v.employer.name == "Boulangerie Dupré SARL"
    assert v.employer.siret is None and v.employer.url is None
    assert v.employer.contact == Contact(
        name=COUNSELLOR_NAME, email=pub_agency.email, phone=pub_agency.phone, url=o.source.url
    )
    assert "BOULANGERIE DUPRE" in v.description  # the name may be shown
    assert "0612345678" not in v.description and "Kerval" not in v.description


def test_anonyme_removes_identity_everywhere(
    ft_public_offers: list[CatalogueOffer], pub_partner: PartnerSettings
) -> None:
    o = _offer(ft_public_offers[0], V.ANONYME, P.AUCUNE)
    v = visible_offer(o, pub_partner)
    e = v.employer
    assert (e.name, e.siret, e.url, e.logo, e.description) == (None, None, None, None, None)
    assert e.naf == o.employer.naf  # a sector, allowed
    assert "DUPRE" not in v.description.upper()
    assert v.place.latitude is None and v.place.longitude is None
    assert v.place.label == f"{o.place.departement} - {o.place.city}"  # no street
    assert v.place.city == o.place.city and v.place.postcode == o.place.postcode
    assert e.contact is not None and e.contact.url == o.source.url  # public-service page
    # The input is untouched.
    assert o.employer.name == "Boulangerie Dupré SARL" and o.place.latitude is not None


@pytest.mark.parametrize("v", list(Visibility))
@pytest.mark.parametrize("p", [P.VERIFICATION, P.VALORISATION, P.EVALUATION])
def test_preselection_never_shows_direct_contact(
    ft_public_offers: list[CatalogueOffer],
    pub_partner: PartnerSettings,
    v: Visibility,
    p: Preselection,
) -> None:
    o = _offer(ft_public_offers[0], v, p)
    out = visible_offer(o, pub_partner)
    c = out.employer.contact
    assert c is not None
    assert c.email is None and c.phone is None  # no agency given
    assert c.url == o.source.url
    assert "0612345678" not in out.description and "Kerval" not in out.description


def test_partner_offer_channel_is_jobgate_page(
    ft_public_offers: list[CatalogueOffer], pub_partner: PartnerSettings
) -> None:
    o = _offer(ft_public_offers[0], V.ANONYME, P.AUCUNE)
    o.public_service = False
    o.source.url = "https://www.meteojob.com/offre/boulangerie-dupre-vendeur-123"
    s = PublisherSettings(base_url="https://jobgate.example.org/")
    v = visible_offer(o, pub_partner, settings=s)
    assert v.source.url is None  # the URL carries the name
    assert v.employer.contact is not None
    assert v.employer.contact.url == f"https://jobgate.example.org/offers/{o.id}"
    assert v.employer.contact.name is None


def test_sources_keep_origin_and_recipient_only(
    ft_public_offers: list[CatalogueOffer], pub_partner: PartnerSettings
) -> None:
    o = ft_public_offers[0].model_copy(deep=True)
    o.sources += [
        SourceRef(partner="hellowork", external_id="hw-1"),
        SourceRef(partner=pub_partner.name, external_id="rd-1"),
    ]
    o.history = [HistoryEntry(at=o.dates.published, event="collected")]  # type: ignore[arg-type]
    v = visible_offer(o, pub_partner)
    assert [s.partner for s in v.sources] == ["francetravail", pub_partner.name]
    assert v.history == []


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Tél : +33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("tel 06.12.34.56.78.", "06.12.34.56.78"),
        ("+33 (0)1 23 45 67 89", "+33 (0)1 23 45 67 89"),
        ("écrire à rh [at] acme.fr", "acme"),
        ("voir www.acme.fr/jobs", "www.acme.fr/jobs"),
        ("SIRET 732 829 320 00074", "732 829 320"),
        ("Les Établissements ACMÉ (s.a.s.)", "ACMÉ"),
    ],
)
def test_redactor_masks(text: str, masked: str) -> None:
    r = Redactor(names=["Etablissements Acme SAS"], contacts=True, numbers=True)
    out = r.text(text)
    assert out is not None and masked not in out


def test_redactor_keeps_public_service_and_html_structure() -> None:
    r = Redactor(names=["Acme"], contacts=True, numbers=True, keep_phones=["149580000"])
    t = "Postulez sur https://candidat.francetravail.fr/offres/1 ou ape@francetravail.fr, 01 49 58 00 00"
    assert r.text(t) == t
    h = '<p>Chez <b>ACME</b> &eacute;quipe &amp; co <a href="https://acme.fr">site</a></p>'
    out = r.html(h)
    assert out == "<p>Chez <b>[…]</b> &eacute;quipe &amp; co site</a></p>"


def _elig(o: CatalogueOffer, partner: PartnerSettings, **kw: object) -> bool:
    return eligible(o, partner, PublisherSettings(**kw))  # type: ignore[arg-type]


def test_eligible_rules(
    ft_public_offers: list[CatalogueOffer], pub_partner: PartnerSettings
) -> None:
    o = ft_public_offers[0].model_copy(deep=True)
    assert _elig(o, pub_partner)
    rejected = o.model_copy(deep=True)
    rejected.certification.status = CertificationStatus.REJECTED
    assert not _elig(rejected, pub_partner)  # SYN-01
    warn = o.model_copy(deep=True)
    warn.certification.status = CertificationStatus.WARNING
    assert _elig(warn, pub_partner)
    for st in (OfferStatus.HELD, OfferStatus.CLOSED, OfferStatus.REJECTED, OfferStatus.QUARANTINED):
        assert not _elig(o.model_copy(update={"status": st}), pub_partner)
    partner_offer = o.model_copy(update={"public_service": False, "origin": "2"})
    assert not _elig(partner_offer, pub_partner)
    assert _elig(partner_offer, pub_partner, resyndicate_partner_offers=True)
    echo = o.model_copy(deep=True)
    echo.sources.append(SourceRef(partner=pub_partner.name, external_id="x"))
    assert not _elig(echo, pub_partner)
    mute = pub_partner.model_copy(update={"receives": ("cvs",)})
    assert not _elig(o, mute)


@pytest.mark.parametrize(
    ("filters", "ok"),
    [
        ({"rome": ["M18"]}, True),
        ({"rome": ["m"]}, True),
        ({"rome": ["M1811", "K2204"]}, True),
        ({"rome": ["K"]}, False),
        ({"departement": ["94"]}, True),
        ({"departement": ["75", "2A"]}, False),
        ({"contract": ["CDI"]}, True),
        ({"contract": ["MIS", "CDD"]}, False),
        ({"region": ["Île-de-France"]}, True),
        ({"region": ["bretagne"]}, False),
        ({"rome": []}, True),
        ({"rome": ["M18"], "contract": ["CDD"]}, False),
    ],
)
def test_partner_filters(
    ft_public_offers: list[CatalogueOffer],
    pub_partner: PartnerSettings,
    filters: dict[str, list[str]],
    ok: bool,
) -> None:
    o = ft_public_offers[0].model_copy(deep=True)
    o.rome.code = "M1811"
    o.place.departement = None
    o.place.postcode = "94800"
    o.place.region = "Ile de France"
    o.contract.type = ContractType.CDI
    partner = pub_partner.model_copy(update={"filters": filters})
    assert eligible(o, partner) is ok


def test_unknown_filter_is_a_config_error(
    ft_public_offers: list[CatalogueOffer], pub_partner: PartnerSettings
) -> None:
    partner = pub_partner.model_copy(update={"filters": {"romes": ["M"]}})
    with pytest.raises(ConfigError, match="romes"):
        eligible(ft_public_offers[0], partner)


@settings(max_examples=3000, deadline=None)
@given(strategies.text(alphabet="0123456789 +.-/()a3\u00e9_", max_size=40))
def test_fast_phone_and_siret_patterns_match_their_readable_forms(text: str) -> None:
    # The compiled patterns are rewritten for speed; they must find exactly what
    # the readable patterns find, on every string (digits, separators, prefixes).
    for fast, readable in ((_PHONE_RE, PHONE_PATTERN), (_SIRET_RE, SIRET_PATTERN)):
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in re.finditer(readable, text)]
