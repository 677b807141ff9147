"""The HTTP API (FastAPI): health, the public catalogue, partner feeds. OpenAPI at /openapi.json."""

from __future__ import annotations

import io
from datetime import UTC
from typing import Annotated, Any

from fastapi import FastAPI, Header, HTTPException, Query, Request, Response
from sqlalchemy import func, select

from jobgate.config import Settings
from jobgate.schema import CatalogueOffer, ContractType
from jobgate.search import SINCE_PATTERN, parse_since
from jobgate.storage import Store
from jobgate.storage.models import Cluster, FetchRun

FEED_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
    "json": "application/json",
    "jsonld": "application/ld+json",
}


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """Build the API over the configured store."""
    from jobgate.pipeline import open_store

    db = store or open_store(settings)
    app = FastAPI(
        title="jobgate",
        version="0.1.0",
        description="Unified catalogue of job offers and partner feeds of the jobgate gateway.",
    )

    from jobgate.cv_api import cv_router
    from jobgate.dashboard import ops_router
    from jobgate.keys import KeyChecker
    from jobgate.partner_api import etag_response, partner_router, require_partner

    keys = KeyChecker(settings, db)
    app.include_router(ops_router(settings, db))
    app.include_router(partner_router(settings, db, keys))
    app.include_router(cv_router(settings, db))

    @app.get("/health", tags=["operations"])
    def health() -> dict[str, Any]:
        """Liveness: the database answers; counts of the catalogue."""
        with db.session() as s:
            active = s.scalar(select(func.count()).select_from(Cluster).where(Cluster.status == "active"))
            last = s.scalar(select(func.max(FetchRun.finished_at)))
        return {"status": "ok", "catalogue_offers": int(active or 0),
                "last_fetch": last.isoformat() if last else None, "database": db.dialect}

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    def metrics() -> Response:
        """Prometheus metrics (text exposition format)."""
        from prometheus_client import CONTENT_TYPE_LATEST

        from jobgate.metrics import render_metrics

        return Response(render_metrics(db, settings), media_type=CONTENT_TYPE_LATEST)

    @app.get("/offers/{offer_id}", tags=["catalogue"], responses={404: {"description": "no such active offer"}})
    def get_offer(offer_id: str) -> dict[str, Any]:
        """One catalogue offer as the public may see it, with its sources and its schema.org JSON-LD.

        ``sources`` lists every partner carrying the offer with its original link;
        ``jsonld`` is the offer's schema.org ``JobPosting``.
        """
        from publisher.diffusion import offer_url, public_view
        from publisher.formats.jsonld import job_posting

        row = db.get_cluster(offer_id)
        if row is None or row.status != "active":
            raise HTTPException(404, f"no active offer {offer_id!r}")
        view = public_view(CatalogueOffer.model_validate(row.data), settings.publisher)
        out = view.model_dump(mode="json")
        updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=UTC)
        out["jsonld"] = job_posting(view, offer_url(settings.publisher.base_url, view.id),
                                    fallback_date=updated, valid_days=settings.publisher.max_days)
        return out

    @app.get("/offers", tags=["catalogue"])
    def list_offers(
        q: Annotated[str | None, Query(max_length=200, description="words, all required; accents and case "
                                       "are ignored (French full-text search)")] = None,
        rome: Annotated[str | None, Query(pattern=r"^[A-Za-z](\d{1,4})?$",
                                          description="ROME code (M1805) or prefix (M18; M = grand domaine)")] = None,
        departement: Annotated[str | None, Query(pattern=r"^(\d{2,3}|2[ABab])$",
                                                 description="département code: 75, 2A, 971")] = None,
        commune: Annotated[str | None, Query(min_length=1, max_length=100,
                                             description="INSEE code or commune name")] = None,
        rayon: Annotated[float | None, Query(gt=0, le=200, description="radius in km around `commune` "
                                             "(offers with coordinates only); ignored without `commune`")] = None,
        radius: Annotated[float | None, Query(gt=0, le=200, description="same as `rayon`")] = None,
        contrat: Annotated[list[ContractType] | None, Query(description="contract types (any of)")] = None,
        salaire_min: Annotated[float | None, Query(ge=0, le=10_000_000,
                                                   description="minimum gross yearly salary (EUR): offers "
                                                   "whose yearly range reaches it")] = None,
        since: Annotated[str | None, Query(pattern=SINCE_PATTERN,
                                           description="published on or after: an ISO 8601 date or "
                                           "date-time (UTC when no offset); a day past the end of its "
                                           "month rolls over (2025-02-30 = 2025-03-02)")] = None,
        facets: Annotated[bool, Query(description="include facet counts (contract, département, "
                                      "ROME domain) over every matching offer")] = True,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        after: Annotated[str | None, Query(pattern=r"^\d{1,18}$",
                                           description="cursor: `next` of the previous page")] = None,
    ) -> dict[str, Any]:
        """Search the catalogue: public summaries (newest first), facet counts, cursor pagination.

        Facets are exact for searches filtered only on contract, département and
        ROME domain (pre-counted) and whenever at most 2,000 offers match; beyond
        that they count a sample, the first 2,000 matching offers the index finds,
        and ``facets_complete`` is false.

        Each page holds at most ``limit`` offers; pass its ``next`` as ``after`` for
        the following page (``next`` is null on the last page).
        """
        from jobgate.search import SearchQuery, search_offers

        since_dt = parse_since(since) if since else None
        result = search_offers(db, SearchQuery(
            q=q, rome=rome, departement=departement, commune=commune, radius_km=rayon or radius,
            contract=[c.value for c in contrat or []], salary_min=salaire_min, since=since_dt,
            limit=limit, after=int(after) if after else None, facets=facets,
        ))
        return {"offers": result.offers, "next": result.next, "facets": result.facets,
                "facets_complete": result.facets_complete}

    @app.get("/feeds/{partner}.{fmt}", tags=["partners"], responses={
        304: {"description": "not modified (If-None-Match)"},
        401: {"description": "unknown partner or bad key"},
        403: {"description": "a key of another partner, or this partner does not receive offers"},
        404: {"description": "unknown format"},
    })
    def partner_feed(
        partner: str,
        fmt: str,
        request: Request,
        x_api_key: Annotated[str | None, Header()] = None,
        if_none_match: Annotated[str | None, Header()] = None,
    ) -> Response:
        """The feed a partner receives, behind that partner's own API key (X-API-Key)."""
        from publisher.feeds import write_feed

        if fmt not in FEED_TYPES:
            raise HTTPException(404, f"unknown format {fmt!r}")
        p = require_partner(settings, keys, partner, x_api_key)
        if "offers" not in p.receives:
            raise HTTPException(403, f"partner {partner!r} does not receive offers")
        buf = io.BytesIO()
        write_feed(db, settings, p, fmt, buf, since=request.query_params.get("since"))
        return etag_response(buf.getvalue(), FEED_TYPES[fmt], if_none_match)

    return app
