"""Declared field mappings: partner record (dict) -> flat record fields.

A mapping is ``{record_field: expression}``. An expression is a path into the
partner record with ``/`` between levels (``salary/min``, ``@id`` for an XML
attribute), ``a | b`` for the first non-empty of several paths, and ``a + b`` to
join several non-empty values with a blank line (e.g. description + missions).
Lists take their first element, except ``[]`` at the end of a path, which keeps
every element's text (``partenaires[]/nom``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any


def _text(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("#text") if "#text" in value else None
    if isinstance(value, str):
        return value.strip()
    return value


@lru_cache(maxsize=4096)
def _parts(path: str) -> tuple[str, ...]:
    return tuple(p for p in path.strip().split("/") if p)


def resolve(record: Any, path: str) -> Any:
    """Value at ``path`` in ``record`` (see module doc), or ``None``."""
    return _resolve(record, _parts(path))


def _resolve(record: Any, parts: tuple[str, ...]) -> Any:
    cur: Any = record
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
            rest = parts[i + 1 :]
            out = [_resolve(it, rest) if rest else _text(it) for it in items]
            return [v for v in out if v not in (None, "", [])]
        cur = cur.get(part)
        if cur is None:
            return None
    if isinstance(cur, list):
        cur = cur[0] if cur else None
    return _text(cur)


@lru_cache(maxsize=1024)
def _compile(expression: str) -> tuple[bool, tuple[Any, ...]]:
    """``(True, sub-expressions)`` for ``a + b``, else ``(False, alternative paths as parts)``."""
    if "+" in expression:
        return True, tuple(expression.split("+"))
    return False, tuple(_parts(alt) for alt in expression.split("|"))


def evaluate(record: Any, expression: str) -> Any:
    """Evaluate one mapping expression against ``record``."""
    joined, items = _compile(expression)
    if joined:
        parts = [evaluate(record, e) for e in items]
        texts = [str(p) for p in parts if p not in (None, "", [])]
        return "\n\n".join(texts) if texts else None
    for alternative in items:
        if len(alternative) == 1 and isinstance(record, dict) and not alternative[0].endswith("[]"):
            value = record.get(alternative[0])  # the common case: a top-level field
            if isinstance(value, str):
                value = value.strip()
            elif value is not None:
                value = _resolve(record, alternative)
        else:
            value = _resolve(record, alternative)
        if value is not None and value != "" and value != []:
            return value
    return None


def apply_mapping(record: Any, mapping: Mapping[str, str]) -> dict[str, Any]:
    """Map a partner record to flat record fields, dropping empty values."""
    return compile_mapping(tuple(mapping.items()))(record)


Mapper = Callable[[Any], dict[str, Any]]


@lru_cache(maxsize=256)
def compile_mapping(items: tuple[tuple[str, str], ...]) -> Mapper:
    """A function applying ``items`` (field, expression) pairs to a record.

    Same result as evaluating each expression with :func:`evaluate`; the paths
    are parsed once, and a plain top-level key (the common case of flat XML,
    CSV and JSON records) is read with one ``dict.get``: at feed scale the
    mapping runs once per field per record, so its per-call overhead counts.
    """
    plan: list[tuple[str, str | None, tuple[tuple[str | None, str | None, tuple[str, ...], bool], ...]]] = []
    for field, expression in items:
        joined, parts = _compile(expression)
        if joined:
            plan.append((field, expression, ()))
            continue
        alts = tuple(
            (alt[0] if len(alt) == 1 and not alt[0].endswith("[]") else None,
             alt[0].removesuffix("[]") if alt and not alt[0].isdigit() else None, alt,
             # "a/b" whose "a" is text has no "b": skip the walk (Indeed's salary/min on a bare <salary>)
             len(alt) > 1 and not alt[0].endswith("[]"))
            for alt in parts
        )
        plan.append((field, None, alts))

    def apply(record: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        get = record.get if isinstance(record, dict) else None
        for field, joined, alts in plan:
            value: Any = None
            if joined is not None:
                value = evaluate(record, joined)
            else:
                for key, first, parts, nested in alts:
                    if key is not None and get is not None:
                        value = get(key)
                        if value is None:
                            continue
                        value = value.strip() if value.__class__ is str else _resolve(record, parts)
                    elif get is not None and first is not None and (
                            (head := get(first)) is None or (nested and head.__class__ is str)):
                        continue  # a nested path whose first level is absent, or text
                    else:
                        value = _resolve(record, parts)
                    if value is not None and value != "" and value != []:
                        break
            if value is not None and value != "" and value != []:
                out[field] = value
        return out

    return apply
