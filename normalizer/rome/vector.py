"""Array forms of the lexical tables, to score a batch of offers against every code at once.

The naive Bayes postings and the appellation index are sparse maps from a feature to
the classes (or appellations) it occurs in. Here each becomes CSR arrays, and the
evidence of a batch is one gather plus one ``numpy.bincount`` over the postings of the
features present: the cost is proportional to those postings, as with the dictionaries,
but paid in C rather than one Python step per posting.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from normalizer.rome.index import AppellationIndex
from normalizer.rome.nb import SparseNB
from normalizer.rome.referential import Appellation

__all__ = [
    "AppellationArrays",
    "Postings",
    "RowSims",
    "TitleSims",
    "csr",
    "expand",
    "expand_rows",
    "gather",
    "group_sum",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
#: One title's non-zero appellation similarities: columns, values, fiche of each column.
RowSims = tuple[IntArray, FloatArray, IntArray]

#: IDF given to a title word that no appellation contains (as ``AppellationIndex``).
UNKNOWN_IDF = 8.0


def _known_ids(vocab: Mapping[str, int], feats: Iterable[str]) -> list[int]:
    """Rows of the features in ``vocab``, in order (the lookups chained in C)."""
    return [i for i in map(vocab.get, feats, itertools.repeat(-1)) if i >= 0]


def expand(indptr: IntArray, id_lists: Sequence[Sequence[int]]) -> tuple[IntArray, IntArray]:
    """Every posting of the listed CSR rows: ``(output row, posting position)`` arrays.

    Args:
        indptr: CSR row pointers (row ``r`` holds postings ``indptr[r]:indptr[r+1]``).
        id_lists: Per output row, the table rows to read (repeats count again).
    """
    n = len(id_lists)
    lens = np.fromiter((len(ids) for ids in id_lists), dtype=np.int64, count=n)
    feats = np.fromiter(itertools.chain.from_iterable(id_lists), dtype=np.int64, count=int(lens.sum()))
    which, pos = expand_rows(indptr, feats)
    return np.repeat(np.arange(n), lens)[which], pos


def expand_rows(indptr: IntArray, feats: IntArray) -> tuple[IntArray, IntArray]:
    """Every posting of the CSR rows ``feats``: ``(index into feats, posting position)``."""
    starts = indptr[feats]
    counts = indptr[feats + 1] - starts
    total = int(counts.sum())
    # Position of every posting to read: each feature's run start, then consecutive.
    offsets = np.cumsum(counts) - counts
    pos = np.repeat(starts - offsets, counts) + np.arange(total)
    return np.repeat(np.arange(len(feats)), counts), pos


def group_sum(
    rows: IntArray, cols: IntArray, vals: FloatArray, n_cols: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """Sum ``vals`` per ``(row, col)``: the non-zero triples, sorted by row then column."""
    keys = rows * n_cols + cols
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    if not len(keys):
        return rows, cols, vals
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sums = np.add.reduceat(vals[order], starts)
    uniq = keys[starts]
    return uniq // n_cols, uniq % n_cols, sums


def gather(
    indptr: IntArray,
    cols: IntArray,
    vals: FloatArray,
    id_lists: Sequence[Sequence[int]],
    n_cols: int,
) -> FloatArray:
    """Row sums of a CSR table over lists of its rows, as a dense array.

    Returns:
        A ``(len(id_lists), n_cols)`` array: ``out[i, c]`` is the sum of the values in
        column ``c`` of the table rows listed in ``id_lists[i]``.
    """
    n = len(id_lists)
    rows, pos = expand(indptr, id_lists)
    flat = np.bincount(rows * n_cols + cols[pos], weights=vals[pos], minlength=n * n_cols)
    return flat.astype(np.float64, copy=False).reshape(n, n_cols)


def csr(
    rows: Iterable[tuple[str, Sequence[tuple[int, float]]]],
) -> tuple[dict[str, int], IntArray, IntArray, FloatArray]:
    """CSR arrays of ``(key, [(column, value), ...])`` rows: key -> row number, indptr,
    columns, values."""
    vocab: dict[str, int] = {}
    indptr = [0]
    cols: list[int] = []
    vals: list[float] = []
    for key, row in rows:
        vocab[key] = len(vocab)
        for c, v in row:
            cols.append(c)
            vals.append(v)
        indptr.append(len(cols))
    return (
        vocab,
        np.asarray(indptr, dtype=np.int64),
        np.asarray(cols, dtype=np.int64),
        np.asarray(vals, dtype=np.float64),
    )


class Postings:
    """The postings of a :class:`SparseNB` as CSR arrays over a fixed class order.

    Args:
        nb: The fitted naive Bayes.
        classes: Class order of the score columns.
    """

    def __init__(self, nb: SparseNB, classes: Sequence[str], dense: bool = False) -> None:
        col = {c: i for i, c in enumerate(classes)}
        self.vocab, self.indptr, self.cols, self.vals = csr(
            (f, [(col[c], v) for c, v in row.items()]) for f, row in nb.postings.items()
        )
        self.unseen = np.asarray([nb.unseen[c] for c in classes], dtype=np.float64)
        self.n_classes = len(classes)
        # Descriptions bring ~60 features with ~80 postings each: summing the features'
        # dense rows is twice as fast as expanding 5,000 postings per offer (the table
        # is small enough to hold dense, ~30 MB for the description model).
        self.dense: FloatArray | None = None
        if dense:
            self.dense = np.zeros((len(self.vocab), self.n_classes))
            rows = np.repeat(np.arange(len(self.vocab)), np.diff(self.indptr))
            self.dense[rows, self.cols] = self.vals

    def ids(self, feats: Sequence[str]) -> list[int]:
        """Rows of the known features (unknown ones carry no evidence), repeats kept."""
        return _known_ids(self.vocab, feats)

    def evidence(self, id_lists: Sequence[Sequence[int]]) -> FloatArray:
        """Summed seen-pair weights per row and class (``SparseNB.evidence``, dense)."""
        if self.dense is None:
            return gather(self.indptr, self.cols, self.vals, id_lists, self.n_classes)
        out = np.zeros((len(id_lists), self.n_classes))
        table = self.dense
        for i, ids in enumerate(id_lists):
            if ids:
                table[ids].sum(axis=0, out=out[i])
        return out


class AppellationArrays:
    """The appellation index as arrays: per appellation, the IDF mass shared with a text.

    Appellation columns are grouped by main code (in ``codes`` order), so sparse
    ``(row, column)`` triples sorted by row and column are also sorted by row and code,
    and the best appellation of every code is one ``numpy.maximum.reduceat``.

    Args:
        index: The appellation index.
        codes: Main-code order of the output columns.
        appellations: OGR code -> appellation (for the tie-breaks of :meth:`best_in`).
    """

    def __init__(
        self, index: AppellationIndex, codes: Sequence[str], appellations: Mapping[str, Appellation]
    ) -> None:
        ogrs: list[str] = []
        app_code: list[int] = []
        for k, c in enumerate(codes):
            for o in index.by_code.get(c, ()):
                ogrs.append(o)
                app_code.append(k)
        self.ogrs = ogrs
        self.column = {o: i for i, o in enumerate(ogrs)}
        self.app_code = np.asarray(app_code, dtype=np.int64)
        self.app_fiche = [appellations[o].code_fiche for o in ogrs]
        self.by_ogr = {o: appellations[o] for o in ogrs}
        self.n_codes = len(codes)
        weight = np.asarray([index.weight[o] for o in ogrs], dtype=np.float64)
        # A label made only of stop words has no weight and matches nothing: an infinite
        # weight makes its ratios 0 instead of 0/0.
        self.weight = np.where(weight > 0.0, weight, np.inf)
        self.idf = index.idf
        self.vocab, self.indptr, self.cols, self.vals = csr(
            (tok, [(self.column[o], index.idf[tok]) for o in tok_ogrs])
            for tok, tok_ogrs in index.by_token.items()
        )
        # Deterministic tie-break of best_in: principal, then common, then lowest OGR.
        rank = {o: (a.main, not a.rare, -int(a.ogr)) for o, a in self.by_ogr.items()}
        order = sorted(ogrs, key=rank.__getitem__)
        #: Per column, its place in the tie-break order (higher wins).
        self.tie_rank = np.empty(len(ogrs), dtype=np.int64)
        self.tie_rank[[self.column[o] for o in order]] = np.arange(len(ogrs))
        self.fiche_idx = {f: k for k, f in enumerate(sorted(set(self.app_fiche)))}
        self.app_fiche_idx = np.asarray([self.fiche_idx[f] for f in self.app_fiche], dtype=np.int64)
        # With nothing in common with the title, a fiche is named by its best-ranked label.
        self.fiche_default: dict[str, Appellation] = {}
        for o in order:
            self.fiche_default[self.by_ogr[o].code_fiche] = self.by_ogr[o]

    def common(
        self, word_sets: Sequence[frozenset[str]], keep: BoolArray | None = None
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """IDF mass each appellation shares with each word set, as sparse triples.

        Args:
            word_sets: Per row, canonical words.
            keep: Optional ``(rows, codes)`` mask: only appellations of kept codes.

        Returns:
            ``(row, appellation column, shared IDF)`` for the non-zero pairs, sorted by
            row then column (so by row then main code).
        """
        v = self.vocab
        rows, pos = expand(self.indptr, [_known_ids(v, words) for words in word_sets])
        cols = self.cols[pos]
        vals = self.vals[pos]
        if keep is not None:
            sel = keep[rows, self.app_code[cols]]
            rows, cols, vals = rows[sel], cols[sel], vals[sel]
        return group_sum(rows, cols, vals, len(self.weight))

    def best_per_code(
        self, n_rows: int, rows: IntArray, cols: IntArray, vals: FloatArray
    ) -> FloatArray:
        """Best value over the appellations of each main code, ``(n_rows, codes)``, from
        triples sorted by row then column (as :meth:`common` returns them)."""
        out = np.zeros((n_rows, self.n_codes))
        if len(rows):
            keys = rows * self.n_codes + self.app_code[cols]
            starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
            out.flat[keys[starts]] = np.maximum.reduceat(vals, starts)
        return out

    def title_sims(self, title_words: Sequence[frozenset[str]]) -> TitleSims:
        """IDF-weighted Dice between each title and the appellations sharing a word."""
        idf = self.idf
        title_w = np.asarray(
            [sum(idf.get(t, UNKNOWN_IDF) for t in words) for words in title_words],
            dtype=np.float64,
        )
        rows, cols, common = self.common(title_words)
        sims = 2.0 * common / (title_w[rows] + self.weight[cols])
        return TitleSims(
            rows, cols, sims, self.best_per_code(len(title_words), rows, cols, sims)
        )

    def covers(
        self, word_sets: Sequence[frozenset[str]], keep: BoolArray
    ) -> FloatArray:
        """Best IDF-weighted share of one appellation's words found in each word set,
        per main code, ``(n, codes)``; only codes marked in ``keep`` are computed."""
        rows, cols, common = self.common(word_sets, keep)
        return self.best_per_code(len(word_sets), rows, cols, common / self.weight[cols])

    def row_sims(self, ts: TitleSims, i: int) -> RowSims:
        """The non-zero similarities of row ``i`` of ``ts``, ready for :meth:`best_in`."""
        lo, hi = np.searchsorted(ts.rows, [i, i + 1])
        cols = ts.cols[lo:hi]
        # Rounded so that equal sums reached in another order still tie.
        return cols, np.round(ts.sims[lo:hi], 9), self.app_fiche_idx[cols]

    def best_in(self, sims: RowSims, fiche: str) -> Appellation | None:
        """Most similar appellation of ``fiche`` given :meth:`row_sims`; ties (including
        "nothing in common") go to the principal, then common, then lowest-OGR label."""
        cols, values, fiches = sims
        mine = fiches == self.fiche_idx.get(fiche, -1)
        if not mine.any():
            return self.fiche_default.get(fiche)
        cols = cols[mine]
        values = values[mine]
        top = cols[values == values.max()]
        return self.by_ogr[self.ogrs[int(top[np.argmax(self.tie_rank[top])])]]


@dataclass(frozen=True, slots=True)
class TitleSims:
    """Title-to-appellation similarities of a batch (see ``AppellationArrays.title_sims``).

    Attributes:
        rows, cols, sims: Non-zero ``(row, appellation column, Dice)`` triples.
        per_code: ``(rows, codes)`` best Dice over each code's appellations.
    """

    rows: IntArray
    cols: IntArray
    sims: FloatArray
    per_code: FloatArray
