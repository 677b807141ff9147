"""Streaming XML feeds (Indeed-style ``<source><job>`` and declared dialects).

Parsed with lxml ``iterparse`` element by element, cleared as we go, so memory
does not depend on feed size. Entities are not resolved, DTDs not loaded and the
network never used (no XXE, no entity expansion bombs).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from connectors.base import Connector
from jobgate.errors import FatalPartnerError, RecordError

_SNIFF = 65536
#: The prolog (declaration, comments, DOCTYPE) read before the root element at most.
PROLOG_MAX = 1024 * 1024


def localname(tag: Any) -> str:
    """Tag without its namespace."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2] if "}" in tag else tag


def element_to_dict(el: Any) -> Any:
    """An element as plain data: text for a bare leaf, else a dict.

    Children become keys (repeated ones a list), attributes ``@name`` and the
    element's own text ``#text``. Leaf children (the usual ``<title>``,
    ``<city>``...) are read inline, without a call each: this runs once per
    field of every record of the feed.
    """
    attrib = el.attrib
    out: dict[str, Any] = {f"@{localname(k)}": v for k, v in attrib.items()} if attrib else {}
    has_children = False
    for c in el:
        tag = c.tag
        if tag.__class__ is not str:
            continue  # comments and processing instructions
        has_children = True
        if "}" in tag:
            tag = tag.rpartition("}")[2]
        if len(c) or c.attrib:
            val = element_to_dict(c)
        else:
            text = c.text
            val = text.strip() if text else ""
        prev = out.get(tag, _MISSING)
        if prev is _MISSING:
            out[tag] = val
        elif isinstance(prev, list):
            prev.append(val)
        else:
            out[tag] = [prev, val]
    text = el.text
    text = text.strip() if text else ""
    if not has_children and not attrib:
        return text
    if text or not has_children:
        out["#text"] = text
    return out


_MISSING = object()


def refuse_entities(stream: IO[bytes], partner: str) -> IO[bytes]:
    """``stream`` from its first byte, once its prolog was checked for entity declarations.

    Everything before the root element is read (at most :data:`PROLOG_MAX`) and
    refused when it declares entities or has an internal DTD subset (XXE and
    expansion bombs), wherever they hide: after a long comment, in UTF-16. Job
    feeds never need either.

    Raises:
        FatalPartnerError: entity declarations, or a prolog longer than the limit.
    """
    head = b""
    while True:
        chunk = stream.read(_SNIFF)
        head += chunk
        verdict = _scan_prolog(_prolog_text(head))
        if verdict is not None or not chunk:
            break
        if len(head) > PROLOG_MAX:
            raise FatalPartnerError(partner, f"XML prolog (before the root element) longer than {PROLOG_MAX} bytes: refused")
    if verdict == "entity":
        raise FatalPartnerError(partner, "XML entity declarations are refused (XXE / entity expansion)")
    return io.BufferedReader(_Replay(head, stream))


def _prolog_text(head: bytes) -> str:
    """The head as text for markup scanning (UTF-16 told by its BOM or its first '<')."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head.decode("utf-16", "ignore")
    if head[:2] == b"<\x00":
        return head.decode("utf-16-le", "ignore")
    if head[:2] == b"\x00<":
        return head.decode("utf-16-be", "ignore")
    return head.decode("latin-1")


def _scan_prolog(text: str) -> str | None:
    """``"entity"``, ``"root"`` (the root element starts, nothing refused) or None (read more)."""
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n\ufeff":
            i += 1
        if i >= n:
            return None
        if text.startswith("<?", i) or text.startswith("<!--", i):
            closer = "?>" if text[i + 1] == "?" else "-->"
            end = text.find(closer, i + 2)
            if end < 0:
                return None
            i = end + len(closer)
            continue
        if text.startswith("<!", i):
            if n - i < 9:
                return None
            close = text.find(">", i)
            subset = text.find("[", i)
            if "ENTITY" in text[i:close if close >= 0 else n].upper() or 0 <= subset < (close if close >= 0 else n):
                return "entity"  # an internal subset or an entity declaration
            if close < 0:
                return None
            i = close + 1
            continue
        return "root"  # the root element, or text the parser will refuse


class _Replay(io.RawIOBase):
    """The bytes already read, then the rest of the stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head.nbytes:
            n = min(len(b), self._head.nbytes)
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(b))
        b[: len(data)] = data
        return len(data)


class XmlFeedConnector(Connector):
    """XML feed: one record per ``item_tag`` element."""

    kind = "xml"
    default_dialect = "indeed"
    plain_records = True

    def parse(self, stream: IO[bytes]) -> Iterator[dict[str, Any] | RecordError]:
        stream = refuse_entities(stream, self.name)
        tag = self.dialect.item_tag or "job"
        parser = etree.iterparse(
            stream,
            events=("end",),
            tag=tag,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            recover=False,
        )
        read = 0
        try:
            for _event, el in parser:
                read += 1
                yield element_to_dict(el)
                # Free what we have read: the element and its earlier siblings.
                el.clear(keep_tail=False)
                parent = el.getparent()
                if parent is not None:
                    while el.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as exc:
            # Records read before the error are kept; the run fails, so nothing is closed.
            what = str(exc)
            if "encoding" in what.lower() or "utf-8" in what.lower():
                what = f"bytes that are not valid UTF-8 (or the declared encoding): {what}"
            elif "huge text node" in what or "text node too long" in what.lower():
                what = f"a text over lxml's 10 MB limit (a hostile or broken record): {what}"
            raise FatalPartnerError(self.name, f"malformed XML after {read} <{tag}> records: {what}") from exc
