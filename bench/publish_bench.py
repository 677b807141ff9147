"""Publisher benchmark: render N offers in each feed format to /dev/null.

Offers are built lazily by cycling the real France Travail sample offers
(``/work/shared/samples/france_travail``, origine "1") with distinct ids, so the
input itself takes constant memory. For each format and size, a fresh child
process renders the feed 3 times and reports the median rate and its own peak
RSS (``resource.getrusage``), so 10k and 100k runs can be compared for constant
memory.

Usage::

    PYTHONPATH=. .venv/bin/python bench/publish_bench.py [--sizes 10000 100000] [--runs 3]

Rates are per CPU second of the measuring process. Columns: ``render/s`` times only the exporter calls (``export_offer``);
``end-to-end/s`` includes building each offer copy and :func:`visible_offer`
with the offer's own diffusion mode; ``visible/s`` (separate table) is
:func:`visible_offer` alone per diffusion mode.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "publisher"))

from publisher_samples import public_service_offers  # noqa: E402

from jobgate.config import PartnerSettings, PublisherSettings  # noqa: E402
from jobgate.schema import CatalogueOffer, Contact, Diffusion, Preselection, Visibility  # noqa: E402
from publisher import FORMATS, get_exporter, visible_offer  # noqa: E402

PARTNER = PartnerSettings(name="bench", connector="rss", url="x.xml", receives=("offers",))
SETTINGS = PublisherSettings(base_url="https://jobgate.example.org")
AGENCY = Contact(email="ape.94076@francetravail.fr", phone="01 49 58 00 00")
WHEN = datetime(2026, 11, 22, tzinfo=UTC)


def _offers(n: int, base: list[CatalogueOffer]) -> Iterator[CatalogueOffer]:
    for i in range(n):
        o = base[i % len(base)].model_copy()
        o.id = f"{o.id}-{i}"
        yield o


def _run(fmt: str, n: int, base: list[CatalogueOffer], *, filtered: bool) -> float:
    """Offers per CPU second for one rendering of ``n`` offers.

    CPU time (``time.process_time``), not wall time, so other processes on a
    shared machine do not skew the figures.
    """
    clock = time.process_time
    spent = 0.0
    started = clock()
    with open("/dev/null", "wb") as out:
        exp = get_exporter(fmt, out, partner=PARTNER, base_url=SETTINGS.base_url, title="Offres")
        for o in _offers(n, base):
            if filtered:
                o = visible_offer(o, PARTNER, settings=SETTINGS, agency=AGENCY)
            t = clock()
            exp.export_offer(o)
            spent += clock() - t
        for i in range(n // 100):
            exp.export_tombstone(f"gone-{i}", WHEN)
        exp.finish()
    total = clock() - started
    return n / (total if filtered else spent)


def child(fmt: str, n: int, runs: int) -> None:
    """Measure one format at one size; print a JSON line."""
    base = public_service_offers()
    render = statistics.median(_run(fmt, n, base, filtered=False) for _ in range(runs))
    e2e = statistics.median(_run(fmt, n, base, filtered=True) for _ in range(runs))
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"fmt": fmt, "n": n, "render": render, "e2e": e2e, "rss_mib": rss_mib}))


def visible_rates(n: int = 20_000) -> dict[str, float]:
    """visible_offer() offers/s per diffusion mode (real offers, cycled)."""
    base = public_service_offers()
    rates = {}
    for v in Visibility:
        for p in (Preselection.AUCUNE, Preselection.VERIFICATION):
            mode = Diffusion(visibility=v, preselection=p)
            offers = [o.model_copy(update={"diffusion": mode}) for o in base]
            t = time.process_time()
            for i in range(n):
                visible_offer(offers[i % len(offers)], PARTNER, settings=SETTINGS, agency=AGENCY)
            rates[f"{v.value}/{p.value}"] = n / (time.process_time() - t)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=list(FORMATS))
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.runs)
        return
    print(f"# load average at start: {os.getloadavg()}")
    print(
        f"# python {platform.python_version()} on {platform.machine()}, {len(public_service_offers())} real FT offers cycled"
    )
    print(f"{'format':8} {'offers':>8} {'render/s':>10} {'end-to-end/s':>13} {'peak RSS MiB':>13}")
    for fmt in args.formats:
        for n in args.sizes:
            res = subprocess.run(
                [sys.executable, __file__, "--child", fmt, str(n), "--runs", str(args.runs)],
                check=True,
                capture_output=True,
                text=True,
            )
            r = json.loads(res.stdout.strip().splitlines()[-1])
            print(f"{fmt:8} {n:>8} {r['render']:>10,.0f} {r['e2e']:>13,.0f} {r['rss_mib']:>13.1f}")
    print("\nvisible_offer() alone, offers/s by mode:")
    for mode, rate in visible_rates().items():
        print(f"  {mode:26} {rate:>10,.0f}")
    print(f"# load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
