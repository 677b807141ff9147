"""Contract type and duration, from France Travail codes and partner labels."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jobgate.schema import Contract, ContractType

from ._common import fold, to_float
from .text import repair_text

__all__ = ["parse_contract"]

#: France Travail ``typeContrat`` codes (referential typesContrats).
FT_CODES: dict[str, ContractType] = {
    "CDI": ContractType.CDI,
    "CDD": ContractType.CDD,
    "MIS": ContractType.INTERIM,  # mission intérimaire
    "SAI": ContractType.SAISONNIER,
    "LIB": ContractType.INDEPENDANT,  # profession libérale
    "FRA": ContractType.INDEPENDANT,  # franchise
    "CCE": ContractType.INDEPENDANT,  # profession commerciale
    "REP": ContractType.INDEPENDANT,  # reprise d'entreprise
    "DIN": ContractType.CDI_INTERIM,
    "DDI": ContractType.INSERTION,  # CDD d'insertion
    "TTI": ContractType.INSERTION,  # travail temporaire d'insertion
}

#: France Travail ``natureContrat`` labels that override the contract type (folded).
NATURE_OVERRIDES: dict[str, ContractType] = {
    "contrat apprentissage": ContractType.APPRENTISSAGE,
    "contrat d apprentissage": ContractType.APPRENTISSAGE,
    "cont professionnalisation": ContractType.PROFESSIONNALISATION,
    "contrat de professionnalisation": ContractType.PROFESSIONNALISATION,
    "contrat professionnalisation": ContractType.PROFESSIONNALISATION,
    "e2": ContractType.APPRENTISSAGE,  # natureContrat search codes
    "fs": ContractType.PROFESSIONNALISATION,
}

#: Exact folded labels (jobtype enumerations of Indeed-style feeds, ATS codes, FT labels).
EXACT_LABELS: dict[str, ContractType | None] = {
    "cdi": ContractType.CDI,
    "cdd": ContractType.CDD,
    "permanent": ContractType.CDI,
    "interim": ContractType.INTERIM,
    "temporary": ContractType.INTERIM,
    "temp": ContractType.INTERIM,
    "contract": ContractType.CDD,  # Indeed "contract": fixed-term employment
    "contractor": ContractType.INDEPENDANT,
    "freelance": ContractType.INDEPENDANT,
    "intern": ContractType.STAGE,
    "internship": ContractType.STAGE,
    "stage": ContractType.STAGE,
    "apprenticeship": ContractType.APPRENTISSAGE,
    "alternating": ContractType.APPRENTISSAGE,  # TalentView job_type
    "seasonal": ContractType.SAISONNIER,
    "vie": ContractType.AUTRE,  # volontariat international en entreprise
    "volunteer": ContractType.AUTRE,
    "franchise": ContractType.INDEPENDANT,
    "profession liberale": ContractType.INDEPENDANT,
    "profession commerciale": ContractType.INDEPENDANT,
    "cdi interimaire": ContractType.CDI_INTERIM,
    "cdd insertion": ContractType.INSERTION,
    # Working-time words sent in contract fields say nothing about the contract.
    "full time": None,
    "fulltime": None,
    "full time job": None,
    "part time": None,
    "parttime": None,
    "temps plein": None,
    "temps partiel": None,
    "other": None,
    "autre": ContractType.AUTRE,
}

# Ordered keyword rules over the folded label: the most specific first, because labels
# mix several words ("CDD - Alternance - Contrat d'apprentissage" is an apprenticeship,
# "CDI Intérimaire" is not a plain CDI, "Mission intérimaire" is not a CDI).
_RULES: list[tuple[re.Pattern[str], ContractType]] = [
    (re.compile(r"\bapprenti|\bapprentissage\b|\bapprenticeship"), ContractType.APPRENTISSAGE),
    (re.compile(r"professionnali[sz]ation|\bcontrat pro\b|\bcontrats? de pro\b"),
     ContractType.PROFESSIONNALISATION),
    (re.compile(r"\balternan(ce|t|te|ts)\b|\balternating\b|\bwork study\b"),
     ContractType.APPRENTISSAGE),
    (re.compile(r"\bcdi (d )?interim|\bcdi int\b|\bcdii\b"), ContractType.CDI_INTERIM),
    (re.compile(r"\binsertion\b|\bcddi\b|\btti\b"), ContractType.INSERTION),
    (re.compile(r"\binterim|\bmission interimaire|\btravail temporaire|\btemporary\b|\btemp\b"),
     ContractType.INTERIM),
    (re.compile(r"\bsaisonn|\bseasonal\b|\bextra saison"), ContractType.SAISONNIER),
    (re.compile(r"\bstages?\b|\bstagiaire|\binterns?(hip)?\b|\btrainee\b"), ContractType.STAGE),
    (re.compile(r"\bfree ?lance|\bindependant|\bliberal|\bfranchise|\bportage|\bauto entrepreneur"
                r"|\bmicro entrepreneur|\bcontractor\b|\bnon salarie|\bvdi\b|\breprise d entreprise"
                r"|\bprofession commerciale|\bself employed"), ContractType.INDEPENDANT),
    (re.compile(r"\bcdi\b|\bduree indeterminee\b|\bpermanent\b|\bindefinite\b"), ContractType.CDI),
    (re.compile(r"\bcdd\b|\bduree determinee\b|\bfixed term\b|\bcontrat d usage\b"
                r"|\bcontract\b|\bremplacement\b"), ContractType.CDD),
    (re.compile(r"\bv ?i ?e\b|\bvolontariat\b|\bservice civique\b|\bbenevol|\bvolunteer"
                r"|\bintermittent|\bcui\b|\bcae\b|\bcie\b|\bcontrat aide"), ContractType.AUTRE),
]

_UNIT_MONTHS: dict[str, float] = {
    "jour": 12 / 365.25,
    "day": 12 / 365.25,
    "j": 12 / 365.25,
    "semaine": 12 / 52.18,
    "week": 12 / 52.18,
    "sem": 12 / 52.18,
    "mois": 1.0,
    "month": 1.0,
    "m": 1.0,
    "an": 12.0,
    "annee": 12.0,
    "year": 12.0,
}
_DURATION = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(jours?|j\b|days?|semaines?|sem\b|weeks?|mois|months?|m\b|ans?\b"
    r"|annees?|years?)",
)
_NUMBER_RANGE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:(?:-|a|to|à)\s*(\d+(?:[.,]\d+)?))?\s*$")
# Durations with no type of their own that mean "no fixed end".
_NO_DURATION_TYPES = frozenset({ContractType.CDI, ContractType.CDI_INTERIM})


def _unit_factor(unit: str) -> float:
    unit = unit.rstrip("s") if unit not in ("mois", "ans") else unit
    if unit == "ans":
        unit = "an"
    return _UNIT_MONTHS.get(unit, _UNIT_MONTHS.get(unit[:4], 1.0))


def _months_from_text(folded: str) -> float | None:
    match = _DURATION.search(folded)
    if not match:
        return None
    number = to_float(match.group(1))
    if number is None or number <= 0:
        return None
    return round(number * _unit_factor(match.group(2)), 2)


def _duration_months(duration: Any) -> float | None:
    """Duration in months: numbers are months; text may carry its unit."""
    if duration is None or isinstance(duration, bool):
        return None
    if isinstance(duration, Mapping):
        # {"min": 12, "max": 24}: the stated upper bound is the contract length.
        values = [to_float(duration.get(key)) for key in ("max", "min", "value")]
        numbers = [v for v in values if v is not None and v > 0]
        return numbers[0] if numbers else None
    if isinstance(duration, int | float):
        return float(duration) if duration > 0 else None
    folded = fold(str(duration))
    if not folded:
        return None
    match = _NUMBER_RANGE.match(str(duration))
    if match:
        low, high = to_float(match.group(1)), to_float(match.group(2))
        value = high if high is not None else low
        return value if value is not None and value > 0 else None
    return _months_from_text(folded)


def _type_from_label(label: str) -> ContractType | None:
    stripped = label.strip()
    code = FT_CODES.get(stripped.upper())
    if code is not None and len(stripped) <= 3:
        return code
    folded = fold(label)
    if not folded:
        return None
    if folded in EXACT_LABELS:
        return EXACT_LABELS[folded]
    # ATS codes such as "_TS_CO_Contract_CDD" or "CONTRAT_ALTERNANCE" fold to words too.
    for pattern, contract_type in _RULES:
        if pattern.search(folded):
            return contract_type
    return None


def parse_contract(
    code_or_label: str | None,
    duration: str | float | Mapping[str, Any] | None = None,
    *,
    nature: str | None = None,
) -> Contract:
    """Parse a contract type code or label, with its duration, into a :class:`Contract`.

    France Travail codes (``CDI, CDD, MIS, SAI, LIB, FRA, CCE, REP, DIN, DDI, TTI``) map
    through :data:`FT_CODES`; labels (``"Contrat à durée déterminée - 6 Mois"``,
    ``"CDD - Alternance - Contrat d'apprentissage"``, ``"INTERN"``, ``"Freelance"``…)
    through ordered keyword rules. A France Travail ``natureContrat`` of
    apprenticeship or professionalisation overrides the type. "Alternance" without
    more detail is counted as an apprenticeship (by far the most common work-study
    contract). Working-time words ("full-time") give no type.

    The duration is read from ``duration`` (numbers are months; ``{"min", "max"}``
    mappings give the max; text may say days, weeks, months or years) or else from the
    label (``"- 18 Jour(s)"``). Open-ended types (CDI, CDI intérimaire) get no duration.

    Args:
        code_or_label: FT code or partner label.
        duration: duration as the partner gives it.
        nature: France Travail ``natureContrat`` label.

    Returns:
        The contract; ``type`` is None when nothing was recognised, ``original`` keeps
        the label.
    """
    label = repair_text(code_or_label).strip() if code_or_label else ""
    contract_type = _type_from_label(label) if label else None
    if nature:
        override = NATURE_OVERRIDES.get(fold(nature))
        if override is not None:
            contract_type = override
        elif contract_type is None:
            folded_nature = fold(nature)
            if folded_nature == "emploi non salarie":
                contract_type = ContractType.INDEPENDANT
            elif "insertion" in folded_nature:
                contract_type = ContractType.INSERTION
    months = _duration_months(duration)
    if months is None and label:
        months = _months_from_text(fold(label))
    if contract_type in _NO_DURATION_TYPES:
        months = None
    return Contract(type=contract_type, duration_months=months, original=label or None)
