"""Search over the public catalogue: the index, its upkeep and the query.

The index (migration ``0004_search``) holds one row per *active* catalogue offer:

* ``catalogue_search``: narrow filter columns (ROME code and domain, département,
  region, commune, contract, yearly salary, publication date, coordinates, origin,
  direct contact);
* ``catalogue_text``: the accents-folded searchable text and a compact public
  summary (what list pages show); SQLite indexes the text with FTS5
  (``catalogue_fts``), PostgreSQL with a ``tsvector`` column of ``catalogue_search``
  and a GIN index (migration ``0009_search_perf``), so words and filters are one table;
* ``catalogue_facets``: counts by (contract, département, ROME domain), rebuilt
  when the index changes, so facets of unfiltered or dimension-only searches
  never scan the catalogue.

Every indexed value comes from :func:`publisher.diffusion.public_view`: what a
diffusion mode hides (an anonymous employer's name, a contact) can be neither
searched for nor shown.

:func:`index_catalogue` is called by the pipeline right after dedup; it only
touches catalogue offers whose ``updated_at`` changed since they were indexed.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from jobgate.config import PublisherSettings, Settings
from jobgate.failpoints import failpoint
from jobgate.schema import CatalogueOffer, Preselection, Visibility
from jobgate.storage import Store
from jobgate.storage.models import (
    CatalogueFacet,
    CatalogueSearch,
    CatalogueText,
    Cluster,
    ConnectorState,
)

log = logging.getLogger("jobgate.search")
BATCH = 500
_WORD = re.compile(r"[a-z0-9]+")
FACETS = ("contract", "departement", "rome_domain")
#: Facets of a search that needs a scan count at most this many matching offers (the first found).
FACET_SCAN_LIMIT = 2000
#: A radius search whose latitude band holds at most this many offers is driven by the latitude index.
BAND_INDEX_MAX = 60_000
#: Grid cells per degree (latitude and longitude): a cell is 0.2° x 0.2° (22 km x 15 km in France).
CELLS_PER_DEG = 5
#: Cells of the grid per row of latitude (360 degrees of longitude).
CELL_ROW = 360 * CELLS_PER_DEG
#: A radius search whose box covers at most this many cells reads each cell's newest offers (see _cells).
MAX_CELLS = 48
#: PostgreSQL, several words and an equality filter: newest offers of the filter read for the page first (see _walk_newest).
WALK_BUDGET = 2000
#: The PostgreSQL full-text condition (GIN index ``ix_search_tsv``).
TSV_MATCH = "s.tsv @@ plainto_tsquery('french', :fts)"
#: A commune's centre is the mean position of at most this many of its offers.
CENTRE_SAMPLE = 200
#: Characters of the description shown in search results.
EXCERPT = 280
#: connector_state key of the "facets owe a rebuild" mark, written with each index change.
FACETS_STALE = ("_search", "facets")


def fold_text(value: str | None) -> str:
    """Lower-case, accents and ligatures folded, words separated by single spaces.

    ``"Chef de Cuisine (H/F) – Œnologie"`` -> ``"chef de cuisine h f oenologie"``.
    """
    if not value:
        return ""
    value = value.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(_WORD.findall(plain))


def grid_cell(latitude: float | None, longitude: float | None) -> int | None:
    """The id of the 0.2° grid cell holding a position (``catalogue_search.cell``).

    Computed as ``floor((lat + 90) * 5) * 1800 + floor((lon + 180) * 5)``; migration
    ``0010_search_1m`` fills existing rows with the same arithmetic in SQL.
    """
    if latitude is None or longitude is None:
        return None
    return math.floor((latitude + 90) * CELLS_PER_DEG) * CELL_ROW + math.floor((longitude + 180) * CELLS_PER_DEG)


def _region_of(departement: str | None) -> str | None:
    from normalizer.fields.data.geo import DEPARTEMENTS

    if not departement:
        return None
    entry = DEPARTEMENTS.get(departement.upper())
    return entry[1] if entry else None


def direct_contact(view: CatalogueOffer) -> bool:
    """Whether a job seeker can contact the employer directly: nominatif, no preselection."""
    return (
        view.diffusion.visibility is Visibility.NOMINATIF
        and view.diffusion.preselection is Preselection.AUCUNE
    )


def summary_of(view: CatalogueOffer) -> dict[str, Any]:
    """The compact public summary of a catalogue offer shown in search results."""
    place = view.place
    sal = view.salary
    return {
        "id": view.id,
        "title": view.title,
        "employer": view.employer.name,
        "place": {"label": place.label, "city": place.city, "postcode": place.postcode,
                  "departement": place.departement, "region": place.region},
        "contract": view.contract.type.value if view.contract.type else None,
        "full_time": view.working_time.full_time,
        "salary": {"min": sal.min, "max": sal.max, "period": sal.period,
                   "yearly_min": sal.yearly_min, "yearly_max": sal.yearly_max},
        "rome": {"code": view.rome.code, "appellation": view.rome.appellation},
        "published": view.dates.published.isoformat() if view.dates.published else None,
        "expires": view.dates.expires.isoformat() if view.dates.expires else None,
        "diffusion": {"visibility": view.diffusion.visibility.value,
                      "preselection": view.diffusion.preselection.value},
        "origin": "public_service" if view.public_service else "partner",
        "sources": [{"partner": s.partner, "url": s.url} for s in view.sources],
        "excerpt": (view.description or "")[:EXCERPT],
    }


def search_fields(view: CatalogueOffer) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """Index values of one public view: (filter columns, folded text, summary)."""
    place = view.place
    sal = view.salary
    rome = (view.rome.code or "").upper() or None
    top = sal.yearly_max if sal.yearly_max is not None else sal.yearly_min
    cols = {
        "cluster_id": view.id,
        "rome_code": rome,
        "rome_domain": rome[0] if rome else None,
        "departement": place.departement,
        "region": _region_of(place.departement),
        "insee": place.insee,
        "city": fold_text(place.city)[:128] or None,
        "contract": view.contract.type.value if view.contract.type else None,
        "salary_yearly": top,
        "published_at": view.dates.published,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "cell": grid_cell(place.latitude, place.longitude),
        "public_service": bool(view.public_service),
        "direct_contact": direct_contact(view),
    }
    words = [view.title, view.rome.appellation, view.employer.name, place.city, place.label,
             view.qualification, view.description]
    return cols, fold_text(" ".join(w for w in words if w)), summary_of(view)


@dataclass
class IndexReport:
    """What one :func:`index_catalogue` pass did."""

    indexed: int = 0
    removed: int = 0
    facets_rebuilt: bool = False


def index_catalogue(store: Store, settings: Settings | None = None, *, batch: int = BATCH) -> IndexReport:
    """Bring the search index in line with the active catalogue (idempotent, incremental).

    Offers whose catalogue row changed (``updated_at``) since they were indexed are
    re-indexed, offers that left the catalogue are removed, and the facet counts
    are rebuilt if anything changed.
    """
    from publisher.diffusion import public_view

    pub = settings.publisher if settings else PublisherSettings()
    report = IndexReport()
    pg = store.dialect == "postgresql"
    with store.session() as s:
        gone = list(s.scalars(
            select(CatalogueSearch.doc).outerjoin(Cluster, Cluster.id == CatalogueSearch.cluster_id)
            .where((Cluster.id.is_(None)) | (Cluster.status != "active"))
        ))
        for i in range(0, len(gone), batch):
            part = gone[i:i + batch]
            s.execute(delete(CatalogueText).where(CatalogueText.doc.in_(part)))
            s.execute(delete(CatalogueSearch).where(CatalogueSearch.doc.in_(part)))
        report.removed = len(gone)
        if gone:
            _mark_facets_stale(s)
    stale_q = (
        select(Cluster.id)
        .outerjoin(CatalogueSearch, CatalogueSearch.cluster_id == Cluster.id)
        .where(Cluster.status == "active")
        .where(CatalogueSearch.doc.is_(None) | (CatalogueSearch.cluster_updated_at.is_(None))
               | (CatalogueSearch.cluster_updated_at != Cluster.updated_at))
        .order_by(Cluster.created_at, Cluster.id)
    )
    with store.session() as s:
        stale = list(s.scalars(stale_q))
    for i in range(0, len(stale), batch):
        ids = stale[i:i + batch]
        with store.session() as s:
            clusters = list(s.scalars(select(Cluster).where(Cluster.id.in_(ids))))
            existing = dict(s.execute(
                select(CatalogueSearch.cluster_id, CatalogueSearch.doc).where(CatalogueSearch.cluster_id.in_(ids))
            ).all())
            for c in clusters:
                view = public_view(CatalogueOffer.model_validate(c.data), pub)
                cols, words, summary = search_fields(view)
                doc = existing.get(c.id)
                if doc is None:
                    doc = s.execute(insert(CatalogueSearch).values(**cols).returning(CatalogueSearch.doc)).scalar_one()
                    s.execute(insert(CatalogueText).values(doc=doc, text=words, summary=summary))
                else:
                    s.execute(update(CatalogueSearch).where(CatalogueSearch.doc == doc).values(**cols))
                    s.execute(update(CatalogueText).where(CatalogueText.doc == doc)
                              .values(text=words, summary=summary))
                if pg:
                    s.execute(text("UPDATE catalogue_search SET tsv = to_tsvector('french', :t) WHERE doc = :d"),
                              {"t": words, "d": doc})
            # Copy updated_at in SQL so the next pass compares identical stored values.
            s.execute(text(
                "UPDATE catalogue_search SET cluster_updated_at = "
                "(SELECT updated_at FROM clusters WHERE clusters.id = catalogue_search.cluster_id) "
                "WHERE cluster_id IN (" + ",".join(f":c{j}" for j in range(len(ids))) + ")"
            ), {f"c{j}": cid for j, cid in enumerate(ids)})
            _mark_facets_stale(s)
        report.indexed += len(ids)
        failpoint("index.after_batch")
    # The mark, committed with each index change, makes a pass killed before the
    # rebuild below rebuild the facets next time, although nothing is stale then.
    if report.indexed or report.removed or _facets_stale(store):
        rebuild_facets(store)
        report.facets_rebuilt = True
    log.info("search index updated", extra={"indexed": report.indexed, "removed": report.removed})
    return report


def rebuild_facets(store: Store) -> None:
    """Recount the catalogue by (contract, département, ROME domain)."""
    with store.session() as s:
        s.execute(delete(CatalogueFacet))
        s.execute(delete(ConnectorState).where(ConnectorState.partner == FACETS_STALE[0],
                                               ConnectorState.partition == FACETS_STALE[1]))
        s.execute(text(
            "INSERT INTO catalogue_facets (contract, departement, rome_domain, n) "
            "SELECT COALESCE(contract, ''), COALESCE(departement, ''), COALESCE(rome_domain, ''), COUNT(*) "
            "FROM catalogue_search GROUP BY COALESCE(contract, ''), COALESCE(departement, ''), "
            "COALESCE(rome_domain, '')"
        ))


def _mark_facets_stale(s: Session) -> None:
    if s.get(ConnectorState, FACETS_STALE) is None:
        s.add(ConnectorState(partner=FACETS_STALE[0], partition=FACETS_STALE[1], state={"stale": True}))


def _facets_stale(store: Store) -> bool:
    with store.session() as s:
        return s.get(ConnectorState, FACETS_STALE) is not None


# -- query -------------------------------------------------------------------

#: An ISO 8601 date or date-time, fields within their ranges.
SINCE_PATTERN = (r"^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
                 r"([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?)?$")


def parse_since(value: str) -> datetime:
    """A :data:`SINCE_PATTERN` string as an aware datetime (UTC when no offset).

    A day past the end of its month rolls over into the next month
    (``2025-02-30`` is ``2025-03-02``), so every string the pattern accepts is valid.
    """
    year, month, day = int(value[0:4]), int(value[5:7]), int(value[8:10])
    rest = value[10:]
    base = datetime(year, month, 1) + timedelta(days=day - 1)
    if rest:
        t = datetime.fromisoformat("2000-01-01" + rest.replace(" ", "T", 1))
        base = base.replace(hour=t.hour, minute=t.minute, second=t.second, microsecond=t.microsecond,
                            tzinfo=t.tzinfo)
    return base if base.tzinfo else base.replace(tzinfo=UTC)


_INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$", re.IGNORECASE)
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_EQUATOR = 111.320


@dataclass
class SearchQuery:
    """A catalogue search: words, filters, page.

    Attributes:
        q: words, all required (accents and case ignored).
        rome: a ROME code (``M1805``) or a prefix of one (``M18``, ``M`` = grand domaine).
        departement: département code (``75``, ``2A``, ``971``).
        commune: INSEE code or commune name; with ``radius_km``, the centre of a circle.
        radius_km: radius around ``commune`` (offers with coordinates only).
        contract: contract types (any of).
        salary_min: minimum yearly gross salary (offers whose range reaches it).
        since: published on or after.
        limit: page size.
        after: cursor from the previous page.
        facets: compute facet counts.
    """

    q: str | None = None
    rome: str | None = None
    departement: str | None = None
    commune: str | None = None
    radius_km: float | None = None
    contract: list[str] = field(default_factory=list)
    salary_min: float | None = None
    since: datetime | None = None
    limit: int = 50
    after: int | None = None
    facets: bool = True


@dataclass
class SearchResult:
    """A page of summaries, the next cursor and the facet counts."""

    offers: list[dict[str, Any]]
    next: str | None
    facets: dict[str, list[dict[str, Any]]] | None
    centre: tuple[float, float] | None = None
    #: False when more than FACET_SCAN_LIMIT offers match: facets then count a sample (the first found by the index).
    facets_complete: bool = True


class _Sql:
    """A WHERE clause under construction with named parameters.

    A clause may read differently in the facet scan (``scan``): the page walks an
    index in ``doc`` order, while the facet sample may take any index that finds
    matches soonest.
    """

    def __init__(self) -> None:
        self.where: list[str] = []
        self.scan: list[str] = []
        self.params: dict[str, Any] = {}

    def add(self, clause: str, *, scan: str | None = None, **params: Any) -> None:
        self.where.append(clause)
        self.scan.append(scan if scan is not None else clause)
        self.params.update(params)

    def copy(self) -> _Sql:
        """An independent copy, to add clauses to."""
        out = _Sql()
        out.where, out.scan, out.params = list(self.where), list(self.scan), dict(self.params)
        return out

    def for_scan(self) -> _Sql:
        """The same conditions as the facet scan reads them."""
        out = self.copy()
        out.where = list(self.scan)
        return out

    def clause(self) -> str:
        return (" WHERE " + " AND ".join(self.where)) if self.where else ""


def _text_query(store: Store, q: str | None) -> str | None:
    """The dialect's full-text query for ``q``, or None when ``q`` has no word."""
    if not q:
        return None
    words = fold_text(q).split()[:16]
    if not words:
        return None
    if store.dialect == "postgresql":
        return " ".join(words)
    return " ".join(f'"{w}"' for w in words)


