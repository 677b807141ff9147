"""JSON-lines exports of the catalogue and of every source record (contract formats)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

from jobgate.schema import CatalogueOffer
from jobgate.storage import Store
from publisher.diffusion import public_view


def catalogue_lines(store: Store) -> Iterator[dict[str, Any]]:
    """One dict per active catalogue offer, as the public may see it."""
    for row in store.iter_clusters(status="active"):
        offer = public_view(CatalogueOffer.model_validate(row.data))
        data = offer.model_dump(mode="json", exclude={"history"})
        data["sources"] = [
            {"partner": s["partner"], "external_id": s["external_id"], "url": s.get("url"),
             "status": s.get("status")}
            for s in data.get("sources", [])
        ]
        yield data


def record_lines(store: Store) -> Iterator[dict[str, Any]]:
    """One dict per source record: its status, cluster, certification and ROME."""
    for o in store.iter_offers():
        d = o.data
        cert = d.get("certification") or {}
        rome = d.get("rome") or {}
        yield {
            "partner": o.partner,
            "external_id": o.external_id,
            "title": d.get("title") or o.title,
            "status": o.status,
            "status_reason": o.status_reason,
            "cluster": o.cluster_id,
            "certification": {
                "status": cert.get("status", "certified"),
                "findings": [
                    {"id": f["id"], "severity": f["severity"], "message": f["message"]}
                    for f in cert.get("findings", [])
                ],
            },
            "rome": {k: rome.get(k) for k in ("code", "fiche", "ogr", "appellation", "score")},
            "url": (d.get("source") or {}).get("url"),
        }
    # Records that could not even be read are records too: quarantined, with their reason.
    for q in store.quarantined():
        if q.stage != "fetch":
            continue
        title = None
        if q.payload:
            try:
                payload = json.loads(q.payload)
                title = payload.get("title") or payload.get("intitule") if isinstance(payload, dict) else None
            except ValueError:
                title = None
        yield {
            "partner": q.partner,
            "external_id": q.external_id,
            "title": title,
            "status": "quarantined",
            "status_reason": f"{q.field}: {q.reason}" if q.field else q.reason,
            "cluster": None,
            "certification": {"status": "rejected", "findings": []},
            "rome": {"code": None, "fiche": None, "ogr": None, "appellation": None, "score": None},
            "url": None,
        }


def write_lines(lines: Iterator[dict[str, Any]], out: TextIO) -> int:
    """Write dicts as JSON lines; returns how many."""
    n = 0
    for line in lines:
        out.write(json.dumps(line, ensure_ascii=False, default=str))
        out.write("\n")
        n += 1
    return n
