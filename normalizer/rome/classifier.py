"""ROME classification of one offer: source code check, model, appellation choice."""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from normalizer.rome.index import AppellationIndex
from normalizer.rome.model import MODEL_FILE, Query, RomeModel, TitlePart, build_query
from normalizer.rome.referential import Appellation, Referential
from normalizer.rome.text import DESC_LIMIT, description_features, title_tokens

__all__ = ["MODEL_FILE", "RomeCandidate", "RomeClassifier", "RomeResult"]

#: Alternatives reported with each result (the best one included).
N_ALTERNATIVES = 3


@dataclass(frozen=True, slots=True)
class RomeCandidate:
    """One possible coding of an offer.

    Attributes:
        code_rome: Main code (one of the 532).
        code_fiche: ROME 4.0 fiche within it.
        code_ogr: OGR code of the best-matching appellation, if any.
        appellation: Label of that appellation.
        score: Probability in [0, 1].
    """

    code_rome: str
    code_fiche: str
    code_ogr: str | None
    appellation: str | None
    score: float


@dataclass(frozen=True, slots=True)
class RomeResult:
    """The ROME coding of an offer.

    Attributes:
        code_rome: Main code (one of the 532), ``None`` when nothing could be inferred.
        code_fiche: ROME 4.0 fiche (one of the 1,584).
        code_ogr: OGR code of the chosen appellation.
        appellation: Its label.
        score: Confidence in [0, 1]: 1.0 for a validated source code, else the model's
            calibrated probability that ``code_rome`` is right.
        method: ``"source"``, ``"appellation-exact"``, ``"model"``, ``"none"``; when an
            invalid source code was ignored, ``"… (source code X unknown)"`` is appended.
        alternatives: Best candidates, best first (the chosen one included).
    """

    code_rome: str | None
    code_fiche: str | None
    code_ogr: str | None
    appellation: str | None
    score: float
    method: str
    alternatives: tuple[RomeCandidate, ...]


class _TitleChoices:
    """Per title: the fiche evidence and the (fiche, appellation) chosen per main code."""

    __slots__ = ("by_code", "fiche_evidence")

    def __init__(self) -> None:
        self.by_code: dict[str, tuple[str, Appellation | None]] = {}
        self.fiche_evidence: tuple[int, dict[str, float]] | None = None


_NONE = RomeResult(None, None, None, None, 0.0, "none", ())


