"""Line-oriented ROME classification (backs ``jobgate rome classify``).

Contract: one input line gives one output line, in order, never skipped.

* A line holding a JSON object ``{"title": ..., "description": ..., "naf": ...}``
  (``description``, ``naf`` and ``source_code`` optional) is classified from those fields.
* Any other non-empty line (plain text, a JSON string or number, broken JSON) is taken
  as a bare title.
* An empty or blank line produces a result with every code null and score 0.

Each output line is a JSON object with ``code_rome`` (532 level), ``code_fiche``,
``code_ogr``, ``appellation``, ``score``, ``method``, ``alternatives``
(``[{"code_rome", "score"}, ...]``, best first), and ``held`` / ``held_reason``: an offer
whose score is below the confidence threshold (``[rome] hold_below``, or
``--hold-below``) is held for review with the reason, never dropped.

With ``batch`` > 1, lines are classified by groups (``RomeClassifier.classify_many``,
faster on files); the default answers each line as soon as it is read, for pipes that
wait for each answer.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from typing import Any, TextIO

from jobgate.config import DEFAULT_ROME_HOLD_BELOW as DEFAULT_HOLD_BELOW
from normalizer.rome.classifier import RomeClassifier, RomeInput, RomeResult, hold_reason

__all__ = ["DEFAULT_HOLD_BELOW", "classify_lines", "result_to_dict"]


def result_to_dict(
    result: RomeResult | None, hold_below: float = DEFAULT_HOLD_BELOW
) -> dict[str, Any]:
    """JSON-ready form of a result (``None`` gives the all-null line, held)."""
    reason = hold_reason(result, hold_below)
    return {**_fields(result), "held": reason is not None, "held_reason": reason}


def _fields(result: RomeResult | None) -> dict[str, Any]:
    if result is None:
        return {
            "code_rome": None,
            "code_fiche": None,
            "code_ogr": None,
            "appellation": None,
            "score": 0.0,
            "method": "none",
            "alternatives": [],
        }
    return {
        "code_rome": result.code_rome,
        "code_fiche": result.code_fiche,
        "code_ogr": result.code_ogr,
        "appellation": result.appellation,
        "score": result.score,
        "method": result.method,
        "alternatives": [{"code_rome": a.code_rome, "score": a.score} for a in result.alternatives],
    }


def _text(value: Any) -> str | None:
    # Numbers or nested values in a text field are tolerated rather than rejected: the
    # contract is one answer per line.
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _parse_line(line: str) -> RomeInput | None:
    """The offer a line describes, or ``None`` for a line with nothing to classify."""
    text = line.strip()
    if not text:
        return None
    record: Any = None
    if text.startswith("{"):
        try:
            record = json.loads(text)
        except ValueError:
            record = None
    if not isinstance(record, dict):
        return RomeInput(text)
    title = _text(record.get("title")) or ""
    description = _text(record.get("description"))
    if not title.strip() and not (description or "").strip() and not record.get("source_code"):
        return None
    return RomeInput(
        title, description, _text(record.get("naf")), _text(record.get("source_code"))
    )


def classify_lines(
    lines: Iterable[str],
    out: TextIO,
    classifier: RomeClassifier | None = None,
    hold_below: float = DEFAULT_HOLD_BELOW,
    batch: int = 1,
) -> int:
    """Classify each input line and write one JSON line per input line.

    Args:
        lines: Input lines (with or without trailing newlines).
        out: Text stream receiving the JSON lines.
        classifier: Classifier to use; the shipped default when ``None``.
        hold_below: Results scoring below this are marked held, with the reason.
        batch: Lines classified together (1: each line answered as soon as read).

    Returns:
        The number of lines written (always the number of lines read).
    """
    clf = classifier or RomeClassifier.default()
    n = 0
    it = iter(lines)
    while chunk := list(itertools.islice(it, max(batch, 1))):
        parsed = [_parse_line(line) for line in chunk]
        found = iter(clf.classify_many([p for p in parsed if p is not None]))
        for p in parsed:
            payload = result_to_dict(None if p is None else next(found), hold_below)
            out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        out.flush()
        n += len(chunk)
    return n
