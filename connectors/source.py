"""Opening a partner source: a local file or an HTTP(S) URL, with hard limits.

Files are opened here; URLs go through :class:`connectors.http.HttpSession`.
Library exceptions (httpx, OS errors) are translated into jobgate errors, so
nothing outside ``connectors`` sees them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from urllib.parse import urlparse

import httpx

from connectors.http import (
    RETRIABLE_STATUS,
    USER_AGENT,
    CountingReader,
    HttpSession,
    Limits,
    bounded_stream,
    make_client,
)
from jobgate.errors import FatalPartnerError

__all__ = [
    "RETRIABLE_STATUS",
    "USER_AGENT",
    "CountingReader",
    "Limits",
    "is_url",
    "make_client",
    "open_file",
    "open_source",
]


def is_url(location: str) -> bool:
    """Whether ``location`` is an http(s) URL (else a path)."""
    return urlparse(location).scheme in ("http", "https")


@contextmanager
def open_file(location: str, partner: str, limits: Limits | None = None) -> Iterator[io.BufferedReader]:
    """A local file as a bounded, transparently gunzipped binary stream.

    Raises:
        FatalPartnerError: missing or unreadable file, body too large.
    """
    path = Path(location)
    try:
        fh = path.open("rb")
    except FileNotFoundError as exc:
        raise FatalPartnerError(partner, f"source file {path} not found") from exc
    except OSError as exc:
        raise FatalPartnerError(partner, f"cannot read source file {path}: {exc.strerror}") from exc
    with fh:
        limits = limits or Limits()
        yield bounded_stream(fh, partner, limits.max_bytes, limits.max_ratio)


@contextmanager
def open_source(
    location: str,
    partner: str,
    *,
    limits: Limits | None = None,
    client: httpx.Client | None = None,
    headers: dict[str, str] | None = None,
    session: HttpSession | None = None,
) -> Iterator[IO[bytes]]:
    """Open ``location`` (path or http/https URL) as a bounded binary stream.

    Raises:
        FatalPartnerError: missing file, 4xx, off-host redirect, body too large.
        RetriableError: timeouts, connection errors, 429 and 5xx after retries.
    """
    limits = limits or Limits()
    if not is_url(location):
        with open_file(location, partner, limits) as stream:
            yield stream
        return
    own = session is None
    http = session or HttpSession(partner, location, limits=limits, client=client)
    try:
        response = http.get(location, headers=headers)
        try:
            yield response.body
        finally:
            response.close()
    finally:
        if own:
            http.close()
