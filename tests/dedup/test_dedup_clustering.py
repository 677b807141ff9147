"""Clustering: hand-labelled groups, chaining guard, multi-site, reposts, incremental updates."""

from __future__ import annotations

from dataclasses import replace

from dedup.engine import DedupIndex, cluster
from dedup.model import DEFAULT_MODEL, BlockingStats
from tests.dedup.dedup_helpers import OTHER, TEXT, rec, shop


def test_shop_clusters_as_labelled() -> None:
    # 1-2-3 one job (copy with city in the title, anonymous copy); 4 its Paris site; 5, 6 others
    assert cluster(shop(), DEFAULT_MODEL) == [[0, 1, 2], [3], [4], [5]]


def test_multi_site_hiring_stays_apart() -> None:
    sites = [rec(i, "francetravail", "Vendeur H/F", employer="Mode", city=c, postcode=p, dept=p[:2], ext=f"s{i}")
             for i, (c, p) in enumerate([("Lyon", "69003"), ("Paris", "75001"), ("Lille", "59000")])]
    assert cluster(sites, DEFAULT_MODEL) == [[0], [1], [2]]


def test_placeless_copy_cannot_chain_two_sites() -> None:
    lyon = rec(1, "francetravail", "Vendeur H/F", employer="Mode", city="Lyon", postcode="69003", dept="69")
    paris = rec(2, "francetravail", "Vendeur H/F", employer="Mode", city="Paris", postcode="75001", dept="75")
    copy = rec(3, "regionsjob", "Vendeur", TEXT, days=1)  # no employer, no place: matches both
    stats = BlockingStats()
    groups = cluster([lyon, paris, copy], DEFAULT_MODEL, stats)
    assert len(groups) == 2 and [0, 1] not in groups and sorted(map(len, groups)) == [1, 2]
    assert stats.refused_merges >= 1


def test_a_bridge_record_does_not_chain_two_jobs() -> None:
    # a1-a3 share TEXT, b2-b3 share OTHER; b1 carries both texts, so it matches everyone.
    # Each pair a-b1 or b1-b matches, but b2 and b3 match none of the a's: no merge of the two jobs.
    lyon = {"city": "Lyon", "dept": "69"}
    a = [rec(i, f"p{i}", "Vendeur", TEXT, days=i / 10, **lyon) for i in (1, 2, 3)]
    b1 = rec(4, "p4", "Vendeur", OTHER + " " + TEXT, **lyon)
    b = [rec(i, f"p{i}", "Vendeur", OTHER, **lyon) for i in (5, 6)]
    index = DedupIndex(DEFAULT_MODEL)
    index.add(a)
    index.add([b1, *b])
    groups = index.groups()
    assert [1, 2, 3, 4] in groups or [1, 2, 3] in groups
    assert not any({1, 5} <= set(g) for g in groups)
    assert index.stats.refused_merges >= 1


def test_same_partner_repost_under_a_new_id_joins_the_job() -> None:
    first = rec(1, "francetravail", "Vendeur H/F", employer="Mode", city="Lyon", postcode="69003", ext="A1")
    repost = rec(2, "francetravail", "Vendeur H/F", TEXT + " Offre republiee.", employer="Mode", city="Lyon",
                 postcode="69003", ext="A2", days=12)
    assert cluster([first, repost], DEFAULT_MODEL) == [[0, 1]]


def test_same_partner_same_day_twins_are_two_positions() -> None:
    a = rec(1, "francetravail", "Vendeur H/F", employer="Mode", city="Lyon", postcode="69003", ext="A1")
    b = rec(2, "francetravail", "Vendeur H/F", employer="Mode", city="Lyon", postcode="69003", ext="A2", days=0.01)
    assert cluster([a, b], DEFAULT_MODEL) == [[0], [1]]


def test_incremental_batches_equal_one_full_run() -> None:
    records = shop()
    full = cluster(records, DEFAULT_MODEL)
    index = DedupIndex(DEFAULT_MODEL)
    index.add(records[3:])
    index.add(records[:2])
    index.add(records[2:3])
    assert index.groups() == [[r.key for r in (records[i] for i in g)] for g in full]


def test_changed_record_leaves_and_joins_clusters() -> None:
    records = shop()
    index = DedupIndex(DEFAULT_MODEL)
    index.add(records)
    assert [1, 2, 3] in index.groups()
    # record 2 is rewritten into the bakery job: it leaves 1-3 and joins 5
    changed = replace(records[1], title="vendeur", words=records[4].words, employer="",
                      postcode="69003")
    index.add([changed])
    assert [1, 3] in index.groups() and [2, 5] in index.groups()
    index.remove([3])
    assert [1] in index.groups() and all(3 not in g for g in index.groups())
