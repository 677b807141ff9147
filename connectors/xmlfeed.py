"""Streaming XML feeds (Indeed-style ``<source><job>`` and declared dialects).

Parsed with lxml ``iterparse`` element by element, cleared as we go, so memory
does not depend on feed size. Entities are not resolved, DTDs not loaded and the
network never used (no XXE, no entity expansion bombs).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from connectors.base import Connector
from jobgate.errors import FatalPartnerError, RecordError

_SNIFF = 65536


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


def refuse_entities(stream: IO[bytes], partner: str) -> None:
    """Refuse documents that declare entities (XXE and expansion bombs)."""
    head = stream.peek(_SNIFF)[:_SNIFF] if hasattr(stream, "peek") else b""
    if b"<!ENTITY" in head or b"<!entity" in head:
        raise FatalPartnerError(partner, "XML entity declarations are refused (XXE / entity expansion)")


class XmlFeedConnector(Connector):
    """XML feed: one record per ``item_tag`` element."""

    kind = "xml"
    default_dialect = "indeed"
    plain_records = True

    def parse(self, stream: IO[bytes]) -> Iterator[dict[str, Any] | RecordError]:
        refuse_entities(stream, self.name)
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
        try:
            for _event, el in parser:
                yield element_to_dict(el)
                # Free what we have read: the element and its earlier siblings.
                el.clear(keep_tail=False)
                parent = el.getparent()
                if parent is not None:
                    while el.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as exc:
            raise FatalPartnerError(self.name, f"malformed XML: {exc}") from exc
