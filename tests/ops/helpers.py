"""Shared helpers of the operations tests: small configurations over the bundled example payloads."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import EXAMPLES

PARTNERS = EXAMPLES / "partners"


def write_config(tmp_path: Path, db_url: str, *, broken: bool = True, extra: str = "") -> Path:
    """A configuration with three working partners and, if ``broken``, one whose file is missing."""
    text = f"""
[database]
url = "{db_url}"

[[partners]]
name = "france-travail"
connector = "francetravail"
url = "{PARTNERS / 'france-travail-offres.json'}"
rank = 1
public_service = true

[[partners]]
name = "courrier-regional"
connector = "rss"
url = "{PARTNERS / 'courrier-regional.rss'}"
rank = 40
receives = ["offers"]

[[partners]]
name = "hellowork"
connector = "xml"
dialect = "hellowork"
url = "{PARTNERS / 'hellowork.xml'}"
rank = 30
"""
    if broken:
        text += f"""
[[partners]]
name = "broken-board"
connector = "xml"
url = "{tmp_path / 'missing' / 'feed.xml'}"
"""
    path = tmp_path / "jobgate.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path
