"""A hostile partner next to a healthy one: feeds of every kind, faults, and the checks after a fault.

:class:`Scenario` serves, on one simulated partner server, a healthy XML
partner and one hostile partner per connector kind (``hostile-xml``,
``hostile-json``, ``hostile-rss``, ``hostile-csv`` and ``hostile-ft``, France
Travail's search API), each with its own 24 real France Travail offers. A first
cycle seeds every partner; a fault is then switched on for the hostile
partners and a second cycle runs through :func:`jobgate.pipeline.run_cycle`
(or ``jobgate run --once`` in a subprocess). :meth:`Scenario.check` asserts the
contract of issue #8 and returns the figures ``docs/reliability.md`` reports.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import select

from jobgate.config import load_settings
from jobgate.health import FAILING, HEALTHY, partner_health
from jobgate.pipeline import CycleReport, run_cycle
from jobgate.storage import Store
from jobgate.storage.models import Cluster, Offer, RawRecord
from tests.connectors.simulated_partner import (
    FranceTravailSim,
    Handler,
    PartnerServer,
    Reply,
    Req,
    Switch,
    ft_offers,
    jobposting,
    static,
)

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("xml", "json", "rss", "csv", "francetravail")
#: Each partner's offers: disjoint slices of the 148 real offers, so dedup never joins two partners.
SLICES = {"francetravail": (0, 24), "xml": (24, 48), "json": (48, 72), "rss": (72, 96), "csv": (96, 120),
          "healthy": (120, 144)}
#: The hostile partners' limits: one retry, no throttling, but room for a loaded machine (the
#: defaults are in connectors/http.py). Tests of timeouts and slow bodies shorten them.
FAST = {"rate_per_s": 0, "backoff_s": 0.01, "timeout_s": 5.0, "retries": 1, "deadline_s": 30.0}
#: The healthy partner's: it must never fail because the machine is busy.
CALM = {"rate_per_s": 0, "timeout_s": 20.0}
HEALTHY_NAME = "healthy"
#: Marker put into bad input: none of it may reach a stored record.
MARKER = "HOSTILE-MARKER"


def partner_name(kind: str) -> str:
    """The hostile partner of ``kind``."""
    return "hostile-ft" if kind == "francetravail" else f"hostile-{kind}"


def offers_for(kind: str) -> list[dict[str, Any]]:
    """The real offers a partner serves (France Travail's come from its simulator)."""
    lo, hi = SLICES[kind]
    return [dict(o) for o in ft_offers() if o.get("description")][lo:hi]


# -- documents of each kind ---------------------------------------------------------
def _date(o: dict[str, Any]) -> str:
    return str(o["dateCreation"])[:10]


def xml_feed(offers: Iterable[dict[str, Any]], *, prolog: str = "") -> bytes:
    """Indeed-style XML."""
    jobs = "".join(
        f"<job><referencenumber>{escape(o['id'])}</referencenumber><title>{escape(o['intitule'])}</title>"
        f"<description>{escape(o['description'])}</description>"
        f"<company>{escape((o.get('entreprise') or {}).get('nom', 'Employeur'))}</company>"
        f"<city>{escape(o['lieuTravail']['libelle'])}</city><date>{_date(o)}</date></job>"
        for o in offers
    )
    return f'<?xml version="1.0" encoding="utf-8"?>{prolog}<source>{jobs}</source>'.encode()


def rss_feed(offers: Iterable[dict[str, Any]], *, prolog: str = "") -> bytes:
    """RSS 2.0, one item per offer."""
    items = "".join(
        f"<item><guid>{escape(o['id'])}</guid><title>{escape(o['intitule'])}</title>"
        f"<link>https://example.org/{escape(o['id'])}</link>"
        f"<description>{escape(o['description'])}</description>"
        f"<pubDate>{formatdate(1_735_000_000, usegmt=True)}</pubDate></item>"
        for o in offers
    )
    return (f'<?xml version="1.0" encoding="utf-8"?>{prolog}<rss version="2.0"><channel><title>Offres</title>'
            f"<link>https://example.org/</link><description>Offres</description>{items}</channel></rss>").encode()


def json_feed(offers: Iterable[dict[str, Any]]) -> bytes:
    """schema.org JobPosting objects under ``items``."""
    return json.dumps({"items": [jobposting(o, {"value": o["id"]}) for o in offers]}, ensure_ascii=False).encode()


def csv_feed(offers: Iterable[dict[str, Any]]) -> bytes:
    """Semicolon CSV with a header."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(["identifier", "title", "description", "url"])
    for o in offers:
        w.writerow([o["id"], o["intitule"], o["description"], f"https://example.org/{o['id']}"])
    return buf.getvalue().encode()


def ft_page(offers: list[dict[str, Any]]) -> Reply:
    """One France Travail search answer holding every offer."""
    headers = {"Content-Type": "application/json", "Content-Range": f"offres 0-{len(offers) - 1}/{len(offers)}"}
    return Reply(200, json.dumps({"resultats": offers, "filtresPossibles": []}, ensure_ascii=False).encode(), headers)


RENDER: dict[str, tuple[Callable[..., bytes], str, str]] = {
    "xml": (xml_feed, "application/xml", "/hostile.xml"),
    "json": (json_feed, "application/json", "/hostile.json"),
    "rss": (rss_feed, "application/rss+xml", "/hostile.rss"),
    "csv": (csv_feed, "text/csv", "/hostile.csv"),
}


def document(kind: str, offers: list[dict[str, Any]], **kw: Any) -> Reply:
    """The whole document ``kind`` serves for ``offers`` (France Travail: one search answer)."""
    if kind == "francetravail":
        return ft_page(offers)
    render, ctype, _ = RENDER[kind]
    return Reply(200, render(offers, **kw), {"Content-Type": ctype})


# -- the scenario -------------------------------------------------------------------------
@dataclass
class Outcome:
    """What the fault did to one hostile partner (one row of docs/reliability.md)."""

    partner: str
    kind: str
    state: str
    reason: str
    expected: int
    stored: int
    quarantined: int
    lost: list[str]
    closed: list[str]
    peak_rss_mb: float | None = None


@dataclass
class Scenario:
    """The simulated partners, their configuration, and the seeded state to compare with."""

    tmp_path: Path
    db_url: str
    kinds: tuple[str, ...] = KINDS
    options: dict[str, Any] = field(default_factory=dict)
    server: PartnerServer = field(init=False)
    switches: dict[str, Switch] = field(init=False, default_factory=dict)
    sim: FranceTravailSim | None = field(init=False, default=None)
    config: Path = field(init=False)
    open_before: dict[str, set[str]] = field(init=False, default_factory=dict)
    healthy_before: Any = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.server = PartnerServer().start()
        self.server.routes["/healthy.xml"] = static(xml_feed(offers_for("healthy")), "application/xml")
        for kind in self.kinds:
            if kind == "francetravail":
                self.sim = FranceTravailSim(self.server, {"75": 24})
                self.switches[kind] = Switch(self.sim.search)
                self.server.routes["/offres/search"] = self.switches[kind]
            else:
                self.switches[kind] = Switch(static(document(kind, offers_for(kind)).body, RENDER[kind][1]))
                self.server.routes[RENDER[kind][2]] = self.switches[kind]
        self.config = self.tmp_path / "jobgate.toml"
        self.use_database(self.db_url, self.tmp_path, **self.options)
        os.environ.setdefault("FT_SIM_ID", FranceTravailSim.CLIENT_ID)
        os.environ.setdefault("FT_SIM_SECRET", FranceTravailSim.CLIENT_SECRET)

    def close(self) -> None:
        """Stop the simulated server."""
        self.server.stop()

    def use_database(self, db_url: str, where: Path, **options: Any) -> None:
        """Point the configuration (written in ``where``) at ``db_url``, clear every fault.

        Tests share one seeded scenario: each copies the seeded SQLite file and
        runs its fault on the copy. ``options`` go over :data:`FAST` for the
        hostile partners.
        """
        self.db_url, self.tmp_path, self.options = db_url, where, options
        self.config = where / "jobgate.toml"
        self.config.write_text(self._toml(), encoding="utf-8")
        for switch in self.switches.values():
            switch.set(None)

    def _toml(self) -> str:
        def inline(opts: dict[str, Any]) -> str:
            return "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in opts.items())

        hostile = inline({**FAST, **self.options})
        parts = [f'[database]\nurl = "{self.db_url}"\n',
                 f'[[partners]]\nname = "{HEALTHY_NAME}"\nconnector = "xml"\nurl = "{self.server.url("/healthy.xml")}"\n'
                 f"options = {inline(CALM)} }}\n"]
        for kind in self.kinds:
            if kind == "francetravail":
                token = self.server.url("/token?realm=%2Fpartenaire")
                parts.append(
                    f'[[partners]]\nname = "hostile-ft"\nconnector = "francetravail"\n'
                    f'url = "{self.server.url("/offres/search")}"\n'
                    'auth = { client_id = "FT_SIM_ID", client_secret = "FT_SIM_SECRET" }\n'
                    f'options = {hostile}, token_url = "{token}", incremental = false }}\n')
            else:
                parts.append(f'[[partners]]\nname = "{partner_name(kind)}"\nconnector = "{kind}"\n'
                             f'url = "{self.server.url(RENDER[kind][2])}"\noptions = {hostile} }}\n')
        return "\n".join(parts)

    @property
    def settings(self) -> Any:
        return load_settings(self.config)

    def offers(self, kind: str) -> list[dict[str, Any]]:
        """Copies of the offers ``kind``'s good feed carries (France Travail's as its simulator made them)."""
        if kind == "francetravail":
            assert self.sim is not None
            return [dict(o) for o in self.sim.offers]
        return offers_for(kind)

    def expected_ids(self, kind: str) -> set[str]:
        """The ids the partner's good feed carries."""
        return {o["id"] for o in self.offers(kind)}

    # -- phases --------------------------------------------------------------------------
    def seed(self, store: Store) -> CycleReport:
        """The first, good cycle: every partner healthy, every offer open."""
        report = run_cycle(store, self.settings)
        states = {h.partner: (h.state, h.reason) for h in partner_health(store, self.settings)}
        assert all(s == HEALTHY for s, _ in states.values()), states
        for name in [HEALTHY_NAME, *map(partner_name, self.kinds)]:
            self.open_before[name] = open_offers(store, name)
        for kind in self.kinds:
            assert raw_ids(store, partner_name(kind)) == self.expected_ids(kind)
        assert len(self.open_before[HEALTHY_NAME]) == 24
        self.healthy_before = healthy_state(store)
        return report

    def inject(self, fault: Callable[[str, Handler], Handler]) -> None:
        """Switch on ``fault(kind, good handler)`` for every hostile partner.

        The good handler is given unconditional (a 304 would hide the fault).
        """
        for kind, switch in self.switches.items():
            switch.set(fault(kind, unconditional(switch.good)))

    def run(self, store: Store) -> CycleReport:
        """The cycle under fault."""
        return run_cycle(store, self.settings)

    def run_subprocess(self) -> float:
        """``jobgate run --once`` in a child process; its peak resident memory in MB (``VmHWM``)."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.run([sys.executable, "-m", "tests.reliability.peak_rss", "run", "--once",
                               "--config", str(self.config)], capture_output=True, text=True, env=env, cwd=ROOT,
                              check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        peak = [line for line in proc.stderr.splitlines() if line.startswith("PEAK_RSS_MB ")]
        assert peak, proc.stderr[-3000:]
        return float(peak[-1].split()[1])

    # -- the contract ------------------------------------------------------------------------
    def check(self, store: Store, kind: str, reason: str, *, quarantined: Iterable[str] = (),
              expect_stored: Iterable[str] | None = None, leaks: Iterable[str] = (MARKER,)) -> Outcome:
        """Assert issue #8's contract for ``kind``'s hostile partner after the faulty cycle.

        ``reason``: a text the partner's health reason must hold; ``quarantined``:
        ids that must be in the quarantine; ``expect_stored``: ids that must be
        live (default: every id of the good feed); ``leaks``: texts no stored
        record may hold.
        """
        name = partner_name(kind)
        health = {h.partner: h for h in partner_health(store, self.settings)}
        h = health[name]
        assert h.state == FAILING, (name, h.state, h.reason)
        assert reason.lower() in h.reason.lower(), (name, h.reason)
        assert name in h.reason or name == h.partner
        # The healthy partner is untouched: same records, same content, same open offers.
        assert health[HEALTHY_NAME].state == HEALTHY, health[HEALTHY_NAME].reason
        assert healthy_state(store) == self.healthy_before
        # No offer closed by the fault, for any partner.
        closed = sorted(self.open_before[name] - open_offers(store, name))
        assert not closed, (name, closed)
        # Nothing lost: every id the partner sent is live or quarantined.
        live = raw_ids(store, name)
        held = quarantined_ids(store, name)
        expected = set(expect_stored) if expect_stored is not None else self.expected_ids(kind)
        lost = sorted(expected - live - held)
        assert not lost, (name, lost)
        missing_q = set(quarantined) - held
        assert not missing_q, (name, missing_q, held)
        # Nothing of the bad input in a stored record.
        for text in payload_texts(store, name):
            for leak in leaks:
                assert leak not in text, (name, leak, text[:200])
            assert "\ufffd" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text), (name, text[:200])
        return Outcome(name, kind, h.state, h.reason, len(expected), len(live & expected), len(held),
                       lost, closed)


def unconditional(handler: Handler) -> Handler:
    """``handler`` asked without If-None-Match / If-Modified-Since: always the whole document."""
    skip = ("if-none-match", "if-modified-since")
    return lambda req: handler(Req(req.method, req.path, req.query,
                                   {k: v for k, v in req.headers.items() if k not in skip}, req.body))


# -- store views --------------------------------------------------------------------------
def raw_ids(store: Store, partner: str) -> set[str]:
    """Live (not gone) raw record ids of ``partner``."""
    with store.session() as s:
        return set(s.scalars(select(RawRecord.external_id).where(RawRecord.partner == partner,
                                                                 RawRecord.gone.is_(False))))


def quarantined_ids(store: Store, partner: str) -> set[str]:
    """Ids of ``partner``'s unresolved quarantined records."""
    return {q.external_id for q in store.quarantined(partner) if q.external_id}