def commune_centre(store: Store, commune: str) -> tuple[float, float] | None:
    """Mean coordinates of the indexed offers located in ``commune`` (INSEE code or name)."""
    col, value = ("insee", commune.upper()) if _INSEE.match(commune) else ("city", fold_text(commune))
    # The mean of a bounded sample: a big city has tens of thousands of offers, all
    # within the commune, and averaging every one of them costs more than the search.
    with store.session() as s:
        row = s.execute(text(
            f"SELECT AVG(latitude), AVG(longitude) FROM (SELECT latitude, longitude FROM catalogue_search "
            f"WHERE {col} = :v AND latitude IS NOT NULL AND longitude IS NOT NULL LIMIT {CENTRE_SAMPLE}) c"
        ), {"v": value}).one()
    if row[0] is None:
        return None
    return float(row[0]), float(row[1])


def _band_size(store: Store, lo: float, hi: float) -> int:
    """Indexed offers between two latitudes, counted up to BAND_INDEX_MAX + 1 (index only)."""
    with store.session() as s:
        return int(s.scalar(text(
            "SELECT COUNT(*) FROM (SELECT 1 FROM catalogue_search WHERE latitude BETWEEN :a AND :b "
            f"LIMIT {BAND_INDEX_MAX + 1}) b"), {"a": lo, "b": hi}) or 0)


