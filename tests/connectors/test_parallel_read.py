"""The forked record producer (connectors.parallel) stores exactly what the one-process path stores."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from connectors import fetch_partner, runner
from connectors.mapping import compile_mapping, evaluate
from connectors.parallel import can_fork
from jobgate.config import load_settings
from jobgate.storage import Store


def _feed(path: Path, n: int, bad: tuple[int, ...] = (), truncate: bool = False) -> None:
    jobs = []
    for i in range(n):
        title = "" if i in bad else f"Comptable {i} &amp; associés"
        jobs.append(f"<job><referencenumber>R{i}</referencenumber><title>{title}</title>"
                    f"<description>Poste {i}</description><city>Lyon</city>"
                    f"<salary><min>{1000 + i}</min></salary></job>")
    body = "<source>" + "".join(jobs) + ("" if truncate else "</source>")
    path.write_text(body[:-20] if truncate else body, encoding="utf-8")


def _settings(tmp_path: Path, parallel: bool):  # type: ignore[no-untyped-def]
    cfg = tmp_path / f"jobgate-{parallel}.toml"
    cfg.write_text(f'[[partners]]\nname = "p{int(parallel)}"\nconnector = "xml"\nurl = "feed.xml"\n'
                   f"options = {{ parallel = {str(parallel).lower()} }}\n", encoding="utf-8")
    return load_settings(cfg)


def _rows(store: Store, partner: str) -> list[tuple[str, str, dict, dict]]:
    from sqlalchemy import select

    from jobgate.storage.models import RawRecord

    with store.session() as s:
        return [(r.external_id, r.content_hash, r.fields, r.payload)
                for r in s.scalars(select(RawRecord).where(RawRecord.partner == partner).order_by(RawRecord.external_id))]


def test_this_machine_forks() -> None:
    assert can_fork()  # else the parallel tests below would test the serial path twice


def _fetch_in_daemon(db_url: str, tmp: str, out: Any) -> None:
    store = Store(db_url)
    s = _settings(Path(tmp), True)
    r = fetch_partner(store, s, s.partners[0])
    out.put((r.outcome, r.error, r.new, can_fork()))


def test_inside_a_daemonic_process_the_feed_is_read_in_that_process(tmp_path: Path, store: Store) -> None:
    # A Celery prefork worker is a daemonic process: it may not start children.
    _feed(tmp_path / "feed.xml", 12)
    mp = multiprocessing.get_context("fork")
    out = mp.Queue()
    proc = mp.Process(target=_fetch_in_daemon, args=(store.url, str(tmp_path), out), daemon=True)
    proc.start()
    result = out.get(timeout=120)
    proc.join()
    assert result == ("success", None, 12, False)


def test_parallel_and_serial_store_the_same_records(tmp_path: Path, store: Store,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "BATCH", 7)  # several batches through the pipe
    _feed(tmp_path / "feed.xml", 40, bad=(3, 17))
    reports = {}
    for parallel in (True, False):
        s = _settings(tmp_path, parallel)
        reports[parallel] = fetch_partner(store, s, s.partners[0])
    par, ser = reports[True], reports[False]
    assert (par.outcome, par.fetched, par.new, par.quarantined) == ("success", 38, 38, 2)
    assert (ser.fetched, ser.new, ser.quarantined, ser.bytes) == (par.fetched, par.new, par.quarantined, par.bytes)
    assert par.bytes == (tmp_path / "feed.xml").stat().st_size
    assert _rows(store, "p1") == _rows(store, "p0")
    assert {q.external_id for q in store.quarantined("p1")} == {"R3", "R17"}
    # Read again unchanged: every record is recognised by its hash.
    s = _settings(tmp_path, True)
    again = fetch_partner(store, s, s.partners[0])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 38)


def test_parallel_read_of_a_broken_file_fails_the_run_and_closes_nothing(tmp_path: Path, store: Store,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "BATCH", 5)
    _feed(tmp_path / "feed.xml", 30)
    s = _settings(tmp_path, True)
    assert fetch_partner(store, s, s.partners[0]).new == 30
    _feed(tmp_path / "feed.xml", 30, truncate=True)
    report = fetch_partner(store, s, s.partners[0])
    assert report.outcome == "failed" and "malformed XML" in (report.error or "")
    assert report.closed == 0 and store.count_live_raw("p1") == 30


def test_compiled_mapping_matches_expression_evaluation() -> None:
    mapping = {"a": "x | y/z", "b": "l[]/n", "c": "y/z + x", "d": "l/1/n | e", "e": "w | e | x", "f": "y"}
    records = [{"x": " v ", "y": {"#text": "t", "z": "d"}, "l": [{"n": "1"}, {"n": "2"}], "e": "", "w": []},
               {"y": {"z": ""}}, {}, ["x"], "text",
               {"y": "plain", "l": "s", "x": "q"}, {"y": "plain", "e": "w"}]  # text where a path goes deeper
    apply = compile_mapping(tuple(mapping.items()))
    for rec in records:
        expected = {k: v for k, e in mapping.items() if (v := evaluate(rec, e)) not in (None, "", [])}
        assert apply(rec) == expected
    assert apply(records[0]) == {"a": "v", "b": ["1", "2"], "c": "d\n\nv", "d": "2", "e": "v", "f": "t"}
