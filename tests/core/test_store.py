"""Store: idempotent upserts keyed on (partner, external id), hash-skipping, on every backend."""

from __future__ import annotations

from jobgate.schema import SourceRecord
from jobgate.storage import Store


def rec(ext: str, title: str = "Comptable", partner: str = "p") -> SourceRecord:
    return SourceRecord(partner=partner, external_id=ext, fields={"title": title}, payload={"t": title, "id": ext})


def test_upsert_is_idempotent_and_skips_unchanged(store: Store) -> None:
    store.ensure_partner("p", "rss")
    run1 = store.start_run("p")
    c1 = store.upsert_raw(run1, [rec("a"), rec("b")])
    assert (c1.new, c1.updated, c1.unchanged) == (2, 0, 0)
    run2 = store.start_run("p")
    c2 = store.upsert_raw(run2, [rec("a"), rec("b", "Comptable senior")])
    assert (c2.new, c2.updated, c2.unchanged) == (0, 1, 1)
    assert store.count_live_raw("p") == 2


def test_duplicate_ids_inside_one_batch_count_once(store: Store) -> None:
    run = store.start_run("p")
    c = store.upsert_raw(run, [rec("a"), rec("a", "v2")])
    assert c.new == 1
    assert store.count_live_raw("p") == 1


def test_external_ids_are_case_sensitive(store: Store) -> None:
    run = store.start_run("p")
    c = store.upsert_raw(run, [rec("ABC"), rec("abc")])
    assert c.new == 2


def test_mark_gone_only_unseen_records(store: Store) -> None:
    run1 = store.start_run("p")
    store.upsert_raw(run1, [rec("a"), rec("b"), rec("c")])
    run2 = store.start_run("p")
    store.upsert_raw(run2, [rec("a"), rec("c")])
    assert store.mark_gone_except_run("p", run2) == ["b"]
    assert store.count_live_raw("p") == 2
    run3 = store.start_run("p")
    store.upsert_raw(run3, [rec("b")])  # back in the feed: alive again
    assert store.count_live_raw("p") == 3


def test_migrate_twice_is_harmless(store: Store) -> None:
    store.migrate()
    store.migrate()


def test_state_round_trip(store: Store) -> None:
    assert store.get_state("p", "75") == {}
    store.set_state("p", "75", {"cursor": "2025-01-01"})
    store.set_state("p", "75", {"cursor": "2025-01-02"})
    assert store.get_state("p", "75") == {"cursor": "2025-01-02"}
