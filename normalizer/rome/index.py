"""Inverted index over ROME appellation labels.

Used for exact title matches (a title that *is* an appellation label) and for the
appellation labels as pseudo-documents when training; ``vector.AppellationArrays`` turns
it into arrays for the title/appellation similarities and the choice of appellation.
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
    """

    by_key: dict[str, tuple[str, ...]]
    tokens: dict[str, frozenset[str]]
    idf: dict[str, float]
    by_token: dict[str, tuple[str, ...]]
    codes_by_key: dict[str, frozenset[str]]
    by_code: dict[str, tuple[str, ...]]
    weight: dict[str, float]

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
        )

    def pseudo_documents(self, ref: Referential) -> Iterator[tuple[list[str], Appellation]]:
        """Token lists of every appellation label (long and short), for training."""
        for a in ref.appellations.values():
            yield title_tokens(a.label), a
            if a.short_label != a.label:
                yield title_tokens(a.short_label), a
