"""Bulk upsert of raw records through the DBAPI cursor (SQLite and PostgreSQL).

Reading a big feed writes hundreds of thousands of raw records; at that scale
SQLAlchemy's per-row parameter processing costs as much as the database work
itself, so this path hands pre-serialised rows straight to the driver's
``executemany`` (psycopg pipelines it). A record is *prepared* first
(:func:`prepare_record`: canonical payload JSON, its hash, the fields JSON);
preparing is pure CPU work that a connector may do in another process.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection

from jobgate.schema import SourceRecord

#: Parameters per ``IN (...)`` list (SQLite's historical limit is 999).
_IN_CHUNK = 900


class PreparedRecord(NamedTuple):
    """A raw record ready to write: the canonical payload JSON is what is hashed and stored."""

    partner: str
    external_id: str
    payload: str
    fields: str
    content_hash: str


# Encoders built once: ``json.dumps`` with options builds a new encoder on every call.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
# orjson writes the same text as the stdlib encoders above for what partners send (str, int,
# float, bool, None, lists, dicts with str keys; keys sorted by code point either way) at a
# third of the cost; dates and dataclasses are passed through to ``str`` as the stdlib does.
# What it refuses (ints over 64 bits, non-str keys, lone surrogates) goes to the stdlib
# encoder. Two differences are left, both rare in job offers and both still valid JSON: a
# float under 1e-4 has a shorter exponent (``1e-7``, not ``1e-07``), and a NaN or infinite
# float becomes ``null`` rather than JSON's non-standard ``NaN``: a stored record holding one
# is seen as updated once after the upgrade, nothing more.
_ORJSON_OPTS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def canonical_json(payload: Any) -> str:
    """The JSON text a payload is hashed (and stored) as: keys sorted, compact."""
    try:
        return orjson.dumps(payload, default=str, option=_ORJSON_OPTS | orjson.OPT_SORT_KEYS).decode("utf-8")
    except (orjson.JSONEncodeError, TypeError):
        return _CANONICAL.encode(payload)


def json_text(value: Any) -> str:
    """Compact JSON text (keys in their order)."""
    try:
        return orjson.dumps(value, default=str, option=_ORJSON_OPTS).decode("utf-8")
    except (orjson.JSONEncodeError, TypeError):
        return _COMPACT.encode(value)


def prepare_record(rec: SourceRecord) -> PreparedRecord:
    """Serialise and hash one record (no database access)."""
    payload = canonical_json(rec.payload)
    return PreparedRecord(rec.partner, rec.external_id, payload, json_text(rec.fields),
                          hashlib.sha256(payload.encode("utf-8")).hexdigest())


class BulkCounts(NamedTuple):
    """What one bulk upsert did."""

    new: int
    updated: int
    unchanged: int


def upsert_prepared(conn: Connection, run_id: int, records: Sequence[PreparedRecord], now: datetime) -> BulkCounts:
    """Insert new records, update changed or gone ones, touch unchanged ones.

    Runs inside the caller's transaction on ``conn``. A feed repeating an id
    keeps its last occurrence, counted once. Inserts use ``ON CONFLICT`` on
    (partner, external id), so a concurrent run storing the same record cannot
    fail the batch.
    """
    if not records:
        return BulkCounts(0, 0, 0)
    by_key: dict[tuple[str, str], PreparedRecord] = {}
    for r in records:
        by_key[(r.partner, r.external_id)] = r
    dialect = conn.dialect
    pg = dialect.name == "postgresql"
    mark, jmark = ("%s", "%s::jsonb") if pg else ("?", "?")
    from jobgate.storage.models import RawRecord

    cols = RawRecord.__table__.c
    at = _bound(cols.last_seen.type, dialect, now)
    alive = _bound(cols.gone.type, dialect, False)
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    touched: list[int] = []
    try:
        for partner in {k[0] for k in by_key}:
            keys = [ext for (p, ext) in by_key if p == partner]
            existing: dict[str, tuple[int, str, Any]] = {}
            for i in range(0, len(keys), _IN_CHUNK):
                part = keys[i:i + _IN_CHUNK]
                cur.execute(
                    "SELECT id, external_id, content_hash, gone FROM raw_records "
                    f"WHERE partner = {mark} AND external_id IN ({', '.join([mark] * len(part))})",
                    (partner, *part),
                )
                for row_id, ext, h, gone in cur.fetchall():
                    existing[ext] = (row_id, h, gone)
            for ext in keys:
                rec = by_key[(partner, ext)]
                row = existing.get(ext)
                if row is None:
                    inserts.append((partner, ext, rec.payload, rec.fields, rec.content_hash,
                                    run_id, run_id, at, at, alive))
                elif row[1] != rec.content_hash or row[2]:
                    updates.append((rec.payload, rec.fields, rec.content_hash, run_id, run_id, at, alive, row[0]))
                else:
                    touched.append(row[0])
        if inserts:
            cur.executemany(
                "INSERT INTO raw_records (partner, external_id, payload, fields, content_hash, fetch_run_id, "
                f"seen_run_id, first_seen, last_seen, gone) VALUES ({mark}, {mark}, {jmark}, {jmark}, {mark}, "
                f"{mark}, {mark}, {mark}, {mark}, {mark}) ON CONFLICT (partner, external_id) DO UPDATE SET "
                "payload = excluded.payload, fields = excluded.fields, content_hash = excluded.content_hash, "
                "fetch_run_id = excluded.fetch_run_id, seen_run_id = excluded.seen_run_id, "
                "last_seen = excluded.last_seen, gone = excluded.gone",
                inserts,
            )
        if updates:
            cur.executemany(
                f"UPDATE raw_records SET payload = {jmark}, fields = {jmark}, content_hash = {mark}, "
                f"fetch_run_id = {mark}, seen_run_id = {mark}, last_seen = {mark}, gone = {mark} WHERE id = {mark}",
                updates,
            )
        for i in range(0, len(touched), _IN_CHUNK):
            chunk = touched[i:i + _IN_CHUNK]
            cur.execute(
                f"UPDATE raw_records SET seen_run_id = {mark}, last_seen = {mark} "
                f"WHERE id IN ({', '.join([mark] * len(chunk))})",
                (run_id, at, *chunk),
            )
    finally:
        cur.close()
    return BulkCounts(len(inserts), len(updates), len(touched))


def _bound(type_: Any, dialect: Any, value: Any) -> Any:
    """``value`` as SQLAlchemy would bind it for this column type (dates as text on SQLite...)."""
    proc = type_.dialect_impl(dialect).bind_processor(dialect)
    return proc(value) if proc else value


def touch_prepared(conn: Connection, partner: str, run_id: int, external_ids: Sequence[str], now: datetime) -> int:
    """Mark live records of ``partner`` as seen by ``run_id`` (content known unchanged); returns how many."""
    from jobgate.storage.models import RawRecord

    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    at = _bound(RawRecord.__table__.c.last_seen.type, conn.dialect, now)
    alive = _bound(RawRecord.__table__.c.gone.type, conn.dialect, False)
    cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    count = 0
    try:
        for i in range(0, len(external_ids), _IN_CHUNK):
            part = external_ids[i:i + _IN_CHUNK]
            cur.execute(
                f"UPDATE raw_records SET seen_run_id = {mark}, last_seen = {mark} WHERE partner = {mark} "
                f"AND gone = {mark} AND external_id IN ({', '.join([mark] * len(part))})",
                (run_id, at, partner, alive, *part),
            )
            count += max(cur.rowcount, 0)
    finally:
        cur.close()
    return count
