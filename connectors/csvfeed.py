"""CSV exports with a declared field mapping (column names as paths).

Bytes are read as UTF-8, or as Windows-1252 when the file holds no UTF-8 at
all; a UTF-8 file with a few bad bytes is read on and only the rows holding
them are quarantined. Quoting is strict: a quoted field that never closes (a
file cut short, a stray quote) fails the run instead of swallowing the rows
after it into one field; a last row with fewer cells than the header is a file
cut short too, while such a row elsewhere is quarantined. A field over
:data:`~connectors.base.MAX_FIELD_CHARS` fails the run (the reader cannot go on
past it), like lxml's 10 MB text limit for XML.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import IO, Any

from connectors.base import MAX_FIELD_CHARS, Connector
from connectors.jsonapi import IN_MEMORY_MAX_BYTES, decode_utf8
from jobgate.errors import FatalPartnerError, RecordError

#: A well-formed UTF-8 multi-byte sequence: a file holding some is UTF-8, whatever else it holds.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


class CsvConnector(Connector):
    """CSV file: one record per row; the header names the columns."""

    kind = "csv"
    default_dialect = "jobposting"
    plain_records = True
    max_bytes = IN_MEMORY_MAX_BYTES

    def parse(self, stream: IO[bytes]) -> Iterator[dict[str, Any] | RecordError]:
        raw = stream.read()
        text, invalid = decode_utf8(raw)
        if invalid and not _UTF8_SEQUENCE.search(raw):
            text, invalid = raw.decode("cp1252", "surrogateescape"), False  # a Windows export
        del raw  # a hostile 50 MB field must not be held three times over
        self.invalid_utf8 = invalid
        delimiter = self.partner.options.get("delimiter")
        if not delimiter:
            try:
                delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
            except csv.Error:
                delimiter = ","
        # The reader builds a field at four bytes a character: one past the field cap fails the
        # file (the reader cannot resync after it) rather than hold a hostile 50 MB field.
        csv.field_size_limit(MAX_FIELD_CHARS)
        # Lines one at a time, not a StringIO, which would copy the text at four bytes a character.
        reader = csv.DictReader(_lines(text), delimiter=delimiter, strict=True)
        short: RecordError | None = None
        try:
            for row in reader:
                if short is not None:  # a short row with rows after it: just a bad row
                    yield short
                    short = None
                if None in row:
                    yield RecordError(self.name, f"line {reader.line_num}", "more cells than header columns")
                    continue
                record = {k.strip(): (v or "").strip() for k, v in row.items() if k}
                if any(v is None for v in row.values()):
                    short = RecordError(self.name, f"line {reader.line_num}", "fewer cells than header columns")
                    short.payload = repr(record)
                    continue
                yield record
        except csv.Error as exc:
            what = str(exc)
            if "end of data" in what:
                what = f"{what} (a quoted field that never closes)"
                raise FatalPartnerError(self.name, f"malformed or truncated CSV at line {reader.line_num}: {what}") from exc
            if "field limit" in what:
                what = f"a field over the {MAX_FIELD_CHARS}-character limit ({what})"
            raise FatalPartnerError(self.name, f"malformed CSV at line {reader.line_num}: {what}") from exc
        if short is not None:
            raise FatalPartnerError(self.name, f"truncated CSV: its last row (line {reader.line_num}) has fewer "
                                    "cells than the header")


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$")


def _lines(text: str) -> Iterator[str]:
    """``text``'s lines with their endings (``\\r\\n``, ``\\n`` or ``\\r``), as ``newline=""`` reads them."""
    for match in _LINE.finditer(text):
        yield match.group()
