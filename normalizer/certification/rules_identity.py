"""A and B of certification.md: employer identity, place of work, dates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from jobgate.schema import ContractType, Severity, Visibility

from .model import Context, Hit, Rule, Scope, pattern, scan, text_detector

__all__ = ["RULES"]

R, W, INF = Severity.REJECT, Severity.WARN, Severity.INFO

#: SIRETs that pass the checksum but are placeholders.
DUMMY_SIRETS = frozenset({"00000000000000", "12345678901234", "11111111111111", "99999999999999"})
_DIGITS = re.compile(r"\D")


def _siret(ctx: Context) -> Iterator[Hit]:
    raw = ctx.offer.employer.siret
    value = _DIGITS.sub("", raw or "")
    if not value:
        if ctx.contract.siret_required:
            yield Hit("employer.siret", None, R, "missing", "SIRET manquant alors que le contrat partenaire l'exige.")
        else:
            yield Hit("employer.siret", None, INF, "missing", "SIRET absent : identité de l'employeur non vérifiable.")
        return
    if value in DUMMY_SIRETS or len(set(value)) == 1:
        yield Hit("employer.siret", raw, R, "dummy", "SIRET fictif (valeur de remplissage).")
    elif len(value) == 9 and stdnum_siren.is_valid(value):
        yield Hit("employer.siret", raw, W, "siren_only", "SIREN (9 chiffres) fourni à la place du SIRET de l'établissement.")
    elif not stdnum_siret.is_valid(value):
        yield Hit("employer.siret", raw, R, "invalid", "SIRET invalide (14 chiffres, clé de Luhn).")


def siret_digits(raw: str | None) -> str | None:
    """The SIRET as 14 digits when it is a valid one, else ``None``."""
    value = _DIGITS.sub("", raw or "")
    if len(value) != 14 or value in DUMMY_SIRETS or not stdnum_siret.is_valid(value):
        return None
    return value


def _establishment(ctx: Context) -> Iterator[Hit]:
    # Only a valid SIRET is looked up (ID-01 reports the others); without a source the
    # answer is "unknown" and nothing is said: never reject for data we cannot check.
    if ctx.sirene is None:
        return
    siret = siret_digits(ctx.offer.employer.siret)
    if siret is None:
        return
    answer = ctx.sirene.check(siret)
    if answer.state == "closed":
        yield Hit("employer.siret", siret, R, "closed", "Établissement fermé dans SIRENE (état administratif F).")
    elif answer.state == "not_found":
        yield Hit("employer.siret", siret, W, "not_found", "SIRET introuvable dans SIRENE.")
    if answer.state in ("active", "closed") and not answer.diffusible:
        yield Hit("employer.siret", f"{siret} (diffusion partielle)", W, "non_diffusible",
                  "Établissement non diffusible dans SIRENE : son adresse ne sera pas publiée.")


def _name_or_anonymous(ctx: Context) -> Iterator[Hit]:
    emp = ctx.offer.employer
    if (emp.name or "").strip():
        return
    if ctx.offer.diffusion.visibility is Visibility.ANONYME:
        return
    yield Hit("employer.name", None)


_ETT_WORDS = re.compile(r"\b(interim|interimaire|travail temporaire|ett|agence d'emploi|mission d'interim)\b")


def _temp_agency(ctx: Context) -> Iterator[Hit]:
    naf = (ctx.offer.employer.naf or "").replace(".", "").upper()
    if not (naf.startswith("7820") or ctx.contract.temp_agency):
        return
    if ctx.contract_type in (ContractType.INTERIM, ContractType.CDI_INTERIM):
        disclosed = True  # the contract type itself shows it is a temp agency mission
    else:
        disclosed = _ETT_WORDS.search(ctx.all_text) is not None or _ETT_WORDS.search(
            (ctx.offer.contract.original or "").lower()
        ) is not None
    name = (ctx.offer.employer.name or "").strip()
    if not name and ctx.offer.diffusion.visibility is not Visibility.ANONYME:
        yield Hit("employer.name", naf or None, message="Agence d'intérim sans nom d'agence.")
    elif not disclosed:
        if ctx.contract_type in (ContractType.CDI, ContractType.CDD, ContractType.SAISONNIER, ContractType.APPRENTISSAGE,
                                 ContractType.PROFESSIONNALISATION, ContractType.INSERTION):
            # Not a temporary-work offer: the agency recruits as a placement agency (or
            # for itself); L5332-3 is about temporary work, so this is for review only.
            yield Hit("description", naf or None, W, "placement", "Agence d'emploi (NAF 78.20) : qualité d'ETT non mentionnée (recrutement hors intérim).")
        else:
            yield Hit("description", naf or None, message="Offre d'une agence d'intérim sans mention de sa qualité d'ETT.")


_POSTCODE = re.compile(r"^(?:(?:0[1-9]|[1-8]\d|9[0-5])\d{3}|97[1-8]\d{2})$")
_INSEE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|2[ab])\d{3}$|^97[1-6]\d{2}$", re.I)


def _dept_of_postcode(pc: str) -> str:
    return pc[:3] if pc.startswith("97") else ("20" if pc.startswith("20") else pc[:2])


def _dept_of_insee(code: str) -> str:
    c = code.upper()
    return c[:3] if c.startswith("97") else ("20" if c[:2] in ("2A", "2B", "20") else c[:2])


def _place(ctx: Context) -> Iterator[Hit]:
    p = ctx.offer.place
    if p.country not in (None, "", "FR", "FRA", "France"):
        return  # abroad: no French place format to check
    pc = (p.postcode or "").strip().replace(" ", "")
    insee = (p.insee or "").strip()
    has_any = any((p.label, p.city, pc, insee, p.departement, p.latitude is not None))
    if not has_any:
        yield Hit("place", None, message="Lieu de travail absent.")
        return
    other = bool(p.city or p.label or p.latitude is not None)
    if pc and not _POSTCODE.match(pc):
        if pc.startswith("99") or pc.startswith("98"):
            yield Hit("place.postcode", pc, W, "abroad", "Code de lieu hors France métropolitaine et DROM (99xxx/98xxx).")
        elif other or (insee and _INSEE.match(insee)):
            yield Hit("place.postcode", pc, W, "invalid_postcode", "Code postal invalide (lieu donné par ailleurs).")
        else:
            yield Hit("place.postcode", pc, message="Code postal invalide.")
    if insee and not _INSEE.match(insee):
        if other or (pc and _POSTCODE.match(pc)):
            yield Hit("place.insee", insee, W, "invalid_insee", "Code commune INSEE invalide (lieu donné par ailleurs).")
        else:
            yield Hit("place.insee", insee, message="Code commune INSEE invalide.")
    if (
        pc and insee and _POSTCODE.match(pc) and _INSEE.match(insee)
        and _dept_of_postcode(pc) != _dept_of_insee(insee)
    ):
        yield Hit("place", f"{pc} / {insee}", W, "inconsistent", "Code postal et code INSEE de départements différents.")


def _dated(ctx: Context) -> Iterator[Hit]:
    published = ctx.offer.dates.published
    if published is None:
        if ctx.contract.dated_by_feed:
            yield Hit("dates.published", None, message="Offre non datée.")
        else:
            yield Hit("dates.published", None, W, "stamped", "Date de publication absente du flux.")
        return
    if published.date() > ctx.today + timedelta(days=1):
        yield Hit("dates.published", published.isoformat(), message="Date de publication dans le futur.")


def _fresh(ctx: Context) -> Iterator[Hit]:
    d = ctx.offer.dates
    last = max((x for x in (d.published, d.updated) if isinstance(x, datetime)), default=None)
    if last is not None and (ctx.today - last.date()).days > ctx.contract.max_age_days:
        yield Hit("dates.updated", last.date().isoformat(), message=f"Offre non actualisée depuis plus de {ctx.contract.max_age_days} jours.")
    if d.expires is not None and d.expires.date() < ctx.today:
        yield Hit("dates.expires", d.expires.date().isoformat(), message="Date de clôture dépassée.")


_COURSE = (
    pattern(r"\b(financement|financable|financee?|eligible|via (le|votre)|grace a (votre|ton)|avec (votre|ton)) (au |par le |par votre )?cpf\b|\bcpf\b.{0,40}\b(financ|eligible)", "cpf"),
    pattern(r"\b(apres|a l'issue de|suite a) (notre|une|la|cette) formation (certifiante|payante|qualifiante|diplomante)?.{0,40}\b(poste|emploi|embauche|cdi)", "formation"),
    pattern(r"\bformation (payante|a vos frais|a financer|a la charge du candidat)", "formation"),
)
_ROME_REVIEW = frozenset({"K2202", "G1605", "I1201", "L1102", "N4104"})


def _training_body(ctx: Context) -> Iterator[Hit]:
    naf = (ctx.offer.employer.naf or "").replace(".", "")
    if naf.startswith("85") and any(True for _ in scan(ctx, _COURSE)):
        yield Hit("employer.naf", ctx.offer.employer.naf, message="Organisme de formation proposant une formation présentée comme une offre.")
    if (ctx.offer.rome.code or "") in _ROME_REVIEW:
        yield Hit("rome.code", ctx.offer.rome.code, INF, "rome_review", "Code ROME sur la liste de revue de La bonne alternance.")


RULES: tuple[Rule, ...] = (
    Rule("ID-01", R, "L5332-2, L5331-3", "SIRET de l'employeur manquant, fictif ou invalide.", _siret, Scope.STRUCTURE, ("employer.siret",)),
    Rule("ID-02", R, "L5331-3", "Établissement fermé, introuvable ou non diffusible dans SIRENE.", _establishment, Scope.STRUCTURE, ("employer.siret",)),
    Rule("ID-03", R, "L5332-2, L5332-4", "Ni nom d'employeur affiché ni anonymat déclaré.", _name_or_anonymous, Scope.STRUCTURE, ("employer.name",)),
    Rule("ID-04", R, "L5332-3", "Agence de travail temporaire non identifiée comme telle.", _temp_agency, Scope.STRUCTURE, ("employer.naf", "description")),
    Rule("ID-05", W, "L5331-3, L5331-5", "Employeur du secteur de la formation : offre à vérifier (formation déguisée ?).", _training_body, Scope.STRUCTURE, ("employer.naf", "rome.code")),
    Rule("ID-06", R, "L5331-3", "Lieu de travail absent ou invalide.", _place, Scope.STRUCTURE, ("place",)),
    Rule("FORM-01", R, "L5332-1", "Offre non datée ou datée dans le futur.", _dated, Scope.STRUCTURE, ("dates.published",)),
    Rule("FORM-02", W, "L5331-3", "Offre périmée (disponibilité effective non garantie).", _fresh, Scope.STRUCTURE, ("dates",)),
    Rule("FEE-06", W, "L5331-3, L5331-5", "Formation présentée comme une offre d'emploi.", text_detector(*_COURSE)),
)
