"""The operator dashboard ``/ops``: server-rendered (Jinja2), inline SVG charts, no front-end build.

Access needs operator credentials: HTTP Basic checked in constant time against
the environment variables named by ``[api] operator_user_env`` and
``operator_password_env`` (``JOBGATE_OPERATOR_USER`` / ``JOBGATE_OPERATOR_PASSWORD``).
Without them configured, every operator route answers 503: no default password.

Actions are POST forms protected against cross-site request forgery twice: a
hidden token (an HMAC of the user name keyed by the operator password, so it is
the same on every API replica and changes with the password), and the
``Origin``/``Referer`` header, when sent, must be this site.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from jobgate import ops
from jobgate.config import Settings
from jobgate.errors import ConfigError
from jobgate.health import partner_health
from jobgate.storage import Store

TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


def csrf_token(user: str, password: str) -> str:
    """The CSRF token of an operator session."""
    key = hashlib.sha256(b"jobgate-csrf:" + password.encode("utf-8")).digest()
    return hmac.new(key, user.encode("utf-8"), hashlib.sha256).hexdigest()


class Operator:
    """An authenticated operator (their user name and CSRF token)."""

    def __init__(self, user: str, token: str) -> None:
        self.user = user
        self.token = token


def operator_auth(settings: Settings) -> Any:
    """A FastAPI dependency checking HTTP Basic credentials against the configured env vars."""

    def check(request: Request) -> Operator:
        import os

        user = os.environ.get(settings.api.operator_user_env)
        password = os.environ.get(settings.api.operator_password_env)
        if not user or not password:
            raise HTTPException(503, f"operator access is disabled: set {settings.api.operator_user_env} "
                                f"and {settings.api.operator_password_env}")
        challenge = {"WWW-Authenticate": 'Basic realm="jobgate operations", charset="UTF-8"'}
        header = request.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        given_user, given_password = "", ""
        if scheme.lower() == "basic":
            try:
                given_user, _, given_password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                given_user, given_password = "", ""
        ok_user = hmac.compare_digest(_digest(given_user), _digest(user))
        ok_password = hmac.compare_digest(_digest(given_password), _digest(password))
        if not (ok_user and ok_password):
            raise HTTPException(401, "operator credentials required", headers=challenge)
        return Operator(user, csrf_token(user, password))

    return check


def same_origin(request: Request) -> bool:
    """Whether the browser-sent Origin (or Referer), if any, is this site."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return source is None
    parts = urlsplit(source)
    return f"{parts.scheme}://{parts.netloc}" == f"{request.url.scheme}://{request.url.netloc}"


async def _form(request: Request, op: Operator) -> dict[str, str]:
    """The POSTed form, after the CSRF checks."""
    body = (await request.body()).decode("utf-8", "replace")
    form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
    if not same_origin(request):
        raise HTTPException(403, "cross-site request refused (Origin)")
    if not hmac.compare_digest(_digest(form.get("csrf", "")), _digest(op.token)):
        raise HTTPException(403, "missing or bad CSRF token")
    return form


# -- SVG charts ------------------------------------------------------------------

