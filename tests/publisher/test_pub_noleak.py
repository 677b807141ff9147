"""No leak, ever: every diffusion mode through every format.

Offers are real France Travail samples into which hypothesis injects an
employer name, SIRET, e-mails, phones and URLs, also inside the title, the
description, the HTML description and other free text, in varied case, with and
without accents and legal form. Each offer goes through ``visible_offer`` and
each exporter; the identifying strings are then searched in the output bytes
(entities decoded, case and accents folded, separators collapsed) with matching
written independently of the redactor.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from publisher_samples import public_service_offers

from jobgate.config import PartnerSettings, PublisherSettings
from jobgate.schema import CatalogueOffer, Contact, Diffusion, Preselection, Visibility
from publisher import FORMATS, get_exporter, visible_offer

BASE = public_service_offers()
PARTNER = PartnerSettings(name="leaktest", connector="rss", url="x.xml", receives=("offers",))
SETTINGS = PublisherSettings(base_url="https://jobgate.example.org")
AGENCY = Contact(email="ape.94076@francetravail.fr", phone="01 49 58 00 00")
MODES = [(v, p) for v in Visibility for p in Preselection]

_LETTERS = "abcdefghijlmnoprstuvyéèêàâçôîïû"
_RARE = "kqwxz"


def _fold(s: str) -> str:
    s = s.replace("œ", "oe").replace("Œ", "OE")
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return s.casefold()


def _collapse(s: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", _fold(s))) + " "


def _strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


# A distinctive token: 5-10 letters with at least one rare letter, so it never
# occurs in feed boilerplate or in the sample texts by chance.
token = st.builds(
    lambda a, r, b: (a + r + b).capitalize(),
    st.text(_LETTERS, min_size=2, max_size=5),
    st.sampled_from(_RARE),
    st.text(_LETTERS, min_size=2, max_size=4),
)
digits9 = st.from_regex(r"[1-9][0-9]{8}", fullmatch=True).filter(lambda d: len(set(d)) >= 4)


@dataclass
class Identity:
    name: str  # with legal form
    core: str  # without legal form
    siret: str
    emails: list[str]
    phones: list[str]  # as written
    phone_digits: list[str]  # 9 significant digits
    urls: list[str]
    hosts: list[str]
    person: str


def _phone_forms(d: str) -> list[str]:
    pairs = [d[1:3], d[3:5], d[5:7], d[7:9]]
    return [
        "0" + d[0] + " " + " ".join(pairs),
        "+33 " + d[0] + " " + " ".join(pairs),
        "+33 (0)" + d[0] + " " + " ".join(pairs),
        "0" + d[0] + "." + ".".join(pairs),
        "0" + d,
        "0" + d[0] + "-" + "-".join(pairs),
        "+33" + d,
    ]


@st.composite
def identities(draw: st.DrawFn) -> Identity:
    words = draw(st.lists(token, min_size=1, max_size=3, unique_by=_fold))
    core = " ".join(words)
    form = draw(st.sampled_from(["SAS", "SARL", "S.A.S.", "EURL", "SA", ""]))
    name = f"{core} {form}".strip()
    siret = draw(digits9) + draw(st.from_regex(r"[0-9]{5}", fullmatch=True))
    slug = "-".join(_fold(w) for w in words)
    host = _strip_accents(slug) + draw(st.sampled_from([".fr", ".com", ".eu"]))
    person_first, person_last = draw(token), draw(token)
    emails = [f"recrutement@{host}", f"{_strip_accents(person_first).lower()}.rh@{host}"]
    phone_d = draw(st.lists(digits9, min_size=2, max_size=2, unique=True))
    assume(all(d != "149580000" for d in phone_d))
    phones = [draw(st.sampled_from(_phone_forms(d))) for d in phone_d]
    urls = [f"https://www.{host}/carrieres/{_fold(words[0])}", f"https://jobs.{host}/apply?id=42"]
    return Identity(
        name=name,
        core=core,
        siret=siret,
        emails=emails,
        phones=phones,
        phone_digits=phone_d,
        urls=urls,
        hosts=[host],
        person=f"Mme {person_first} {person_last}",
    )


def _variants(text: str, draw: st.DrawFn) -> str:
    how = draw(st.sampled_from(["same", "upper", "lower", "noaccent", "title", "dash"]))
    if how == "upper":
        return text.upper()
    if how == "lower":
        return text.lower()
    if how == "noaccent":
        return _strip_accents(text)
    if how == "title":
        return text.title()
    if how == "dash":
        return text.replace(" ", "-")
    return text


@st.composite
def leaky_offers(draw: st.DrawFn) -> tuple[CatalogueOffer, Identity]:
    base = draw(st.sampled_from(BASE))
    ident = draw(identities())
    visibility, preselection = draw(st.sampled_from(MODES))
    o = base.model_copy(deep=True)
    o.diffusion = Diffusion(visibility=visibility, preselection=preselection)
    o.employer.name = ident.name
    o.employer.siret = ident.siret
    o.employer.url = ident.urls[0]
    o.employer.logo = f"https://cdn.{ident.hosts[0]}/logo.png"
    o.employer.description = f"{ident.name} recrute. Écrivez à {ident.emails[0]}."
    o.employer.contact = Contact(
        name=f"{ident.name} - {ident.person}",
        email=ident.emails[1],
        phone=ident.phones[0],
        url=ident.urls[1],
    )
    n1 = _variants(draw(st.sampled_from([ident.name, ident.core])), draw)
    n2 = _variants(draw(st.sampled_from([ident.name, ident.core])), draw)
    siret_txt = draw(
        st.sampled_from(
            [
                ident.siret,
                f"{ident.siret[:3]} {ident.siret[3:6]} {ident.siret[6:9]} {ident.siret[9:]}",
                f"SIREN {ident.siret[:3]} {ident.siret[3:6]} {ident.siret[6:9]}",
                f"siren:{ident.siret[:9]}",
            ]
        )
    )
    person = _variants(ident.person, draw)
    o.title = f"{o.title} chez {n1}"
    o.description = (
        f"{n2} recrute !\n{o.description}\n"
        f"Contact : {person}, {ident.emails[0]} / {ident.emails[1].upper()} "
        f"tél. {ident.phones[0]} ou {ident.phones[1]}. Site : {ident.urls[0]} ({ident.hosts[0]}). "
        f"Société {n1} ({siret_txt})."
    )
    o.description_html = (
        f"<p><b>{html.escape(n2)}</b> recrute.</p><p>{html.escape(o.description)}</p>"
        f'<p><a href="mailto:{ident.emails[0]}">écrire</a> '
        f'<a href="{ident.urls[1]}">postuler</a> &eacute;quipe {html.escape(n1)}</p>'
    )
    o.salary.original = f"{o.salary.original or ''} selon grille {n1}"
    o.contract.original = f"{o.contract.original or 'CDI'} ({n2})"
    o.experience = f"Expérience chez {n1} appréciée"
    return o, ident


def _render(fmt: str, offer: CatalogueOffer) -> str:
    buf = io.BytesIO()
    exp = get_exporter(
        fmt,
        buf,
        partner=PARTNER,
        base_url=SETTINGS.base_url,
        title="Offres",
        updated=datetime(2026, 11, 22, tzinfo=UTC),
    )
    exp.export_offer(offer)
    exp.finish()
    text = buf.getvalue().decode("utf-8")
    for _ in range(3):  # XML escaping of HTML entities nests up to twice
        text = html.unescape(text)
    return text


def _has_number(text: str, digits: str, *, phone: bool = False) -> bool:
    """Whether ``digits`` is written in ``text`` as a number of its own, with or
    without separators (and, for a phone, with any French prefix)."""
    prefix = r"(?:(?:\+|00)33\s?(?:\(0\)\s?)?|0)" if phone else ""
    rx = r"(?<!\d)(?<!\d\.)" + prefix + r"[\s.\-]?".join(digits) + r"(?![\d])"
    return re.search(rx, text) is not None


def _leaks(out: str, ident: Identity, *, identity: bool, contact: bool) -> list[str]:
    found: list[str] = []
    flat = _collapse(out)
    folded = _fold(out)
    if identity:
        if _collapse(ident.core) in flat:
            found.append(f"name {ident.core!r}")
        if _has_number(out, ident.siret) or _has_number(out, ident.siret[:9]):
            found.append(f"SIREN/SIRET {ident.siret}")
        for host in ident.hosts:
            if _fold(host) in folded or _collapse(host) in flat:
                found.append(f"website {host}")
    if contact:
        for e in ident.emails:
            if _fold(e) in folded:
                found.append(f"e-mail {e}")
        for d in ident.phone_digits:
            if _has_number(out, d, phone=True):
                found.append(f"phone {d}")
        for u in ident.urls:
            if _fold(u) in folded:
                found.append(f"url {u}")
        person = ident.person.split(" ", 1)[1]
        if _collapse(person) in flat:
            found.append(f"contact person {person!r}")
        if _has_number(out, ident.siret) or _has_number(out, ident.siret[:9]):
            found.append(f"SIRET {ident.siret}")
    return found


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=leaky_offers())
def test_no_identifying_string_leaks(fmt: str, case: tuple[CatalogueOffer, Identity]) -> None:
    offer, ident = case
    vis = visible_offer(offer, PARTNER, settings=SETTINGS, agency=AGENCY)
    out = _render(fmt, vis)
    anonyme = offer.diffusion.visibility is Visibility.ANONYME
    hidden = offer.diffusion.visibility is not Visibility.NOMINATIF or (
        offer.diffusion.preselection is not Preselection.AUCUNE
    )
    leaks = _leaks(out, ident, identity=anonyme, contact=hidden)
    assert not leaks, f"{fmt} {offer.diffusion}: leaked {leaks}\n{out[:3000]}"
    if hidden:
        # Candidates are sent to the counsellor: the agency channel is there.
        assert AGENCY.email and AGENCY.email in out
    if not anonyme:
        assert _collapse(ident.core) in _collapse(out), "the employer name must be shown"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=leaky_offers())
def test_nominatif_without_preselection_shows_name_and_contact(
    fmt: str, case: tuple[CatalogueOffer, Identity]
) -> None:
    offer, ident = case
    offer.diffusion = Diffusion(visibility=Visibility.NOMINATIF, preselection=Preselection.AUCUNE)
    out = _render(fmt, visible_offer(offer, PARTNER, settings=SETTINGS, agency=AGENCY))
    assert _collapse(ident.core) in _collapse(out)
    assert ident.emails[1] in out  # the contact e-mail
    assert ident.phones[0] in out  # the contact phone, as written
    assert ident.emails[0] in out  # untouched free text


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_real_anonymous_offer_keeps_no_identity(fmt: str) -> None:
    """Real samples with an employer name, published as legacy code C."""
    for base in BASE[:40]:
        if not base.employer.name:
            continue
        o = base.model_copy(deep=True)
        o.diffusion = Diffusion(
            visibility=Visibility.ANONYME, preselection=Preselection.VERIFICATION
        )
        o.description = f"{o.employer.name.lower()} recrute. {o.description}"
        out = _render(fmt, visible_offer(o, PARTNER, settings=SETTINGS, agency=AGENCY))
        assert _collapse(o.employer.name) not in _collapse(out), (fmt, o.employer.name)
        contact = base.employer.contact
        if contact and contact.name:
            person = contact.name.split(" - ")[-1]
            assert _collapse(person) not in _collapse(out), (fmt, person)
