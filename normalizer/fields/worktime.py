"""Working time: full or part time, and weekly hours."""

from __future__ import annotations

import re

from jobgate.schema import WorkingTime

from ._common import fold

__all__ = ["parse_working_time"]

#: Legal full-time week in France (hours), used to turn percentages into hours.
FULL_TIME_HOURS = 35.0

#: Folded labels -> full time (True) / part time (False).
LABELS: dict[str, bool] = {
    "temps plein": True,
    "temps complet": True,
    "full time": True,
    "fulltime": True,
    "full": True,
    "plein temps": True,
    "temps partiel": False,
    "temps partiels": False,
    "part time": False,
    "parttime": False,
    "partiel": False,
    "mi temps": False,
    "half time": False,
}

_PART = re.compile(r"\btemps partiel|\bpart ?time\b|\bmi temps\b|\bpartiel\b|\bhalf time\b")
_FULL = re.compile(r"\btemps (plein|complet)\b|\bplein temps\b|\bfull ?time\b")
# "35H", "37H30", "35 H", "36h45", "24H/semaine", "35 heures", "35h hebdo"
_HOURS = re.compile(r"(?<![\d,.])(\d{1,2}(?:[.,]\d{1,2})?)\s*(?:h(?:eures?)?|hrs?)\s*(\d{2})?(?![a-z])",
                    re.IGNORECASE)
_PERCENT = re.compile(r"(\d{1,3})\s*%")
_HALF = re.compile(r"\bmi[- ]temps\b", re.IGNORECASE)


def _hours(text: str) -> float | None:
    match = _HOURS.search(text)
    if match:
        whole = float(match.group(1).replace(",", "."))
        minutes = match.group(2)
        value = whole + (int(minutes) / 60.0 if minutes and int(minutes) < 60 else 0.0)
        if 0 < value <= 70:
            return round(value, 2)
    match = _PERCENT.search(text)
    if match and 0 < int(match.group(1)) <= 100:
        return round(FULL_TIME_HOURS * int(match.group(1)) / 100.0, 2)
    if _HALF.search(text):
        return FULL_TIME_HOURS / 2
    return None


def _full_time(text: str) -> bool | None:
    folded = fold(text)
    if not folded:
        return None
    if folded in LABELS:
        return LABELS[folded]
    if _PART.search(folded):
        return False
    if _FULL.search(folded):
        return True
    return None


def parse_working_time(text: str | None, converted: str | None = None) -> WorkingTime:
    """Parse a working-time text into full/part time and weekly hours.

    ``converted`` is France Travail's ``dureeTravailLibelleConverti`` ("Temps plein" /
    "Temps partiel") and wins for full/part time. Hours are read from ``text``
    ("35H Travail en journée", "Temps partiel - 24H/semaine", "37H30/semaine") or from a
    percentage of the 35-hour week ("temps partiel 80%" → 28 h). With hours but no
    wording, 35 h or more is full time (the legal week) and less is part time.

    Args:
        text: working-time text, e.g. FT ``dureeTravailLibelle`` or a feed's job_time.
        converted: FT ``dureeTravailLibelleConverti``.

    Returns:
        The working time; ``original`` keeps ``text`` (or ``converted`` when no text).
    """
    original = text.strip() if text and text.strip() else None
    full_time = _full_time(converted) if converted else None
    if full_time is None and original:
        full_time = _full_time(original)
    hours = _hours(original) if original else None
    if full_time is None and hours is not None:
        full_time = hours >= FULL_TIME_HOURS
    if original is None and converted and converted.strip():
        original = converted.strip()
    return WorkingTime(full_time=full_time, hours_per_week=hours, original=original)
