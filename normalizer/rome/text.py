"""Text normalisation and feature extraction shared by the ROME index and model.

Everything here is a pure function of its input. The functions are on the hot path
(thousands of calls per second), so they use ``str.translate`` and precompiled regexes
rather than ``unicodedata`` per character.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "DESC_LIMIT",
    "canon",
    "description_features",
    "fold",
    "label_key",
    "title_features",
    "title_tokens",
]


def _build_fold_table() -> dict[int, str]:
    """Map every accented Latin-1/Latin Extended-A letter to its bare ASCII form."""
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if base != ch and base.isascii():
            table[cp] = base.lower()
    table.update({ord("œ"): "oe", ord("Œ"): "oe", ord("æ"): "ae", ord("Æ"): "ae", ord("ß"): "ss"})
    # Typographic apostrophes, dashes and non-breaking spaces all act as separators.
    for ch in "’‘`´\u00a0\u2009\u202f–—":
        table[ord(ch)] = " "
    return table


_FOLD = _build_fold_table()

# Inclusive-writing suffixes: "Agent(e)", "Conseiller(ère)", "directeur/trice", "employé.e".
# They are removed so that the masculine stem carries the meaning; the feminine full forms
# ("Conductrice") are handled by ``canon``.
_INCLUSIVE = re.compile(
    r"\((?:e|ne|ere|trice|rice|euse|se|es|s|x|le|elle|ive)\)"
    r"|(?<=[a-z])[/.·](?:e|ne|ere|trice|rice|euse|se|le|elle|ive)\b"
)
# "H/F", "F/H", "h-f", "H/F/X", "(H/F)" and friends: gender mentions required by law, no signal.
_GENDER = re.compile(r"\b(?:h|f|m|x)\s*[/\-\\]\s*(?:h|f|m|x)(?:\s*[/\-\\]\s*(?:h|f|m|x))?\b")
_WORD = re.compile(r"[a-z0-9]+")

# Words that never discriminate between jobs in a title. Kept small on purpose: the learned
# model down-weights the rest of the noise (cities, "urgent", contract types) by itself.
STOPWORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "d",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "un",
        "une",
        "pour",
        "par",
        "sur",
        "dans",
        "ou",
        "chez",
        "h",
        "f",
        "x",
        "hf",
        "fh",
        "nf",
    ]
)

# Ordered suffix rewrites folding French gender and number onto one form, so that
# "vendeuse", "vendeurs" and "vendeur" share a token. Applied to both labels and offers,
# so a collision between unrelated words costs little.
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("trices", "teur"),
    ("trice", "teur"),
    ("euses", "eur"),
    ("euse", "eur"),
    ("ieres", "ier"),
    ("iere", "ier"),
    ("iennes", "ien"),
    ("ienne", "ien"),
    ("ennes", "en"),
    ("enne", "en"),
    ("elles", "el"),
    ("elle", "el"),
    ("ives", "if"),
    ("ive", "if"),
    ("antes", "ant"),
    ("ante", "ant"),
    ("ees", "e"),
    ("ee", "e"),
    ("eres", "er"),
    ("ere", "er"),
    ("ales", "al"),
    ("ale", "al"),
    ("aux", "al"),
    ("eurs", "eur"),
    ("iers", "ier"),
    ("ants", "ant"),
)


def fold(text: str) -> str:
    """Lower-case, strip accents and gender marks, keep only ``[a-z0-9]`` words.

    Args:
        text: Any free text.

    Returns:
        Space-separated folded words.
    """
    s = text.lower().translate(_FOLD)
    s = _INCLUSIVE.sub("", s)
    s = _GENDER.sub(" ", s)
    return " ".join(_WORD.findall(s))


_CANON_CACHE: dict[str, str] = {}


def canon(word: str) -> str:
    """Fold a folded word's gender and plural inflection onto one canonical form."""
    hit = _CANON_CACHE.get(word)
    if hit is not None:
        return hit
    out = word
    if len(word) > 4:
        for suffix, repl in _SUFFIXES:
            if word.endswith(suffix):
                out = word[: -len(suffix)] + repl
                break
        else:
            if word.endswith("s") and not word.endswith("ss"):
                out = word[:-1]
    if len(_CANON_CACHE) < 200_000:  # bounded: the vocabulary is finite in practice
        _CANON_CACHE[word] = out
    return out


