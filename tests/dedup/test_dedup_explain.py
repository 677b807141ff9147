"""``jobgate dedup`` and ``jobgate dedup --explain`` over the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dedup import run_dedup
from dedup.engine import DedupError
from dedup.explain import explain_pair
from jobgate.cli import main
from jobgate.storage import Store
from tests.dedup.test_dedup_stage import SETTINGS, clusters, job_offers, put


def write_config(tmp_path: Path, db_url: str) -> Path:
    """A configuration with no partner to fetch, on the test database."""
    cfg = tmp_path / "jobgate.toml"
    cfg.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    return cfg


def test_copies_in_one_cluster_are_explained(store: Store) -> None:
    for d in job_offers():
        put(store, d)
    run_dedup(store, SETTINGS)
    out = explain_pair(store, SETTINGS, "francetravail:FT1", "hellowork:HW1")
    assert out.same_cluster and out.match and not out.vetoes
    assert out.guard.startswith("passed")
    paired = {e.rule for e in out.blocking if e.pairs_them}
    # same employer and title words; same title words and city (HW1 has no postcode); shared text
    assert paired == {"employer+title_key", "title_key+city", "description-minhash-4w"}
    assert out.scores["title"] == 1.0 and out.scores["place"] == 1.0
    assert out.weight == pytest.approx(1.0 + (out.scores["description"] or 0) + 0.5)


def test_multi_site_sibling_is_vetoed_and_guarded(store: Store) -> None:
    for d in job_offers():
        put(store, d)
    run_dedup(store, SETTINGS)
    ids = {ext: oid for oid, ext in enumerate(["FT1", "HW1", "RJ1", "FT2", "FT3"], start=1)}
    assert clusters(store)["FT2"] != clusters(store)["FT1"]
    # the Paris site: same employer, title and text, another place, same partner on the same day
    out = explain_pair(store, SETTINGS, str(ids["FT1"]), "francetravail:FT2")
    assert out.a["external_id"] == "FT1" and not out.same_cluster and not out.match
    assert out.vetoes == ["place", "same_partner"]
    assert out.guard.startswith("refuses joining their clusters of 3 and 1 records: cannot-link")
    text = out.text()
    assert "place          0.000  VETO" in text and "decision: no match" in text
    assert "description-minhash-4w     24 shared key(s)" in text and "cannot-link" in text


def test_unknown_record_is_an_error(store: Store) -> None:
    with pytest.raises(DedupError, match="not found"):
        explain_pair(store, SETTINGS, "francetravail:nope", "1")
    with pytest.raises(DedupError, match="partner:external_id"):
        explain_pair(store, SETTINGS, "nope", "1")


def test_dedup_command_runs_the_stage_and_explains(store: Store, db_url: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    for d in job_offers():
        put(store, d)
    cfg = str(write_config(tmp_path, db_url))
    assert main(["dedup", "--config", cfg]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["offers"] == 5 and report["clusters"] == 3 and report["merged"] == 2
    got = clusters(store)
    assert got["FT1"] == got["HW1"] == got["RJ1"]
    assert main(["dedup", "--config", cfg, "--full"]) == 0
    assert json.loads(capsys.readouterr().out)["full"] is True
    assert clusters(store) == got  # ids are stable
    assert main(["dedup", "--config", cfg, "--explain", "hellowork:HW1", "regionsjob:RJ1",
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["same_cluster"] and doc["match"] and doc["b"]["cluster"] == got["RJ1"]
    assert main(["dedup", "--config", cfg, "--explain", "hellowork:HW1", "x:y"]) == 2
    assert "not found" in capsys.readouterr().err