def bar_chart(items: list[tuple[str, float]], *, width: int = 560, unit: str = "", title: str = "") -> Markup:
    """Horizontal bars with labels and values, as inline SVG."""
    if not items:
        return Markup('<p class="empty">aucune donnée</p>')
    row, label_w = 22, 250
    top = max(v for _, v in items) or 1
    h = row * len(items) + 8
    parts = [f'<svg class="chart" role="img" aria-label="{html.escape(title)}" width="{width}" height="{h}" '
             f'viewBox="0 0 {width} {h}" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = (width - label_w - 70) * value / top
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
                     f'<title>{html.escape(label)}</title>{html.escape(short)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{PALETTE[0]}"/>')
        shown = f"{value:.0%}" if unit == "%" else f"{value:,.0f}".replace(",", "\u202f")
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="12">{shown}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(series: dict[str, list[tuple[float, float]]], *, width: int = 560, height: int = 180,
               title: str = "") -> Markup:
    """One line per series (x = Unix time, y = value), with a legend, as inline SVG."""
    points = [p for pts in series.values() for p in pts]
    if not points:
        return Markup('<p class="empty">aucune donnée</p>')
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y1 = max(p[1] for p in points) or 1
    pad, legend_h = 30, 16 * ((len(series) + 2) // 3)
    plot_h = height - pad
    total_h = height + legend_h

    def sx(x: float) -> float:
        return pad + (width - 2 * pad) * ((x - x0) / (x1 - x0) if x1 > x0 else 0.5)

    def sy(y: float) -> float:
        return plot_h - (plot_h - 10) * y / y1

    parts = [f'<svg class="chart" role="img" aria-label="{html.escape(title)}" width="{width}" '
             f'height="{total_h}" viewBox="0 0 {width} {total_h}" xmlns="http://www.w3.org/2000/svg">',
             f'<line x1="{pad}" y1="{plot_h}" x2="{width - pad}" y2="{plot_h}" stroke="#999"/>',
             f'<text x="2" y="14" font-size="11">{y1:,.0f}</text>',
             f'<text x="2" y="{plot_h}" font-size="11">0</text>']
    for i, (name, pts) in enumerate(sorted(series.items())):
        color = PALETTE[i % len(PALETTE)]
        coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in sorted(pts))
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{coords}"/>')
        for x, y in pts:
            parts.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{color}">'
                         f'<title>{html.escape(name)}: {y:.0f}</title></circle>')
        lx, ly = 10 + (i % 3) * (width // 3), height + 12 + 16 * (i // 3)
        parts.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{lx + 14}" y="{ly}" font-size="11">{html.escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# -- routes ------------------------------------------------------------------------

def ops_router(settings: Settings, store: Store) -> APIRouter:
    """The ``/ops`` pages and actions (hidden from the public OpenAPI document)."""
    router = APIRouter(prefix="/ops", include_in_schema=False)
    auth = Depends(operator_auth(settings))

    @router.get("", response_class=HTMLResponse)
    def dashboard(request: Request, op: Operator = auth) -> HTMLResponse:
        health = partner_health(store, settings)
        series = {h.partner: [(at.timestamp(), float(n)) for at, n in h.records_per_run] for h in health}
        rejects = ops.certification_rejects(store)
        dedup = ops.dedup_stats(store)
        backlog = ops.delivery_backlog(store)
        t = ops.transparency(store)
        page = _env.get_template("ops.html").render(
            user=op.user, csrf=op.token, health=health, now=ops.now_utc(),
            flash=request.query_params.get("done"), error=request.query_params.get("error"),
            records_chart=line_chart(series, title="offres lues par passage, par source"),
            rejects_chart=bar_chart([(r, float(n)) for r, n in rejects[:15]], title="rejets de certification"),
            rejects_total=sum(n for _, n in rejects),
            dedup=dedup,
            dedup_chart=bar_chart([("offres sources publiées", float(dedup.published_offers)),
                                   ("offres du catalogue", float(dedup.catalogue_offers)),
                                   ("offres à plusieurs sources", float(dedup.multi_source))], title="dédoublonnage"),
            backlog=backlog,
            backlog_chart=bar_chart([(b["partner"], float(b["pending"])) for b in backlog], title="livraisons en attente"),
            transparency=t,
            direct_chart=bar_chart([("contact direct (nominatif, sans présélection)", t.direct_share),
                                    ("autres modes de diffusion", 1 - t.direct_share if t.total else 0.0)],
                                   unit="%", title="contact direct"),
            origin_chart=bar_chart([(k, float(v)) for k, v in sorted(t.by_origin.items())], title="origine"),
            domain_chart=bar_chart([(k, float(v)) for k, v in t.by_domain], title="grand domaine ROME"),
            region_chart=bar_chart([(k, float(v)) for k, v in t.by_region], title="région"),
            quarantine=ops.recent_quarantine(store),
            lifecycle=ops.lifecycle_status(store),
        )
        return HTMLResponse(page, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                                           "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; "
                                           "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"})

    def _done(message: str, *, error: bool = False) -> RedirectResponse:
        return RedirectResponse("/ops?" + urlencode({"error" if error else "done": message}), status_code=303)

    @router.post("/partners/{partner}/{action}")
    async def partner_action(partner: str, action: str, request: Request,
                             op: Operator = auth) -> RedirectResponse:
        await _form(request, op)
        try:
            if action == "pause":
                ops.pause_partner(store, settings, partner)
                return _done(f"{partner} en pause")
            if action == "resume":
                ops.resume_partner(store, settings, partner)
                return _done(f"{partner} reprend")
            if action == "refetch":
                outcome = ops.refetch_partner(store, settings, partner)
                return _done(f"{partner} relu : {outcome}")
            if action == "replay":
                r = ops.replay_quarantine(store, settings, partner=partner)
                return _done(f"{partner} : {r.resolved} enregistrements rejoués "
                             f"({r.renormalized} renormalisés, relus : {', '.join(r.refetched) or 'aucun'})")
        except ConfigError as exc:
            return _done(str(exc), error=True)
        raise HTTPException(404, f"unknown action {action!r}")

    @router.post("/quarantine/replay")
    async def replay(request: Request, op: Operator = auth) -> RedirectResponse:
        form = await _form(request, op)
        ids = [int(x) for x in form.get("ids", "").replace(",", " ").split() if x.isdigit()]
        r = ops.replay_quarantine(store, settings, ids=ids or None)
        return _done(f"{r.resolved} enregistrements rejoués ({r.renormalized} renormalisés, "
                     f"relus : {', '.join(r.refetched) or 'aucun'})")

    return router
