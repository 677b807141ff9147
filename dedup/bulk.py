"""Many rows of plain values written at driver speed (dedup keys, offer links).

SQLAlchemy's per-row parameter processing costs more than the database does
for these narrow rows, so they go straight to the DBAPI cursor of the
session's own connection (same transaction): ``COPY`` on PostgreSQL,
``executemany`` elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from sqlalchemy.orm import Session

BATCH = 50_000  # rows per executemany call (bounded memory)


def _placeholder(paramstyle: str) -> str:
    return "?" if paramstyle == "qmark" else "%s"


def insert_rows(s: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; returns how many."""
    conn = s.connection()
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cols = ", ".join(columns)
    n = 0
    cur = dbapi.cursor()
    try:
        if conn.dialect.name == "postgresql":
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            return n
        marks = ", ".join([_placeholder(conn.dialect.paramstyle)] * len(columns))
        return _executemany(cur, f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
    finally:
        cur.close()


def update_rows(s: Session, table: str, key: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """``UPDATE table SET columns... WHERE key = ...`` for each row (values in ``columns`` order, key last)."""
    conn = s.connection()
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    mark = _placeholder(conn.dialect.paramstyle)
    sql = f"UPDATE {table} SET {', '.join(f'{c} = {mark}' for c in columns)} WHERE {key} = {mark}"
    cur = dbapi.cursor()
    try:
        return _executemany(cur, sql, rows)
    finally:
        cur.close()


def _executemany(cur: Any, sql: str, rows: Iterable[Sequence[Any]]) -> int:
    n = 0
    it = iter(rows)
    while part := list(islice(it, BATCH)):
        cur.executemany(sql, part)
        n += len(part)
    return n
