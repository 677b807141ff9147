"""Inverted index over ROME appellation labels.

Used for three things: exact title matches (a title that *is* an appellation label),
the appellation labels as pseudo-documents when training, and choosing the appellation
within a code once the code is known.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from normalizer.rome.referential import Appellation, Referential
from normalizer.rome.text import title_tokens

__all__ = ["AppellationIndex"]


@dataclass(frozen=True)
class AppellationIndex:
    """Appellations keyed by normalised label and by token.

    Attributes:
        by_key: ``label_key`` -> OGR codes of the appellations with that key.
        tokens: OGR -> canonical tokens of its long and short labels.
        idf: token -> inverse document frequency over appellations.
        by_token: token -> OGR codes containing it (the inverted index).
        codes_by_key: ``label_key`` -> main codes whose appellations have that key.
        by_code: main code -> OGR codes of all its appellations (all fiches).
        weight: OGR -> sum of the IDF of its tokens.
        code_vocab: main code -> token -> OGR codes of that code containing it.
    """

    by_key: dict[str, tuple[str, ...]]
    tokens: dict[str, frozenset[str]]
    idf: dict[str, float]
    by_token: dict[str, tuple[str, ...]]
    codes_by_key: dict[str, frozenset[str]]
    by_code: dict[str, tuple[str, ...]]
    weight: dict[str, float]
    code_vocab: dict[str, dict[str, tuple[str, ...]]]

    @classmethod
    def build(cls, ref: Referential) -> AppellationIndex:
        """Index every appellation of ``ref`` (long and short labels)."""
        by_key: dict[str, list[str]] = defaultdict(list)
        tokens: dict[str, frozenset[str]] = {}
        by_token: dict[str, list[str]] = defaultdict(list)
        codes_by_key: dict[str, set[str]] = defaultdict(set)
        by_code: dict[str, list[str]] = defaultdict(list)
        for a in ref.appellations.values():
            # Codes are those of the fiche's parent, the roll-up used for offers: for
            # 404 appellations the appellation file names another (legacy v3) parent.
            parent = ref.fiches[a.code_fiche].code_rome
            toks: set[str] = set()
            for label in {a.label, a.short_label}:
                t = title_tokens(label)
                toks.update(t)
                key = " ".join(sorted(set(t)))
                if a.ogr not in by_key[key]:
                    by_key[key].append(a.ogr)
                codes_by_key[key].add(parent)
            tokens[a.ogr] = frozenset(toks)
            by_code[parent].append(a.ogr)
            for tok in toks:
                by_token[tok].append(a.ogr)
        n = len(tokens)
        idf = {t: math.log((n + 1) / (len(ogrs) + 0.5)) for t, ogrs in by_token.items()}
        return cls(
            by_key={k: tuple(v) for k, v in by_key.items()},
            tokens=tokens,
            idf=idf,
            by_token={k: tuple(v) for k, v in by_token.items()},
            codes_by_key={k: frozenset(v) for k, v in codes_by_key.items()},
            by_code={k: tuple(v) for k, v in by_code.items()},
            weight={o: sum(idf[t] for t in toks) for o, toks in tokens.items()},
            code_vocab=_code_vocab(ref, tokens),
        )

    def similarity(self, title_toks: frozenset[str], ogr: str) -> float:
        """IDF-weighted Dice coefficient between a title and an appellation, in [0, 1]."""
        app = self.tokens[ogr]
        idf = self.idf
        common = sum(idf.get(t, 0.0) for t in title_toks & app)
        if not common:
            return 0.0
        total = sum(idf.get(t, 8.0) for t in title_toks) + self.weight[ogr]
        return 2.0 * common / total

    def title_sim(self, title_toks: frozenset[str], code: str) -> float:
        """Best IDF-weighted Dice between a title and one appellation of a main code.

        Uses the per-code inverted index, so the cost depends on the words shared with
        the code's vocabulary, not on its number of appellations.
        """
        vocab = self.code_vocab.get(code)
        if not vocab or not title_toks:
            return 0.0
        shared = title_toks & vocab.keys()
        if not shared:
            return 0.0
        idf, weight = self.idf, self.weight
        acc: dict[str, float] = {}
        for t in shared:
            v = idf[t]
            for ogr in vocab[t]:
                acc[ogr] = acc.get(ogr, 0.0) + v
        title_w = sum(idf.get(t, 8.0) for t in title_toks)
        return max(2.0 * v / (title_w + weight[o]) for o, v in acc.items())

    def desc_cover(self, desc_words: frozenset[str], code: str) -> float:
        """Best IDF-weighted share of one appellation's words found in a description."""
        vocab = self.code_vocab.get(code)
        if not vocab:
            return 0.0
        shared = desc_words & vocab.keys()
        if not shared:
            return 0.0
        idf, weight = self.idf, self.weight
        acc: dict[str, float] = {}
        for t in shared:
            v = idf[t]
            for ogr in vocab[t]:
                acc[ogr] = acc.get(ogr, 0.0) + v
        return max(v / weight[o] for o, v in acc.items())

    def best_in(
        self, title_toks: frozenset[str], appellations: tuple[Appellation, ...]
    ) -> tuple[Appellation | None, float]:
        """Most similar appellation among ``appellations``.

        Ties (including "nothing in common") go to the principal appellation of the
        fiche, then to common over rare labels, then to the lowest OGR code, so the
        choice is deterministic.
        """
        best: Appellation | None = None
        best_key: tuple[float, bool, bool, int] | None = None
        best_sim = 0.0
        tokens = self.tokens
        for a in appellations:
            # Only labels sharing a word with the title need the full computation.
            sim = (
                self.similarity(title_toks, a.ogr)
                if not title_toks.isdisjoint(tokens[a.ogr])
                else 0.0
            )
            key = (sim, a.main, not a.rare, -int(a.ogr))
            if best_key is None or key > best_key:
                best, best_key, best_sim = a, key, sim
        return best, best_sim

    def pseudo_documents(self, ref: Referential) -> Iterator[tuple[list[str], Appellation]]:
        """Token lists of every appellation label (long and short), for training."""
        for a in ref.appellations.values():
            yield title_tokens(a.label), a
            if a.short_label != a.label:
                yield title_tokens(a.short_label), a


def _code_vocab(
    ref: Referential, tokens: dict[str, frozenset[str]]
) -> dict[str, dict[str, tuple[str, ...]]]:
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for a in ref.appellations.values():
        for t in tokens[a.ogr]:
            out[ref.fiches[a.code_fiche].code_rome][t].append(a.ogr)
    return {c: {t: tuple(o) for t, o in v.items()} for c, v in out.items()}