def title_tokens(title: str) -> list[str]:
    """Canonical content words of a title, in order, stop words removed."""
    return [
        canon(w)
        for w in fold(title).split()
        if len(w) > 1 and w not in STOPWORDS and not w.isdigit()
    ]


def label_key(title: str) -> str:
    """Key under which a title is compared for an exact appellation match.

    Order-insensitive bag of canonical words, so "Conducteur / Conductrice de travaux",
    "CONDUCTEUR DE TRAVAUX (H/F)" and "conductrice de travaux" share the key
    "conducteur travaux".
    """
    return " ".join(sorted(set(title_tokens(title))))


def title_features(tokens: Iterable[str]) -> list[str]:
    """Sparse features of a title: words, adjacent word pairs and 5-letter prefixes."""
    toks = list(tokens)
    feats = [f"w:{t}" for t in toks]
    feats.extend(f"b:{a}_{b}" for a, b in itertools.pairwise(toks))
    feats.extend(f"p:{t[:5]}" for t in toks if len(t) > 5)
    return feats


#: Characters of a description that are read (see ``description_features``). 600 rather
#: than 1,200 (branch ``rome2``): same accuracy on three development folds of the train
#: part (top-1 0.747 vs 0.743, top-3 0.850 vs 0.851; ``bench/rome_cv.py``), half the
#: description work.
DESC_LIMIT = 600

_DESC_STOP = STOPWORDS | frozenset(
    [
        "vous",
        "nous",
        "votre",
        "vos",
        "notre",
        "nos",
        "est",
        "sont",
        "etre",
        "avoir",
        "ce",
        "cette",
        "ces",
        "son",
        "sa",
        "ses",
        "qui",
        "que",
        "quoi",
        "dont",
        "il",
        "elle",
        "ils",
        "elles",
        "leur",
        "leurs",
        "se",
        "ne",
        "pas",
        "plus",
        "tout",
        "tous",
        "toute",
        "toutes",
        "au",
        "poste",
        "entreprise",
        "societe",
        "candidat",
        "profil",
        "recherche",
        "recherchons",
        "recrute",
        "recrutons",
        "mission",
        "missions",
        "experience",
        "cdi",
        "cdd",
        "temps",
        "plein",
        "partiel",
        "semaine",
        "mois",
        "an",
        "ans",
        "heures",
        "heure",
        "salaire",
        "selon",
    ]
)
# Raw lower-case word -> its canonical words (usually one; none for an ignored word).
# Descriptions are long, so this per-word memo is what keeps them cheap: the accent
# folding runs once per distinct word, not once per character of every description.
_DESC_WORD: dict[str, tuple[str, ...]] = {}


def _desc_word(w: str) -> tuple[str, ...]:
    return tuple(
        canon(x)
        for x in _WORD.findall(w.translate(_FOLD))
        if len(x) >= 3 and x not in _DESC_STOP and not x.isdigit()
    )


def description_features(description: str, limit: int = DESC_LIMIT) -> list[str]:
    """Distinct canonical words of a description (first ``limit`` characters).

    Only the beginning is read: it names the job, while the end of an offer is mostly
    benefits and company boilerplate, and the cut keeps classification fast. Gender
    marks are not stripped here (unlike titles): it is not worth a regex pass over the
    whole text, and the stray ``e``/``ne`` fragments are filtered as short words.
    """
    # Whitespace-separated chunks, punctuation attached: ``_desc_word`` splits them on
    # anything but ``[a-z0-9]`` after folding, which gives the same words in the same
    # order as a regex word scan, at a third of its cost.
    words = description[:limit].lower().split()
    memo = _DESC_WORD
    for w in set(words).difference(memo):
        c = _desc_word(w)
        if len(memo) >= 300_000:  # bounded: beyond it, words are folded on each call
            return list(dict.fromkeys(x for w in words for x in memo.get(w) or _desc_word(w)))
        memo[w] = c
    # Distinct words in order of first occurrence, the chaining done in C.
    return list(dict.fromkeys(itertools.chain.from_iterable(map(memo.__getitem__, words))))
