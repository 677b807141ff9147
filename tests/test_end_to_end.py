"""The main job end to end on the bundled examples, through the real CLI, on every backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

CONFIG = str(EXAMPLES / "jobgate.toml")


def jobgate(*args: str, db_url: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JOBGATE_DATABASE_URL": db_url}
    return subprocess.run([sys.executable, "-m", "jobgate.cli", *args], env=env, capture_output=True,
                          text=True, check=check, timeout=600)


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture
def ran(db_url: str) -> str:
    jobgate("run", "--once", "--config", CONFIG, db_url=db_url)
    return db_url


def test_run_once_builds_a_catalogue_from_several_formats(ran: str) -> None:
    offers = lines(jobgate("export", "offers", "--config", CONFIG, db_url=ran).stdout)
    assert len(offers) >= 50
    partners = Counter(s["partner"] for o in offers for s in o["sources"])
    assert len(partners) >= 3, partners
    for o in offers:
        assert o["id"] and o["title"].strip() and o["description"].strip()
        assert {"employer", "place", "contract", "rome", "sources"} <= set(o)
        assert all({"partner", "external_id", "url"} <= set(s) for s in o["sources"])


def test_reposts_are_merged_across_formats(ran: str) -> None:
    offers = lines(jobgate("export", "offers", "--config", CONFIG, db_url=ran).stdout)
    multi = [o for o in offers if len({s["partner"] for s in o["sources"]}) > 1]
    merged_partners = Counter(s["partner"] for o in multi for s in o["sources"])
    # The regional daily (RSS) and the aggregator (XML) repost France Travail offers.
    assert merged_partners["courrier-regional"] >= 15
    assert merged_partners["jobagreg"] >= 10
    records = lines(jobgate("export", "records", "--config", CONFIG, db_url=ran).stdout)
    by_key = {(r["partner"], r["external_id"]): r for r in records}
    # Ground truth of the example builder: CR-<id> and JA<id> repost France Travail <id>.
    pairs = [(("courrier-regional", f"CR-{i}"), ("france-travail", i)) for p, i in
             ((k[0], k[1][3:]) for k in by_key if k[0] == "courrier-regional")]
    ok = [a for a, b in pairs if by_key[a]["cluster"] and by_key[a]["cluster"] == by_key.get(b, {}).get("cluster")]
    assert len(ok) >= 0.8 * len(pairs), (len(ok), len(pairs))


def test_records_contract(ran: str) -> None:
    records = lines(jobgate("export", "records", "--config", CONFIG, db_url=ran).stdout)
    assert len(records) >= 250
    statuses = Counter(r["status"] for r in records)
    assert set(statuses) <= {"published", "held", "rejected", "quarantined", "closed"}
    assert statuses["published"] >= 100
    for r in records:
        assert {"partner", "external_id", "title", "status", "cluster", "certification", "rome"} <= set(r)
        assert r["certification"]["status"] in ("certified", "warning", "rejected")
        for f in r["certification"]["findings"]:
            assert {"id", "severity", "message"} <= set(f)
        assert set(r["rome"]) >= {"code", "fiche", "ogr", "appellation", "score"}
        if r["status"] == "published":
            assert r["cluster"] and r["rome"]["code"]
        if r["status"] in ("held", "rejected"):
            assert r["cluster"] is None


def test_second_run_is_idempotent(ran: str) -> None:
    before = lines(jobgate("export", "records", "--config", CONFIG, db_url=ran).stdout)
    out = jobgate("run", "--once", "--config", CONFIG, db_url=ran).stdout
    summary = json.loads(out)
    assert all(f["new"] == 0 and f["updated"] == 0 for f in summary["fetch"].values())
    after = lines(jobgate("export", "records", "--config", CONFIG, db_url=ran).stdout)
    key = lambda r: (r["partner"], r["external_id"])  # noqa: E731
    assert sorted(map(key, before)) == sorted(map(key, after))
    assert {key(r): r["cluster"] for r in before} == {key(r): r["cluster"] for r in after}


def test_feed_command_writes_the_partner_feed(ran: str) -> None:
    import feedparser

    out = subprocess.run(
        [sys.executable, "-m", "jobgate.cli", "feed", "--config", CONFIG, "--partner", "courrier-regional",
         "--format", "rss"], env={**os.environ, "JOBGATE_DATABASE_URL": ran}, capture_output=True, check=True,
        timeout=300,
    ).stdout
    feed = feedparser.parse(out)
    assert not feed.bozo
    assert len(feed.entries) >= 50
    assert all(e.get("id") for e in feed.entries)


def test_errors_are_clear(tmp_path: Path, db_url: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[partners]]\nname = "x"\nconnector = "gopher"\nurl = "a"\n', encoding="utf-8")
    r = jobgate("run", "--once", "--config", str(bad), db_url=db_url, check=False)
    assert r.returncode == 2
    assert "[[partners]] #1 ('x') connector" in r.stderr
    r = jobgate("feed", "--config", CONFIG, "--partner", "nobody", "--format", "rss", db_url=db_url, check=False)
    assert r.returncode == 2 and "no partner named 'nobody'" in r.stderr
