"""What a partner reads about itself over HTTP, each behind that partner's own key (X-API-Key).

* ``/cv-feeds/{partner}.json``: the CVs it receives (:func:`publisher.cvs.cv_feed`), with
  tombstones for CVs withdrawn or erased; ETag/If-None-Match and ``since`` as for
  ``/feeds``. Every copy handed over is logged in the disclosure log.
* ``/partners/{partner}/rejections``: its own offers that certification rejected, with
  the findings.
* ``/partners/{partner}/quarantine``: its own records quarantined at fetch or
  normalisation (never the CV intake's).

:func:`require_partner` is the one check all partner routes share (``/feeds`` too): no
or unknown key → 401; a live key of *another* partner → 403, so a partner never reads
what is not its own.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Response
from sqlalchemy import select

from jobgate.config import PartnerSettings, Settings
from jobgate.errors import ConfigError
from jobgate.keys import KeyChecker
from jobgate.search import SINCE_PATTERN, parse_since
from jobgate.storage import Store
from jobgate.storage.models import Offer, Quarantine

_CV_INTAKE_STAGE = "cv"  # quarantined CV lines hold personal data: never shown to a partner
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "no key, or not a live key"},
    403: {"description": "this key belongs to another partner, or the partner does not receive this"},
}


#: The partner's key header (module level: annotations are resolved in module globals).
Key = Annotated[str | None, Header(alias="X-API-Key", description="the partner's own API key")]
Limit = Annotated[int, Query(ge=1, le=500, description="at most this many, newest first")]


def require_partner(settings: Settings, checker: KeyChecker, partner: str, key: str | None) -> PartnerSettings:
    """The configured partner ``partner`` if ``key`` is one of its live keys.

    Raises:
        HTTPException: 401 when the key opens nothing (whatever the partner name, so
            the answer does not tell which partners exist), 403 when it is a live key
            of another partner.
    """
    owner = checker.identify(key)
    if owner is None:
        raise HTTPException(401, "unknown partner or bad key")
    if owner != partner:
        raise HTTPException(403, "this key is not the key of that partner")
    try:
        return settings.partner(partner)
    except ConfigError:  # a key of a partner since removed from the configuration
        raise HTTPException(401, "unknown partner or bad key") from None


def etag_response(body: bytes, media_type: str, if_none_match: str | None) -> Response:
    """``body`` with a strong ETag, or 304 when the client already has it."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if if_none_match == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type=media_type, headers={"ETag": etag, "Cache-Control": "private, no-store"})


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).isoformat()


def partner_router(settings: Settings, store: Store, checker: KeyChecker) -> APIRouter:
    """The partner routes (in the public OpenAPI document, tag ``partners``)."""
    router = APIRouter(tags=["partners"])

    @router.get("/cv-feeds/{partner}.{fmt}", responses={
        **AUTH_RESPONSES, 304: {"description": "not modified (If-None-Match)"},
        404: {"description": "unknown format"},
    })
    def cv_feed(
        partner: str,
        fmt: str,
        x_api_key: Key = None,
        if_none_match: Annotated[str | None, Header()] = None,
        since: Annotated[str | None, Query(pattern=SINCE_PATTERN,
                                           description="only CVs changed after this instant (ISO 8601)")] = None,
    ) -> Response:
        """The CVs this partner receives: ``{"cvs": [...], "deleted": [...]}``.

        Only CVs whose candidate consented to this partner, in the visibility the
        candidate chose; ``deleted`` holds tombstones (``id``, ``deleted_at``) of CVs
        withdrawn, erased or past retention, which the partner must delete. Each
        copy handed over is written to the disclosure log.
        """
        from publisher.cvs import write_cv_feed

        if fmt != "json":
            raise HTTPException(404, f"unknown format {fmt!r}: CV feeds are JSON")
        p = require_partner(settings, checker, partner, x_api_key)
        if "cvs" not in p.receives:
            raise HTTPException(403, f"partner {partner!r} does not receive CVs")
        buf = io.BytesIO()
        write_cv_feed(store, p, buf, since=parse_since(since) if since else None)
        return etag_response(buf.getvalue(), "application/json", if_none_match)

    @router.get("/partners/{partner}/rejections", responses=AUTH_RESPONSES)
    def rejections(
        partner: str,
        x_api_key: Key = None,
        limit: Limit = 100,
    ) -> dict[str, Any]:
        """This partner's own offers that certification rejected (newest first), with the findings."""
        require_partner(settings, checker, partner, x_api_key)
        with store.session() as s:
            rows = s.execute(select(Offer.external_id, Offer.title, Offer.status_reason, Offer.data,
                                    Offer.updated_at)
                             .where(Offer.partner == partner, Offer.status == "rejected")
                             .order_by(Offer.id.desc()).limit(limit)).all()
        return {"partner": partner, "rejections": [
            {"external_id": ext, "title": title, "reason": reason, "at": _iso(at),
             "findings": [f for f in ((data or {}).get("certification") or {}).get("findings") or []
                          if f.get("severity") == "REJECT"]}
            for ext, title, reason, data, at in rows]}

    @router.get("/partners/{partner}/quarantine", responses=AUTH_RESPONSES)
    def quarantine(
        partner: str,
        x_api_key: Key = None,
        limit: Limit = 100,
    ) -> dict[str, Any]:
        """This partner's own unresolved quarantined records (newest first): id, stage, field, reason."""
        require_partner(settings, checker, partner, x_api_key)
        with store.session() as s:
            rows = s.scalars(select(Quarantine)
                             .where(Quarantine.partner == partner, Quarantine.resolved.is_(False),
                                    Quarantine.stage != _CV_INTAKE_STAGE)
                             .order_by(Quarantine.id.desc()).limit(limit)).all()
        return {"partner": partner, "quarantine": [
            {"external_id": q.external_id, "stage": q.stage, "field": q.field, "reason": q.reason,
             "at": _iso(q.created_at)} for q in rows]}

    return router
