"""Authentication strategies: small classes a connector picks, never ``if partner == ...``.

Credentials come from the environment through :meth:`PartnerSettings.secret`
(names in the partner's ``auth`` table), never from the configuration file::

    auth = { key = "HELLOWORK_KEY" }                                  # API key header
    auth = { client_id = "FT_CLIENT_ID", client_secret = "FT_SECRET" }  # OAuth2 client credentials
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from connectors.egress import EgressRefused
from jobgate.config import PartnerSettings
from jobgate.errors import ConfigError, FatalPartnerError, RetriableError

#: Renew a token this many seconds before it expires.
TOKEN_MARGIN_S = 60.0


class Authenticator:
    """Adds credentials to each request.

    Override :meth:`headers` (and :meth:`invalidate` when credentials can be
    renewed). Raise :class:`FatalPartnerError` when credentials are refused and
    :class:`RetriableError` when the identity provider is temporarily down.
    """

    def headers(self, client: httpx.Client) -> dict[str, str]:
        """Headers to add to the next request (may fetch a token with ``client``)."""
        return {}

    def invalidate(self) -> bool:
        """The server answered 401: drop cached credentials; True if a retry may help."""
        return False


class NoAuth(Authenticator):
    """Public feeds."""


class ApiKeyAuth(Authenticator):
    """A static key in a header (``X-API-Key: ...`` or ``Authorization: Token ...``).

    Args:
        key: the secret.
        header: header name.
        prefix: text put before the key (``"Token "``, ``"Bearer "``).
    """

    def __init__(self, key: str, header: str = "X-API-Key", prefix: str = "") -> None:
        self._value = f"{prefix}{key}"
        self.header = header

    def headers(self, client: httpx.Client) -> dict[str, str]:
        return {self.header: self._value}

    def __repr__(self) -> str:  # never print the secret
        return f"ApiKeyAuth(header={self.header!r})"


class OAuth2ClientCredentials(Authenticator):
    """OAuth2 client-credentials grant with a cached, auto-renewed bearer token.

    The token is fetched on first use, reused until ``TOKEN_MARGIN_S`` before
    ``expires_in``, and dropped on a 401 so the next request fetches a new one.

    Args:
        partner: partner name, for errors.
        token_url: the token endpoint (query string kept, e.g. ``?realm=/partenaire``).
        client_id: OAuth2 client id.
        client_secret: OAuth2 client secret.
        scope: space-separated scopes.
        clock: injectable monotonic clock.
    """

    def __init__(
        self,
        partner: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str = "",
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.partner = partner
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self.scope = scope
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self.tokens_fetched = 0

    def __repr__(self) -> str:
        return f"OAuth2ClientCredentials(token_url={self.token_url!r}, scope={self.scope!r})"

    def headers(self, client: httpx.Client) -> dict[str, str]:
        if self._token is None or self._clock() >= self._expires_at:
            self._fetch_token(client)
        return {"Authorization": f"Bearer {self._token}"}

    def invalidate(self) -> bool:
        had = self._token is not None
        self._token = None
        return had

    def _fetch_token(self, client: httpx.Client) -> None:
        data = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        if self.scope:
            data["scope"] = self.scope
        try:
            resp = client.post(self.token_url, data=data, headers={"Accept": "application/json"})
        except EgressRefused as exc:
            raise FatalPartnerError(self.partner, f"OAuth2 token endpoint: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise RetriableError(self.partner, "timeout at the OAuth2 token endpoint") from exc
        except httpx.TransportError as exc:
            raise RetriableError(self.partner, f"cannot reach the OAuth2 token endpoint: {type(exc).__name__}") from exc
        if resp.status_code in (429, 500, 502, 503, 504):
            raise RetriableError(self.partner, f"OAuth2 token endpoint answered HTTP {resp.status_code}")
        if resp.status_code != 200:
            raise FatalPartnerError(
                self.partner, f"OAuth2 token endpoint refused the client credentials (HTTP {resp.status_code})"
            )
        try:
            body = resp.json()
            token = body["access_token"]
            expires_in = float(body.get("expires_in", 300))
        except (ValueError, KeyError, TypeError) as exc:
            raise FatalPartnerError(self.partner, "OAuth2 token endpoint sent no access_token") from exc
        self._token = str(token)
        self._expires_at = self._clock() + max(0.0, expires_in - TOKEN_MARGIN_S)
        self.tokens_fetched += 1


def authenticator_for(
    partner: PartnerSettings, *, token_url: str | None = None, scope: str | None = None
) -> Authenticator:
    """The authenticator a partner's ``auth`` table asks for.

    ``client_id`` + ``client_secret`` select OAuth2 (``options.token_url`` and
    ``options.scope`` override the connector's defaults); ``key`` selects an API
    key header (``options.auth_header``, ``options.auth_prefix``); nothing means
    :class:`NoAuth`.

    Raises:
        ConfigError: a named environment variable is not set, or OAuth2 has no token URL.
    """

    def need(key: str) -> str:
        value = partner.secret(key)
        if not value:
            raise ConfigError(
                f"partner {partner.name!r}: environment variable {partner.auth.get(key)!r} "
                f"(auth.{key}) is not set"
            )
        return value

    opts = partner.options
    if "client_id" in partner.auth or "client_secret" in partner.auth:
        url = opts.get("token_url") or token_url
        if not url:
            raise ConfigError(f"partner {partner.name!r}: OAuth2 needs options.token_url")
        return OAuth2ClientCredentials(
            partner.name, str(url), need("client_id"), need("client_secret"),
            str(opts.get("scope", scope or "")),
        )
    if "key" in partner.auth:
        return ApiKeyAuth(need("key"), str(opts.get("auth_header", "X-API-Key")), str(opts.get("auth_prefix", "")))
    return NoAuth()
