"""Where jobgate may send requests: each partner's allow-list of hosts (SSRF guard).

Every outbound request the gateway makes for a partner (a fetch, an OAuth2 token
request, each hop of a redirect, a crawler page, a push delivery) goes through
:class:`EgressPolicy.check`. A request is refused unless:

* its scheme is ``http`` or ``https``;
* its host is one of the partner's hosts (:func:`partner_hosts`): those of its ``url``,
  ``options.token_url`` (or the connector's default token URL), ``options.push_url``,
  ``options.cv_push_url``, plus ``options.allowed_hosts`` (a list of host names);
* neither the host nor any address it resolves to is link-local (``169.254.0.0/16``,
  ``fe80::/10``: cloud metadata services such as ``169.254.169.254`` live there) or a
  known metadata name, unless the partner sets ``options.allow_link_local = true``.

The address check resolves the name just before the request; the HTTP client
resolves it again to connect, so a DNS answer changed in between (rebinding) is not
caught here: the allow-list of names is the main control.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlparse

import httpx

from jobgate.config import PartnerSettings

METADATA_NAMES = frozenset({"metadata", "metadata.google.internal", "metadata.goog", "instance-data",
                            "instance-data.ec2.internal"})
_URL_OPTIONS = ("token_url", "push_url", "cv_push_url")


class EgressRefused(httpx.RequestError):
    """A request to a host the partner's allow-list does not hold (never sent)."""


def partner_hosts(partner: PartnerSettings, extra_urls: Iterable[str | None] = ()) -> frozenset[str]:
    """The host names ``partner`` may be reached at (lower case)."""
    urls = [partner.url, *(partner.options.get(o) for o in _URL_OPTIONS), *extra_urls]
    hosts = {(urlparse(u).hostname or "").lower() for u in urls if isinstance(u, str)}
    allowed = partner.options.get("allowed_hosts") or []
    hosts |= {str(h).strip().lower() for h in allowed if str(h).strip()}
    return frozenset(h for h in hosts if h)


def _link_local(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_link_local


def _addresses(host: str) -> list[str]:
    try:
        return [str(info[4][0]) for info in socket.getaddrinfo(host, None)]
    except (OSError, UnicodeError):
        return []  # unresolvable: the request itself will fail, with its own error


class EgressPolicy:
    """One partner's outbound allow-list.

    Args:
        partner: partner name, for messages.
        hosts: the host names it may be reached at (see :func:`partner_hosts`).
        allow_link_local: let requests reach link-local/metadata addresses (only
            when a partner really lives there, set explicitly in its options).
    """

    def __init__(self, partner: str, hosts: Iterable[str], *, allow_link_local: bool = False) -> None:
        self.partner = partner
        self.hosts = frozenset(h.lower() for h in hosts)
        self.allow_link_local = allow_link_local

    @classmethod
    def for_partner(cls, partner: PartnerSettings, extra_urls: Iterable[str | None] = ()) -> EgressPolicy:
        """The policy of a configured partner (``extra_urls``: a connector's default endpoints)."""
        return cls(partner.name, partner_hosts(partner, extra_urls),
                   allow_link_local=partner.options.get("allow_link_local") is True)

    def refusal(self, url: str | httpx.URL) -> str | None:
        """Why a request to ``url`` is refused, or ``None`` when it may go."""
        u = httpx.URL(str(url))
        host = (u.host or "").lower()
        if u.scheme not in ("http", "https"):
            return f"scheme {u.scheme!r} is not allowed"
        if host not in self.hosts:
            return f"host {host!r} is not one of partner {self.partner!r}'s configured hosts"
        if self.allow_link_local:
            return None
        if host in METADATA_NAMES or _link_local(host) or any(_link_local(a) for a in _addresses(host)):
            return f"host {host!r} is a link-local or metadata address (set options.allow_link_local to allow it)"
        return None

    def check(self, url: str | httpx.URL) -> None:
        """Raise :class:`EgressRefused` when a request to ``url`` is not allowed."""
        why = self.refusal(url)
        if why:
            raise EgressRefused(f"request refused: {why}")

    def hook(self, request: httpx.Request) -> None:
        """An httpx ``request`` event hook: runs before every request, each redirect hop too."""
        self.check(request.url)
