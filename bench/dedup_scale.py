"""Dedup at national scale: full runs at 100k / 300k / 1M records and a 10k incremental batch.

Usage::

    python bench/dedup_scale.py --sizes 100000 300000 1000000 --repeat 3

Each size runs in its own process (peak memory is per size). Records are made
from the 3,150 real FT offers: every job gets its own employer (Zipf-distributed
over a pool), city (from the real places), date and a text re-mixed from its
base offer's sentences and sentences of other offers, with its employer and city
written in; 10 % of jobs have a multi-site sibling (same employer, title and text,
another city); half the jobs are reposted by 1-4 boards with the benchmark's
rewrites (bench/dedup_data.py: titles, truncation, boilerplate, employer variants,
anonymous copies, place formats), some by France Travail itself days later.

Timed separately: building the dedup records from canonical fields (folding,
word codes: the CPU part of reading the store), the engine's full run on
in-memory records, and one incremental batch of 10,000 new records (new jobs and
new copies of existing jobs) added to the full index.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dedup_data import BOARDS, load_ft, vary_employer, vary_text, vary_title
from dedup.engine import DedupIndex
from dedup.model import DEFAULT_MODEL, DedupRecord, city_key, employer_key, fold, text_words
from dedup.parallel import chunked_map, cpu_seconds, default_workers
from normalizer.fields import clean_title, split_title_place

_SENT = re.compile(r"(?<=[.!?])\s+|\n+")
T0 = datetime(2026, 11, 1, tzinfo=UTC)
WORKERS: int | None = None
BUILD_CHUNK = 50_000  # records generated and built at a time (the raw texts are not all kept)


@dataclass
class Raw:
    """Canonical fields of one synthetic source record, before folding."""

    job: int
    partner: str
    ext: str
    title: str
    text: str
    employer: str | None
    city: str | None
    postcode: str | None
    dept: str | None
    contract: str
    published: datetime


class World:
    """Real offers, their sentences and places, to draw synthetic jobs from."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.rows = load_ft()
        self.sentences = [s for r in self.rows for s in _SENT.split(r.get("description") or "") if len(s) > 40]
        self.places: list[tuple[str, str, str]] = []
        for r in self.rows:
            lieu = r.get("lieuTravail") or {}
            label, pc = str(lieu.get("libelle") or ""), lieu.get("codePostal")
            if " - " in label and pc:
                dept, city = label.split(" - ", 1)
                self.places.append((city.title(), pc, dept))
        self.contracts = {"CDI": "CDI", "CDD": "CDD", "MIS": "INTERIM", "SAI": "SAISONNIER"}

    def employer(self) -> str:
        """30 % of jobs from 200 big recruiters (Zipf: interim agencies, retail chains), the rest
        from a long tail of small employers."""
        rng = self.rng
        if rng.random() < 0.3:
            n = min(int(rng.paretovariate(1.0)), 200)
            base = (self.rows[n * 7 % len(self.rows)].get("entreprise") or {}).get("nom") or "Groupe"
            return f"{base} {n}"
        n = rng.randrange(10**7)
        base = (self.rows[n % len(self.rows)].get("entreprise") or {}).get("nom") or "Societe"
        return f"{base} {n}"

    def job(self, jid: int) -> list[Raw]:
        """One job (sometimes with its multi-site sibling) and its copies."""
        rng = self.rng
        src = self.rows[rng.randrange(len(self.rows))]
        employer = self.employer()
        city, pc, dept = rng.choice(self.places)
        sents = [s for s in _SENT.split(src.get("description") or "") if s.strip()]
        sents = [s if rng.random() > 0.3 else rng.choice(self.sentences) for s in sents]
        sents.insert(rng.randrange(len(sents) + 1), f"{employer} recrute pour son site de {city}.")
        sents.append(f"Référence {jid}-{rng.randrange(10**6)}, poste basé à {city} ({dept}).")
        text = "\n".join(sents)
        title = src.get("intitule") or "Poste"
        contract = self.contracts.get(src.get("typeContrat") or "", "AUTRE")
        published = T0 + timedelta(days=rng.uniform(0, 30))
        out = [Raw(jid, "francetravail", f"FT{jid}", title, text, employer, city, pc, dept, contract, published)]
        if rng.random() < 0.1:
            c2, p2, d2 = rng.choice(self.places)
            if c2 != city:
                out.append(Raw(-jid, "francetravail", f"FT{jid}S", title, text.replace(city, c2), employer,
                               c2, p2, d2, contract, published))
        for base in list(out):
            if rng.random() < 0.5:
                out.extend(self.copies(base))
        return out

    def copies(self, base: Raw, later: float = 0.0, tag: str = "") -> list[Raw]:
        """1-4 board copies, sometimes a France Travail repost (``later`` days after the original)."""
        rng, out = self.rng, []
        for partner in rng.sample(sorted(BOARDS), rng.randint(1, 4)):
            anonymous = rng.random() < 0.2
            style = rng.choice(["city", "postcode", "both", "title"])
            title = vary_title(base.title, base.city, base.dept, rng, city_in_title=style == "title")
            title = clean_title(title)
            city = base.city if style in ("city", "both") else None
            if style == "title":
                title, label = split_title_place(title)
                city = label.split(" (")[0] if label else None
            out.append(Raw(
                base.job, partner, f"{partner}{base.ext}{tag}", title,
                vary_text(base.text, partner, rng, base.employer, anonymous),
                None if anonymous else vary_employer(base.employer, rng), city,
                base.postcode if style in ("postcode", "both") else None,
                base.dept if style != "city" else None, base.contract,
                base.published + timedelta(days=later, hours=rng.uniform(2, 96)),
            ))
        if rng.random() < 0.1:
            out.append(Raw(base.job, "francetravail", base.ext + "R", base.title, base.text + "\nOffre republiée.",
                           base.employer, base.city, base.postcode, base.dept, base.contract,
                           base.published + timedelta(days=rng.uniform(2, 20))))
        return out


