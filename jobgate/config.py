"""Configuration: one TOML file, validated once at start, then read-only.

Example::

    [database]
    url = "sqlite:///var/jobgate.sqlite3"   # or JOBGATE_DATABASE_URL

    [[partners]]
    name = "regional-daily"
    connector = "rss"
    url = "feeds/regional.xml"          # http(s) URL, path relative to this file, or file://
    receives = ["offers"]               # this partner gets our offers back
    api_key_env = "REGIONAL_DAILY_KEY"  # secrets come from the environment, never the file

Every error names the file, the table and the field; all errors are reported together.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from jobgate.errors import ConfigError

DEFAULT_CONFIG = Path("jobgate.toml")
CONNECTOR_KINDS = ("francetravail", "rss", "xml", "json", "csv", "html")
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Frozen):
    """Where the store lives."""

    url: str = "sqlite:///var/jobgate.sqlite3"


class PartnerSettings(_Frozen):
    """One partner board: where we read its offers and what it receives from us."""

    name: str
    connector: Literal["francetravail", "rss", "xml", "json", "csv", "html"]
    url: str
    receives: tuple[Literal["offers", "cvs"], ...] = ()
    dialect: str | None = None  # a named field mapping for xml/json/csv/rss
    mapping: dict[str, str] = Field(default_factory=dict)  # record field -> partner path
    records_path: str | None = None  # json: where the records list is
    item_tag: str | None = None  # xml: the element that holds one offer
    rank: int = 50  # survivorship: lower wins when sources disagree
    #: Minutes between two fetches; a fraction is allowed (0.05 = 3 s, for tests).
    schedule_minutes: int | float = Field(default=60, gt=0)
    snapshot: bool = True  # each fetch is the complete list of the partner's offers
    enabled: bool = True
    api_key_env: str | None = None  # env var holding the key this partner uses to pull feeds
    auth: dict[str, str] = Field(default_factory=dict)  # env var names for client credentials
    options: dict[str, Any] = Field(default_factory=dict)
    filters: dict[str, list[str]] = Field(default_factory=dict)  # publisher: rome, region, contract
    certification: dict[str, Literal["REJECT", "WARN", "INFO"]] = Field(default_factory=dict)
    siret_required: bool = False  # the partner's contract makes the employer SIRET mandatory
    public_service: bool = False  # this partner's offers are the public service's own
    max_offers: int | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME_RE.match(v):
            raise ValueError("must be lower-case letters, digits, '-' or '_' (at most 63)")
        return v

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        scheme = urlparse(v).scheme.lower()
        if scheme and len(scheme) > 1 and scheme not in ("http", "https", "file"):
            raise ValueError(f"scheme {scheme!r} not allowed: use http, https, file:// or a path")
        return v

    @field_validator("auth")
    @classmethod
    def _auth_env_names(cls, v: dict[str, str]) -> dict[str, str]:
        for key, env in v.items():
            if not re.match(r"^[A-Z_][A-Z0-9_]*$", env):
                raise ValueError(
                    f"auth.{key} must name an environment variable (upper case), not hold a secret"
                )
        return v

    def secret(self, key: str) -> str | None:
        """Read a secret named in ``auth`` (or ``api_key_env``) from the environment."""
        env = self.api_key_env if key == "api_key" else self.auth.get(key)
        return os.environ.get(env) if env else None


#: ROME confidence below which an offer is held for review, unless configured (the one
#: place this default is written: the normaliser and ``jobgate rome classify`` read it).
DEFAULT_ROME_HOLD_BELOW = 0.35


class RomeSettings(_Frozen):
    """ROME coding: below ``hold_below`` the offer is held for review."""

    hold_below: float = Field(default=DEFAULT_ROME_HOLD_BELOW, ge=0.0, le=1.0)


class SireneSettings(_Frozen):
    """Where ID-02 looks establishments up; with neither source the check says nothing.

    ``stock_path``: the official StockEtablissement CSV (or a subset with at least
    ``siret``, ``etatAdministratifEtablissement`` and ``statutDiffusionEtablissement``),
    indexed once into a SQLite file beside it (``index_path`` to put it elsewhere).
    ``api_url``: the recherche-entreprises API (e.g.
    ``https://recherche-entreprises.api.gouv.fr``), off by default; answers are cached
    in the database for ``api_ttl_days``.
    """

    stock_path: Path | None = None
    index_path: Path | None = None
    api_url: str | None = None
    api_ttl_days: float = Field(default=30.0, gt=0)
    api_timeout_seconds: float = Field(default=5.0, gt=0)


class CertificationSettings(_Frozen):
    """Certification: per-check severity overrides (``{"ID-01": "REJECT"}``) and the SIRENE lookup."""

    overrides: dict[str, Literal["REJECT", "WARN", "INFO"]] = Field(default_factory=dict)
    hold_on_warn: bool = False
    sirene: SireneSettings = Field(default_factory=SireneSettings)


class DedupSettings(_Frozen):
    """Dedup thresholds."""

    match_threshold: float = Field(default=0.8, ge=0.0, le=1.0)
    max_pairs_per_rule: int = Field(default=50_000_000, ge=1)


class PublisherSettings(_Frozen):
    """Syndication defaults."""

    base_url: str = "http://localhost:8000"
    max_days: int = Field(default=30, ge=1)
    resyndicate_partner_offers: bool = False
    # Push delivery (partners with options.push_url); a partner's options may override each.
    push_attempts: int = Field(default=4, ge=1)  # tries of one item within one run
    push_backoff_seconds: float = Field(default=1.0, ge=0.0)  # first retry delay, doubled each time
    push_backoff_max_seconds: float = Field(default=900.0, ge=0.0)  # cap, across runs too
    push_timeout_seconds: float = Field(default=15.0, gt=0.0)
    # CVs: deleted this many months after the candidate's last active contact (CV-03).
    cv_retention_months: int = Field(default=24, ge=1, le=72)


class ApiSettings(_Frozen):
    """HTTP API: operator credentials come from the environment."""

    operator_user_env: str = "JOBGATE_OPERATOR_USER"
    operator_password_env: str = "JOBGATE_OPERATOR_PASSWORD"


class SchedulerSettings(_Frozen):
    """Celery broker, in-process loop, per-partner limits and connector health."""

    broker_url: str = "redis://localhost:6379/0"
    tick_seconds: int = Field(default=30, ge=1)
    #: At most one fetch of a partner starts within this many seconds (re-fetches, retries).
    min_fetch_interval_seconds: int = Field(default=60, ge=0)
    #: A partner's fetch lock, renewed every third of this while its fetch runs: a worker
    #: killed mid-fetch blocks that partner's fetches this long at most.
    fetch_lock_seconds: int = Field(default=120, ge=10)
    #: The same for the normalize and dedup single-flight locks.
    stage_lock_seconds: int = Field(default=60, ge=10)
    #: Error rate and records per run are computed over this many latest runs.
    health_runs: int = Field(default=20, ge=1)
    #: Lifecycle jobs (expiry, follow-ups, alerts) run at most this often.
    lifecycle_minutes: int = Field(default=60, ge=1)
    #: A task taken by a worker that died (kill -9, lost host) goes back to the queue after this
    #: many seconds (Redis broker). Longer than the longest task (the 4 h time limit), or a task
    #: still running would be handed to a second worker.
    visibility_timeout_seconds: int = Field(default=4 * 3600 + 600, ge=1)


class LifecycleSettings(_Frozen):
    """Offer lifecycle: automatic closures, alerts, retention."""

    #: Close a public-service offer when its employer has not answered a follow-up in this many days.
    follow_up_days: int = Field(default=8, ge=1)
    #: Alert on a published offer with no movement (source update or publication) for this many days.
    stale_after_days: int = Field(default=21, ge=1)


class Settings(_Frozen):
    """The whole validated configuration."""

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    partners: tuple[PartnerSettings, ...] = ()
    rome: RomeSettings = Field(default_factory=RomeSettings)
    certification: CertificationSettings = Field(default_factory=CertificationSettings)
    dedup: DedupSettings = Field(default_factory=DedupSettings)
    publisher: PublisherSettings = Field(default_factory=PublisherSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    lifecycle: LifecycleSettings = Field(default_factory=LifecycleSettings)
    base_dir: Path = Path(".")

    @model_validator(mode="after")
    def _unique_names(self) -> Settings:
        seen: set[str] = set()
        for p in self.partners:
            if p.name in seen:
                raise ValueError(f"partner name {p.name!r} is used twice")
            seen.add(p.name)
        return self

    def partner(self, name: str) -> PartnerSettings:
        """The partner called ``name``; :class:`ConfigError` if there is none."""
        for p in self.partners:
            if p.name == name:
                return p
        raise ConfigError(f"no partner named {name!r} in the configuration")

    @property
    def database_url(self) -> str:
        """The database URL: ``JOBGATE_DATABASE_URL`` wins over the file."""
        url = os.environ.get("JOBGATE_DATABASE_URL") or self.database.url
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            rel = url.removeprefix("sqlite:///")
            if rel and rel != ":memory:":
                url = "sqlite:///" + str((self.base_dir / rel).resolve())
        return url

    def resolve_source(self, partner: PartnerSettings) -> str:
        """Partner ``url`` as an absolute http(s) URL or filesystem path."""
        url = partner.url
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https"):
            return url
        if parsed.scheme == "file":
            return parsed.path
        path = Path(url)
        return str(path if path.is_absolute() else (self.base_dir / path).resolve())


def _format_errors(path: Path, exc: ValidationError, raw: dict[str, Any]) -> str:
    lines = [f"invalid configuration {path}:"]
    for err in exc.errors():
        loc = list(err["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] == "partners" and isinstance(loc[1], int):
            idx = loc[1]
            partners = raw.get("partners") or []
            name = partners[idx].get("name") if idx < len(partners) else None
            where = f"[[partners]] #{idx + 1}" + (f" ({name!r})" if name else "")
            loc = loc[2:]
        field = ".".join(str(x) for x in loc) or "(table)"
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"  {where + ' ' if where else ''}{field}: {msg}")
    return "\n".join(lines)


def load_settings(path: str | Path | None = None, *, required: bool = True) -> Settings:
    """Read and validate the TOML configuration at ``path`` (default ``./jobgate.toml``).

    Raises:
        ConfigError: the file is missing, is not TOML, or does not validate; the
            message lists every problem with its table and field.
    """
    cfg_path = Path(path) if path else DEFAULT_CONFIG
    if not cfg_path.exists():
        if required or path:
            raise ConfigError(f"configuration file {cfg_path} not found (use --config FILE)")
        return Settings(base_dir=Path.cwd())
    try:
        raw = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid configuration {cfg_path}: not valid TOML: {exc}") from exc
    try:
        settings = Settings.model_validate({**raw, "base_dir": cfg_path.resolve().parent})
    except ValidationError as exc:
        raise ConfigError(_format_errors(cfg_path, exc, raw)) from None
    from jobgate.redaction import register_settings

    register_settings(settings)  # from now on their values are masked in logs and stored errors
    return settings