def open_offers(store: Store, partner: str) -> set[str]:
    """External ids of ``partner``'s offers that are not closed."""
    with store.session() as s:
        return set(s.scalars(select(Offer.external_id).where(Offer.partner == partner, Offer.status != "closed")))


def clusters_of(store: Store, partner: str) -> dict[str, str | None]:
    """``partner``'s offers: external id -> catalogue offer (cluster) id."""
    with store.session() as s:
        return dict(s.execute(select(Offer.external_id, Offer.cluster_id).where(Offer.partner == partner)).all())


def cluster_status(store: Store, cluster_id: str | None) -> str | None:
    """A catalogue offer's status (``active``, ``closed``)."""
    with store.session() as s:
        return s.scalar(select(Cluster.status).where(Cluster.id == cluster_id))


def healthy_state(store: Store) -> list[tuple[str, str, bool, str]]:
    """The healthy partner's records and offers, to compare before and after a fault."""
    with store.session() as s:
        raws = s.execute(select(RawRecord.external_id, RawRecord.content_hash, RawRecord.gone)
                         .where(RawRecord.partner == HEALTHY_NAME).order_by(RawRecord.external_id)).all()
        status = dict(s.execute(select(Offer.external_id, Offer.status).where(Offer.partner == HEALTHY_NAME)).all())
    return [(r.external_id, r.content_hash, r.gone, status.get(r.external_id, "")) for r in raws]


def payload_texts(store: Store, partner: str) -> list[str]:
    """Every stored payload and field set of ``partner`` as JSON text (unescaped)."""
    with store.session() as s:
        rows = s.execute(select(RawRecord.payload, RawRecord.fields).where(RawRecord.partner == partner)).all()
    return [json.dumps([p, f], ensure_ascii=False) for p, f in rows]


def record_outcome(outcome: Outcome, fault: str, test: str) -> None:
    """Append the figures to ``$JOBGATE_RELIABILITY_REPORT`` (JSON lines) when set: docs/reliability.md's table."""
    path = os.environ.get("JOBGATE_RELIABILITY_REPORT")
    if not path:
        return
    row = {"fault": fault, "test": test, **outcome.__dict__}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")


__all__ = ["KINDS", "MARKER", "Outcome", "Req", "Scenario", "cluster_status", "clusters_of", "document", "offers_for",
           "partner_name", "raw_ids"]
