"""Dedup as declarations: blocking rules and comparisons compiled to rapidfuzz scorers.

A :class:`DedupModel` lists blocking rules (which records are compared at all)
and a match rule over comparisons (how similar two records are, field by field).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

_WORD = re.compile(r"[a-z0-9]+")
_GENDER = re.compile(r"\b(h|f|m|x|nb)\s*/\s*(h|f|m|x|nb)(\s*/\s*(h|f|m|x|nb))?\b")
_LEGAL = re.compile(r"\b(sas|sasu|sarl|eurl|sa|sci|snc|scop|groupe|group|france|gmbh|ltd|inc)\b")
STOP = frozenset(
    ["de", "du", "des", "la", "le", "les", "l", "d", "un", "une", "et", "en", "au", "aux", "a", "pour", "sur", "dans", "par", "avec", "ou", "chez", "h", "f"]
)


def fold(text: str | None) -> str:
    """Lower-case, accents stripped, gender markers removed, words separated by spaces."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    t = _GENDER.sub(" ", t)
    return " ".join(_WORD.findall(t))


def employer_key(name: str | None) -> str:
    """Employer name without legal suffixes, folded."""
    return " ".join(_LEGAL.sub(" ", fold(name)).split())


@dataclass(frozen=True)
class DedupRecord:
    """What dedup compares of one source offer."""

    key: int
    partner: str
    title: str
    description: str
    employer: str
    siret: str
    city: str
    postcode: str
    departement: str
    contract: str
    published: datetime | None = None
    public_service: bool = False
    rank: int = 50
    cluster_id: str | None = None

    @property
    def title_tokens(self) -> str:
        """Title words without stop words, sorted."""
        return " ".join(sorted({w for w in self.title.split() if w not in STOP}))

    @property
    def description_head(self) -> str:
        """The first words of the description, folded (robust to re-wrapping)."""
        return " ".join(self.description.split()[:400])


@dataclass(frozen=True)
class BlockingRule:
    """Records with the same non-empty key are compared."""

    name: str
    key: Callable[[DedupRecord], str | None]


def block_on(*fields: str) -> BlockingRule:
    """Block on the exact values of ``fields`` (records missing any are not blocked here)."""

    def key(r: DedupRecord) -> str | None:
        values = [str(getattr(r, f) or "") for f in fields]
        return "|".join(values) if all(values) else None

    return BlockingRule(name="+".join(fields), key=key)


def block_on_description_shingle(words: int = 25) -> BlockingRule:
    """Block on a hash of the description's first ``words`` words (anonymous copies)."""

    def key(r: DedupRecord) -> str | None:
        head = r.description.split()[:words]
        if len(head) < words:
            return None
        return hashlib.blake2b(" ".join(head).encode(), digest_size=8).hexdigest()

    return BlockingRule(name=f"description-first-{words}-words", key=key)


def block_on_description_tail(words: int = 25) -> BlockingRule:
    """Block on a hash of the description's last ``words`` words (prefixed boilerplate)."""

    def key(r: DedupRecord) -> str | None:
        tail = r.description.split()[-words:]
        if len(tail) < words:
            return None
        return hashlib.blake2b(" ".join(tail).encode(), digest_size=8).hexdigest()

    return BlockingRule(name=f"description-last-{words}-words", key=key)


@dataclass(frozen=True)
class Comparison:
    """A similarity in [0, 1] between two records, or None when either side is empty."""

    name: str
    score: Callable[[DedupRecord, DedupRecord], float | None]


def similarity(field_name: str, scorer: Callable[..., float] = fuzz.token_set_ratio) -> Comparison:
    """rapidfuzz similarity of one text field (None when either is empty)."""

    def score(a: DedupRecord, b: DedupRecord) -> float | None:
        x, y = getattr(a, field_name), getattr(b, field_name)
        if not x or not y:
            return None
        return float(scorer(x, y)) / 100.0

    return Comparison(name=field_name, score=score)


def exact(field_name: str) -> Comparison:
    """1.0 when equal, 0.0 when different, None when either is empty."""

    def score(a: DedupRecord, b: DedupRecord) -> float | None:
        x, y = getattr(a, field_name), getattr(b, field_name)
        if not x or not y:
            return None
        return 1.0 if x == y else 0.0

    return Comparison(name=field_name, score=score)


def same_place(a: DedupRecord, b: DedupRecord) -> float | None:
    """1.0 same postcode or city, 0.5 same département only, 0.0 different, None unknown."""
    if a.postcode and b.postcode and a.postcode == b.postcode:
        return 1.0
    if a.city and b.city:
        return 1.0 if a.city == b.city else 0.0
    if a.departement and b.departement:
        return 0.5 if a.departement == b.departement else 0.0
    return None


@dataclass(frozen=True)
class DedupModel:
    """Blocking rules, comparisons and the decision rule."""

    blocking: Sequence[BlockingRule]
    comparisons: Sequence[Comparison]
    decide: Callable[[dict[str, float | None]], bool]
    max_pairs_per_rule: int = 50_000_000
    max_block_size: int = 2_000


def default_decision(s: dict[str, float | None]) -> bool:
    """Same job: compatible place, contract, employer and SIRET; similar title and text."""
    if s.get("place") == 0.0 or s.get("contract") == 0.0 or s.get("siret") == 0.0:
        return False
    employer = s.get("employer")
    if employer is not None and employer < 0.85:
        return False
    title = s.get("title_tokens") or 0.0
    desc = s.get("description_head")
    if desc is None:
        # Without text to compare, ask for a near-identical title and a known employer.
        return title >= 0.95 and employer is not None and s.get("place") is not None
    return (title >= 0.9 and desc >= 0.6) or (desc >= 0.95 and title >= 0.8)


DEFAULT_MODEL = DedupModel(
    blocking=[
        block_on("employer", "departement"),
        block_on("title_tokens", "departement"),
        block_on_description_shingle(25),
        block_on_description_tail(25),
    ],
    comparisons=[
        # token_sort, not token_set: a shared subset ("secteur navale") is not the same title.
        similarity("title_tokens", fuzz.token_sort_ratio),
        similarity("description_head"),
        similarity("employer", fuzz.token_sort_ratio),
        Comparison("place", same_place),
        exact("contract"),
        exact("siret"),
    ],
    decide=default_decision,
)


@dataclass
class BlockingStats:
    """Candidate pairs per blocking rule (printed by ``jobgate dedup --explain``)."""

    pairs: dict[str, int] = field(default_factory=dict)
    skipped_blocks: dict[str, int] = field(default_factory=dict)
