"""Dedup as declarations: blocking rules and comparisons compiled to rapidfuzz scorers.

A :class:`DedupModel` lists blocking rules (which records are compared at all)
and a match rule over comparisons (how similar two records are, field by field).
Blocking keys are stable 63-bit integers, so they can be persisted and an
incremental batch looked up against the existing catalogue.

Example::

    model = DedupModel(
        blocking=[block_on("employer", "title_key"), block_on_text(use=6)],
        comparisons=[similarity("title_key", name="title"), text_overlap(), same_place_comparison()],
        decide=default_decision,
    )
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

_WORD = re.compile(r"[a-z0-9]+")
_GENDER = re.compile(r"\b(h|f|m|x|nb)\s*/\s*(h|f|m|x|nb)(\s*/\s*(h|f|m|x|nb))?\b")
_LEGAL = re.compile(
    r"\b(sas|sasu|sarl|eurl|sa|sci|snc|scop|selarl|groupe|group|france|gmbh|ltd|inc|et cie|cie)\b"
)
STOP = frozenset(
    ["de", "du", "des", "la", "le", "les", "l", "d", "un", "une", "et", "en", "au", "aux", "a", "pour", "sur", "dans", "par", "avec", "ou", "chez", "h", "f", "cdi", "cdd", "interim", "alternance", "stage", "e"]
)
MASK63 = (1 << 63) - 1
_K1, _K2, _K3 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9


def fold(text: str | None) -> str:
    """Lower-case, accents stripped, gender markers removed, words separated by spaces."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    t = _GENDER.sub(" ", t)
    return " ".join(_WORD.findall(t))


# ASCII byte -> itself when a lower-case letter or a digit, lower case for upper case, else a space.
_FOLD_BYTES = bytes(
    c if (48 <= c <= 57 or 97 <= c <= 122) else c + 32 if 65 <= c <= 90 else 32 for c in range(256)
)


def fold_text(text: str | None) -> str:
    """:func:`fold` for long texts (no gender-marker pass: those words do not matter there).

    One byte-table pass instead of a regular expression: the same words, twice as fast.
    """
    if not text:
        return ""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").translate(_FOLD_BYTES)
    return " ".join(ascii_text.decode().split())


def employer_key(name: str | None) -> str:
    """Employer name without legal suffixes, folded."""
    return " ".join(_LEGAL.sub(" ", fold(name)).split())


_CITY_WORDS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_CITY_DROP = frozenset({"cedex", "arrondissement", "er", "e"})


def city_key(name: str | None) -> str:
    """City name folded, ``St``/``Ste`` spelt out, ``Cedex`` and arrondissement numbers dropped."""
    words = [_CITY_WORDS.get(w, w) for w in fold(name).split()]
    return " ".join(w for w in words if w not in _CITY_DROP and not w.isdigit() and not w.rstrip("er").isdigit())