def _cells(lat_lo: float, lat_hi: float, lon_lo: float, lon_hi: float) -> list[int] | None:
    """The :func:`grid_cell` ids a box overlaps, or None when they are more than MAX_CELLS.

    Monotone arithmetic (the same as :func:`grid_cell`): every position inside the
    box lies in one of these cells.
    """
    rows = range(math.floor((lat_lo + 90) * CELLS_PER_DEG), math.floor((lat_hi + 90) * CELLS_PER_DEG) + 1)
    cols = range(math.floor((lon_lo + 180) * CELLS_PER_DEG), math.floor((lon_hi + 180) * CELLS_PER_DEG) + 1)
    if len(rows) * len(cols) > MAX_CELLS:
        return None
    return [row * CELL_ROW + col for row in rows for col in cols]


def _has_filters(query: SearchQuery) -> bool:
    """Whether the query filters on anything besides words."""
    return bool(query.rome or query.departement or query.contract or query.commune
                or query.salary_min is not None or query.since is not None)


def search_offers(store: Store, query: SearchQuery) -> SearchResult:
    """Run a catalogue search: a page of public summaries, newest indexed first, and facets."""
    pg = store.dialect == "postgresql"
    sql = _Sql()
    fts = _text_query(store, query.q)
    nodes = 0  # PostgreSQL: nodes of the text query (1: one word; 3: two words and their AND...)
    if fts is not None and pg:
        with store.session() as s:
            nodes = int(s.scalar(text("SELECT numnode(plainto_tsquery('french', :q))"), {"q": fts}) or 0)
        if not nodes:
            fts = None  # only stop words: no word constraint
    join = ""
    equal = bool(query.rome or query.departement or query.contract or (query.commune and not query.radius_km))
    if fts is not None:
        if pg:
            # The planner picks a BitmapAnd of the GIN and the filter indexes, or a walk
            # of doc DESC testing tsv, from the words' frequency (tsvector statistics).
            sql.add(TSV_MATCH, fts=fts)
        elif _has_filters(query):
            # FTS5 yields the matching rowids cheaply (no row read); the filter index is
            # then walked against that set instead of fetching every match's row.
            # With an equality filter the facet scan (no order) walks that filter's index
            # too (unary +): by rowid it would fetch the row of every match of a common
            # word to test the filter (60 ms at 1M offers, 22 ms this way).
            match = "s.doc IN (SELECT rowid FROM catalogue_fts WHERE catalogue_fts MATCH :fts)"
            sql.add(match, scan="+" + match if equal else match, fts=fts)
        else:
            join = " JOIN catalogue_fts f ON f.rowid = s.doc"  # see `order` below
            sql.add("catalogue_fts MATCH :fts", fts=fts)
    cube_ok = fts is None
    if query.rome:
        code = query.rome.upper()
        if len(code) == 1:
            sql.add("s.rome_domain = :dom", dom=code)
        elif len(code) == 5:
            sql.add("s.rome_code = :rome", rome=code)
            cube_ok = False
        else:
            sql.add("s.rome_code >= :rlo AND s.rome_code < :rhi", rlo=code, rhi=code + "~")
            cube_ok = False
    if query.departement:
        sql.add("s.departement = :dep", dep=query.departement.upper())
    if query.contract:
        names = {f"ct{i}": c for i, c in enumerate(query.contract)}
        sql.add("s.contract IN (" + ",".join(":" + n for n in names) + ")", **names)
    centre = None
    cells: list[int] | None = None
    if query.commune:
        cube_ok = False
        if query.radius_km:
            centre = commune_centre(store, query.commune)
            if centre is None:
                return SearchResult([], None, _empty_facets() if query.facets else None)
            lat0, lon0 = centre
            r = query.radius_km
            kx = KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat0))
            dlat, dlon = r / KM_PER_DEG_LAT, r / max(kx, 1e-6)
            # Words come from their own index (FTS5 rowid set, GIN): one query, not one per cell.
            cells = _cells(lat0 - dlat, lat0 + dlat, lon0 - dlon, lon0 + dlon) if fts is None else None
            if cells is not None or pg:
                plus = "+" if cells is not None and not pg else ""  # SQLite: the cell index, not the band
            else:
                # In a dense area walking the newest offers and testing the box finds a page
                # sooner than the latitude band (unary + keeps SQLite off the index there).
                plus = "" if _band_size(store, lat0 - dlat, lat0 + dlat) <= BAND_INDEX_MAX else "+"
            sql.add(f"{plus}s.latitude BETWEEN :la1 AND :la2 AND {plus}s.longitude BETWEEN :lo1 AND :lo2",
                    la1=lat0 - dlat, la2=lat0 + dlat, lo1=lon0 - dlon, lo2=lon0 + dlon)
            sql.add("((s.latitude - :lat0) * :ky) * ((s.latitude - :lat0) * :ky) + "
                    "((s.longitude - :lon0) * :kx) * ((s.longitude - :lon0) * :kx) <= :r2",
                    lat0=lat0, lon0=lon0, ky=KM_PER_DEG_LAT, kx=kx, r2=r * r)
        elif _INSEE.match(query.commune):
            sql.add("s.insee = :insee", insee=query.commune.upper())
        else:
            sql.add("s.city = :city", city=fold_text(query.commune))
    plus = "" if pg else "+"
    if query.salary_min is not None:
        cube_ok = False
        sql.add(f"{plus}s.salary_yearly >= :smin", smin=query.salary_min)
    if query.since is not None:
        cube_ok = False
        # The facet scan reads (published_at, salary_yearly, contract, departement,
        # rome_domain) alone: the index 0010_search_1m covers it.
        sql.add(f"{plus}s.published_at >= :since", scan="s.published_at >= :since", since=query.since)
    facets = None
    complete = True
    order = "f.rowid DESC" if join and not pg else "s.doc DESC"
    if query.facets:
        if cube_ok:
            facets = _cube_facets(store, query)
        else:
            where = sql.for_scan()
            if cells is not None:
                cell_names: dict[str, Any] = {f"cl{i}": c for i, c in enumerate(cells)}
                where.add("s.cell IN (" + ",".join(":" + n for n in cell_names) + ")", **cell_names)
            facets, complete = _scan_facets(store, join, where,
                                            bitmap=pg and fts is not None and not _has_filters(query))
    page = sql.copy()
    if query.after is not None:
        page.add("s.doc < :after", after=query.after)
    if cells is not None:
        # The newest page of each cell the circle's box overlaps (index (cell, doc)
        # read backwards, a few rows each), merged: a small town's box holds few
        # offers, and walking the whole catalogue newest first to find them reads far.
        page.params.update({f"cl{i}": c for i, c in enumerate(cells)})
        branches = " UNION ALL ".join(
            f"SELECT doc FROM (SELECT s.doc FROM catalogue_search s{page.clause()} AND s.cell = :cl{i} "
            f"ORDER BY s.doc DESC LIMIT :lim) c{i}" for i in range(len(cells)))
        stmt = f"SELECT doc FROM ({branches}) u ORDER BY doc DESC LIMIT :lim"
    else:
        stmt = f"SELECT s.doc FROM catalogue_search s{join}{page.clause()} ORDER BY {order} LIMIT :lim"
    with store.session() as s:
        walked = _walk_newest(s, page, query.limit) if pg and nodes > 1 and equal else None
        docs = walked if walked is not None else [
            int(d) for d in s.scalars(text(stmt), {**page.params, "lim": query.limit})]
        summaries: dict[int, dict[str, Any]] = dict(s.execute(
            select(CatalogueText.doc, CatalogueText.summary).where(CatalogueText.doc.in_(docs))
        ).all()) if docs else {}
    offers = [summaries[d] for d in docs if d in summaries]
    nxt = str(docs[-1]) if len(docs) == query.limit else None
    return SearchResult(offers, nxt, facets, centre, complete)


