"""Salary: amounts, period and gross yearly equivalents from free text or structured fields."""

from __future__ import annotations

import re

from jobgate.schema import Salary

from ._common import fold, to_float
from .text import repair_text

__all__ = ["parse_salary"]

#: Multipliers from a period to a gross yearly amount.
HOURS_PER_MONTH = 151.67  # 35 h/week x 52 weeks / 12 months (French legal monthly hours)
YEARLY_FACTOR: dict[str, float] = {
    "hour": HOURS_PER_MONTH * 12,
    "day": 218.0,  # working days in a year for a "forfait jours" contract
    "week": 52.0,
    "year": 1.0,
    # "month" uses the stated number of monthly payments (12 unless "sur 13 mois")
}

#: Period names partners use in structured fields (folded) -> our period.
PERIODS: dict[str, str] = {
    "hour": "hour", "hourly": "hour", "per hour": "hour", "h": "hour", "heure": "hour",
    "horaire": "hour", "taux horaire": "hour",
    "day": "day", "daily": "day", "per day": "day", "jour": "day", "journalier": "day",
    "jours": "day", "tjm": "day",
    "week": "week", "weekly": "week", "semaine": "week", "hebdomadaire": "week",
    "month": "month", "monthly": "month", "per month": "month", "mois": "month",
    "mensuel": "month", "mensuelle": "month",
    "year": "year", "yearly": "year", "annual": "year", "per year": "year", "annum": "year",
    "an": "year", "annee": "year", "annuel": "year", "annuelle": "year", "yr": "year",
}

#: Currency words and symbols (folded or raw) -> ISO 4217.
CURRENCIES: dict[str, str] = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "£": "GBP", "gbp": "GBP", "chf": "CHF", "francs suisses": "CHF",
}

# Values a stated period cannot plausibly have (gross, EUR): outside these bounds the
# period is re-derived from the magnitude. France Travail has many "Mensuel de 32000.0
# Euros" (a yearly figure typed in the monthly field) and a few "Horaire de 1852.95".
_PLAUSIBLE: dict[str, tuple[float, float]] = {
    "hour": (1.0, 200.0),
    "day": (20.0, 5000.0),
    "week": (50.0, 10000.0),
    "month": (30.0, 15000.0),
    "year": (1000.0, 10_000_000.0),
}

_FT = re.compile(
    r"^\s*(horaire|mensuel|annuel|hebdomadaire|journalier)\s+de\s+(\d+(?:[.,]\d+)?)\s*euros?"
    r"(?:\s*(?:à|a|-|\?)?\s*(\d+(?:[.,]\d+)?)\s*euros?)?"
    r"(?:\s+sur\s+(\d+(?:[.,]\d+)?)\s*mois)?",
    re.IGNORECASE,
)
_FT_PERIOD = {"horaire": "hour", "mensuel": "month", "annuel": "year",
              "hebdomadaire": "week", "journalier": "day"}

_MONTHS_COUNT = re.compile(r"(?:\bsur|\bx|\*)\s*(\d{1,2}(?:[.,]\d+)?)\s*(?:mois|months?)\b")
# An amount: "35 000", "35.000", "1710,00", "2917.0", "35K", "11,88"; the lookahead
# rejects numbers that are not money ("35h", "13e mois", "80%", "2 ans", "bac+2").
_AMOUNT = re.compile(
    r"(?<![\w.,+/])(\d{1,3}(?:,\d{3})+(?=\.\d)|\d{1,3}(?:[ .\u00a0\u202f]\d{3})+|\d+)"
    r"(?:[.,](\d{1,2}))?(?!\d)\s*(k(?![a-z])|m€)?"
    r"(?!\s*(?:%|h\b|h\d|heures?\b|mois\b|months?\b|ans?\b|annees?\b|années?\b|years?\b|jours?\b"
    r"|semaines?\b|x\b|salari|personnes?\b|postes?\b|km\b|ml\b|cv\b|min\b))",
    re.IGNORECASE,
)
# An ordinal right after a small number ("13e mois", "13ème") is not an amount; after a
# larger one "e" stands for euros ("1800e net").
_ORDINAL = re.compile(r"\s*(?:e|er|ème|eme|è)\b", re.IGNORECASE)
_MONTH_NAMES = (r"(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre"
                r"|octobre|novembre|décembre|decembre)")
