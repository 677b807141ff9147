"""CSV exports with a declared field mapping (column names as paths)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO, Any

from connectors.base import Connector
from jobgate.errors import FatalPartnerError, RecordError


class CsvConnector(Connector):
    """CSV file: one record per row; the header names the columns."""

    kind = "csv"
    default_dialect = "jobposting"
    plain_records = True

    def parse(self, stream: IO[bytes]) -> Iterator[dict[str, Any] | RecordError]:
        raw = stream.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - cp1252 decodes nearly everything
            raise FatalPartnerError(self.name, "CSV is neither UTF-8 nor Windows-1252")
        delimiter = self.partner.options.get("delimiter")
        if not delimiter:
            try:
                delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
            except csv.Error:
                delimiter = ","
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for row in reader:
                if None in row:
                    yield RecordError(self.name, f"line {reader.line_num}", "more cells than header columns")
                    continue
                yield {k.strip(): (v or "").strip() for k, v in row.items() if k}
        except csv.Error as exc:
            raise FatalPartnerError(self.name, f"malformed CSV at line {reader.line_num}: {exc}") from exc
