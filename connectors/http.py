"""The HTTP layer every connector shares: one client per partner per run.

:class:`HttpSession` owns the pooled ``httpx.Client`` (timeouts, declared
User-Agent, redirects only to the partner's own host), the partner's
:class:`~connectors.auth.Authenticator`, its :class:`~connectors.ratelimit.TokenBucket`
and the status→action table of :mod:`connectors.policy`. Bodies are spooled to
a bounded temporary file and decompressed under the same size limit.

httpx exceptions are translated here: nothing outside ``connectors`` sees them.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import tempfile
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urljoin, urlparse

import httpx

from connectors.auth import Authenticator, NoAuth
from connectors.egress import EgressPolicy
from connectors.policy import DEFAULT_ERROR_MAPPING, Action, Key, Resolution, resolve
from connectors.ratelimit import TokenBucket
from jobgate.errors import FatalPartnerError, RetriableError

USER_AGENT = "jobgate/0.1 (+https://github.com/jobgate/jobgate; partner feed collector)"
#: Kept for callers of the first version; the table in :mod:`connectors.policy` decides.
RETRIABLE_STATUS = frozenset(
    k for k, v in DEFAULT_ERROR_MAPPING.items() if isinstance(k, int) and v.action in (Action.RETRY, Action.RATE_LIMITED)
)


@dataclass(frozen=True)
class Limits:
    """Hard limits and politeness for one partner's fetch."""

    max_bytes: int = 2 * 1024**3  # one body, after decompression
    #: Decompressed / compressed bytes past which a body (over RATIO_FLOOR) is a bomb; feeds
    #: compress 5-30×, a gzip bomb about 1000×.
    max_ratio: float = 200.0
    timeout_s: float = 30.0  # connect, and each read: a server silent this long times out
    deadline_s: float = 900.0  # one whole request, body included: a server trickling bytes cannot hold a run
    retries: int = 3  # retries after the first attempt (timeouts, 5xx)
    rate_limited_retries: int = 8  # 429s honoured before giving up
    backoff_s: float = 1.0  # first backoff; doubles each retry, with jitter
    max_retry_after_s: float = 300.0  # a longer Retry-After fails the run (retriable later)
    rate_per_s: float = 5.0  # token bucket: average requests per second (<= 0: no limit)
    burst: int = 5

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Limits:
        """Limits with a partner's ``options`` overrides (``max_bytes``, ``rate_per_s``...)."""
        names = cls.__dataclass_fields__
        return cls(**{k: type(getattr(cls(), k))(v) for k, v in options.items() if k in names})


#: Decompressed bytes under which the ratio is not checked (small bodies compress well).
RATIO_FLOOR = 16 * 1024**2


def bomb_error(partner: str, out: int, packed: int, ratio: float) -> FatalPartnerError:
    """The error for a body expanding past ``ratio``."""
    return FatalPartnerError(
        partner, f"compressed body expands more than {ratio:g}× ({out} bytes from {packed}): "
        "refused as a compression bomb")


class CountingReader(io.RawIOBase):
    """Wraps a binary stream; counts bytes and stops past ``limit``.

    With ``packed`` (the compressed file under a gunzipping ``raw``), it also
    stops when the output outgrows ``max_ratio`` times what was read of it.
    """

    def __init__(self, raw: IO[bytes], partner: str, limit: int, packed: IO[bytes] | None = None,
                 max_ratio: float = Limits.max_ratio) -> None:
        self._raw = raw
        self.partner = partner
        self.limit = limit
        self.count = 0
        self._packed = packed
        self._ratio = max_ratio

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            data = self._raw.read(len(b))
        except (OSError, EOFError, zlib.error) as exc:  # truncated or corrupt gzip
            raise FatalPartnerError(self.partner, f"corrupt compressed body: {exc}") from exc
        n = len(data)
        self.count += n
        if self._packed is not None and self.count > RATIO_FLOOR:
            packed = max(self._packed.tell(), 1)
            if self.count > self._ratio * packed:
                raise bomb_error(self.partner, self.count, packed, self._ratio)
        if self.count > self.limit:
            raise FatalPartnerError(self.partner, f"body larger than the {self.limit} byte limit")
        b[:n] = data
        return n


def bounded_stream(raw: IO[bytes], partner: str, limit: int, max_ratio: float = Limits.max_ratio) -> io.BufferedReader:
    """``raw`` as a buffered stream, gunzipped if it is gzip, never past ``limit`` bytes or ``max_ratio``."""
    head = raw.read(2)
    raw.seek(0)
    if head == b"\x1f\x8b":
        gz = gzip.GzipFile(fileobj=raw, mode="rb")
        return io.BufferedReader(CountingReader(gz, partner, limit, raw, max_ratio))  # type: ignore[arg-type]
    return io.BufferedReader(CountingReader(raw, partner, limit))


