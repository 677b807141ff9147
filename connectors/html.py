"""HTML pages of partners without a feed: a scrapy crawl for schema.org JobPosting.

The crawl (:mod:`connectors._crawl`) runs in a child process, so scrapy's
reactor never meets the scheduler's; it prints JSON lines that this connector
streams through the usual mapping (``jobposting`` dialect: external id
``identifier.value``, or ``identifier`` when a string, else the page url).
Robots.txt is obeyed and AutoThrottle is on. Options: ``link_selector`` (CSS,
default any link on the same host), ``max_pages``, ``max_depth``,
``download_delay``, ``autothrottle_start_delay``, ``crawl_timeout_s``.

A crawl stopped by ``max_pages`` (or anything but a normal finish) is not a
complete snapshot: it closes nothing.

Incremental state: the offer pages of the last crawl are saved with their
validators (ETag, Last-Modified) and the external ids found on them. The next
crawl asks those pages conditionally; a 304 page is not parsed nor stored
again, its offers are only marked seen by this run (``Page.seen``), so a
complete crawl still closes exactly the offers whose page disappeared.
``options.conditional = false`` turns this off. Listing pages are always read
in full (their links are what the crawl follows).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from connectors.base import Connector, FetchContext, Item, Page
from connectors.egress import EgressPolicy
from connectors.http import USER_AGENT
from connectors.source import is_url
from jobgate.errors import FatalPartnerError, RecordError
from jobgate.schema import SourceRecord

_ROOT = str(Path(__file__).resolve().parents[1])


class HtmlConnector(Connector):
    """Partner web pages crawled for JobPosting JSON-LD and microdata."""

    kind = "html"
    default_dialect = "jobposting"
    plain_records = True

    def parse(self, stream: IO[bytes]) -> Iterator[dict[str, Any] | RecordError]:
        """Read the crawler's JSON lines (postings, errors, unchanged pages, the final summary).

        ``self.page`` is the page of the posting last yielded (its url and
        validators); ``self.unchanged`` collects the pages answered with 304.
        """
        self.finished: dict[str, Any] | None = None
        self.page: tuple[str, dict[str, str]] | None = None
        self.unchanged: list[str] = []
        for n, line in enumerate(stream, 1):
            try:
                msg = json.loads(line)
            except ValueError:
                yield RecordError(self.name, f"line {n}", "unreadable crawler output")
                continue
            if "posting" in msg and isinstance(msg["posting"], dict):
                page = msg.get("page")
                self.page = (page, msg.get("validators") or {}) if isinstance(page, str) else None
                yield msg["posting"]
            elif "unchanged" in msg:
                self.unchanged.append(str(msg["unchanged"]))
            elif "error" in msg:
                err = RecordError(self.name, msg.get("url"), str(msg["error"]))
                err.payload = line.decode("utf-8", "replace") if isinstance(line, bytes) else str(line)
                yield err
            elif "finished" in msg:
                self.finished = msg

    def pages(self, ctx: FetchContext) -> Iterator[Page]:
        """One page: the whole crawl, streamed from the child process.

        Its state (offer pages with validators and ids) and ``seen`` (the ids
        of unchanged pages) are filled while the crawl is read.
        """
        known: dict[str, dict[str, Any]] = {}
        if self.partner.options.get("conditional", True):
            known = dict(ctx.state("").get("pages") or {})
        state: dict[str, Any] = {"pages": {}}
        seen: list[str] = []
        yield Page("", self._crawl(ctx, known, state["pages"], seen), state, seen=seen)

    def _crawl(self, ctx: FetchContext, known: dict[str, dict[str, Any]], pages: dict[str, dict[str, Any]],
               seen: list[str]) -> Iterator[Item]:
        url = ctx.location if is_url(ctx.location) else Path(ctx.location).resolve().as_uri()
        with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as fh:
            json.dump({u: {k: v for k, v in p.items() if k != "ids"} for u, p in known.items()}, fh)
        try:
            yield from self._run_crawler(ctx, url, fh.name, known, pages, seen)
        finally:
            os.unlink(fh.name)

    def _run_crawler(self, ctx: FetchContext, url: str, known_file: str, known: dict[str, dict[str, Any]],
                     pages: dict[str, dict[str, Any]], seen: list[str]) -> Iterator[Item]:
        opts = self.partner.options
        config = {
            **{k: v for k, v in opts.items() if isinstance(v, str | int | float)},
            "url": url,
            # the crawler's downloader vets every request (redirects too) against these
            "allowed_hosts": sorted(EgressPolicy.for_partner(self.partner, [url]).hosts),
            "allow_link_local": opts.get("allow_link_local") is True,
            "user_agent": USER_AGENT,
            "max_bytes": opts.get("max_bytes", ctx.limits.max_bytes),
            "known_file": known_file,
        }
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_ROOT, os.environ.get("PYTHONPATH")]))}
        timeout = float(opts.get("crawl_timeout_s", 3600))
        with tempfile.TemporaryFile() as stderr:
            try:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "connectors._crawl", json.dumps(config)],
                    stdout=subprocess.PIPE, stderr=stderr, env=env, cwd=_ROOT,
                )
            except OSError as exc:
                raise FatalPartnerError(self.name, f"cannot start the crawler: {exc}") from exc
            assert proc.stdout is not None
            try:
                for item in self.records(proc.stdout):
                    if isinstance(item, SourceRecord) and self.page is not None and self.page[1]:
                        # Remember the offer page for the next crawl's conditional request.
                        page_url, validators = self.page
                        entry = pages.setdefault(page_url, {**validators, "ids": []})
                        entry["ids"].append(item.external_id)
                    yield item
                code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                proc.kill()
                raise FatalPartnerError(self.name, f"crawl took longer than {timeout:.0f}s") from exc
            finally:
                if proc.poll() is None:  # the run stopped early: do not leave the crawler behind
                    proc.kill()
                    proc.wait()
                proc.stdout.close()
            if code != 0 or self.finished is None:
                stderr.seek(0)
                tail = stderr.read()[-1500:].decode("utf-8", "replace").strip()
                raise FatalPartnerError(self.name, f"crawler exited with status {code}: {tail}")
        for page_url in self.unchanged:
            if page_url in known:  # unchanged since the last crawl: its offers are still there
                pages[page_url] = known[page_url]
                seen.extend(known[page_url].get("ids") or [])
        stats = self.finished.get("stats", {})
        ctx.bytes += int(stats.get("downloader/response_bytes", 0))
        ctx.requests += int(stats.get("downloader/request_count", 0))
        ctx.http_errors += sum(int(v) for k, v in stats.items()
                               if k.startswith("downloader/response_status_count/") and k[-3:] >= "400")
        if self.finished.get("finished") != "finished":
            ctx.partial = True  # stopped by max_pages or a timeout: not every offer was seen