class RomeClassifier:
    """Assign ROME codes to offers.

    Pure and deterministic: all data is loaded at construction, ``classify`` does no
    I/O, and results are memoised in a bounded LRU cache keyed by the normalised title,
    the NAF code and a hash of the part of the description the model reads.

    Args:
        model: The fitted model.
        referential: The ROME referential the model was built against.
        index: Appellation index (built from ``referential`` when omitted).
        cache_size: Maximum number of memoised results.
    """

    def __init__(
        self,
        model: RomeModel,
        referential: Referential | None = None,
        index: AppellationIndex | None = None,
        cache_size: int = 50_000,
    ) -> None:
        self.model = model
        self.referential = referential or Referential.load()
        self.index = index or AppellationIndex.build(self.referential)
        self._children: dict[str, tuple[str, ...]] = {}
        for f in self.referential.fiches.values():
            self._children.setdefault(f.code_rome, ())
            self._children[f.code_rome] += (f.code,)
        self._cache: OrderedDict[tuple[str, str, bytes | None], RomeResult] = OrderedDict()
        # Second-level cache: the title-only half of the features, shared by offers with
        # the same title but different descriptions (the common case in a feed).
        self._title_cache: OrderedDict[str, TitlePart] = OrderedDict()
        # Per description (keyed by the hash of the part the model reads): its features
        # and a memo of the per-code description scores, shared by offers that carry the
        # same text under different titles (the same job on several boards).
        self._desc_cache: OrderedDict[bytes, tuple[tuple[str, ...], dict[str, tuple[float, float]]]] = (
            OrderedDict()
        )
        # Per title key: main code -> (fiche, appellation) choice, which only depends on
        # the title.
        self._app_cache: OrderedDict[str, _TitleChoices] = OrderedDict()
        # (title, fiche given by the source) -> closest appellation of that fiche.
        self._source_app_cache: OrderedDict[tuple[str, str], tuple[Appellation | None]] = (
            OrderedDict()
        )
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @classmethod
    def default(cls) -> RomeClassifier:
        """The classifier built from the shipped referential and model (cached)."""
        global _DEFAULT
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = cls.from_file(MODEL_FILE)
            return _DEFAULT

    @classmethod
    def from_file(cls, path: Path, referential: Referential | None = None) -> RomeClassifier:
        """Load a model written by ``normalizer.rome.train``."""
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            model = RomeModel.from_json(json.load(fh))
        return cls(model, referential)

    def cache_clear(self) -> None:
        """Forget memoised results (for benchmarks)."""
        with self._lock:
            self._cache.clear()
            self._title_cache.clear()
            self._desc_cache.clear()
            self._app_cache.clear()
            self._source_app_cache.clear()
            self.hits = self.misses = 0

    # ------------------------------------------------------------------ public

    def classify(
        self,
        title: str,
        description: str | None = None,
        naf: str | None = None,
        source_code: str | None = None,
    ) -> RomeResult:
        """Code one offer.

        Args:
            title: Offer title (free text).
            description: Offer description, if any.
            naf: Employer NAF code (``"78.20Z"``), if any.
            source_code: ROME code given by the source. When it is one of the 1,584
                codes it is kept (rolled up to its main code) with score 1.0; otherwise
                it is ignored and the result's method says so.

        Returns:
            The :class:`RomeResult`.
        """
        tokens = title_tokens(title or "")
        naf_n = (naf or "").strip().upper()
        desc = (description or "")[:DESC_LIMIT]
        dkey = (
            hashlib.blake2b(desc.encode("utf-8"), digest_size=12).digest() if desc.strip() else None
        )
        result = self._model_result(" ".join(tokens), tokens, naf_n, desc, dkey)
        if source_code is None or not str(source_code).strip():
            return result
        valid = self.referential.validate_code(str(source_code))
        if valid is None:
            return _with_method(
                result, f"{result.method} (source code {str(source_code).strip()} unknown)"
            )
        return self._source_result(valid, tokens, result)

    # ----------------------------------------------------------------- internals

    def _model_result(
        self, norm_title: str, tokens: list[str], naf: str, desc: str, dkey: bytes | None
    ) -> RomeResult:
        key = (norm_title, naf, dkey)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self.hits += 1
                return hit
            self.misses += 1
        result = self._compute(tokens, naf, desc, dkey)
        with self._lock:
            self._cache[key] = result
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    def _compute(self, tokens: list[str], naf: str, desc: str, dkey: bytes | None) -> RomeResult:
        if not tokens and not desc.strip():
            return _NONE
        dpart = None
        if dkey is not None:
            with self._lock:
                dpart = self._desc_cache.get(dkey)
            if dpart is None:
                dpart = (tuple(description_features(desc, DESC_LIMIT)), {})
                with self._lock:
                    self._desc_cache[dkey] = dpart
                    if len(self._desc_cache) > self._cache_size:
                        self._desc_cache.popitem(last=False)
        q = build_query(self.index, tokens, naf, desc, dpart[0] if dpart else None)
        tkey = " ".join(tokens)
        with self._lock:
            tp = self._title_cache.get(tkey)
            apps = self._app_cache.get(tkey)
        if tp is None:
            tp = self.model.title_part(q, self.index)
            with self._lock:
                self._title_cache[tkey] = tp
                if len(self._title_cache) > self._cache_size:
                    self._title_cache.popitem(last=False)
        if apps is None:
            apps = _TitleChoices()
            with self._lock:
                self._app_cache[tkey] = apps
                if len(self._app_cache) > self._cache_size:
                    self._app_cache.popitem(last=False)
        ranked = self.model.rank(q, self.index, tp, dpart[1] if dpart else None)
        alts = tuple(self._candidate(code, p, q, apps) for code, p in ranked[:N_ALTERNATIVES])
        best = alts[0]
        method = "appellation-exact" if best.code_rome in q.exact_codes else "model"
        return RomeResult(
            best.code_rome,
            best.code_fiche,
            best.code_ogr,
            best.appellation,
            best.score,
            method,
            alts,
        )

    def _candidate(
        self, code: str, p: float, q: Query, apps: _TitleChoices
    ) -> RomeCandidate:
        hit = apps.by_code.get(code)
        if hit is None:
            exact = self._exact_appellation(q, code)
            if exact is not None:
                hit = (exact.code_fiche, exact)
            else:
                if apps.fiche_evidence is None:
                    apps.fiche_evidence = self.model.fiche_evidence(q.title_feats)
                fiche = self.model.best_fiche(code, self._children[code], apps.fiche_evidence)
                hit = (fiche, self._appellation(q.title_words, fiche))
            apps.by_code[code] = hit
        fiche, app = hit
        return RomeCandidate(
            code, fiche, app.ogr if app else None, app.label if app else None, round(p, 4)
        )

    def _exact_appellation(self, q: Query, code: str) -> Appellation | None:
        if code not in q.exact_codes:
            return None
        apps = self.referential.appellations
        matches = [
            apps[o] for o in self.index.by_key.get(q.title_key, ()) if apps[o].code_rome == code
        ]
        # Several appellations can share a key; prefer the principal one, then the lowest OGR.
        return min(matches, key=lambda a: (not a.main, int(a.ogr))) if matches else None

    def _appellation(self, words: frozenset[str], fiche: str) -> Appellation | None:
        app, _ = self.index.best_in(words, self.referential.by_fiche.get(fiche, ()))
        return app

    def _source_result(
        self, valid: tuple[str, str], tokens: list[str], model: RomeResult
    ) -> RomeResult:
        code_rome, code_fiche = valid
        key = (" ".join(tokens), code_fiche)
        with self._lock:
            hit = self._source_app_cache.get(key)
        if hit is None:
            app = self._appellation(frozenset(tokens), code_fiche)
            with self._lock:
                self._source_app_cache[key] = (app,)
                if len(self._source_app_cache) > self._cache_size:
                    self._source_app_cache.popitem(last=False)
        else:
            app = hit[0]
        first = RomeCandidate(
            code_rome, code_fiche, app.ogr if app else None, app.label if app else None, 1.0
        )
        others = tuple(a for a in model.alternatives if a.code_rome != code_rome)
        return RomeResult(
            code_rome,
            code_fiche,
            first.code_ogr,
            first.appellation,
            1.0,
            "source",
            (first, *others[: N_ALTERNATIVES - 1]),
        )


def _with_method(r: RomeResult, method: str) -> RomeResult:
    return RomeResult(
        r.code_rome, r.code_fiche, r.code_ogr, r.appellation, r.score, method, r.alternatives
    )


_DEFAULT: RomeClassifier | None = None
_DEFAULT_LOCK = threading.Lock()