# Numbers that are not pay: collective agreements ("CCN 66", "convention du 15.03.1966",
# "IDCC 1285"), grid positions ("coefficient 240", "niveau 3") and dates.
_NOT_MONEY = re.compile(
    r"\b(?:ccnt?|ccu|cc|idcc|iddc|convention(?:\s+collective)?(?:\s+nationale)?|annexe|article"
    r"|niveau|coef(?:ficient)?|indice|[ée]chelon|cat[ée]gorie|groupe|position|classe)"
    r"\s*(?:n°|no|:|du|de|d')?\s*\d+(?:[./]\d+)*"
    rf"(?:\s+{_MONTH_NAMES}(?:\s+\d{{2,4}})?)?"
    r"|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b"
    rf"|\b\d{{1,2}}(?:er)?\s+{_MONTH_NAMES}(?:\s+\d{{2,4}})?|\b{_MONTH_NAMES}\s+\d{{4}}",
    re.IGNORECASE,
)
_BETWEEN_NOISE = re.compile(
    r"[\s€$£/.,()]|\beur(?:os?)?\b|\bbruts?\b|\bnets?\b|\bk\b|\bpar\b|\bmois\b|\ban\b|\bans\b"
    r"|\bmensuel(?:le)?s?\b|\bannuel(?:le)?s?\b|\bhoraires?\b|\bde\b|\bl heure\b|\bheure\b"
    r"|\bbrut annuel\b|\bh\b|\bper\b|\byear\b|\bmonth\b|\bhour\b|\bgross\b|\bsalaire\b",
    re.IGNORECASE,
)
_RANGE_WORDS = frozenset({"", "-", "à", "a", "to", "et", "au", "?", "~", "--", "ou", "and"})
_FROM = re.compile(r"(?:à partir de|a partir de|\bdès\b|\bdes\b|\bminimum\b|\bmini\b|\bmin\b"
                   r"|\bfrom\b|\bstarting\b|\bau moins\b|\bplancher\b|>=?)\s*:?\s*$", re.I)
_UP_TO = re.compile(r"(?:jusqu'? ?à|jusqu a|\bmaximum\b|\bmax\b|\bup to\b|\bplafond\b|<=?)\s*:?\s*$",
                    re.I)
_PERIOD_WORDS: list[tuple[str, re.Pattern[str]]] = [
    ("hour", re.compile(r"horaire|/\s*h\b|/\s*heure|de l'heure|de l heure|par heure|\bheure\b"
                        r"|hourly|per hour|\bhr\b|€\s*h\b|brut h\b", re.I)),
    ("day", re.compile(r"journalier|/\s*j(?:our)?\b|par jour|\bjour\b|daily|per day|\btjm\b", re.I)),
    ("week", re.compile(r"hebdo|par semaine|/\s*semaine|weekly|per week", re.I)),
    ("month", re.compile(r"mensuel|par mois|/\s*mois|\bmois\b|monthly|per month|/\s*m\b"
                         r"|brut/mois", re.I)),
    ("year", re.compile(r"annuel|/\s*an\b|par an\b|\ban\b|\bannée|\bannee|yearly|annual|per year"
                        r"|per annum|\bp\.?a\.?\b|/\s*year|\bk\s*€|\bk\s*eur|\bke\b", re.I)),
]
_CURRENCY = re.compile(r"€|\beur(?:os?)?\b|\$|\busd\b|£|\bgbp\b|\bchf\b", re.I)


def _to_float(text: str) -> float:
    return float(text.replace(",", "."))


def _period_from_magnitude(value: float) -> str:
    # No period given: below 100 it is an hourly rate, below 10,000 a monthly salary,
    # otherwise a yearly one (the common ranges of French gross pay).
    if value < 100:
        return "hour"
    if value < 10000:
        return "month"
    return "year"


def _check_period(period: str, value: float) -> str:
    low, high = _PLAUSIBLE.get(period, (0.0, float("inf")))
    return period if low <= value < high else _period_from_magnitude(value)


def _period_from_text(text: str, after: int) -> str | None:
    best: tuple[int, str] | None = None
    fallback: tuple[int, str] | None = None
    for period, pattern in _PERIOD_WORDS:
        for match in pattern.finditer(text):
            if match.start() >= after:
                if best is None or match.start() < best[0]:
                    best = (match.start(), period)
                break
            if fallback is None or match.start() < fallback[0]:
                fallback = (match.start(), period)
    chosen = best or fallback
    return chosen[1] if chosen else None


def _currency(text: str) -> str | None:
    match = _CURRENCY.search(text)
    if not match:
        return None
    token = match.group(0).lower()
    return CURRENCIES.get(token, CURRENCIES.get(token.rstrip("s")))


