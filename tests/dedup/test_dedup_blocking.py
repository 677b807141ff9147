"""Blocking: per-rule pair counts worked by hand, the cap, text blocking."""

from __future__ import annotations

import pytest

from dedup.engine import DedupError, candidate_pairs, cluster, explain
from dedup.model import (
    DEFAULT_MODEL,
    BlockingStats,
    DedupModel,
    block_on,
    block_on_text,
    default_decision,
)
from tests.dedup.dedup_helpers import OTHER, TEXT, rec, shop


def test_pairs_per_field_rule_are_counted_by_hand() -> None:
    counts = explain(shop(), DEFAULT_MODEL)
    # title keys are all "vendeur" except record 6 ("comptable").
    # employer+title_key: mode = {1, 2, 4} -> 3 pairs; boulangerie martin = {5} -> 0
    assert counts["employer+title_key"] == 3
    # title_key+postcode: 69003 = {1, 3, 5} -> 3; 75001 = {4} -> 0
    assert counts["title_key+postcode"] == 3
    # title_key+city: lyon = {1, 2, 5} -> 3; paris = {4} -> 0 (3 has no city)
    assert counts["title_key+city"] == 3
    # no SIRET anywhere
    assert counts["siret+title_key"] == 0


def test_unique_candidate_pairs_of_the_field_rules() -> None:
    model = DedupModel(blocking=DEFAULT_MODEL.blocking[:4], comparisons=DEFAULT_MODEL.comparisons,
                       decide=default_decision)
    pairs = {(a + 1, b + 1) for a, b in candidate_pairs(shop(), model)}
    # {12, 14, 24} | {13, 15, 35} | {12, 15, 25}
    assert pairs == {(1, 2), (1, 4), (2, 4), (1, 3), (1, 5), (3, 5), (2, 5)}


def test_text_rule_pairs_by_hand_with_a_one_key_sketch() -> None:
    # Bottom-1 sketch: identical texts share it, an unrelated text does not.
    model = DedupModel(blocking=[block_on_text(keys=1, use=1)], comparisons=[], decide=default_decision)
    records = [rec(1, "a", "x"), rec(2, "b", "y"), rec(3, "c", "z"), rec(4, "d", "w", OTHER), rec(5, "e", "v", "court")]
    # {1, 2, 3} -> 3 pairs; {4} -> 0; 5 is too short to be sketched
    assert explain(records, model) == {"description-minhash-4w": 3}


def test_rule_over_the_cap_fails_loudly() -> None:
    model = DedupModel(blocking=[block_on("title_key")], comparisons=DEFAULT_MODEL.comparisons,
                       decide=default_decision, max_pairs_per_rule=9)
    # five "vendeur" records -> 10 pairs > 9
    with pytest.raises(DedupError, match=r"'title_key' would compare 10 pairs \(cap 9\)"):
        cluster(shop(), model)
    stats = BlockingStats()
    with pytest.raises(DedupError):
        list(candidate_pairs(shop(), model, stats))
    assert stats.pairs == {"title_key": 10}


def test_oversized_blocks_are_skipped_and_counted() -> None:
    model = DedupModel(blocking=[block_on("title_key", max_block=3)], comparisons=DEFAULT_MODEL.comparisons,
                       decide=default_decision)
    stats = BlockingStats()
    assert list(candidate_pairs(shop(), model, stats)) == []
    assert stats.skipped_blocks == {"title_key": 1}


def test_anonymous_copy_without_place_is_found_by_text_blocking_only() -> None:
    original = rec(1, "francetravail", "Vendeur H/F", employer="Mode SAS", city="Lyon", postcode="69003", dept="69")
    # no employer, no place, a reworded title: no field rule can pair them
    anonymous = rec(2, "regionsjob", "Vendeur en magasin", "Offre du jour. " + TEXT[:300] + " ...", days=1)
    field_only = DedupModel(blocking=DEFAULT_MODEL.blocking[:4], comparisons=DEFAULT_MODEL.comparisons,
                            decide=default_decision)
    assert list(candidate_pairs([original, anonymous], field_only)) == []
    assert cluster([original, anonymous], DEFAULT_MODEL) == [[0, 1]]


def test_text_blocking_prefers_rare_shingles_over_boilerplate() -> None:
    # 30 different jobs share a long board boilerplate; one of them has a copy.
    boiler = " ".join(f"mot{i}" for i in range(80))
    records = [rec(i, "board", f"metier {i}", f"{boiler} texte propre {i} " + " ".join(f"w{i}x{j}" for j in range(40)))
               for i in range(30)]
    copy = rec(99, "other", "metier 7", " ".join(f"w7x{j}" for j in range(40)) + " texte propre 7")
    model = DedupModel(blocking=[block_on_text(max_block=10)], comparisons=DEFAULT_MODEL.comparisons,
                       decide=default_decision)
    pairs = set(candidate_pairs([*records, copy], model))
    assert (7, 30) in pairs
    assert len(pairs) < 30
