"""Classifier behaviour: source codes, methods, determinism, caching."""

from __future__ import annotations

import pytest

from normalizer.rome import RomeCandidate, RomeClassifier, RomeResult


@pytest.fixture(scope="module")
def clf() -> RomeClassifier:
    return RomeClassifier.default()


def test_default_is_cached() -> None:
    # Load time is measured in bench/rome_eval.py, not asserted here (the machine is shared).
    c = RomeClassifier.default()
    assert RomeClassifier.default() is c


def test_source_code_kept_and_rolled_up(clf: RomeClassifier) -> None:
    r = clf.classify("Développeur web H/F", source_code="M1855")
    assert (r.code_rome, r.code_fiche, r.method, r.score) == ("M1805", "M1855", "source", 1.0)
    assert r.appellation == "Développeur / Développeuse web"
    assert r.code_ogr is not None
    assert r.alternatives[0].code_rome == "M1805"


def test_source_code_main_code(clf: RomeClassifier) -> None:
    r = clf.classify("Plombier chauffagiste", source_code="f1603")
    assert (r.code_rome, r.code_fiche, r.method) == ("F1603", "F1603", "source")
    assert r.appellation is not None


def test_invalid_source_code_ignored(clf: RomeClassifier) -> None:
    r = clf.classify("Développeur web H/F", source_code="Z9999")
    assert r.method.endswith("(source code Z9999 unknown)")
    assert r.method.startswith(("model", "appellation-exact"))
    assert r.code_rome == "M1805"
    assert r.score < 1.0


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("Conducteur / Conductrice de poids lourd", "N4101"),
        ("Infirmier / Infirmière en soins généraux (IDE) H/F", "J1506"),
        ("Préparateur de commandes (H/F)", "N1103"),
        ("Agent d'entretien des espaces verts", "A1203"),
        ("AIDE-SOIGNANT(E) DE NUIT", "J1501"),
    ],
)
def test_common_titles(clf: RomeClassifier, title: str, code: str) -> None:
    r = clf.classify(title)
    assert r.code_rome == code
    assert r.method in {"model", "appellation-exact"}


def test_exact_appellation_method(clf: RomeClassifier) -> None:
    r = clf.classify("Chef / Cheffe de cuisine")
    assert r.method == "appellation-exact"
    assert r.code_rome == "G1601"
    assert r.appellation is not None


def test_result_shape(clf: RomeClassifier) -> None:
    r = clf.classify(
        "Technicien de maintenance industrielle", "Maintenance des lignes de production.", "28.29B"
    )
    assert isinstance(r, RomeResult)
    assert 0.0 <= r.score <= 1.0
    assert len(r.alternatives) >= 3
    assert all(isinstance(a, RomeCandidate) for a in r.alternatives)
    scores = [a.score for a in r.alternatives]
    assert scores == sorted(scores, reverse=True)
    assert r.alternatives[0].code_rome == r.code_rome
    assert clf.referential.validate_code(r.code_fiche or "") == (r.code_rome, r.code_fiche)


def test_empty_input(clf: RomeClassifier) -> None:
    r = clf.classify("")
    assert (r.code_rome, r.method, r.score, r.alternatives) == (None, "none", 0.0, ())
    assert clf.classify("   (H/F)  ").code_rome is None


def test_deterministic_and_cached() -> None:
    c = RomeClassifier(RomeClassifier.default().model)
    args = ("Vendeur / Vendeuse en boulangerie", "Vente de pain et viennoiseries.", "10.71C")
    first = c.classify(*args)
    assert (c.hits, c.misses) == (0, 1)
    assert c.classify(*args) is first
    assert c.hits == 1
    # Same normalised title, same NAF, same description: same cache entry.
    assert c.classify("VENDEUR / VENDEUSE EN BOULANGERIE (H/F)", args[1], "10.71c") is first
    c.cache_clear()
    assert c.classify(*args) == first
    assert c.misses == 1


def test_cache_is_bounded() -> None:
    c = RomeClassifier(RomeClassifier.default().model, cache_size=2)
    for t in ("Boulanger", "Boucher", "Poissonnier", "Fromager"):
        c.classify(t)
    assert len(c._cache) == 2


def test_classify_many_matches_classify_in_order(clf: RomeClassifier) -> None:
    from normalizer.rome import RomeInput
    from normalizer.rome.dataset import load_offers

    offers = load_offers()[:300]
    items = [RomeInput(o.title, o.description, o.naf) for o in offers]
    # Repeats, a source code, an invalid one and an empty title, mixed into one batch.
    items += [
        items[0],
        RomeInput("Développeur web H/F", source_code="M1855"),
        RomeInput("Développeur web H/F", source_code="Z9999"),
        RomeInput(""),
    ]
    fresh = RomeClassifier(clf.model, clf.referential, clf.index)
    batch = fresh.classify_many(items)
    assert len(batch) == len(items)
    single = RomeClassifier(clf.model, clf.referential, clf.index, cache_size=0)
    assert batch == [single.classify(*it) for it in items]
    assert batch[300] is batch[0]
    assert (batch[301].method, batch[301].code_fiche) == ("source", "M1855")
    assert batch[302].method.endswith("(source code Z9999 unknown)")
    assert batch[303].code_rome is None
    # Different offers give different codes: the batch is not one answer repeated.
    assert len({r.code_rome for r in batch[:300]}) > 50