def _amounts(text: str) -> tuple[float | None, float | None, int]:
    """Min and max amounts read from free text, and the position after the first one."""
    found: list[tuple[float, bool, int, int]] = []
    for match in _AMOUNT.finditer(text):
        whole = re.sub(r"[ .,\u00a0\u202f]", "", match.group(1))
        value = float(whole + ("." + match.group(2) if match.group(2) else ""))
        if (value <= 20 and not match.group(2) and not match.group(3)
                and _ORDINAL.match(text, match.end())):
            continue
        suffix = (match.group(3) or "").lower()
        if suffix == "m€":
            value *= 1_000_000
        elif suffix == "k":
            value *= 1000
        if value > 0:
            found.append((value, bool(suffix), match.start(), match.end()))
        if len(found) == 2:
            break
    if not found:
        return None, None, 0
    first, first_k, start, end = found[0]
    prefix = text[max(0, start - 20):start]
    second: float | None = None
    if len(found) == 2:
        between = _BETWEEN_NOISE.sub("", text[end:found[1][2]]).strip().lower()
        if between in _RANGE_WORDS:
            second, second_k = found[1][0], found[1][1]
            # "18 - 22 k€", "entre 30 et 35K": the multiplier applies to both bounds.
            if second_k and not first_k and first < 1000:
                first *= 1000
            elif first_k and not second_k and second < 1000:
                second *= 1000
    if second is None:
        if _FROM.search(prefix):
            return first, None, end
        if _UP_TO.search(prefix):
            return None, first, end
        return first, first, end
    low, high = sorted((first, second))
    return low, high, end


def _positive(value: object) -> float | None:
    number = to_float(value)
    return number if number is not None and number > 0 else None


def parse_salary(
    text: str | None,
    *,
    min_value: object = None,
    max_value: object = None,
    period: str | None = None,
    currency: str | None = None,
) -> Salary:
    """Parse a salary into amounts, a period and gross yearly equivalents.

    Reads France Travail labels ("Mensuel de 1710,00 Euros à 1900,00 Euros sur 12
    mois", "Horaire de 12,00 Euros"), free text ("35K€ - 45K€ /an", "35 000 - 45 000 €
    par an", "11,88 €/h", "à partir de 2000€ brut mensuel") and structured fields
    (``min_value``/``max_value``/``period``/``currency``, e.g. Jooble's
    ``salary{min,max,currency,rate}``), which win over the text for the amounts.

    A single amount gives ``min == max``; "à partir de X" gives only ``min`` and
    "jusqu'à X" only ``max``. The period comes from ``period``, else the text, else the
    magnitude (below 100: hourly, below 10,000: monthly, else yearly); a stated period
    whose value is implausible (a "monthly" 32,000 €) is re-derived the same way.
    Yearly equivalents: hour x 151.67 x 12, day x 218, week x 52, month x the stated
    number of monthly payments ("sur 13 mois") or 12, year x 1.

    Args:
        text: salary text (``None`` when only structured fields exist).
        min_value: structured minimum (number or text).
        max_value: structured maximum (number or text).
        period: structured period ("hour", "Horaire", "month", "yearly"…).
        currency: structured currency ("EUR", "euro", "€"…).

    Returns:
        The salary; amounts are None when nothing could be read, ``original`` keeps the
        text. Never raises on bad text.
    """
    original = text.strip() if text and text.strip() else None
    cleaned = repair_text(original) if original else ""
    low = _positive(min_value)
    high = _positive(max_value)
    stated = PERIODS.get(fold(period)) if period else None
    months = 12.0
    after = 0

    ft = _FT.match(cleaned) if cleaned else None
    if ft:
        stated = stated or _FT_PERIOD[ft.group(1).lower()]
        if low is None and high is None:
            low = _to_float(ft.group(2))
            high = _to_float(ft.group(3)) if ft.group(3) else low
        if ft.group(4):
            months = _to_float(ft.group(4))
    elif cleaned:
        lowered = cleaned.lower().replace("–", "-").replace("—", "-")
        count = _MONTHS_COUNT.search(lowered)
        if count:
            months = _to_float(count.group(1))
            lowered = lowered[:count.start()] + " " + lowered[count.end():]
        text_low, text_high, after = _amounts(_NOT_MONEY.sub(" ", lowered))
        if low is None and high is None:
            low, high = text_low, text_high
        if stated is None and (low is not None or high is not None):
            stated = _period_from_text(lowered, after)
    if low is not None and high is not None and low > high:
        low, high = high, low

    reference = low if low is not None else high
    result_period: str | None = None
    if reference is not None:
        result_period = _check_period(stated, reference) if stated else _period_from_magnitude(
            reference)
    # "sur 13 mois" counts monthly payments a year (12 to 16 with bonuses); other
    # values ("sur 1 mois", "sur 24 mois") describe the contract length: use 12.
    if not 12 <= months <= 16:
        months = 12.0

    cur = None
    if currency:
        cur = CURRENCIES.get(currency.strip().lower()) or CURRENCIES.get(fold(currency))
        if cur is None and len(currency.strip()) == 3 and currency.strip().isalpha():
            cur = currency.strip().upper()
    if cur is None and cleaned:
        cur = _currency(cleaned)

    factor = None
    if result_period == "month":
        factor = months
    elif result_period is not None:
        factor = YEARLY_FACTOR[result_period]
    return Salary(
        min=low,
        max=high,
        period=result_period,
        currency=cur or "EUR",
        yearly_min=round(low * factor, 2) if low is not None and factor else None,
        yearly_max=round(high * factor, 2) if high is not None and factor else None,
        original=original,
    )
