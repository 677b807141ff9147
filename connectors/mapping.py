"""Declared field mappings: partner record (dict) -> flat record fields.

A mapping is ``{record_field: expression}``. An expression is a path into the
partner record with ``/`` between levels (``salary/min``, ``@id`` for an XML
attribute), ``a | b`` for the first non-empty of several paths, and ``a + b`` to
join several non-empty values with a blank line (e.g. description + missions).
Lists take their first element, except ``[]`` at the end of a path, which keeps
every element's text (``partenaires[]/nom``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _text(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("#text") if "#text" in value else None
    if isinstance(value, str):
        return value.strip()
    return value


def resolve(record: Any, path: str) -> Any:
    """Value at ``path`` in ``record`` (see module doc), or ``None``."""
    cur: Any = record
    parts = [p for p in path.strip().split("/") if p]
    for i, part in enumerate(parts):
        if isinstance(cur, list):
            if part.isdigit():
                idx = int(part)
                cur = cur[idx] if idx < len(cur) else None
                continue
            cur = cur[0] if cur else None
        if not isinstance(cur, dict):
            return None
        if part.endswith("[]"):
            items = cur.get(part[:-2])
            if items is None:
                return None
            items = items if isinstance(items, list) else [items]
            rest = "/".join(parts[i + 1 :])
            out = [resolve(it, rest) if rest else _text(it) for it in items]
            return [v for v in out if v not in (None, "")]
        cur = cur.get(part)
        if cur is None:
            return None
    if isinstance(cur, list):
        cur = cur[0] if cur else None
    return _text(cur)


def evaluate(record: Any, expression: str) -> Any:
    """Evaluate one mapping expression against ``record``."""
    if "+" in expression:
        parts = [evaluate(record, e) for e in expression.split("+")]
        texts = [str(p) for p in parts if p not in (None, "", [])]
        return "\n\n".join(texts) if texts else None
    for alternative in expression.split("|"):
        value = resolve(record, alternative)
        if value not in (None, "", []):
            return value
    return None


def apply_mapping(record: Any, mapping: Mapping[str, str]) -> dict[str, Any]:
    """Map a partner record to flat record fields, dropping empty values."""
    out: dict[str, Any] = {}
    for field, expression in mapping.items():
        value = evaluate(record, expression)
        if value not in (None, "", []):
            out[field] = value
    return out
