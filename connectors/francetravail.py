"""France Travail "Offres d'emploi v2".

File mode: with a path it reads a search response (``{"resultats": [...]}``), a
JSON array of offers, or one offer object, so saved payloads replay offline.

API mode (``url`` is http(s), the ``/offres/search`` endpoint): OAuth2 client
credentials (``auth = {client_id = "ENV", client_secret = "ENV"}``, token URL
from ``options.token_url``, scope ``api_offresdemploiv2 o2dsoffre``), ``range``
paging by 150, our own syndicated offers excluded (``options.partner_code`` →
``partenaires=<code>&modeSelectionPartenaires=EXCLU``). The API returns at most
indexes 0–3149 of a query, so a query with more results is split by
département (101 codes) and a département still over the cap by creation-date
windows (``minCreationDate``/``maxCreationDate``), halved until each fits.

A harvest is bounded by the creation date it started at (``until``), saved in
the root state before the first query, so a killed run resumes with the same
queries; each query is a partition whose state (``next`` index, ``done``) is
saved after its page is stored. A full harvest is a snapshot; between full
harvests (``options.full_snapshot_every`` hours, 24 by default as the licence asks,
or ``full_snapshot_every_runs``; ``full_refresh_hours`` is the older name) runs
only ask for offers created since the last harvest (minus
``options.overlap_minutes``) and close nothing. Offers placed above département
level (a region, "France", abroad) are reached by a remainder query when the
départements' totals fall short of the whole query's (see :meth:`_split`).

Offers with ``origineOffre.origine == "1"`` are the public service's own;
``"2"`` are partner offers whose boards are kept from ``partenaires[]``.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from connectors.auth import Authenticator, authenticator_for
from connectors.base import Connector, FetchContext, Item, Page, full_snapshot_due
from connectors.dialects import DIALECTS, Dialect
from connectors.http import Response
from connectors.jsonapi import IN_MEMORY_MAX_BYTES, find_records, load_json
from connectors.pagination import RangePaginator, parse_content_range
from jobgate.errors import FatalPartnerError, RecordError

TOKEN_URL = "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=%2Fpartenaire"
SCOPE = "api_offresdemploiv2 o2dsoffre"
PAGE_SIZE = 150
#: Highest result index the search serves for one query (so 3150 offers).
INDEX_CAP = 3149
#: The 101 départements, the values of the ``departement`` search parameter.
DEPARTEMENTS = (
    *(f"{i:02d}" for i in range(1, 20)), "2A", "2B", *(f"{i:02d}" for i in range(21, 96)),
    "971", "972", "973", "974", "976",
)
#: Lower bound of a first full harvest's creation-date window.
EPOCH = "2000-01-01T00:00:00Z"
_FMT = "%Y-%m-%dT%H:%M:%SZ"

DIALECTS["francetravail"] = Dialect(
    "francetravail",
    records_path=None,
    mapping={
        "external_id": "id",
        "url": "origineOffre/urlOrigine",
        "title": "intitule",
        "description": "description",
        "company": "entreprise/nom",
        "company_description": "entreprise/description",
        "company_url": "entreprise/url",
        "logo": "entreprise/logo",
        "siret": "entreprise/siret",
        "naf": "codeNAF",
        "contact_name": "contact/nom",
        "contact_email": "contact/courriel",
        "contact_phone": "contact/telephone",
        "contact_url": "contact/urlPostulation | contact/urlRecruteur",
        "agency_email": "agence/courriel",
        "agency_phone": "agence/telephone",
        "place": "lieuTravail/libelle",
        "postcode": "lieuTravail/codePostal",
        "insee": "lieuTravail/commune",
        "latitude": "lieuTravail/latitude",
        "longitude": "lieuTravail/longitude",
        "contract": "typeContrat",
        "contract_duration": "typeContratLibelle",
        "contract_nature": "natureContrat",
        "working_time": "dureeTravailLibelle",
        "working_time_converted": "dureeTravailLibelleConverti",
        "salary": "salaire/libelle | salaire/commentaire",
        "experience": "experienceLibelle",
        "qualification": "qualificationLibelle",
        "rome_code": "romeCode",
        "appellation": "appellationlibelle | appellationLibelle",
        "published": "dateCreation",
        "updated": "dateActualisation",
        "origin": "origineOffre/origine",
        "carried_by": "origineOffre/partenaires[]/nom",
        "visibility": "diffusion/visibilite",
        "preselection": "diffusion/preselection",
        "diffusion_code": "codeDiffusion",
        "follow_up_due": "dateRelanceEmployeur",
    },
)


def describe_structured(record: dict[str, Any]) -> str:
    """A description from an offer's structured requirements (skills, qualities, training).

    Some offers carry no free text; what the public site shows them with is this.
    """
    parts: list[str] = []
    skills = [c.get("libelle") for c in record.get("competences") or [] if isinstance(c, dict)]
    if any(skills):
        parts.append("Compétences :\n" + "\n".join(f"- {s}" for s in skills if s))
    qualities = [q.get("libelle") for q in record.get("qualitesProfessionnelles") or [] if isinstance(q, dict)]
    if any(qualities):
        parts.append("Qualités professionnelles :\n" + "\n".join(f"- {q}" for q in qualities if q))
    training = [
        " ".join(x for x in (f.get("niveauLibelle"), f.get("domaineLibelle")) if x)
        for f in record.get("formations") or [] if isinstance(f, dict)
    ]
    if any(training):
        parts.append("Formation :\n" + "\n".join(f"- {t}" for t in training if t))
    if record.get("experienceLibelle"):
        parts.append(f"Expérience : {record['experienceLibelle']}")
    return "\n\n".join(parts)


def _parse_dt(value: str) -> datetime:
    return datetime.strptime(value, _FMT).replace(tzinfo=UTC)


def _fmt(value: datetime) -> str:
    return value.astimezone(UTC).strftime(_FMT)


class FranceTravailConnector(Connector):
    """France Travail offers: saved responses or the search API."""

    kind = "francetravail"
    default_dialect = "francetravail"
    plain_records = True
    max_bytes = IN_MEMORY_MAX_BYTES

    def authenticator(self) -> Authenticator:
        """OAuth2 client credentials with France Travail's token URL and scope as defaults."""
        return authenticator_for(self.partner, token_url=TOKEN_URL, scope=SCOPE)

    def pages(self, ctx: FetchContext) -> Iterator[Page]:
        """File mode as any connector; API mode harvests split queries (see module doc)."""
        if not ctx.is_http:
            yield from super().pages(ctx)
            return
        opts = self.partner.options
        root = ctx.state("")
        harvest = root.get("harvest")
        if harvest is None:
            harvest = self._new_harvest(root, opts)
            # Saved before any query, so a killed run resumes with the same windows.
            yield Page("", (), {**root, "harvest": harvest})
        if root.get("harvest") is not None or not harvest["full"]:
            ctx.partial = True  # resumed, or only recent offers: not a snapshot
        ctx.full_snapshot = harvest["full"]
        params = {str(k): str(v) for k, v in (opts.get("params") or {}).items()}
        if opts.get("partner_code"):
            params["partenaires"] = str(opts["partner_code"])
            params["modeSelectionPartenaires"] = "EXCLU"
        window = (harvest["since"] or str(opts.get("start_date", EPOCH)), harvest["until"])
        yield from self._query(ctx, params, window, harvest["id"])
        done = {"bookmark": harvest["until"],
                "last_full": harvest["id"] if harvest["full"] else root.get("last_full"),
                "incremental_runs": 0 if harvest["full"] else int(root.get("incremental_runs", 0)) + 1}
        yield Page("", (), done, reset_other_partitions=True)

    def now(self) -> datetime:
        """The harvest's upper creation date (override or patch to pin it, e.g. for cassettes)."""
        return datetime.now(UTC)

    def _new_harvest(self, root: dict[str, Any], opts: dict[str, Any]) -> dict[str, Any]:
        now = self.now().replace(microsecond=0)
        bookmark, last_full = root.get("bookmark"), root.get("last_full")
        full = (not opts.get("incremental", True) or bookmark is None
                or full_snapshot_due(opts, last_full, int(root.get("incremental_runs", 0)), now))
        since = None
        if not full and bookmark:
            since = _fmt(_parse_dt(str(bookmark)) - timedelta(minutes=float(opts.get("overlap_minutes", 60))))
        return {"id": _fmt(now), "until": _fmt(now), "since": since, "full": full}

    def _query(self, ctx: FetchContext, base: dict[str, str], window: tuple[str, str], harvest: str,
               dep: str | None = None, rest: bool = False) -> Generator[Page, None, int]:
        """Harvest one query, or split it when it has more results than the index cap.

        Returns the query's total (saved in its partition state, so a resumed
        harvest knows it without asking again). ``rest`` marks the remainder
        query: no département filter, split by creation date only.
        """
        key = f"q:{'rest' if rest else dep or 'all'}:{window[0]}..{window[1]}"
        state = ctx.state(key)
        if state.get("harvest") == harvest and state.get("done"):
            return int(state.get("total", 0))
        if state.get("harvest") == harvest and state.get("split"):
            yield from self._split(ctx, base, window, harvest, dep, int(state["total"]), rest)
            return int(state["total"])
        paging = RangePaginator(size=int(self.partner.options.get("page_size", PAGE_SIZE)))
        start = int(state.get("next", 0)) if state.get("harvest") == harvest else 0
        # Resume one page early: offers withdrawn meanwhile shift later ones forward.
        token: int | None = max(0, start - paging.size)
        params = {**base, "minCreationDate": window[0], "maxCreationDate": window[1]}
        if dep:
            params["departement"] = dep
        total = 0
        while token is not None:
            response = ctx.session.get(ctx.location, params={**params, **paging.params(token)})
            try:
                total = self._total(response)
                if token == 0 and total > INDEX_CAP + 1:
                    response.close()
                    yield Page(key, (), {"harvest": harvest, "split": True, "total": total})
                    yield from self._split(ctx, base, window, harvest, dep, total, rest)
                    return total
                items: list[Item] = list(self.records(response.body)) if response.status != 204 else []
                nxt = paging.next_token(token, response, len(items), self.name)
            finally:
                response.close()
            if nxt is not None and nxt > INDEX_CAP:  # cannot happen after a split; be safe
                nxt = None
            state = {"harvest": harvest, "next": nxt, "done": nxt is None, "total": total}
            yield Page(key, items, state)
            token = nxt
        return total

    def _split(self, ctx: FetchContext, base: dict[str, str], window: tuple[str, str], harvest: str,
               dep: str | None, total: int, rest: bool = False) -> Iterator[Page]:
        """More than the cap: split by département first, then halve the creation-date window.

        Offers placed above département level (a region, "France", abroad)
        match no département query: when the départements' totals add up to
        less than the whole query's, the remainder query (no département,
        creation-date windows) reads the window again so the union covers
        every offer (``options.remainder = false`` turns it off).
        """
        if dep is None and not rest and "departement" not in base:
            covered = 0
            for code in DEPARTEMENTS:
                covered += yield from self._query(ctx, base, window, harvest, code)
            if total > covered and self.partner.options.get("remainder", True):
                yield from self._query(ctx, base, window, harvest, rest=True)
            return
        lo, hi = _parse_dt(window[0]), _parse_dt(window[1])
        if hi - lo < timedelta(seconds=1):
            where = f"in département {dep}" if dep else "outside any département"
            err = RecordError(self.name, None, f"{total} offers created at {window[0]} {where}: beyond the "
                              f"{INDEX_CAP + 1}-offer cap, cannot split further")
            yield Page(f"q:{'rest' if rest else dep}:{window[0]}..{window[1]}", [err], None)
            return
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        yield from self._query(ctx, base, (window[0], _fmt(mid)), harvest, dep, rest)
        yield from self._query(ctx, base, (_fmt(mid + timedelta(seconds=1)), window[1]), harvest, dep, rest)

    def _total(self, response: Response) -> int:
        """How many results the query has (``Content-Range: offres 0-149/353``)."""
        if response.status == 204:
            return 0
        parsed = parse_content_range(response.headers.get("content-range"))
        if parsed is not None and parsed[2] is not None:
            return parsed[2]
        if response.status == 206:
            raise FatalPartnerError(self.name, f"206 without a usable Content-Range from {response.url}")
        return len(find_records(response.json(self.name), self.dialect.records_path))

    def post_process(self, fields: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
        """Fill a missing description from the structured requirements."""
        if not fields.get("description"):
            text = describe_structured(record)
            if text:
                fields["description"] = text
        return fields

    def parse(self, stream: IO[bytes]) -> Iterator[dict[str, Any] | RecordError]:
        doc, invalid = load_json(stream, self.name)
        self.invalid_utf8 = self.invalid_utf8 or invalid
        for i, rec in enumerate(find_records(doc, self.dialect.records_path)):
            if not isinstance(rec, dict):
                yield RecordError(self.name, f"#{i + 1}", f"offer is a {type(rec).__name__}, not an object")
                continue
            yield rec
