"""Secrets out of logs, errors and stored messages.

Two nets, applied by :func:`redact`:

* the *values* of every secret the configuration names (partners' ``api_key_env`` and
  ``auth`` variables, the operator password): :func:`register_settings` reads them from
  the environment when the configuration is loaded, and any occurrence is replaced by
  ``***``;
* *shapes* that carry credentials whatever their value: ``Bearer``/``Basic`` tokens,
  ``client_secret=``/``password=``/``token=``-style pairs, jobgate keys (``jgk_…``) and
  passwords in URLs.

Applied to every JSON log line (:class:`jobgate.logs.JsonFormatter`), to fetch-run
errors stored by the store, and to what a push partner answered before it is kept
as ``last_error``.
"""

from __future__ import annotations

import os
import re
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jobgate.config import Settings

MASK = "***"
_MIN_SECRET = 6  # shorter values would mask ordinary words
_values: set[str] = set()
_lock = threading.Lock()
_pattern: re.Pattern[str] | None = None

_SHAPES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(jgk_[0-9a-f]{16}_)[A-Za-z0-9_-]{20,}"), r"\1" + MASK),
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{6,}"), r"\1\2" + MASK),
    (re.compile(r"(?i)\b(client_secret|password|passwd|secret|api[_-]?key|access_token|refresh_token|token)"
                r"(\\?[\"']?\s*[:=]\s*\\?[\"']?)([^\s\"'\\&,;}]+)"), r"\1\2" + MASK),
    (re.compile(r"(?i)\b(x-api-key|authorization)(\\?[\"']?\s*[:=]\s*\\?[\"']?)([^\s\"'\\&,;}]+)"),
     r"\1\2" + MASK),
    (re.compile(r"(://[^/\s:@]+:)[^/\s@]+@"), r"\1" + MASK + "@"),
]


def register(*values: str | None) -> None:
    """Mask these secret values from now on (values under 6 characters are ignored)."""
    global _pattern
    with _lock:
        added = {v for v in values if v and len(v) >= _MIN_SECRET} - _values
        if not added:
            return
        _values.update(added)
        ordered = sorted(_values, key=len, reverse=True)  # longest first: no partial masks
        _pattern = re.compile("|".join(re.escape(v) for v in ordered))


def register_settings(settings: Settings) -> None:
    """Register the value of every secret variable the configuration names."""
    names = [settings.api.operator_password_env]
    for p in settings.partners:
        names += [p.api_key_env or "", *p.auth.values()]
    register(*(os.environ.get(n) for n in names if n))


def redact(text: str) -> str:
    """``text`` with registered secret values and credential shapes masked."""
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    for shape, repl in _SHAPES:
        text = shape.sub(repl, text)
    return text