def make_client(partner: str, url: str, limits: Limits = Limits(), policy: EgressPolicy | None = None) -> httpx.Client:
    """One HTTP client per partner per run: timeouts, pooling, UA, requests only to allowed hosts.

    ``policy`` (default: the host of ``url`` only) vets every request, each redirect hop
    and the OAuth2 token request included (:mod:`connectors.egress`).
    """
    guard = policy or EgressPolicy(partner, [urlparse(url).hostname or ""])

    def _check_redirect(response: httpx.Response) -> None:
        # Hooks run before httpx builds the next request: read Location ourselves, for a clear reason.
        location = response.headers.get("location")
        if response.is_redirect and location:
            target = response.url.join(location)
            why = guard.refusal(target)
            if why:
                raise FatalPartnerError(partner, f"redirect to another host {target.host!r} refused: {why}")

    return httpx.Client(
        timeout=httpx.Timeout(limits.timeout_s),
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"},
        follow_redirects=True,
        max_redirects=5,
        event_hooks={"request": [guard.hook], "response": [_check_redirect]},
    )


@dataclass
class Response:
    """A fetched page: status, lower-cased headers and a bounded, decompressed body."""

    status: int
    url: str
    headers: dict[str, str]
    body: IO[bytes]
    nbytes: int = 0
    spool: IO[bytes] | None = field(default=None, repr=False)  # the raw spooled body, to re-read
    limit: int = 0
    _json: Any = field(default=None, repr=False)

    @property
    def unchanged(self) -> bool:
        """304 Not Modified (conditional GET)."""
        return self.status == 304

    @property
    def validators(self) -> dict[str, str]:
        """The ``etag`` and ``last_modified`` to send next time (empty values left out)."""
        out = {"etag": self.headers.get("etag", ""), "last_modified": self.headers.get("last-modified", "")}
        return {k: v for k, v in out.items() if v}

    def rewind(self, partner: str) -> None:
        """Start ``body`` again from its first byte."""
        if self.spool is not None:
            self.spool.seek(0)
            self.body = bounded_stream(self.spool, partner, self.limit)

    def json(self, partner: str) -> Any:
        """The body parsed as JSON (cached; the body is rewound for parsers)."""
        if self._json is None:
            self.rewind(partner)
            try:
                self._json = json.loads(self.body.read().decode("utf-8-sig") or "null")
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise FatalPartnerError(partner, f"malformed JSON from {self.url}: {exc}") from exc
            finally:
                self.rewind(partner)
        return self._json

    def close(self) -> None:
        """Release the spooled body."""
        self.body.close()
        if self.spool is not None:
            self.spool.close()