def stable_hash(text: str) -> int:
    """A 63-bit hash stable across processes (Python's ``hash`` is salted)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little") & MASK63


class _WordHash(dict[str, int]):
    """word -> stable 63-bit hash, filled on first use (lookups at C speed)."""

    def __missing__(self, w: str) -> int:
        h = self[w] = stable_hash(w)
        return h


class _WordCode(dict[str, str]):
    """word -> one character (from its stable hash), filled on first use."""

    def __missing__(self, w: str) -> str:
        c = self[w] = chr(1 + WORD_HASH[w] % 0x10FFFE)
        return c


class _ByteWordCode(dict[bytes, str]):
    """:data:`WORD_CODE` keyed by the ASCII bytes of the word (the same codes)."""

    def __missing__(self, w: bytes) -> str:
        c = self[w] = WORD_CODE[w.decode()]
        return c


WORD_HASH = _WordHash()
WORD_CODE = _WordCode()
_BYTE_WORD_CODE = _ByteWordCode()


def encode_words(text: str) -> str:
    """One character per word: rapidfuzz then aligns word sequences at C speed."""
    return "".join(map(WORD_CODE.__getitem__, text.split()))


def text_words(text: str | None) -> str:
    """``encode_words(fold_text(text))`` in one pass over bytes, without the folded text.

    What records are built from (:attr:`DedupRecord.words`): a third cheaper,
    since the folded text is neither decoded, joined nor split twice.
    """
    if not text:
        return ""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").translate(_FOLD_BYTES)
    return "".join(map(_BYTE_WORD_CODE.__getitem__, ascii_text.split()))


def title_key(title: str, *place_words: str) -> str:
    """Title words without stop words, place words or numbers, unique and sorted."""
    drop: set[str] = set()
    for p in place_words:
        drop.update(p.split())
    return " ".join(sorted({w for w in title.split() if w not in STOP and w not in drop and not w.isdigit()}))


@dataclass(frozen=True, slots=True)
class DedupRecord:
    """What dedup compares of one source offer (text fields already folded).

    Slotted, and the folded ``description`` is not kept: it is an input only,
    turned into :attr:`words` (one character per word, all the comparisons and
    the text blocking use) and then dropped, so a million records fit in about
    1 GB. ``dataclasses.replace`` keeps ``words`` unless a new ``description``
    is given. Short repeated fields (partner, place, contract) are interned.
    """

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
    external_id: str = ""
    words: str = field(default="", repr=False)
    title_key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "title_key", title_key(self.title, self.city, self.postcode))
        if self.description:
            setattr_(self, "words", encode_words(self.description))
            setattr_(self, "description", "")
        for name in ("partner", "city", "postcode", "departement", "contract"):
            setattr_(self, name, sys.intern(getattr(self, name)))

    @property
    def title_tokens(self) -> str:
        """Title words without stop words, sorted (alias of ``title_key``)."""
        return self.title_key


# -- blocking ----------------------------------------------------------------


@dataclass(frozen=True)
class BlockingRule:
    """Records sharing a key are compared.

    Args:
        name: what ``explain`` prints.
        keys: a record's candidate keys (stable 63-bit ints), best first.
        use: when set, each record keeps only its first ``use`` keys whose block is
            not oversized (rarer keys stand in for frequent ones).
        max_block: blocks larger than this are skipped (default: the model's).
        batch: the keys of many records at once (vectorised), when the rule has such a form.
    """

    name: str
    keys: Callable[[DedupRecord], list[int]]
    use: int | None = None
    max_block: int | None = None
    batch: Callable[[Sequence[DedupRecord]], list[list[int]]] | None = None

    def keys_of(self, records: Sequence[DedupRecord]) -> list[list[int]]:
        """Every record's candidate keys (the vectorised form when there is one)."""
        if self.batch is not None:
            return self.batch(records)
        return [self.keys(r) for r in records]


def block_on(*fields: str, max_block: int | None = None) -> BlockingRule:
    """Block on the exact values of ``fields`` (records missing any are not blocked here)."""
    name = "+".join(fields)

    def keys(r: DedupRecord) -> list[int]:
        values = [str(getattr(r, f) or "") for f in fields]
        return [stable_hash(name + "\x1f" + "\x1f".join(values))] if all(values) else []

    return BlockingRule(name=name, keys=keys, max_block=max_block)


_FMIX1, _FMIX2 = 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53
SKETCH_CHUNK = 8192  # records per vectorised pass (bounds the shingle arrays to a few MB)
_RID_BITS = 14  # record index within a chunk, in the high bits of the sort key
_HASH_BITS = 63 - _RID_BITS


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, in place on a uint64 array (wrapping arithmetic)."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(_FMIX1)
    h ^= h >> np.uint64(33)
    h *= np.uint64(_FMIX2)
    h ^= h >> np.uint64(33)
    return h


def text_sketches(
    codes: Sequence[str], shingle: int = 4, k: int = 24, min_words: int = 20
) -> list[list[int]]:
    """Bottom-``k`` MinHash sketches of word ``shingle``-grams, for many texts at once.

    ``codes`` are texts as one character per word (:func:`encode_words`, i.e.
    :attr:`DedupRecord.words`). Two texts sharing a passage share most of its
    smallest shingle hashes, so truncation, re-wrapping and boilerplate around
    the text keep the sketch (MinHash containment). Each sketch lists distinct
    shingle hashes, smallest first, as 63-bit ints whose low 4 bits are zero.

    Vectorised with numpy: the word codes of a chunk of texts are one uint32
    array (their UTF-32 encoding), every shingle is hashed in a few array passes,
    and one sort of (text, hash) keys gives every text's smallest hashes.
    Hashes depend only on the words, so they are stable across processes and
    Python versions.
    """
    out: list[list[int]] = []
    for lo in range(0, len(codes), SKETCH_CHUNK):
        out.extend(_sketch_chunk(codes[lo:lo + SKETCH_CHUNK], shingle, k, min_words))
    return out


SKETCH_SPARE = 3  # a text keeps about SKETCH_SPARE * k of its shingle hashes before the sort


def _sketch_chunk(codes: Sequence[str], shingle: int, k: int, min_words: int) -> list[list[int]]:
    n = len(codes)
    lens = np.fromiter(map(len, codes), dtype=np.int64, count=n)
    sketched = lens >= max(min_words, shingle)
    if not sketched.any():
        return [[] for _ in range(n)]
    # Shingle hashes at every word position (positions too close to a text's end are dropped below).
    words = np.frombuffer("".join(codes).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    padded = np.zeros(len(words) + shingle, dtype=np.uint64)
    padded[: len(words)] = words
    h = _fmix64(padded[: len(words)].copy())
    for j in range(1, shingle):
        h ^= padded[j : j + len(words)] * np.uint64(_K1 + 2 * j)  # odd multipliers
        _fmix64(h)
    h >>= np.uint64(64 - _HASH_BITS)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    shingles = np.where(sketched, lens - shingle + 1, 0)  # shingle starts of each text
    valid = np.arange(len(words), dtype=np.int64) < np.repeat(starts + shingles, lens)
    valid &= np.repeat(sketched, lens)
    # Only the hashes under a per-text bound (about SKETCH_SPARE * k of them) are sorted: the
    # smallest k distinct ones are among them unless the text repeats itself, and texts left
    # with fewer than k distinct hashes under their bound are sorted again whole.
    bound = np.minimum(SKETCH_SPARE * k * float(1 << _HASH_BITS) / np.maximum(shingles, 1),
                       float(1 << _HASH_BITS)).astype(np.uint64)
    low = valid & (h < np.repeat(bound, lens))
    key, owner = _distinct_keys(h, low, starts)
    short = sketched & (np.bincount(owner, minlength=n) < np.minimum(k, shingles))
    if short.any():  # rare: a text with many repeated passages, or all its hashes high
        again = valid & np.repeat(short, lens)
        key2, _ = _distinct_keys(h, again, starts)
        mine = ~short[owner]
        key = np.sort(np.concatenate((key[mine], key2)))
        owner = (key >> np.uint64(_HASH_BITS)).astype(np.int64)
    first = np.searchsorted(owner, np.arange(n, dtype=np.int64))
    top = (np.arange(len(key), dtype=np.int64) - first[owner]) < k
    key, owner = key[top], owner[top]
    # The hash part, shifted clear of the engine's 4 rule bits.
    values = ((key & np.uint64((1 << _HASH_BITS) - 1)) << np.uint64(4)).tolist()
    counts = np.bincount(owner, minlength=n).tolist()
    it = iter(values)
    return [list(islice(it, c)) for c in counts]


def _distinct_keys(h: np.ndarray, mask: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct (text, hash) keys of the positions in ``mask``, and each key's text."""
    at = np.flatnonzero(mask)
    rid = (np.searchsorted(starts, at, side="right") - 1).astype(np.uint64)
    key = np.sort((rid << np.uint64(_HASH_BITS)) | h[at])
    if len(key) > 1:
        key = key[np.concatenate(([True], key[1:] != key[:-1]))]
    return key, (key >> np.uint64(_HASH_BITS)).astype(np.int64)


def text_sketch(text: str, shingle: int = 4, k: int = 24, min_words: int = 20) -> list[int]:
    """Bottom-``k`` MinHash sketch of one folded text (see :func:`text_sketches`)."""
    return text_sketches([encode_words(text)], shingle, k, min_words)[0]


def block_on_text(
    shingle: int = 4, keys: int = 24, use: int = 6, max_block: int = 30, min_words: int = 20
) -> BlockingRule:
    """Text blocking: MinHash (bottom-k) of description shingles, rarest usable keys.

    Finds copies whose employer or place is missing or written differently. Each
    record keeps its ``use`` smallest shingle hashes whose block has at most
    ``max_block`` records, so boilerplate or templates shared by many offers never
    make a block.
    """
    name = f"description-minhash-{shingle}w"
    salt = stable_hash(name)

    def sketches(records: Sequence[DedupRecord]) -> list[list[int]]:
        return [[h ^ salt for h in sk] for sk in text_sketches([r.words for r in records], shingle, keys, min_words)]

    def sketch(r: DedupRecord) -> list[int]:
        return sketches([r])[0]

    return BlockingRule(name=name, keys=sketch, use=use, max_block=max_block, batch=sketches)


# -- comparisons -----------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """A similarity in [0, 1] between two records, or None when either side is empty.

    ``cheap`` comparisons run first; a veto on them skips the expensive ones.
    """

    name: str
    score: Callable[[DedupRecord, DedupRecord], float | None]
    cheap: bool = False
    veto_below: float | None = None  # a score under this is a conflict (pair rejected at once)
    # The same score for many pairs at once (NaN for None): the engine drops vetoed pairs
    # with it before any per-pair call. It must agree with ``score``.
    vector: Callable[[RecordColumns, np.ndarray, np.ndarray], np.ndarray] | None = None


class RecordColumns:
    """Fields of an index's records as arrays by position, for vectorised comparisons.

    Text fields become integer codes (0 for empty; equal values, equal codes),
    dates exact microseconds. Arrays grow as records are appended; a position's
    values never change (the engine never reuses a position).
    """

    def __init__(self, records: Sequence[DedupRecord | None]) -> None:
        self.records = records
        self._codes: dict[str, tuple[np.ndarray, dict[str, int]]] = {}
        self._micros: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._texts: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def codes(self, field_name: str) -> np.ndarray:
        """int64 code of ``field_name`` per position (0 when empty or removed)."""
        arr, table = self._codes.get(field_name) or (np.zeros(0, dtype=np.int64), {"": 0})
        if len(arr) < len(self.records):
            def code(r: DedupRecord | None) -> int:
                v = getattr(r, field_name) if r is not None else ""
                return table.setdefault(v or "", len(table))

            new = np.fromiter(map(code, self.records[len(arr):]), dtype=np.int64)
            arr = np.concatenate((arr, new))
            self._codes[field_name] = (arr, table)
        return arr

    def texts(self, field_name: str) -> tuple[np.ndarray, np.ndarray]:
        """(the strings, their lengths) of a text field per position ("" when removed)."""
        values, lengths = self._texts.get(field_name) or (np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64))
        if len(values) < len(self.records):
            new = np.array([getattr(r, field_name) if r is not None else "" for r in self.records[len(values):]]
                           + [None], dtype=object)[:-1]  # the None keeps numpy from making a str array
            values = np.concatenate((values, new))
            lengths = np.concatenate((lengths, np.fromiter(map(len, new), dtype=np.int64, count=len(new))))
            self._texts[field_name] = (values, lengths)
        return values, lengths

    def micros(self, field_name: str) -> tuple[np.ndarray, np.ndarray]:
        """(microseconds since the epoch, known) of a datetime field per position."""
        arr, known = self._micros.get(field_name) or (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool))
        if len(arr) < len(self.records):
            values = [getattr(r, field_name) if r is not None else None for r in self.records[len(arr):]]
            new_known = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
            new = np.fromiter(((v - _EPOCH) // _MICRO if v is not None else 0 for v in values),
                              dtype=np.int64, count=len(values))
            arr, known = np.concatenate((arr, new)), np.concatenate((known, new_known))
            self._micros[field_name] = (arr, known)
        return arr, known


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def _days_between(cols: RecordColumns, p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days between the two records' publication dates (as ``timedelta.total_seconds() / 86400``), known."""
    us, known = cols.micros("published")
    both = known[p] & known[q]
    return np.abs(us[p] - us[q]) / 1e6 / 86400, both


def similarity(
    field_name: str, scorer: Callable[..., float] = fuzz.token_set_ratio, name: str | None = None,
    cheap: bool = True, veto_below: float | None = None,
) -> Comparison:
    """rapidfuzz similarity of one text field (None when either is empty)."""

    def score(a: DedupRecord, b: DedupRecord) -> float | None:
        x, y = getattr(a, field_name), getattr(b, field_name)
        if not x or not y:
            return None
        return float(scorer(x, y, processor=None)) / 100.0

    def vector(cols: RecordColumns, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        return _pairwise(cols, field_name, p, q, scorer, np.float64) / 100.0

    return Comparison(name=name or field_name, score=score, cheap=cheap, veto_below=veto_below, vector=vector)


def _pairwise(cols: RecordColumns, field_name: str, p: np.ndarray, q: np.ndarray,
              scorer: Callable[..., float], dtype: type) -> np.ndarray:
    """``scorer(x, y)`` of a text field for many pairs in one rapidfuzz call (NaN when either is empty)."""
    values, lengths = cols.texts(field_name)
    both = (lengths[p] > 0) & (lengths[q] > 0)
    out = np.full(len(p), np.nan)
    if both.any():
        out[both] = process.cpdist(values[p[both]], values[q[both]], scorer=scorer, processor=None, dtype=dtype)
    return out


def text_overlap(field_name: str = "words", name: str = "description", min_words: int = 30) -> Comparison:
    """Word-sequence overlap of two texts: rapidfuzz LCS over one-character-per-word codes.

    The longest common word subsequence over the shorter text's length (containment),
    so a truncated copy or one wrapped in board boilerplate still scores near 1.
    Under ``min_words`` words the longer text's length is the denominator.
    """

    def score(a: DedupRecord, b: DedupRecord) -> float | None:
        x, y = getattr(a, field_name), getattr(b, field_name)
        if not x or not y:
            return None
        shorter, longer = sorted((len(x), len(y)))
        denom = shorter if shorter >= min_words else longer
        return float(LCSseq.similarity(x, y)) / denom

    def vector(cols: RecordColumns, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        _values, lengths = cols.texts(field_name)
        lp, lq = lengths[p], lengths[q]
        shorter, longer = np.minimum(lp, lq), np.maximum(lp, lq)
        denom = np.where(shorter >= min_words, shorter, longer)
        with np.errstate(invalid="ignore", divide="ignore"):
            return _pairwise(cols, field_name, p, q, LCSseq.similarity, np.int64) / denom

    return Comparison(name=name, score=score, vector=vector)


def exact(field_name: str, name: str | None = None, veto: bool = True) -> Comparison:
    """1.0 when equal, 0.0 when different, None when either is empty."""

    def score(a: DedupRecord, b: DedupRecord) -> float | None:
        x, y = getattr(a, field_name), getattr(b, field_name)
        if not x or not y:
            return None
        return 1.0 if x == y else 0.0

    def vector(cols: RecordColumns, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        c = cols.codes(field_name)
        a, b = c[p], c[q]
        return np.where((a != 0) & (b != 0), (a == b).astype(np.float64), np.nan)

    return Comparison(name=name or field_name, score=score, cheap=True, veto_below=0.5 if veto else None,
                      vector=vector)


def same_place(a: DedupRecord, b: DedupRecord) -> float | None:
    """1.0 same postcode or city, 0.5 same département only, 0.0 different, None unknown."""
    if a.postcode and b.postcode and a.postcode == b.postcode:
        return 1.0
    if a.city and b.city:
        return 1.0 if a.city == b.city else 0.0
    if a.departement and b.departement:
        return 0.5 if a.departement == b.departement else 0.0
    return None


def same_place_vector(cols: RecordColumns, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """:func:`same_place` for many pairs."""
    pc, city, dept = cols.codes("postcode"), cols.codes("city"), cols.codes("departement")
    pa, pb, ca, cb, da, db = pc[p], pc[q], city[p], city[q], dept[p], dept[q]
    by_dept = np.where((da != 0) & (db != 0), np.where(da == db, 0.5, 0.0), np.nan)
    by_city = np.where((ca != 0) & (cb != 0), (ca == cb).astype(np.float64), by_dept)
    return np.where((pa != 0) & (pa == pb), 1.0, by_city)


def days_apart(a: DedupRecord, b: DedupRecord) -> float | None:
    """1.0 published the same day, falling linearly to 0.0 at 60 days apart."""
    if a.published is None or b.published is None:
        return None
    days = abs((a.published - b.published).total_seconds()) / 86400
    return max(0.0, 1.0 - days / 60)


def same_partner_gap(a: DedupRecord, b: DedupRecord) -> float | None:
    """Two records of one partner: days between them (None across partners or undated).

    One partner carrying two records of the same text on the same day means two
    positions; a repost comes later under a new id.
    """
    if a.partner != b.partner:
        return None
    if a.external_id and a.external_id == b.external_id:
        return 0.0
    if a.published is None or b.published is None:
        return None
    return abs((a.published - b.published).total_seconds()) / 86400


def days_apart_vector(cols: RecordColumns, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """:func:`days_apart` for many pairs."""
    days, both = _days_between(cols, p, q)
    return np.where(both, np.maximum(0.0, 1.0 - days / 60), np.nan)


def same_partner_gap_vector(cols: RecordColumns, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """:func:`same_partner_gap` for many pairs."""
    partner, ext = cols.codes("partner"), cols.codes("external_id")
    days, both = _days_between(cols, p, q)
    same_ext = (ext[p] != 0) & (ext[p] == ext[q])
    gap = np.where(same_ext, 0.0, np.where(both, days, np.nan))
    return np.where(partner[p] == partner[q], gap, np.nan)


# -- the model ---------------------------------------------------------------------


@dataclass(frozen=True)
class DedupModel:
    """Blocking rules, comparisons and the decision rule.

    Args:
        blocking: which records are compared at all.
        comparisons: field similarities of a pair; cheap ones run first, in order,
            and a score under a comparison's ``veto_below`` rejects the pair at once.
        decide: the match rule over every comparison.
        veto: a pair conflict read from the cheap comparisons (default: any
            ``veto_below`` crossed); also the cannot-link test when two clusters would join.
        max_pairs_per_rule: a rule generating more pairs fails loudly.
        max_block_size: blocks above this are skipped (a rule may set its own).
        max_cluster_size: a merge beyond this size is refused.
    """

    blocking: Sequence[BlockingRule]
    comparisons: Sequence[Comparison]
    decide: Callable[[dict[str, float | None]], bool]
    veto: Callable[[dict[str, float | None]], bool] | None = None
    max_pairs_per_rule: int = 50_000_000
    max_block_size: int = 500
    max_cluster_size: int = 40

    def cheap_scores(self, a: DedupRecord, b: DedupRecord) -> dict[str, float | None]:
        """The cheap comparisons of one pair."""
        return {c.name: c.score(a, b) for c in self.comparisons if c.cheap}

    def scores(self, a: DedupRecord, b: DedupRecord) -> dict[str, float | None]:
        """Every comparison of one pair."""
        return {c.name: c.score(a, b) for c in self.comparisons}

    def conflict(self, a: DedupRecord, b: DedupRecord) -> bool:
        """Whether the pair can never be the same job (cannot-link)."""
        if self.veto is not None:
            return self.veto(self.cheap_scores(a, b))
        for c in self.comparisons:
            if c.cheap and c.veto_below is not None:
                v = c.score(a, b)
                if v is not None and v < c.veto_below:
                    return True
        return False

    def decide_scores(self, s: dict[str, float | None]) -> bool:
        """The match decision on a pair's every score (computed ahead, e.g. vectorised): what
        :meth:`match` decides, vetoes included."""
        for c in self.comparisons:
            if c.cheap and c.veto_below is not None:
                v = s[c.name]
                if v is not None and v < c.veto_below:
                    return False
        if self.veto is not None and self.veto(s):
            return False
        return self.decide(s)

    def match(self, a: DedupRecord, b: DedupRecord) -> dict[str, float | None] | None:
        """The pair's scores when it is a match, else None (a veto stops at the first conflict)."""
        s: dict[str, float | None] = {}
        for c in self.comparisons:
            if c.cheap:
                v = s[c.name] = c.score(a, b)
                if c.veto_below is not None and v is not None and v < c.veto_below:
                    return None
        if self.veto is not None and self.veto(s):
            return None
        for c in self.comparisons:
            if not c.cheap:
                s[c.name] = c.score(a, b)
        return s if self.decide(s) else None


# Thresholds tuned on the TUNING half of bench/dedup_data.py (see docs/dedup.md).
EMPLOYER_MIN = 0.85
TITLE_HIGH, TEXT_LOW = 0.9, 0.6
TEXT_HIGH, TITLE_LOW = 0.9, 0.5
SAME_DAY = 1.0  # days: one partner, same text, closer than this = two positions


def default_veto(s: dict[str, float | None]) -> bool:
    """Hard conflicts: other place, contract or SIRET, another employer, far apart or same-day siblings."""
    if s.get("place") == 0.0 or s.get("contract") == 0.0 or s.get("siret") == 0.0:
        return True
    employer = s.get("employer")
    if employer is not None and employer < EMPLOYER_MIN:
        return True
    if s.get("dates") == 0.0:
        return True
    gap = s.get("same_partner")
    return gap is not None and gap < SAME_DAY


def default_decision(s: dict[str, float | None]) -> bool:
    """Same job: no conflict; similar title and text (or, without text, a near-identical title)."""
    if default_veto(s):
        return False
    title = s.get("title") or 0.0
    desc = s.get("description")
    if desc is None:
        # Without text to compare, ask for a near-identical title, a known employer and place.
        return title >= 0.95 and s.get("employer") is not None and s.get("place") is not None
    return (title >= TITLE_HIGH and desc >= TEXT_LOW) or (desc >= TEXT_HIGH and title >= TITLE_LOW)


def match_strength(s: dict[str, float | None]) -> float:
    """How sure a match is (merges happen strongest first)."""
    return (s.get("title") or 0.0) + (s.get("description") or 0.0) + 0.5 * (s.get("place") or 0.0)


DEFAULT_MODEL = DedupModel(
    blocking=[
        block_on("employer", "title_key", max_block=200),
        block_on("title_key", "postcode"),
        block_on("title_key", "city"),
        block_on("siret", "title_key"),
        block_on_text(),
    ],
    comparisons=[
        Comparison("place", same_place, cheap=True, veto_below=0.5, vector=same_place_vector),
        Comparison("same_partner", same_partner_gap, cheap=True, veto_below=SAME_DAY, vector=same_partner_gap_vector),
        similarity("employer", fuzz.token_sort_ratio, veto_below=EMPLOYER_MIN),
        exact("contract"),
        Comparison("dates", days_apart, cheap=True, veto_below=1e-9, vector=days_apart_vector),
        exact("siret"),
        # token_sort, not token_set: a shared subset ("secteur navale") is not the same title
        # (chosen on TUNING: precision 0.9979 -> 0.9996, recall 0.9852 -> 0.9850).
        similarity("title_key", fuzz.token_sort_ratio, name="title"),
        text_overlap(),
    ],
    decide=default_decision,
)


@dataclass
class BlockingStats:
    """Candidate pairs per blocking rule (printed by ``jobgate dedup --explain``)."""

    pairs: dict[str, int] = field(default_factory=dict)
    skipped_blocks: dict[str, int] = field(default_factory=dict)
    compared: int = 0
    matched: int = 0
    refused_merges: int = 0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per engine phase (with its workers)
