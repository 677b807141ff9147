"""The connector framework: a connector is a declaration, the framework runs it.

A connector subclass declares its ``kind`` and a default :class:`Dialect`, and
implements :meth:`Connector.parse`, turning an opened source stream into partner
records (plain dicts). The framework maps fields, extracts external ids, turns
bad records into :class:`RecordError` values (quarantined by the runner), and
translates library exceptions.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import IO, Any, ClassVar

from connectors.dialects import DIALECTS, Dialect
from connectors.mapping import apply_mapping
from jobgate.config import PartnerSettings
from jobgate.errors import ConfigError, FatalPartnerError, RecordError
from jobgate.schema import SourceRecord

#: Fields a record must have; a record without them is quarantined.
REQUIRED_FIELDS = ("title",)


class Connector(ABC):
    """Base of every connector kind.

    Subclasses declare ``kind`` and ``default_dialect`` and implement
    :meth:`parse`. Override :meth:`post_process` to fix one partner's quirks on
    the mapped fields (return them, or raise :class:`RecordError`).

    Args:
        partner: the partner's validated settings.
    """

    kind: ClassVar[str]
    default_dialect: ClassVar[str]

    def __init__(self, partner: PartnerSettings) -> None:
        self.partner = partner
        self.name = partner.name
        name = partner.dialect or self.default_dialect
        if name not in DIALECTS:
            raise ConfigError(
                f"partner {partner.name!r}: unknown dialect {name!r} "
                f"(known: {', '.join(sorted(DIALECTS))})"
            )
        base = DIALECTS[name]
        self.dialect = Dialect(
            name=base.name,
            item_tag=partner.item_tag or base.item_tag,
            records_path=partner.records_path or base.records_path,
            mapping={**base.mapping, **partner.mapping},
        )

    @abstractmethod
    def parse(self, stream: IO[bytes]) -> Iterator[dict[str, Any] | RecordError]:
        """Yield partner records (dicts) read from ``stream``, in source order.

        Yield a :class:`RecordError` for one unreadable record and go on; raise
        :class:`FatalPartnerError` when the source as a whole cannot be read
        (the run stops, nothing is closed).
        """

    def post_process(self, fields: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
        """Adjust mapped fields of one record (override for partner quirks)."""
        return fields

    def records(self, stream: IO[bytes]) -> Iterator[SourceRecord | RecordError]:
        """Parse, map and validate records; bad ones come out as :class:`RecordError`."""
        for index, item in enumerate(self.parse(stream)):
            if isinstance(item, RecordError):
                yield item
                continue
            try:
                yield self.to_source_record(item, index)
            except RecordError as err:
                err.payload = _dump(item)
                yield err

    def to_source_record(self, record: dict[str, Any], index: int) -> SourceRecord:
        """Map one partner record to a :class:`SourceRecord` or raise :class:`RecordError`."""
        fields = apply_mapping(record, self.dialect.mapping)
        ext = fields.pop("external_id", None)
        if isinstance(ext, (int, float)):
            ext = str(ext)
        if not isinstance(ext, str) or not ext.strip():
            raise RecordError(self.name, f"#{index + 1}", "no external id", field="external_id")
        ext = ext.strip()
        if len(ext) > 512:
            raise RecordError(self.name, ext[:40] + "...", "external id longer than 512 characters", field="external_id")
        fields = self.post_process(fields, record)
        for name in REQUIRED_FIELDS:
            value = fields.get(name)
            if not isinstance(value, str) or not value.strip():
                raise RecordError(self.name, ext, "missing or empty", field=name)
        return SourceRecord(partner=self.name, external_id=ext, fields=_jsonable(fields), payload=_jsonable(record))


def _dump(record: Any) -> str:
    """A record as JSON text for the quarantine (never fails)."""
    return json.dumps(record, ensure_ascii=False, default=str)


def _jsonable(value: Any) -> Any:
    """Make a value JSON-safe (datetimes, structs from feedparser...)."""
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return json.loads(json.dumps(value, default=str))


def raise_unreadable(partner: str, what: str, exc: Exception) -> FatalPartnerError:
    """A fatal error for a source that cannot be parsed at all."""
    return FatalPartnerError(partner, f"cannot read {what}: {exc}")