def _walk_newest(s: Session, page: _Sql, limit: int) -> list[int] | None:
    """PostgreSQL, several words and an equality filter: the page if the WALK_BUDGET newest offers of the filter hold it.

    The planner estimates several words' matches as independent (one word's
    frequency it reads right from the tsvector statistics), while a job
    title's words come together ("assistante administrative": 12,000 estimated,
    39,000 found at 1M offers), so it builds the GIN bitmaps of every match and
    sorts them (90 ms) where walking the filter index newest first finds the page
    in a few hundred rows (3 ms). Testing ``tsv`` costs a detoast per row (~4 µs), so the
    walk is bounded; None when it did not find a full page (rare words, small
    filters): the caller then runs the planner's plan, whose answer is the same.
    """
    rest = _Sql()
    rest.where = [w for w in page.where if w != TSV_MATCH]
    stmt = (f"SELECT doc FROM (SELECT s.doc, s.tsv FROM catalogue_search s{rest.clause()} "
            f"ORDER BY s.doc DESC LIMIT :budget) s WHERE {TSV_MATCH} ORDER BY doc DESC LIMIT :lim")
    docs = [int(d) for d in s.scalars(text(stmt), {**page.params, "budget": WALK_BUDGET, "lim": limit})]
    return docs if len(docs) == limit else None


