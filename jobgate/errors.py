"""Errors shared by every stage, grouped by the action they call for.

::

    JobgateError
    ├── ConfigError            fix the configuration; nothing runs until then
    ├── StoreError             the database refused or is unreachable
    └── PartnerError           something about one partner (carries ``partner``)
        ├── RetriableError     try again later with backoff (timeouts, 429, 5xx)
        ├── FatalPartnerError  stop this partner's run (401/403/404, bad payload envelope)
        └── RecordError        one record is bad: quarantine it, go on (carries ``external_id``, ``field``)

Stage packages raise these (or subclasses); library exceptions are translated at
the package boundary with ``raise ... from exc``.
"""

from __future__ import annotations


class JobgateError(Exception):
    """Base of every error jobgate raises on purpose."""


class ConfigError(JobgateError):
    """The configuration is missing or invalid."""


class StoreError(JobgateError):
    """The store cannot be reached or refused an operation."""


class PartnerError(JobgateError):
    """An error concerning one partner."""

    def __init__(self, partner: str, message: str) -> None:
        super().__init__(f"partner {partner!r}: {message}")
        self.partner = partner
        self.reason = message


class RetriableError(PartnerError):
    """A transient failure: retry with backoff, within bounds."""

    def __init__(self, partner: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(partner, message)
        self.retry_after = retry_after


class FatalPartnerError(PartnerError):
    """A failure retrying will not fix: the run stops and the partner is marked failing."""


class RecordError(PartnerError):
    """One record cannot be read: it is quarantined with this reason and the run goes on."""

    def __init__(
        self, partner: str, external_id: str | None, message: str, field: str | None = None
    ) -> None:
        where = f"record {external_id!r}" if external_id else "a record"
        if field:
            where += f", field {field!r}"
        super().__init__(partner, f"{where}: {message}")
        self.external_id = external_id
        self.field = field
        self.reason = message
        self.payload: str | None = None  # the record as text, for the quarantine