def generate_chunks(n: int, seed: int = 11, first_job: int = 1, chunk: int = 50_000) -> Iterator[list[Raw]]:
    """About ``n`` synthetic source records, ``chunk`` at a time (the same records as :func:`generate`)."""
    world = World(seed)
    out: list[Raw] = []
    jid, made = first_job, 0
    while made < n:
        recs = world.job(jid)[: n - made]
        jid += 1
        out.extend(recs)
        made += len(recs)
        if len(out) >= chunk:
            yield out
            out = []
    if out:
        yield out


def generate(n: int, seed: int = 11, first_job: int = 1) -> list[Raw]:
    """About ``n`` synthetic source records."""
    return [r for part in generate_chunks(n, seed, first_job) for r in part]


def build(raws: list[Raw], first_key: int = 0) -> list[DedupRecord]:
    """Dedup records from canonical fields (what reading the store costs in CPU), over every core."""
    return chunked_map(_build_part, (raws, first_key), len(raws), WORKERS or default_workers())


def _build_part(shared: tuple[list[Raw], int], lo: int, hi: int) -> list[DedupRecord]:
    raws, first_key = shared
    out = []
    for i in range(lo, hi):
        r = raws[i]
        out.append(DedupRecord(
            key=first_key + i, partner=r.partner, title=fold(r.title), description="", words=text_words(r.text),
            employer=employer_key(r.employer), siret="", city=city_key(r.city), postcode=r.postcode or "",
            departement=r.dept or "", contract=r.contract, published=r.published,
            public_service=r.partner == "francetravail", external_id=r.ext,
        ))
    return out


