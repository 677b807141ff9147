"""Every command explains itself; the published JSON Schema is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from jobgate.cli import build_parser
from jobgate.schema_export import schema_json

COMMANDS = [[], ["run"], ["export"], ["feed"], ["serve"], ["rome"], ["rome", "classify"], ["schema"],
            ["db", "upgrade"], ["worker"], ["beat"], ["health"], ["lifecycle"], ["keys"], ["keys", "issue"],
            ["keys", "list"], ["keys", "revoke"], ["dedup"]]


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: " ".join(c) or "jobgate")
def test_help(cmd: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args([*cmd, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: jobgate" in out and len(out.splitlines()) >= 4


def test_console_script_help() -> None:
    r = subprocess.run([sys.executable, "-m", "jobgate.cli", "--help"], capture_output=True, text=True, check=True)
    for name in ("run", "export", "feed", "serve", "rome", "worker", "beat"):
        assert name in r.stdout


def test_docs_schema_is_current() -> None:
    path = Path(__file__).resolve().parents[2] / "docs" / "offer.schema.json"
    assert path.read_text(encoding="utf-8") == schema_json(), "run: jobgate schema -o docs/offer.schema.json"
