"""What to do with an HTTP outcome: a table from status code or exception to an action.

The framework never decides retry/fail in ``if`` chains: it looks the outcome up
in :data:`DEFAULT_ERROR_MAPPING` (Airbyte's ``DEFAULT_ERROR_MAPPING``). A
connector class may set ``error_mapping`` and a partner may set
``options.error_mapping = {"404" = "ignore"}``; both are merged over the default.

::

    status / exception          action
    200, 206                    SUCCESS
    204                         IGNORE      (empty page, e.g. France Travail "no result")
    304                         UNCHANGED   (conditional GET: nothing to read)
    401                         REFRESH_TOKEN_THEN_RETRY (once; then FAIL)
    400, 403, 404, 405, 410     FAIL        (configuration or rights: retrying will not help)
    408, 425, 500, 502-504      RETRY       (bounded, exponential backoff with jitter)
    429                         RATE_LIMITED (honour Retry-After, then retry)
    timeouts, connection errors RETRY
    a host not allowed          FAIL        (connectors.egress: never sent)
    other 4xx / 3xx             FAIL;  other 5xx RETRY
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.egress import EgressRefused
from jobgate.errors import ConfigError


class Action(enum.Enum):
    """What the HTTP session does with one response or exception."""

    SUCCESS = "success"
    IGNORE = "ignore"  # treat as an empty page
    UNCHANGED = "unchanged"  # 304 Not Modified
    RETRY = "retry"
    RATE_LIMITED = "rate_limited"
    REFRESH_TOKEN_THEN_RETRY = "refresh_token_then_retry"
    FAIL = "fail"


@dataclass(frozen=True)
class Resolution:
    """An action and, for failures, the reason given to operators."""

    action: Action
    reason: str = ""


Key = int | type[BaseException]

DEFAULT_ERROR_MAPPING: Mapping[Key, Resolution] = {
    200: Resolution(Action.SUCCESS),
    206: Resolution(Action.SUCCESS),
    204: Resolution(Action.IGNORE, "no content"),
    304: Resolution(Action.UNCHANGED),
    400: Resolution(Action.FAIL, "bad request: check the partner's url and options"),
    401: Resolution(Action.REFRESH_TOKEN_THEN_RETRY, "unauthorised: check the partner's credentials"),
    403: Resolution(Action.FAIL, "forbidden: the credentials lack the right"),
    404: Resolution(Action.FAIL, "not found: check the partner's url"),
    405: Resolution(Action.FAIL, "method not allowed"),
    410: Resolution(Action.FAIL, "gone: the partner removed this resource"),
    408: Resolution(Action.RETRY, "request timeout"),
    425: Resolution(Action.RETRY, "too early"),
    429: Resolution(Action.RATE_LIMITED, "rate limited"),
    500: Resolution(Action.RETRY, "server error"),
    502: Resolution(Action.RETRY, "bad gateway"),
    503: Resolution(Action.RETRY, "unavailable"),
    504: Resolution(Action.RETRY, "gateway timeout"),
    EgressRefused: Resolution(Action.FAIL, "refused by the partner's host allow-list"),
    httpx.TimeoutException: Resolution(Action.RETRY, "timeout"),
    httpx.TooManyRedirects: Resolution(Action.FAIL, "too many redirects"),
    httpx.DecodingError: Resolution(Action.FAIL, "undecodable body"),
    httpx.UnsupportedProtocol: Resolution(Action.FAIL, "unsupported protocol"),
    httpx.TransportError: Resolution(Action.RETRY, "connection error"),
}


def resolve(outcome: int | BaseException, mapping: Mapping[Key, Resolution]) -> Resolution:
    """The resolution for a status code or an exception (most specific class wins)."""
    if isinstance(outcome, int):
        if outcome in mapping:
            return mapping[outcome]
        if 200 <= outcome < 300:
            return Resolution(Action.SUCCESS)
        if outcome >= 500:
            return Resolution(Action.RETRY, "server error")
        return Resolution(Action.FAIL, "unexpected status")
    for cls in type(outcome).__mro__:
        if cls in mapping:
            return mapping[cls]
    return Resolution(Action.FAIL, type(outcome).__name__)


def merge_mapping(*overrides: Mapping[Any, Any] | None) -> dict[Key, Resolution]:
    """The default table with overrides merged in order.

    Overrides map a status (int or its text, from TOML) to a :class:`Resolution`
    or an action name (``"retry"``, ``"ignore"``, ``"fail"``...).

    Raises:
        ConfigError: an unknown action name or a status that is not a number.
    """
    table: dict[Key, Resolution] = dict(DEFAULT_ERROR_MAPPING)
    for override in overrides:
        for key, value in (override or {}).items():
            if isinstance(key, str):
                if not key.isdigit():
                    raise ConfigError(f"error_mapping: {key!r} is not an HTTP status")
                key = int(key)
            if isinstance(value, str):
                try:
                    value = Resolution(Action(value.lower()), f"HTTP {key} mapped to {value}")
                except ValueError:
                    names = ", ".join(a.value for a in Action)
                    raise ConfigError(f"error_mapping: unknown action {value!r} (known: {names})") from None
            table[key] = value
    return table
