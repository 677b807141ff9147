"""From a connector's mapped record to a canonical offer, or a typed rejection.

Pure: every lookup (ROME classifier, thresholds, dates) comes in through
:class:`NormalizerContext`; nothing here touches the store or the network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from jobgate.config import DEFAULT_ROME_HOLD_BELOW
from jobgate.schema import (
    CanonicalOffer,
    Certification,
    CertificationStatus,
    Contact,
    Dates,
    Employer,
    OfferStatus,
    Rejection,
    Rome,
    Source,
)
from normalizer.certification import PartnerContract, certify
from normalizer.certification.rules_identity import siret_digits
from normalizer.fields import (
    clean_title,
    description_texts,
    parse_contract,
    parse_date,
    parse_place,
    parse_salary,
    parse_working_time,
    repair_text,
    split_title_place,
)
from normalizer.rome import RomeClassifier, RomeInput, RomeResult
from normalizer.sirene import SireneLookup
from publisher import diffusion_of

_SIRET_CHARS = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class NormalizerContext:
    """What normalisation needs besides the record."""

    classifier: RomeClassifier
    hold_below: float = DEFAULT_ROME_HOLD_BELOW
    overrides: Mapping[str, str] = field(default_factory=dict)
    contract: PartnerContract = field(default_factory=PartnerContract)
    hold_on_warn: bool = False
    public_service_partners: frozenset[str] = frozenset()
    now: datetime | None = None
    #: SIRENE lookup for ID-02 (``None``: not configured, the check says nothing).
    sirene: SireneLookup | None = None


def _text(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if v)
    text = repair_text(str(value)).strip()
    return text or None


#: Memo of the description's plain text and sanitised HTML by its source text: the same
#: description comes back with re-fetched offers and from several boards. Bounded
#: (cleared when full); short texts are not memoised.
_BODY_MEMO: dict[str, tuple[str, str | None]] = {}
_BODY_MEMO_SIZE = 8192


def clear_text_memos() -> None:
    """Forget every memoised text result of the normaliser (for benchmarks): repaired
    texts, descriptions, certification's normalised texts, word sets and scan hits."""
    from normalizer.certification import model as cert_model
    from normalizer.certification import text as cert_text
    from normalizer.fields import text as fields_text

    for memo in (
        _BODY_MEMO,
        fields_text._REPAIR_MEMO,
        cert_text._NORM_MEMO,
        cert_text._TOKENS_MEMO,
        cert_model._SCAN_MEMO,
    ):
        memo.clear()


def _body_texts(body: str) -> tuple[str, str | None]:
    """Plain text and safe HTML of a (repaired) description."""
    if not body:
        return body, None
    hit = _BODY_MEMO.get(body)
    if hit is not None:
        return hit
    out = description_texts(body)
    if len(body) >= 200:
        if len(_BODY_MEMO) >= _BODY_MEMO_SIZE:
            _BODY_MEMO.clear()
        _BODY_MEMO[body] = out
    return out


def _titles(fields: Mapping[str, Any]) -> tuple[str | None, str, str | None]:
    """Original title, cleaned title (place split off when no place field), place from it."""
    title_original = _text(fields, "title")
    if not title_original:
        return None, "", None
    title = clean_title(title_original)
    has_place = any(fields.get(k) for k in ("place", "city", "postcode", "insee", "departement"))
    if has_place:
        return title_original, title, None
    title, place_from_title = split_title_place(title)
    return title_original, title, place_from_title


def _description_texts(fields: Mapping[str, Any]) -> tuple[str, str | None]:
    body = "\n\n".join(t for t in (_text(fields, "description"), _text(fields, "profile")) if t)
    return _body_texts(body)


def _rome_input(title: str, description: str, fields: Mapping[str, Any]) -> RomeInput:
    return RomeInput(title, description[:2000] or None, _text(fields, "naf"), _text(fields, "rome_code"))


def rome_input(fields: Mapping[str, Any]) -> RomeInput | None:
    """What :func:`normalize_record` gives the ROME classifier for a record (``None``
    when the record is rejected for its title before being coded)."""
    _, title, _ = _titles(fields)
    return _rome_input(title, _description_texts(fields)[0], fields) if title else None


def _float(fields: Mapping[str, Any], name: str) -> float | None:
    value = fields.get(name)
    if value in (None, ""):
        return None
    try:
        return float(str(value).replace(",", ".").strip())
    except ValueError:
        return None


