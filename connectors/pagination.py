"""Pagination strategies: objects a connector picks (Singer's paginators).

A paginator turns a *token* into request parameters and, given the response
and how many records it held, returns the next token or ``None`` when the
listing is over. Tokens are JSON values: the runner saves the next token in the
partner's state once a page is stored, so a killed run resumes at that page.

Choose one in a partner's options::

    options = { pagination = "page", page_param = "page", page_size = 50, size_param = "per_page" }
    options = { pagination = "offset", offset_param = "offset", limit_param = "limit", page_size = 100 }
    options = { pagination = "range", page_size = 150 }           # France Travail range=p-d
    options = { pagination = "cursor", cursor_path = "meta/next_cursor", cursor_param = "cursor" }
    options = { pagination = "next" }                              # Link: <...>; rel="next" or body "next"
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from connectors.http import Response
from connectors.mapping import resolve
from jobgate.errors import ConfigError, FatalPartnerError

Token = Any


class Paginator(ABC):
    """Which page to ask for next.

    Override :meth:`params` (and :meth:`url` if the token is a link) and
    :meth:`next_token`. Raise :class:`FatalPartnerError` when a response's
    paging information is unusable.
    """

    #: The token of the first page.
    start: Token = None

    def params(self, token: Token) -> dict[str, str]:
        """Query parameters for the page ``token``."""
        return {}

    def url(self, token: Token, base: str) -> str:
        """The URL for the page ``token`` (default: always ``base``)."""
        return base

    @abstractmethod
    def next_token(self, token: Token, response: Response, count: int, partner: str) -> Token | None:
        """The token after ``token``, or ``None`` when the listing is complete."""


class SinglePage(Paginator):
    """The whole listing in one response (feeds, exports)."""

    def next_token(self, token: Token, response: Response, count: int, partner: str) -> Token | None:
        return None


class PageNumberPaginator(Paginator):
    """``?page=1``, ``?page=2``... until a short or empty page.

    Args:
        param: page number parameter.
        start: first page number.
        size: records per page (a shorter page is the last); ``None``: stop at an empty page.
        size_param: parameter that sets the page size, if the API has one.
    """

    def __init__(self, param: str = "page", start: int = 1, size: int | None = None, size_param: str | None = None) -> None:
        self.param, self.start, self.size, self.size_param = param, start, size, size_param

    def params(self, token: Token) -> dict[str, str]:
        out = {self.param: str(token)}
        if self.size_param and self.size:
            out[self.size_param] = str(self.size)
        return out

    def next_token(self, token: Token, response: Response, count: int, partner: str) -> Token | None:
        if count == 0 or (self.size is not None and count < self.size):
            return None
        return int(token) + 1


class OffsetPaginator(Paginator):
    """``?offset=0&limit=100``, ``?offset=100&limit=100``... until a short page."""

    start = 0

    def __init__(self, offset_param: str = "offset", limit_param: str = "limit", size: int = 100) -> None:
        self.offset_param, self.limit_param, self.size = offset_param, limit_param, size

    def params(self, token: Token) -> dict[str, str]:
        return {self.offset_param: str(token), self.limit_param: str(self.size)}

    def next_token(self, token: Token, response: Response, count: int, partner: str) -> Token | None:
        return None if count < self.size else int(token) + self.size


_CONTENT_RANGE = re.compile(r"^\s*\w*\s*(\d+)-(\d+)/(\d+|\*)\s*$")


def parse_content_range(value: str | None) -> tuple[int, int, int | None] | None:
    """``"offres 0-149/353"`` → ``(0, 149, 353)``; ``None`` if absent or malformed."""
    if not value:
        return None
    m = _CONTENT_RANGE.match(value)
    if not m:
        return None
    total = None if m.group(3) == "*" else int(m.group(3))
    return int(m.group(1)), int(m.group(2)), total


class RangePaginator(Paginator):
    """France Travail style: ``range=0-149`` asked, ``Content-Range: offres 0-149/353`` answered.

    206 means more may follow, 200 that this was everything. The token is the
    first index of the next page.

    Args:
        param: query parameter carrying ``first-last``.
        size: records per page (France Travail: at most 150).
    """

    start = 0

    def __init__(self, param: str = "range", size: int = 150) -> None:
        self.param, self.size = param, size

    def params(self, token: Token) -> dict[str, str]:
        first = int(token)
        return {self.param: f"{first}-{first + self.size - 1}"}

    def next_token(self, token: Token, response: Response, count: int, partner: str) -> Token | None:
        if response.status != 206 or count == 0:
            return None
        parsed = parse_content_range(response.headers.get("content-range"))
        if parsed is None:
            raise FatalPartnerError(partner, f"206 without a usable Content-Range from {response.url}")
        _first, last, total = parsed
        if total is not None and last + 1 >= total:
            return None
        return last + 1


class CursorPaginator(Paginator):
    """An opaque cursor read from the body (``meta/next_cursor``) and sent back as a parameter."""

    def __init__(self, path: str = "next_cursor", param: str = "cursor") -> None:
        self.path, self.param = path, param

    def params(self, token: Token) -> dict[str, str]:
        return {self.param: str(token)} if token else {}

    def next_token(self, token: Token, response: Response, count: int, partner: str) -> Token | None:
        nxt = resolve(response.json(partner), self.path)
        return nxt if nxt not in (None, "", token) and count else None


_LINK_NEXT = re.compile(r'<([^>]+)>\s*;[^,]*rel="?next"?', re.IGNORECASE)


class NextLinkPaginator(Paginator):
    """Follow ``Link: <url>; rel="next"``, or a ``next`` URL in the JSON body (``path``)."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path

    def url(self, token: Token, base: str) -> str:
        return str(token) if token else base

    def next_token(self, token: Token, response: Response, count: int, partner: str) -> Token | None:
        link = response.headers.get("link", "")
        m = _LINK_NEXT.search(link)
        nxt = m.group(1) if m else None
        if nxt is None and self.path:
            value = resolve(response.json(partner), self.path)
            nxt = str(value) if value else None
        if not nxt or not count:
            return None
        return urljoin(response.url, nxt)


def paginator_from_options(options: Mapping[str, Any], default: str | None = None) -> Paginator:
    """The paginator a partner's ``options.pagination`` names (see module doc).

    Raises:
        ConfigError: an unknown pagination name.
    """
    kind = options.get("pagination", default)
    size = options.get("page_size")
    if kind in (None, "none", "single"):
        return SinglePage()
    if kind == "page":
        return PageNumberPaginator(options.get("page_param", "page"), int(options.get("page_start", 1)),
                                   int(size) if size else None, options.get("size_param"))
    if kind == "offset":
        return OffsetPaginator(options.get("offset_param", "offset"), options.get("limit_param", "limit"),
                               int(size or 100))
    if kind == "range":
        return RangePaginator(options.get("range_param", "range"), int(size or 150))
    if kind == "cursor":
        return CursorPaginator(options.get("cursor_path", "next_cursor"), options.get("cursor_param", "cursor"))
    if kind == "next":
        return NextLinkPaginator(options.get("next_path"))
    raise ConfigError(f"unknown pagination {kind!r} (known: page, offset, range, cursor, next)")
