"""CV intake over HTTP, for the public service's operators (never a partner key).

Routes (HTTP Basic operator credentials, as ``/ops``; hidden from the public OpenAPI):

* ``POST /cvs``: submit or update a CV (the JSON of :class:`publisher.cv.CV`, one object);
* ``PUT /cvs/{candidate}/consents``: record consent decisions ``{"partner": true|false}``
  (or ``{"granted": bool, "at": date-time}`` per partner);
* ``POST /cvs/{candidate}/withdraw``: withdraw every consent the candidate gave;
* ``DELETE /cvs/{candidate}``: erase the CV (art. 17) and withdraw it from every partner;
* ``GET /cvs/{candidate}/disclosures``: who received this CV, what and when.

Changes propagate at once (:mod:`publisher.cvs`): a withdrawal or erasure queues a DELETE
for push partners and a tombstone in ``/cv-feeds`` for pull partners that may hold a copy.

Writes must be ``Content-Type: application/json`` and same-origin when a browser says
where it comes from: a cross-site page cannot send such a request without a CORS
preflight, which this API never grants. Validation errors name the field, never echo
the value (it is personal data).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import TypeAdapter, ValidationError

from jobgate.config import Settings
from jobgate.dashboard import Operator, operator_auth, same_origin
from jobgate.storage import Store
from publisher import cvs
from publisher.cv import CV, Consent

_consents = TypeAdapter(dict[str, bool | Consent])


def _field_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [{"field": ".".join(str(x) for x in e["loc"]) or "(body)", "error": e["msg"]} for e in exc.errors()]


async def _json_body(request: Request) -> Any:
    """The request's JSON, after the cross-site checks."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise HTTPException(415, "send application/json")
    if not same_origin(request):
        raise HTTPException(403, "cross-site request refused (Origin)")
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "the body is not JSON") from None


def cv_router(settings: Settings, store: Store) -> APIRouter:
    """The operators' CV routes (``/cvs``)."""
    router = APIRouter(prefix="/cvs", include_in_schema=False)
    auth = Depends(operator_auth(settings))

    @router.post("")
    async def submit(request: Request, op: Operator = auth) -> dict[str, Any]:
        body = await _json_body(request)
        try:
            cv = CV.model_validate(body)
        except ValidationError as exc:
            raise HTTPException(422, _field_errors(exc)) from None
        outcome, recorded = cvs.save_cv(store, settings, cv)
        return {"candidate_id": cv.candidate_id, "outcome": outcome, "consents_recorded": recorded}

    @router.put("/{candidate}/consents")
    async def consents(candidate: str, request: Request, op: Operator = auth) -> dict[str, Any]:
        body = await _json_body(request)
        try:
            decisions = _consents.validate_python(body)
        except ValidationError as exc:
            raise HTTPException(422, _field_errors(exc)) from None
        changed = {}
        for partner, d in decisions.items():
            granted, at = (d, None) if isinstance(d, bool) else (d.granted, d.at)
            changed[partner] = cvs.record_consent(store, settings, candidate, partner, granted, at=at)
        return {"candidate_id": candidate, "changed": changed, "consents": cvs.consents(store, candidate)}

    @router.post("/{candidate}/withdraw")
    async def withdraw(candidate: str, request: Request, op: Operator = auth) -> dict[str, Any]:
        await _json_body(request)
        given = [p for p, granted in cvs.consents(store, candidate).items() if granted]
        for partner in given:
            cvs.record_consent(store, settings, candidate, partner, False)
        return {"candidate_id": candidate, "withdrawn": given}

    @router.delete("/{candidate}")
    def erase(candidate: str, request: Request, op: Operator = auth) -> dict[str, Any]:
        if not same_origin(request):
            raise HTTPException(403, "cross-site request refused (Origin)")
        if not cvs.erase_cv(store, settings, candidate):
            raise HTTPException(404, "no CV to erase for this candidate")
        return {"candidate_id": candidate, "erased": True}

    @router.get("/{candidate}/disclosures")
    def disclosures(candidate: str, op: Operator = auth) -> dict[str, Any]:
        return {"candidate_id": candidate,
                "disclosures": [asdict(d) | {"at": d.at.isoformat()} for d in cvs.disclosures(store, candidate)]}

    return router