def quality(jobs: Sequence[int], groups: list[list[int]]) -> tuple[float, float]:
    """Pairwise precision and recall against the synthetic job labels (``jobs[key]``)."""
    true = sum(n * (n - 1) // 2 for n in Counter(jobs).values())
    pred = ok = 0
    for g in groups:
        pred += len(g) * (len(g) - 1) // 2
        c = Counter(jobs[k] for k in g)
        ok += sum(n * (n - 1) // 2 for n in c.values())
    return (ok / pred if pred else 1.0, ok / true if true else 1.0)


def cpu() -> float:
    """CPU seconds of this process and its finished workers."""
    return cpu_seconds()


class Reservoir:
    """A uniform sample of ``k`` items from a stream (the records are not all kept)."""

    def __init__(self, k: int, seed: int) -> None:
        self.k, self.rng, self.seen = k, random.Random(seed), 0
        self.items: list[Raw] = []

    def offer(self, item: Raw) -> None:
        """See one more item of the stream."""
        if len(self.items) < self.k:
            self.items.append(item)
        else:
            j = self.rng.randrange(self.seen + 1)
            if j < self.k:
                self.items[j] = item
        self.seen += 1


def stream_records(n: int, batch: int) -> tuple[list[DedupRecord], array[int], Reservoir, float, float, float]:
    """Generate ``n`` records chunk by chunk and build their dedup records; keep only those and the job labels.

    Returns the records, the job label per record key, a sample of original France Travail
    offers (bases for the incremental batch's new copies), and the generation wall time,
    record-building wall and CPU time.
    """
    records: list[DedupRecord] = []
    jobs: array[int] = array("q")
    sample = Reservoir(batch, seed=3)
    gen_s = build_s = build_cpu = 0.0
    t = time.perf_counter()
    for part in generate_chunks(n, chunk=BUILD_CHUNK):
        gen_s += time.perf_counter() - t
        for r in part:
            jobs.append(r.job)
            if r.partner == "francetravail" and not r.ext.endswith("R"):
                sample.offer(r)
        t, c = time.perf_counter(), cpu()
        records.extend(build(part, first_key=len(records)))
        build_s, build_cpu = build_s + time.perf_counter() - t, build_cpu + cpu() - c
        t = time.perf_counter()
    return records, jobs, sample, gen_s, build_s, build_cpu


def one_size(n: int, repeat: int, batch: int) -> dict[str, Any]:
    """Measure one size (run in a child process)."""
    records, jobs, sample, gen_s, build_s, build_cpu = stream_records(n, batch)
    t = time.perf_counter()
    extra = generate(batch, seed=99, first_job=10**8)  # new jobs...
    # ...and new copies of existing jobs: boards reposting jobs already in the catalogue
    world = World(5)
    fresh: list[Raw] = []
    for base in sample.items:
        fresh.extend(c for c in world.copies(base, later=5, tag="n") if c.partner != "francetravail")
        if len(fresh) >= batch // 2:
            break
    extra = (extra[: batch - len(fresh)] + fresh)[:batch]
    gen_s += time.perf_counter() - t
    new = build(extra, first_key=len(records))
    all_jobs = jobs + array("q", (r.job for r in extra))
    del sample, extra, fresh
    full_runs, inc_runs, full_cpu, inc_cpu = [], [], [], []
    index: DedupIndex | None = None
    for _ in range(repeat):
        index = None
        gc.collect()
        t, c = time.perf_counter(), cpu()
        index = DedupIndex(DEFAULT_MODEL, workers=WORKERS)
        index.add(records)
        full_runs.append(time.perf_counter() - t)
        full_cpu.append(cpu() - c)
        stats = index.stats
        full_stats = {"pairs": dict(stats.pairs), "skipped_blocks": dict(stats.skipped_blocks),
                      "compared": stats.compared, "matched": stats.matched, "refused": stats.refused_merges,
                      "phase_cpu_s": {k: round(v, 1) for k, v in stats.cpu.items()}}
        groups = index.groups()
        stats.cpu.clear()
        t, c = time.perf_counter(), cpu()
        index.add(new)
        inc_runs.append(time.perf_counter() - t)
        inc_cpu.append(cpu() - c)
        inc_phases = {k: round(v, 2) for k, v in stats.cpu.items()}
    assert index is not None
    prec, rec = quality(jobs, groups)
    prec2, rec2 = quality(all_jobs, index.groups())
    return {
        "records": len(records), "jobs": len(set(jobs)), "generate_s": round(gen_s, 1),
        "build_records_s": round(build_s, 1), "build_records_cpu_s": round(build_cpu, 1),
        "load_average": [round(x, 1) for x in os.getloadavg()], "full_s": [round(x, 1) for x in full_runs],
        "full_median_s": round(statistics.median(full_runs), 1),
        "full_cpu_s": [round(x, 1) for x in full_cpu], "full_cpu_median_s": round(statistics.median(full_cpu), 1),
        "incremental_batch": len(new),
        "incremental_s": [round(x, 2) for x in inc_runs],
        "incremental_median_s": round(statistics.median(inc_runs), 2),
        "incremental_cpu_s": [round(x, 2) for x in inc_cpu],
        "incremental_cpu_median_s": round(statistics.median(inc_cpu), 2),
        "incremental_phase_cpu_s": inc_phases,
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
        "peak_rss_worker_gib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20, 2),
        "precision": round(prec, 4), "recall": round(rec, 4),
        "precision_after_batch": round(prec2, 4), "recall_after_batch": round(rec2, 4), **full_stats,
    }


def main() -> None:
    """Run every size in its own process and print a JSON line per size."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=None, help="processes (default: every core)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    global WORKERS
    WORKERS = args.workers
    if args.one:
        print(json.dumps(one_size(args.one, args.repeat, args.batch)), flush=True)
        return
    for n in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--repeat", str(args.repeat),
                              "--batch", str(args.batch)] + (["--workers", str(args.workers)] if args.workers else []), capture_output=True, text=True, check=False)
        sys.stdout.write(out.stdout or out.stderr[-3000:])
        sys.stdout.flush()


if __name__ == "__main__":
    main()
