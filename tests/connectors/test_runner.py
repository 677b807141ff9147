"""Fetch runs: quarantine, fetch-run records, and the snapshot rules (nothing lost, nothing closed wrongly)."""

from __future__ import annotations

import json
from pathlib import Path

from connectors import fetch_partner
from jobgate.config import Settings, load_settings
from jobgate.storage import Store


def settings_for(tmp_path: Path, kind: str, name: str = "p", extra: str = "") -> Settings:
    cfg = tmp_path / "jobgate.toml"
    cfg.write_text(f'[[partners]]\nname = "{name}"\nconnector = "{kind}"\nurl = "feed"\n{extra}', encoding="utf-8")
    return load_settings(cfg)


def ft_feed(tmp_path: Path, offers: list[dict]) -> None:
    (tmp_path / "feed").write_text(json.dumps({"resultats": offers}), encoding="utf-8")


def offer(i: int, title: str = "Comptable") -> dict:
    return {"id": f"ID{i}", "intitule": title, "description": f"Poste {i} de {title}."}


def test_bad_record_is_quarantined_with_reason_and_run_goes_on(tmp_path: Path, store: Store) -> None:
    s = settings_for(tmp_path, "francetravail")
    ft_feed(tmp_path, [offer(1), {"id": "ID2", "description": "no title"}, {"intitule": "no id"}, offer(3)])
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "success"
    assert (report.fetched, report.new, report.quarantined) == (2, 2, 2)
    q = {(x.external_id, x.field) for x in store.quarantined("p")}
    assert q == {("ID2", "title"), ("#3", "external_id")}
    assert all(x.payload and x.reason for x in store.quarantined("p"))
    run = store.runs("p")[0]
    assert (run.outcome, run.fetched, run.new, run.quarantined) == ("success", 2, 2, 2)
    assert run.finished_at is not None and run.bytes > 0


def test_complete_snapshot_marks_missing_records_gone(tmp_path: Path, store: Store) -> None:
    s = settings_for(tmp_path, "francetravail")
    ft_feed(tmp_path, [offer(i) for i in range(10)])
    fetch_partner(store, s, s.partners[0])
    ft_feed(tmp_path, [offer(i) for i in range(9)])
    report = fetch_partner(store, s, s.partners[0])
    assert report.gone == ["ID9"] and report.closed == 1
    assert store.count_live_raw("p") == 9


def test_failed_fetch_never_closes(tmp_path: Path, store: Store) -> None:
    s = settings_for(tmp_path, "francetravail")
    ft_feed(tmp_path, [offer(i) for i in range(5)])
    fetch_partner(store, s, s.partners[0])
    (tmp_path / "feed").write_text('{"resultats": [', encoding="utf-8")  # truncated body
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "failed" and "malformed JSON" in (report.error or "")
    assert store.count_live_raw("p") == 5
    (tmp_path / "feed").unlink()
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "failed" and "not found" in (report.error or "")
    assert store.count_live_raw("p") == 5


def test_sudden_drop_is_held_as_suspicious(tmp_path: Path, store: Store) -> None:
    s = settings_for(tmp_path, "francetravail")
    ft_feed(tmp_path, [offer(i) for i in range(40)])
    fetch_partner(store, s, s.partners[0])
    ft_feed(tmp_path, [])
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "suspicious" and report.closed == 0
    ft_feed(tmp_path, [offer(1), offer(2)])
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "suspicious" and report.closed == 0
    assert store.count_live_raw("p") == 40


def test_partial_xml_keeps_what_was_read_and_closes_nothing(tmp_path: Path, store: Store) -> None:
    s = settings_for(tmp_path, "xml")
    jobs = "".join(f"<job><referencenumber>R{i}</referencenumber><title>T{i}</title>"
                   f"<description>D</description></job>" for i in range(5))
    (tmp_path / "feed").write_text(f"<source>{jobs}</source>", encoding="utf-8")
    fetch_partner(store, s, s.partners[0])
    (tmp_path / "feed").write_text(f"<source>{jobs[: len(jobs) // 2]}", encoding="utf-8")
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "failed" and report.closed == 0
    assert store.count_live_raw("p") == 5


def test_xml_entities_refused(tmp_path: Path, store: Store) -> None:
    s = settings_for(tmp_path, "xml")
    (tmp_path / "feed").write_text(
        '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<source><job><referencenumber>1</referencenumber><title>&xxe;</title></job></source>",
        encoding="utf-8",
    )
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "failed" and "entity" in (report.error or "")
    assert store.count_live_raw("p") == 0


def test_paused_partner_is_not_fetched(tmp_path: Path, store: Store) -> None:
    s = settings_for(tmp_path, "francetravail")
    ft_feed(tmp_path, [offer(1)])
    store.ensure_partner("p", "francetravail")
    store.set_paused("p", True)
    assert fetch_partner(store, s, s.partners[0]).outcome == "paused"
    assert store.runs("p") == []
