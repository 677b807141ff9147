"""The HTTP API (FastAPI): health, the public catalogue, partner feeds. OpenAPI at /openapi.json."""

from __future__ import annotations

import hashlib
import hmac
import io
from typing import Annotated, Any

from fastapi import FastAPI, Header, HTTPException, Query, Request, Response
from sqlalchemy import func, select

from jobgate.config import Settings
from jobgate.schema import CatalogueOffer
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

    @app.get("/health", tags=["operations"])
    def health() -> dict[str, Any]:
        """Liveness: the database answers; counts of the catalogue."""
        with db.session() as s:
            active = s.scalar(select(func.count()).select_from(Cluster).where(Cluster.status == "active"))
            last = s.scalar(select(func.max(FetchRun.finished_at)))
        return {"status": "ok", "catalogue_offers": int(active or 0),
                "last_fetch": last.isoformat() if last else None, "database": db.dialect}

    @app.get("/offers/{offer_id}", tags=["catalogue"])
    def get_offer(offer_id: str) -> dict[str, Any]:
        """One catalogue offer as the public may see it, with its sources."""
        from publisher.diffusion import public_view

        row = db.get_cluster(offer_id)
        if row is None or row.status != "active":
            raise HTTPException(404, f"no active offer {offer_id!r}")
        return public_view(CatalogueOffer.model_validate(row.data)).model_dump(mode="json")

    @app.get("/offers", tags=["catalogue"])
    def list_offers(
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        after: Annotated[str | None, Query(description="cursor: the last id of the previous page")] = None,
    ) -> dict[str, Any]:
        """Catalogue offers by id, cursor-paginated."""
        from publisher.diffusion import public_view

        with db.session() as s:
            q = select(Cluster).where(Cluster.status == "active").order_by(Cluster.id).limit(limit)
            if after:
                q = q.where(Cluster.id > after)
            rows = list(s.scalars(q))
        items = [public_view(CatalogueOffer.model_validate(r.data)).model_dump(mode="json") for r in rows]
        return {"offers": items, "next": rows[-1].id if len(rows) == limit else None}

    @app.get("/feeds/{partner}.{fmt}", tags=["partners"])
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
        try:
            p = settings.partner(partner)
        except Exception:
            raise HTTPException(401, "unknown partner or bad key") from None
        expected = p.secret("api_key")
        if not expected or not x_api_key or not hmac.compare_digest(
            hashlib.sha256(x_api_key.encode()).digest(), hashlib.sha256(expected.encode()).digest()
        ):
            raise HTTPException(401, "unknown partner or bad key")
        if "offers" not in p.receives:
            raise HTTPException(403, f"partner {partner!r} does not receive offers")
        buf = io.BytesIO()
        write_feed(db, settings, p, fmt, buf, since=request.query_params.get("since"))
        body = buf.getvalue()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if if_none_match == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return Response(body, media_type=FEED_TYPES[fmt], headers={"ETag": etag})

    return app
