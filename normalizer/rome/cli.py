"""Line-oriented ROME classification (backs ``jobgate rome classify``).

Contract: one input line gives one output line, in order, never skipped.

* A line holding a JSON object ``{"title": ..., "description": ..., "naf": ...}``
  (``description``, ``naf`` and ``source_code`` optional) is classified from those fields.
* Any other non-empty line (plain text, a JSON string or number, broken JSON) is taken
  as a bare title.
* An empty or blank line produces a result with every code null and score 0.

Each output line is a JSON object with ``code_rome`` (532 level), ``code_fiche``,
``code_ogr``, ``appellation``, ``score``, ``method`` and ``alternatives``
(``[{"code_rome", "score"}, ...]``, best first).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from normalizer.rome.classifier import RomeClassifier, RomeResult

__all__ = ["classify_lines", "result_to_dict"]


def result_to_dict(result: RomeResult | None) -> dict[str, Any]:
    """JSON-ready form of a result (``None`` gives the all-null line)."""
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


def _classify_line(line: str, clf: RomeClassifier) -> RomeResult | None:
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
        return clf.classify(text)
    title = _text(record.get("title")) or ""
    description = _text(record.get("description"))
    if not title.strip() and not (description or "").strip() and not record.get("source_code"):
        return None
    return clf.classify(
        title,
        description,
        _text(record.get("naf")),
        _text(record.get("source_code")),
    )


def classify_lines(
    lines: Iterable[str], out: TextIO, classifier: RomeClassifier | None = None
) -> int:
    """Classify each input line and write one JSON line per input line.

    Args:
        lines: Input lines (with or without trailing newlines).
        out: Text stream receiving the JSON lines.
        classifier: Classifier to use; the shipped default when ``None``.

    Returns:
        The number of lines written (always the number of lines read).
    """
    clf = classifier or RomeClassifier.default()
    n = 0
    for line in lines:
        payload = result_to_dict(_classify_line(line, clf))
        out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        n += 1
    return n
