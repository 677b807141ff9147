"""The ``jobgate`` command line.

Every command reads the TOML configuration given by ``--config`` (default
``./jobgate.toml``); ``JOBGATE_DATABASE_URL`` overrides its database.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jobgate.config import Settings, load_settings
from jobgate.errors import JobgateError
from jobgate.logs import setup_logging

DESCRIPTION = """\
jobgate: exchange gateway between the public employment service and partner job boards.

It pulls offers from every configured partner (France Travail API, RSS/Atom, XML,
JSON, CSV), normalises them into canonical offers, codes them in ROME, certifies
them, merges duplicates into one catalogue offer per job, and syndicates the
public service's offers back to partners in their diffusion mode.
"""


def _config_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", "-c", metavar="FILE", help="TOML configuration (default: ./jobgate.toml)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command and its help."""
    parser = argparse.ArgumentParser(prog="jobgate", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--log-level", default="WARNING", help="log level of the JSON logs on stderr (default WARNING)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    run = sub.add_parser("run", help="fetch → normalise → dedup → publish for every partner",
                         description="Run the gateway's main job. With --once: one full cycle over every "
                         "configured partner, then exit and print a summary. Without: keep running, "
                         "fetching each partner on its schedule (schedule_minutes).")
    _config_arg(run)
    run.add_argument("--once", action="store_true", help="one full cycle, then exit")

    exp = sub.add_parser("export", help="write the catalogue or the source records as JSON lines",
                         description="Write JSON lines to stdout. 'offers': one line per catalogue offer "
                         "(id, title, description, employer, place, contract, rome, sources...), as the "
                         "public may see it. 'records': one line per source record (partner, external_id, "
                         "title, status, cluster, certification, rome).")
    exp.add_argument("what", choices=["offers", "records"], help="offers | records")
    _config_arg(exp)

    feed = sub.add_parser("feed", help="write the feed a partner receives now",
                          description="Write to stdout the feed that partner receives now, in its diffusion "
                          "modes (pending withdrawals included as tombstones).")
    _config_arg(feed)
    feed.add_argument("--partner", required=True, help="recipient partner name")
    feed.add_argument("--format", required=True, choices=["rss", "atom", "xml", "json", "jsonld"], dest="fmt")

    deliver = sub.add_parser("deliver", help="push pending offers and CVs to partners with a push_url",
                             description="Send every pending delivery-log row to the partners configured with "
                             "options.push_url (POST/PUT upserts, DELETE withdrawals, Idempotency-Key, retries "
                             "with backoff). Prints one JSON report per partner; exit 1 if any row failed for good.")
    _config_arg(deliver)
    deliver.add_argument("--partner", help="only this partner (default: every push partner)")

    cvs = sub.add_parser("cvs", help="candidates' CVs: intake, publish, feed, erase, purge, disclosures",
                         description="Candidates' CVs, shared with a partner only with the candidate's consent "
                         "for it, in the visibility the candidate chose; withdrawal, erasure and retention "
                         "propagate to every partner that received the CV.")
    csub = cvs.add_subparsers(dest="cvs_command", metavar="CVS_COMMAND")
    csub.required = True
    c_in = csub.add_parser("intake", help="read CVs from a JSON-lines file",
                           description="Validate and store CVs and consents from a JSON-lines file; bad lines "
                           "are quarantined with their line number and field. Prints a JSON report.")
    c_in.add_argument("file", help="JSON-lines file (see publisher/cv.py for the fields)")
    c_pub = csub.add_parser("publish", help="bring the CV delivery log in step with consents",
                            description="Queue CV copies and withdrawals for every partner receiving CVs.")
    c_feed = csub.add_parser("feed", help="write the CV feed a pull partner receives now",
                             description="Write {\"cvs\": [...], \"deleted\": [...]} to stdout and log each "
                             "copy handed over in the disclosure log.")
    c_feed.add_argument("--partner", required=True, help="recipient partner name")
    c_er = csub.add_parser("erase", help="erase a candidate's CV and withdraw it from partners",
                           description="Delete the CV content and queue its withdrawal from every partner "
                           "that may hold a copy (GDPR art. 17 and 19).")
    c_er.add_argument("candidate", help="candidate id")
    c_pu = csub.add_parser("purge", help="erase CVs past retention (publisher.cv_retention_months)",
                           description="Erase CVs whose last active contact is older than the retention "
                           "period and queue their withdrawal.")
    c_di = csub.add_parser("disclosures", help="who received a candidate's CV, and when",
                           description="Print the disclosure log of a candidate as JSON lines (no content).")
    c_di.add_argument("candidate", help="candidate id")
    for c in (c_in, c_pub, c_feed, c_er, c_pu, c_di):
        _config_arg(c)

    _keys_parser(sub)

    serve = sub.add_parser("serve", help="start the HTTP API (catalogue, feeds, health, OpenAPI)",
                           description="Serve the HTTP API with uvicorn: /health, /openapi.json, the catalogue "
                           "and the partner feeds.")
    _config_arg(serve)
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")

    rome = sub.add_parser("rome", help="ROME classification tools",
                          description="ROME referential tools.")
    rsub = rome.add_subparsers(dest="rome_command", metavar="ROME_COMMAND")
    rsub.required = True
    classify = rsub.add_parser("classify", help="classify JSON lines from stdin",
                               description="Read JSON lines on stdin ({\"title\": ..., \"description\": ..., \"naf\": ...}; "
                               "a line that is not JSON is a bare title) and write one JSON line per input line, in "
                               "order, with code_rome, code_fiche, code_ogr, appellation, score, method, alternatives, "
                               "held and held_reason (score below the confidence threshold).")
    _config_arg(classify)
    classify.add_argument("--hold-below", type=float, help="confidence below which an offer is held "
                          "(default: [rome] hold_below of the configuration)")
    classify.add_argument("--batch", type=int, default=1, help="lines classified together (default 1: "
                          "each line answered at once; a few hundred is faster on files)")
    refresh = rsub.add_parser("refresh", help="refresh the shipped referential from the official source (online)",
                              description="Download the official ROME CSV archive and rebuild the referential files.")
    refresh.add_argument("--url", required=True, help="URL (or local path) of the official unix_*_utf8 archive")
    refresh.add_argument("--dest", help="destination folder (default: the package's data folder)")

    worker = sub.add_parser("worker", help="start a Celery worker (scale-out)",
                            description="Start a Celery worker consuming the fetch, normalize, dedup and "
                            "publish queues. The broker comes from [scheduler] broker_url or JOBGATE_BROKER_URL.")
    _config_arg(worker)
    worker.add_argument("--queues", "-Q", default="fetch,normalize,dedup,publish", help="queues to consume")
    worker.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")
    worker.add_argument("--pool", choices=("prefork", "solo", "threads"), default="prefork",
                        help="execution pool (default prefork; solo runs tasks in the worker process)")
    beat = sub.add_parser("beat", help="start Celery beat (per-partner schedules)",
                          description="Start Celery beat: one chain per partner every schedule_minutes.")
    _config_arg(beat)

    health = sub.add_parser("health", help="connector health; exit code 0 only when every partner is healthy",
                            description="Print each partner's connector health: state (healthy, late, failing, "
                            "paused), last success, lag behind schedule, error rate over the latest runs, "
                            "quarantined records, last error. failing = the latest fetch failed or was "
                            "suspicious; late = no success within 2 x schedule_minutes; paused = paused by an "
                            "operator or disabled. Exit code 0 when every partner is healthy, 1 otherwise "
                            "(each one named with its last error), 2 on a configuration error: usable from "
                            "monitoring.")
    _config_arg(health)
    health.add_argument("--format", choices=["text", "json"], default="text", dest="fmt",
                        help="text table (default) or one JSON document")

    lifecycle = sub.add_parser("lifecycle", help="run the offer lifecycle jobs once",
                               description="Close expired offers and public-service offers whose employer "
                               "did not answer a follow-up within [lifecycle] follow_up_days, alert on offers "
                               "with no movement for stale_after_days, purge CVs past retention; then update "
                               "the catalogue and deliveries. Prints a JSON summary.")
    _config_arg(lifecycle)

    dedup = sub.add_parser("dedup", help="run the dedup stage alone, or explain a pair of records",
                           description="Bring the catalogue up to date with the offers (incremental; --full "
                           "re-clusters everything) and print a JSON report. With --explain A B: why records A "
                           "and B (offer id or partner:external_id) are or are not one catalogue offer: blocking "
                           "rules that pair them, comparison scores, the decision, the chaining guards.")
    _config_arg(dedup)
    dedup.add_argument("--full", action="store_true", help="re-cluster every published offer")
    dedup.add_argument("--explain", nargs=2, metavar=("A", "B"), help="explain this pair; changes nothing")
    dedup.add_argument("--format", choices=["text", "json"], default="text", dest="fmt", help="of --explain")

    schema = sub.add_parser("schema", help="print the canonical offer JSON Schema",
                            description="Print the JSON Schema of the canonical and catalogue offer.")
    schema.add_argument("--output", "-o", help="write to this file instead of stdout")

    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    dsub = db.add_subparsers(dest="db_command", metavar="DB_COMMAND")
    dsub.required = True
    up = dsub.add_parser("upgrade", help="apply Alembic migrations", description="Apply every pending migration.")
    _config_arg(up)
    return parser


def _keys_parser(sub: Any) -> None:
    keys = sub.add_parser("keys", help="partners' API keys: issue, list, revoke",
                          description="Partners' API keys (X-API-Key of /feeds, /cv-feeds, /partners). Only "
                          "a SHA-256 of each key is stored: a new key is printed once, never again.")
    ksub = keys.add_subparsers(dest="keys_command", metavar="KEYS_COMMAND")
    ksub.required = True
    k_is = ksub.add_parser("issue", help="create a key for a partner and print it once",
                           description="Create a new random key for a configured partner; print it once on "
                           "stdout (its prefix and the partner go to stderr).")
    k_is.add_argument("--partner", required=True, help="partner name")
    k_ls = ksub.add_parser("list", help="list keys (prefix, partner, created, last used, revoked)",
                           description="Print one JSON line per key: never the key nor its hash.")
    k_ls.add_argument("--partner", help="only this partner's keys")
    k_rv = ksub.add_parser("revoke", help="revoke a key by its prefix",
                           description="Revoke the key with this prefix (see `jobgate keys list`); exit 1 if "
                           "there was no live key with it.")
    k_rv.add_argument("prefix", help="the key's prefix (16 hex digits)")
    for c in (k_is, k_ls, k_rv):
        _config_arg(c)


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "config", None))