def _empty_facets() -> dict[str, list[dict[str, Any]]]:
    return {f: [] for f in FACETS}


def _collapse(rows: list[Any]) -> dict[str, list[dict[str, Any]]]:
    counts: dict[str, dict[Any, int]] = {f: {} for f in FACETS}
    for contract, dep, dom, n in rows:
        for name, value in zip(FACETS, (contract, dep, dom), strict=True):
            key = value or None
            counts[name][key] = counts[name].get(key, 0) + int(n)
    return _sorted(counts)


def _cube_facets(store: Store, query: SearchQuery) -> dict[str, list[dict[str, Any]]]:
    sql = _Sql()
    if query.rome:
        sql.add("rome_domain = :dom", dom=query.rome.upper())
    if query.departement:
        sql.add("departement = :dep", dep=query.departement.upper())
    if query.contract:
        names = {f"ct{i}": c for i, c in enumerate(query.contract)}
        sql.add("contract IN (" + ",".join(":" + n for n in names) + ")", **names)
    where = sql.clause()
    stmt = " UNION ALL ".join(
        f"SELECT '{name}', {name}, SUM(n) FROM catalogue_facets{where} GROUP BY {name}" for name in FACETS
    )
    counts: dict[str, dict[Any, int]] = {f: {} for f in FACETS}
    with store.session() as s:
        for name, value, n in s.execute(text(stmt), sql.params).all():
            counts[name][value or None] = int(n)
    return _sorted(counts)


