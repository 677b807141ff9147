"""The ``jobgate deliver`` and ``jobgate cvs`` commands, end to end on SQLite with a local partner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pub_push_server import partner_server

from jobgate.cli import build_parser, main

CV = {"candidate_id": "C-9", "visibility": "anonymous", "consents": {"board": True},
      "consents_at": "2026-11-20T10:00:00Z", "title": "Cariste",
      "contact": {"name": "Paul Martin", "email": "paul.martin@example.org"}}


@pytest.mark.parametrize("cmd", [["deliver"], ["cvs"], ["cvs", "intake"], ["cvs", "publish"],
                                 ["cvs", "feed"], ["cvs", "erase"], ["cvs", "purge"],
                                 ["cvs", "disclosures"]], ids=" ".join)
def test_help(cmd: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args([*cmd, "--help"])
    assert info.value.code == 0
    assert "usage: jobgate" in capsys.readouterr().out


def test_intake_deliver_erase_disclosures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with partner_server() as (url, board):
        cfg = tmp_path / "jobgate.toml"
        cfg.write_text(f"""
[database]
url = "sqlite:///{tmp_path / 'db.sqlite3'}"

[[partners]]
name = "board"
connector = "rss"
url = "x.xml"
receives = ["cvs"]
options = {{ push_url = "{url}/jobs", push_backoff_seconds = 0 }}
""", encoding="utf-8")
        lines = tmp_path / "cvs.jsonl"
        lines.write_text(json.dumps(CV) + "\n{oops\n", encoding="utf-8")
        assert main(["cvs", "intake", str(lines), "--config", str(cfg)]) == 0
        report = json.loads(capsys.readouterr().out)
        assert (report["new"], report["quarantined"]) == (1, 1)
        assert main(["deliver", "--config", str(cfg)]) == 0
        assert json.loads(capsys.readouterr().out)["delivered"] == 1
        assert [(r.method, r.path) for r in board.requests] == [("POST", "/jobs/cvs")]
        assert "Martin" not in json.dumps(board.requests[0].body)
        assert main(["cvs", "erase", "C-9", "--config", str(cfg)]) == 0
        capsys.readouterr()
        assert main(["deliver", "--partner", "board", "--config", str(cfg)]) == 0
        capsys.readouterr()
        assert [r.method for r in board.requests] == ["POST", "DELETE"]
        assert main(["cvs", "disclosures", "C-9", "--config", str(cfg)]) == 0
        log = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
        assert [(d["partner"], d["action"]) for d in log] == [("board", "sent"), ("board", "withdrawn")]
        assert main(["cvs", "feed", "--partner", "board", "--config", str(cfg)]) == 0
        assert main(["cvs", "purge", "--config", str(cfg)]) == 0
