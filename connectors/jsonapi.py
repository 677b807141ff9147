"""JSON feeds and APIs (Cadremploi-style): records path plus field mapping.

The default dialect is schema.org JobPosting, found as a top-level list or under
``items``, ``results``, ``jobs``, ``data``, ``resultats`` or ``ads``; a single
object is one record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from connectors.base import Connector
from connectors.mapping import resolve
from jobgate.errors import FatalPartnerError, RecordError

LIST_KEYS = ("items", "results", "jobs", "data", "resultats", "ads", "offers", "@graph")


def find_records(doc: Any, path: str | None) -> list[Any]:
    """The list of records in a JSON document."""
    if path:
        found = doc
        for part in path.split("/"):
            found = found.get(part) if isinstance(found, dict) else None
        if found is None:
            return []
        return found if isinstance(found, list) else [found]
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        for key in LIST_KEYS:
            if isinstance(doc.get(key), list):
                return list(doc[key])
        return [doc]
    return []


#: Default body limit of the kinds that parse a whole document in memory.
IN_MEMORY_MAX_BYTES = 128 * 1024**2


def decode_utf8(raw: bytes) -> tuple[str, bool]:
    """``raw`` as text, and whether it held bytes that are not UTF-8 (kept as lone surrogates).

    A document with a few bad bytes is still read, so only the records holding
    them are quarantined (:func:`connectors.base.invalid_utf8_path` finds them).
    """
    try:
        return raw.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "surrogateescape"), True


def load_json(stream: IO[bytes], partner: str) -> tuple[Any, bool]:
    """Parse a JSON body, translating errors; also whether it held bytes that are not UTF-8."""
    text, invalid = decode_utf8(stream.read())
    try:
        return json.loads(text), invalid
    except json.JSONDecodeError as exc:
        raise FatalPartnerError(partner, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc


class JsonConnector(Connector):
    """JSON document or API response: one record per list item."""

    kind = "json"
    default_dialect = "jobposting"
    plain_records = True
    max_bytes = IN_MEMORY_MAX_BYTES

    def parse(self, stream: IO[bytes]) -> Iterator[dict[str, Any] | RecordError]:
        doc, self.invalid_utf8 = load_json(stream, self.name)
        for i, rec in enumerate(find_records(doc, self.dialect.records_path)):
            if not isinstance(rec, dict):
                yield RecordError(self.name, f"#{i + 1}", f"record is a {type(rec).__name__}, not an object")
                continue
            if rec.get("@type") not in (None, "JobPosting") and resolve(rec, "title") is None:
                continue
            yield rec
