"""Candidates' CVs: the validated intake model and the JSON-lines reader.

One JSON object per line::

    {"candidate_id": "C-000123", "visibility": "anonymous",
     "consents": {"keljob": true, "cadremploi": false}, "consents_at": "2026-11-20T10:00:00Z",
     "title": "Comptable", "skills": ["Sage", "TVA"],
     "experiences": [{"employer": "Boulangerie Dupré", "title": "Aide-comptable",
                      "start": "2019-09-01", "end": "2023-06-30", "description": "..."}],
     "education": [{"title": "BTS Comptabilité", "school": "Lycée Turgot", "year": 2019}],
     "rome_codes": ["M1203"], "place": {"commune": "Montreuil", "postcode": "93100"},
     "availability": "immédiate",
     "contact": {"first_name": "Élodie", "last_name": "Dupré", "email": "...", "phone": "...",
                 "address": "12 rue des Lilas, 93100 Montreuil"},
     "birth_date": "1990-04-12", "photo_url": null, "last_contact_at": "2026-11-20T10:00:00Z"}

``consents`` maps a partner name to ``true``/``false`` (then ``consents_at`` dates the
decisions) or to ``{"granted": bool, "at": date-time}``. A partner missing from
``consents`` keeps its previous decision; ``false`` is a withdrawal.

:func:`read_cv_lines` validates each line with :class:`CV`; a bad line is reported
with its number and the field (never its content), for the caller to quarantine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "CV",
    "Consent",
    "CvContact",
    "CvLineError",
    "CvPlace",
    "Education",
    "Experience",
    "read_cv_lines",
]

CvVisibility = Literal["named", "anonymous"]
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_ROME_RE = re.compile(r"^[A-N]\d{4}$")
_POSTCODE_RE = re.compile(r"^\d{5}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Consent(_Model):
    """A candidate's decision about sharing the CV with one partner (CV-01)."""

    granted: bool
    at: datetime

    @field_validator("at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        return _utc(v)


class Experience(_Model):
    """One job the candidate held."""

    employer: str | None = None
    title: str
    start: date | None = None
    end: date | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> Experience:
        if self.start and self.end and self.end < self.start:
            raise ValueError("end is before start")
        return self


class Education(_Model):
    """A diploma or training."""

    title: str
    school: str | None = None
    level: str | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    description: str | None = None


class CvPlace(_Model):
    """Where the candidate lives (commune level at most)."""

    commune: str | None = None
    postcode: str | None = None
    departement: str | None = None

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, v: str | None) -> str | None:
        if v is not None and not _POSTCODE_RE.match(v):
            raise ValueError("must be 5 digits")
        return v

    @model_validator(mode="after")
    def _derive(self) -> CvPlace:
        if self.departement is None and self.postcode:
            object.__setattr__(self, "departement", departement_of(self.postcode))
        return self


class CvContact(_Model):
    """How to reach the candidate (never shared in an anonymous CV)."""

    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None  # full name, when not split
    email: str | None = None
    phone: str | None = None
    address: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not _EMAIL_RE.match(v):
            raise ValueError("is not an e-mail address")
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v is not None and len(re.sub(r"\D", "", v)) < 6:
            raise ValueError("is not a phone number")
        return v

    def names(self) -> list[str]:
        """Every form of the candidate's name given."""
        parts = [self.name, self.first_name, self.last_name]
        if self.first_name and self.last_name:
            parts += [f"{self.first_name} {self.last_name}", f"{self.last_name} {self.first_name}"]
        return [p for p in parts if p]


class CV(_Model):
    """A candidate's CV with the consents and the visibility the candidate chose."""

    candidate_id: str
    visibility: CvVisibility
    consents: dict[str, Consent] = Field(default_factory=dict)
    title: str
    summary: str | None = None
    skills: list[str] = Field(default_factory=list)
    experiences: list[Experience] = Field(default_factory=list)
    education: list[Education] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    rome_codes: list[str] = Field(default_factory=list)
    place: CvPlace | None = None
    availability: str | None = None
    contact: CvContact | None = None
    birth_date: date | None = None
    photo_url: str | None = None
    photo_shared: bool = False  # the candidate opted in to show the photo in a named CV
    last_contact_at: datetime | None = None  # the candidate's last active contact (CV-03)

    @model_validator(mode="before")
    @classmethod
    def _consents(cls, data: Any) -> Any:
        """Accept ``{partner: bool}`` dated by ``consents_at``."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        at = data.pop("consents_at", None)
        consents = data.get("consents")
        if isinstance(consents, dict):
            out: dict[str, Any] = {}
            for partner, value in consents.items():
                if isinstance(value, bool):
                    if at is None:
                        raise ValueError(
                            "consents_at is required when consents are given as true/false"
                        )
                    out[partner] = {"granted": value, "at": at}
                else:
                    out[partner] = value
            data["consents"] = out
        return data

    @field_validator("candidate_id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID_RE.match(v):
            raise ValueError("must be 1-64 letters, digits, '.', '_', ':' or '-'")
        return v

    @field_validator("rome_codes")
    @classmethod
    def _rome(cls, v: list[str]) -> list[str]:
        for code in v:
            if not _ROME_RE.match(code):
                raise ValueError(f"{code!r} is not a ROME code (letter + 4 digits)")
        return v

    @field_validator("last_contact_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        return _utc(v) if v else v


def departement_of(postcode: str) -> str | None:
    """The département of a French postcode (``93100`` -> ``93``, ``20090`` -> ``2A``)."""
    if not _POSTCODE_RE.match(postcode):
        return None
    if postcode.startswith("97") or postcode.startswith("98"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if int(postcode) < 20200 else "2B"
    return postcode[:2]


@dataclass(frozen=True)
class CvLineError:
    """A line that could not be read: where and which field, never its content."""

    line: int
    field: str | None
    reason: str
    raw: str


def read_cv_lines(lines: Iterable[str]) -> Iterator[CV | CvLineError]:
    """Validate JSON lines into :class:`CV` objects (blank lines are skipped).

    Yields a :class:`CvLineError` (1-based line number, dotted field path, reason)
    for a line that is not JSON or does not validate; reading goes on.
    """
    for n, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield CvLineError(n, None, f"line {n}: not JSON ({exc.msg} at column {exc.colno})", line)
            continue
        if not isinstance(obj, dict):
            yield CvLineError(n, None, f"line {n}: expected a JSON object", line)
            continue
        try:
            yield CV.model_validate(obj)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(x) for x in first["loc"]) or None
            if field is None and "consents_at" in first["msg"]:
                field = "consents_at"
            msgs = "; ".join(
                f"{'.'.join(str(x) for x in e['loc']) or '(line)'}: {e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors()
            )
            yield CvLineError(n, field, f"line {n}: {msgs}", line)
