"""RSS 0.9x/1.0/2.0 and Atom feeds through feedparser (the regional daily case).

Extension elements (Monster-style ``JobBody``, ``CompanyName``...) reach the
mapping lower-cased, as feedparser exposes them. A feed feedparser flags as
broken ("bozo": not well-formed, cut short, not the encoding it declares) fails
the run: nothing half read is stored, nothing closed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import feedparser

from connectors.base import Connector
from connectors.xmlfeed import refuse_entities
from jobgate.errors import FatalPartnerError, RecordError


class RssConnector(Connector):
    """RSS or Atom feed: one record per entry."""

    kind = "rss"
    default_dialect = "rss"
    #: feedparser holds about eight copies of a feed: an RSS feed past 32 MB is refused whole.
    max_bytes = 32 * 1024**2

    def parse(self, stream: IO[bytes]) -> Iterator[dict[str, Any] | RecordError]:
        stream = refuse_entities(stream, self.name)
        data = stream.read()
        try:
            feed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
        except Exception as exc:  # feedparser may raise anything on hostile input
            raise FatalPartnerError(self.name, f"unreadable feed: {exc}") from exc
        if feed.bozo:
            # feedparser reads on past errors: a cut or broken feed would give some entries
            # (the last one half read) and a snapshot would close the others.
            reason = feed.get("bozo_exception")
            if isinstance(reason, feedparser.CharacterEncodingOverride):
                raise FatalPartnerError(self.name, f"malformed feed: bytes that are not valid UTF-8 ({reason})")
            raise FatalPartnerError(self.name, f"malformed feed: {reason}")
        for entry in feed.entries:
            yield {k: v for k, v in dict(entry).items() if not k.endswith("_parsed")}
