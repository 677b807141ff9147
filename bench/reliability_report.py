"""Issue #8's figures: run the fault-injection suite and print docs/reliability.md's table.

Runs ``pytest tests/reliability`` on SQLite with ``JOBGATE_RELIABILITY_REPORT``
set: every check of :meth:`tests.reliability.hostile.Scenario.check` appends what
the operator sees (health state and reason), records expected / stored /
quarantined / lost, offers closed and the cycle's peak RSS. This script groups
those lines by fault into a Markdown table.

    python bench/reliability_report.py [--from FILE]   # --from: reuse a JSON-lines file
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KIND_ORDER = ("xml", "json", "rss", "csv", "francetravail")


def collect(path: Path) -> None:
    env = {**os.environ, "JOBGATE_RELIABILITY_REPORT": str(path), "JOBGATE_TEST_DATABASES": "sqlite"}
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/reliability"],
                   cwd=ROOT, env=env, check=True)


def tidy(reason: str) -> str:
    reason = re.sub(r" \(http://127\.0\.0\.1:\d+/[^)\s]*\)", "", reason)  # the URL said twice
    reason = re.sub(r"http://127\.0\.0\.1:\d+/[^\s:)]*", "URL", reason)
    return reason.replace("|", "\\|").replace("<", "&lt;")


def table(rows: list[dict[str, Any]]) -> str:
    by_fault: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_fault[row["fault"]].append(row)
    out = ["| fault / bad input | kinds | what the operator sees (`jobgate health`) | records: expected → stored + "
           "quarantined, lost | offers closed | peak RSS | test |", "|---|---|---|---|---|---|---|"]
    for fault, items in by_fault.items():
        items.sort(key=lambda r: KIND_ORDER.index(r["kind"]))
        reasons: dict[str, list[str]] = defaultdict(list)
        for r in items:
            reasons[tidy(r["reason"])].append(r["kind"])
        if len(reasons) == 1:
            what = f"{items[0]['state']}: {next(iter(reasons))}"
        else:
            what = "<br>".join(f"**{', '.join(k)}**: {items[0]['state']}: {why}" for why, k in reasons.items())
        expected = sum(r["expected"] for r in items)
        stored = sum(r["stored"] for r in items)
        held = sum(r["quarantined"] for r in items)
        lost = sum(len(r["lost"]) for r in items)
        closed = sum(len(r["closed"]) for r in items)
        peak = {r["peak_rss_mb"] for r in items if r.get("peak_rss_mb") is not None}
        kinds = ", ".join(dict.fromkeys(r["kind"] for r in items))
        out.append(f"| {fault} | {kinds} | {what} | {expected} → {stored} + {held}, **{lost} lost** | {closed} | "
                   f"{', '.join(f'{p} MB' for p in sorted(peak)) or '–'} | `{items[0]['test']}` |")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path, help="JSON lines written by an earlier run")
    args = parser.parse_args()
    path = args.source
    if path is None:
        path = Path(tempfile.mkdtemp()) / "reliability.jsonl"
        collect(path)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    # A test re-run appends again: the last line of each (fault, partner) counts.
    last = {(r["fault"], r["partner"]): r for r in rows}
    print(table(list(last.values())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
