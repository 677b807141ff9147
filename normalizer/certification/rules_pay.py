"""Pay and working time: TRUE-02 (SMIC), PAY-01 (no pay stated), TRUE-03 (working time)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from jobgate.schema import ContractType, Severity

from .model import Context, Hit, Rule, matches, pattern, scan
from .wages import LEGAL_HOURS_PER_MONTH, Minimum, gratification, smic

__all__ = ["RULES", "hourly_equivalent"]

R, W, INF = Severity.REJECT, Severity.WARN, Severity.INFO

#: Net-to-gross estimate for a non-executive employee (certification.md: net ÷ ~0.78).
NET_TO_GROSS = 0.78
#: Rounding tolerance before a value counts as under the minimum (1 801 € for 1 801,80 €).
TOLERANCE = 0.005
LEGAL_HOURS_PER_YEAR = 1607.0

_NET = re.compile(r"\bnet(s|te)?\b")
_MINOR = re.compile(r"\b(mineur|mineure|mineurs|moins de 18 ans|16 ans|17 ans|16-17 ans|abattement)\b")
_APPRENTICE_PAY = re.compile(r"\b(apprenti\w*|alternan\w*|professionnalisation|contrat pro|% du smic|pourcentage du smic)\b")


def hourly_equivalent(ctx: Context) -> tuple[float, str, bool] | None:
    """Gross hourly equivalent of the structured minimum pay.

    Returns ``(euros_per_hour, explanation, certain)``; ``certain`` is False when the
    hours behind a monthly/yearly/daily figure are unknown or the amount is net.
    """
    s = ctx.offer.salary
    wt = ctx.offer.working_time
    amount, period = s.min, (s.period or "").lower()
    if amount is None and s.yearly_min is not None:
        amount, period = s.yearly_min, "year"
    if amount is None or amount <= 0:
        return None
    hours = wt.hours_per_week
    known_hours = hours is not None and 1 <= hours <= 60
    full_time = wt.full_time is True
    certain = True
    if period in ("hour", "h", "horaire"):
        hourly = amount
    elif period in ("month", "mois", "mensuel"):
        hourly = amount / (hours * 52 / 12 if known_hours and hours else LEGAL_HOURS_PER_MONTH)
        certain = known_hours or full_time
    elif period in ("year", "an", "annuel"):
        hourly = amount / (hours * 52 if known_hours and hours else LEGAL_HOURS_PER_YEAR)
        certain = known_hours or full_time
    elif period in ("week", "semaine"):
        hourly = amount / (hours if known_hours and hours else 35.0)
        certain = known_hours or full_time
    elif period in ("day", "jour"):
        hourly, certain = amount / 7.0, False
    else:
        return None
    how = f"{amount:g} €/{period or '?'}"
    if _NET.search((s.original or "").lower()):
        hourly, certain, how = hourly / NET_TO_GROSS, False, how + " net"
    return hourly, how, certain


_TEXT_HOURLY = pattern(
    r"(\d{1,2}(?:[.,]\d{1,2})?) ?(?:€|e|eur|euros?) ?(bruts?|nets?)? ?(?:de l'heure|par heure|l'heure|/ ?h(?:eure)?\b|de l'h\b|brut de l'heure|net de l'heure|brut/h|net/h|bruts? horaires?|nets? horaires?|horaires? bruts?)",
    "heure h horaire horaires",
    anchors="heure|/h|/ h|l'h|horaire",
    reach=45,
)
_TEXT_MONTHLY = pattern(
    r"(\d{3}|\d[ .]?\d{3})(?:[.,]\d{1,2})? ?(?:€|e|eur|euros?) ?(bruts?|nets?)? ?(?:par mois|/ ?mois|mensuels?|bruts? mensuels?|nets? mensuels?|bruts? par mois|nets? par mois)\b",
    "mois mensuel mensuels",
    anchors="mois|mensuel",
    reach=45,
)
_FULL_TIME = re.compile(r"\b(temps plein|35 ?h|35 heures|temps complet|plein temps|151[.,]67)\b")


def _smic(ctx: Context) -> Iterator[Hit]:
    if ctx.contract_type is ContractType.INDEPENDANT:
        return
    when = ctx.published
    p = ctx.offer.place
    mayotte = (p.postcode or "").startswith("976") or (p.insee or "").startswith("976")
    floor = smic(when, mayotte=mayotte)
    if floor is None:
        return
    candidates: list[tuple[float, str, bool, str]] = []
    got = hourly_equivalent(ctx)
    if got is not None:
        candidates.append((*got, "salary"))
    structured_ok = got is not None and got[0] >= floor.hourly * (1 - TOLERANCE)
    for hourly, how, certain, field in _scan_amounts(ctx):
        # A text amount contradicting a lawful structured salary is for review, not a reject.
        candidates.append((hourly, how, certain and not structured_ok, field))
    low = [c for c in candidates if 1 <= c[0] < floor.hourly * (1 - TOLERANCE)]
    if not low:
        return
    intern = ctx.internship
    apprentice = ctx.apprenticeship and (
        ctx.contract_type in (ContractType.APPRENTISSAGE, ContractType.PROFESSIONNALISATION)
        or _APPRENTICE_PAY.search(ctx.texts["title"] + "\n" + ctx.texts["salary"]) is not None
    )
    minor = _MINOR.search(ctx.all_text) is not None
    for hourly, how, certain, field in low:
        yield from _judge(ctx, hourly, how, certain, field, floor, intern, apprentice, minor)


_NOT_BASE_PAY = re.compile(
    r"(prime|primes|indemnite|indemnites|majoration|majore|majoree|panier|bonus|supplement|ticket|tickets|titre|"
    r"mutuelle|frais|remboursement|participation|avantage|avantages|variable|commission|commissions|interessement|"
    r"heures? sup\w*|astreinte|forfait|\+|plus|jusqu'a|loyer|location|cotisation|abonnement|dotation|budget|chiffre)"
    r"[^.\n]{0,30}$"
)
_WAGE_CONTEXT = re.compile(r"(salaire|remuneration|remunere|remuneree|paye|payee|taux horaire|smic|brut|base)[^.\n]{0,30}$")


def _after_number(text: str, start: int) -> bool:
    """True when the amount found at ``start`` is the tail of a longer number."""
    return start > 0 and (text[start - 1].isdigit() or (text[start - 1] in ".," and start > 1 and text[start - 2].isdigit()))


def _scan_amounts(ctx: Context) -> Iterator[tuple[float, str, bool, str]]:
    """Hourly and monthly amounts written in the text (not the structured salary).

    Bonuses and allowances ("prime de 1,53 €/h", "panier 8 €") are skipped; a monthly
    amount in the text is never certain (hours and whether it is base pay are unknown),
    an hourly one is when it is stated gross or in a wage context.
    """
    wt = ctx.offer.working_time
    hours = min(wt.hours_per_week, 35.0) if wt.hours_per_week else 35.0
    month_hours = hours * 52 / 12
    s = ctx.offer.salary
    names = ("description",) if s.min is not None or s.yearly_min is not None else ("description", "salary")
    for name in names:
        text = ctx.texts[name]
        if not text:
            continue
        if not _TEXT_HOURLY.triggers.isdisjoint(ctx.words):
            for m in matches(_TEXT_HOURLY, text):
                if _after_number(text, m.start()):
                    continue
                value = float(m.group(1).replace(",", "."))
                left = text[max(0, m.start() - 40) : m.start()]
                if value < 5 or _NOT_BASE_PAY.search(left):
                    continue
                net = (m.group(2) or "").startswith("net")
                certain = not net and ("brut" in m.group(0) or _WAGE_CONTEXT.search(left) is not None)
                yield (value / NET_TO_GROSS if net else value, m.group(0), certain, name)
        if not _TEXT_MONTHLY.triggers.isdisjoint(ctx.words):
            for m in matches(_TEXT_MONTHLY, text):
                if _after_number(text, m.start()):
                    continue
                value = float(re.sub(r"[ .]", "", m.group(1)))
                left = text[max(0, m.start() - 40) : m.start()]
                if value < 0.5 * LEGAL_HOURS_PER_MONTH * 11 or _NOT_BASE_PAY.search(left):
                    continue
                net = (m.group(2) or "").startswith("net")
                hourly = value / month_hours
                around = text[max(0, m.start() - 60) : m.end() + 40]
                certain = not net and _FULL_TIME.search(around) is not None and (
                    "brut" in m.group(0) or _WAGE_CONTEXT.search(left) is not None
                )
                yield (hourly / NET_TO_GROSS if net else hourly, m.group(0), certain, name)


def _judge(
    ctx: Context, hourly: float, how: str, certain: bool, field: str,
    floor: Minimum, intern: bool, apprentice: bool, minor: bool,
) -> Iterator[Hit]:
    if hourly < 1:
        return  # not a wage (a percentage, a parsing slip)
    if intern:
        g = gratification(ctx.published)
        if g is not None and hourly < g.hourly * (1 - TOLERANCE):
            yield Hit(field, how, W, "intern", f"Gratification de stage inférieure au minimum {g.label}.")
        return
    if hourly >= floor.hourly * (1 - TOLERANCE):
        return
    evidence = f"{how} ≈ {hourly:.2f} €/h brut < SMIC {floor.label}"
    if apprentice:
        yield Hit(field, evidence, INF, "apprentice", "Rémunération d'apprenti ou d'alternant sous le SMIC (pourcentage légal, non vérifié).")
    elif minor:
        yield Hit(field, evidence, INF, "minor", "Rémunération sous le SMIC : abattement possible pour un mineur (D3231-3).")
    elif certain and ctx.salaried:
        yield Hit(field, evidence, message="Rémunération inférieure au SMIC.")
    else:
        yield Hit(field, evidence, W, "uncertain", "Rémunération peut-être inférieure au SMIC (base horaire ou brut/net inconnus).")


_ANY_AMOUNT = re.compile(r"\d[\d .,]*\s?(€|e\b|eur\b|euros?\b|k€|k\b|ke\b)")


def _no_salary(ctx: Context) -> Iterator[Hit]:
    s = ctx.offer.salary
    if s.min is not None or s.max is not None or s.yearly_min is not None:
        return
    if _ANY_AMOUNT.search(ctx.texts["salary"]):
        return
    desc = ctx.texts["description"]
    if next(matches(_TEXT_HOURLY, desc), None) or next(matches(_TEXT_MONTHLY, desc), None):
        return
    yield Hit("salary", ctx.texts["salary"][:80] or None)


WORKTIME = (
    pattern(r"\b(4[9]|[5-9]\d) ?(h|heures)(/| par | a la |/ la )?semaines?\b", "semaine semaines", anchors="semaine"),
    pattern(r"\b(journees?|jours?|postes?|shifts?|services?) de (1[3-9]|2\d) ?(h|heures)\b", "h heures", anchors="de 1|de 2", reach=25),
    pattern(r"\b(journees?|jours?|postes?|shifts?|services?) de (1[12]) ?(h|heures)\b", "h heures", anchors="de 1", reach=25, severity=INF, variant="long_days"),
    pattern(r"\bcdd (de |d'une duree de )?(19|2\d|3\d) mois\b", "cdd"),
)


def _worktime(ctx: Context) -> Iterator[Hit]:
    hw = ctx.offer.working_time.hours_per_week
    if hw is not None and hw > 48:
        yield Hit("working_time", f"{hw:g} h/semaine", message="Durée hebdomadaire au-delà de 48 h.")
    d = ctx.offer.contract.duration_months
    if ctx.contract_type is ContractType.CDD and d is not None and d > 18:
        yield Hit("contract", f"CDD {d:g} mois", message="CDD au-delà de 18 mois.")
    for hit in scan(ctx, WORKTIME):
        if "cdd" in (hit.evidence or "") and (ctx.apprenticeship or "senior" in ctx.all_text or "objet defini" in ctx.all_text):
            continue
        yield hit


_worktime.patterns = WORKTIME  # type: ignore[attr-defined]
_smic.patterns = (_TEXT_HOURLY, _TEXT_MONTHLY)  # type: ignore[attr-defined]

RULES: tuple[Rule, ...] = (
    Rule("TRUE-02", R, "L3231-2, L5331-3", "Rémunération inférieure au minimum légal.", _smic, fields=("salary", "description")),
    Rule("PAY-01", W, "Directive (UE) 2023/970 art. 5 (transposition pending)", "Aucune rémunération indiquée.", _no_salary, fields=("salary",)),
    Rule("TRUE-03", W, "L3121-18, L3121-20, L1242-8, L5331-3", "Durée du travail ou du contrat au-delà des maximums légaux.", _worktime, fields=("working_time", "contract", "description")),
)
