"""Which catalogue offers go to which partner.

:func:`eligible` is the one gate before :func:`~publisher.diffusion.visible_offer`:
it applies the syndication rules (SYN-01: only certified or warning offers,
never rejected ones; only published offers; the public service's own offers
unless partner offers are explicitly re-syndicated; never back to a board that
already carries it) and the partner's own ``filters``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from jobgate.config import PartnerSettings, PublisherSettings
from jobgate.errors import ConfigError
from jobgate.schema import CatalogueOffer, CertificationStatus, ContractType, OfferStatus
from publisher.redact import fold

__all__ = ["FILTER_KEYS", "eligible", "matches_filters"]

#: Filter keys a partner may declare under ``filters``.
FILTER_KEYS = ("rome", "region", "departement", "contract")

#: France Travail ``typeContrat`` codes accepted in ``filters.contract``.
_FT_CONTRACT_CODES: dict[str, str] = {
    "MIS": ContractType.INTERIM.value,
    "SAI": ContractType.SAISONNIER.value,
    "DIN": ContractType.CDI_INTERIM.value,
    "LIB": ContractType.INDEPENDANT.value,
    "FRA": ContractType.INDEPENDANT.value,
    "CCE": ContractType.INDEPENDANT.value,
    "REP": ContractType.INDEPENDANT.value,
    "DDI": ContractType.INSERTION.value,
    "TTI": ContractType.INSERTION.value,
}
_SENDABLE = (CertificationStatus.CERTIFIED, CertificationStatus.WARNING)


def _departement(offer: CatalogueOffer) -> str | None:
    dep = (offer.place.departement or "").strip().upper()
    if dep:
        m = re.match(r"^(\d{2,3}|2[AB])(?!\w)", dep)
        return _norm_dep(m.group(1) if m else dep)
    pc = (offer.place.postcode or "").strip()
    if re.fullmatch(r"\d{5}", pc):
        if pc.startswith("97"):
            return pc[:3]
        if pc.startswith("20"):
            return "2A" if int(pc) < 20200 else "2B"
        return pc[:2]
    return None


def _norm_dep(value: str) -> str:
    v = value.strip().upper()
    if v.isdigit():
        return v.lstrip("0").rjust(2, "0")
    return v if re.fullmatch(r"2[AB]", v) else fold(v)


def matches_filters(
    offer: CatalogueOffer, filters: Mapping[str, Sequence[str]], *, partner: str = "?"
) -> bool:
    """Whether ``offer`` passes a partner's ``filters`` (all keys must match).

    Keys: ``rome`` (main ROME codes or prefixes: ``"M"``, ``"M18"``,
    ``"M1805"``; the offer's main code or fiche code must start with one),
    ``region`` (names, case/accent-insensitive), ``departement`` (codes such as
    ``"75"``, ``"2A"``, ``"971"``; derived from the postcode when the place has
    none), ``contract`` (:class:`~jobgate.schema.ContractType` values or France
    Travail codes such as ``MIS``). An empty list means no constraint. An offer
    lacking the filtered field does not match.

    Raises:
        ConfigError: a key is not one of :data:`FILTER_KEYS` (a typo must not
            silently send everything).
    """
    for key, wanted in filters.items():
        if key not in FILTER_KEYS:
            raise ConfigError(
                f"partner {partner!r}: unknown publisher filter {key!r} "
                f"(expected one of {', '.join(FILTER_KEYS)})"
            )
        if not wanted:
            continue
        if key == "rome":
            codes = [c for c in (offer.rome.code, offer.rome.fiche) if c]
            prefixes = [w.strip().upper() for w in wanted]
            if not any(c.upper().startswith(p) for c in codes for p in prefixes):
                return False
        elif key == "region":
            region = fold(offer.place.region or "").replace("-", " ").strip()
            if not region or region not in {fold(w).replace("-", " ").strip() for w in wanted}:
                return False
        elif key == "departement":
            dep = _departement(offer)
            if dep is None or dep not in {_norm_dep(w) for w in wanted}:
                return False
        elif key == "contract":
            ctype = offer.contract.type.value if offer.contract.type else None
            allowed = {_FT_CONTRACT_CODES.get(w.strip().upper(), w.strip().upper()) for w in wanted}
            if ctype is None or ctype not in allowed:
                return False
    return True


def eligible(
    offer: CatalogueOffer,
    partner: PartnerSettings,
    settings: PublisherSettings | None = None,
    *,
    now: datetime | None = None,
) -> bool:
    """Whether ``offer`` may be sent to ``partner`` now.

    True only when every rule holds:

    * the partner receives offers (``"offers" in partner.receives``) and is enabled;
    * the offer is published (not held, rejected, quarantined or closed);
    * certification is ``certified`` or ``warning``, never ``rejected`` (SYN-01);
    * the offer is the public service's own (``public_service``), or
      ``settings.resyndicate_partner_offers`` is set;
    * the partner is not already a source of the offer (no echo back);
    * ``now`` (when given) is before the offer's expiry;
    * the partner's ``filters`` match (:func:`matches_filters`).

    The 30-day publication window and ``max_offers`` depend on delivery history
    and are the publish stage's job, not this function's.

    Raises:
        ConfigError: the partner declares an unknown filter key.
    """
    settings = settings or PublisherSettings()
    if not partner.enabled or "offers" not in partner.receives:
        return False
    if offer.status is not OfferStatus.PUBLISHED:
        return False
    if offer.certification.status not in _SENDABLE:
        return False
    if not offer.public_service and not settings.resyndicate_partner_offers:
        return False
    if partner.name == offer.source.partner or any(
        s.partner == partner.name for s in offer.sources
    ):
        return False
    if now is not None and offer.dates.expires is not None and offer.dates.expires <= now:
        return False
    return matches_filters(offer, partner.filters, partner=partner.name)
