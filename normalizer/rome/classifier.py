"""ROME classification of one offer: source code check, model, appellation choice."""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from normalizer.rome.index import AppellationIndex
from normalizer.rome.model import MODEL_FILE, Query, RomeModel, build_query
from normalizer.rome.referential import Appellation, Referential
from normalizer.rome.text import DESC_LIMIT, title_tokens
from normalizer.rome.vector import AppellationArrays, FloatArray, RowSims

__all__ = [
    "MODEL_FILE",
    "RomeCandidate",
    "RomeClassifier",
    "RomeInput",
    "RomeResult",
    "hold_reason",
]

#: Alternatives reported with each result (the best one included).
N_ALTERNATIVES = 3
#: Offers scored together by one array pass (bounds the per-batch arrays to tens of MB).
BATCH = 256


class RomeInput(NamedTuple):
    """One offer to code with :meth:`RomeClassifier.classify_many` (see ``classify``)."""

    title: str
    description: str | None = None
    naf: str | None = None
    source_code: str | None = None


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
        self.apps = AppellationArrays(self.index, model.codes, self.referential.appellations)
        self._children: dict[str, tuple[str, ...]] = {}
        for f in self.referential.fiches.values():
            self._children.setdefault(f.code_rome, ())
            self._children[f.code_rome] += (f.code,)
        self._cache: OrderedDict[tuple[str, str, bytes | None], RomeResult] = OrderedDict()
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
        return self.classify_many([RomeInput(title, description, naf, source_code)])[0]

    def classify_many(
        self, offers: Iterable[RomeInput | tuple[str, str | None, str | None, str | None]]
    ) -> list[RomeResult]:
        """Code a batch of offers, in order; same results as :meth:`classify` one by one.

        The offers not in the cache are scored together (every component is one array
        operation over the batch), which is several times faster than one call per
        offer; batches of a few hundred offers get most of the gain.

        Args:
            offers: :class:`RomeInput` values, or ``(title, description, naf,
                source_code)`` tuples.

        Returns:
            One :class:`RomeResult` per offer, in input order.
        """
        items = [RomeInput(*o) for o in offers]
        keyed: list[tuple[tuple[str, str, bytes | None], list[str], str]] = []
        results: list[RomeResult | None] = []
        todo: dict[tuple[str, str, bytes | None], tuple[list[str], str]] = {}
        with self._lock:
            for it in items:
                tokens = title_tokens(it.title or "")
                desc = (it.description or "")[:DESC_LIMIT]
                dkey = (
                    hashlib.blake2b(desc.encode("utf-8"), digest_size=12).digest()
                    if desc.strip()
                    else None
                )
                key = (" ".join(tokens), (it.naf or "").strip().upper(), dkey)
                keyed.append((key, tokens, desc))
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    self.hits += 1
                elif key not in todo:
                    self.misses += 1
                    todo[key] = (tokens, desc)
                results.append(hit)
        computed = self._compute_many(todo)
        with self._lock:
            for key, res in computed.items():
                self._cache[key] = res
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        out = []
        for it, (key, tokens, _), hit in zip(items, keyed, results, strict=True):
            result = hit if hit is not None else computed[key]
            out.append(self._with_source(result, tokens, it.source_code))
        return out

    # ----------------------------------------------------------------- internals

    def _compute_many(
        self, todo: dict[tuple[str, str, bytes | None], tuple[list[str], str]]
    ) -> dict[tuple[str, str, bytes | None], RomeResult]:
        out: dict[tuple[str, str, bytes | None], RomeResult] = {}
        pending = []
        for key, (tokens, desc) in todo.items():
            if not tokens and not desc.strip():
                out[key] = _NONE
            else:
                pending.append((key, build_query(self.index, tokens, key[1], desc)))
        for start in range(0, len(pending), BATCH):
            chunk = pending[start : start + BATCH]
            scored = self.model.score([q for _, q in chunk], self.apps)
            for i, (key, q) in enumerate(chunk):
                ranked = self.model.rank(scored.features[i], scored.candidates[i])
                sims = self.apps.row_sims(scored.title_sims, i)
                alts = tuple(
                    self._candidate(code, p, q, sims, scored.fiche_ll[i])
                    for code, p in ranked[:N_ALTERNATIVES]
                )
                best = alts[0]
                method = "appellation-exact" if best.code_rome in q.exact_codes else "model"
                out[key] = RomeResult(
                    best.code_rome,
                    best.code_fiche,
                    best.code_ogr,
                    best.appellation,
                    best.score,
                    method,
                    alts,
                )
        return out

    def _candidate(
        self,
        code: str,
        p: float,
        q: Query,
        sims: RowSims,
        fiche_ll: FloatArray,
    ) -> RomeCandidate:
        app: Appellation | None = self._exact_appellation(q, code)
        if app is not None:
            fiche = app.code_fiche
        else:
            fiche = self.model.best_fiche(code, self._children[code], fiche_ll)
            app = self.apps.best_in(sims, fiche)
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

    def _with_source(
        self, result: RomeResult, tokens: list[str], source_code: str | None
    ) -> RomeResult:
        if source_code is None or not str(source_code).strip():
            return result
        valid = self.referential.validate_code(str(source_code))
        if valid is None:
            return _with_method(
                result, f"{result.method} (source code {str(source_code).strip()} unknown)"
            )
        return self._source_result(valid, tokens, result)

    def _source_result(
        self, valid: tuple[str, str], tokens: list[str], model: RomeResult
    ) -> RomeResult:
        code_rome, code_fiche = valid
        key = (" ".join(tokens), code_fiche)
        with self._lock:
            hit = self._source_app_cache.get(key)
        if hit is None:
            sims = self.apps.row_sims(self.apps.title_sims([frozenset(tokens)]), 0)
            app = self.apps.best_in(sims, code_fiche)
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


def hold_reason(result: RomeResult | None, hold_below: float) -> str | None:
    """Why an offer coded ``result`` is held for review, or ``None`` when it is not
    (no code, or a score below ``hold_below``)."""
    if result is not None and result.code_rome is not None and result.score >= hold_below:
        return None
    score = result.score if result is not None else 0.0
    guess = result.code_rome if result is not None else None
    return f"ROME confidence {score:.2f} below {hold_below:.2f}" + (
        f" (best guess {guess})" if guess else ""
    )


def _with_method(r: RomeResult, method: str) -> RomeResult:
    return RomeResult(
        r.code_rome, r.code_fiche, r.code_ogr, r.appellation, r.score, method, r.alternatives
    )


_DEFAULT: RomeClassifier | None = None
_DEFAULT_LOCK = threading.Lock()
