"""SIRENE lookups for certification check ID-02 ("establishment exists and is active").

:class:`SireneLookup` asks its sources in order and answers with a
:class:`SireneAnswer`: ``active``, ``closed``, ``not_found`` or ``unknown``. Two
sources exist:

- :class:`StockFileSource`: the official ``StockEtablissement`` CSV published by
  INSEE (or any subset with the ``siret``, ``etatAdministratifEtablissement`` and
  ``statutDiffusionEtablissement`` columns; ``.csv``, ``.csv.gz`` or ``.zip``), indexed
  once into a SQLite file and queried by SIRET: the stock has ~40 million rows, so
  it is never held in memory;
- :class:`ApiSource`: the recherche-entreprises public API, off by default, with
  answers cached in the ``sirene_cache`` table for a TTL.

With no source configured :func:`sirene_lookup` returns ``None`` and ID-02 says
nothing: an offer is never rejected for data we cannot check.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import os
import sqlite3
import threading
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol

import httpx

if TYPE_CHECKING:
    from jobgate.config import Settings
    from jobgate.storage import Store

log = logging.getLogger("jobgate.sirene")

__all__ = [
    "ApiSource",
    "Establishment",
    "SireneAnswer",
    "SireneLookup",
    "SireneSource",
    "SireneUnavailable",
    "StockFileSource",
    "sirene_lookup",
]

#: Columns of StockEtablissement read by :class:`StockFileSource` (the rest are ignored).
STOCK_COLUMNS = ("siret", "etatAdministratifEtablissement", "statutDiffusionEtablissement")


@dataclass(frozen=True, slots=True)
class Establishment:
    """One SIRENE establishment as ID-02 needs it.

    Attributes:
        siret: the 14-digit SIRET.
        etat: ``etatAdministratifEtablissement``: ``A`` active, ``F`` closed.
        diffusion: ``statutDiffusionEtablissement``: ``O`` public; ``P`` (partial
            diffusion, formerly ``N``): the establishment's address must not be published.
    """

    siret: str
    etat: str
    diffusion: str = "O"

    @property
    def active(self) -> bool:
        """Not closed (anything but ``F`` counts as active)."""
        return self.etat != "F"

    @property
    def diffusible(self) -> bool:
        """Public data (``O``); any other status protects the address."""
        return self.diffusion == "O"


@dataclass(frozen=True, slots=True)
class SireneAnswer:
    """What the lookup knows of one SIRET.

    ``state`` is ``active``, ``closed``, ``not_found`` (no source knows the SIRET) or
    ``unknown`` (no source could answer); ``diffusible`` is meaningful for ``active``
    and ``closed``; ``source`` names the source that answered.
    """

    state: Literal["active", "closed", "not_found", "unknown"]
    diffusible: bool = True
    source: str | None = None


UNKNOWN = SireneAnswer("unknown")


class SireneUnavailable(Exception):
    """A source could not answer now (network error, rate limit, unreadable file)."""


class SireneSource(Protocol):
    """One place to look establishments up."""

    name: str

    def lookup(self, siret: str) -> Establishment | None:
        """The establishment, or ``None`` when this source does not know the SIRET.

        Raises:
            SireneUnavailable: the source cannot answer now.
        """
        ...


class SireneLookup:
    """Asks each source in order; the first that knows the SIRET answers.

    A "not found" from one source lets the next one try (the API knows
    establishments created after the stock file was published); the answer is
    ``not_found`` only if at least one source answered and none knew the SIRET, and
    ``unknown`` if none could answer. Answers are memoised (bounded) because the
    certification rule and the normaliser's address flag ask for the same SIRET.

    Args:
        sources: the sources, most trusted first.
    """

    def __init__(self, sources: Sequence[SireneSource], memo_size: int = 4096) -> None:
        self.sources = tuple(sources)
        self._memo: dict[str, SireneAnswer] = {}
        self._memo_size = memo_size
        self._lock = threading.Lock()

    def check(self, siret: str) -> SireneAnswer:
        """The :class:`SireneAnswer` for a 14-digit SIRET."""
        hit = self._memo.get(siret)
        if hit is not None:
            return hit
        answer = self._ask(siret)
        with self._lock:
            if len(self._memo) >= self._memo_size:
                self._memo.clear()
            self._memo[siret] = answer
        return answer

    def _ask(self, siret: str) -> SireneAnswer:
        answered = False
        for source in self.sources:
            try:
                found = source.lookup(siret)
            except SireneUnavailable as exc:
                log.warning("SIRENE source unavailable", extra={"source": source.name, "error": str(exc)})
                continue
            answered = True
            if found is not None:
                return SireneAnswer("active" if found.active else "closed", found.diffusible, source.name)
        return SireneAnswer("not_found") if answered else UNKNOWN


# --------------------------------------------------------------------------- stock file


class StockFileSource:
    """The StockEtablissement file, indexed into a SQLite table on first use.

    The index is rebuilt when the CSV's size or modification time changes; it is
    written to a temporary file and moved into place, so concurrent workers never
    read a half-built index.

    Args:
        path: the CSV (``.csv``, ``.csv.gz``, or a ``.zip`` holding one CSV).
        index_path: the SQLite index; defaults to ``<path>.sqlite3``.
    """

    name = "stock"

    def __init__(self, path: Path, index_path: Path | None = None) -> None:
        self.path = Path(path)
        self.index_path = Path(index_path) if index_path else self.path.with_name(self.path.name + ".sqlite3")
        self._local = threading.local()
        self._build_lock = threading.Lock()
        self._ready = False

    def lookup(self, siret: str) -> Establishment | None:
        """The establishment in the stock, or ``None``."""
        row = self._conn().execute(
            "SELECT etat, diffusion FROM etablissement WHERE siret = ?", (siret,)
        ).fetchone()
        return Establishment(siret, row[0], row[1]) if row else None

    def _conn(self) -> sqlite3.Connection:
        if not self._ready:
            with self._build_lock:
                if not self._ready:
                    self.ensure_index()
                    self._ready = True
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self.index_path}?mode=ro", uri=True, check_same_thread=False)
            self._local.conn = conn
        return conn

    def _stamp(self) -> str:
        try:
            st = self.path.stat()
        except OSError as exc:
            raise SireneUnavailable(f"SIRENE stock file {self.path}: {exc.strerror}") from exc
        return f"{st.st_size}:{st.st_mtime_ns}"

    def ensure_index(self) -> int | None:
        """Build the index unless it is up to date; returns the rows indexed (None if kept)."""
        stamp = self._stamp()
        if self.index_path.exists():
            try:
                with sqlite3.connect(f"file:{self.index_path}?mode=ro", uri=True) as conn:
                    row = conn.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
                if row and row[0] == stamp:
                    return None
            except sqlite3.DatabaseError:
                pass  # unreadable or foreign file: rebuild it
        return self._build(stamp)

    def _build(self, stamp: str) -> int:
        tmp = self.index_path.with_name(f"{self.index_path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.unlink(missing_ok=True)
        n = 0
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute(
                "CREATE TABLE etablissement (siret TEXT PRIMARY KEY, etat TEXT NOT NULL, diffusion TEXT NOT NULL) WITHOUT ROWID"
            )
            conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
            batch: list[tuple[str, str, str]] = []
            for row in self._rows():
                batch.append(row)
                if len(batch) >= 50_000:
                    conn.executemany("INSERT OR REPLACE INTO etablissement VALUES (?, ?, ?)", batch)
                    n += len(batch)
                    batch.clear()
            conn.executemany("INSERT OR REPLACE INTO etablissement VALUES (?, ?, ?)", batch)
            n += len(batch)
            conn.execute("INSERT INTO meta VALUES ('stamp', ?)", (stamp,))
            conn.commit()
        except BaseException:
            conn.close()
            tmp.unlink(missing_ok=True)
            raise
        conn.close()
        os.replace(tmp, self.index_path)
        log.info("SIRENE stock indexed", extra={"rows": n, "path": str(self.path)})
        return n

    def _open(self) -> IO[str]:
        if self.path.suffix == ".zip":
            archive = zipfile.ZipFile(self.path)
            members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
            if len(members) != 1:
                raise SireneUnavailable(f"{self.path}: expected one CSV in the archive, found {len(members)}")
            return io.TextIOWrapper(archive.open(members[0]), encoding="utf-8", newline="")
        if self.path.suffix == ".gz":
            return gzip.open(self.path, "rt", encoding="utf-8", newline="")
        return self.path.open("r", encoding="utf-8", newline="")

    def _rows(self) -> Iterator[tuple[str, str, str]]:
        with self._open() as fh:
            reader = csv.reader(fh)
            header = next(reader, None) or []
            missing = [c for c in STOCK_COLUMNS if c not in header]
            if missing:
                raise SireneUnavailable(f"{self.path}: missing column(s) {', '.join(missing)}")
            i_siret, i_etat, i_diff = (header.index(c) for c in STOCK_COLUMNS)
            width = max(i_siret, i_etat, i_diff)
            for rec in reader:
                if len(rec) <= width:
                    continue
                siret = rec[i_siret].strip()
                if len(siret) == 14 and siret.isdigit():
                    yield siret, rec[i_etat].strip().upper() or "A", rec[i_diff].strip().upper() or "O"


# --------------------------------------------------------------------------- public API


def _from_api(siret: str, doc: Any) -> Establishment | None:
    """The establishment ``siret`` in a recherche-entreprises ``/search`` answer."""
    results = doc.get("results") if isinstance(doc, dict) else None
    for unit in results or []:
        if not isinstance(unit, dict):
            continue
        unit_diffusion = str(unit.get("statut_diffusion") or "O")
        candidates = list(unit.get("matching_etablissements") or [])
        if isinstance(unit.get("siege"), dict):
            candidates.append(unit["siege"])
        for est in candidates:
            if isinstance(est, dict) and str(est.get("siret") or "") == siret:
                etat = str(est.get("etat_administratif") or "A")
                diffusion = str(est.get("statut_diffusion_etablissement") or unit_diffusion)
                return Establishment(siret, etat.upper(), diffusion.upper())
    return None


class ApiSource:
    """The recherche-entreprises API (``GET {api_url}/search?q=<siret>``), cached.

    Answers, including "not found", are kept in the ``sirene_cache`` table of
    ``store`` (or in memory without a store) for ``ttl``. Network errors, timeouts,
    rate limits and server errors make the source unavailable for that SIRET (the
    answer is then ``unknown``, never a rejection) and are not cached. The API omits
    non-diffusible units, so a SIRET it does not know is only ``not_found`` (a WARN).

    Args:
        api_url: base URL, e.g. ``https://recherche-entreprises.api.gouv.fr``.
        store: where the cache lives.
        ttl: how long an answer is trusted.
        timeout: per request, in seconds.
        client: an ``httpx.Client`` to use (tests); one is created otherwise.
    """

    name = "api"

    def __init__(
        self,
        api_url: str,
        store: Store | None = None,
        *,
        ttl: timedelta = timedelta(days=30),
        timeout: float = 5.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.store = store
        self.ttl = ttl
        self._client = client or httpx.Client(timeout=timeout, headers={"User-Agent": "jobgate"})
        self._memory: dict[str, tuple[datetime, Establishment | None]] = {}
        self.requests = 0

    def lookup(self, siret: str) -> Establishment | None:
        """The establishment from the cache or the API, or ``None``."""
        now = datetime.now(UTC)
        cached = self._cached(siret, now)
        if cached is not None:
            return cached[1]
        self.requests += 1
        try:
            response = self._client.get(f"{self.api_url}/search", params={"q": siret})
        except httpx.HTTPError as exc:
            raise SireneUnavailable(f"recherche-entreprises: {exc}") from exc
        if response.status_code != 200:
            raise SireneUnavailable(f"recherche-entreprises: HTTP {response.status_code}")
        try:
            found = _from_api(siret, response.json())
        except ValueError as exc:
            raise SireneUnavailable(f"recherche-entreprises: invalid JSON ({exc})") from exc
        self._remember(siret, found, now)
        return found

    def _cached(self, siret: str, now: datetime) -> tuple[datetime, Establishment | None] | None:
        if self.store is None:
            hit = self._memory.get(siret)
            return hit if hit is not None and now - hit[0] < self.ttl else None
        from jobgate.storage.models import SireneCache

        with self.store.session() as s:
            row = s.get(SireneCache, siret)
            if row is None:
                return None
            at = row.fetched_at if row.fetched_at.tzinfo else row.fetched_at.replace(tzinfo=UTC)
            if now - at >= self.ttl:
                return None
            return at, Establishment(siret, row.etat or "A", row.diffusion or "O") if row.found else None

    def _remember(self, siret: str, found: Establishment | None, now: datetime) -> None:
        if self.store is None:
            self._memory[siret] = (now, found)
            return
        from jobgate.storage.models import SireneCache

        with self.store.session() as s:
            s.merge(
                SireneCache(
                    siret=siret,
                    found=found is not None,
                    etat=found.etat if found else None,
                    diffusion=found.diffusion if found else None,
                    fetched_at=now,
                )
            )


def sirene_lookup(settings: Settings, store: Store | None = None) -> SireneLookup | None:
    """The lookup configured in ``[certification.sirene]``, or ``None`` when it is empty."""
    cfg = settings.certification.sirene
    sources: list[SireneSource] = []
    if cfg.stock_path is not None:
        path = cfg.stock_path if cfg.stock_path.is_absolute() else settings.base_dir / cfg.stock_path
        index = cfg.index_path
        if index is not None and not index.is_absolute():
            index = settings.base_dir / index
        sources.append(StockFileSource(path, index))
    if cfg.api_url:
        sources.append(
            ApiSource(cfg.api_url, store, ttl=timedelta(days=cfg.api_ttl_days), timeout=cfg.api_timeout_seconds)
        )
    return SireneLookup(sources) if sources else None