def cmd_run(args: argparse.Namespace) -> int:
    from jobgate.pipeline import open_store, run_cycle
    from scheduler.inprocess import run_forever

    settings = _settings(args)
    store = open_store(settings)
    if not args.once:
        run_forever(store, settings)
        return 0
    report = run_cycle(store, settings)
    print(json.dumps(report.summary(), ensure_ascii=False, indent=2))
    failed = [f.partner for f in report.fetches if f.outcome == "failed"]
    print(f"\ncatalogue: {report.dedup.clusters if report.dedup else 0} offers in {settings.database_url}\n"
          f"see them with: jobgate export offers{' --config ' + args.config if args.config else ''}",
          file=sys.stderr)
    if failed:
        print(f"failing partners: {', '.join(failed)}", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from jobgate.exports import catalogue_lines, record_lines, write_lines
    from jobgate.pipeline import open_store

    store = open_store(_settings(args))
    lines = catalogue_lines(store) if args.what == "offers" else record_lines(store)
    write_lines(lines, sys.stdout)
    return 0


def cmd_feed(args: argparse.Namespace) -> int:
    from jobgate.pipeline import open_store
    from publisher.feeds import write_feed

    settings = _settings(args)
    partner = settings.partner(args.partner)
    store = open_store(settings)
    write_feed(store, settings, partner, args.fmt, sys.stdout.buffer)
    return 0


def cmd_deliver(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from jobgate.pipeline import open_store
    from publisher.push import deliver, deliver_partner

    settings = _settings(args)
    store = open_store(settings)
    if args.partner:
        reports = [deliver_partner(store, settings, settings.partner(args.partner))]
    else:
        reports = deliver(store, settings)
    for r in reports:
        print(json.dumps(asdict(r), ensure_ascii=False, default=str))
    return 1 if any(r.failed for r in reports) else 0


def cmd_cvs(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from jobgate.pipeline import open_store
    from publisher import cvs

    settings = _settings(args)
    store = open_store(settings)
    out: Any
    if args.cvs_command == "intake":
        out = asdict(cvs.intake_cvs(store, settings, Path(args.file)))
    elif args.cvs_command == "publish":
        out = [asdict(r) for r in cvs.publish_cvs(store, settings)]
    elif args.cvs_command == "feed":
        cvs.write_cv_feed(store, settings.partner(args.partner), sys.stdout.buffer)
        return 0
    elif args.cvs_command == "erase":
        out = {"candidate": args.candidate, "erased": cvs.erase_cv(store, settings, args.candidate)}
    elif args.cvs_command == "purge":
        out = asdict(cvs.purge_cvs(store, settings))
    else:
        for d in cvs.disclosures(store, args.candidate):
            print(json.dumps(asdict(d) | {"at": d.at.isoformat()}, ensure_ascii=False))
        return 0
    print(json.dumps(out, ensure_ascii=False, default=str))
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from jobgate import keys
    from jobgate.pipeline import open_store

    settings = _settings(args)
    store = open_store(settings)
    if args.keys_command == "issue":
        issued = keys.issue_key(store, settings, args.partner)
        print(f"key {issued.prefix} issued for {issued.partner}: shown once, store it now", file=sys.stderr)
        print(issued.key)
        return 0
    if args.keys_command == "list":
        for k in keys.list_keys(store, args.partner):
            print(json.dumps(asdict(k), ensure_ascii=False, default=str))
        return 0
    return 0 if keys.revoke_key(store, args.prefix) else 1


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from jobgate.api import create_app

    app = create_app(_settings(args))
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


def cmd_rome(args: argparse.Namespace) -> int:
    if args.rome_command == "classify":
        from normalizer.rome.cli import classify_lines

        hold = args.hold_below if args.hold_below is not None else _settings(args).rome.hold_below
        classify_lines(sys.stdin, sys.stdout, hold_below=hold, batch=args.batch)
        return 0
    from normalizer.rome.refresh import refresh_referential

    dest = Path(args.dest) if args.dest else Path(__file__).resolve().parent.parent / "normalizer" / "rome" / "data"
    refresh_referential(dest, args.url)
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    from jobgate.health import format_text, partner_health
    from jobgate.pipeline import open_store

    settings = _settings(args)
    report = partner_health(open_store(settings), settings)
    healthy = all(h.healthy for h in report)
    if args.fmt == "json":
        print(json.dumps({"healthy": healthy, "partners": [h.to_dict() for h in report]},
                         ensure_ascii=False, indent=2))
    else:
        print(format_text(report))
    return 0 if healthy else 1


def cmd_lifecycle(args: argparse.Namespace) -> int:
    from jobgate.pipeline import open_store
    from scheduler.lifecycle import run_lifecycle

    settings = _settings(args)
    report = run_lifecycle(open_store(settings), settings)
    print(json.dumps(report.summary(), ensure_ascii=False, indent=2))
    return 0


def cmd_dedup(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from dedup import run_dedup
    from dedup.explain import explain_pair
    from jobgate.pipeline import open_store

    settings = _settings(args)
    store = open_store(settings)
    if args.explain:
        out = explain_pair(store, settings, *args.explain)
        print(json.dumps(out.to_dict(), ensure_ascii=False, indent=2) if args.fmt == "json" else out.text())
        return 0
    print(json.dumps(asdict(run_dedup(store, settings, full=args.full)), ensure_ascii=False, indent=2))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from jobgate.schema_export import schema_json

    text = schema_json()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _celery(args: argparse.Namespace) -> Any:
    import os

    from scheduler.celery_app import configure

    if args.config:
        os.environ["JOBGATE_CONFIG"] = str(Path(args.config).resolve())
    return configure(_settings(args))


def cmd_worker(args: argparse.Namespace) -> int:
    app = _celery(args)
    app.worker_main(["worker", "-Q", args.queues, "--concurrency", str(args.concurrency), "--pool", args.pool,
                     "--loglevel", "INFO"])
    return 0


def cmd_beat(args: argparse.Namespace) -> int:
    app = _celery(args)
    app.start(["beat", "--loglevel", "INFO"])
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from jobgate.pipeline import open_store

    open_store(load_settings(args.config, required=False))
    return 0


COMMANDS = {"run": cmd_run, "export": cmd_export, "feed": cmd_feed, "deliver": cmd_deliver,
            "cvs": cmd_cvs, "serve": cmd_serve, "rome": cmd_rome, "schema": cmd_schema, "db": cmd_db,
            "worker": cmd_worker, "beat": cmd_beat, "health": cmd_health, "lifecycle": cmd_lifecycle,
            "keys": cmd_keys, "dedup": cmd_dedup}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``jobgate`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.log_level)
    try:
        return COMMANDS[args.command](args)
    except JobgateError as exc:
        print(f"jobgate: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