def _sorted(counts: dict[str, dict[Any, int]]) -> dict[str, list[dict[str, Any]]]:
    return {
        name: [{"value": v, "count": n} for v, n in sorted(c.items(), key=lambda kv: (-kv[1], str(kv[0])))]
        for name, c in counts.items()
    }


def _scan_facets(store: Store, join: str, sql: _Sql, *,
                 bitmap: bool = False) -> tuple[dict[str, list[dict[str, Any]]], bool]:
    """Facets over the matching offers: all of them, or the first FACET_SCAN_LIMIT found (complete = False).

    No ORDER BY: sorting needs every match (ten of thousands for a common word), while
    the first matches in index order stop the scan at FACET_SCAN_LIMIT + 1 rows.
    ``bitmap`` (PostgreSQL, words without filters): take the matches from the GIN
    index. The planner would rather scan rows testing ``tsv`` for a common word,
    unaware that each test reads an out-of-line tsvector (22,000 of them for 2,000
    matches, 66,000 buffers at 1M offers, against 906 through the bitmap). With a
    filter as well its own plan measured as good or better (CPU time, 1M offers).
    """
    inner = (f"SELECT s.contract AS c, s.departement AS d, s.rome_domain AS r FROM catalogue_search s{join}"
             f"{sql.clause()} LIMIT {FACET_SCAN_LIMIT + 1}")
    with store.session() as s:
        if bitmap:
            s.execute(text("SET LOCAL enable_seqscan = off"))
            s.execute(text("SET LOCAL enable_indexscan = off"))
        rows = list(s.execute(text(inner), sql.params).all())
    complete = len(rows) <= FACET_SCAN_LIMIT
    counts: Counter[tuple[Any, Any, Any]] = Counter(tuple(r) for r in rows[:FACET_SCAN_LIMIT])
    return _collapse([(*k, n) for k, n in counts.items()]), complete
