"""Opening a partner source: a local file or an HTTP(S) URL, with hard limits.

Library exceptions (httpx, OS errors) are translated here into jobgate errors,
so nothing outside ``connectors`` sees them.
"""

from __future__ import annotations

import gzip
import io
import random
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlparse

import httpx

from jobgate.errors import FatalPartnerError, RetriableError

USER_AGENT = "jobgate/0.1 (+https://github.com/jobgate/jobgate; partner feed collector)"
RETRIABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Limits:
    """Hard limits on what one fetch may read."""

    max_bytes: int = 2 * 1024**3  # body, after decompression
    timeout_s: float = 30.0
    retries: int = 3
    backoff_s: float = 1.0
    max_retry_after_s: float = 300.0


class CountingReader(io.RawIOBase):
    """Wraps a binary stream; counts bytes and stops past ``limit``."""

    def __init__(self, raw: IO[bytes], partner: str, limit: int) -> None:
        self._raw = raw
        self.partner = partner
        self.limit = limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(b))
        n = len(data)
        self.count += n
        if self.count > self.limit:
            raise FatalPartnerError(self.partner, f"body larger than the {self.limit} byte limit")
        b[:n] = data
        return n


def _maybe_gunzip(raw: IO[bytes], partner: str, limit: int) -> IO[bytes]:
    """Transparently decompress gzip bodies, bounded by ``limit`` decompressed bytes."""
    head = raw.read(2)
    raw.seek(0)
    if head == b"\x1f\x8b":
        return io.BufferedReader(CountingReader(gzip.GzipFile(fileobj=raw), partner, limit))  # type: ignore[arg-type]
    return io.BufferedReader(CountingReader(raw, partner, limit))


@contextmanager
def open_source(
    location: str,
    partner: str,
    *,
    limits: Limits = Limits(),
    client: httpx.Client | None = None,
    headers: dict[str, str] | None = None,
) -> Iterator[IO[bytes]]:
    """Open ``location`` (path or http/https URL) as a bounded binary stream.

    Raises:
        FatalPartnerError: missing file, 4xx, off-host redirect, body too large.
        RetriableError: timeouts, connection errors, 429 and 5xx after retries.
    """
    scheme = urlparse(location).scheme
    if scheme in ("http", "https"):
        with _download(location, partner, limits, client, headers or {}) as fh:
            yield _maybe_gunzip(fh, partner, limits.max_bytes)
        return
    path = Path(location)
    try:
        fh = path.open("rb")
    except FileNotFoundError as exc:
        raise FatalPartnerError(partner, f"source file {path} not found") from exc
    except OSError as exc:
        raise FatalPartnerError(partner, f"cannot read source file {path}: {exc.strerror}") from exc
    with fh:
        yield _maybe_gunzip(fh, partner, limits.max_bytes)


@contextmanager
def _download(
    url: str,
    partner: str,
    limits: Limits,
    client: httpx.Client | None,
    headers: dict[str, str],
) -> Iterator[IO[bytes]]:
    own = client is None
    http = client or make_client(partner, url, limits)
    try:
        attempt = 0
        while True:
            attempt += 1
            try:
                spool = _get_to_spool(http, url, partner, limits, headers)
                break
            except RetriableError as exc:
                if attempt > limits.retries:
                    raise
                delay = exc.retry_after
                if delay is None:
                    delay = limits.backoff_s * (2 ** (attempt - 1)) * (0.5 + random.random())
                time.sleep(min(delay, limits.max_retry_after_s))
        with spool:
            yield spool
    finally:
        if own:
            http.close()


def make_client(partner: str, url: str, limits: Limits = Limits()) -> httpx.Client:
    """One HTTP client per partner per run: timeouts, pooling, UA, same-host redirects only."""
    host = urlparse(url).hostname

    def _check_redirect(response: httpx.Response) -> None:
        if response.is_redirect:
            target = response.next_request.url.host if response.next_request else None
            if target and target != host:
                raise FatalPartnerError(partner, f"redirect to another host {target!r} refused")

    return httpx.Client(
        timeout=httpx.Timeout(limits.timeout_s),
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"},
        follow_redirects=True,
        max_redirects=5,
        event_hooks={"response": [_check_redirect]},
    )


def _get_to_spool(
    http: httpx.Client, url: str, partner: str, limits: Limits, headers: dict[str, str]
) -> IO[bytes]:
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024**2)  # noqa: SIM115 - handed to the caller, closed there
    try:
        with http.stream("GET", url, headers=headers) as resp:
            if resp.status_code in RETRIABLE_STATUS:
                raise RetriableError(
                    partner, f"HTTP {resp.status_code} from {url}", _retry_after(resp)
                )
            if resp.status_code >= 400:
                raise FatalPartnerError(partner, f"HTTP {resp.status_code} from {url}")
            total = 0
            for chunk in resp.iter_bytes():
                total += len(chunk)
                if total > limits.max_bytes:
                    raise FatalPartnerError(
                        partner, f"body larger than the {limits.max_bytes} byte limit"
                    )
                spool.write(chunk)
    except (RetriableError, FatalPartnerError):
        spool.close()
        raise
    except httpx.TimeoutException as exc:
        spool.close()
        raise RetriableError(partner, f"timeout fetching {url}") from exc
    except (httpx.DecodingError, zlib.error) as exc:
        spool.close()
        raise FatalPartnerError(partner, f"undecodable body from {url}: {exc}") from exc
    except httpx.TooManyRedirects as exc:
        spool.close()
        raise FatalPartnerError(partner, f"too many redirects from {url}") from exc
    except httpx.TransportError as exc:
        spool.close()
        raise RetriableError(partner, f"cannot reach {url}: {exc.__class__.__name__}") from exc
    spool.seek(0)
    return spool


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("Retry-After")
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
