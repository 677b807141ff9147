"""Dates: every format partners send, to a timezone-aware UTC datetime."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

__all__ = ["parse_date"]

# A date without a zone comes from a French partner's back office (Apec, HelloWork,
# Talentsoft…), which writes local wall-clock time; reading it as UTC would shift
# every offer by one or two hours and break "published today" and expiry checks, so
# naive values are taken as Europe/Paris local time and converted to UTC.
PARIS = ZoneInfo("Europe/Paris")

_FR_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "février": 2, "fevr": 2, "févr": 2,
    "fev": 2, "fév": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7,
    "juil": 7, "aout": 8, "août": 8, "septembre": 9, "sept": 9, "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11, "decembre": 12, "décembre": 12, "dec": 12, "déc": 12,
}

_ZONE_SUFFIX = re.compile(r"\s*(?:UTC|GMT|Z)$", re.IGNORECASE)
_DMY = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2})[:hH](\d{2})(?::(\d{2}))?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?(Z)?$")
_FR_TEXT = re.compile(r"^(?:[a-zé]+\.?\s+)?(\d{1,2})(?:er)?\s+([a-zéû.]+)\s+(\d{4})$", re.I)
_RFC822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}")
_EPOCH = re.compile(r"^-?\d{9,13}(?:\.\d+)?$")
# Accept the years an offer can plausibly carry; anything else is a data error.
_MIN_YEAR, _MAX_YEAR = 1970, 2100


def _aware(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=PARIS)
    return dt.astimezone(UTC)


def _from_epoch(number: float) -> datetime:
    # Epoch seconds; values beyond year ~5138 in seconds are milliseconds.
    if abs(number) >= 1e11:
        number /= 1000.0
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=number)


def _parse_text(text: str) -> datetime | None:
    # ISO 8601 first (the bulk of the traffic: France Travail, JSON APIs).
    candidate = text
    if candidate.endswith(("UTC", "GMT", "utc", "gmt")):
        candidate = _ZONE_SUFFIX.sub("", candidate) + "+00:00"
    if len(candidate) >= 10 and candidate[4:5] == "-":
        try:
            return datetime.fromisoformat(candidate)
        except ValueError:
            pass
    match = _DMY.match(text)
    if match:  # French order: day/month/year
        day, month, year, hour, minute, second = match.groups()
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                        int(second or 0))
    if _EPOCH.match(text) and not _COMPACT.match(text):
        return _from_epoch(float(text))
    match = _COMPACT.match(text)
    if match:
        year, month, day, hour, minute, second, zulu = match.groups()
        dt = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                      int(second or 0))
        return dt.replace(tzinfo=UTC) if zulu else dt
    if _RFC822.match(text):
        try:
            return parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            pass
    match = _FR_TEXT.match(text)
    if match:
        month_number = _FR_MONTHS.get(match.group(2).lower().rstrip("."))
        if month_number:
            return datetime(int(match.group(3)), month_number, int(match.group(1)))
    return None


def parse_date(value: str | int | float | datetime | None) -> datetime | None:
    """Parse a partner date into a timezone-aware UTC datetime.

    Accepted: ISO 8601 with or without zone (``"2024-01-19T12:49:48.000Z"``,
    ``"2025-09-09 00:00:00"``, ``"2025-02-22"``), a trailing ``UTC``/``GMT``
    (``"2025-03-06 07:32:43 UTC"``), RFC 822 (``"Mon, 06 Jan 2025 10:00:00 +0100"``),
    French day-first dates (``"11/12/2025 10:41:41"``, ``"11/12/2025"``),
    ``yyyymmdd`` (``"20260101"``), French month names (``"13 novembre 2025"``), epoch
    seconds (int, float or digits; milliseconds are recognised by their size) and
    datetime objects. Naive values are Europe/Paris local time.

    Args:
        value: the date as the partner gave it.

    Returns:
        The UTC datetime, or None when the value is None or blank.

    Raises:
        ValueError: the value is present but cannot be read as a date (the caller
            quarantines the record).
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, bool):
        raise ValueError(f"unparseable date {value!r}")
    try:
        if isinstance(value, int | float):
            result: datetime | None = _from_epoch(float(value))
        else:
            text = value.strip()
            if not text:
                return None
            result = _parse_text(text)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"unparseable date {value!r}") from exc
    if result is None or not (_MIN_YEAR <= result.year <= _MAX_YEAR):
        raise ValueError(f"unparseable date {value!r}")
    return _aware(result)
