"""A simulated partner: a real HTTP server on 127.0.0.1 in a thread, serving real sample payloads.

Routes are plain functions ``(Req) -> Reply`` registered on :class:`PartnerServer`
(httpx's ``MockTransport`` style, but over a socket, so timeouts, redirects,
compression and connection drops are real). :class:`FranceTravailSim` simulates
the offers search API: OAuth2 token, ``range`` paging, the 3149 index cap,
département and creation-date filters, partner exclusion and 429s.

A hostile partner is the same server with fault replies (see "faults" below):
answers late, trickled a few bytes at a time, cut short of their
Content-Length, 5xx and 429 storms, off-host redirects; :class:`Switch` serves
a good document until a fault is switched on.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"


@dataclass
class Req:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)


@dataclass
class Reply:
    """A response; ``drop=True`` closes the connection without answering (a dying server).

    ``delay_s`` waits before answering; ``trickle_s`` sends the body one
    ``trickle_bytes`` chunk at a time with that pause between chunks;
    ``truncate_to`` announces the whole body's length but sends only that many
    bytes, then closes the connection.
    """

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    delay_s: float = 0.0
    trickle_s: float = 0.0
    trickle_bytes: int = 16
    truncate_to: int | None = None


Handler = Callable[[Req], Reply]


class PartnerServer:
    """A threaded HTTP server with routes; ``log`` keeps every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.log: list[Req] = []
        server = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                req = Req(self.command, parts.path, dict(parse_qsl(parts.query)),
                          {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
                server.log.append(req)
                handler = server.routes.get(parts.path)
                reply = handler(req) if handler else Reply(404, b"not found")
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.drop:
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if self.command != "HEAD":
                    try:
                        self._write_body(reply)
                    except (BrokenPipeError, ConnectionResetError):  # the client stopped reading
                        self.close_connection = True

            def _write_body(self, reply: Reply) -> None:
                body = reply.body if reply.truncate_to is None else reply.body[:reply.truncate_to]
                if not reply.trickle_s:
                    self.wfile.write(body)
                else:
                    for i in range(0, len(body), reply.trickle_bytes):
                        self.wfile.write(body[i:i + reply.trickle_bytes])
                        self.wfile.flush()
                        time.sleep(reply.trickle_s)
                if reply.truncate_to is not None:
                    self.close_connection = True

            do_GET = do_POST = do_HEAD = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> PartnerServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def route(self, path: str) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.routes[path] = fn
            return fn
        return deco

    def requests_to(self, path: str) -> list[Req]:
        return [r for r in self.log if r.path == path]


# -- building blocks ----------------------------------------------------------
def static(body: bytes, content_type: str, *, etag: bool = True, last_modified: float | None = None) -> Handler:
    """A document honouring If-None-Match / If-Modified-Since (304)."""
    tag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    lm = formatdate(last_modified or 1_700_000_000, usegmt=True)

    def handler(req: Req) -> Reply:
        headers = {"Content-Type": content_type, "Last-Modified": lm}
        if etag:
            headers["ETag"] = tag
            if req.headers.get("if-none-match") == tag:
                return Reply(304, b"", headers)
        elif req.headers.get("if-modified-since") == lm:
            return Reply(304, b"", headers)
        return Reply(200, body, headers)

    return handler


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def ft_offers() -> list[dict[str, Any]]:
    """The 148 real France Travail offers of the 2022 search sample."""
    return json.loads(sample("france_travail/ft_search_resultats_2022_148offres.json"))


def paged_json(records: list[dict[str, Any]], *, size: int, key: str | None = None,
               api_key: str | None = None, die_after: int | None = None,
               style: str = "page") -> Handler:
    """A paginated JSON listing (``page``/``per_page``, ``offset``/``limit``, ``cursor`` or ``next`` link).

    ``die_after=N`` drops the connection for every page after the N-th served.
    """
    served = {"pages": 0}

    def handler(req: Req) -> Reply:
        if api_key is not None and req.headers.get("x-api-key") != api_key:
            return Reply(401, b'{"error": "bad key"}', {"Content-Type": "application/json"})
        if style == "offset":
            first = int(req.query.get("offset", 0))
            n = int(req.query.get("limit", size))
        elif style in ("cursor", "next"):
            first = int(req.query.get("cursor") or req.query.get("after") or 0)
            n = size
        else:
            first = (int(req.query.get("page", 1)) - 1) * size
            n = size
        if die_after is not None and served["pages"] >= die_after:
            return Reply(drop=True)
        served["pages"] += 1
        chunk = records[first:first + n]
        headers = {"Content-Type": "application/json"}
        doc: Any = chunk
        more = first + n < len(records)
        if style == "cursor":
            doc = {"items": chunk, "meta": {"next_cursor": str(first + n) if more else None}}
        elif style == "next" and more:
            headers["Link"] = f'</api/next?after={first + n}>; rel="next"'
        if key and style != "cursor":
            doc = {key: chunk}
        return Reply(200, json.dumps(doc).encode(), headers)

    return handler


def gzip_bomb(decompressed: int) -> bytes:
    """``decompressed`` zero bytes, gzipped (about 1000:1)."""
    zero = b"\0" * (1024 * 1024)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as gz:
        for _ in range(decompressed // len(zero)):
            gz.write(zero)
    return buf.getvalue()


# -- faults --------------------------------------------------------------------
class Switch:
    """A route serving ``good`` until :meth:`set` switches a fault (a handler) on."""

    def __init__(self, good: Handler) -> None:
        self.good = good
        self.fault: Handler | None = None

    def set(self, fault: Handler | None) -> None:
        self.fault = fault

    def __call__(self, req: Req) -> Reply:
        return (self.fault or self.good)(req)


def body_of(handler: Handler) -> Reply:
    """What ``handler`` answers to a plain GET (to build a fault from a good document)."""
    return handler(Req("GET", "/", {}, {}, b""))


def late(handler: Handler, delay_s: float) -> Handler:
    """``handler``'s answer, ``delay_s`` late (past the client's timeout: a timeout)."""
    return lambda req: _with(handler(req), delay_s=delay_s)


def trickled(handler: Handler, every_s: float, chunk: int = 16) -> Handler:
    """``handler``'s answer, ``chunk`` bytes every ``every_s`` (each read is quick, the whole is not)."""
    return lambda req: _with(handler(req), trickle_s=every_s, trickle_bytes=chunk)


def cut_short(handler: Handler, fraction: float = 0.5) -> Handler:
    """``handler``'s answer, its connection closed after ``fraction`` of the announced body."""
    def fault(req: Req) -> Reply:
        reply = handler(req)
        return _with(reply, truncate_to=int(len(reply.body) * fraction))
    return fault


def status(code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Handler:
    """Always the same status (a 500 storm, a 429 storm with ``Retry-After``)."""
    return lambda req: Reply(code, body, dict(headers or {}))


def redirect(location: str, code: int = 302) -> Handler:
    """A redirect to ``location`` (another host: must be refused)."""
    return lambda req: Reply(code, b"", {"Location": location})


def _with(reply: Reply, **changes: Any) -> Reply:
    return Reply(**{**reply.__dict__, **changes})


# -- France Travail ------------------------------------------------------------
_FMT = "%Y-%m-%dT%H:%M:%SZ"


class FranceTravailSim:
    """The offers search API: ``/token`` (client credentials) and ``/offres/search``.

    Offers are the real sample offers cycled with new ids, spread over
    ``departements`` (code → count; a name such as "France" or "Allemagne" places
    offers above département level, where no ``departement`` query finds them) and creation dates; ``partner_offers`` more
    carry our partner code and must be excluded by ``modeSelectionPartenaires=EXCLU``.
    """

    CLIENT_ID, CLIENT_SECRET = "jobgate-client", "s3cret"

    def __init__(self, server: PartnerServer, departements: dict[str, int], *, partner_offers: int = 0,
                 partner_code: str = "JOBGATE", start: datetime | None = None, days: int = 60,
                 rate_limit_every: int = 0, retry_after: str = "1") -> None:
        self.server = server
        self.partner_code = partner_code
        real = ft_offers()
        start = start or datetime(2025, 9, 1, tzinfo=UTC)
        self.offers: list[dict[str, Any]] = []
        n = 0
        for dep, count in departements.items():
            for _ in range(count):
                base = real[n % len(real)]
                created = start + timedelta(seconds=(n * 7919) % (days * 86400))
                self.offers.append(self._offer(base, f"SIM{n:06d}", dep, created, None))
                n += 1
        for _ in range(partner_offers):
            base = real[n % len(real)]
            created = start + timedelta(seconds=(n * 7919) % (days * 86400))
            self.offers.append(self._offer(base, f"SIM{n:06d}", "75", created, partner_code))
            n += 1
        self.offers.sort(key=lambda o: (o["dateCreation"], o["id"]), reverse=True)
        self.tokens: set[str] = set()
        self.rate_limit_every = rate_limit_every
        self.retry_after = retry_after
        self.searches = 0
        self.served_ids: list[str] = []
        server.routes["/token"] = self.token
        server.routes["/offres/search"] = self.search

    @staticmethod
    def _offer(base: dict[str, Any], ident: str, dep: str, created: datetime, partner: str | None) -> dict[str, Any]:
        offer = {k: v for k, v in base.items() if k not in ("id", "dateCreation", "lieuTravail", "origineOffre")}
        offer["id"] = ident
        offer["dateCreation"] = created.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        if dep[:2].isdigit() or dep in ("2A", "2B"):
            offer["lieuTravail"] = {"libelle": f"{dep} - VILLE", "codePostal": f"{dep}000"[:5]}
        else:  # placed above département level: "Île-de-France", "France", "Allemagne"
            offer["lieuTravail"] = {"libelle": dep}
        origin: dict[str, Any] = {"origine": "1"}
        if partner:
            origin = {"origine": "2", "partenaires": [{"nom": partner, "url": "https://example.org"}]}
        offer["origineOffre"] = origin
        return offer

    @property
    def expected_ids(self) -> set[str]:
        return {o["id"] for o in self.offers if o["origineOffre"]["origine"] == "1"}

    def token(self, req: Req) -> Reply:
        form = dict(parse_qsl(req.body.decode()))
        if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != (
            "client_credentials", self.CLIENT_ID, self.CLIENT_SECRET
        ) or req.query.get("realm") != "/partenaire":
            return Reply(401, b'{"error": "invalid_client"}', {"Content-Type": "application/json"})
        if form.get("scope") != "api_offresdemploiv2 o2dsoffre":
            return Reply(400, b'{"error": "invalid_scope"}', {"Content-Type": "application/json"})
        tok = f"tok{len(self.tokens)}"
        self.tokens.add(tok)
        body = {"access_token": tok, "token_type": "Bearer", "expires_in": 1499, "scope": form["scope"]}
        return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def search(self, req: Req) -> Reply:
        auth = req.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return Reply(401, b'{"message": "unauthorized"}')
        self.searches += 1
        if self.rate_limit_every and self.searches % self.rate_limit_every == 0:
            return Reply(429, b'{"message": "too many requests"}', {"Retry-After": self.retry_after})
        q = req.query
        if ("minCreationDate" in q) != ("maxCreationDate" in q):
            return Reply(400, b'{"message": "minCreationDate et maxCreationDate vont ensemble"}')
        first, last = (int(x) for x in q.get("range", "0-149").split("-"))
        if last - first + 1 > 150 or last > 3149 or first > last:
            return Reply(400, b'{"message": "range invalide"}')
        found = self.offers
        if "departement" in q:
            found = [o for o in found if o["lieuTravail"]["libelle"].split(" - ")[0] == q["departement"]]
        if "minCreationDate" in q:
            lo = datetime.strptime(q["minCreationDate"], _FMT).replace(tzinfo=UTC)
            hi = datetime.strptime(q["maxCreationDate"], _FMT).replace(tzinfo=UTC)
            found = [o for o in found if lo <= _created(o) <= hi]
        if q.get("modeSelectionPartenaires") == "EXCLU" and q.get("partenaires"):
            codes = set(q["partenaires"].split(","))
            found = [o for o in found
                     if not codes & {p["nom"] for p in o["origineOffre"].get("partenaires", [])}]
        total = len(found)
        if total == 0:
            return Reply(204, b"")
        chunk = found[first:last + 1]
        if total <= 3150:  # answers to queries that fit (an over-cap probe is discarded by the client)
            self.served_ids.extend(o["id"] for o in chunk)
        status = 200 if first == 0 and last + 1 >= total else 206
        headers = {"Content-Type": "application/json", "Content-Range": f"offres {first}-{first + len(chunk) - 1}/{total}",
                   "Accept-Range": "offres 150"}
        return Reply(status, json.dumps({"resultats": chunk, "filtresPossibles": []}).encode(), headers)


def _created(offer: dict[str, Any]) -> datetime:
    return datetime.strptime(offer["dateCreation"][:19] + "Z", _FMT).replace(tzinfo=UTC)


# -- a partner web site (html kind) ---------------------------------------------
def jobposting(offer: dict[str, Any], identifier: Any) -> dict[str, Any]:
    """A schema.org JobPosting built from a real France Travail offer."""
    out = {
        "@context": "https://schema.org", "@type": "JobPosting",
        "title": offer["intitule"], "description": offer["description"],
        "datePosted": offer["dateCreation"], "employmentType": offer.get("typeContrat"),
        "hiringOrganization": {"@type": "Organization", "name": (offer.get("entreprise") or {}).get("nom", "Employeur")},
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress",
                                                      "addressLocality": offer["lieuTravail"]["libelle"]}},
    }
    if identifier is not None:
        out["identifier"] = identifier
    return out


def page(body: str, title: str = "Offre") -> bytes:
    return f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>".encode()


def ld(obj: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj, ensure_ascii=False)}</script>'


def jobposting_site(server: PartnerServer, offers: list[dict[str, Any]] | None = None) -> None:
    """A small partner site: listing pages, JobPosting offer pages (JSON-LD, microdata), robots.txt.

    Offer pages answer conditional requests (304), by ETag or, for the microdata page, Last-Modified.
    """
    OFFERS = offers or ft_offers()[:4]
    html = {"Content-Type": "text/html; charset=utf-8"}
    server.routes["/robots.txt"] = lambda r: Reply(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
    links = "".join(f'<a class="offer" href="/offres/{i}">{o["intitule"]}</a>' for i, o in enumerate(OFFERS))
    server.routes["/offres"] = lambda r: Reply(200, page(
        links + '<a class="next" href="/offres/page2">suivant</a><a href="/private/x">x</a>'
        f'<a href="{server.url("/offres/9", "localhost")}">ailleurs</a>'), html)
    server.routes["/offres/page2"] = lambda r: Reply(200, page(
        '<a class="offer" href="/offres/micro">micro</a><a class="offer" href="/offres/broken">b</a>'), html)
    ids: list[Any] = [{"@type": "PropertyValue", "name": "ref", "value": "REF-0"}, "REF-1", None,
                      {"@type": "PropertyValue", "value": 3}]
    for i, (offer, ident) in enumerate(zip(OFFERS, ids, strict=True)):
        body = ld({"@graph": [{"@type": "WebPage"}, jobposting(offer, ident)]}) if i == 3 else ld(jobposting(offer, ident))
        server.routes[f"/offres/{i}"] = static(page(body), html["Content-Type"])  # ETag
    micro = OFFERS[0]
    server.routes["/offres/micro"] = static(page(
        '<div itemscope itemtype="https://schema.org/JobPosting">'
        f'<h1 itemprop="title">{micro["intitule"]}</h1>'
        '<meta itemprop="identifier" content="MICRO-1">'
        f'<div itemprop="description">{micro["description"][:500]}</div>'
        '<div itemprop="hiringOrganization" itemscope itemtype="https://schema.org/Organization">'
        '<span itemprop="name">ACME</span></div></div>'), html["Content-Type"], etag=False)  # Last-Modified only
    server.routes["/offres/broken"] = lambda r: Reply(200, page('<script type="application/ld+json">{"@type": "JobPosting",</script>'), html)
    server.routes["/private/x"] = lambda r: Reply(200, page(ld(jobposting(OFFERS[0], "SECRET"))), html)