class HttpSession:
    """One partner's HTTP client for one run: auth, rate limit, retries, bounded bodies.

    Build it once per partner per run (the runner does) and close it at the end.
    Counters (``requests``, ``http_errors``, ``bytes``) feed the fetch run record.

    Args:
        partner: partner name, for errors.
        base_url: the partner's URL; redirects may not leave its host.
        limits: size, time and politeness limits.
        auth: the authenticator (default none).
        error_mapping: status/exception → :class:`Resolution` table.
        client: an ``httpx.Client`` to use instead of building one (tests).
        sleep: injectable sleep for backoff.
        policy: the hosts requests may go to (default: ``base_url``'s host only).
    """

    def __init__(
        self,
        partner: str,
        base_url: str,
        *,
        limits: Limits = Limits(),
        auth: Authenticator | None = None,
        error_mapping: Mapping[Key, Resolution] = DEFAULT_ERROR_MAPPING,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        policy: EgressPolicy | None = None,
    ) -> None:
        self.partner = partner
        self.base_url = base_url
        self.host = urlparse(base_url).hostname
        self.policy = policy or EgressPolicy(partner, [self.host or ""])
        self.limits = limits
        self.auth = auth or NoAuth()
        self.error_mapping = error_mapping
        self._own = client is None
        self.client = client or make_client(partner, base_url, limits, self.policy)
        self._sleep = sleep
        self.bucket = TokenBucket(limits.rate_per_s, limits.burst, sleep=sleep)
        self.requests = 0
        self.http_errors = 0
        self.bytes = 0
        self.retry_waits: list[float] = []

    def __enter__(self) -> HttpSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled client if this session built it."""
        if self._own:
            self.client.close()

    def url(self, path_or_url: str) -> str:
        """An absolute URL on one of the partner's hosts (``FatalPartnerError`` otherwise)."""
        url = urljoin(self.base_url, path_or_url)
        why = self.policy.refusal(url)
        if why:
            raise FatalPartnerError(self.partner, f"URL {url!r} is not on the partner's host {self.host!r}: {why}")
        return url

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        validators: Mapping[str, str] | None = None,
    ) -> Response:
        """GET ``url`` with retries; the caller closes the returned :class:`Response`.

        ``validators`` (``etag``, ``last_modified`` from an earlier response) make
        the request conditional; a 304 comes back as ``Response.unchanged``.

        Raises:
            FatalPartnerError: a FAIL action (401 after a refresh, 403, 404...),
                an off-host redirect, a body over the size limit.
            RetriableError: retries or 429s exhausted, or a Retry-After too long.
        """
        hdrs = dict(headers or {})
        if validators:
            if validators.get("etag"):
                hdrs["If-None-Match"] = validators["etag"]
            if validators.get("last_modified"):
                hdrs["If-Modified-Since"] = validators["last_modified"]
        attempts = rate_limited = 0
        refreshed = False
        while True:
            self.bucket.acquire()
            retry_after: float | None = None
            status: int | None = None
            try:
                all_headers = {**self.auth.headers(self.client), **hdrs}
                response = self._send(url, params, all_headers)
            except RetriableError as exc:  # token endpoint down, timeouts
                resolution = Resolution(Action.RETRY, exc.reason)
                retry_after = exc.retry_after
            else:
                status = response.status
                resolution = resolve(status, self.error_mapping)
                if resolution.action in (Action.SUCCESS, Action.IGNORE, Action.UNCHANGED):
                    if resolution.action is Action.IGNORE:
                        response.body.close()
                        response.body = io.BytesIO(b"")
                    return response
                retry_after = _retry_after(response.headers.get("retry-after"))
                response.close()
            self.http_errors += 1
            what = f"HTTP {status} from {url}" if status is not None else f"{resolution.reason} ({url})"
            action = resolution.action
            if action is Action.REFRESH_TOKEN_THEN_RETRY:
                if not refreshed and self.auth.invalidate():
                    refreshed = True
                    continue
                action = Action.FAIL
            if action is Action.FAIL:
                raise FatalPartnerError(self.partner, f"{what}: {resolution.reason}")
            if action is Action.RATE_LIMITED:
                rate_limited += 1
                if rate_limited > self.limits.rate_limited_retries:
                    raise RetriableError(self.partner, f"{what}: still rate limited after {rate_limited - 1} waits", retry_after)
                delay = retry_after if retry_after is not None else self._backoff(rate_limited)
                if delay > self.limits.max_retry_after_s:
                    raise RetriableError(self.partner, f"{what}: Retry-After {delay:.0f}s is too long", delay)
                self.bucket.pause(delay)  # every later request of this partner waits too
                self.retry_waits.append(delay)
                continue
            attempts += 1
            if attempts > self.limits.retries:
                raise RetriableError(self.partner, f"{what} after {attempts} attempts", retry_after)
            delay = retry_after if retry_after is not None else self._backoff(attempts)
            delay = min(delay, self.limits.max_retry_after_s)
            self.retry_waits.append(delay)
            self._sleep(delay)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter around the doubling base."""
        return self.limits.backoff_s * (2 ** (attempt - 1)) * (0.5 + random.random())

    def _send(self, url: str, params: Mapping[str, str] | None, headers: dict[str, str]) -> Response:
        """One request, its body spooled under the size limit; httpx errors translated."""
        self.requests += 1
        spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024**2)  # noqa: SIM115 - returned open
        try:
            self.policy.check(url)  # also when the client was handed in (its hooks are not ours)
            target = httpx.URL(url)
            if params:  # merged, not replacing a query already in the URL (next links)
                target = target.copy_merge_params(dict(params))
            deadline = time.monotonic() + self.limits.deadline_s
            with self.client.stream("GET", target, headers=headers) as resp:
                total = 0
                if resp.status_code < 300:
                    for chunk in resp.iter_bytes():
                        total += len(chunk)
                        # The ratio first: one network chunk of a bomb can pass the size limit at once.
                        if total > RATIO_FLOOR and total > self.limits.max_ratio * max(resp.num_bytes_downloaded, 1):
                            raise bomb_error(self.partner, total, resp.num_bytes_downloaded, self.limits.max_ratio)
                        if total > self.limits.max_bytes:
                            raise FatalPartnerError(
                                self.partner, f"body larger than the {self.limits.max_bytes} byte limit ({url})"
                            )
                        spool.write(chunk)
                        # Each read is within timeout_s, but the whole must end too (slowloris).
                        if time.monotonic() > deadline:
                            raise RetriableError(
                                self.partner, f"response took longer than the {self.limits.deadline_s:g}s deadline "
                                f"({total} bytes read from {url})")
                self.bytes += total
                out_headers = {k.lower(): v for k, v in resp.headers.items()}
                status, final_url = resp.status_code, str(resp.url)
        except (FatalPartnerError, RetriableError):
            spool.close()
            raise
        except (httpx.HTTPError, zlib.error) as exc:
            spool.close()
            res = resolve(exc, self.error_mapping)
            if res.action is Action.FAIL:
                raise FatalPartnerError(self.partner, f"{res.reason} from {url}: {exc}") from exc
            # The library's words say which: "peer closed connection without sending complete
            # message body" (a body cut short), "timed out"...
            detail = f": {exc}" if str(exc) else ""
            raise RetriableError(self.partner, f"{res.reason} fetching {url}{detail}") from exc
        spool.seek(0)
        body = bounded_stream(spool, self.partner, self.limits.max_bytes, self.limits.max_ratio)
        return Response(status, final_url, out_headers, body, total, spool, self.limits.max_bytes)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None