def normalize_record(
    partner: str,
    external_id: str,
    fields: Mapping[str, Any],
    ctx: NormalizerContext,
    rome_result: RomeResult | None = None,
) -> CanonicalOffer | Rejection:
    """Normalise one record; a :class:`Rejection` names the field at fault.

    ``rome_result``: the record's ROME coding when the caller already classified it
    (``ctx.classifier.classify_many`` over :func:`rome_input` of a batch); computed
    here otherwise.
    """

    def reject(reason: str, field_name: str | None = None) -> Rejection:
        return Rejection(partner=partner, external_id=external_id, reason=reason, field=field_name)

    title_original, title, place_from_title = _titles(fields)
    if not title_original:
        return reject("missing title", "title")
    if not title:
        return reject("title is empty once cleaned", "title")

    description, description_html = _description_texts(fields)

    dates: dict[str, datetime | None] = {}
    for name in ("published", "updated", "expires"):
        try:
            dates[name] = parse_date(fields.get(name)) if fields.get(name) not in (None, "") else None
        except ValueError as exc:
            return reject(str(exc), name)

    lat, lon = _float(fields, "latitude"), _float(fields, "longitude")
    geoloc = fields.get("geoloc")
    if lat is None and isinstance(geoloc, str) and "," in geoloc:
        try:
            lat, lon = (float(x) for x in geoloc.split(",", 1))
        except ValueError:
            lat = lon = None
    place = parse_place(
        _text(fields, "place") or place_from_title,
        city=_text(fields, "city"),
        postcode=_text(fields, "postcode"),
        insee=_text(fields, "insee"),
        departement=_text(fields, "departement"),
        region=_text(fields, "region"),
        country=_text(fields, "country"),
        latitude=lat,
        longitude=lon,
    )

    try:
        diffusion = diffusion_of(fields)
    except ValueError as exc:
        return reject(str(exc), "diffusion")

    origin = _text(fields, "origin")
    public_service = origin == "1" or partner in ctx.public_service_partners
    siret = _text(fields, "siret")
    contact = Contact(
        name=_text(fields, "contact_name"),
        email=_text(fields, "contact_email"),
        phone=_text(fields, "contact_phone"),
        url=_text(fields, "contact_url"),
    )
    agency = Contact(
        name="Conseiller France Travail" if public_service else None,
        email=_text(fields, "agency_email"),
        phone=_text(fields, "agency_phone"),
    )
    employer = Employer(
        name=_text(fields, "company"),
        siret=_SIRET_CHARS.sub("", siret) if siret else None,
        naf=_text(fields, "naf"),
        description=_text(fields, "company_description"),
        url=_text(fields, "company_url"),
        logo=_text(fields, "logo"),
        contact=contact if any(contact.model_dump().values()) else None,
    )
    carried = fields.get("carried_by") or []
    if rome_result is None:
        rome_result = ctx.classifier.classify(*_rome_input(title, description, fields))
    rome = Rome(
        code=rome_result.code_rome,
        fiche=rome_result.code_fiche,
        ogr=rome_result.code_ogr,
        appellation=rome_result.appellation,
        score=round(rome_result.score, 4),
        method=rome_result.method,
        alternatives=[
            {"code": a.code_rome, "fiche": a.code_fiche, "score": round(a.score, 4)}
            for a in rome_result.alternatives
        ],
    )
    offer = CanonicalOffer(
        source=Source(partner=partner, external_id=external_id, url=_text(fields, "url")),
        title=title,
        title_original=title_original,
        description=description,
        description_html=description_html,
        employer=employer,
        place=place,
        contract=parse_contract(
            _text(fields, "contract"), _text(fields, "contract_duration"), nature=_text(fields, "contract_nature")
        ),
        working_time=parse_working_time(
            _text(fields, "working_time"), _text(fields, "working_time_converted")
        ),
        salary=parse_salary(
            _text(fields, "salary"),
            min_value=_float(fields, "salary_min"),
            max_value=_float(fields, "salary_max"),
            period=_text(fields, "salary_period"),
            currency=_text(fields, "salary_currency"),
        ),
        experience=_text(fields, "experience"),
        qualification=_text(fields, "qualification"),
        rome=rome,
        dates=Dates(**dates),
        diffusion=diffusion,
        origin=origin,
        public_service=public_service,
        carried_by=[str(c) for c in carried] if isinstance(carried, list) else [str(carried)],
    )
    if public_service:
        # Under preselection candidates apply through the counsellor, never the recruiter.
        agency.url = offer.source.url
        offer.counsellor = agency
    offer.certification = certify(offer, overrides=ctx.overrides, contract=ctx.contract, sirene=ctx.sirene)
    if ctx.sirene is not None and not public_service:
        valid_siret = siret_digits(employer.siret)
        if valid_siret is not None:
            # Whatever severity the partner gives ID-02, a non-diffusible establishment's
            # address is never published (the publisher reads this flag).
            answer = ctx.sirene.check(valid_siret)
            offer.employer.non_diffusible = answer.state in ("active", "closed") and not answer.diffusible
    offer.status, offer.status_reason = decide_status(offer, ctx)
    return offer


def decide_status(offer: CanonicalOffer, ctx: NormalizerContext) -> tuple[OfferStatus, str | None]:
    """Status from certification, ROME confidence and expiry."""
    cert: Certification = offer.certification
    if cert.status is CertificationStatus.REJECTED:
        ids = ", ".join(sorted({f.id for f in cert.findings if f.severity.value == "REJECT"}))
        return OfferStatus.REJECTED, f"certification: {ids}"
    now = ctx.now or datetime.now(UTC)
    if offer.dates.expires and offer.dates.expires < now:
        return OfferStatus.CLOSED, "expired"
    if offer.rome.code is None or offer.rome.score < ctx.hold_below:
        return OfferStatus.HELD, (
            f"ROME confidence {offer.rome.score:.2f} below {ctx.hold_below:.2f}"
            + (f" (best guess {offer.rome.code})" if offer.rome.code else "")
        )
    if cert.status is CertificationStatus.WARNING and ctx.hold_on_warn:
        ids = ", ".join(sorted({f.id for f in cert.findings if f.severity.value == "WARN"}))
        return OfferStatus.HELD, f"certification warnings: {ids}"
    return OfferStatus.PUBLISHED, None
